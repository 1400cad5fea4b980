"""Render a PDF page with pymupdf and paint it with the cited passage highlighted.

Pages are rendered with pymupdf into a QImage, not with QtPdf: pymupdf is already a dependency
(ingest), so the viewer adds no Qt module (QtPdf is not in PySide6-Essentials; it needs the much
larger PySide6-Addons in every frozen build) and it renders identically from source and frozen.

Rendering stays on the UI thread, deliberately. At fit width (860-1360 px) the pages of the
real manuals render in 5-7 ms median, 35 ms p95, 74 ms worst (vector-art heavy installation
guides) — under the 100 ms budget. A worker would not help anyway: pymupdf runs MuPDF
single-threaded and holds the GIL for a whole render, so the UI thread would wait for it just
the same. The viewer coalesces bursts (Ctrl+wheel, window resizing) into one render and shows
the old image scaled meanwhile (:meth:`PageCanvas.set_zoom`).

pymupdf is imported inside the functions that need it, never at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from nikdesk.ui.highlight import Rect

if TYPE_CHECKING:
    import pymupdf

MARGIN = 12  # px around the page inside the scroll area
PAD = 1.5  # points: highlight boxes reach slightly past the glyphs
FILL = QColor(255, 221, 0, 96)  # translucent yellow: the text stays readable beneath
OUTLINE = QColor(214, 84, 0)  # strong orange edge: still visible on a washed-out screen


class PageCanvas(QWidget):
    """Paint one rendered page and the highlight boxes over it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.boxes: list[QRectF] = []  # in page points (rotated page), scaled at paint time
        self.zoom = 1.0
        self.page_size = QSize(0, 0)  # in points
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_page(
        self, page: pymupdf.Page, image: QImage, highlight: list[Rect], zoom: float
    ) -> None:
        """Show ``image`` rendered from ``page`` at ``zoom``, ``highlight`` (text rects) marked."""
        rotation = page.rotation_matrix
        self.page_size = QSize(round(page.rect.width), round(page.rect.height))
        self.image = image
        self.boxes = [to_qrect(r, rotation) for r in highlight]
        self.set_zoom(zoom)

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


def render_page(page: pymupdf.Page, zoom: float, dpr: float) -> QImage:
    """Return ``page`` rendered at ``zoom`` (1.0 = 72 dpi) for device pixel ratio ``dpr``.

    Raise RuntimeError for a damaged page in an otherwise readable file.
    """
    import pymupdf

    scale = zoom * dpr
    pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False)
    image = QImage(pix.samples, pix.width, pix.height, pix.stride, QImage.Format.Format_RGB888)
    image = image.copy()  # detach from pymupdf's buffer
    image.setDevicePixelRatio(dpr)
    return image


def to_qrect(rect: Rect, rotation: pymupdf.Matrix) -> QRectF:
    """Map an unrotated page rect (text coordinates) onto the rendered, rotated page."""
    import pymupdf

    r = pymupdf.Rect(rect.x0 - PAD, rect.y0 - PAD, rect.x1 + PAD, rect.y1 + PAD) * rotation
    return QRectF(r.x0, r.y0, r.width, r.height)
