"""Sync endpoints for the laptops (issue 10): push, pull, photos by content hash.

``POST /sync/push`` applies a batch of outbox changes and records the device's last applied
``seq`` in the same transaction (the device row is locked first, so two retries of one batch
run one after the other and the second skips what the first applied). Each change runs in a
savepoint: a rejected row is rolled back alone and reported, the rows after it still apply.

``GET /sync/pull`` returns the user's rows with ``version > since`` in version order, paged.
Messages the asking device pushed itself are not sent back (no echo); sessions always are,
because their state is the merge of every device's fields.

``PUT /sync/photos/{sha256}`` stores a photo after checking that the bytes hash to the name;
``GET`` returns it to the owner's other devices, ``HEAD`` tells whether it is there.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from nikdesk.core.sync import (
    MAX_PAGE,
    MAX_PHOTO_BYTES,
    MIN_SCHEMA_VERSION,
    SCHEMA_VERSION,
    TOO_OLD_CODE,
    TOO_OLD_MESSAGE,
    FeedbackRow,
    HandoffRow,
    MessageRow,
    PhotoRef,
    PulledChange,
    PullResponse,
    PushRequest,
    PushResponse,
    Rejected,
    SessionRow,
)
from nikdesk.server.auth.deps import VerifiedUser
from nikdesk.server.db import transaction
from nikdesk.server.devices import bind_device
from nikdesk.server.errors import ApiError, not_found, responses
from nikdesk.server.models import Attachment, ChatSession, Device, Feedback, Handoff, Message
from nikdesk.server.sync_apply import Lookup, RowRejected, Versions, apply_change
from nikdesk.server.versions import current_version

router = APIRouter(prefix="/sync", tags=["sync"])
ERRORS = responses(400, 401, 403, 404, 413, 426)
_PHOTO_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
DeviceId = Annotated[str, Query(min_length=8, max_length=64)]


def _check_schema(version: int) -> None:
    if version < MIN_SCHEMA_VERSION:
        raise ApiError(426, TOO_OLD_CODE, TOO_OLD_MESSAGE)


@router.post("/push", response_model=PushResponse, responses=ERRORS)
def push(body: PushRequest, request: Request, user: VerifiedUser) -> PushResponse:
    """Apply a batch of the device's outbox (at most once per ``seq``)."""
    _check_schema(body.schema_version)
    with transaction(request.app.state.db) as db:
        # locks the device row: a concurrent retry of this batch waits, then skips
        device = bind_device(
            db, user.id, body.device_id, body.device_name, body.app_version or None
        )
        last = int(device.last_push_seq or 0)
        fresh = sorted((c for c in body.changes if c.seq > last), key=lambda c: c.seq)
        skipped = len(body.changes) - len(fresh)
        versions = Versions(db, user.id, len(fresh)) if fresh else None
        try:  # fast path: one savepoint for the batch, rows looked up together
            with db.begin_nested():
                applied, rejected = _apply_all(db, user.id, device.id, fresh, versions, False)
        except SQLAlchemyError:  # a row the database refused: again, one savepoint per row
            applied, rejected = _apply_all(db, user.id, device.id, fresh, versions, True)
        if fresh:
            last = fresh[-1].seq
        device.last_push_seq = last
        version = current_version(db, user.id)
    return PushResponse(
        applied_through=last,
        applied=applied,
        skipped=skipped,
        rejected=rejected,
        server_version=version,
    )


@router.get("/pull", response_model=PullResponse, responses=ERRORS)
def pull(
    request: Request,
    user: VerifiedUser,
    device_id: DeviceId,
    since: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500,
    schema_version: int = SCHEMA_VERSION,
) -> PullResponse:
    """Return the user's changes after ``since`` in server version order (one page)."""
    _check_schema(schema_version)
    with request.app.state.read_db() as db, db.begin():
        device = db.get(Device, device_id)
        if device is not None and device.user_id != user.id:
            raise _foreign_device()
        found: list[tuple[int, str, Any]] = []
        for model, table in (
            (ChatSession, "sessions"),
            (Message, "messages"),
            (Feedback, "feedback"),
            (Handoff, "handoffs"),
        ):
            stmt = (
                select(model)
                .where(model.user_id == user.id, model.version > since)
                .order_by(model.version)
                .limit(limit)
            )
            found += [(row.version, table, row) for row in db.scalars(stmt)]
        found.sort(key=lambda item: item[0])
        page = found[:limit]
        photos = _photo_types(db, user.id, page)
        changes = [
            PulledChange(version=v, table=t, row=_wire(t, r, photos))  # type: ignore[arg-type]
            for v, t, r in page
            if not (t == "messages" and r.origin_device == device_id)  # no echo
        ]
        server_version = current_version(db, user.id)
    out = PullResponse(
        changes=changes,
        cursor=page[-1][0] if page else since,
        more=len(found) >= limit,
        server_version=server_version,
    )
    # already validated: serialise once (a response_model return would validate every row again)
    return Response(out.model_dump_json(), media_type="application/json")  # type: ignore[return-value]


