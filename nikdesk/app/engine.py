"""Composition root: build the retriever and the agent once, the same way for every front end.

The window, the CLI, the benchmarks and (through the same functions) the server call these
instead of assembling settings -> retriever -> providers -> agent themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nikdesk.agent import Agent
from nikdesk.core.settings import Settings
from nikdesk.retrieval.hybrid import Retriever

Log = Callable[[str], None]


def resolve_index(
    settings: Settings, index: Path | None = None, log: Log | None = None, progress: Any = None
) -> Path:
    """Return the index to answer from: explicit, the settings' one, else the bundled default.

    The bundled default is built from the sample library on first run (``log``/``progress``
    report that build).
    """
    from nikdesk.app.sample import ensure_sample_index

    if index is not None:
        return index
    if settings.index_path:
        return Path(settings.index_path)
    return ensure_sample_index(log or (lambda _msg: None), progress)


def documents_dirs(settings: Settings, index: Path | None = None) -> tuple[Path, ...]:
    """Return where the manuals of the index live (the viewer opens them from there)."""
    from nikdesk.app.sample import ensure_sample_library

    dirs = [Path(d) for d in settings.library_dirs]
    if index is None and not settings.index_path:
        dirs.append(ensure_sample_library(lambda _msg: None))
    return tuple(dirs)


def open_search(
    settings: Settings,
    index: Path | None = None,
    *,
    embedder: str | None = None,
    reranker: str = "auto",
    log: Log | None = None,
    progress: Any = None,
) -> Retriever:
    """Open the hybrid retriever over the index ``settings`` (or ``index``) names."""
    from nikdesk.retrieval.open import open_retriever

    path = resolve_index(settings, index, log, progress)
    return open_retriever(path, embedder=embedder, reranker=reranker)


def open_agent(
    settings: Settings,
    index: Path | None = None,
    *,
    embedder: str | None = None,
    reranker: str = "auto",
    log: Log | None = None,
    progress: Any = None,
) -> Agent:
    """Build Nik: index (sample on first run), retriever, provider chain — once per process."""
    retriever = open_search(
        settings, index, embedder=embedder, reranker=reranker, log=log, progress=progress
    )
    return Agent(retriever, settings, documents_dirs=documents_dirs(settings, index))
