"""Which local store is open: one per signed-in account on a shared laptop.

``NIKDESK_HOME/accounts/current`` names the active account; its store lives in
``NIKDESK_HOME/accounts/<account id>/``. Without an account the store is the data dir itself
(the app used offline, never signed in). The manuals index is shared by all accounts.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from nikdesk.core.paths import data_dir

ACCOUNTS_DIR = "accounts"
CURRENT_FILE = "current"
_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def accounts_dir() -> Path:
    """Return where the per-account stores live."""
    return data_dir() / ACCOUNTS_DIR


def account_dir(account_id: str) -> Path:
    """Return the store folder of one account (validated id: no path tricks)."""
    if not _ID.match(account_id):
        raise ValueError(f"bad account id {account_id!r}")
    return accounts_dir() / account_id


def current_account() -> str | None:
    """Return the id of the active account, or None (no one signed in on this laptop)."""
    try:
        value = (accounts_dir() / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return value if _ID.match(value) else None


def set_current_account(account_id: str | None) -> None:
    """Make ``account_id`` the active account (None: none), atomically."""
    target = accounts_dir() / CURRENT_FILE
    if account_id is None:
        target.unlink(missing_ok=True)
        return
    account_dir(account_id).mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{CURRENT_FILE}.{os.getpid()}")
    tmp.write_text(account_id, encoding="utf-8")
    os.replace(tmp, target)


def active_store_path(name: str) -> Path:
    """Return the database file ``name`` of the active account (or of the data dir)."""
    account = current_account()
    folder = account_dir(account) if account else data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
