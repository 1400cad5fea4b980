"""Accounts on this laptop: sign-in, offline unlock, one local store per account, sign-out.

Each account has a folder ``NIKDESK_HOME/accounts/<user id>/`` holding its store (SQLite)
and ``account.json`` (email, name, server, this laptop's device id for the account, and the
offline-unlock verifier: an Argon2id hash made by ``argon2-cffi`` — never the password).
The refresh token goes to the secret store only (:mod:`nikdesk.storage.secrets`).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nikdesk.core.errors import NikDeskError
from nikdesk.storage.profiles import (
    account_dir,
    accounts_dir,
    current_account,
    set_current_account,
)
from nikdesk.sync.client import ServerApi, Tokens
from nikdesk.sync.errors import AccountError, NoAccount, SyncOffline

ACCOUNT_FILE = "account.json"


@dataclass(frozen=True)
class Account:
    """One account known on this laptop."""

    id: str
    email: str
    name: str
    server: str
    device_id: str
    verifier: str  # Argon2id hash of the password (offline unlock)

    @property
    def folder(self) -> Path:
        return account_dir(self.id)

    def api(self) -> ServerApi:
        """Return a client of this account's server with its tokens."""
        return ServerApi(self.server, Tokens(self.id))


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # Argon2id, library defaults (RFC 9106 low-memory profile)


def _save(account: Account) -> None:
    account.folder.mkdir(parents=True, exist_ok=True)
    target = account.folder / ACCOUNT_FILE
    tmp = target.with_name(f".{ACCOUNT_FILE}.{os.getpid()}")
    tmp.write_text(json.dumps(asdict(account), indent=1), encoding="utf-8")
    os.replace(tmp, target)


def load(account_id: str) -> Account | None:
    """Return the account ``account_id`` known on this laptop, or None."""
    try:
        raw = json.loads((account_dir(account_id) / ACCOUNT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Account(**raw)


def known() -> list[Account]:
    """Return every account that has a store on this laptop."""
    base = accounts_dir()
    if not base.is_dir():
        return []
    found = (load(p.name) for p in sorted(base.iterdir()) if p.is_dir())
    return [a for a in found if a is not None]


def find(server: str, email: str) -> Account | None:
    """Return the known account of ``email`` on ``server``."""
    server, email = server.rstrip("/"), email.strip().lower()
    return next((a for a in known() if a.server == server and a.email == email), None)


def current() -> Account:
    """Return the signed-in account or raise :class:`NoAccount`."""
    account_id = current_account()
    account = load(account_id) if account_id else None
    if account is None:
        raise NoAccount()
    return account


def current_or_none() -> Account | None:
    try:
        return current()
    except NoAccount:
        return None


def register(server: str, email: str, name: str, password: str) -> None:
    """Create the account on the server; the server mails the 8-digit code."""
    with ServerApi(server) as api:
        api.register(email.strip(), password, name.strip())


def verify(server: str, email: str, code: str) -> None:
    """Confirm the email with the code from the mail."""
    with ServerApi(server) as api:
        api.verify(email.strip(), code)


def login(server: str, email: str, password: str, device_name: str = "") -> Account:
    """Sign in online (or unlock offline when the server is unreachable); make it current.

    Online: the server checks the password, the tokens go to the keyring, the offline
    verifier is refreshed. Offline: the password is checked against the local verifier of an
    account that signed in here before; syncing waits until the server is reachable.
    """
    server, email = server.rstrip("/"), email.strip().lower()
    previous = find(server, email)
    device_id = previous.device_id if previous else str(uuid.uuid4())
    try:
        with ServerApi(server) as api:
            pair = api.login(email, password, device_id, device_name or platform.node())
            me = api.me(str(pair["access_token"]))
    except SyncOffline:
        if previous is None:
            raise
        return unlock(previous, password)
    account = Account(
        id=str(me["id"]),
        email=email,
        name=str(me.get("display_name", "")),
        server=server,
        device_id=device_id,
        verifier=_hasher().hash(password),
    )
    Tokens(account.id).save(pair)
    _save(account)
    set_current_account(account.id)
    return account


def unlock(account: Account, password: str) -> Account:
    """Open ``account`` without the server, checked against the local slow-KDF verifier."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        _hasher().verify(account.verifier, password)
    except (VerificationError, InvalidHashError):
        raise AccountError("Passwort falsch (Anmeldung ohne Verbindung zum Server).") from None
    set_current_account(account.id)
    return account


def logout(wipe: bool = False) -> Account:
    """Sign the current account out; ``wipe`` also removes its local data from this laptop.

    Without ``wipe`` the store stays, so nothing unsynced is lost: the next sign-in resumes.
    """
    account = current()
    tokens = Tokens(account.id)
    try:
        with account.api() as api:
            api.logout()
    except NikDeskError:  # offline or already revoked: signing out locally still works
        pass
    tokens.forget()
    set_current_account(None)
    if wipe:
        shutil.rmtree(account.folder, ignore_errors=True)
    return account
