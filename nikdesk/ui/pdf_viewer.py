"""The built-in PDF viewer: a citation opens its page with the cited passage highlighted.

Pages are rendered with pymupdf into a QImage shown in a scroll area, not with QtPdf:

* pymupdf is already a dependency (ingest), so the viewer adds no Qt module (QtPdf is not in
  PySide6-Essentials; it needs the much larger PySide6-Addons in every frozen build) and it
  renders identically from source and frozen;
* it yields the page's words in the very coordinates ingest read the chunk from, which is what
  :mod:`nikdesk.ui.highlight` needs to find a passage whose text ingest normalised (ligatures,
  hyphenation, table cells joined by " | ") — QtPdf's search only knows the raw text.

pymupdf is imported when a document is opened, never at import time: a laptop that only
searches does not pay its ~110 MB (``tests/unit/test_architecture.py``).

Rendering stays on the UI thread, deliberately. At fit width (860-1360 px) the pages of the
real manuals render in 5-7 ms median, 35 ms p95, 74 ms worst (vector-art heavy installation
guides) — under the 100 ms budget. A worker would not help anyway: pymupdf runs MuPDF
single-threaded and holds the GIL for a whole render, so the UI thread would wait for it just
the same. Bursts (Ctrl+wheel, window resizing) are coalesced into one render, and the old image
is shown scaled meanwhile.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShortcut,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nikdesk.ingest.text import meaningful_title
from nikdesk.ui.highlight import Rect, find_highlight, words_from

if TYPE_CHECKING:
    import pymupdf

TOUCH = 44  # px: the smallest target a gloved finger hits reliably
MARGIN = 12  # px around the page inside the scroll area
MIN_ZOOM, MAX_ZOOM = 0.25, 5.0  # 1.0 = 72 dpi
ZOOM_STEP = 1.25
PAD = 1.5  # points: highlight boxes reach slightly past the glyphs
FILL = QColor(255, 221, 0, 96)  # translucent yellow: the text stays readable beneath
OUTLINE = QColor(214, 84, 0)  # strong orange edge: still visible on a washed-out screen
RENDER_DELAY_MS = 60  # coalesce a burst of zoom/resize events into one render


class _PageCanvas(QWidget):
    """Paint one rendered page and the highlight boxes over it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.boxes: list[QRectF] = []  # in page points (rotated page), scaled at paint time
        self.zoom = 1.0
        self.page_size = QSize(0, 0)  # in points
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_zoom(self, zoom: float) -> None:
        """Resize to the page at ``zoom``; the current image is stretched until re-rendered."""
        self.zoom = zoom
        w = round(self.page_size.width() * zoom) + 2 * MARGIN
        h = round(self.page_size.height() * zoom) + 2 * MARGIN
        self.setFixedSize(w, h)
        self.update()

    def page_box(self, box: QRectF) -> QRectF:
        """Return a page-point box in widget coordinates."""
        z = self.zoom
        return QRectF(MARGIN + box.x() * z, MARGIN + box.y() * z, box.width() * z, box.height() * z)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(96, 96, 96))
        target = QRectF(MARGIN, MARGIN, self.width() - 2 * MARGIN, self.height() - 2 * MARGIN)
        if self.image.isNull():
            painter.fillRect(target, Qt.GlobalColor.white)
        else:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, self.image)
        if self.boxes:
            boxes = [self.page_box(b) for b in self.boxes]
            outline = QPainterPath()
            outline.setFillRule(Qt.FillRule.WindingFill)  # overlaps are inside, not holes
            for box in boxes:  # padded lines of one cell/paragraph overlap: one outline each
                outline.addRect(box)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(OUTLINE, 2.5))
            painter.setBrush(FILL)
            painter.drawPath(outline.simplified())
            # a bar in the left margin finds the passage at a glance, even zoomed in
            top = min(b.top() for b in boxes)
            bottom = max(b.bottom() for b in boxes)
            painter.fillRect(QRectF(2, top, MARGIN - 4, bottom - top), OUTLINE)
        painter.end()


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
        if not path.is_file():
            return self._fail(
                name,
                f"Das Handbuch „{path.name}“ liegt auf diesem Laptop nicht vor.\n\n"
                f"Erwartet unter:\n{path}\n\n"
                "Bitte die Handbuch-Bibliothek aktualisieren oder die Datei dorthin kopieren.",
            )
        if path.suffix.lower() != ".pdf":  # a Markdown service bulletin, say: no pages to show
            return self._fail(
                name,
                f"„{path.name}“ ist kein PDF und wird hier nicht als Seite angezeigt.\n\n"
                f"Zitierter Abschnitt:\n{passage or highlight}",
            )
        import pymupdf  # here, not at module level: searching must not load the PDF stack

        try:
            doc = pymupdf.open(path, filetype="pdf")
        except (RuntimeError, ValueError) as exc:  # FileDataError is a RuntimeError
            return self._fail(name, _damaged(path, exc))
        if doc.needs_pass:
            doc.close()
            return self._fail(
                name,
                f"Das Handbuch „{path.name}“ ist passwortgeschützt und kann hier nicht "
                f"angezeigt werden.\n\nDatei:\n{path}",
            )
        if doc.page_count == 0:
            doc.close()
            return self._fail(name, _damaged(path, "keine Seiten"))
        self._doc = doc
        meta_title = meaningful_title((doc.metadata or {}).get("title") or "")
        self._title.setText(title or meta_title or path.stem.replace("_", " "))
        self._title.setToolTip(str(path))
        self._cited_page = min(max(page, 1), doc.page_count)
        self._cited = self._find(self._cited_page, highlight, passage)
        self._spin.blockSignals(True)
        self._spin.setRange(1, doc.page_count)
        self._spin.blockSignals(False)
        self._stack.setCurrentWidget(self._scroll)
        self._set_nav_enabled(True)
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
        self._set_nav_enabled(False)

    def show_page(self, page: int) -> None:
        """Show the 1-based ``page`` (clamped to the document)."""
        if self._doc is None:
            return
        page = min(max(page, 1), self._doc.page_count)
        if page == self._page:
            return
        self._page = page
        self._scroll_pending = True
        self._spin.blockSignals(True)
        self._spin.setValue(page)
        self._spin.blockSignals(False)
        self._counter.setText(f"Seite {page} von {self._doc.page_count}")
        self._prev.setEnabled(page > 1)
        self._next.setEnabled(page < self._doc.page_count)
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
        view = (
            self._scroll.viewport()
            .rect()
            .translated(
                self._scroll.horizontalScrollBar().value(), self._scroll.verticalScrollBar().value()
            )
        )
        z = self._canvas.zoom
        return Rect(
            (view.left() - MARGIN) / z,
            (view.top() - MARGIN) / z,
            (view.right() - MARGIN) / z,
            (view.bottom() - MARGIN) / z,
        )

    def message(self) -> str:
        """Return the message shown instead of a page ("" while a page is shown)."""
        return self._message.text() if self._stack.currentWidget() is self._message else ""

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        self._title = QLabel(self)
        self._title.setFont(_scaled(self.font(), 1.3, bold=True))
        self._title.setMinimumWidth(1)  # a long title must not widen the window
        self._counter = QLabel(self)
        self._counter.setFont(_scaled(self.font(), 1.2))
        header = QHBoxLayout()
        header.addWidget(self._title, 1)
        header.addWidget(self._counter)

        self._prev = _button("◀", "Vorherige Seite (Bild ↑)", self.previous_page)
        self._next = _button("▶", "Nächste Seite (Bild ↓)", self.next_page)
        self._spin = QSpinBox(self)
        self._spin.setMinimumSize(90, TOUCH)
        self._spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)  # too small for gloves
        self._spin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._spin.setFont(_scaled(self.font(), 1.3))
        self._spin.setKeyboardTracking(False)  # jump on Enter, not on every digit typed
        self._spin.setAccessibleName("Seitenzahl")
        self._spin.setToolTip("Seitenzahl eingeben und Enter drücken")
        self._spin.valueChanged.connect(self.show_page)
        self._zoom_out = _button("−", "Verkleinern (Strg+Minus)", self.zoom_out)
        self._fit_button = _button("Breite", "An Fensterbreite anpassen", self.fit_width)
        self._zoom_in = _button("+", "Vergrößern (Strg+Plus)", self.zoom_in)
        tools = QHBoxLayout()
        for widget in (self._prev, self._spin, self._next):
            tools.addWidget(widget)
        tools.addStretch(1)
        for widget in (self._zoom_out, self._fit_button, self._zoom_in):
            tools.addWidget(widget)

        self._canvas = _PageCanvas()
        self._scroll = QScrollArea(self)
        self._scroll.setWidget(self._canvas)
        self._scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        # always on: a scrollbar appearing would narrow the page, re-fit it, and loop
        self._scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self._scroll.viewport().installEventFilter(self)
        # drag to pan: touchscreens, and resistive ones (they work with gloves) send mouse events
        QScroller.grabGesture(
            self._scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
        )
        self._message = QLabel(self)
        self._message.setWordWrap(True)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._message.setFont(_scaled(self.font(), 1.2))
        self._message.setMargin(24)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._scroll)
        self._stack.addWidget(self._message)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(tools)
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
        self._set_nav_enabled(False)

    def _set_nav_enabled(self, enabled: bool) -> None:
        for widget in (self._prev, self._next, self._spin, self._zoom_in, self._zoom_out):
            widget.setEnabled(enabled)
        self._fit_button.setEnabled(enabled)

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
        words = words_from(self._doc[page - 1].get_text("words"))
        return find_highlight(words, highlight, passage)

    def _fit_zoom(self) -> float:
        if self._doc is None or not self._page:
            return self._zoom
        width = self._doc[self._page - 1].rect.width
        available = self._scroll.viewport().width() - 2 * MARGIN
        return min(max(available / width, MIN_ZOOM), MAX_ZOOM) if width > 0 else 1.0

    def _apply_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom so the page point under ``anchor`` (viewport coordinates) stays put."""
        zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        if self._doc is None or abs(zoom - self._zoom) < 1e-3:
            return
        if anchor is None:
            anchor = QPointF(self._scroll.viewport().rect().center())
        hbar, vbar = self._scroll.horizontalScrollBar(), self._scroll.verticalScrollBar()
        old = self._canvas.zoom
        x = (hbar.value() + anchor.x() - MARGIN) / old
        y = (vbar.value() + anchor.y() - MARGIN) / old
        self._zoom = zoom
        self._canvas.set_zoom(zoom)  # stretched now, sharp after the coalesced render
        hbar.setValue(round(x * zoom + MARGIN - anchor.x()))
        vbar.setValue(round(y * zoom + MARGIN - anchor.y()))
        self._render_timer.start()

    def _render(self) -> None:
        """Render the current page at the current zoom and device pixel ratio."""
        self._render_timer.stop()
        if self._doc is None or not self._page or not self.isVisible():
            return  # hidden: the width to fit is unknown; showEvent renders
        import pymupdf

        if self._fit:
            self._zoom = self._fit_zoom()
        page = self._doc[self._page - 1]
        dpr = self.devicePixelRatioF()
        scale = self._zoom * dpr
        started = time.perf_counter()
        try:
            pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False)
        except RuntimeError as exc:  # a damaged page in an otherwise readable file
            self._fail(self._title.text(), _damaged(self._path or Path(), exc, self._page))
            return
        image = QImage(pix.samples, pix.width, pix.height, pix.stride, QImage.Format.Format_RGB888)
        image = image.copy()  # detach from pymupdf's buffer
        image.setDevicePixelRatio(dpr)
        self.last_render_ms = (time.perf_counter() - started) * 1000
        self._stack.setCurrentWidget(self._scroll)
        rotation = page.rotation_matrix
        self._canvas.page_size = QSize(round(page.rect.width), round(page.rect.height))
        self._canvas.image = image
        self._canvas.boxes = [_to_qrect(r, rotation) for r in self.highlight_rects()]
        self._canvas.set_zoom(self._zoom)
        if self._scroll_pending and self.isVisible():
            self._scroll_pending = False
            self._scroll_to_highlight()

    def _scroll_to_highlight(self) -> None:
        """Bring the highlight into view (upper third), or the page top when there is none."""
        vbar, hbar = self._scroll.verticalScrollBar(), self._scroll.horizontalScrollBar()
        if not self._canvas.boxes:
            vbar.setValue(0)
            hbar.setValue(0)
            return
        boxes = [self._canvas.page_box(b) for b in self._canvas.boxes]
        top = min(b.top() for b in boxes)
        left = min(b.left() for b in boxes)
        vbar.setValue(round(top - self._scroll.viewport().height() / 4))
        if left < hbar.value() or left > hbar.value() + self._scroll.viewport().width() - TOUCH:
            hbar.setValue(round(left - MARGIN))

    # -- events -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Zoom on Ctrl+wheel over the page; re-fit when the page area changes width."""
        if watched is self._scroll.viewport():
            if event.type() == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
                if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                    steps = event.angleDelta().y() / 120  # one notch = 120; touchpads send less
                    if steps:
                        self._fit = False
                        self._apply_zoom(self._zoom * ZOOM_STEP**steps, event.position())
                    return True
            elif isinstance(event, QResizeEvent) and self._fit and event.size() != event.oldSize():
                self._render_timer.start()
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:
        """Render at the real width once shown (``open`` may run before the first show)."""
        super().showEvent(event)
        if self._doc is not None and not event.spontaneous():  # not on un-minimising
            self._scroll_pending = True
            self._render()


