"""The scrolling page area of the PDF viewer: zoom about a point, fit width, pan, find the mark."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QScroller, QWidget

from nikdesk.ui.highlight import Rect
from nikdesk.ui.pdf_canvas import MARGIN, PageCanvas
from nikdesk.ui.pdf_controls import TOUCH

MIN_ZOOM, MAX_ZOOM = 0.25, 5.0  # 1.0 = 72 dpi


class PageView(QScrollArea):
    """Show the :class:`PageCanvas` scrollable, draggable and zoomable with Ctrl+wheel.

    The zoom itself stays with the viewer; this view keeps the point under the pointer (or
    the centre) in place while it changes, and reports what the user asked for.

    Signals:
        zoomRequested(float, QPointF): Ctrl+wheel turned by this many notches (fractions from
            touchpads) over this viewport point.
        resized(): the viewport changed size (a fitted page must be rendered again).
    """

    zoomRequested = Signal(float, QPointF)
    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = PageCanvas()
        self.setWidget(self.canvas)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # always on: a scrollbar appearing would narrow the page, re-fit it, and loop
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.viewport().installEventFilter(self)
        # drag to pan: touchscreens, and resistive ones (they work with gloves) send mouse events
        QScroller.grabGesture(self.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)

    def fit_zoom(self, page_width: float) -> float:
        """Return the zoom that fits a page ``page_width`` points wide to the viewport."""
        available = self.viewport().width() - 2 * MARGIN
        return min(max(available / page_width, MIN_ZOOM), MAX_ZOOM) if page_width > 0 else 1.0

    def zoom_canvas(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Resize the page to ``zoom`` so the point under ``anchor`` (viewport) stays put."""
        if anchor is None:
            anchor = QPointF(self.viewport().rect().center())
        hbar, vbar = self.horizontalScrollBar(), self.verticalScrollBar()
        old = self.canvas.zoom
        x = (hbar.value() + anchor.x() - MARGIN) / old
        y = (vbar.value() + anchor.y() - MARGIN) / old
        self.canvas.set_zoom(zoom)  # stretched now, sharp after the coalesced render
        hbar.setValue(round(x * zoom + MARGIN - anchor.x()))
        vbar.setValue(round(y * zoom + MARGIN - anchor.y()))

    def scroll_to_highlight(self) -> None:
        """Bring the highlight into view (upper third), or the page top when there is none."""
        vbar, hbar = self.verticalScrollBar(), self.horizontalScrollBar()
        if not self.canvas.boxes:
            vbar.setValue(0)
            hbar.setValue(0)
            return
        boxes = [self.canvas.page_box(b) for b in self.canvas.boxes]
        top = min(b.top() for b in boxes)
        left = min(b.left() for b in boxes)
        vbar.setValue(round(top - self.viewport().height() / 4))
        if left < hbar.value() or left > hbar.value() + self.viewport().width() - TOUCH:
            hbar.setValue(round(left - MARGIN))

    def visible_rect(self) -> Rect:
        """Return the part of the page in view, in points of the page as shown."""
        view = (
            self.viewport()
            .rect()
            .translated(self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        )
        z = self.canvas.zoom
        return Rect(
            (view.left() - MARGIN) / z,
            (view.top() - MARGIN) / z,
            (view.right() - MARGIN) / z,
            (view.bottom() - MARGIN) / z,
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Turn Ctrl+wheel over the page into a zoom request; report viewport resizes."""
        if watched is self.viewport():
            if event.type() == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
                if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                    steps = event.angleDelta().y() / 120  # one notch = 120; touchpads send less
                    if steps:
                        self.zoomRequested.emit(steps, event.position())
                    return True
            elif isinstance(event, QResizeEvent) and event.size() != event.oldSize():
                self.resized.emit()
        return super().eventFilter(watched, event)
