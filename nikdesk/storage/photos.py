"""Photo files for chat attachments: checked by their bytes, stored once per content hash."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from nikdesk.core.errors import BadImage
from nikdesk.core.paths import data_dir

ATTACHMENTS_DIR = "attachments"
# what the photo path (OCR, vision models) reads; sniffed from the bytes, not the file name
_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)


@dataclass(frozen=True)
class StoredPhoto:
    """A photo's copy in the data dir."""

    sha256: str
    path: str  # relative to the data dir, so a moved or synced data dir still resolves
    mime: str


def store_photo(source: Path) -> StoredPhoto:
    """Copy the photo at ``source`` into the data dir, unless its content is there already.

    Raise :class:`~nikdesk.core.errors.BadImage` (German reason) for a missing, unreadable, empty
    or non-image file.
    """
    data = _read_photo(source)
    sniffed = next((m for m in _IMAGE_MAGIC if data.startswith(m[0])), None)
    if sniffed is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        sniffed = (b"RIFF", "image/webp", ".webp")
    if sniffed is None:
        raise BadImage(
            source,
            "Die Datei ist kein Foto – bitte ein JPEG-, PNG-, WebP- oder GIF-Bild anhängen",
        )
    _, mime, suffix = sniffed
    sha = hashlib.sha256(data).hexdigest()
    relative = f"{ATTACHMENTS_DIR}/{sha}{suffix}"
    _store_once(data_dir() / relative, data)
    return StoredPhoto(sha256=sha, path=relative, mime=mime)


def _read_photo(source: Path) -> bytes:
    try:
        data = source.read_bytes()
    except FileNotFoundError as exc:
        raise BadImage(source, "Foto nicht gefunden – wurde es verschoben oder gelöscht?") from exc
    except IsADirectoryError as exc:
        raise BadImage(source, "Das ist ein Ordner, kein Foto") from exc
    except OSError as exc:
        raise BadImage(source, f"Foto nicht lesbar ({exc.strerror or exc})") from exc
    if not data:
        raise BadImage(source, "Die Bilddatei ist leer")
    return data


def _store_once(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` unless it is there already (content-addressed, atomic)."""
    if target.is_file() and target.stat().st_size == len(data):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    partial.write_bytes(data)
    os.replace(partial, target)  # a crash never leaves a half photo under the final name
