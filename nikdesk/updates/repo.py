"""The TUF repository on disk, as any static web server (or the NikDesk server) serves it.

Layout (consistent snapshots: every file a client fetches is immutable once written)::

    metadata/<N>.root.json  metadata/root.json
    metadata/<N>.targets.json  metadata/<N>.snapshot.json  metadata/timestamp.json
    targets/<dir>/<sha256>.<name>

A commit writes target files first, then targets and snapshot metadata, and replaces
``timestamp.json`` last: a client reading during a publish sees the old or the new release,
never a mix. Files of releases older than the previous one are pruned.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from nikdesk.updates.clock import ISSUED_FIELD
from nikdesk.updates.errors import PublishError
from nikdesk.updates.keys import KeyRing, expires_in

PRETTY = JSONSerializer(compact=False)
ONLINE_DAYS = 60  # targets/snapshot/timestamp lifetime: publish (or re-sign) at least this often


def hashed_name(target_path: str, sha256: str) -> str:
    """Return the consistent-snapshot file name of a target ("doc/x/<sha>.chunks.json")."""
    folder, _, name = target_path.rpartition("/")
    return f"{folder}/{sha256}.{name}" if folder else f"{sha256}.{name}"


@dataclass(frozen=True)
class CommitReport:
    """What a commit wrote."""

    targets_version: int
    snapshot_version: int
    timestamp_version: int
    new_files: tuple[str, ...]  # repo-relative paths written (targets and metadata)
    expires: str


class Repository:
    """A TUF repository folder (``--repo REPO_DIR``)."""

    def __init__(self, path: Path, partial: bool = False) -> None:
        self.path = path
        # a metadata-only mirror of a server's repository (release publish --server):
        # unchanged targets stay on the server and are neither copied nor pruned here
        self.partial = partial
        self.metadata = path / "metadata"
        self.targets = path / "targets"

    # -- reading ---------------------------------------------------------------------------

    def exists(self) -> bool:
        """Tell whether a release was published here."""
        return (self.metadata / "timestamp.json").is_file()

    def timestamp(self) -> Metadata[Timestamp] | None:
        """Return the current timestamp metadata, if any."""
        path = self.metadata / "timestamp.json"
        return Metadata[Timestamp].from_file(str(path)) if path.is_file() else None

    def snapshot(self) -> Metadata[Snapshot] | None:
        """Return the snapshot the timestamp points at."""
        ts = self.timestamp()
        if ts is None:
            return None
        path = self.metadata / f"{ts.signed.snapshot_meta.version}.snapshot.json"
        return Metadata[Snapshot].from_file(str(path))

    def targets_md(self) -> Metadata[Targets] | None:
        """Return the targets metadata the snapshot points at."""
        snap = self.snapshot()
        if snap is None:
            return None
        path = self.metadata / f"{snap.signed.meta['targets.json'].version}.targets.json"
        return Metadata[Targets].from_file(str(path))

    def root_versions(self) -> list[int]:
        """Return the root versions present, ascending."""
        return sorted(int(p.name.split(".")[0]) for p in self.metadata.glob("*.root.json"))

    def target_path(self, target: str, info: TargetFile) -> Path:
        """Return where a target's file lives in the repository."""
        return self.targets / hashed_name(target, info.hashes["sha256"])

    # -- writing ---------------------------------------------------------------------------

    def commit(
        self,
        targets: dict[str, tuple[TargetFile, Path | None]],
        keys: KeyRing,
        days: float = ONLINE_DAYS,
    ) -> CommitReport:
        """Publish ``targets`` (path -> (info, local file or None if already here)); sign all.

        Files whose hash is already in the repository are not copied again.
        """
        self.metadata.mkdir(parents=True, exist_ok=True)
        self.targets.mkdir(parents=True, exist_ok=True)
        new_files: list[str] = []
        have_roots = set(self.root_versions())
        for root_file in keys.roots():
            version = int(root_file.name.split(".")[0])
            if version not in have_roots:
                _write_bytes(self.metadata / root_file.name, root_file.read_bytes())
                new_files.append(f"metadata/{root_file.name}")
        shutil.copyfile(keys.keydir / "root.json", self.metadata / "root.json")
        new_files.append("metadata/root.json")

        for target, (info, local) in sorted(targets.items()):
            dest = self.target_path(target, info)
            if dest.is_file() or (local is None and self.partial):
                continue
            if local is None:
                raise PublishError(f"Zieldatei {target} fehlt im Repository und lokal.")
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + ".tmp")
            shutil.copyfile(local, tmp)
            os.replace(tmp, dest)
            new_files.append(dest.relative_to(self.path).as_posix())

        expires = expires_in(days)
        old_targets = self.targets_md()
        old_snapshot = self.snapshot()
        old_timestamp = self.timestamp()
        t_version = old_targets.signed.version + 1 if old_targets else 1
        s_version = old_snapshot.signed.version + 1 if old_snapshot else 1
        ts_version = old_timestamp.signed.version + 1 if old_timestamp else 1

        targets_md: Metadata[Targets] = Metadata(
            Targets(
                version=t_version,
                expires=expires,
                targets={path: info for path, (info, _) in targets.items()},
            )
        )
        keys.sign(targets_md, "targets")
        t_bytes = targets_md.to_bytes(PRETTY)
        _write_bytes(self.metadata / f"{t_version}.targets.json", t_bytes)
        snapshot_md: Metadata[Snapshot] = Metadata(
            Snapshot(
                version=s_version,
                expires=expires,
                meta={"targets.json": _metafile(t_version, t_bytes)},
            )
        )
        keys.sign(snapshot_md, "snapshot")
        s_bytes = snapshot_md.to_bytes(PRETTY)
        _write_bytes(self.metadata / f"{s_version}.snapshot.json", s_bytes)
        issued = datetime.now(UTC).replace(microsecond=0)
        timestamp_md: Metadata[Timestamp] = Metadata(
            Timestamp(
                version=ts_version,
                expires=expires,
                snapshot_meta=_metafile(s_version, s_bytes),
                unrecognized_fields={ISSUED_FIELD: issued.isoformat()},
            )
        )
        keys.sign(timestamp_md, "timestamp")
        _write_bytes(self.metadata / "timestamp.json", timestamp_md.to_bytes(PRETTY))  # last
        new_files += [
            f"metadata/{t_version}.targets.json",
            f"metadata/{s_version}.snapshot.json",
            "metadata/timestamp.json",
        ]
        self.prune()
        return CommitReport(t_version, s_version, ts_version, tuple(new_files), expires.isoformat())

    def prune(self, keep: int = 2) -> None:
        """Delete targets and metadata of releases older than the last ``keep``."""
        versions = sorted(
            (int(p.name.split(".")[0]) for p in self.metadata.glob("*.targets.json")),
            reverse=True,
        )
        kept = versions[:keep]
        referenced: set[Path] = set()
        for version in kept:
            md = Metadata[Targets].from_file(str(self.metadata / f"{version}.targets.json"))
            referenced |= {self.target_path(t, i) for t, i in md.signed.targets.items()}
        for old in versions[keep:]:
            (self.metadata / f"{old}.targets.json").unlink(missing_ok=True)
        snaps = sorted(
            (int(p.name.split(".")[0]) for p in self.metadata.glob("*.snapshot.json")),
            reverse=True,
        )
        for old in snaps[keep:]:
            (self.metadata / f"{old}.snapshot.json").unlink(missing_ok=True)
        for path in list(self.targets.rglob("*")):
            if path.is_file() and path not in referenced:
                path.unlink()

    def current_root(self) -> Metadata[Root] | None:
        """Return the newest root in the repository."""
        versions = self.root_versions()
        if not versions:
            return None
        return Metadata[Root].from_file(str(self.metadata / f"{versions[-1]}.root.json"))


def _metafile(version: int, data: bytes) -> MetaFile:
    import hashlib

    return MetaFile(
        version=version, length=len(data), hashes={"sha256": hashlib.sha256(data).hexdigest()}
    )


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
