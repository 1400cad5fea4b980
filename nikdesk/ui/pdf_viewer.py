"""The built-in PDF viewer: a citation opens its page with the cited passage highlighted.

:class:`PdfViewer` holds the open document, the page shown and the zoom, and wires the parts:

* :mod:`nikdesk.ui.pdf_document` opens a manual (German reasons when it cannot) and finds the
  cited passage on its page;
* :mod:`nikdesk.ui.pdf_canvas` renders a page and paints the highlight over it;
* :mod:`nikdesk.ui.pdf_page_view` scrolls, pans and zooms the page;
* :mod:`nikdesk.ui.pdf_controls` builds the title line and the touch-sized toolbar.

None of them imports pymupdf at import time: a laptop that only searches does not pay its
~110 MB (``tests/ui/test_pdf_viewer.py``, ``tests/unit/test_architecture.py``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QApplication, QLabel, QStackedWidget, QVBoxLayout, QWidget

from nikdesk.ui.highlight import Rect
from nikdesk.ui.pdf_canvas import render_page
from nikdesk.ui.pdf_controls import PageControls, scaled
from nikdesk.ui.pdf_document import (
    Unviewable,
    damaged,
    document_title,
    find_passage,
    open_document,
    preload,
)
from nikdesk.ui.pdf_page_view import MAX_ZOOM, MIN_ZOOM, PageView

if TYPE_CHECKING:
    import pymupdf

__all__ = ["PdfViewer", "open_viewer_window", "preload"]

ZOOM_STEP = 1.25
RENDER_DELAY_MS = 60  # coalesce a burst of zoom/resize events into one render


class PdfViewer(QWidget):
    """Show a PDF page by page, with the cited passage highlighted; touch- and glove-sized.

    Signals:
        pageChanged(int): the 1-based page now shown (also after ``open``).
    """

    pageChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc: pymupdf.Document | None = None
        self._path: Path | None = None
        self._page = 0  # 1-based; 0 = nothing shown
        self._cited_page = 0
        self._cited: list[Rect] = []
        self._zoom = 1.0
        self._fit = True
        self._scroll_pending = False
        self.last_render_ms = 0.0
        self._render_timer = QTimer(self, singleShot=True, interval=RENDER_DELAY_MS)
        self._render_timer.timeout.connect(self._render)
        self._build()

    # -- public API ---------------------------------------------------------------------------

    def open(
        self, path: Path, page: int, highlight: str = "", passage: str = "", *, title: str = ""
    ) -> bool:
        """Show ``page`` (1-based) of ``path`` with ``highlight`` (else ``passage``) marked.

        Return False, after showing a German message in the viewer, when the file is missing,
        damaged or locked.
        """
        self.close_document()
        path = Path(path)
        self._path = path
        name = title or path.name
        try:
            doc = open_document(path, passage or highlight)
        except Unviewable as exc:
            return self._fail(name, str(exc))
        self._doc = doc
        self._title.setText(title or document_title(doc, path))
        self._title.setToolTip(str(path))
        self._cited_page = min(max(page, 1), doc.page_count)
        self._cited = self._find(self._cited_page, highlight, passage)
        self._controls.set_page_count(doc.page_count)
        self._stack.setCurrentWidget(self._scroll)
        self._controls.set_enabled(True)
        self._fit = True
        self._page = 0
        self.show_page(self._cited_page)
        return True

    def close_document(self) -> None:
        """Close the open document, if any, and show an empty viewer."""
        if self._doc is not None:
            self._doc.close()
        self._doc, self._page, self._cited_page, self._cited = None, 0, 0, []
        self._canvas.image, self._canvas.boxes = QImage(), []
        self._controls.set_enabled(False)

    def show_page(self, page: int) -> None:
        """Show the 1-based ``page`` (clamped to the document)."""
        if self._doc is None:
            return
        page = min(max(page, 1), self._doc.page_count)
        if page == self._page:
            return
        self._page = page
        self._scroll_pending = True
        self._controls.show_page(page, self._doc.page_count)
        self._render()
        self.pageChanged.emit(page)

    def next_page(self) -> None:
        """Show the following page."""
        self.show_page(self._page + 1)

    def previous_page(self) -> None:
        """Show the preceding page."""
        self.show_page(self._page - 1)

    def zoom_in(self) -> None:
        """Enlarge the page one step."""
        self.set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        """Shrink the page one step."""
        self.set_zoom(self._zoom / ZOOM_STEP)

    def set_zoom(self, zoom: float) -> None:
        """Show the page at ``zoom`` (1.0 = 72 dpi), leaving fit-width mode."""
        self._fit = False
        self._apply_zoom(zoom)

    def fit_width(self) -> None:
        """Scale the page to the viewer's width (the default)."""
        self._fit = True
        self._apply_zoom(self._fit_zoom())

    def current_page(self) -> int:
        """Return the 1-based page shown (0 when nothing is open)."""
        return self._page

    def page_count(self) -> int:
        """Return the number of pages of the open document (0 when nothing is open)."""
        return self._doc.page_count if self._doc is not None else 0

    def zoom(self) -> float:
        """Return the current zoom (1.0 = 72 dpi)."""
        return self._zoom

    def highlight_rects(self) -> list[Rect]:
        """Return the highlighted boxes of the page shown, in page points (unrotated)."""
        return list(self._cited) if self._page == self._cited_page else []

    def visible_rect(self) -> Rect:
        """Return the part of the page in view, in points of the page as shown."""
        return self._scroll.visible_rect()

    def message(self) -> str:
        """Return the message shown instead of a page ("" while a page is shown)."""
        return self._message.text() if self._stack.currentWidget() is self._message else ""

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        self._controls = controls = PageControls(
            self,
            previous_page=self.previous_page,
            next_page=self.next_page,
            show_page=self.show_page,
            zoom_out=self.zoom_out,
            fit_width=self.fit_width,
            zoom_in=self.zoom_in,
        )
        # the viewer's own handles on the controls it updates
        self._title, self._counter, self._spin = controls.title, controls.counter, controls.page
        self._prev, self._next = controls.previous, controls.next
        self._zoom_out, self._fit_button, self._zoom_in = (
            controls.zoom_out,
            controls.fit,
            controls.zoom_in,
        )

        self._scroll = PageView(self)
        self._canvas = self._scroll.canvas
        self._scroll.zoomRequested.connect(self._wheel_zoom)
        self._scroll.resized.connect(self._refit)
        self._message = QLabel(self)
        self._message.setWordWrap(True)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._message.setFont(scaled(self.font(), 1.2))
        self._message.setMargin(24)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._scroll)
        self._stack.addWidget(self._message)

        layout = QVBoxLayout(self)
        layout.addLayout(controls.header)
        layout.addLayout(controls.tools)
        layout.addWidget(self._stack, 1)

        shortcuts = (
            (QKeySequence(Qt.Key.Key_PageDown), self.next_page),
            (QKeySequence(Qt.Key.Key_PageUp), self.previous_page),
            (QKeySequence(QKeySequence.StandardKey.ZoomIn), self.zoom_in),
            (QKeySequence(QKeySequence.StandardKey.ZoomOut), self.zoom_out),
        )
        for keys, slot in shortcuts:
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        controls.set_enabled(False)

    def _fail(self, name: str, text: str) -> bool:
        self._title.setText(name)
        if self._doc is None:
            self._counter.setText("")
        self._message.setText(text)
        self._stack.setCurrentWidget(self._message)
        return False

    # -- highlighting, zoom, rendering --------------------------------------------------------

    def _find(self, page: int, highlight: str, passage: str) -> list[Rect]:
        if self._doc is None or not (highlight.strip() or passage.strip()):
            return []
        return find_passage(self._doc[page - 1], highlight, passage)

    def _fit_zoom(self) -> float:
        if self._doc is None or not self._page:
            return self._zoom
        return self._scroll.fit_zoom(self._doc[self._page - 1].rect.width)

    def _apply_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom so the page point under ``anchor`` (viewport coordinates) stays put."""
        zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        if self._doc is None or abs(zoom - self._zoom) < 1e-3:
            return
        self._zoom = zoom
        self._scroll.zoom_canvas(zoom, anchor)  # stretched now, sharp after the coalesced render
        self._render_timer.start()

    def _render(self) -> None:
        """Render the current page at the current zoom and device pixel ratio."""
        self._render_timer.stop()
        if self._doc is None or not self._page or not self.isVisible():
            return  # hidden: the width to fit is unknown; showEvent renders
        if self._fit:
            self._zoom = self._fit_zoom()
        page = self._doc[self._page - 1]
        dpr = self.devicePixelRatioF()
        started = time.perf_counter()
        try:
            image = render_page(page, self._zoom, dpr)
        except RuntimeError as exc:  # a damaged page in an otherwise readable file
            self._fail(self._title.text(), damaged(self._path or Path(), exc, self._page))
            return
        self.last_render_ms = (time.perf_counter() - started) * 1000
        self._stack.setCurrentWidget(self._scroll)
        self._canvas.set_page(page, image, self.highlight_rects(), self._zoom)
        if self._scroll_pending and self.isVisible():
            self._scroll_pending = False
            self._scroll.scroll_to_highlight()

    # -- events -------------------------------------------------------------------------------

    def _wheel_zoom(self, steps: float, anchor: QPointF) -> None:
        """Zoom by Ctrl+wheel ``steps`` about the page point under the pointer."""
        self._fit = False
        self._apply_zoom(self._zoom * ZOOM_STEP**steps, anchor)

    def _refit(self) -> None:
        """Re-fit the page after the page area was resized (a burst renders once)."""
        if self._fit:
            self._render_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        """Render at the real width once shown (``open`` may run before the first show)."""
        super().showEvent(event)
        if self._doc is not None and not event.spontaneous():  # not on un-minimising
            self._scroll_pending = True
            self._render()


def open_viewer_window(path: Path, page: int, highlight: str = "") -> PdfViewer:
    """Open a top-level viewer window for manual use (creates the QApplication if needed)."""
    if QApplication.instance() is None:
        QApplication(sys.argv)
    viewer = PdfViewer()
    viewer.setWindowTitle("NikDesk – Handbuch")
    viewer.resize(1000, 1100)
    viewer.open(Path(path), page, highlight)
    viewer.show()
    return viewer


if __name__ == "__main__":  # python -m nikdesk.ui.pdf_viewer FILE.pdf PAGE ["text to highlight"]
    window = open_viewer_window(Path(sys.argv[1]), int(sys.argv[2]), " ".join(sys.argv[3:]))
    sys.exit(QApplication.exec())
