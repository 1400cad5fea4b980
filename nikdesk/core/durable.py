"""Writes that survive a power cut: data flushed to disk before the step that makes it count.

The index bundle, a downloaded release and the installed-release pointer are all made valid by
one last write or rename; everything before it must already be on disk.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_text_synced(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` and flush it to disk."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def sync_dir(folder: Path) -> None:
    """Flush ``folder``'s entries (renames, new files) to disk; a no-op where not supported."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_tree(root: Path) -> None:
    """Flush every file and folder below ``root`` (and ``root`` itself) to disk."""
    for path in root.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        sync_dir(folder)


def replace_synced(tmp: Path, dest: Path) -> None:
    """Rename ``tmp`` over ``dest`` and make the rename itself durable."""
    os.replace(tmp, dest)
    sync_dir(dest.parent)