def _apply_all(
    db: Any, user_id: str, device_id: str, changes: list[Any], versions: Any, per_row: bool
) -> tuple[int, list[Rejected]]:
    """Apply ``changes`` in order; return (applied, rejected)."""
    lookup = Lookup(db).prefetch(user_id, changes)
    applied, rejected = 0, []
    for change in changes:
        try:
            if per_row:
                with db.begin_nested():
                    apply_change(db, user_id, device_id, change, versions, lookup)
            else:
                apply_change(db, user_id, device_id, change, versions, lookup)
            applied += 1
        except RowRejected as exc:  # raised before the change wrote anything
            rejected.append(Rejected(seq=change.seq, code=exc.code, message=exc.message))
        except SQLAlchemyError as exc:
            if not per_row:
                raise
            lookup = Lookup(db)  # the savepoint rolled back: forget cached rows
            rejected.append(
                Rejected(
                    seq=change.seq,
                    code="DATABASE_REJECTED",
                    message="Der Server konnte den Eintrag nicht speichern "
                    f"({type(exc).__name__}).",
                )
            )
    return applied, rejected


def _foreign_device() -> ApiError:
    return ApiError(
        403,
        "DEVICE_OTHER_USER",
        "Diese Geräte-ID gehört zu einem anderen Konto. Bitte melden Sie sich mit diesem "
        "Konto in einem eigenen Profil an.",
    )


def _photo_types(db: Any, user_id: str, page: list[tuple[int, str, Any]]) -> dict[str, str]:
    shas = {s for _, t, r in page if t == "messages" for s in (r.attachments or [])}
    if not shas:
        return {}
    stmt = select(Attachment.sha256, Attachment.mime).where(
        Attachment.user_id == user_id, Attachment.sha256.in_(shas)
    )
    return {sha: mime for sha, mime in db.execute(stmt).all()}


def _iso(value: Any) -> str:
    return value.isoformat(timespec="milliseconds") if value is not None else ""


def _wire(table: str, row: Any, photos: dict[str, str]) -> dict[str, Any]:
    if table == "sessions":
        out: Any = SessionRow(
            id=row.id,
            title=row.title,
            pinned=row.pinned,
            deleted=row.deleted,
            created=_iso(row.created_at),
            updated=_iso(row.updated_at),
        )
    elif table == "messages":
        out = MessageRow(
            id=row.id,
            session_id=row.session_id,
            role=row.role,
            text=row.text,
            provider=row.provider,
            outcome=row.outcome,
            sources=list(row.sources or []),
            run_id=row.run_id,
            created=_iso(row.created_at),
            photos=[
                PhotoRef(sha256=s, mime=photos.get(s, "image/jpeg")) for s in row.attachments or []
            ],
        )
    elif table == "feedback":
        out = FeedbackRow(
            id=row.id,
            message_id=row.message_id,
            rating=row.rating,
            comment=row.comment,
            deleted=row.rating == 0,
            created=_iso(row.created_at),
        )
    else:
        out = HandoffRow(
            id=row.id,
            session_id=row.session_id,
            status=row.status,
            question=row.question,
            support_answer=row.support_answer,
        )
    return out.model_dump()


@router.put("/photos/{sha256}", status_code=201, responses=ERRORS)
def put_photo(
    sha256: str,
    request: Request,
    user: VerifiedUser,
    data: Annotated[bytes, Body(media_type="application/octet-stream")],
) -> dict[str, str]:
    """Store a photo named by its SHA-256 (the bytes must hash to the name)."""
    if len(data) > MAX_PHOTO_BYTES:
        raise ApiError(413, "PHOTO_TOO_LARGE", "Das Foto ist zu groß.")
    if hashlib.sha256(data).hexdigest() != sha256.lower():
        raise ApiError(400, "HASH_MISMATCH", "Das Foto kam beschädigt an (Prüfsumme falsch).")
    mime = next((m for magic, m in _PHOTO_MAGIC if data.startswith(magic)), None)
    if mime is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    if mime is None:
        raise ApiError(400, "NOT_A_PHOTO", "Die Datei ist kein Foto (JPEG, PNG, WebP oder GIF).")
    key, digest = request.app.state.blobs.put(data, prefix="images")
    with transaction(request.app.state.db) as db:
        if db.get(Attachment, (digest, user.id)) is None:
            db.add(
                Attachment(sha256=digest, user_id=user.id, mime=mime, size=len(data), blob_key=key)
            )
    return {"sha256": digest, "mime": mime}


@router.api_route("/photos/{sha256}", methods=["GET", "HEAD"], responses=ERRORS)
def get_photo(sha256: str, request: Request, user: VerifiedUser) -> Response:
    """Return one of the user's photos (404 for unknown or other users' photos)."""
    with request.app.state.read_db() as db, db.begin():
        row = db.get(Attachment, (sha256.lower(), user.id))
        if row is None:
            raise not_found("Foto")
        key, mime = row.blob_key, row.mime
    if request.method == "HEAD":
        return Response(status_code=200, media_type=mime)
    try:
        data = request.app.state.blobs.read(key)
    except FileNotFoundError:
        raise not_found("Foto") from None
    return Response(content=data, media_type=mime)
