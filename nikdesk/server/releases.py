"""HTTP routes of the release channel, for the NikDesk server (FastAPI).

``release_router(repo_dir, require_admin)`` returns an ``APIRouter`` with::

    GET  /releases/metadata/{name}     the TUF metadata, as static files
    GET  /releases/targets/{path}      the targets (Range requests: resumable downloads)
    POST /releases/upload              admin: a tar of new files from ``release publish --server``
    POST /releases/report              a laptop says which release it runs
    GET  /releases/devices             admin: which laptop runs which release

The server holds no signing key: it stores what an admin signed and serves it. Laptops trust
the signatures, not the server, so any static mirror of ``repo_dir`` serves as well.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tarfile
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

MAX_UPLOAD = 8 << 30  # bytes; a full release of a large library stays far below
_METADATA = re.compile(r"^metadata/[A-Za-z0-9._-]+\.json$")
_TARGET = re.compile(r"^targets/(?:[A-Za-z0-9._-]+/)*[A-Za-z0-9._-]+$")


class DeviceReport(BaseModel):
    """What a laptop reports after an update."""

    device_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    version: int | None = Field(default=None, ge=0)
    root_version: int | None = Field(default=None, ge=0)


class DeviceRow(BaseModel):
    """One laptop in the admin's overview."""

    device_id: str
    version: int | None
    root_version: int | None
    last_seen: str


class UploadResult(BaseModel):
    """What an upload stored."""

    files: int
    timestamp_version: int | None


def release_router(
    repo_dir: Path,
    require_admin: Callable[..., Any],
    devices_db: Path | None = None,
    on_release: Callable[[Path], None] | None = None,
) -> APIRouter:
    """Return the release routes serving and storing the repository in ``repo_dir``.

    ``on_release(repo_dir)`` runs after every upload: the server hooks its own agent there so
    it answers from the current release too (e.g. ``UpdateClient(root).apply(str(repo_dir))``
    then reopen the retriever: the server verifies the release like any laptop).
    """
    repo_dir = repo_dir.resolve()
    db_path = devices_db or repo_dir.parent / "release-devices.sqlite"
    lock = threading.Lock()  # one upload at a time: files of two publishes never interleave
    router = APIRouter(prefix="/releases", tags=["releases"])
    admin_only = [Depends(require_admin)]

    def _file(rel: str) -> FileResponse:
        path = (repo_dir / rel).resolve()
        if not path.is_relative_to(repo_dir) or not path.is_file():
            raise HTTPException(404, "not found")
        return FileResponse(path, headers={"Cache-Control": "no-cache"})

    @router.get("/metadata/{name}")
    def metadata(name: str) -> FileResponse:
        if not _METADATA.match(f"metadata/{name}"):
            raise HTTPException(404, "not found")
        return _file(f"metadata/{name}")

    @router.get("/targets/{path:path}")
    def targets(path: str) -> FileResponse:
        if not _TARGET.match(f"targets/{path}") or ".." in path.split("/"):
            raise HTTPException(404, "not found")
        return _file(f"targets/{path}")

    @router.post("/upload", response_model=UploadResult, dependencies=admin_only)
    async def upload(request: Request) -> UploadResult:
        with tempfile.TemporaryFile() as spool:
            size = 0
            async for block in request.stream():
                size += len(block)
                if size > MAX_UPLOAD:
                    raise HTTPException(413, "upload too large")
                spool.write(block)
            spool.seek(0)
            with lock:
                result = _store(spool, repo_dir)
                if on_release is not None:
                    on_release(repo_dir)
                return result

    @router.post("/report", status_code=204)
    def report(body: DeviceReport) -> None:
        with _devices(db_path) as conn:
            conn.execute(
                "INSERT INTO devices(device_id, version, root_version, last_seen) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET "
                "version=excluded.version, root_version=excluded.root_version, "
                "last_seen=excluded.last_seen",
                (body.device_id, body.version, body.root_version, _now()),
            )

    @router.get("/devices", response_model=list[DeviceRow], dependencies=admin_only)
    def devices() -> list[DeviceRow]:
        with _devices(db_path) as conn:
            rows = conn.execute(
                "SELECT device_id, version, root_version, last_seen FROM devices "
                "ORDER BY last_seen DESC"
            ).fetchall()
        return [DeviceRow(**dict(r)) for r in rows]

    return router


def _store(spool: Any, repo_dir: Path) -> UploadResult:
    """Unpack an upload: targets first, then metadata, ``timestamp.json`` last (atomic each)."""
    try:
        with tarfile.open(fileobj=spool, mode="r:") as tar:
            return _unpack(tar, repo_dir)
    except tarfile.TarError as exc:
        raise HTTPException(400, f"not a tar archive: {exc}") from exc


def _unpack(tar: tarfile.TarFile, repo_dir: Path) -> UploadResult:
    members = tar.getmembers()
    for m in members:
        safe = not {".", ".."} & set(m.name.split("/"))
        if not m.isfile() or not safe or not (_METADATA.match(m.name) or _TARGET.match(m.name)):
            raise HTTPException(400, f"refused member {m.name!r}")
    order = sorted(
        members,
        key=lambda m: (
            m.name == "metadata/timestamp.json",
            m.name.startswith("metadata/"),
            m.name,
        ),
    )
    version = None
    for m in order:
        dest = repo_dir / m.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.upload-{os.getpid()}")
        src = tar.extractfile(m)
        assert src is not None
        with tmp.open("wb") as out:
            while block := src.read(1 << 20):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
        if m.name == "metadata/timestamp.json":
            version = int(json.loads(dest.read_bytes())["signed"]["version"])
    return UploadResult(files=len(members), timestamp_version=version)


class _devices:
    """A short-lived connection to the device table (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        self.conn = sqlite3.connect(self.path)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS devices (device_id TEXT PRIMARY KEY, version INTEGER, "
            "root_version INTEGER, last_seen TEXT NOT NULL)"
        )
        return self.conn

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.conn.commit()
        self.conn.close()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
