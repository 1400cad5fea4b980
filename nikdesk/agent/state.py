"""The state of one run: everything needed to resume it after a pause, as plain JSON."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from nikdesk.agent.tools import Ledger


@dataclass
class RunState:
    """A run in progress. Mutable: the loop advances it; ``to_json`` persists it."""

    question: str
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    language: str = "de"
    image: str | None = None  # stored photo (attachments dir)
    photo_text: str | None = None  # OCR reading of the photo (offline path)
    chain: list[str] = field(default_factory=list)  # provider names, best first
    position: int = 0  # index into chain of the provider answering now
    messages: list[dict[str, Any]] = field(default_factory=list)  # model transcript
    ledger: Ledger = field(default_factory=Ledger)
    searches: list[str] = field(default_factory=list)  # normalised searches done (loop guard)
    repeats: int = 0
    steps: int = 0
    best_dense: float = 0.0
    clarified: bool = False
    reply: str | None = None
    pending: dict[str, Any] | None = None  # the open clarification (tool_call_id, question)

    @property
    def query(self) -> str:
        """Return what the no-LLM path searches: question, photo text, clarification reply."""
        parts = [self.question, self.photo_text or "", self.reply or ""]
        return " ".join(p for p in parts if p).strip()

    def to_json(self) -> dict[str, Any]:
        """Return the JSON-ready state."""
        data = asdict(self)
        data["ledger"] = self.ledger.to_state()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunState:
        """Rebuild a state saved with :meth:`to_json`."""
        data = dict(data)
        ledger = Ledger.from_state(data.pop("ledger", []))
        known = set(cls.__dataclass_fields__)
        state = cls(**{k: v for k, v in data.items() if k in known and k != "ledger"})
        state.ledger = ledger
        return state