def _scaled(font: QFont, factor: float, bold: bool = False) -> QFont:
    """Return ``font`` enlarged relative to the theme's size (so the text-size setting holds)."""
    font = QFont(font)
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def _button(text: str, tip: str, slot: Callable[[], None]) -> QPushButton:
    button = QPushButton(text)
    button.setMinimumSize(TOUCH, TOUCH)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setFont(_scaled(button.font(), 1.3, bold=True))
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a tap must not steal focus from the page
    button.clicked.connect(slot)
    return button


def _to_qrect(rect: Rect, rotation: pymupdf.Matrix) -> QRectF:
    """Map an unrotated page rect (text coordinates) onto the rendered, rotated page."""
    import pymupdf

    r = pymupdf.Rect(rect.x0 - PAD, rect.y0 - PAD, rect.x1 + PAD, rect.y1 + PAD) * rotation
    return QRectF(r.x0, r.y0, r.width, r.height)


def _damaged(path: Path, reason: object, page: int = 0) -> str:
    where = f"Seite {page} des Handbuchs" if page else "Das Handbuch"
    return (
        f"{where} „{path.name}“ lässt sich nicht anzeigen – die Datei ist beschädigt oder "
        f"kein PDF ({reason}).\n\nDatei:\n{path}\n\n"
        "Bitte die Datei neu in die Handbuch-Bibliothek kopieren."
    )


def preload() -> None:
    """Import pymupdf ahead of the first citation (~0.6 s: it pulls in its layout model).

    Safe to run on a worker after the main window is shown; opening a viewer without it works
    too, the first page just takes that much longer.
    """
    import pymupdf  # noqa: F401


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
