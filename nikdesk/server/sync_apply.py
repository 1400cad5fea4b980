"""Apply one pushed change to the server tables (the merge rules of issue 10).

- sessions: title / pinned / deleted merge one field at a time in the order the server receives
  the changes (never by laptop clocks); a deleted session is a tombstone that no later change
  brings back. Every applied session change bumps the version, so every device — the sender
  too — pulls the authoritative state.
- messages: append-only; a message that exists already is left alone (idempotent).
- attachments: the photo must have been uploaded (hash verified) before the row; it joins the
  message's photo list.
- feedback: one row per answer (id derived from the message id); rating 0 = withdrawn.
- handoffs: created or moved forward (offered -> requested); support's statuses are never undone.
- paused_runs: a paused run is resumed on the device that paused it; accepted, not stored.

A change the server cannot accept raises :class:`RowRejected` (the caller parks it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from nikdesk.core.sync import (
    SESSION_FIELDS,
    AttachmentRow,
    Change,
    FeedbackRow,
    HandoffRow,
    MessageRow,
    SessionRow,
)
from nikdesk.server.db import utcnow
from nikdesk.server.models import (
    MESSAGE_ROLES,
    Attachment,
    ChatSession,
    Feedback,
    Handoff,
    Message,
)
from nikdesk.server.versions import next_version


class Versions:
    """Hand out a push's versions from one block reserved up front (one counter UPDATE).

    The block is taken under the user's counter lock, so versions still follow commit order;
    numbers a batch does not use leave gaps, which pulls (``version > cursor``) do not mind.
    """

    def __init__(self, db: Session, user_id: str, size: int) -> None:
        from sqlalchemy import update

        from nikdesk.server.models import UserVersion

        self.db, self.user_id, self.size = db, user_id, max(size, 1)
        stmt = (
            update(UserVersion)
            .where(UserVersion.user_id == user_id)
            .values(version=UserVersion.version + self.size)
            .returning(UserVersion.version)
        )
        top = db.execute(stmt).scalar_one_or_none()
        if top is None:  # no counter row yet: fall back to one bump per row
            self.next, self.top = 1, 0
        else:
            self.next, self.top = int(top) - self.size + 1, int(top)

    def __call__(self, db: Session, user_id: str) -> int:
        if self.next > self.top:
            return next_version(db, user_id)
        value, self.next = self.next, self.next + 1
        return value


LAPTOP_ROLES = ("user", "assistant")  # "support" messages come from the support desk only
_HANDOFF_RANK = {"offered": 0, "requested": 1, "answered": 2, "closed": 3}


class RowRejected(Exception):
    """The change is invalid; ``code`` + German ``message`` go back to the laptop."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Lookup:
    """Rows of one push, fetched with one query per table instead of one per change.

    Handlers read and add rows through it; a row checked and found missing is not asked for
    again, and rows added by earlier changes of the batch are found without a flush.
    """

    def __init__(self, db: Session) -> None:
        self.db = db
        self.rows: dict[tuple[type, Any], Any] = {}

    def get(self, model: type, key: Any) -> Any:
        if (model, key) not in self.rows:
            self.rows[(model, key)] = self.db.get(model, key)
        return self.rows[(model, key)]

    def add(self, row: Any) -> None:
        self.db.add(row)
        key = (row.sha256, row.user_id) if isinstance(row, Attachment) else row.id
        self.rows[(type(row), key)] = row

    def prefetch(self, user_id: str, changes: list[Change]) -> Lookup:
        """Load every row the changes name (other users' rows too: they must be refused)."""
        from sqlalchemy import select

        wanted: dict[type, set[str]] = {ChatSession: set(), Message: set(), Feedback: set()}
        wanted[Handoff] = set()
        for change in changes:
            row = change.row
            if change.table == "sessions":
                wanted[ChatSession].add(str(row.get("id")))
            elif change.table == "messages":
                wanted[Message].add(str(row.get("id")))
                wanted[ChatSession].add(str(row.get("session_id")))
            elif change.table in ("attachments", "feedback"):
                wanted[Message].add(str(row.get("message_id")))
                if change.table == "feedback":
                    wanted[Feedback].add(str(row.get("id")))
            elif change.table == "handoffs":
                wanted[Handoff].add(str(row.get("id")))
                wanted[ChatSession].add(str(row.get("session_id")))
        for model, ids in wanted.items():
            ids.discard("None")
            ordered = sorted(ids)
            for start in range(0, len(ordered), 500):
                chunk = ordered[start : start + 500]
                query: Any = select(model).where(model.id.in_(chunk))  # type: ignore[attr-defined]
                found = {r.id: r for r in self.db.scalars(query)}
                for key in chunk:
                    self.rows[(model, key)] = found.get(key)
        return self


def apply_change(
    db: Session,
    user_id: str,
    device_id: str,
    change: Change,
    versions: Any = None,
    lookup: Lookup | None = None,
) -> None:
    """Apply ``change`` for ``user_id`` (inside the caller's transaction/savepoint).

    ``versions(db, user_id) -> int`` hands out row versions (default: one counter bump each);
    ``lookup`` caches the batch's rows. A :class:`RowRejected` is raised before anything of the
    change is written, so the caller needs no savepoint for it.
    """
    handler = _HANDLERS.get(change.table)
    if handler is None:
        return  # paused_runs (device-local) and tables of newer clients: accepted, not stored
    allot = versions or next_version
    try:
        handler(lookup or Lookup(db), user_id, device_id, change, lambda: allot(db, user_id))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise RowRejected("INVALID_ROW", f"Ungültiger Eintrag ({where}: {first['msg']}).") from None


