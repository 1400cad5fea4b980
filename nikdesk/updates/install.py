"""Stage a verified release beside the current one, switch atomically, roll back.

Folders under ``<data dir>/updates``::

    state.json            the pointer (see installed.py): replaced once per switch
    releases/<name>/      complete index bundles: manifest.json, groups/, chunks.sqlite,
                          vectors.faiss, docs/ (the manuals), release.json, files.json
    trust/<name>/         trusted TUF metadata, one folder per committed generation
    downloads/            verified targets (<sha256>) and resumable partial files (.part)
    .staging-<pid>/       work in progress; removed (or left to the next run) on failure

Unchanged documents are hard-linked from the current release (reflinked or copied where
links are not possible); their hashes are checked again before they go into the new release.
The derived search files (chunks.sqlite, vectors.faiss) are rebuilt locally from the groups:
no re-embedding, and shipping them would cost a download of the whole index per release.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from tuf.api.metadata import TargetFile

from nikdesk.core.durable import sync_tree, write_text_synced
from nikdesk.retrieval.bundle import MANIFEST, Group, read_group
from nikdesk.storage.installed_release import State, read_state, write_state
from nikdesk.updates.errors import NoRollback
from nikdesk.updates.release import ReleaseManifest
from nikdesk.updates.transport import _verify, disk_error

FILES = "files.json"  # local path -> sha256, length: lets the next update reuse files


def _checkpoint(name: str) -> None:
    """Pause here when NIKDESK_UPDATE_PAUSE names this point (the kill -9 test uses it)."""
    if os.environ.get("NIKDESK_UPDATE_PAUSE") == name:
        import sys
        import time

        print(f"PAUSED {name}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("NIKDESK_UPDATE_PAUSE_SECONDS", "30")))


class Installation:
    """The laptop's release folders and pointer."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.releases = root / "releases"
        self.trust_root = root / "trust"
        self.downloads = root / "downloads"

    def state(self) -> State:
        """Return the pointer's content."""
        return read_state(self.root)

    def release_dir(self, name: str | None) -> Path | None:
        """Return a release folder by name if it is complete."""
        if not name:
            return None
        path = self.releases / name
        return path if (path / MANIFEST).is_file() else None

    def release_of(self, name: str | None) -> ReleaseManifest | None:
        """Return the release manifest of an installed release folder."""
        path = self.release_dir(name)
        if path is None:
            return None
        return ReleaseManifest.from_json((path / "release.json").read_text(encoding="utf-8"))

    def trust_dir(self) -> Path | None:
        """Return the trusted metadata folder in use."""
        name = self.state().trust
        return self.trust_root / name if name else None

    def installed_files(self, name: str | None) -> dict[str, str]:
        """Return local path -> sha256 of an installed release folder."""
        path = self.release_dir(name)
        if path is None or not (path / FILES).is_file():
            return {}
        raw = json.loads((path / FILES).read_text(encoding="utf-8"))
        return {rel: sha for rel, (sha, _length) in raw.items()}

    def known_files(self) -> dict[str, Path]:
        """Return sha256 -> a local file with that content (current and previous release)."""
        state = self.state()
        found: dict[str, Path] = {}
        for name in (state.previous, state.current):  # current wins
            path = self.release_dir(name)
            if path is None or not (path / FILES).is_file():
                continue
            for rel, (sha, _length) in json.loads((path / FILES).read_text()).items():
                found[sha] = path / rel
        return found

    # -- staging ---------------------------------------------------------------------------

    def stage(
        self,
        release: ReleaseManifest,
        files: dict[str, tuple[TargetFile, Path]],
        progress: Callable[[str], None] | None = None,
    ) -> Path:
        """Build the complete release folder from verified files; return it (not yet live).

        ``files`` maps each target path to its signed info and a local file holding it.
        """
        self.cleanup()
        staging = self.root / f".staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            staging.mkdir(parents=True)
            local: dict[str, tuple[str, int]] = {}
            docs = {d.doc_id: d for d in release.index.documents}
            for t in release.targets:
                doc = docs[t.doc_id]
                places = {
                    t.chunks: f"groups/{t.doc_id}/chunks.json",
                    t.vectors: f"groups/{t.doc_id}/vectors.npy",
                    t.manual: f"docs/{doc.relpath}",
                }
                for target, rel in places.items():
                    info, src = files[target]
                    dest = staging / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    link_or_copy(src, dest)
                    _verify(dest, target, info)  # a reused file may have rotted on disk
                    local[rel] = (info.hashes["sha256"], info.length)
            if progress:
                progress("index")
            groups = [read_group(staging, entry) for entry in release.index.documents]
            write_search_files(staging, groups, release.index.embedder.dim)
            (staging / "release.json").write_text(release.to_json(), encoding="utf-8")
            (staging / FILES).write_text(json.dumps(local, indent=0), encoding="utf-8")
            sync_tree(staging)
            write_text_synced(staging / MANIFEST, release.index.to_json())  # last: complete
            name = f"r{release.version}-{os.getpid()}-{os.urandom(3).hex()}"
            self.releases.mkdir(parents=True, exist_ok=True)
            final = self.releases / name
            os.replace(staging, final)
            return final
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise disk_error(exc) from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def commit_trust(self, staged_trust: Path) -> str:
        """Move a verified metadata folder under trust/; return its name (not yet live)."""
        self.trust_root.mkdir(parents=True, exist_ok=True)
        name = f"t-{os.getpid()}-{os.urandom(3).hex()}"
        sync_tree(staged_trust)
        os.replace(staged_trust, self.trust_root / name)
        return name

    def switch(
        self,
        release: str | None,
        trust: str,
        floor: str | None,
        source: str | None = None,
    ) -> State:
        """Make ``release`` (a folder name; None keeps the current) live: one os.replace."""
        old = self.state()
        new = State(
            current=release or old.current,
            previous=old.current if release and release != old.current else old.previous,
            trust=trust,
            floor=floor,
            source=source or old.source,
        )
        _checkpoint("before-switch")
        write_state(new, self.root)
        _checkpoint("after-switch")
        self.cleanup()
        return new

    def rollback(self) -> State:
        """Swap current and previous release (one os.replace); return the new state."""
        old = self.state()
        if not self.release_dir(old.previous):
            raise NoRollback("Es gibt keine vorherige Version, zu der zurückgekehrt werden kann.")
        new = replace(old, current=old.previous, previous=old.current)
        write_state(new, self.root)
        return new

    def cleanup(self) -> None:
        """Delete release/trust folders nothing points at and dead processes' staging."""
        state = self.state()
        keep = {state.current, state.previous}
        if self.releases.is_dir():
            for path in self.releases.iterdir():
                if path.name not in keep and not _in_progress(path.name):
                    shutil.rmtree(path, ignore_errors=True)
        if self.trust_root.is_dir():
            for path in self.trust_root.iterdir():
                if path.name != state.trust and not _in_progress(path.name):
                    shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(".staging-*"):
            if not _in_progress(path.name):
                shutil.rmtree(path, ignore_errors=True)


