"""The one place secrets are read and written: the secret store first, then the environment.

:func:`get_secret` tries the secret store, then the secret's environment variable.
:func:`set_secret` and :func:`delete_secret` are the only writers, and they write only to the
secret store — never to SQLite, settings files or logs (values are never logged).

The secret store is the OS keyring (Secret Service, macOS Keychain, Windows Credential Locker)
when ``keyring`` finds a real one. Otherwise (headless Linux, a desktop without a keyring
daemon) it is an encrypted file in the data dir (``keyrings.cryptfile``: Argon2id key
derivation, AES-GCM), unlocked by a master password that the app supplies through
:func:`set_master_password_provider`. A plaintext keyring is never used, even when configured.
"""

from __future__ import annotations

import configparser
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nikdesk.core.errors import MissingExtra, NikDeskError
from nikdesk.core.paths import data_dir

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "NikDesk"
ENV_VARS = {
    "cohere": "COHERE_API_KEY",
    "openai": "OPENAI_API_KEY",
    "release_keys": "NIKDESK_RELEASE_KEY_PASSPHRASE",  # the admin's signing keys
}
SECRETS_FILE = "secrets.cfg"

MasterPasswordProvider = Callable[[bool], str | None]
"""Return the master password, or None if the user cancels; the flag is True for a new file."""

# keyring backends that are no secret store: they fail, drop, chain or keep plaintext, or
# are file keyrings we manage ourselves (with our file, our password prompt)
_REFUSED_MODULES = (
    "keyring.backends.fail",
    "keyring.backends.null",
    "keyring.backends.chainer",
    "keyrings.alt",
    "keyrings.cryptfile",
)

log = logging.getLogger(__name__)
_provider: MasterPasswordProvider | None = None
_unlocked: dict[Path, KeyringBackend] = {}
_unlock_lock = threading.Lock()


class SecretStoreError(NikDeskError):
    """The secret store cannot be used; the message says why and what to do."""


class WrongMasterPassword(SecretStoreError):
    """The master password does not open the encrypted secrets file."""


class NoSecretStore(SecretStoreError):
    """No OS keyring and no way to ask for a master password: secrets cannot be stored safely."""


class SecretStoreLocked(SecretStoreError):
    """The user cancelled the master password prompt."""


def set_master_password_provider(provider: MasterPasswordProvider | None) -> None:
    """Register how to ask for the master password of the encrypted secrets file.

    The provider is called on the thread that needs the secret (the desktop app marshals it
    to the GUI thread) and must not call back into this module. ``None`` unregisters it.
    """
    global _provider
    _provider = provider


def lock_secrets() -> None:
    """Forget the master password: the next access to the encrypted file asks again."""
    with _unlock_lock:
        _unlocked.clear()


def get_secret(name: str) -> str | None:
    """Return the secret ``name`` from the secret store, else from its environment variable.

    The encrypted file is only unlocked when it exists and a provider is registered; a
    cancelled prompt falls through to the environment, a wrong password raises
    :class:`WrongMasterPassword`.
    """
    value = None
    try:
        store = _store(create=False)
        if store is not None:
            value = store.get_password(SERVICE, name)
    except (MissingExtra, NoSecretStore, SecretStoreLocked) as exc:
        log.info("no secret store for %s: %s", name, exc)
    except _keyring_errors() as exc:  # locked or unreachable: the environment may have it
        log.info("keyring unavailable for %s: %s", name, exc)
    if value:
        return value
    return os.environ.get(env_var(name)) or None


def set_secret(name: str, value: str) -> None:
    """Store the secret ``name`` in the secret store (OS keyring or encrypted file).

    Raise :class:`NoSecretStore`, :class:`SecretStoreLocked`, :class:`WrongMasterPassword` or
    :class:`SecretStoreError` (German messages) when it cannot be stored safely.
    """
    if not value:
        raise ValueError("an empty secret: call delete_secret() to remove one")
    store = _store(create=True)
    assert store is not None  # create=True unlocks or raises
    try:
        store.set_password(SERVICE, name, value)
    except _keyring_errors() as exc:
        raise SecretStoreError(
            f"Der Schlüssel „{name}“ konnte nicht im Schlüsselbund gespeichert werden ({exc}). "
            "Ist der Schlüsselbund entsperrt?"
        ) from exc
    log.info("stored secret %s in %s", name, type(store).__name__)


