"""The frozen values the chat store hands out, and how they are read back from table rows."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from nikdesk.core.errors import NikDeskError
from nikdesk.core.events import Source
from nikdesk.core.paths import data_dir

_SOURCE_FIELDS = frozenset(f.name for f in fields(Source))
_Row = TypeVar("_Row")


class ChatNotFound(NikDeskError):
    """No session or message with this id (deleted for good, or from another device)."""


@dataclass(frozen=True)
class Session:
    """A conversation in the sidebar."""

    id: str
    title: str
    pinned: bool
    deleted: bool
    created: str
    updated: str


@dataclass(frozen=True)
class Message:
    """One turn of a conversation; an answer carries its provider, outcome and sources."""

    id: str
    session_id: str
    role: str
    text: str
    provider: str
    outcome: str
    sources: tuple[Source, ...]
    run_id: str | None
    created: str
    updated: str
    deleted: bool


@dataclass(frozen=True)
class Attachment:
    """A photo attached to a message, stored once per content hash under the data dir."""

    id: str
    message_id: str
    sha256: str
    path: str  # relative to the data dir, so a moved or synced data dir still resolves
    mime: str
    created: str
    updated: str
    deleted: bool

    def file(self) -> Path:
        """Return the photo's absolute path in the current data dir."""
        return data_dir() / self.path


@dataclass(frozen=True)
class Feedback:
    """The technician's thumbs up (+1) or down (-1) on an answer, with an optional comment."""

    id: str
    message_id: str
    rating: int
    comment: str
    created: str
    updated: str
    deleted: bool


@dataclass(frozen=True)
class OutboxEntry:
    """One recorded change waiting for the sync: the whole row after the change."""

    seq: int
    table_name: str
    row_id: str
    op: str  # insert | update | delete
    payload: dict[str, Any]
    created: str


def session_from_row(row: dict[str, Any]) -> Session:
    """Return the session stored in a ``sessions`` row."""
    return _from_row(Session, row)


def message_from_row(row: dict[str, Any]) -> Message:
    """Return the message stored in a ``messages`` row, its sources decoded from JSON."""
    sources = tuple(
        # a newer app version may sync fields this one does not know: keep what fits
        Source(**{k: v for k, v in item.items() if k in _SOURCE_FIELDS})
        for item in json.loads(row["sources"] or "[]")
    )
    return _from_row(Message, row, sources=sources)


def attachment_from_row(row: dict[str, Any]) -> Attachment:
    """Return the attachment stored in an ``attachments`` row."""
    return _from_row(Attachment, row)


def feedback_from_row(row: dict[str, Any]) -> Feedback:
    """Return the feedback stored in a ``feedback`` row."""
    return _from_row(Feedback, row)


def _from_row(cls: type[_Row], row: dict[str, Any], **extra: Any) -> _Row:
    """Build a frozen value from a table row: 0/1 flags become bools, NULL text ""."""
    values: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        value = extra[f.name] if f.name in extra else row[f.name]
        if f.name in ("pinned", "deleted"):
            value = bool(value)
        elif value is None and f.name in ("provider", "outcome", "comment"):
            value = ""
        values[f.name] = value
    return cls(**values)
