"""Paused agent runs and support hand-offs, persisted in the local store."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlite_utils

from nikdesk.core.errors import NikDeskError
from nikdesk.storage.db import now_iso, open_db, put_with_outbox, write_transaction


class RunNotFound(NikDeskError):
    """No paused run with this id (answered already, or from another machine)."""


class RunStore:
    """Save a paused run's state; load it to resume; record hand-offs to support."""

    def __init__(self, db: sqlite_utils.Database | None = None) -> None:
        self.db = db if db is not None else open_db()

    def save_paused(
        self, run_id: str, session_id: str, question: str, state: dict[str, Any]
    ) -> None:
        """Persist the state of a run waiting for the technician's reply."""
        now = now_iso()
        row = {
            "run_id": run_id,
            "session_id": session_id,
            "question": question,
            "state": json.dumps(state, ensure_ascii=False),
            "created": now,
            "updated": now,
            "deleted": 0,
        }
        with write_transaction(self.db):
            put_with_outbox(self.db, "paused_runs", row, "insert", pk="run_id")

    def load_paused(self, run_id: str) -> dict[str, Any]:
        """Return a paused run's state, or raise :class:`RunNotFound`."""
        rows = list(
            self.db.table("paused_runs").rows_where("run_id = ? AND deleted = 0", [run_id], limit=1)
        )
        if not rows:
            raise RunNotFound(
                f"Keine wartende Rückfrage mit der Kennung {run_id} – sie wurde schon beantwortet "
                "oder stammt von einem anderen Gerät. Bitte die Frage neu stellen."
            )
        state: dict[str, Any] = json.loads(rows[0]["state"])
        return state

    def finish_paused(self, run_id: str) -> None:
        """Mark a paused run as resumed (soft delete: the sync sees it)."""
        self._change("paused_runs", "run_id", run_id, {"deleted": 1}, "delete")

    def paused_runs(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """Return the runs still waiting for a reply (newest first)."""
        where, args = "deleted = 0", []
        if session_id:
            where += " AND session_id = ?"
            args.append(session_id)
        return list(self.db.table("paused_runs").rows_where(where, args, order_by="updated desc"))

    def create_handoff(
        self,
        session_id: str,
        run_id: str,
        reason: str,
        record: dict[str, Any],
        status: str = "offered",
    ) -> str:
        """Record a case for human support (the sync delivers it); return its id."""
        handoff_id = str(uuid.uuid4())
        now = now_iso()
        row = {
            "id": handoff_id,
            "session_id": session_id,
            "run_id": run_id,
            "status": status,
            "reason": reason,
            "record": json.dumps(record, ensure_ascii=False),
            "created": now,
            "updated": now,
            "deleted": 0,
        }
        with write_transaction(self.db):
            put_with_outbox(self.db, "handoffs", row, "insert")
        return handoff_id

    def request_handoff(self, handoff_id: str) -> None:
        """Confirm an offered hand-off: the technician wants support to take the case."""
        self._change("handoffs", "id", handoff_id, {"status": "requested"}, "update")

    def _change(self, table: str, pk: str, row_id: str, changes: dict[str, Any], op: str) -> None:
        """Update one row and record the whole new row in the outbox, in one transaction."""
        with write_transaction(self.db):
            rows = list(self.db.table(table).rows_where(f"{pk} = ?", [row_id], limit=1))
            if not rows:
                return
            put_with_outbox(self.db, table, {**rows[0], **changes, "updated": now_iso()}, op, pk)

    def handoffs(self, status: str | None = None) -> list[dict[str, Any]]:
        """Return hand-off records (newest first)."""
        where, args = "deleted = 0", []
        if status:
            where += " AND status = ?"
            args.append(status)
        return list(self.db.table("handoffs").rows_where(where, args, order_by="created desc"))
