"""Index builds on real PDFs: bad input skipped and reported, incremental, atomic, checked."""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from nikdesk.core.errors import IndexMismatch, IndexNotFound, NothingIndexed
from nikdesk.core.paths import resources_dir
from nikdesk.retrieval.build import build_index
from nikdesk.retrieval.bundle import read_manifest
from nikdesk.retrieval.embedders import Embedder
from nikdesk.retrieval.hybrid import Retriever
from nikdesk.retrieval.types import SearchOptions
from tests.conftest import e5_or_skip, require_manuals

SMALL_PDFS = ["SmartEVSE_v3_Installation_Manual_v3.0_EN.pdf", "go-e_Charger_Modbus_TCP_API.pdf"]


class CountingEmbedder(Embedder):
    """The real e5-small embedder, counting how many passages it was asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.passages = 0

    def embed_batch(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        if not is_query:
            self.passages += len(texts)
        return self.inner.embed_batch(texts, is_query=is_query)


@pytest.fixture(scope="module")
def e5() -> Embedder:
    return e5_or_skip()


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generate the fictional sample manual with its script (as `make run` does)."""
    script = resources_dir() / "sample_library" / "make_sample_manual.py"
    spec = importlib.util.spec_from_file_location("sample_manual", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (pdf,) = [p for p in module.build(tmp_path_factory.mktemp("sample")) if p.suffix == ".pdf"]
    return pdf


@pytest.fixture
def src(tmp_path: Path, sample_pdf: Path) -> Path:
    """A source folder: two small real manuals, the sample manual, and four broken files."""
    manuals = require_manuals()
    folder = tmp_path / "src"
    folder.mkdir()
    for name in SMALL_PDFS:
        shutil.copy(manuals / name, folder / name)
    shutil.copy(sample_pdf, folder / sample_pdf.name)
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "garbage.pdf").write_bytes(b"this is not a pdf at all\x00\x01" * 50)
    data = (manuals / SMALL_PDFS[1]).read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    import pymupdf

    doc = pymupdf.open(manuals / SMALL_PDFS[0])
    doc.save(
        folder / "encrypted.pdf",
        encryption=pymupdf.PDF_ENCRYPT_AES_256,
        user_pw="geheim",
        owner_pw="geheim2",
    )
    return folder


def test_bad_files_are_reported_and_the_rest_is_indexed(
    src: Path, tmp_path: Path, e5: Embedder
) -> None:
    report = build_index(src, tmp_path / "idx", e5)
    skipped = {s.relpath: s.reason for s in report.skipped}
    assert {"empty.pdf", "garbage.pdf", "encrypted.pdf"} <= set(skipped)
    assert "zero-byte" in skipped["empty.pdf"]
    assert "encrypted" in skipped["encrypted.pdf"]
    assert len(report.indexed) >= 3  # the three good PDFs (a truncated PDF may be salvaged)
    manifest = read_manifest(tmp_path / "idx")
    assert {s.relpath for s in manifest.skipped} == set(skipped)
    entry = next(d for d in manifest.documents if d.file == SMALL_PDFS[0])
    assert entry.pages == 2 and entry.chunks > 0 and entry.language == "en"
    assert len(entry.sha256) == 64 and manifest.embedder.name == "e5-small"


def test_out_folder_holding_other_files_is_refused_and_kept(
    src: Path, tmp_path: Path, e5: Embedder
) -> None:
    documents = tmp_path / "Dokumente"
    documents.mkdir()
    (documents / "Angebot.txt").write_text("nicht löschen", encoding="utf-8")
    with pytest.raises(IndexNotFound, match="not empty"):
        build_index(src, documents, e5)
    assert (documents / "Angebot.txt").read_text(encoding="utf-8") == "nicht löschen"
    with pytest.raises(IndexNotFound, match="outside"):
        build_index(src, src, e5)
    assert (src / SMALL_PDFS[0]).is_file()


def test_nothing_indexable_is_an_error(tmp_path: Path, e5: Embedder) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.pdf").write_bytes(b"")
    with pytest.raises(NothingIndexed, match=r"empty\.pdf"):
        build_index(folder, tmp_path / "idx", e5)


def test_incremental_rebuild_embeds_only_the_changed_document(
    src: Path, tmp_path: Path, e5: Embedder
) -> None:
    out = tmp_path / "idx"
    build_index(src, out, e5)
    first = read_manifest(out)

    counting = CountingEmbedder(e5)
    unchanged = build_index(src, out, counting)
    assert counting.passages == 0 and unchanged.indexed == []
    assert unchanged.bundle_version == first.bundle_version  # nothing changed, nothing rewritten

    # change one manual, remove another, add a third: only the new content is embedded
    shutil.copy(require_manuals() / "Victron_VE.Direct_Protocol_3.33.pdf", src / SMALL_PDFS[1])
    (src / SMALL_PDFS[0]).unlink()
    shutil.copy(require_manuals() / "Deye_SUN_Inverter_Modbus_EN.pdf", src / "Deye.pdf")
    report = build_index(src, out, counting)
    second = read_manifest(out)
    assert sorted(report.indexed) == sorted([SMALL_PDFS[1], "Deye.pdf"])
    assert report.removed == [SMALL_PDFS[0]]
    expected = sum(d.chunks for d in second.documents if d.relpath in report.indexed)
    assert counting.passages == expected
    assert second.bundle_version == first.bundle_version + 1
    hits = Retriever(out, e5).search("VE.Direct serial port baud rate", SearchOptions(k=3))
    assert hits and hits[0].file == SMALL_PDFS[1]  # the new content of the changed file is found


def test_interrupted_build_leaves_the_old_bundle_intact(
    src: Path, tmp_path: Path, e5: Embedder
) -> None:
    out = tmp_path / "idx"
    build_index(src, out, e5)
    before = (out / "manifest.json").read_text()

    class Crash(Embedder):
        name, dim = e5.name, e5.dim

        def embed_batch(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
            raise KeyboardInterrupt  # the admin pressed Ctrl+C mid-embedding

    shutil.copy(require_manuals() / "Deye_SUN_Inverter_Modbus_EN.pdf", src / "Deye.pdf")
    with pytest.raises(KeyboardInterrupt):
        build_index(src, out, Crash())
    assert (out / "manifest.json").read_text() == before
    assert not list(tmp_path.glob(".idx.tmp-*")), "temp dir of the aborted build left behind"
    assert Retriever(out, e5).search("ERROR NO CURRENT", SearchOptions(k=1))


def test_crash_between_swap_renames_is_healed(src: Path, tmp_path: Path, e5: Embedder) -> None:
    out = tmp_path / "idx"
    build_index(src, out, e5)
    # simulate a power cut after "rename live -> .old" but before "rename tmp -> live"
    old = tmp_path / ".idx.old-999"
    out.rename(old)
    (tmp_path / ".idx.tmp-999").mkdir()  # half-written new bundle without manifest
    manifest = read_manifest(out)  # opening heals
    assert manifest.documents and (out / "vectors.faiss").is_file()


def test_bundle_with_other_embedder_is_refused(src: Path, tmp_path: Path, e5: Embedder) -> None:
    out = tmp_path / "idx"
    build_index(src, out, e5)
    raw = json.loads((out / "manifest.json").read_text())

    class Other(CountingEmbedder):
        pass

    other = Other(e5)
    other.name = "minilm"
    with pytest.raises(IndexMismatch, match="e5-small"):
        Retriever(out, other)
    assert raw["embedder"] == {"name": "e5-small", "dim": 384}
