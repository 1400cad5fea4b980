"""Nik over HTTP: /chat, /chat/stream (SSE), sessions and their messages, /agent/ask."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from nikdesk.server.auth.deps import ReadDB, require_verified
from nikdesk.server.db import transaction
from nikdesk.server.engine import IDLE, ChatEngine, engine_of
from nikdesk.server.models import User
from nikdesk.server.ratelimit import rate_limit

from . import records, turns
from .schemas import (
    AskRequest,
    ChatRequest,
    ChatResponse,
    MessageOut,
    SessionOut,
    SessionPatch,
)

log = logging.getLogger("nikdesk.server.chat")
router = APIRouter(tags=["chat"])
PING_S = 15.0  # seconds without an event before a keep-alive comment


def chat_user(
    user: Annotated[User, Depends(require_verified)],
    _limit: Annotated[None, Depends(rate_limit("chat"))],
) -> User:
    """Return the verified caller, counted against their chat limit (403 comes before 429)."""
    return user


ChatUser = Annotated[User, Depends(chat_user)]
Verified = Annotated[User, Depends(require_verified)]


def engine_for(request: Request) -> ChatEngine:
    """Return the process's chat engine (loaded at start), else 503."""
    return engine_of(request.app)


async def _prepare(request: Request, user: User, body: ChatRequest) -> turns.Turn:
    state = request.app.state
    return await run_in_threadpool(turns.prepare, state.db, state.blobs, user, body)


@router.post("/chat", response_model=ChatResponse)
async def chat(body: ChatRequest, request: Request, user: ChatUser) -> ChatResponse:
    """Ask Nik in a session (new when ``session_id`` is absent); the exchange is stored.

    After a clarification (``outcome: clarify``) the next question in the session is the reply.
    """
    engine = engine_for(request)
    turn = await _prepare(request, user, body)
    finished = await turns.answer(engine, request.app.state.db, turn)
    return finished.response()


@router.post("/chat/stream", response_class=StreamingResponse)
async def chat_stream(body: ChatRequest, request: Request, user: ChatUser) -> StreamingResponse:
    """Ask Nik and receive the answer as Server-Sent Events (``text/event-stream``).

    Events: ``metadata``, ``tool_start``, ``tool_result``, ``token``, ``provider_switch``,
    ``sources``, ``clarification``, then ``done`` (or ``error``); each ``data`` is the agent's
    event as JSON, ``done`` adds ``message_id`` and an offered ``handoff``.
    """
    engine = engine_for(request)
    turn = await _prepare(request, user, body)
    return StreamingResponse(
        _events(engine, request, turn),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def sse(event: str, data: dict[str, Any]) -> str:
    """Return one Server-Sent Event (JSON data is one line: no newline inside)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


async def _events(engine: ChatEngine, request: Request, turn: turns.Turn) -> AsyncIterator[str]:
    async for item in engine.stream(turns.work(engine, request.app.state.db, turn), PING_S):
        if item is IDLE:
            yield ": ping\n\n"  # a comment line: keeps proxies from closing a quiet stream
        elif isinstance(item, BaseException):
            log.error("chat stream failed", exc_info=item)
            yield sse("error", {"type": "error", "message": turns.INTERNAL})
            return
        else:
            yield sse(*turns.sse_data(item))


@router.post("/agent/ask")
async def agent_ask(body: AskRequest, request: Request, user: ChatUser) -> dict[str, Any]:
    """Ask Nik once: the answer with sources; nothing is stored (no session, no hand-off)."""
    turn = turns.Turn(user.id, "", None, body.question.strip(), persist=False)
    finished = await turns.answer(engine_for(request), request.app.state.db, turn)
    out = finished.result.to_json()
    out["sources"] = finished.sources
    out["session_id"] = None
    return out


@router.get("/chat/{session_id}/messages", response_model=list[MessageOut])
def session_messages(session_id: str, db: ReadDB, user: Verified) -> list[MessageOut]:
    """Return the messages of one of the caller's sessions (404 for anyone else's)."""
    with db.begin():
        records.owned_session(db, user.id, session_id)
        return [records.message_out(m) for m in records.session_messages(db, session_id)]


@router.patch("/chat/{session_id}", response_model=SessionOut)
def patch_session(
    session_id: str, body: SessionPatch, request: Request, user: Verified
) -> SessionOut:
    """Rename and/or pin a session."""
    changes = body.model_dump(exclude_none=True)
    with transaction(request.app.state.db) as db:
        row = records.owned_session(db, user.id, session_id)
        records.touch_session(db, row, **changes)
        out = SessionOut.model_validate(row, from_attributes=True)
        out.messages = records.message_count(db, row.id)
        return out


@router.delete("/chat/{session_id}", status_code=204)
def delete_session(session_id: str, request: Request, user: Verified) -> Response:
    """Delete a session (a tombstone: every device removes it at the next sync)."""
    with transaction(request.app.state.db) as db:
        row = records.owned_session(db, user.id, session_id)
        records.touch_session(db, row, deleted=True)
        paused = records.paused_run(db, user.id, session_id)
        if paused is not None:
            paused.status = "done"
    return Response(status_code=204)


@router.get("/users/me/sessions", response_model=list[SessionOut])
def my_sessions(
    db: ReadDB,
    user: Verified,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[SessionOut]:
    """Return the caller's sessions: pinned first, then the most recent; ``q`` searches them."""
    with db.begin():
        return records.list_sessions(db, user.id, q, limit, offset)
