"""The local SQLite store (sqlite-utils) and its named migrations.

One database file in the user data dir (``NIKDESK_HOME`` overrides it). Every schema change
is a named migration applied once, in order, in its own transaction (sqlite-migrate).
Rows carry client-generated UUIDs, ``updated`` timestamps and a ``deleted`` flag so a later
two-way sync can merge them.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from sqlite_migrate import Migrations

from nikdesk.paths import data_dir

DB_NAME = "nikdesk.db"
migrations = Migrations("nikdesk")
_lock = threading.Lock()


@migrations()
def m001_agent_runs(db: sqlite_utils.Database) -> None:
    """Create paused agent runs (clarification resume) and support hand-offs."""
    db.table("paused_runs").create(
        {
            "run_id": str,
            "session_id": str,
            "question": str,
            "state": str,  # JSON: the whole run state
            "created": str,
            "updated": str,
            "deleted": int,
        },
        pk="run_id",
    )
    db.table("paused_runs").create_index(["session_id"])
    db.table("handoffs").create(
        {
            "id": str,
            "session_id": str,
            "run_id": str,
            "status": str,  # offered | requested | sent
            "reason": str,
            "record": str,  # JSON: question, history, answer, sources, photos
            "created": str,
            "updated": str,
            "deleted": int,
        },
        pk="id",
    )


def now_iso() -> str:
    """Return the current UTC time as ISO 8601 (what every ``updated`` column holds)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def open_db(path: Path | None = None) -> sqlite_utils.Database:
    """Open (and migrate) the local store; safe to call from several threads."""
    path = path or data_dir() / DB_NAME
    # one connection may serve the UI thread and the agent worker (guarded by SQLite's locks)
    db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=5000")
    with _lock:
        migrations.apply(db)
    return db