def _in_progress(name: str) -> bool:
    """Tell whether a folder was made by a process that still runs (not this one's leftovers)."""
    parts = name.replace(".staging-", "x-").split("-")
    try:
        pid = int(parts[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        # our staging is in use; our finished folders are needed only if the pointer names them
        return name.startswith(".staging-")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def link_or_copy(src: Path, dest: Path) -> None:
    """Hard-link ``src`` (immutable) to ``dest``; else reflink; else copy."""
    try:
        os.link(src, dest)
        return
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise
    try:
        _reflink(src, dest)
        return
    except OSError:
        dest.unlink(missing_ok=True)
    shutil.copyfile(src, dest)


def _reflink(src: Path, dest: Path) -> None:
    import fcntl

    ficlone = 0x40049409  # FICLONE (btrfs, XFS, bcachefs); raises elsewhere
    with src.open("rb") as fin, dest.open("wb") as fout:
        fcntl.ioctl(fout.fileno(), ficlone, fin.fileno())


def write_search_files(root: Path, groups: list[Group], dim: int) -> None:
    """Rebuild chunks.sqlite (FTS5) and vectors.faiss from the groups (no re-embedding)."""
    # the bundle's own writers, so a release and a local build give identical search files
    from nikdesk.retrieval.bundle import _write_chunk_store, _write_vectors

    _write_chunk_store(root / "chunks.sqlite", groups)
    _write_vectors(root / "vectors.faiss", groups, dim)
