"""Wire types of the two-way sync, shared by the laptop (nikdesk.sync) and the server.

Push: the laptop sends its outbox in ``seq`` order, in batches (:class:`PushRequest`); the
server applies a batch and records the device's last applied ``seq`` in one transaction, so a
retried batch is applied at most once. Rows the server refuses come back in
:attr:`PushResponse.rejected` and are parked on the laptop; later rows still go through.

Pull: the server returns the user's rows with ``version > cursor`` in version order (a per-user
counter bumped in commit order, never a timestamp), paged (:class:`PullResponse`).

Rows travel in the laptop's column names (:class:`SessionRow`, :class:`MessageRow`, ...).
Unknown fields are ignored on both sides, so additive changes never break an older peer;
:data:`SCHEMA_VERSION` is sent with every push and pull, and a client older than
:data:`MIN_SCHEMA_VERSION` is told to update (:data:`TOO_OLD_MESSAGE`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
MIN_SCHEMA_VERSION = 1
MAX_BATCH = 500
MAX_PAGE = 1000
MAX_PHOTO_BYTES = 15 * 1024 * 1024
TOO_OLD_CODE = "CLIENT_TOO_OLD"
TOO_OLD_MESSAGE = (
    "Diese NikDesk-Version ist zu alt für den Server. Bitte aktualisieren Sie NikDesk – "
    "Ihre Änderungen bleiben auf diesem Gerät gespeichert und werden danach synchronisiert."
)
SYNCED_TABLES = ("sessions", "messages", "attachments", "feedback", "handoffs", "paused_runs")
# fields of a session that merge one by one, in the order the server receives the changes
SESSION_FIELDS = ("title", "pinned", "deleted")

Table = Literal["sessions", "messages", "attachments", "feedback", "handoffs", "paused_runs"]


class _Wire(BaseModel):
    """Base of every wire type: frozen, extra fields of a newer peer ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class SessionRow(_Wire):
    id: str = Field(min_length=1, max_length=36)
    title: str = Field(default="", max_length=300)
    pinned: bool = False
    deleted: bool = False
    created: str = ""
    updated: str = ""


class PhotoRef(_Wire):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    mime: str = "image/jpeg"


class MessageRow(_Wire):
    id: str = Field(min_length=1, max_length=36)
    session_id: str = Field(min_length=1, max_length=36)
    role: str
    text: str = ""
    provider: str | None = None
    outcome: str | None = None
    sources: list[dict[str, Any]] = Field(default_factory=list)
    run_id: str | None = None
    created: str = ""
    photos: list[PhotoRef] = Field(default_factory=list)  # filled by the server on pull


class AttachmentRow(_Wire):
    id: str
    message_id: str = Field(min_length=1, max_length=36)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    mime: str = "image/jpeg"


class FeedbackRow(_Wire):
    id: str = Field(min_length=1, max_length=36)
    message_id: str = Field(min_length=1, max_length=36)
    rating: int = Field(ge=-1, le=1)  # 0: withdrawn
    comment: str = ""
    deleted: bool = False
    created: str = ""


class HandoffRow(_Wire):
    id: str = Field(min_length=1, max_length=36)
    session_id: str = Field(min_length=1, max_length=36)
    run_id: str | None = None
    status: str = "offered"  # laptop: offered|requested|sent; server adds answered|closed
    question: str = ""
    support_answer: str | None = None


ROW_TYPES: dict[str, type[_Wire]] = {
    "sessions": SessionRow,
    "messages": MessageRow,
    "attachments": AttachmentRow,
    "feedback": FeedbackRow,
    "handoffs": HandoffRow,
}


class Change(_Wire):
    """One outbox entry: the whole row after the change, and which fields changed."""

    seq: int = Field(ge=1)
    table: Table
    op: Literal["insert", "update", "delete"]
    row_id: str = Field(max_length=64)
    fields: list[str] | None = None  # sessions: the fields this change set (None: all)
    row: dict[str, Any]


class PushRequest(_Wire):
    device_id: str = Field(min_length=8, max_length=64)
    device_name: str = Field(default="", max_length=200)
    schema_version: int
    app_version: str = Field(default="", max_length=64)
    changes: list[Change] = Field(max_length=MAX_BATCH)


class Rejected(_Wire):
    """A change the server refused (validation); the laptop parks it."""

    seq: int
    code: str
    message: str


class PushResponse(_Wire):
    applied_through: int  # every seq <= this is applied or rejected (the device's last_push_seq)
    applied: int
    skipped: int  # already applied earlier (a retried batch)
    rejected: list[Rejected] = Field(default_factory=list)
    server_version: int


class PulledChange(_Wire):
    version: int
    table: Table
    row: dict[str, Any]


class PullResponse(_Wire):
    changes: list[PulledChange]
    cursor: int  # pass as ``since`` next time (covers skipped echoes too)
    more: bool
    server_version: int
