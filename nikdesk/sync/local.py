"""The laptop store's side of the sync: outbox -> wire changes, pulled changes -> rows.

Pulled rows are written straight into the tables (never through the outbox: nothing echoes
back). A session field with a local change still waiting in the outbox keeps the local value:
that change reaches the server later and, in server order, wins. ``sync_state`` (cursor, last
sync, last error) lives in the same store, so a page and its cursor commit together.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlite_utils
from sqlite_migrate import Migrations

from nikdesk.core.sync import (
    SESSION_FIELDS,
    Change,
    FeedbackRow,
    HandoffRow,
    MessageRow,
    PulledChange,
    SessionRow,
)
from nikdesk.storage.chat_search import index_text
from nikdesk.storage.db import now_iso

migrations = Migrations("nikdesk-sync")
PENDING, SENT, PARKED = 0, 1, 2
LOCAL_ONLY = ("paused_runs",)  # resumed on the device that paused them
_PHOTO_NS = uuid.UUID("0c9b2f5e-3d41-4a57-9a3e-5f6b7c8d9e01")
_SUFFIX = {"image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}


@migrations()
def m001_sync_state(db: sqlite_utils.Database) -> None:
    """Create the key/value state of the sync (cursor, last sync time, last error)."""
    db.table("sync_state").create({"key": str, "value": str}, pk="key")


def prepare(db: sqlite_utils.Database) -> None:
    """Apply the sync's migrations to an (already migrated) store."""
    migrations.apply(db)


def get_state(db: sqlite_utils.Database, key: str, default: str = "") -> str:
    for row in db.query("SELECT value FROM sync_state WHERE key = ?", [key]):
        return str(row["value"])
    return default


