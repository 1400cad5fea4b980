"""Fold a run's events into one result: what ``nikdesk ask --json`` prints and evals score."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from nikdesk.core.events import (
    Clarification,
    Done,
    Error,
    Event,
    Metadata,
    Outcome,
    ProviderSwitch,
    Source,
    Sources,
    Token,
    ToolStart,
)

# ``ask --json`` keeps to three outcomes; a refusal is "not_found" with ``refused: true``
_PUBLIC_OUTCOME = {Outcome.REFUSED: Outcome.NOT_FOUND}


@dataclass
class RunResult:
    """The end state of one run."""

    outcome: str = Outcome.ERROR
    answer: str = ""
    sources: tuple[Source, ...] = ()
    clarification: str | None = None
    options: tuple[str, ...] = ()
    provider: str = ""
    run_id: str = ""
    session_id: str = ""
    handoff_id: str | None = None
    notes: tuple[str, ...] = ()
    switches: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the stable JSON contract of ``nikdesk ask --json`` (plus extra keys)."""
        return {
            "outcome": _PUBLIC_OUTCOME.get(self.outcome, self.outcome),
            "answer": self.answer,
            "sources": [{"file": s.file, "page": s.page, "title": s.title} for s in self.sources],
            "clarification": self.clarification,
            "provider": self.provider,
            "options": list(self.options),
            "refused": self.outcome == Outcome.REFUSED,
            "run_id": self.run_id,
            "session_id": self.session_id,
            "handoff_id": self.handoff_id,
            "notes": list(self.notes),
            "error": self.error,
        }


def collect(events: Iterable[Event], on_event: Callable[[Event], None] | None = None) -> RunResult:
    """Consume ``events`` (calling ``on_event`` for each) and return the run's result."""
    result = RunResult()
    streamed: list[str] = []
    for event in events:
        if on_event is not None:
            on_event(event)
        if isinstance(event, Metadata):
            result.run_id, result.session_id = event.run_id, event.session_id
            result.provider = event.provider
        elif isinstance(event, Token):
            streamed.append(event.text)
        elif isinstance(event, ProviderSwitch):
            streamed.clear()  # the next provider starts the answer over
            result.switches.append(f"{event.failed} -> {event.provider}: {event.reason}")
        elif isinstance(event, Sources):
            result.sources = event.sources
        elif isinstance(event, Clarification):
            result.clarification, result.options = event.question, event.options
            result.run_id = event.run_id
        elif isinstance(event, Done):
            result.outcome, result.provider = event.outcome, event.provider
            result.answer = event.text or "".join(streamed)
            result.notes, result.handoff_id = event.notes, event.handoff_id
        elif isinstance(event, Error):
            result.outcome, result.error = Outcome.ERROR, event.message
            result.answer = event.message
        elif isinstance(event, ToolStart):
            result.tools.append(event.tool)
    return result
