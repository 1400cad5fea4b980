"""The technician's own manuals: one bundle per added folder, searched next to the release.

``<data dir>/library/`` holds ``sources.json`` (bundle key -> folder) and one bundle per
folder. It is never merged into the company release, so updates and rollbacks leave it
alone; :func:`with_local_library` opens it together with the release
(:class:`~nikdesk.retrieval.combined.MultiRetriever`). A release with another embedder makes
local bundles unsearchable until :meth:`LocalLibrary.rebuild` re-embeds them from their
folders (the app offers it; nothing is mixed meanwhile).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from nikdesk.core.errors import NikDeskError
from nikdesk.core.paths import data_dir
from nikdesk.retrieval.bundle import doc_key, read_manifest
from nikdesk.retrieval.hybrid import Retriever

if TYPE_CHECKING:  # building pulls in the PDF stack; searching must not (see test_architecture)
    from nikdesk.retrieval.build import BuildReport, Progress
    from nikdesk.retrieval.embedders import Embedder

log = logging.getLogger(__name__)
SOURCES = "sources.json"


class LocalLibrary:
    """The local library folder."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or data_dir() / "library"

    def sources(self) -> dict[str, str]:
        """Return bundle key -> the folder it was built from."""
        try:
            raw = json.loads((self.root / SOURCES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in raw.items()}

    def bundles(self) -> list[Path]:
        """Return the bundles that hold a valid manifest."""
        out = []
        for key in sorted(self.sources()):
            path = self.root / key
            if (path / "manifest.json").is_file():
                out.append(path)
        return out

    def add_folder(
        self, src: Path, embedder: Embedder, progress: Progress | None = None
    ) -> BuildReport:
        """Index ``src`` into its own bundle (incremental if it was added before)."""
        from nikdesk.retrieval.build import build_index

        src = src.resolve()
        key = doc_key(str(src))
        report = build_index(src, self.root / key, embedder, progress=progress)
        sources = self.sources() | {key: str(src)}
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{SOURCES}.{os.getpid()}"
        tmp.write_text(json.dumps(sources, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.root / SOURCES)
        return report

    def folders(self) -> list[Path]:
        """Return the folders of the local library (where the viewer finds their files)."""
        return [Path(p) for p in self.sources().values()]

    def rebuild(self, embedder: Embedder, progress: Progress | None = None) -> list[str]:
        """Re-index every folder with ``embedder`` (after a release changed the embedder)."""
        done = []
        for src in self.folders():
            if src.is_dir():
                self.add_folder(src, embedder, progress)
                done.append(str(src))
        return done


def with_local_library(release: Retriever, library: LocalLibrary | None = None) -> Retriever:
    """Return ``release`` searched together with the local library (itself if it is empty)."""
    library = library or LocalLibrary()
    parts = [release]
    for path in library.bundles():
        try:
            manifest = read_manifest(path)
        except NikDeskError as exc:
            log.warning("local library bundle %s unusable: %s", path, exc)
            continue
        if (manifest.embedder.name, manifest.embedder.dim) != (
            release.manifest.embedder.name,
            release.manifest.embedder.dim,
        ):
            log.warning("local library %s needs a rebuild for %s", path, release.manifest.embedder)
            continue
        parts.append(Retriever(path, release.embedder, manifest=manifest))
    if len(parts) == 1:
        return release
    from nikdesk.retrieval.combined import MultiRetriever

    return MultiRetriever(parts, release.reranker)