def set_state(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", [key, value])


def pending_count(db: sqlite_utils.Database) -> int:
    """Return how many outbox changes still wait for the server (not the local-only ones)."""
    sql = (
        "SELECT count(*) AS n FROM outbox WHERE sent = 0 AND table_name != 'paused_runs' "
        "AND NOT (table_name = 'sessions' AND fields = '[]')"
    )
    return int(next(db.query(sql))["n"])


def parked_count(db: sqlite_utils.Database) -> int:
    return int(next(db.query("SELECT count(*) AS n FROM outbox WHERE sent = 2"))["n"])


# -- outbox -> wire ------------------------------------------------------------------------


def pending_entries(db: sqlite_utils.Database, limit: int) -> list[dict[str, Any]]:
    """Return the oldest pending outbox rows, in order."""
    return list(db.query("SELECT * FROM outbox WHERE sent = 0 ORDER BY seq LIMIT ?", [limit]))


def to_change(entry: dict[str, Any]) -> Change | None:
    """Return the wire change of an outbox row, or None when nothing needs sending."""
    table = entry["table_name"]
    if table in LOCAL_ONLY:
        return None
    fields = json.loads(entry["fields"]) if entry.get("fields") else None
    if table == "sessions" and fields == []:
        return None  # only ``updated`` moved (a new message): nothing to merge
    payload = json.loads(entry["payload"])
    row: dict[str, Any]
    if table == "sessions":
        row = SessionRow.model_validate(payload).model_dump()
    elif table == "messages":
        row = {**payload, "sources": _json_list(payload.get("sources"))}
        row.pop("photos", None)
    elif table == "handoffs":
        record = _json_dict(payload.get("record"))
        row = {**payload, "question": str(record.get("question") or "")}
        row.pop("record", None)
    else:
        row = payload
    return Change(
        seq=entry["seq"],
        table=table,
        op=entry["op"],
        row_id=entry["row_id"],
        fields=fields,
        row=row,
    )


def drop_undone_deletes(changes: list[Change]) -> list[Change]:
    """Drop a session delete that was undone before it was ever sent (and its undo).

    Server-side a tombstone is final; a delete the technician took back (the undo button)
    before the sync must therefore never reach the server.
    """
    last_deleted: dict[str, bool] = {}
    for change in changes:
        if change.table == "sessions" and "deleted" in (change.fields or SESSION_FIELDS):
            last_deleted[change.row_id] = bool(change.row.get("deleted"))
    out = []
    for change in changes:
        if (
            change.table == "sessions"
            and change.fields is not None
            and "deleted" in change.fields
            and last_deleted.get(change.row_id) is False
        ):
            fields = [f for f in change.fields if f != "deleted"]
            change = change.model_copy(update={"fields": fields})
        out.append(change)
    return out


def mark(db: sqlite_utils.Database, seqs: list[int], state: int) -> None:
    """Set ``sent`` of outbox rows (inside the caller's transaction)."""
    for start in range(0, len(seqs), 500):
        batch = seqs[start : start + 500]
        marks = ",".join("?" * len(batch))
        db.execute(f"UPDATE outbox SET sent = ? WHERE seq IN ({marks})", [state, *batch])


# -- wire -> rows ----------------------------------------------------------------------------


def apply_page(db: sqlite_utils.Database, changes: list[PulledChange]) -> int:
    """Write pulled rows into the store (inside the caller's transaction); return rows changed."""
    applied = 0
    for change in changes:
        handler = _APPLY.get(change.table)
        if handler is not None:
            applied += handler(db, change.row)
    return applied


def _pending_fields(db: sqlite_utils.Database, table: str, row_id: str) -> set[str]:
    found: set[str] = set()
    for row in db.query(
        "SELECT fields FROM outbox WHERE table_name = ? AND row_id = ? AND sent = 0",
        [table, row_id],
    ):
        if row["fields"] is None:
            return {"*"}
        found.update(json.loads(row["fields"]))
    return found


def _apply_session(db: sqlite_utils.Database, raw: dict[str, Any]) -> int:
    row = SessionRow.model_validate(raw)
    local = next(iter(db.table("sessions").rows_where("id = ?", [row.id], limit=1)), None)
    if local is None:
        db.table("sessions").insert(
            {
                "id": row.id,
                "title": row.title,
                "pinned": int(row.pinned),
                "deleted": int(row.deleted),
                "created": row.created or now_iso(),
                "updated": row.updated or now_iso(),
            }
        )
        index_text(db, row.id, row.id, "title", row.title)
        return 1
    pending = _pending_fields(db, "sessions", row.id)
    changes: dict[str, Any] = {}
    for name in SESSION_FIELDS:
        if name in pending or "*" in pending:
            continue
        value = getattr(row, name)
        value = int(value) if isinstance(value, bool) else value
        if local[name] != value:
            changes[name] = value
    if row.deleted:
        changes["deleted"] = 1  # a tombstone wins over a pending local change
    if not changes:
        return 0
    changes["updated"] = max(local["updated"], row.updated or "")
    db.table("sessions").update(row.id, changes)
    if "title" in changes:
        index_text(db, row.id, row.id, "title", changes["title"])
    return 1


def _apply_message(db: sqlite_utils.Database, raw: dict[str, Any]) -> int:
    row = MessageRow.model_validate(raw)
    changed = 0
    if not any(db.query("SELECT 1 FROM messages WHERE id = ?", [row.id])):
        created = row.created or now_iso()
        db.table("messages").insert(
            {
                "id": row.id,
                "session_id": row.session_id,
                "role": row.role,
                "text": row.text,
                "provider": row.provider or "",
                "outcome": row.outcome or "",
                "sources": json.dumps(row.sources, ensure_ascii=False),
                "run_id": row.run_id,
                "created": created,
                "updated": created,
                "deleted": 0,
            }
        )
        index_text(db, row.id, row.session_id, "message", row.text)
        db.execute(
            "UPDATE sessions SET updated = max(updated, ?) WHERE id = ?", [created, row.session_id]
        )
        changed = 1
    for photo in row.photos:
        if any(
            db.query(
                "SELECT 1 FROM attachments WHERE message_id = ? AND sha256 = ?",
                [row.id, photo.sha256],
            )
        ):
            continue
        now = now_iso()
        db.table("attachments").insert(
            {
                "id": str(uuid.uuid5(_PHOTO_NS, f"{row.id}:{photo.sha256}")),
                "message_id": row.id,
                "sha256": photo.sha256,
                # fetched from the server when first shown (sync.engine.fetch_photo)
                "path": f"attachments/{photo.sha256}{_SUFFIX.get(photo.mime, '.jpg')}",
                "mime": photo.mime,
                "created": now,
                "updated": now,
                "deleted": 0,
            }
        )
        changed = 1
    return changed


def _apply_feedback(db: sqlite_utils.Database, raw: dict[str, Any]) -> int:
    row = FeedbackRow.model_validate(raw)
    if _pending_fields(db, "feedback", row.id):
        return 0
    db.table("feedback").upsert(
        {
            "id": row.id,
            "message_id": row.message_id,
            "rating": row.rating if row.rating else -1,
            "comment": row.comment,
            "created": row.created or now_iso(),
            "updated": now_iso(),
            "deleted": int(row.deleted or row.rating == 0),
        },
        pk="id",
    )
    return 1


def _apply_handoff(db: sqlite_utils.Database, raw: dict[str, Any]) -> int:
    row = HandoffRow.model_validate(raw)
    if _pending_fields(db, "handoffs", row.id):
        return 0
    local = next(iter(db.table("handoffs").rows_where("id = ?", [row.id], limit=1)), None)
    record = _json_dict(local["record"]) if local else {"question": row.question}
    if row.support_answer:
        record["support_answer"] = row.support_answer
    now = now_iso()
    status = row.status
    if local is not None and status == "requested" and local["status"] == "sent":
        status = "sent"
    db.table("handoffs").upsert(
        {
            "id": row.id,
            "session_id": row.session_id,
            "run_id": (local or {}).get("run_id") or row.run_id,
            "status": status,
            "reason": (local or {}).get("reason") or "",
            "record": json.dumps(record, ensure_ascii=False),
            "created": (local or {}).get("created") or now,
            "updated": now,
            "deleted": 0,
        },
        pk="id",
    )
    return 1


_APPLY = {
    "sessions": _apply_session,
    "messages": _apply_message,
    "feedback": _apply_feedback,
    "handoffs": _apply_handoff,
}


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    try:
        parsed = json.loads(value or "[]")
    except (TypeError, ValueError):
        return []
    return parsed if isinstance(parsed, list) else []


def _json_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value or "{}")
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}
