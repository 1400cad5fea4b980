"""Content-addressed blob store on the filesystem (photos, PDFs, later index releases).

Keys are ``<sha256>`` (optionally with a prefix folder such as ``images/``); a blob is written
to a temp file and renamed into place, so readers never see half a file. Several workers may
share the directory (same content -> same key -> same bytes).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_KEY = re.compile(r"^(?:[a-z0-9_-]+/)?[0-9a-f]{64}$")


class BlobStore:
    """Store and fetch blobs by key under one root directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """Return the file of ``key`` (validated: no path tricks)."""
        if not _KEY.match(key):
            raise ValueError(f"bad blob key {key!r}")
        prefix, _, digest = key.rpartition("/")
        return self.root / (prefix or "blobs") / digest[:2] / digest

    def put(self, data: bytes, prefix: str = "") -> tuple[str, str]:
        """Store ``data``; return (key, sha256)."""
        digest = hashlib.sha256(data).hexdigest()
        key = f"{prefix}/{digest}" if prefix else digest
        target = self.path(key)
        if target.exists():
            return key, digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key, digest

    def exists(self, key: str) -> bool:
        """Tell whether ``key`` is stored."""
        return self.path(key).is_file()

    def read(self, key: str) -> bytes:
        """Return the bytes of ``key`` (FileNotFoundError when absent)."""
        return self.path(key).read_bytes()

    def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        self.path(key).unlink(missing_ok=True)

    def check(self) -> tuple[bool, str]:
        """Return (writable?, detail) for /health."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".health-"):
                pass
        except OSError as exc:
            return False, f"nicht beschreibbar: {exc.strerror}"
        return True, "ok"
