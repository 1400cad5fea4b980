"""The real-corpus index, built once per content hash and cached across test runs."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.conftest import MANUALS, ROOT, e5_or_skip, require_manuals

CACHE = Path(os.environ.get("NIKDESK_TEST_CACHE", ROOT / ".cache"))
_CODE = [
    "nikdesk/ingest",
    "nikdesk/retrieval/build.py",
    "nikdesk/retrieval/bundle.py",
    "nikdesk/core/text.py",
    "nikdesk/retrieval/embedders.py",
]


def corpus_fingerprint(src: Path, embedder: str) -> str:
    """Hash the corpus files and the code that shapes the index."""
    digest = hashlib.sha256(embedder.encode())
    files = sorted(src.rglob("*.pdf"))
    for rel in _CODE:
        path = ROOT / rel
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    for f in files:
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def corpus_index() -> Path:
    """Return a full index of ../shared/corpus/manuals (e5-small), building it if needed."""
    src = require_manuals()
    from nikdesk.retrieval.build import build_index

    out = CACHE / f"corpus-index-{corpus_fingerprint(src, 'e5-small')}"
    if not (out / "manifest.json").is_file():
        build_index(MANUALS, out, e5_or_skip())
    link = CACHE / "corpus-index"  # stable name for `make eval`: always the current code's index
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(out.name)
    return out


@pytest.fixture(scope="session")
def corpus_retriever(corpus_index: Path):  # type: ignore[no-untyped-def]
    """Return a Retriever on the real-corpus index (models loaded once per session)."""
    from nikdesk.retrieval.open import open_retriever

    return open_retriever(corpus_index)
