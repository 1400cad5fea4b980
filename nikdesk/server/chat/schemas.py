"""Request and response bodies of the chat, library and hand-off routes (the HTTP edge)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from nikdesk.server.nik import Source

MAX_QUESTION = 4000
MAX_ATTACHMENTS = 4
SHA256 = r"^[0-9a-f]{64}$"


def without_nul(text: str) -> str:
    """Drop NUL characters (PostgreSQL text cannot hold them; no person types one)."""
    return text.replace("\x00", "")


class ChatRequest(BaseModel):
    """A question (or the reply to Nik's clarification) in a session; new session when absent."""

    question: str = Field("", max_length=MAX_QUESTION)
    session_id: str | None = Field(None, max_length=36)
    attachments: list[str] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS,
        description="sha256 of photos uploaded with POST /chat/upload (the first is read)",
    )

    @field_validator("question")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return without_nul(value)


class AskRequest(BaseModel):
    """A one-shot question: answered, nothing stored."""

    question: str = Field(..., min_length=1, max_length=MAX_QUESTION)

    @field_validator("question")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return without_nul(value)


class Clarification(BaseModel):
    """Nik's counter-question; the next POST /chat in the session answers it."""

    run_id: str
    question: str
    options: list[str] = Field(default_factory=list)


class HandoffRef(BaseModel):
    """A hand-off to human support (offered after a not-found or refused answer)."""

    id: str
    status: str
    request_url: str | None = None


class AttachmentRef(BaseModel):
    """A photo attached to a message."""

    sha256: str
    url: str


class MessageOut(BaseModel):
    """One message of a session."""

    id: str
    session_id: str
    role: str
    text: str
    provider: str | None = None
    outcome: str | None = None
    sources: list[dict[str, Any]] = Field(default_factory=list)
    run_id: str | None = None
    attachments: list[AttachmentRef] = Field(default_factory=list)
    created_at: datetime
    version: int


class ChatResponse(BaseModel):
    """The answer of POST /chat (stored in the session)."""

    session_id: str
    message_id: str | None = None
    user_message_id: str | None = None
    run_id: str | None = None
    outcome: str
    answer: str
    provider: str = ""
    sources: list[dict[str, Any]] = Field(default_factory=list)
    clarification: Clarification | None = None
    handoff: HandoffRef | None = None
    notes: list[str] = Field(default_factory=list)
    error: str | None = None


class SessionOut(BaseModel):
    """A session in the technician's list."""

    id: str
    title: str
    pinned: bool
    created_at: datetime
    updated_at: datetime
    version: int
    messages: int = 0


class SessionPatch(BaseModel):
    """Rename and/or pin a session."""

    title: str | None = Field(None, min_length=1, max_length=300)
    pinned: bool | None = None

    @field_validator("title")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        return without_nul(value) if value is not None else None


class UploadOut(BaseModel):
    """A stored photo: attach its sha256 to the next question."""

    sha256: str
    key: str
    mime: str
    size: int
    url: str


class SearchHitOut(BaseModel):
    """One search hit: a passage on a page of a manual."""

    doc_id: str
    file: str
    title: str
    page: int
    page_end: int
    section: str
    kind: str
    text: str
    score: float
    link: str


class DocumentOut(BaseModel):
    """An indexed manual."""

    id: str
    file: str
    title: str
    manufacturer: str
    language: str
    pages: int
    chunks: int
    url: str
    download_url: str | None = None
    page_url: str | None = None  # the PDF opened at ?page= (``#page=N``)


def source_record(source: Source, link: str | None = None) -> dict[str, Any]:
    """Return how a cited source is stored and sent: the agent's Source plus marker and quote."""
    record = asdict(source)
    record["marker"] = source.ref
    record["quote"] = source.highlight or source.passage[:300]
    if link:
        record["link"] = link
    return record


def document_link(doc_id: str, page: int | None = None) -> str:
    """Return the download link of a manual, opening at ``page`` (PDF open parameters)."""
    url = f"/documents/{doc_id}/file"
    return f"{url}#page={page}" if page else url
