"""Support hand-offs: the technician requests one; support sees the case, answers, closes.

A not-found or refused answer records an *offered* hand-off (the agent's run store); the
technician confirms it (``POST /handoffs/{id}/request``); the support queue
(``/support/handoffs``, role support) shows the question, the whole session and its photos.
Support's answer lands in the technician's session as a message with role ``support`` (its
version bumped, so the laptops receive it with the next sync). Support actions are audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from nikdesk.server.audit import audit
from nikdesk.server.auth.deps import ReadDB, SupportUser, require_verified
from nikdesk.server.chat import records
from nikdesk.server.chat.schemas import AttachmentRef, MessageOut, without_nul
from nikdesk.server.chat.uploads import photo_response
from nikdesk.server.db import transaction, utcnow
from nikdesk.server.errors import ApiError, not_found
from nikdesk.server.models import Attachment, ChatSession, Handoff, Message, User
from nikdesk.server.versions import next_version

router = APIRouter(tags=["support"])
QUEUE = (
    "requested",
    "answered",
    "closed",
)  # what support sees; "offered" is the user's own


class HandoffOut(BaseModel):
    """A hand-off as its owner or support sees it."""

    id: str
    session_id: str
    message_id: str | None
    question: str
    status: str
    support_answer: str | None = None
    answered_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int
    user_email: str | None = None
    user_name: str | None = None


class HandoffCase(HandoffOut):
    """A hand-off with the technician's whole session (photos linked)."""

    session_title: str
    messages: list[MessageOut]


class SupportAnswer(BaseModel):
    """Support's answer to a case."""

    text: str = Field(..., min_length=1, max_length=8000)

    @field_validator("text")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return without_nul(value)


def _out(row: Handoff, user: User | None = None) -> HandoffOut:
    return HandoffOut(
        id=row.id,
        session_id=row.session_id,
        message_id=row.message_id,
        question=row.question,
        status=row.status,
        support_answer=row.support_answer,
        answered_at=row.answered_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        user_email=user.email if user else None,
        user_name=user.display_name if user else None,
    )


# -- the technician's side ------------------------------------------------------------------


@router.post("/handoffs/{handoff_id}/request", response_model=HandoffOut)
def request_handoff(
    handoff_id: str, request: Request, user: Annotated[User, Depends(require_verified)]
) -> HandoffOut:
    """Hand the case to human support (after Nik found nothing or refused)."""
    with transaction(request.app.state.db) as db:
        row = db.get(Handoff, handoff_id)
        if row is None or row.user_id != user.id:
            raise not_found("Übergabe")
        if row.status == "offered":
            row.status, row.updated_at = "requested", utcnow()
            row.version = next_version(db, user.id)
        return _out(row)


@router.get("/users/me/handoffs", response_model=list[HandoffOut])
def my_handoffs(db: ReadDB, user: Annotated[User, Depends(require_verified)]) -> list[HandoffOut]:
    """Return the caller's hand-offs (newest first)."""
    with db.begin():
        stmt = select(Handoff).where(Handoff.user_id == user.id)
        return [_out(r) for r in db.scalars(stmt.order_by(Handoff.created_at.desc()))]


# -- the support desk -------------------------------------------------------------------------


def _case(db: Session, handoff_id: str) -> Handoff:
    row = db.get(Handoff, handoff_id)
    if row is None or row.status not in QUEUE:
        raise not_found("Übergabe")
    return row


@router.get("/support/handoffs", response_model=list[HandoffOut])
def queue(
    db: ReadDB,
    user: SupportUser,
    status: Annotated[str, Query(pattern="^(requested|answered|closed|all)$")] = "requested",
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[HandoffOut]:
    """Return the support queue: requested cases by default, oldest first."""
    statuses = QUEUE if status == "all" else (status,)
    stmt = (
        select(Handoff, User)
        .join(User, User.id == Handoff.user_id)
        .where(Handoff.status.in_(statuses))
        .order_by(Handoff.created_at)
        .limit(limit)
    )
    with db.begin():
        return [_out(h, u) for h, u in db.execute(stmt).all()]


@router.get("/support/handoffs/{handoff_id}", response_model=HandoffCase)
def show_case(handoff_id: str, request: Request, user: SupportUser) -> HandoffCase:
    """Return the case: question, the technician's whole session, links to its photos."""
    with transaction(request.app.state.db) as db:
        row = _case(db, handoff_id)
        owner = db.get(User, row.user_id)
        session = db.get(ChatSession, row.session_id)
        messages = []
        for m in records.session_messages(db, row.session_id):
            out = records.message_out(m)
            out.attachments = [
                AttachmentRef(sha256=a.sha256, url=f"/support/handoffs/{row.id}/images/{a.sha256}")
                for a in out.attachments
            ]
            messages.append(out)
        audit(db, user.id, "handoff.view", "handoff", row.id)
        base = _out(row, owner)
        return HandoffCase(
            **base.model_dump(),
            session_title=session.title if session else "",
            messages=messages,
        )


@router.get("/support/handoffs/{handoff_id}/images/{sha256}")
def case_photo(
    handoff_id: str, sha256: str, request: Request, db: ReadDB, user: SupportUser
) -> Response:
    """Return a photo attached to a message of the case's session."""
    with db.begin():
        row = _case(db, handoff_id)
        attached = db.scalars(
            select(Message.attachments).where(Message.session_id == row.session_id)
        ).all()
        if not any(sha256 in (a or []) for a in attached):
            raise not_found("Foto")
        photo = db.get(Attachment, (sha256, row.user_id))
        if photo is None:
            raise not_found("Foto")
        mime, key = photo.mime, photo.blob_key
    return photo_response(request, key, mime)


@router.post("/support/handoffs/{handoff_id}/answer", response_model=HandoffOut)
def answer_case(
    handoff_id: str, body: SupportAnswer, request: Request, user: SupportUser
) -> HandoffOut:
    """Answer the case: the answer becomes a ``support`` message in the technician's session."""
    with transaction(request.app.state.db) as db:
        row = _case(db, handoff_id)
        if row.status == "closed":
            raise ApiError(409, "HANDOFF_CLOSED", "Dieser Fall ist bereits geschlossen.")
        message = records.add_message(
            db,
            row.user_id,
            row.session_id,
            "support",
            body.text.strip(),
            provider="support",
        )
        session = db.get(ChatSession, row.session_id)
        if session is not None:
            records.touch_session(db, session)
        now = utcnow()
        row.status, row.support_answer = "answered", body.text.strip()
        row.answered_by, row.answered_at, row.updated_at = user.id, now, now
        row.version = next_version(db, row.user_id)
        audit(db, user.id, "handoff.answer", "handoff", row.id, message_id=message.id)
        return _out(row, db.get(User, row.user_id))


@router.post("/support/handoffs/{handoff_id}/close", response_model=HandoffOut)
def close_case(handoff_id: str, request: Request, user: SupportUser) -> HandoffOut:
    """Close the case."""
    with transaction(request.app.state.db) as db:
        row = _case(db, handoff_id)
        if row.status != "closed":
            row.status, row.updated_at = "closed", utcnow()
            row.version = next_version(db, row.user_id)
            audit(db, user.id, "handoff.close", "handoff", row.id)
        return _out(row, db.get(User, row.user_id))
