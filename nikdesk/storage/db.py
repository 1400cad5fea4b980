"""The local SQLite store (sqlite-utils) and its named migrations.

One database file in the user data dir (``NIKDESK_HOME`` overrides it). Every schema change
is a named migration applied once, in order, in its own transaction (sqlite-migrate).
Rows carry client-generated UUIDs, ``updated`` timestamps and a ``deleted`` flag so a later
two-way sync can merge them.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_migrate import Migrations

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


def put_with_outbox(
    db: sqlite_utils.Database,
    table: str,
    row: dict[str, Any],
    op: str,
    pk: str = "id",
    fields: list[str] | None = None,
) -> None:
    """Write the whole row and append it to the outbox (call inside ``write_transaction``).

    Every synced table goes through here: chats, messages, attachments, feedback, paused runs
    and hand-offs, so the sync sends what the UI promised ("geht mit dem nächsten Sync").
    ``fields`` names the fields this change set (None: all of them); the sync merges session
    fields one by one, so a rename never undoes another device's pin.
    """
    db.table(table).upsert(row, pk=pk)
    db.table("outbox").insert(
        {
            "table_name": table,
            "row_id": row[pk],
            "op": op,
            "payload": json.dumps(row, ensure_ascii=False),
            "created": row["updated"],
            "sent": 0,
            "fields": None if fields is None else json.dumps(fields),
        }
    )


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run a read-then-write block holding SQLite's write lock from the start.

    A plain (deferred) BEGIN reads a snapshot first; if another connection (the agent worker)
    commits meanwhile, the later write fails at once with "database is locked" — busy_timeout
    does not help there. BEGIN IMMEDIATE waits for the lock up front instead.
    """
    if db.conn.in_transaction:
        with db.atomic():  # nested: a savepoint inside the caller's transaction
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.execute("COMMIT")


def now_iso() -> str:
    """Return the current UTC time as ISO 8601 (what every ``updated`` column holds)."""
    return (datetime.now(UTC) + clock_skew()).isoformat(timespec="milliseconds")


def clock_skew() -> timedelta:
    """Return how far this laptop's clock is off (``NIKDESK_CLOCK_SKEW`` seconds; tests).

    The sync never orders anything by these stamps; the fault tests prove it by running
    laptops a day ahead and a day behind.
    """
    try:
        return timedelta(seconds=float(os.environ.get("NIKDESK_CLOCK_SKEW", "0") or 0))
    except ValueError:
        return timedelta(0)


def open_db(path: Path | None = None) -> sqlite_utils.Database:
    """Open (and migrate) the local store; safe to call from several threads."""
    if path is None:
        from nikdesk.storage.profiles import active_store_path

        path = active_store_path(DB_NAME)
    # one connection may serve the UI thread and the agent worker (guarded by SQLite's locks)
    db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=5000")
    with _lock:
        migrations.apply(db)
    return db


@migrations()
def m002_chats(db: sqlite_utils.Database) -> None:
    """Create chat sessions, messages, attachments, feedback, their search text and the outbox.

    The four synced tables carry client UUIDs, ``updated`` and ``deleted``; every change to
    them appends an ``outbox`` row in the same transaction (the later sync sends these in
    ``seq`` order). ``chat_search`` is local and derived (folded text, rebuildable), never synced.
    No foreign keys: a sync may deliver a message before its session.
    """
    db.table("sessions").create(
        {
            "id": str,
            "title": str,
            "pinned": int,
            "deleted": int,
            "created": str,
            "updated": str,
        },
        pk="id",
        not_null={"title", "pinned", "deleted", "created", "updated"},
        defaults={"pinned": 0, "deleted": 0},
    )
    # the sidebar: live sessions, pinned first, newest first
    db.table("sessions").create_index(["deleted", "pinned", "updated"])
    db.table("messages").create(
        {
            "id": str,
            "session_id": str,
            "role": str,  # user | assistant
            "text": str,
            "provider": str,
            "outcome": str,
            "sources": str,  # JSON list of Source fields
            "run_id": str,
            "created": str,
            "updated": str,
            "deleted": int,
        },
        pk="id",
        not_null={"session_id", "role", "text", "created", "updated", "deleted"},
        defaults={"deleted": 0, "sources": "[]"},
    )
    db.table("messages").create_index(["session_id", "created"])
    db.table("messages").create_index(["updated"])
    db.table("attachments").create(
        {
            "id": str,
            "message_id": str,
            "sha256": str,
            "path": str,  # relative to the data dir: attachments/<sha256><suffix>
            "mime": str,
            "created": str,
            "updated": str,
            "deleted": int,
        },
        pk="id",
        not_null={"message_id", "sha256", "path", "mime", "created", "updated", "deleted"},
        defaults={"deleted": 0},
    )
    db.table("attachments").create_index(["message_id"])
    db.table("attachments").create_index(["sha256"])
    db.table("feedback").create(
        {
            "id": str,
            "message_id": str,
            "rating": int,  # +1 | -1
            "comment": str,
            "created": str,
            "updated": str,
            "deleted": int,
        },
        pk="id",
        not_null={"message_id", "rating", "created", "updated", "deleted"},
        defaults={"deleted": 0, "comment": ""},
    )
    # one feedback per answer (its id is derived from the message id, so devices agree)
    db.table("feedback").create_index(["message_id"], unique=True)
    # sqlite-utils cannot declare AUTOINCREMENT: seq must never be reused after sent rows
    # are purged, or the server could mistake a new change for one it has already applied
    db.execute(
        """
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
            payload TEXT NOT NULL,
            created TEXT NOT NULL,
            sent INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.table("outbox").create_index(["sent", "seq"])
    # folded (ä->ae, ß->ss, lower-case) title/message text for the sidebar search
    db.table("chat_search").create(
        {"row_id": str, "session_id": str, "kind": str, "text": str},
        pk="row_id",
        not_null={"session_id", "kind", "text"},
    )
    db.table("chat_search").create_index(["session_id"])


@migrations()
def m003_outbox_fields(db: sqlite_utils.Database) -> None:
    """Record which fields an outbox change set (NULL: all) and index the sync's lookups.

    ``sent``: 0 pending, 1 delivered, 2 parked (the server refused the row; kept for support).
    """
    db.execute("ALTER TABLE outbox ADD COLUMN fields TEXT")
    db.table("outbox").create_index(["table_name", "row_id", "sent"])
