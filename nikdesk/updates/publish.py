"""Turn an index bundle into a signed release: per document its manual and its index group.

``publish(index_dir, repo, keys)`` compares the bundle with the release already in the
repository, writes release notes (added / updated / removed, with titles), copies only new
target files and signs new targets, snapshot and timestamp metadata. A bundle built with a
different embedder becomes a full release (every group new; laptops never mix embeddings).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from tuf.api.metadata import TargetFile

from nikdesk.core.errors import NikDeskError
from nikdesk.core.hashing import file_sha256
from nikdesk.retrieval.bundle import DocumentEntry, read_manifest
from nikdesk.updates.errors import PublishError
from nikdesk.updates.keys import KeyRing
from nikdesk.updates.release import (
    RELEASE_TARGET,
    ChangedDoc,
    Changes,
    ReleaseManifest,
    doc_targets,
)
from nikdesk.updates.repo import ONLINE_DAYS, CommitReport, Repository


@dataclass(frozen=True)
class PublishReport:
    """What a publish did."""

    version: int
    changes: Changes
    documents: int
    bytes_new: int  # bytes of target files new in this release
    commit: CommitReport
    unchanged: bool  # same documents as before: only re-signed (fresh expiry)


def previous_release(repo: Repository) -> ReleaseManifest | None:
    """Return the release currently published in ``repo``."""
    md = repo.targets_md()
    if md is None or RELEASE_TARGET not in md.signed.targets:
        return None
    info = md.signed.targets[RELEASE_TARGET]
    return ReleaseManifest.from_json(repo.target_path(RELEASE_TARGET, info).read_bytes())


def publish(
    index_dir: Path,
    repo: Repository,
    keys: KeyRing,
    docs_dir: Path | None = None,
    days: float = ONLINE_DAYS,
) -> PublishReport:
    """Publish the bundle at ``index_dir`` (manuals from ``docs_dir`` or ``index_dir/docs``)."""
    try:
        manifest = read_manifest(index_dir)
    except NikDeskError as exc:
        raise PublishError(f"Kein gültiger Index unter {index_dir}: {exc}") from exc
    docs_dir = docs_dir or index_dir / "docs"
    old = previous_release(repo)
    old_md = repo.targets_md()
    old_infos = dict(old_md.signed.targets) if old_md else {}

    targets: dict[str, tuple[TargetFile, Path | None]] = {}
    doc_list = []
    for entry in manifest.documents:
        t = doc_targets(entry.doc_id, entry.relpath)
        doc_list.append(t)
        manual = _manual_file(docs_dir, entry)
        group = index_dir / "groups" / entry.doc_id
        for target, local in (
            (t.chunks, group / "chunks.json"),
            (t.vectors, group / "vectors.npy"),
            (t.manual, manual),
        ):
            if not local.is_file():
                raise PublishError(f"{local} fehlt: der Index ist unvollständig.")
            info = TargetFile.from_file(target, str(local))
            known = old_infos.get(target)
            same = known is not None and known.hashes == info.hashes
            targets[target] = (info, None if same else local)  # None: already published

    changes = _changes(manifest.documents, old, targets, old_infos)
    full = old is not None and old.index.embedder != manifest.embedder
    changes = Changes(changes.added, changes.updated, changes.removed, full)
    unchanged = old is not None and not (
        changes.added or changes.updated or changes.removed or full
    )
    version = (old.version + (0 if unchanged else 1)) if old else 1
    release = (
        old
        if unchanged and old is not None
        else ReleaseManifest(
            version=version,
            created=manifest.created,
            index=manifest,
            targets=tuple(doc_list),
            changes=changes,
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        release_file = Path(tmp) / RELEASE_TARGET
        release_file.write_text(release.to_json(), encoding="utf-8")
        targets[RELEASE_TARGET] = (
            TargetFile.from_file(RELEASE_TARGET, str(release_file)),
            release_file,
        )
        bytes_new = sum(info.length for info, local in targets.values() if local is not None)
        commit = repo.commit(targets, keys, days)
    return PublishReport(
        version=release.version,
        changes=release.changes if not unchanged else Changes(),
        documents=len(manifest.documents),
        bytes_new=bytes_new,
        commit=commit,
        unchanged=unchanged,
    )


def _manual_file(docs_dir: Path, entry: DocumentEntry) -> Path:
    path = docs_dir / entry.relpath
    if not path.is_file():
        raise PublishError(
            f"Das Handbuch {entry.relpath} fehlt in {docs_dir}. Mit --docs den Ordner angeben, "
            "aus dem der Index gebaut wurde."
        )
    if file_sha256(path) != entry.sha256:
        raise PublishError(
            f"{path} ist nicht die Datei, aus der der Index gebaut wurde (anderer Inhalt). "
            "Index neu bauen: nikdesk index build …"
        )
    return path


def _changes(
    documents: tuple[DocumentEntry, ...],
    old: ReleaseManifest | None,
    targets: dict[str, tuple[TargetFile, Path | None]],
    old_infos: dict[str, TargetFile],
) -> Changes:
    if old is None:
        return Changes(added=tuple(ChangedDoc(d.doc_id, d.title, d.file) for d in documents))
    before = {d.doc_id: d for d in old.index.documents}
    added, updated = [], []
    for doc in documents:
        t = doc_targets(doc.doc_id, doc.relpath)
        if doc.doc_id not in before:
            added.append(ChangedDoc(doc.doc_id, doc.title, doc.file))
            continue
        same = all(
            p in old_infos and old_infos[p].hashes == targets[p][0].hashes for p in t.paths()
        )
        if not same:
            updated.append(ChangedDoc(doc.doc_id, doc.title, doc.file))
    now = {d.doc_id for d in documents}
    removed = [
        ChangedDoc(d.doc_id, d.title, d.file) for d in old.index.documents if d.doc_id not in now
    ]
    return Changes(tuple(added), tuple(updated), tuple(removed))
