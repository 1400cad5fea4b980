"""Chat sessions, messages, photo attachments and answer feedback in the local store.

Every change to a synced table (sessions, messages, attachments, feedback) writes the whole
row and appends it to the ``outbox`` in one transaction, so a later two-way sync can send the
changes in order and merge rows by ``updated`` (last writer wins). Deletes are soft.

The values handed out live in :mod:`nikdesk.storage.chat_records`, the photo files in
:mod:`nikdesk.storage.photos`, the sidebar's folded search in :mod:`nikdesk.storage.chat_search`;
all of them stay importable from here.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from nikdesk.core.events import Source
from nikdesk.storage.chat_records import (
    Attachment,
    ChatNotFound,
    Feedback,
    Message,
    OutboxEntry,
    Session,
    attachment_from_row,
    feedback_from_row,
    message_from_row,
    session_from_row,
)
from nikdesk.storage.chat_search import index_text, rebuild_index, session_filter
from nikdesk.storage.db import clock_skew, open_db, put_with_outbox, write_transaction
from nikdesk.storage.photos import ATTACHMENTS_DIR, store_photo

__all__ = [
    "ATTACHMENTS_DIR",
    "DEFAULT_TITLE",
    "ROLES",
    "TITLE_CHARS",
    "Attachment",
    "ChatNotFound",
    "ChatStore",
    "Feedback",
    "Message",
    "OutboxEntry",
    "Session",
    "short_title",
]

DEFAULT_TITLE = "Neue Unterhaltung"
TITLE_CHARS = 60
ROLES = ("user", "assistant")
# feedback ids derive from the message id: two devices rating one answer write the same row
_FEEDBACK_NAMESPACE = uuid.UUID("5b0f1d0e-7c1a-4b8e-9a61-3f0c2d9e4a10")


class ChatStore:
    """Keep sessions, messages, attachments and feedback; record every change for the sync."""

    def __init__(self, db: sqlite_utils.Database | None = None) -> None:
        self.db = db if db is not None else open_db()
        # one connection serves the UI thread and workers: serialise our transactions on it
        self._write = threading.RLock()
        self._last_stamp: datetime | None = None

    # sessions

    def create_session(self, title: str = DEFAULT_TITLE) -> Session:
        """Start a conversation and return it."""
        with self._write, write_transaction(self.db):
            now, session_id = self._stamp(), str(uuid.uuid4())
            row: dict[str, Any] = {
                "id": session_id,
                "title": _clean_title(title),
                "pinned": 0,
                "deleted": 0,
                "created": now,
                "updated": now,
            }
            self._put("sessions", row, "insert")
            self._index(session_id, session_id, "title", row["title"])
        return session_from_row(row)

    def session(self, session_id: str) -> Session:
        """Return one session (also a deleted one), or raise :class:`ChatNotFound`."""
        return session_from_row(self._row("sessions", session_id))

    def sessions(self, query: str = "", include_deleted: bool = False) -> list[Session]:
        """Return sessions, pinned first, then the most recently updated first.

        ``query`` keeps sessions whose title or any message contains every word of it,
        compared folded (case, umlauts, ß, accents).
        """
        where: list[str] = [] if include_deleted else ["deleted = 0"]
        search, args = session_filter(query)
        where += search
        sql = "SELECT * FROM sessions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY pinned DESC, updated DESC, rowid DESC"
        return [session_from_row(row) for row in self.db.query(sql, args)]

    def rename(self, session_id: str, title: str) -> Session:
        """Give a session a new title (an empty one restores the default)."""
        return self._change_session(session_id, {"title": _clean_title(title)})

    def pin(self, session_id: str, pinned: bool = True) -> Session:
        """Pin a session to the top of the sidebar, or unpin it."""
        return self._change_session(session_id, {"pinned": int(pinned)})

    def delete(self, session_id: str) -> Session:
        """Hide a session (soft delete: :meth:`undelete` brings it back, the sync sees it)."""
        return self._change_session(session_id, {"deleted": 1}, op="delete")

    def undelete(self, session_id: str) -> Session:
        """Bring back a deleted session (the undo of :meth:`delete`)."""
        return self._change_session(session_id, {"deleted": 0})

    def _change_session(
        self, session_id: str, changes: dict[str, Any], op: str = "update"
    ) -> Session:
        with self._write, write_transaction(self.db):
            row = {**self._row("sessions", session_id), **changes, "updated": self._stamp()}
            self._put("sessions", row, op, fields=list(changes))
            if "title" in changes:
                self._index(session_id, session_id, "title", row["title"])
        return session_from_row(row)

    # messages

    def add_message(
        self,
        session_id: str,
        role: str,
        text: str,
        provider: str = "",
        outcome: str = "",
        sources: tuple[Source, ...] = (),
        run_id: str | None = None,
    ) -> Message:
        """Append a message to a session and return it.

        The session moves to the top (its ``updated`` is touched); the first user message
        titles a session that still has the default title.
        """
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        with self._write, write_transaction(self.db):
            session = self._row("sessions", session_id)
            now, message_id = self._stamp(), str(uuid.uuid4())
            row: dict[str, Any] = {
                "id": message_id,
                "session_id": session_id,
                "role": role,
                "text": text,
                "provider": provider,
                "outcome": outcome,
                "sources": json.dumps([asdict(s) for s in sources], ensure_ascii=False),
                "run_id": run_id,
                "created": now,
                "updated": now,
                "deleted": 0,
            }
            self._put("messages", row, "insert")
            self._index(message_id, session_id, "message", text)
            session["updated"] = now
            changed: list[str] = []
            if role == "user" and session["title"] == DEFAULT_TITLE and text.strip():
                session["title"] = short_title(text)
                self._index(session_id, session_id, "title", session["title"])
                changed.append("title")
            self._put("sessions", session, "update", fields=changed)
        return message_from_row(row)

    def messages(self, session_id: str) -> list[Message]:
        """Return a session's messages, oldest first."""
        rows = self.db.query(
            "SELECT * FROM messages WHERE session_id = ? AND deleted = 0 ORDER BY created, rowid",
            [session_id],
        )
        return [message_from_row(row) for row in rows]

    # attachments

    def attach(self, message_id: str, path: Path | str) -> Attachment:
        """Copy a photo into the data dir (once per content hash) and attach it to a message.

        Raise :class:`~nikdesk.core.errors.BadImage` (German reason) for a missing, unreadable,
        empty or non-image file, :class:`ChatNotFound` for an unknown message.
        """
        photo = store_photo(Path(path))
        with self._write, write_transaction(self.db):
            self._row("messages", message_id)
            for existing in self.db.table("attachments").rows_where(
                "message_id = ? AND sha256 = ? AND deleted = 0", [message_id, photo.sha256], limit=1
            ):
                return attachment_from_row(existing)  # the same photo twice on one message: once
            now = self._stamp()
            row = {
                "id": str(uuid.uuid4()),
                "message_id": message_id,
                "sha256": photo.sha256,
                "path": photo.path,
                "mime": photo.mime,
                "created": now,
                "updated": now,
                "deleted": 0,
            }
            self._put("attachments", row, "insert")
        return attachment_from_row(row)

    def attachments(self, message_id: str) -> list[Attachment]:
        """Return a message's photos in the order they were attached."""
        rows = self.db.table("attachments").rows_where(
            "message_id = ? AND deleted = 0", [message_id], order_by="created, rowid"
        )
        return [attachment_from_row(row) for row in rows]

    # feedback

    def set_feedback(self, message_id: str, rating: int, comment: str = "") -> Feedback:
        """Rate an answer +1 or -1; rating it again replaces the earlier feedback."""
        if rating not in (1, -1):
            raise ValueError(f"rating must be +1 or -1, not {rating!r}")
        feedback_id = str(uuid.uuid5(_FEEDBACK_NAMESPACE, message_id))
        with self._write, write_transaction(self.db):
            if self._row("messages", message_id)["role"] != "assistant":
                raise ValueError("feedback is for answers (assistant messages) only")
            now = self._stamp()
            changes = {"rating": rating, "comment": comment, "updated": now, "deleted": 0}
            try:
                row = {**self._row("feedback", feedback_id), **changes}
                op = "update"
            except ChatNotFound:
                row = {"id": feedback_id, "message_id": message_id, "created": now, **changes}
                op = "insert"
            self._put("feedback", row, op)
        return feedback_from_row(row)

    def clear_feedback(self, message_id: str) -> None:
        """Withdraw the feedback on an answer (soft delete), if there is any."""
        feedback_id = str(uuid.uuid5(_FEEDBACK_NAMESPACE, message_id))
        with self._write, write_transaction(self.db):
            try:
                row = self._row("feedback", feedback_id)
            except ChatNotFound:
                return
            if not row["deleted"]:
                self._put("feedback", {**row, "deleted": 1, "updated": self._stamp()}, "delete")

    def feedback(self, message_id: str) -> Feedback | None:
        """Return the current feedback on an answer, if any."""
        feedback_id = str(uuid.uuid5(_FEEDBACK_NAMESPACE, message_id))
        try:
            row = self._row("feedback", feedback_id)
        except ChatNotFound:
            return None
        return None if row["deleted"] else feedback_from_row(row)

    # outbox

    def pending_outbox(self, limit: int = 100) -> list[OutboxEntry]:
        """Return the oldest changes not yet sent, in the order they happened."""
        rows = self.db.query("SELECT * FROM outbox WHERE sent = 0 ORDER BY seq LIMIT ?", [limit])
        return [
            OutboxEntry(
                seq=row["seq"],
                table_name=row["table_name"],
                row_id=row["row_id"],
                op=row["op"],
                payload=json.loads(row["payload"]),
                created=row["created"],
            )
            for row in rows
        ]

    def mark_sent(self, seqs: Iterable[int]) -> None:
        """Mark outbox entries as delivered to the server."""
        seqs = list(seqs)
        with self._write, write_transaction(self.db):
            for start in range(0, len(seqs), 500):  # stay under SQLite's variable limit
                batch = seqs[start : start + 500]
                marks = ",".join("?" * len(batch))
                self.db.execute(f"UPDATE outbox SET sent = 1 WHERE seq IN ({marks})", batch)

    # search index

    def rebuild_search(self) -> None:
        """Recompute the folded search text of every title and message (e.g. after a sync)."""
        with self._write, write_transaction(self.db):
            rebuild_index(self.db)

    # internals

    def _stamp(self) -> str:
        """Return a UTC ISO timestamp, strictly increasing within this store.

        Two changes in the same millisecond still sort in the order they happened, which the
        sidebar order and a last-writer-wins merge both rely on.
        """
        now = datetime.now(UTC) + clock_skew()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # what is stored
        if self._last_stamp is not None and now <= self._last_stamp:
            now = self._last_stamp + timedelta(milliseconds=1)
        self._last_stamp = now
        return now.isoformat(timespec="milliseconds")

    def _row(self, table: str, row_id: str) -> dict[str, Any]:
        for row in self.db.table(table).rows_where("id = ?", [row_id], limit=1):
            return row
        what = {"sessions": "Unterhaltung", "messages": "Nachricht"}.get(table, "Eintrag")
        raise ChatNotFound(
            f"{what} {row_id} gibt es nicht (mehr) – sie wurde endgültig gelöscht "
            "oder stammt von einem anderen Gerät."
        )

    def _put(
        self, table: str, row: dict[str, Any], op: str, fields: list[str] | None = None
    ) -> None:
        """Write the whole row and record it in the outbox (inside the caller's transaction)."""
        put_with_outbox(self.db, table, row, op, fields=fields)

    def _index(self, row_id: str, session_id: str, kind: str, text: str) -> None:
        index_text(self.db, row_id, session_id, kind, text)


def short_title(text: str, limit: int = TITLE_CHARS) -> str:
    """Return ``text`` on one line, cut at a word boundary to at most ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–") + "…"


def _clean_title(title: str) -> str:
    return " ".join(title.split()) or DEFAULT_TITLE
