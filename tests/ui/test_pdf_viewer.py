"""The PDF viewer, offscreen, on the generated sample manual and the real corpus."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QPushButton

from nikdesk.app.sample import ensure_sample_library
from nikdesk.ui.highlight import Rect
from nikdesk.ui.pdf_viewer import PdfViewer
from tests.conftest import SHARED

SAMPLE = "Nordlicht_NX-Hybrid_Installations-und_Servicehandbuch_DE.pdf"
E050_ROW = (
    "E050 | Isolationsfehler PV | Isolationswiderstand < 1 MΩ zwischen PV+ bzw. PV− und PE | "
    "Isolationswiderstand jedes Strings einzeln mit einem Isolationsmessgerät (1000 V DC) "
    "prüfen; beschädigte Leitungen, feuchte Steckverbinder und Module suchen. "
    "Tritt oft morgens bei Tau auf."
)


@pytest.fixture(scope="module")
def sample_pdf() -> Path:
    return ensure_sample_library(lambda _msg: None) / SAMPLE


@pytest.fixture
def viewer(qtbot: Any) -> PdfViewer:
    view = PdfViewer()
    qtbot.addWidget(view)
    view.resize(900, 1000)
    view.show()
    qtbot.waitExposed(view)
    return view


def contains(outer: Rect, inner: Any) -> bool:
    return (
        outer.x0 <= inner.x0 + 0.5
        and outer.y0 <= inner.y0 + 0.5
        and inner.x1 <= outer.x1 + 0.5
        and inner.y1 <= outer.y1 + 0.5
    )


def in_view(viewer: PdfViewer, rects: list[Rect]) -> bool:
    view = viewer.visible_rect()
    return all(view.y0 <= r.y0 and r.y1 <= view.y1 for r in rects)


def test_opens_the_cited_page_with_the_error_table_row_highlighted(
    qtbot: Any, viewer: PdfViewer, sample_pdf: Path
) -> None:
    with qtbot.waitSignal(viewer.pageChanged) as changed:
        assert viewer.open(sample_pdf, 12, highlight=E050_ROW, passage=E050_ROW)
    assert changed.args == [12]
    assert viewer.current_page() == 12 and viewer.page_count() == 15
    assert viewer.message() == ""
    rects = viewer.highlight_rects()
    assert len(rects) >= 1
    with pymupdf.open(sample_pdf) as doc:
        hits = doc[11].search_for("E050")  # the row's code cell, and "siehe E050." in E030's row
    code_cell = min(hits, key=lambda r: r.x0)
    see_also = max(hits, key=lambda r: r.x0)
    assert any(contains(r, code_cell) for r in rects)
    assert not any(contains(r, see_also) for r in rects)
    qtbot.waitUntil(lambda: in_view(viewer, rects), timeout=2000)


def test_highlight_is_painted_yellow_over_the_row_and_nowhere_else(
    qtbot: Any, viewer: PdfViewer, sample_pdf: Path, tmp_path: Path
) -> None:
    viewer.open(sample_pdf, 12, highlight=E050_ROW)
    qtbot.waitUntil(lambda: in_view(viewer, viewer.highlight_rects()), timeout=2000)
    shot = viewer.grab()
    assert shot.save(str(tmp_path / "viewer.png"))
    image = shot.toImage()
    view, zoom = viewer.visible_rect(), viewer.zoom()
    origin = viewer._scroll.viewport().mapTo(viewer, QPoint(0, 0))  # page area in the shot
    ratio = image.devicePixelRatio()

    def yellow_share(box: Rect) -> float:
        """Return the share of pixels in a page box that are tinted yellow."""
        x0, y0 = (box.x0 - view.x0) * zoom + origin.x(), (box.y0 - view.y0) * zoom + origin.y()
        x1, y1 = (box.x1 - view.x0) * zoom + origin.x(), (box.y1 - view.y0) * zoom + origin.y()
        pixels = [
            QColor(image.pixel(round(x * ratio), round(y * ratio)))
            for x in range(round(x0), round(x1))
            for y in range(round(y0), round(y1))
        ]
        tinted = [
            c for c in pixels if c.red() > 200 and c.green() > 180 and c.red() - c.blue() > 60
        ]
        return len(tinted) / max(len(pixels), 1)

    row = viewer.highlight_rects()[0]
    assert yellow_share(row) > 0.5  # the glyphs are dark, the paper between them yellow
    row_above = Rect(row.x0, row.y0 - 40, row.x1, row.y0 - 30)  # E030's code cell
    assert yellow_share(row_above) == 0


def test_real_english_manual_paragraph_is_highlighted(qtbot: Any, viewer: PdfViewer) -> None:
    pdf = SHARED / "corpus" / "manuals" / "Fronius_Datamanager_Manual_EN.pdf"
    if not pdf.is_file():
        pytest.skip(f"real corpus not found at {pdf.parent} (set NIKDESK_SHARED)")
    assert viewer.open(pdf, 21, highlight="Flashes red: During an update process")
    rects = viewer.highlight_rects()
    assert len(rects) == 1
    with pymupdf.open(pdf) as doc:
        r = rects[0]
        text = doc[20].get_textbox(pymupdf.Rect(r.x0, r.y0, r.x1, r.y1))
    assert text.strip() == "Flashes red: During an update process"
    qtbot.waitUntil(lambda: in_view(viewer, rects), timeout=2000)


def test_navigation_by_buttons_keys_and_page_field(
    qtbot: Any, viewer: PdfViewer, sample_pdf: Path
) -> None:
    viewer.open(sample_pdf, 12, highlight=E050_ROW)
    assert "Seite 12 von 15" in viewer._counter.text()
    with qtbot.waitSignal(viewer.pageChanged) as changed:
        qtbot.mouseClick(viewer._next, Qt.MouseButton.LeftButton)
    assert changed.args == [13] and viewer.current_page() == 13
    assert viewer.highlight_rects() == []  # the highlight belongs to the cited page
    assert "Seite 13 von 15" in viewer._counter.text()
    viewer._scroll.setFocus()
    with qtbot.waitSignal(viewer.pageChanged) as changed:
        qtbot.keyClick(viewer._scroll, Qt.Key.Key_PageUp)
    assert changed.args == [12] and viewer.highlight_rects()
    qtbot.keyClick(viewer._scroll, Qt.Key.Key_PageDown)
    assert viewer.current_page() == 13
    viewer._spin.setValue(3)  # what typing "3" + Enter in the page field does
    assert viewer.current_page() == 3
    viewer.show_page(1)
    assert not viewer._prev.isEnabled() and viewer._next.isEnabled()
    viewer.show_page(99)
    assert viewer.current_page() == 15 and not viewer._next.isEnabled()


def test_zoom_buttons_ctrl_wheel_and_fit_width(
    qtbot: Any, viewer: PdfViewer, sample_pdf: Path
) -> None:
    viewer.open(sample_pdf, 12)
    fit = viewer.zoom()
    page_width = viewer._canvas.width()
    assert abs(page_width - viewer._scroll.viewport().width()) <= 2  # fit width by default
    qtbot.mouseClick(viewer._zoom_in, Qt.MouseButton.LeftButton)
    assert viewer.zoom() == pytest.approx(fit * 1.25)
    wheel = QWheelEvent(
        QPointF(100, 100),
        QPointF(100, 100),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewer._scroll.viewport(), wheel)
    assert viewer.zoom() == pytest.approx(fit * 1.25**2)
    qtbot.waitUntil(lambda: viewer._canvas.image.width() > page_width * 1.4, timeout=2000)
    qtbot.mouseClick(viewer._fit_button, Qt.MouseButton.LeftButton)
    assert viewer.zoom() == pytest.approx(fit)


def test_touch_targets_and_german_header(viewer: PdfViewer, sample_pdf: Path) -> None:
    viewer.open(sample_pdf, 1)
    buttons = viewer.findChildren(QPushButton)
    assert len(buttons) >= 5
    for button in buttons:
        hint = button.minimumSize()
        assert hint.width() >= 44 and hint.height() >= 44, button.toolTip()
    assert viewer._spin.minimumHeight() >= 44
    assert "NX-Hybrid" in viewer._title.text()
    assert viewer._counter.text() == "Seite 1 von 15"


def test_missing_manual_shows_a_german_message_with_the_expected_path(
    viewer: PdfViewer, sample_pdf: Path, tmp_path: Path
) -> None:
    viewer.open(sample_pdf, 12, highlight=E050_ROW)
    missing = tmp_path / "Handbuecher" / "SMA_Sunny_Boy_DE.pdf"
    assert viewer.open(missing, 3, highlight="irgendwas") is False
    message = viewer.message()
    assert "Das Handbuch „SMA_Sunny_Boy_DE.pdf“ liegt auf diesem Laptop nicht vor" in message
    assert str(missing) in message
    assert viewer.current_page() == 0 and viewer.highlight_rects() == []
    assert not viewer._next.isEnabled()
    assert viewer.open(sample_pdf, 2)  # and the viewer recovers
    assert viewer.message() == "" and viewer.current_page() == 2


def test_damaged_manual_shows_a_german_message(viewer: PdfViewer, tmp_path: Path) -> None:
    broken = tmp_path / "kaputt.pdf"
    broken.write_bytes(b"%PDF-1.4\n kein echtes PDF")
    assert viewer.open(broken, 1) is False
    assert "beschädigt" in viewer.message() and str(broken) in viewer.message()


def test_non_pdf_source_shows_the_cited_passage_instead(viewer: PdfViewer, tmp_path: Path) -> None:
    bulletin = tmp_path / "Servicemitteilung_SM-2026-04.md"
    bulletin.write_text("# Firmware 2.4\n\nNach dem Update E050 quittieren.", encoding="utf-8")
    assert viewer.open(bulletin, 1, passage="Nach dem Update E050 quittieren.") is False
    assert "ist kein PDF" in viewer.message()
    assert "Nach dem Update E050 quittieren." in viewer.message()


def test_open_before_show_scrolls_once_shown(qtbot: Any, sample_pdf: Path) -> None:
    view = PdfViewer()
    qtbot.addWidget(view)
    view.open(sample_pdf, 12, highlight=E050_ROW)
    view.resize(700, 600)
    view.show()
    qtbot.waitExposed(view)
    assert abs(view._canvas.width() - view._scroll.viewport().width()) <= 2
    assert in_view(view, view.highlight_rects())


def test_importing_the_viewer_does_not_load_pymupdf() -> None:
    code = (
        "import sys, nikdesk.ui.pdf_viewer\n"
        "assert 'pymupdf' not in sys.modules, 'pymupdf loaded at import time'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_screenshot_is_a_real_page(viewer: PdfViewer, sample_pdf: Path) -> None:
    viewer.open(sample_pdf, 12, highlight=E050_ROW)
    image: QImage = viewer._canvas.image
    assert not image.isNull() and image.width() >= viewer._scroll.viewport().width() - 30
    assert viewer.last_render_ms > 0
