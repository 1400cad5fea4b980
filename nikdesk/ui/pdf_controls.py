"""The PDF viewer's title line and its touch- and glove-sized toolbar (pages and zoom)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

TOUCH = 44  # px: the smallest target a gloved finger hits reliably


class PageControls:
    """Build the title, page counter, page arrows and field, and zoom buttons of a viewer.

    The widgets belong to ``parent`` once :attr:`header` and :attr:`tools` are added to its
    layout; the keyword arguments are the viewer's slots the controls trigger.
    """

    def __init__(
        self,
        parent: QWidget,
        *,
        previous_page: Callable[[], None],
        next_page: Callable[[], None],
        show_page: Callable[[int], None],
        zoom_out: Callable[[], None],
        fit_width: Callable[[], None],
        zoom_in: Callable[[], None],
    ) -> None:
        self.title = QLabel(parent)
        self.title.setFont(scaled(parent.font(), 1.3, bold=True))
        self.title.setMinimumWidth(1)  # a long title must not widen the window
        self.counter = QLabel(parent)
        self.counter.setFont(scaled(parent.font(), 1.2))
        self.header = QHBoxLayout()
        self.header.addWidget(self.title, 1)
        self.header.addWidget(self.counter)

        self.previous = touch_button("◀", "Vorherige Seite (Bild ↑)", previous_page)
        self.next = touch_button("▶", "Nächste Seite (Bild ↓)", next_page)
        self.page = QSpinBox(parent)
        self.page.setMinimumSize(90, TOUCH)
        self.page.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)  # too small for gloves
        self.page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page.setFont(scaled(parent.font(), 1.3))
        self.page.setKeyboardTracking(False)  # jump on Enter, not on every digit typed
        self.page.setAccessibleName("Seitenzahl")
        self.page.setToolTip("Seitenzahl eingeben und Enter drücken")
        self.page.valueChanged.connect(show_page)
        self.zoom_out = touch_button("−", "Verkleinern (Strg+Minus)", zoom_out)
        self.fit = touch_button("Breite", "An Fensterbreite anpassen", fit_width)
        self.zoom_in = touch_button("+", "Vergrößern (Strg+Plus)", zoom_in)
        self.tools = QHBoxLayout()
        for widget in (self.previous, self.page, self.next):
            self.tools.addWidget(widget)
        self.tools.addStretch(1)
        for widget in (self.zoom_out, self.fit, self.zoom_in):
            self.tools.addWidget(widget)

    def set_enabled(self, enabled: bool) -> None:
        """Enable the page and zoom controls (a document is open), or disable them."""
        for widget in (self.previous, self.next, self.page, self.zoom_in, self.zoom_out):
            widget.setEnabled(enabled)
        self.fit.setEnabled(enabled)

    def set_page_count(self, count: int) -> None:
        """Let the page field take pages 1 to ``count`` (without jumping anywhere)."""
        self.page.blockSignals(True)
        self.page.setRange(1, count)
        self.page.blockSignals(False)

    def show_page(self, page: int, count: int) -> None:
        """Show that ``page`` of ``count`` is on screen (without jumping again)."""
        self.page.blockSignals(True)
        self.page.setValue(page)
        self.page.blockSignals(False)
        self.counter.setText(f"Seite {page} von {count}")
        self.previous.setEnabled(page > 1)
        self.next.setEnabled(page < count)


def scaled(font: QFont, factor: float, bold: bool = False) -> QFont:
    """Return ``font`` enlarged relative to the theme's size (so the text-size setting holds)."""
    font = QFont(font)
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def touch_button(text: str, tip: str, slot: Callable[[], None]) -> QPushButton:
    """Return a push button big enough for a gloved finger that does not take the focus."""
    button = QPushButton(text)
    button.setMinimumSize(TOUCH, TOUCH)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setFont(scaled(button.font(), 1.3, bold=True))
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a tap must not steal focus from the page
    button.clicked.connect(slot)
    return button