def _session(ctx: Lookup, user_id: str, device_id: str, change: Change, bump: Any) -> None:
    row = SessionRow.model_validate(change.row)
    current = ctx.get(ChatSession, row.id)
    if current is not None and current.user_id != user_id:
        raise RowRejected("FOREIGN_ROW", "Diese Unterhaltung gehört zu einem anderen Konto.")
    fields = SESSION_FIELDS if change.fields is None else change.fields
    if current is None:
        current = ChatSession(
            id=row.id,
            user_id=user_id,
            title=row.title[:300],
            pinned=row.pinned,
            deleted=row.deleted,
            created_at=_time(row.created),
        )
        ctx.add(current)
    elif not current.deleted:  # a tombstone stays a tombstone, whatever arrives later
        for name in fields:
            if name in SESSION_FIELDS:
                value = getattr(row, name)
                setattr(current, name, value[:300] if name == "title" else value)
    current.updated_at = utcnow()
    current.origin_device = device_id
    current.version = bump()


def _message(ctx: Lookup, user_id: str, device_id: str, change: Change, bump: Any) -> None:
    row = MessageRow.model_validate(change.row)
    existing = ctx.get(Message, row.id)
    if existing is not None:
        if existing.user_id != user_id:
            raise RowRejected("FOREIGN_ROW", "Diese Nachricht gehört zu einem anderen Konto.")
        return  # append-only: the first copy stays
    if row.role not in LAPTOP_ROLES:
        raise RowRejected(
            "INVALID_ROLE", f"Unbekannte Rolle „{row.role}“ (erlaubt: {', '.join(MESSAGE_ROLES)})."
        )
    session = ctx.get(ChatSession, row.session_id)
    if session is None or session.user_id != user_id:
        raise RowRejected(
            "UNKNOWN_SESSION", "Die Unterhaltung dieser Nachricht ist dem Server unbekannt."
        )
    ctx.add(
        Message(
            id=row.id,
            session_id=row.session_id,
            user_id=user_id,
            role=row.role,
            text=row.text,
            provider=row.provider or None,
            outcome=(row.outcome or None) and row.outcome[:20],
            sources=row.sources,
            run_id=row.run_id,
            attachments=[],
            created_at=_time(row.created),
            version=bump(),
            origin_device=device_id,
        )
    )


def _attachment(ctx: Lookup, user_id: str, device_id: str, change: Change, bump: Any) -> None:
    row = AttachmentRow.model_validate(change.row)
    if ctx.get(Attachment, (row.sha256, user_id)) is None:
        raise RowRejected(
            "PHOTO_MISSING", "Das Foto wurde noch nicht hochgeladen; es wird erneut versucht."
        )
    message = ctx.get(Message, row.message_id)
    if message is None or message.user_id != user_id:
        raise RowRejected("UNKNOWN_MESSAGE", "Die Nachricht zu diesem Foto ist unbekannt.")
    if change.op == "delete" or row.sha256 in (message.attachments or []):
        return
    message.attachments = [*(message.attachments or []), row.sha256]
    message.version = bump()


def _feedback(ctx: Lookup, user_id: str, device_id: str, change: Change, bump: Any) -> None:
    row = FeedbackRow.model_validate(change.row)
    message = ctx.get(Message, row.message_id)
    if message is None or message.user_id != user_id:
        raise RowRejected("UNKNOWN_MESSAGE", "Die bewertete Antwort ist dem Server unbekannt.")
    current = ctx.get(Feedback, row.id)
    if current is not None and current.user_id != user_id:
        raise RowRejected("FOREIGN_ROW", "Diese Bewertung gehört zu einem anderen Konto.")
    rating = 0 if row.deleted else row.rating
    if current is None:
        current = Feedback(
            id=row.id, message_id=row.message_id, user_id=user_id, created_at=_time(row.created)
        )
        ctx.add(current)
    current.rating, current.comment = rating, row.comment
    current.version = bump()


def _handoff(ctx: Lookup, user_id: str, device_id: str, change: Change, bump: Any) -> None:
    row = HandoffRow.model_validate(change.row)
    status = "requested" if row.status in ("requested", "sent") else "offered"
    current = ctx.get(Handoff, row.id)
    if current is not None and current.user_id != user_id:
        raise RowRejected("FOREIGN_ROW", "Diese Übergabe gehört zu einem anderen Konto.")
    session = ctx.get(ChatSession, row.session_id)
    if session is None or session.user_id != user_id:
        raise RowRejected(
            "UNKNOWN_SESSION", "Die Unterhaltung dieser Übergabe ist dem Server unbekannt."
        )
    if current is None:
        current = Handoff(id=row.id, user_id=user_id, session_id=row.session_id)
        current.question, current.status = row.question, status
        ctx.add(current)
    elif _HANDOFF_RANK[status] > _HANDOFF_RANK.get(current.status, 0):
        current.status = status  # only forward: support's answered/closed stay
    else:
        return
    current.updated_at = utcnow()
    current.version = bump()


_HANDLERS: dict[str, Any] = {
    "sessions": _session,
    "messages": _message,
    "attachments": _attachment,
    "feedback": _feedback,
    "handoffs": _handoff,
}


def _time(value: str) -> datetime:
    """Parse a laptop timestamp (kept for display only, never for merging); now if absent."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return utcnow()
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
