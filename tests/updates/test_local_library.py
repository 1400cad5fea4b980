"""The technician's own manuals: searched next to the installed release, untouched by updates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nikdesk.agent import Agent, Settings
from nikdesk.agent.result import collect
from nikdesk.retrieval.combined import MultiRetriever
from nikdesk.retrieval.library import LocalLibrary
from nikdesk.retrieval.open import open_retriever
from nikdesk.retrieval.types import SearchFilters, SearchOptions
from nikdesk.updates.client import UpdateClient
from nikdesk.updates.keys import KeyRing, init_keys
from nikdesk.updates.publish import publish
from nikdesk.updates.repo import Repository
from nikdesk.updates.usb import export
from tests.conftest import e5_or_skip
from tests.updates.kit import tree_digest

OWN = (
    "# Lüfter-Nachrüstsatz LX-7 Montageanleitung\n\n"
    "## Fehler Q777\n\nQ777 bedeutet Lüfterausfall: Stecker X12 prüfen und Lüfter tauschen.\n\n"
    "## Wartung\n\nDen Filter alle sechs Monate reinigen.\n"
)


@pytest.fixture
def release(sample_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> UpdateClient:
    """The sample library installed as a signed release (from an exported file)."""
    from nikdesk.app.sample import sample_library_dir

    monkeypatch.setenv("NIKDESK_INDEX_DIR", str(tmp_path / "no-bundled-index"))
    keys = tmp_path / "keys"
    init_keys(keys)
    repo = Repository(tmp_path / "repo")
    publish(sample_index, repo, KeyRing(keys), sample_library_dir())
    export(repo, tmp_path / "stick")
    client = UpdateClient()
    client.trust(keys / "root.json")
    client.apply(str(tmp_path / "stick"))
    return client


def test_release_and_local_library_are_searched_together(
    release: UpdateClient, tmp_path: Path
) -> None:
    own = tmp_path / "eigene"
    own.mkdir()
    (own / "LX-7_Montage.md").write_text(OWN, encoding="utf-8")
    embedder = e5_or_skip()
    report = LocalLibrary().add_folder(own, embedder)
    assert report.indexed == ["LX-7_Montage.md"]

    retriever = open_retriever()
    try:
        assert isinstance(retriever, MultiRetriever)
        files = {d.file for d in retriever.documents}
        assert "LX-7_Montage.md" in files and any(f.startswith("Nordlicht") for f in files)
        top = retriever.search("Was bedeutet Q777?", SearchOptions(k=3))
        assert top[0].chunk.file == "LX-7_Montage.md"
        assert retriever.chunks([top[0].chunk.id])[top[0].chunk.id].text == top[0].chunk.text
        # the passages beside a hit come from the hit's own bundle, under global ids
        page = retriever.page_chunks(top[0].chunk)
        assert top[0].chunk in page and {c.file for c in page} == {"LX-7_Montage.md"}
        # a code of a named device: the passages quoting it are looked up in every bundle
        named = retriever.search("Nordlicht NX-Hybrid zeigt E050", SearchOptions(k=3))
        assert named[0].chunk.file.startswith("Nordlicht_NX-Hybrid")
        top = retriever.search("Der Wechselrichter zeigt E050", SearchOptions(k=3))
        assert top[0].chunk.file.startswith("Nordlicht_NX-Hybrid")
        assert top[0].chunk in retriever.page_chunks(top[0].chunk)
        only = retriever.search(
            "Filter reinigen", SearchOptions(k=3, filters=SearchFilters(files=("LX-7_Montage.md",)))
        )
        assert only and {h.chunk.file for h in only} == {"LX-7_Montage.md"}
        assert "LX-7_Montage.md" in {d.file for d in retriever.manifest.documents}
        # Nik answers from both: quoting weighs words over every bundle's chunks
        result = collect(Agent(retriever, Settings(provider="none")).run("Was bedeutet Q777?"))
        assert result.outcome == "answer", result.answer
        assert result.sources[0].file == "LX-7_Montage.md"
        assert "Lüfterausfall" in result.answer
    finally:
        retriever.close()


def test_updates_and_rollbacks_leave_the_local_library_alone(
    release: UpdateClient, sample_index: Path, tmp_path: Path
) -> None:
    own = tmp_path / "eigene"
    own.mkdir()
    (own / "LX-7_Montage.md").write_text(OWN, encoding="utf-8")
    library = LocalLibrary()
    library.add_folder(own, e5_or_skip())
    before = tree_digest(library.root)

    # release 2: the sample index without the service bulletin
    from nikdesk.app.sample import sample_library_dir

    docs = tmp_path / "docs2"
    shutil.copytree(sample_library_dir(), docs)
    for md in docs.glob("*.md"):
        md.unlink()
    index2 = tmp_path / "index2"
    from nikdesk.retrieval.build import build_index

    shutil.copytree(sample_index, index2)
    build_index(docs, index2, e5_or_skip())
    publish(index2, Repository(tmp_path / "repo"), KeyRing(tmp_path / "keys"), docs)
    export(Repository(tmp_path / "repo"), tmp_path / "stick2")
    release.apply(str(tmp_path / "stick2"))
    assert tree_digest(library.root) == before
    release.rollback()
    assert tree_digest(library.root) == before
    retriever = open_retriever()
    try:
        assert retriever.search("Q777", SearchOptions(k=1))[0].chunk.file == "LX-7_Montage.md"
    finally:
        retriever.close()
