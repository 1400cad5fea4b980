"""Paused agent runs and offered hand-offs in the server database (the agent's run store).

The agent calls its store from the worker thread that drives the run. Which user the run
belongs to, and whether anything may be stored at all (``POST /agent/ask`` stores nothing),
comes from the :class:`RunContext` the chat turn sets on that thread.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from nikdesk.server.db import transaction, utcnow
from nikdesk.server.models import AgentRun, Handoff
from nikdesk.server.nik import RunNotFound, RunStore
from nikdesk.server.versions import next_version


@dataclass(frozen=True)
class RunContext:
    """Who a run belongs to, and whether its pause and hand-off may be stored."""

    user_id: str
    persist: bool = True


_current: contextvars.ContextVar[RunContext | None] = contextvars.ContextVar(
    "nikdesk_run_context", default=None
)


@contextmanager
def run_context(ctx: RunContext) -> Iterator[None]:
    """Set the run context for the agent calls made inside the block (this thread)."""
    token = _current.set(ctx)
    try:
        yield
    finally:
        _current.reset(token)


def _ctx() -> RunContext:
    ctx = _current.get()
    if ctx is None:
        raise RuntimeError("agent store used outside a run context")
    return ctx


class ServerRunStore(RunStore):
    """The agent's :class:`RunStore`, on the server's tables ``agent_runs`` and ``handoffs``."""

    def __init__(  # no laptop database: both session factories of the app
        self, factory: sessionmaker[Session], read_factory: sessionmaker[Session]
    ) -> None:
        self.factory = factory
        self.read_factory = read_factory

    def save_paused(
        self, run_id: str, session_id: str, question: str, state: dict[str, Any]
    ) -> None:
        """Persist the state of a run waiting for the technician's reply."""
        ctx = _ctx()
        if not ctx.persist:
            return
        with transaction(self.factory) as db:
            # one open question per session: an older pause is superseded by this one
            db.execute(
                update(AgentRun)
                .where(AgentRun.session_id == session_id, AgentRun.status == "paused")
                .where(AgentRun.user_id == ctx.user_id, AgentRun.id != run_id)
                .values(status="done", updated_at=utcnow())
            )
            row = db.get(AgentRun, run_id)
            if row is None:
                db.add(
                    AgentRun(
                        id=run_id,
                        user_id=ctx.user_id,
                        session_id=session_id,
                        state=state,
                        status="paused",
                    )
                )
            elif row.user_id == ctx.user_id:
                row.state, row.status, row.updated_at = state, "paused", utcnow()

    def load_paused(self, run_id: str) -> dict[str, Any]:
        """Return the state of the caller's paused run ``run_id``, or raise RunNotFound."""
        ctx = _ctx()
        with self.read_factory() as db:
            row = db.get(AgentRun, run_id)
            if row is None or row.user_id != ctx.user_id or row.status != "paused":
                raise RunNotFound("Keine wartende Rückfrage mehr – bitte die Frage neu stellen.")
            return dict(row.state)

    def finish_paused(self, run_id: str) -> None:
        """Mark a paused run as answered."""
        ctx = _ctx()
        if not ctx.persist:
            return
        with transaction(self.factory) as db:
            db.execute(
                update(AgentRun)
                .where(AgentRun.id == run_id, AgentRun.user_id == ctx.user_id)
                .values(status="done", updated_at=utcnow())
            )

    def paused_runs(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """Return the caller's runs waiting for a reply (newest first)."""
        ctx = _ctx()
        stmt = select(AgentRun).where(AgentRun.user_id == ctx.user_id, AgentRun.status == "paused")
        if session_id:
            stmt = stmt.where(AgentRun.session_id == session_id)
        with self.read_factory() as db:
            rows = db.scalars(stmt.order_by(AgentRun.updated_at.desc())).all()
            return [{"run_id": r.id, "session_id": r.session_id, "state": r.state} for r in rows]

    def create_handoff(  # type: ignore[override]
        self,
        session_id: str,
        run_id: str,
        reason: str,
        record: dict[str, Any],
        status: str = "offered",
    ) -> str | None:
        """Record the case for support (offered; the technician requests it); return its id."""
        ctx = _ctx()
        if not ctx.persist:
            return None  # one-shot question: nothing is stored, nothing to hand over
        question = str(record.get("question") or "")
        if record.get("reply"):
            question += f"\n(Gerät laut Techniker: {record['reply']})"
        with transaction(self.factory) as db:
            row = Handoff(
                user_id=ctx.user_id,
                session_id=session_id,
                question=question,
                status=status,
                version=next_version(db, ctx.user_id),
            )
            db.add(row)
            db.flush()
            return row.id

    def request_handoff(self, handoff_id: str) -> None:
        """Confirm an offered hand-off (the chat routes do this; kept for the agent API)."""
        ctx = _ctx()
        with transaction(self.factory) as db:
            row = db.get(Handoff, handoff_id)
            if row is None or row.user_id != ctx.user_id:
                raise RunNotFound("Keine Übergabe mit dieser Kennung.")
            if row.status == "offered":
                row.status, row.updated_at = "requested", utcnow()
                row.version = next_version(db, ctx.user_id)

    def handoffs(self, status: str | None = None) -> list[dict[str, Any]]:
        """Return the caller's hand-offs (newest first)."""
        ctx = _ctx()
        stmt = select(Handoff).where(Handoff.user_id == ctx.user_id)
        if status:
            stmt = stmt.where(Handoff.status == status)
        with self.read_factory() as db:
            rows = db.scalars(stmt.order_by(Handoff.created_at.desc())).all()
            return [{"id": r.id, "session_id": r.session_id, "status": r.status} for r in rows]
