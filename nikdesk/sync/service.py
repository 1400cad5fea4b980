"""Open the signed-in account's store and sync engine (what the CLI and the app call)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nikdesk.storage.db import open_db
from nikdesk.sync import accounts
from nikdesk.sync.engine import SyncEngine, SyncReport


@contextmanager
def current_engine() -> Iterator[SyncEngine]:
    """Yield the sync engine of the current account (raise NoAccount when none)."""
    account = accounts.current()
    db = open_db()  # the current account's store (storage.profiles)
    api = account.api()
    try:
        yield SyncEngine(db, api, account.device_id)
    finally:
        api.close()
        db.close()


def sync_now() -> SyncReport:
    """Run one sync round for the current account."""
    with current_engine() as engine:
        return engine.run()