def delete_secret(name: str) -> None:
    """Remove the secret ``name`` from the secret store (nothing happens if it is not there)."""
    store = _os_keyring()
    if store is None:
        path = data_dir() / SECRETS_FILE
        if not path.exists():
            return
        # removing an entry needs no decryption: no master password prompt for it
        store = _cryptfile(path)
    from keyring.errors import PasswordDeleteError

    try:
        store.delete_password(SERVICE, name)
    except PasswordDeleteError:
        return
    except _keyring_errors() as exc:
        raise SecretStoreError(
            f"Der Schlüssel „{name}“ konnte nicht aus dem Schlüsselbund entfernt werden ({exc})."
        ) from exc
    log.info("deleted secret %s from %s", name, type(store).__name__)


def env_var(name: str) -> str:
    """Return the environment variable that may hold the secret ``name``."""
    return ENV_VARS.get(name, f"NIKDESK_{name.upper()}_KEY")


def uses_encrypted_file() -> bool:
    """Tell whether secrets go to the encrypted file (no usable OS keyring here)."""
    return _os_keyring() is None


def _store(create: bool) -> KeyringBackend | None:
    """Return the OS keyring, else the unlocked encrypted file (None: no file, create=False)."""
    backend = _os_keyring()
    if backend is not None:
        return backend
    return _unlocked_file(data_dir() / SECRETS_FILE, create)


def _os_keyring() -> KeyringBackend | None:
    """Return the best real OS keyring backend, or None when there is none."""
    try:
        import keyring
        from keyring.backends.chainer import ChainerBackend
    except ImportError as exc:
        raise MissingExtra("keyring", "cloud", "Storing API keys") from exc
    current = keyring.get_keyring()
    # the default chainer would also try file keyrings (plaintext, or prompting on stdin)
    candidates = current.backends if isinstance(current, ChainerBackend) else [current]
    return next((b for b in candidates if _is_os_keyring(b)), None)


def _is_os_keyring(backend: KeyringBackend) -> bool:
    cls = type(backend)
    if cls.__module__.startswith(_REFUSED_MODULES) or "plaintext" in cls.__name__.lower():
        return False
    try:
        return float(backend.priority) > 0
    except Exception:  # keyring backends signal "not viable here" by raising from priority
        return False


def _unlocked_file(path: Path, create: bool) -> KeyringBackend | None:
    """Return the encrypted file keyring, asking the provider for its password once."""
    with _unlock_lock:
        ring = _unlocked.get(path)
        if ring is not None:
            return ring
        exists = path.exists()
        if not exists and not create:
            return None
        if _provider is None:
            raise NoSecretStore(
                "Kein Schlüsselbund des Systems gefunden und keine Abfrage eines "
                "Master-Passworts möglich – API-Schlüssel können hier nicht sicher gespeichert "
                "werden. Bitte einen Schlüsselbund einrichten (z. B. GNOME Keyring) oder den "
                f"Schlüssel als Umgebungsvariable setzen ({', '.join(ENV_VARS.values())})."
            )
        password = _provider(not exists)
        if not password or not password.strip():
            raise SecretStoreLocked(
                "Der Schlüsseltresor bleibt gesperrt: Es wurde kein Master-Passwort eingegeben."
            )
        ring = _cryptfile(path)
        try:
            ring.keyring_key = password  # opens the file, or creates it with this password
        except ValueError as exc:  # the password reference does not decrypt
            raise WrongMasterPassword(
                "Falsches Master-Passwort – der Schlüsseltresor bleibt gesperrt. "
                "Bitte erneut eingeben."
            ) from exc
        except configparser.Error as exc:
            raise SecretStoreError(
                f"Die Schlüsseldatei {path} ist beschädigt ({exc}). Bitte die Datei umbenennen "
                "und die API-Schlüssel neu eingeben."
            ) from exc
        _unlocked[path] = ring
        return ring


def _cryptfile(path: Path) -> Any:  # keyrings.cryptfile is untyped
    """Return an (unopened) encrypted file keyring at ``path``."""
    try:
        from keyrings.cryptfile.cryptfile import CryptFileKeyring
    except ImportError as exc:
        raise MissingExtra(
            "keyrings.cryptfile", "cloud", "Storing API keys without an OS keyring"
        ) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    ring = CryptFileKeyring()
    ring.file_path = str(path)
    return ring


def _keyring_errors() -> tuple[type[Exception], ...]:
    """Return the keyring error class to catch (none when keyring is not installed)."""
    try:
        from keyring.errors import KeyringError
    except ImportError:
        return ()
    return (KeyringError,)
