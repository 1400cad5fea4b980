"""Secrets go to the OS keyring, else to a master-password encrypted file; never plaintext.

The OS keyring is an in-memory backend here; the encrypted file is the real
``keyrings.cryptfile`` keyring in the test's data dir (Argon2id: ~0.6 s per key derivation).
"""

from __future__ import annotations

import base64
import configparser
import json
import stat
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.backends.chainer import ChainerBackend
from keyrings.cryptfile.file import PlaintextKeyring as CryptfilePlaintextKeyring

from nikdesk.core.paths import data_dir
from nikdesk.storage import secrets
from nikdesk.storage.secrets import (
    SECRETS_FILE,
    SERVICE,
    NoSecretStore,
    SecretStoreLocked,
    WrongMasterPassword,
    delete_secret,
    get_secret,
    set_master_password_provider,
    set_secret,
    uses_encrypted_file,
)
from tests.fakes import memory_keyring_class

KEY = "sk-proj-Wechselrichter-4711"


MemoryKeyring = memory_keyring_class()


class PlaintextKeyring(MemoryKeyring):
    """Named like keyrings.alt's plaintext file keyring: refused by name whatever its module."""


class Passwords:
    """A master password provider for tests: answers from a list, records each request."""

    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.asked: list[bool] = []

    def __call__(self, new: bool) -> str | None:
        self.asked.append(new)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    previous = keyring.get_keyring()
    for var in ("OPENAI_API_KEY", "COHERE_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    yield
    keyring.set_keyring(previous)
    set_master_password_provider(None)
    secrets.lock_secrets()


@pytest.fixture
def memory() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def no_os_keyring() -> None:
    keyring.set_keyring(fail.Keyring())


def files_under_data_dir() -> bytes:
    return b"".join(p.read_bytes() for p in sorted(data_dir().rglob("*")) if p.is_file())


# OS keyring


def test_os_keyring_round_trip(memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not uses_encrypted_file()
    set_secret("openai", KEY)
    assert memory.store == {(SERVICE, "openai"): KEY}
    assert get_secret("openai") == KEY
    assert KEY.encode() not in files_under_data_dir()  # nothing beside the keyring
    delete_secret("openai")
    assert memory.store == {}
    monkeypatch.setenv("OPENAI_API_KEY", "from-env")
    assert get_secret("openai") == "from-env"  # keyring empty: the environment
    delete_secret("openai")  # deleting what is not there is fine


def test_an_empty_secret_is_refused(memory: MemoryKeyring) -> None:
    with pytest.raises(ValueError):
        set_secret("openai", "")


def test_the_chainer_never_picks_a_plaintext_keyring(memory: MemoryKeyring) -> None:
    class Chain(ChainerBackend):
        backends = (CryptfilePlaintextKeyring(), PlaintextKeyring(), memory)  # type: ignore[assignment]

    keyring.set_keyring(Chain())
    set_secret("cohere", KEY)
    assert memory.store == {(SERVICE, "cohere"): KEY}


@pytest.mark.parametrize("plaintext", [CryptfilePlaintextKeyring, PlaintextKeyring])
def test_a_configured_plaintext_keyring_is_refused(plaintext: type[KeyringBackend]) -> None:
    ring = plaintext()
    if isinstance(ring, CryptfilePlaintextKeyring):
        ring.file_path = str(data_dir() / "plaintext.cfg")
    keyring.set_keyring(ring)
    assert uses_encrypted_file()
    set_master_password_provider(Passwords("geheim"))
    set_secret("openai", KEY)
    assert not (data_dir() / "plaintext.cfg").exists()
    if isinstance(ring, MemoryKeyring):
        assert ring.store == {}
    assert (data_dir() / SECRETS_FILE).exists()
    assert KEY.encode() not in files_under_data_dir()


# encrypted file


@pytest.mark.usefixtures("no_os_keyring")
def test_encrypted_file_round_trip_asks_once() -> None:
    passwords = Passwords("Sonnenstrom 2024!")
    set_master_password_provider(passwords)
    set_secret("openai", KEY)
    set_secret("cohere", "co-" + KEY)
    assert get_secret("openai") == KEY and get_secret("cohere") == "co-" + KEY
    assert passwords.asked == [True]  # created once, then unlocked for the process
    secrets.lock_secrets()
    assert get_secret("openai") == KEY
    assert passwords.asked == [True, False]
    path = data_dir() / SECRETS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.usefixtures("no_os_keyring")
def test_the_file_holds_no_secret_in_plaintext_or_base64() -> None:
    set_master_password_provider(Passwords("Sonnenstrom 2024!"))
    set_secret("openai", KEY)
    raw = (data_dir() / SECRETS_FILE).read_text()
    assert KEY not in raw
    # each value is base64 of a JSON object of base64 fields: unpack it all and look inside
    config = configparser.RawConfigParser()
    config.read_string(raw)
    payload = json.loads(base64.b64decode(config.get(SERVICE, "openai")))
    assert set(payload) == {"salt", "data", "mac", "nonce"}  # AES-GCM with its own salt
    unpacked = [base64.b64decode(v) for v in payload.values()]
    assert all(KEY.encode() not in part for part in unpacked)


@pytest.mark.usefixtures("no_os_keyring")
def test_a_wrong_master_password_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    set_master_password_provider(Passwords("richtig"))
    set_secret("openai", KEY)
    secrets.lock_secrets()
    set_master_password_provider(Passwords("falsch"))
    with pytest.raises(WrongMasterPassword, match="Falsches Master-Passwort"):
        get_secret("openai")
    with pytest.raises(WrongMasterPassword):
        set_secret("openai", "overwritten")
    set_master_password_provider(Passwords("richtig"))  # the user tries again
    assert get_secret("openai") == KEY


@pytest.mark.usefixtures("no_os_keyring")
def test_no_keyring_and_no_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(NoSecretStore, match="Kein Schlüsselbund") as err:
        set_secret("openai", KEY)
    assert "OPENAI_API_KEY" in str(err.value)
    assert not (data_dir() / SECRETS_FILE).exists()
    monkeypatch.setenv("OPENAI_API_KEY", "from-env")
    assert get_secret("openai") == "from-env"  # reading never needs a store


@pytest.mark.usefixtures("no_os_keyring")
def test_no_file_yet_means_no_prompt_on_read(monkeypatch: pytest.MonkeyPatch) -> None:
    passwords = Passwords("geheim")
    set_master_password_provider(passwords)
    assert get_secret("openai") is None
    monkeypatch.setenv("OPENAI_API_KEY", "from-env")
    assert get_secret("openai") == "from-env"
    assert passwords.asked == []


@pytest.mark.usefixtures("no_os_keyring")
def test_a_cancelled_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    set_master_password_provider(Passwords(None))
    with pytest.raises(SecretStoreLocked, match="gesperrt"):
        set_secret("openai", KEY)
    set_master_password_provider(Passwords("geheim"))
    set_secret("openai", KEY)
    secrets.lock_secrets()
    set_master_password_provider(Passwords(""))
    monkeypatch.setenv("OPENAI_API_KEY", "from-env")
    assert get_secret("openai") == "from-env"  # still locked: the environment answers


@pytest.mark.usefixtures("no_os_keyring")
def test_delete_from_the_file_needs_no_password() -> None:
    set_master_password_provider(Passwords("geheim"))
    set_secret("openai", KEY)
    secrets.lock_secrets()
    passwords = Passwords("geheim")
    set_master_password_provider(passwords)
    delete_secret("openai")
    delete_secret("openai")
    assert passwords.asked == []
    assert get_secret("openai") is None
