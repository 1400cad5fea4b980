"""One chat turn: store the question, run or resume the agent on a worker thread, store the answer.

``prepare`` runs in a short transaction before the agent starts; ``work`` is what the engine's
worker thread runs: it drives the agent's event generator, emits every event as it comes, and
stores the answer before it emits the final ``done``/``error`` (so a client that reads the
final event finds the answer in the history). A client that disconnects mid-stream does not
stop the run: the answer is still stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from nikdesk.server.blobs import BlobStore
from nikdesk.server.db import transaction
from nikdesk.server.engine import ChatEngine
from nikdesk.server.models import OUTCOMES, Handoff, User
from nikdesk.server.nik import (
    Done,
    Error,
    Event,
    Metadata,
    NikDeskError,
    Outcome,
    RunResult,
    Sources,
    collect,
)
from nikdesk.server.versions import next_version

from . import records
from .runs import RunContext, run_context
from .schemas import (
    ChatRequest,
    ChatResponse,
    Clarification,
    HandoffRef,
    document_link,
    source_record,
)

log = logging.getLogger("nikdesk.server.chat")
INTERNAL = "Interner Fehler beim Beantworten – bitte erneut versuchen oder den Support fragen."


@dataclass(frozen=True)
class Turn:
    """A question stored and ready to be answered."""

    user_id: str
    session_id: str
    user_message_id: str | None
    question: str
    image: Path | None = None
    resume_run: str | None = None  # the paused run this question answers
    persist: bool = True


@dataclass(frozen=True)
class Finished:
    """The end of a turn: the final event and what was stored."""

    event: Event  # Done or Error
    result: RunResult
    session_id: str
    message_id: str | None = None
    user_message_id: str | None = None
    handoff: HandoffRef | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        """Return the final SSE event's data: the agent's event plus what was stored."""
        data = self.event.to_dict()
        data.update(session_id=self.session_id, message_id=self.message_id)
        if isinstance(self.event, Done):
            data["handoff"] = self.handoff.model_dump() if self.handoff else None
        return data

    def response(self) -> ChatResponse:
        """Return the body of POST /chat."""
        r = self.result
        clarification = None
        if r.outcome == Outcome.CLARIFY and r.clarification:
            clarification = Clarification(
                run_id=r.run_id, question=r.clarification, options=list(r.options)
            )
        return ChatResponse(
            session_id=self.session_id,
            message_id=self.message_id,
            user_message_id=self.user_message_id,
            run_id=r.run_id or None,
            outcome=r.outcome,
            answer=r.answer,
            provider=r.provider,
            sources=self.sources,
            clarification=clarification,
            handoff=self.handoff,
            notes=list(r.notes),
            error=r.error,
        )


def prepare(factory: sessionmaker[Session], blobs: BlobStore, user: User, req: ChatRequest) -> Turn:
    """Store the question (new session when none is given); tell whether it resumes a run."""
    records.require_text_or_photo(req.question, req.attachments)
    question = req.question.strip()
    with transaction(factory) as db:
        if req.session_id:
            session = records.owned_session(db, user.id, req.session_id)
            paused = records.paused_run(db, user.id, session.id)
            records.touch_session(db, session)
        else:
            session = records.create_session(db, user.id, records.short_title(question))
            paused = None
        photos = records.owned_attachments(db, user.id, req.attachments)
        message = records.add_message(
            db,
            user.id,
            session.id,
            "user",
            question,
            attachments=[p.sha256 for p in photos],
        )
        image = blobs.path(photos[0].blob_key) if photos and paused is None else None
        return Turn(
            user.id,
            session.id,
            message.id,
            question,
            image,
            paused.id if paused else None,
        )


def work(engine: ChatEngine, factory: sessionmaker[Session], turn: Turn) -> Callable[..., None]:
    """Return the worker-thread job of ``turn`` for :meth:`ChatEngine.stream`."""

    def job(emit: Callable[[Any], None]) -> None:
        final: list[Event] = []

        def on_event(event: Event) -> None:
            if isinstance(event, Done | Error):
                final.append(event)  # sent after the answer is stored
            elif isinstance(event, Metadata):
                emit((event, {"user_message_id": turn.user_message_id}))
            else:
                emit(event)

        with run_context(RunContext(turn.user_id, persist=turn.persist)):
            try:
                if turn.resume_run:
                    events = engine.agent.resume(turn.resume_run, turn.question)
                else:
                    session = turn.session_id if turn.persist else None
                    events = engine.agent.run(turn.question, session, turn.image)
                result = collect(events, on_event)
            except NikDeskError as exc:  # e.g. the paused run is gone: shown, stored
                result = _failed(str(exc), final)
            except Exception:
                log.exception("agent run failed")
                result = _failed(INTERNAL, final)
        if not final:  # the generator ended without done (a bug): still end the turn
            result = _failed(INTERNAL, final)
        emit(store_answer(factory, turn, result, final[-1]))

    return job


def _failed(message: str, final: list[Event]) -> RunResult:
    final.append(Error(message))
    return RunResult(outcome=Outcome.ERROR, answer=message, error=message)


def store_answer(
    factory: sessionmaker[Session], turn: Turn, result: RunResult, event: Event
) -> Finished:
    """Store Nik's answer in the session (unless one-shot) and return the turn's end."""
    sources = [source_record(s, document_link(s.doc_id, s.page)) for s in result.sources]
    if not turn.persist:
        return Finished(event, result, turn.session_id, sources=sources)
    outcome = result.outcome if result.outcome in OUTCOMES else Outcome.ERROR
    handoff = None
    with transaction(factory) as db:
        message = records.add_message(
            db,
            turn.user_id,
            turn.session_id,
            "assistant",
            result.answer,
            provider=result.provider or None,
            outcome=outcome,
            sources=sources,
            run_id=result.run_id or None,
        )
        session = db.get(records.ChatSession, turn.session_id)
        if session is not None:
            records.touch_session(db, session)
        if result.handoff_id:
            row = db.get(Handoff, result.handoff_id)
            if row is not None and row.user_id == turn.user_id:
                row.message_id = message.id
                row.version = next_version(db, turn.user_id)
                handoff = HandoffRef(
                    id=row.id,
                    status=row.status,
                    request_url=f"/handoffs/{row.id}/request",
                )
    return Finished(
        event,
        result,
        turn.session_id,
        message.id,
        turn.user_message_id,
        handoff,
        sources,
    )


def sse_data(item: Any) -> tuple[str, dict[str, Any]]:
    """Return (event name, data) of one item a turn emits; payloads are the agent's events."""
    if isinstance(item, Finished):
        return item.event.type, item.payload()
    extra: dict[str, Any] = {}
    if isinstance(item, tuple):
        item, extra = item
    data = item.to_dict()
    if isinstance(item, Sources):
        data["sources"] = [source_record(s, document_link(s.doc_id, s.page)) for s in item.sources]
    data.update(extra)
    return item.type, data


async def answer(engine: ChatEngine, factory: sessionmaker[Session], turn: Turn) -> Finished:
    """Run a turn to its end (no streaming) and return it."""
    finished: Finished | None = None
    async for item in engine.stream(work(engine, factory, turn)):
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, Finished):
            finished = item
    if finished is None:
        raise RuntimeError("chat turn ended without a result")
    return finished
