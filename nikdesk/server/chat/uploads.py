"""Photos for chat questions: size and type checked before anything is stored; owner-only reads."""

from __future__ import annotations

import io
import warnings
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response
from PIL import Image, UnidentifiedImageError
from starlette.concurrency import run_in_threadpool

from nikdesk.server.auth.deps import ReadDB, require_verified
from nikdesk.server.db import transaction
from nikdesk.server.engine import engine_of
from nikdesk.server.errors import ApiError, not_found
from nikdesk.server.models import Attachment, User
from nikdesk.server.ratelimit import rate_limit

from .records import image_url
from .schemas import UploadOut

router = APIRouter(tags=["chat"])
# what the photo path (OCR, vision models) reads; decided by PIL from the bytes, never the name
FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
MAX_PIXELS = 40_000_000  # larger images are refused before they are decoded (bombs)
CHUNK = 64 * 1024


def upload_user(
    user: Annotated[User, Depends(require_verified)],
    _limit: Annotated[None, Depends(rate_limit("upload"))],
) -> User:
    """Return the verified caller, counted against their upload limit."""
    return user


async def _read_capped(file: UploadFile, limit: int) -> bytes:
    """Read the upload, refusing it (413) as soon as it exceeds ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    while chunk := await file.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise ApiError(
                413,
                "FILE_TOO_LARGE",
                f"Das Foto ist zu groß (höchstens {limit // (1024 * 1024)} MB).",
            )
        parts.append(chunk)
    return b"".join(parts)


def sniff_image(data: bytes) -> str:
    """Return the MIME type PIL finds in ``data``; 415 for anything but a sound photo."""
    refused = ApiError(
        415,
        "NOT_AN_IMAGE",
        "Die Datei ist kein Foto – bitte ein JPEG-, PNG-, WebP- oder GIF-Bild hochladen.",
    )
    if not data:
        raise refused
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                kind = img.format or ""
                if kind not in FORMATS or not 0 < img.width * img.height <= MAX_PIXELS:
                    raise refused
                img.verify()  # structure and checksums, without decoding all pixels
    except ApiError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning) as exc:
        raise refused from exc
    except Image.DecompressionBombError as exc:
        raise refused from exc
    return FORMATS[kind]


@router.post("/chat/upload", response_model=UploadOut, status_code=201)
async def upload_photo(
    request: Request,
    user: Annotated[User, Depends(upload_user)],
    file: Annotated[UploadFile, File(description="photo of the device or its display")],
) -> UploadOut:
    """Store a photo by content hash; attach its ``sha256`` to the next question."""
    limit = engine_of(request.app).settings.upload_max_bytes
    data = await _read_capped(file, limit)
    mime = await run_in_threadpool(sniff_image, data)
    return await run_in_threadpool(_store, request, user, data, mime)


def _store(request: Request, user: User, data: bytes, mime: str) -> UploadOut:
    key, sha = request.app.state.blobs.put(data, prefix="images")
    with transaction(request.app.state.db) as db:
        if db.get(Attachment, (sha, user.id)) is None:
            db.add(Attachment(sha256=sha, user_id=user.id, mime=mime, size=len(data), blob_key=key))
    return UploadOut(sha256=sha, key=key, mime=mime, size=len(data), url=image_url(sha))


@router.get("/chat/images/{key}")
def get_photo(
    key: str,
    request: Request,
    db: ReadDB,
    user: Annotated[User, Depends(require_verified)],
) -> Response:
    """Return one of the caller's photos (404 for anyone else's, as for a missing one)."""
    sha = key.rpartition("/")[2].lower()
    with db.begin():
        row = db.get(Attachment, (sha, user.id)) if len(sha) == 64 else None
        if row is None:
            raise not_found("Foto")
        mime, blob_key = row.mime, row.blob_key
    return photo_response(request, blob_key, mime)


def photo_response(request: Request, blob_key: str, mime: str) -> Response:
    """Return the stored photo (private caching: it is personal data)."""
    try:
        data = request.app.state.blobs.read(blob_key)
    except (FileNotFoundError, ValueError):
        raise not_found("Foto") from None
    return Response(
        data,
        media_type=mime,
        headers={
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
        },
    )
