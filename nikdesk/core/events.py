"""The events a Nik run yields: the one protocol the CLI, the desktop app and the server consume.

A run is a generator of these frozen values. ``to_dict()`` gives the wire form (JSON lines,
server-sent events); ``type`` names the event.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


class Outcome:
    """How a run ended (the ``outcome`` of :class:`Done`)."""

    ANSWER = "answer"
    NOT_FOUND = "not_found"
    CLARIFY = "clarify"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    ERROR = "error"


@dataclass(frozen=True)
class Source:
    """A cited passage: one retrieved chunk, by document and page.

    ``ref`` is the marker the answer text uses ("S1"); ``highlight`` is the passage's key
    sentence (what the PDF viewer highlights and the no-LLM answer quotes).
    """

    ref: str
    doc_id: str
    file: str
    title: str
    page: int
    page_end: int
    passage: str
    highlight: str = ""
    section: str = ""
    score: float = 0.0

    def citation(self) -> str:
        """Return the human citation: "Titel, S. 12"."""
        return f"{self.title or self.file}, S. {self.page}"


@dataclass(frozen=True)
class Event:
    """Base of all run events."""

    type: ClassVar[str] = "event"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form, with the event ``type``."""
        return {"type": self.type, **asdict(self)}


@dataclass(frozen=True)
class Metadata(Event):
    """First event of a run (and of a resumed run): which session and run this is."""

    type: ClassVar[str] = "metadata"
    session_id: str
    run_id: str
    provider: str
    resumed: bool = False


@dataclass(frozen=True)
class ToolStart(Event):
    """The agent calls a tool."""

    type: ClassVar[str] = "tool_start"
    tool: str
    arguments: dict[str, Any]
    label: str = ""  # the German chip text ("Suche in Handbüchern"), defined beside the tool

    @property
    def detail(self) -> str:
        """Return what the tool works on (the query, the document, the photo)."""
        args = self.arguments
        return str(args.get("query") or args.get("doc") or args.get("image") or "")


@dataclass(frozen=True)
class ToolResult(Event):
    """A tool returned; ``summary`` is one short German line for the UI chip."""

    type: ClassVar[str] = "tool_result"
    tool: str
    summary: str
    ok: bool = True


@dataclass(frozen=True)
class Token(Event):
    """A piece of the answer text as it streams."""

    type: ClassVar[str] = "token"
    text: str


@dataclass(frozen=True)
class ProviderSwitch(Event):
    """The provider failed mid-run; the next one takes over and restarts the answer.

    Text streamed so far (``Token`` events since the last switch) is void.
    """

    type: ClassVar[str] = "provider_switch"
    failed: str
    provider: str
    reason: str


@dataclass(frozen=True)
class Sources(Event):
    """The passages the answer cites (only chunks retrieved in this run)."""

    type: ClassVar[str] = "sources"
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Clarification(Event):
    """The run is paused: ask the technician; resume the run with the reply."""

    type: ClassVar[str] = "clarification"
    run_id: str
    question: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Done(Event):
    """The run ended. ``text`` is the final answer (also streamed as tokens)."""

    type: ClassVar[str] = "done"
    outcome: str
    provider: str
    text: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)  # e.g. citations removed
    handoff_id: str | None = None  # offered hand-off to support (not_found / refused)


@dataclass(frozen=True)
class Error(Event):
    """The run failed; ``message`` is German and actionable. Always followed by nothing."""

    type: ClassVar[str] = "error"
    message: str
