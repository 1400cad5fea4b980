"""Sessions, messages and photos of one user in the server database (owner-checked, versioned).

Every write bumps the user's change counter (``versions.next_version``) in the same transaction
and stores the new value in the row's ``version``: the laptops pull rows by it (issue 10).
Rows of other users are "not found", exactly like rows that do not exist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from nikdesk.server.db import utcnow
from nikdesk.server.errors import ApiError, not_found
from nikdesk.server.models import AgentRun, Attachment, ChatSession, Message
from nikdesk.server.versions import next_version

from .schemas import AttachmentRef, MessageOut, SessionOut

TITLE_CHARS = 60  # as the laptop's short_title
DEFAULT_TITLE = "Neue Unterhaltung"


def short_title(text: str, limit: int = TITLE_CHARS) -> str:
    """Return ``text`` on one line, cut at a word boundary to at most ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat or DEFAULT_TITLE
    cut = flat[: limit - 1].rsplit(" ", 1)[0] or flat[: limit - 1]
    return cut + "…"


def owned_session(db: Session, user_id: str, session_id: str) -> ChatSession:
    """Return the user's live session ``session_id``, else 404 (also for other users')."""
    row = db.get(ChatSession, session_id)
    if row is None or row.user_id != user_id or row.deleted:
        raise not_found("Unterhaltung")
    return row


def create_session(db: Session, user_id: str, title: str) -> ChatSession:
    """Create a session for the user (versioned)."""
    row = ChatSession(
        user_id=user_id,
        title=title[:300],
        version=next_version(db, user_id),
        updated_at=utcnow(),
    )
    db.add(row)
    db.flush()
    return row


def touch_session(db: Session, row: ChatSession, **changes: Any) -> ChatSession:
    """Apply ``changes`` (title, pinned, deleted), set updated_at and bump the version."""
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    row.version = next_version(db, row.user_id)
    return row


def add_message(
    db: Session, user_id: str, session_id: str, role: str, text: str, **fields: Any
) -> Message:
    """Append a message to a session (versioned; messages are never changed afterwards)."""
    row = Message(
        session_id=session_id,
        user_id=user_id,
        role=role,
        text=text,
        version=next_version(db, user_id),
        **fields,
    )
    db.add(row)
    db.flush()
    return row


def owned_attachments(db: Session, user_id: str, shas: list[str]) -> list[Attachment]:
    """Return the user's photos by sha256 (in order), else 404."""
    out = []
    for sha in dict.fromkeys(s.lower() for s in shas):
        row = db.get(Attachment, (sha, user_id))
        if row is None:
            raise not_found("Foto")
        out.append(row)
    return out


def paused_run(db: Session, user_id: str, session_id: str) -> AgentRun | None:
    """Return the session's run waiting for the technician's reply, if any."""
    stmt = (
        select(AgentRun)
        .where(AgentRun.user_id == user_id, AgentRun.session_id == session_id)
        .where(AgentRun.status == "paused")
        .order_by(AgentRun.updated_at.desc())
        .limit(1)
    )
    return db.scalars(stmt).first()


def message_out(row: Message) -> MessageOut:
    """Return a message as the API shows it."""
    return MessageOut(
        id=row.id,
        session_id=row.session_id,
        role=row.role,
        text=row.text,
        provider=row.provider,
        outcome=row.outcome,
        sources=list(row.sources or []),
        run_id=row.run_id,
        attachments=[AttachmentRef(sha256=s, url=image_url(s)) for s in row.attachments or []],
        created_at=row.created_at,
        version=row.version,
    )


def image_url(sha256: str) -> str:
    """Return where the owner fetches a photo."""
    return f"/chat/images/{sha256}"


def session_messages(db: Session, session_id: str) -> list[Message]:
    """Return a session's messages in order."""
    stmt = (
        select(Message)
        .where(Message.session_id == session_id)
        .order_by(Message.created_at, Message.version)
    )
    return list(db.scalars(stmt))


def message_count(db: Session, session_id: str) -> int:
    """Return how many messages a session holds."""
    stmt = select(func.count(Message.id)).where(Message.session_id == session_id)
    return int(db.scalar(stmt) or 0)


def list_sessions(
    db: Session, user_id: str, query: str = "", limit: int = 50, offset: int = 0
) -> list[SessionOut]:
    """Return the user's live sessions, pinned first, then most recently updated.

    ``query`` matches the title or any message text (case-insensitive).
    """
    counts = (
        select(Message.session_id, func.count(Message.id).label("n"))
        .where(Message.user_id == user_id)
        .group_by(Message.session_id)
        .subquery()
    )
    stmt = (
        select(ChatSession, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.session_id == ChatSession.id)
        .where(ChatSession.user_id == user_id, ChatSession.deleted.is_(False))
    )
    words = query.replace("\x00", "").strip()
    if words:
        pattern = f"%{_escape_like(words)}%"
        in_messages = (
            select(Message.session_id)
            .where(Message.user_id == user_id, Message.text.ilike(pattern, escape="\\"))
            .scalar_subquery()
        )
        stmt = stmt.where(
            or_(
                ChatSession.title.ilike(pattern, escape="\\"),
                ChatSession.id.in_(in_messages),
            )
        )
    stmt = stmt.order_by(ChatSession.pinned.desc(), ChatSession.updated_at.desc(), ChatSession.id)
    rows = db.execute(stmt.limit(limit).offset(offset)).all()
    return [
        SessionOut(
            id=s.id,
            title=s.title,
            pinned=s.pinned,
            created_at=s.created_at,
            updated_at=s.updated_at,
            version=s.version,
            messages=int(n),
        )
        for s, n in rows
    ]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def require_text_or_photo(question: str, attachments: list[str]) -> None:
    """Refuse an empty question without a photo (422, German)."""
    if not question.strip() and not attachments:
        raise ApiError(422, "EMPTY_QUESTION", "Bitte eine Frage eingeben oder ein Foto anhängen.")
