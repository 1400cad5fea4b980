"""Compose a ready Retriever from an index path and backend names."""

from __future__ import annotations

from pathlib import Path

from nikdesk.paths import bundled_index_dir
from nikdesk.retrieval.bundle import read_manifest
from nikdesk.retrieval.embedders import create_embedder
from nikdesk.retrieval.hybrid import Retriever
from nikdesk.retrieval.rerank import Reranker, create_reranker


def default_index_path() -> Path:
    """Return the bundled index bundle (index/default)."""
    return bundled_index_dir() / "default"


def make_reranker(name: str) -> Reranker | None:
    """Create the reranker ``name`` ("none", "local", "cohere"), resolving keys and paths."""
    if name in ("", "none"):
        return None
    if name == "cohere":
        from nikdesk.storage.secrets import get_secret

        return create_reranker("cohere", api_key=get_secret("cohere"))
    if name == "local":
        from nikdesk.models import model_entry

        return create_reranker("local", model_dir=model_entry("cross-encoder").locate())
    return create_reranker(name)


def open_retriever(
    index: Path | None = None, embedder: str | None = None, reranker: str = "none"
) -> Retriever:
    """Open ``index`` with the embedder it was built with (or ``embedder``, checked)."""
    path = index or default_index_path()
    manifest = read_manifest(path)
    return Retriever(
        path, create_embedder(embedder or manifest.embedder.name), make_reranker(reranker)
    )
