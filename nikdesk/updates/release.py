"""The release manifest (``release.json``): the wire type shared by admin and laptop.

``release.json`` is itself a signed TUF target. It carries the index manifest of the release
(embedder, documents), which target files make up each document, and what changed since the
previous release (with titles, for the "Handbuch-Update verfügbar" notice).

Target paths per document (``doc_id`` is the index's stable document key)::

    doc/<doc_id>/chunks.json    the document's chunks    -> groups/<doc_id>/chunks.json
    doc/<doc_id>/vectors.npy    their embeddings          -> groups/<doc_id>/vectors.npy
    doc/<doc_id>/manual<.ext>   the manual the viewer opens -> docs/<relpath>
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any

from nikdesk.retrieval.bundle import IndexManifest

FORMAT = "nikdesk-release"
FORMAT_VERSION = 1
RELEASE_TARGET = "release.json"
PARTS = ("chunks", "vectors", "manual")


@dataclass(frozen=True)
class DocTargets:
    """The target paths of one document (manual file, chunks, vectors)."""

    doc_id: str
    chunks: str
    vectors: str
    manual: str

    def paths(self) -> tuple[str, str, str]:
        """Return the three target paths."""
        return (self.chunks, self.vectors, self.manual)


@dataclass(frozen=True)
class ChangedDoc:
    """A document added, updated or removed by a release (for the release notes)."""

    doc_id: str
    title: str
    file: str


@dataclass(frozen=True)
class Changes:
    """What a release changed against its predecessor."""

    added: tuple[ChangedDoc, ...] = ()
    updated: tuple[ChangedDoc, ...] = ()
    removed: tuple[ChangedDoc, ...] = ()
    full: bool = False  # embedder changed: every group is new, nothing mixes with the old index

    def summary(self) -> str:
        """Return a short German summary ("3 geändert, 1 neu, 0 entfernt")."""
        parts = [f"{len(self.updated)} geändert", f"{len(self.added)} neu"]
        if self.removed:
            parts.append(f"{len(self.removed)} entfernt")
        if self.full:
            parts.append("neuer Suchindex (vollständige Version)")
        return ", ".join(parts)


@dataclass(frozen=True)
class ReleaseManifest:
    """The content of ``release.json``."""

    version: int
    created: str
    index: IndexManifest
    targets: tuple[DocTargets, ...]
    changes: Changes = field(default_factory=Changes)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        """Serialise to the release.json text (stable key order: its hash is signed)."""
        raw = asdict(self)
        raw["index"] = json.loads(self.index.to_json())
        return json.dumps(raw, ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> ReleaseManifest:
        """Parse release.json (raises ValueError on anything malformed)."""
        try:
            raw: dict[str, Any] = json.loads(text)
            if raw.get("format") != FORMAT or int(raw.get("format_version", 0)) != FORMAT_VERSION:
                raise ValueError(f"unsupported release format {raw.get('format')!r}")
            changes = raw.get("changes") or {}
            manifest = cls(
                version=int(raw["version"]),
                created=str(raw["created"]),
                index=IndexManifest.from_json(json.dumps(raw["index"])),
                targets=tuple(DocTargets(**t) for t in raw["targets"]),
                changes=Changes(
                    added=tuple(ChangedDoc(**d) for d in changes.get("added", ())),
                    updated=tuple(ChangedDoc(**d) for d in changes.get("updated", ())),
                    removed=tuple(ChangedDoc(**d) for d in changes.get("removed", ())),
                    full=bool(changes.get("full", False)),
                ),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed release.json: {exc}") from exc
        manifest.check_paths()
        return manifest

    def check_paths(self) -> None:
        """Refuse document paths that could escape the release folder."""
        ids = {t.doc_id for t in self.targets}
        for doc in self.index.documents:
            rel = PurePosixPath(doc.relpath)
            if rel.is_absolute() or ".." in rel.parts or not doc.relpath or "\\" in doc.relpath:
                raise ValueError(f"unsafe document path {doc.relpath!r}")
            if "/" in doc.doc_id or doc.doc_id in ("", ".", "..") or doc.doc_id not in ids:
                raise ValueError(f"bad document id {doc.doc_id!r}")

    def targets_of(self, doc_id: str) -> DocTargets:
        """Return the targets of one document."""
        for t in self.targets:
            if t.doc_id == doc_id:
                return t
        raise KeyError(doc_id)


def doc_targets(doc_id: str, relpath: str) -> DocTargets:
    """Return the target paths for a document."""
    suffix = PurePosixPath(relpath).suffix.lower()
    base = f"doc/{doc_id}"
    return DocTargets(
        doc_id, f"{base}/chunks.json", f"{base}/vectors.npy", f"{base}/manual{suffix}"
    )
