"""Compose a ready Retriever from an index path and backend names."""

from __future__ import annotations

from pathlib import Path

from nikdesk.core.errors import ModelMissing
from nikdesk.core.models import model_entry
from nikdesk.core.paths import bundled_index_dir
from nikdesk.retrieval.bundle import read_manifest
from nikdesk.retrieval.embedders import create_embedder
from nikdesk.retrieval.hybrid import Retriever
from nikdesk.retrieval.rerank import FallbackReranker, NoReranker, Reranker, create_reranker
from nikdesk.storage.secrets import get_secret


def default_index_path() -> Path:
    """Return the installed signed release if there is one, else the bundled index."""
    from nikdesk.storage.installed_release import installed_release_path

    return installed_release_path() or bundled_index_dir() / "default"


def make_reranker(name: str) -> Reranker | None:
    """Create the reranker ``name``: "none", "local", "cohere" or "auto".

    "auto" is the product setting: Cohere when a key is configured (falling back to the
    local cross-encoder, or to no reranking, whenever Cohere is unreachable), else the local
    cross-encoder if one is in models/, else none.
    """
    if name in ("", "none"):
        return None
    if name == "local":
        return create_reranker("local", model_dir=model_entry("cross-encoder").locate())
    if name == "cohere":
        return create_reranker("cohere", api_key=get_secret("cohere"))
    if name == "auto":
        try:
            local: Reranker = create_reranker(
                "local", model_dir=model_entry("cross-encoder").locate()
            )
        except ModelMissing:
            local = create_reranker("none")
        key = get_secret("cohere")
        if key:
            return FallbackReranker(create_reranker("cohere", api_key=key), local)
        return None if isinstance(local, NoReranker) else local
    return create_reranker(name)


def open_retriever(
    index: Path | None = None, embedder: str | None = None, reranker: str = "none"
) -> Retriever:
    """Open ``index`` with the embedder it was built with (or ``embedder``, checked).

    Without ``index`` (or with the default one): the installed release, or the bundled index,
    searched together with the technician's local library.
    """
    path = index or default_index_path()
    manifest = read_manifest(path)
    retriever = Retriever(
        path,
        create_embedder(embedder or manifest.embedder.name),
        make_reranker(reranker),
        manifest=manifest,  # read once
    )
    if index is not None and index != default_index_path():
        return retriever  # an index named explicitly is searched alone
    from nikdesk.retrieval.library import with_local_library

    return with_local_library(retriever)  # the technician's own manuals next to the release
