"""The library view with real widgets offscreen, real index builds with the e5 embedder."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer

from nikdesk.app.sample import ensure_sample_library
from nikdesk.retrieval import embedders
from nikdesk.retrieval.bundle import read_manifest
from nikdesk.retrieval.embedders import Embedder
from nikdesk.ui.library_view import LibraryView
from tests.conftest import e5_or_skip

MANUAL = "Nordlicht_NX-Hybrid_Installations-und_Servicehandbuch_DE.pdf"
BULLETIN = "Nordlicht_Servicemitteilung_SM-2026-04_NX-Hybrid_Firmware.md"


class GatedEmbedder(Embedder):
    """The real e5 embedder that waits at every batch until the test opens the gate."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name  # same vectors: bundles stay compatible with e5-small ones
        self.dim = inner.dim
        self.entered = threading.Event()
        self.gate = threading.Event()

    def embed_batch(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        self.entered.set()
        self.gate.wait(30)
        return self.inner.embed_batch(texts, is_query=is_query)


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> Iterator[GatedEmbedder]:
    embedder = GatedEmbedder(e5_or_skip())
    embedders.EMBEDDERS.register("gated-e5", lambda: embedder)  # removed after the test
    yield embedder
    embedder.gate.set()  # never leave a worker waiting


@pytest.fixture
def view(qtbot: Any) -> LibraryView:
    widget = LibraryView()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    return widget


def library(tmp_path: Path, *names: str, broken: bool = False) -> Path:
    """Copy sample library documents into a fresh folder (plus an unreadable PDF)."""
    src = tmp_path / "handbuecher"
    src.mkdir(exist_ok=True)
    docs = ensure_sample_library(lambda _msg: None)
    for name in names:
        shutil.copy2(docs / name, src / name)
    if broken:
        (src / "Defekt_Datenblatt.pdf").write_bytes(b"das ist kein PDF")
    return src


def leftovers(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.*"))


def test_lists_the_documents_of_the_index_and_opens_one(
    qtbot: Any, view: LibraryView, sample_index: Path
) -> None:
    assert view.status.text() == "Kein Index geöffnet."
    view.open_index(sample_index)
    assert view.model.rowCount() == 2 and view.status.text() == ""
    assert sorted(view.visible_files()) == sorted([MANUAL, BULLETIN])
    rows = {
        view.model.item(r, 1).text(): [view.model.item(r, c).text() for c in range(5)]
        for r in range(view.model.rowCount())
    }
    title, file, pages, language, manufacturer = rows[MANUAL]
    assert "NX-Hybrid" in title and file == MANUAL
    entry = next(d for d in read_manifest(sample_index).documents if d.file == MANUAL)
    assert int(pages) == entry.pages > 1
    assert language == "Deutsch" and manufacturer == "Nordlicht"
    assert view.count.text() == "2 Handbücher"

    view.filter.setText("firmware")
    assert view.visible_files() == [BULLETIN]
    assert view.count.text() == "1 von 2"
    view.filter.clear()

    row = view.visible_files().index(MANUAL)
    index = view.proxy.index(row, 0)
    with qtbot.waitSignal(view.openDocument, timeout=1000) as opened:
        view.table.activated.emit(index)  # what double-click and Enter emit
    assert opened.args == [MANUAL]

    assert not view.open_button.isEnabled()
    view.table.selectRow(view.visible_files().index(BULLETIN))
    assert view.open_button.isEnabled()
    with qtbot.waitSignal(view.openDocument, timeout=1000) as opened:
        view.open_button.click()
    assert opened.args == [BULLETIN]


def test_double_click_opens_the_document(qtbot: Any, view: LibraryView, sample_index: Path) -> None:
    view.open_index(sample_index)
    row = view.visible_files().index(MANUAL)
    rect = view.table.visualRect(view.proxy.index(row, 0))
    qtbot.waitExposed(view)
    viewport = view.table.viewport()
    with qtbot.waitSignal(view.openDocument, timeout=1000) as opened:
        # QTest sends a double click only after a first click, as a real mouse does
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [MANUAL]


def test_build_shows_progress_reports_in_german_and_emits_index_built(
    qtbot: Any, view: LibraryView, tmp_path: Path
) -> None:
    e5_or_skip()
    src = library(tmp_path, BULLETIN, broken=True)
    out = tmp_path / "index"
    stages: list[tuple[str, int, int]] = []
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    shown = view._on_progress

    def record(value: tuple[str, int, int]) -> None:
        stages.append(value)
        shown(value)

    view._on_progress = record  # type: ignore[method-assign]  # bound by start_build
    with qtbot.waitSignal(view.indexBuilt, timeout=120_000) as built:
        assert view.start_build(src, out, "e5-small") is not None
        assert view.progress.isVisible() and view.cancel_button.isEnabled()
        assert not view.add_button.isEnabled()
    timer.stop()

    assert built.args == [out]
    assert [s for s, _, _ in stages][-1] == "write"
    assert ("parse", 2, 2) in stages and any(s == "embed" for s, _, _ in stages)
    assert len(ticks) >= 3  # the loop ran while the build did
    assert not view.progress.isVisible() and view.add_button.isEnabled()
    assert view.status.text().startswith("Fertig")
    report = view.report_text()
    assert "1 Dokumente" in report and "Seiten mit Text" in report
    assert "Defekt_Datenblatt.pdf: kein PDF oder beschädigt" in report
    assert view.visible_files() == [BULLETIN]
    assert [d.relpath for d in read_manifest(out).documents] == [BULLETIN]


def test_cancel_keeps_the_previous_index_intact(
    qtbot: Any, view: LibraryView, tmp_path: Path, gated: GatedEmbedder
) -> None:
    src = library(tmp_path, BULLETIN)
    out = tmp_path / "index"
    gated.gate.set()
    with qtbot.waitSignal(view.indexBuilt, timeout=120_000):
        view.start_build(src, out, "gated-e5")
    before = read_manifest(out)
    files_before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    library(tmp_path, MANUAL)  # a new manual: the next build has to embed it
    gated.gate.clear()
    gated.entered.clear()
    failures: list[str] = []
    view.buildFailed.connect(failures.append)
    view.start_build(src, out, "gated-e5")
    assert gated.entered.wait(60), "the build never reached the embedder"
    view.cancel_button.click()
    assert not view.cancel_button.isEnabled()
    gated.gate.set()
    qtbot.waitUntil(lambda: not view.building, timeout=60_000)

    assert failures and failures[0].startswith("Abgebrochen")
    assert view.status.text().startswith("Abgebrochen")
    assert read_manifest(out) == before
    files_after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert files_after == files_before
    assert leftovers(out) == []
    assert view.add_button.isEnabled() and not view.progress.isVisible()


def test_cancelled_first_build_writes_no_index(
    qtbot: Any, view: LibraryView, tmp_path: Path, gated: GatedEmbedder
) -> None:
    src = library(tmp_path, BULLETIN)
    out = tmp_path / "index"
    built: list[object] = []
    view.indexBuilt.connect(built.append)
    view.start_build(src, out, "gated-e5")
    assert gated.entered.wait(60)
    view.cancel()
    gated.gate.set()
    qtbot.waitUntil(lambda: not view.building, timeout=60_000)
    assert view.status.text().startswith("Abgebrochen") and not built
    assert not out.exists() and leftovers(out) == []


def test_event_loop_keeps_running_while_an_index_builds(
    qtbot: Any, view: LibraryView, tmp_path: Path, gated: GatedEmbedder
) -> None:
    src = library(tmp_path, BULLETIN)
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    view.start_build(src, tmp_path / "index", "gated-e5")
    # the worker now waits inside the build; a blocked event loop would never tick
    qtbot.waitUntil(lambda: len(ticks) >= 20 and gated.entered.is_set(), timeout=30_000)
    assert view.building
    view.filter.setText("x")  # and the widgets still respond
    assert view.filter.text() == "x"
    gated.gate.set()
    qtbot.waitUntil(lambda: not view.building, timeout=60_000)
    timer.stop()
    assert view.status.text().startswith("Fertig")


def test_failure_is_a_german_message(qtbot: Any, view: LibraryView, tmp_path: Path) -> None:
    e5_or_skip()
    empty = tmp_path / "leer"
    empty.mkdir()
    (empty / "notiz.txt").write_text("kein Handbuch")
    with qtbot.waitSignal(view.buildFailed, timeout=60_000) as failed:
        view.start_build(empty, tmp_path / "index", "e5-small")
    message = failed.args[0]
    assert message.startswith("Keine Datei konnte indexiert werden")
    assert view.status.text() == message and "Traceback" not in message


def test_second_build_while_one_runs_is_refused(
    qtbot: Any, view: LibraryView, tmp_path: Path, gated: GatedEmbedder
) -> None:
    src = library(tmp_path, BULLETIN)
    assert view.start_build(src, tmp_path / "index", "gated-e5") is not None
    assert view.start_build(src, tmp_path / "index", "gated-e5") is None
    assert "läuft bereits" in view.status.text()
    gated.gate.set()
    qtbot.waitUntil(lambda: not view.building, timeout=60_000)


def test_add_folder_asks_for_a_directory_and_builds_into_the_index_path(
    qtbot: Any, tmp_path: Path, gated: GatedEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    src = library(tmp_path, BULLETIN)
    out = tmp_path / "app-index"
    view = LibraryView(index_path=out, embedder_name="gated-e5")
    qtbot.addWidget(view)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(src))
    gated.gate.set()
    with qtbot.waitSignal(view.indexBuilt, timeout=120_000) as built:
        view.add_button.click()
    assert built.args == [out] and view.last_source == src
    assert view.visible_files() == [BULLETIN]
