"""The chat: message bubbles, live tool chips, inline clarification buttons, feedback, input.

Answers are Markdown; citation markers "[S1]" become links that open the cited page.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nikdesk.core.events import Source
from nikdesk.core.markdown import escape_tags

_MARKER = re.compile(r"\[(S\d+(?:\s*,\s*S\d+)*)\]")
FOLLOW_SLACK = 8  # pixels above the bottom that still count as "at the newest message"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}  # what storage.photos accepts
OPTIONS_PER_ROW = 4  # clarification buttons side by side; more wrap onto the next row


def linkify(markdown: str) -> str:
    """Turn citation markers into links: "[S1, S2]" -> "[S1](cite:S1), [S2](cite:S2)".

    A "<" that would open an HTML tag ("QPIGS2<cr>: Device …") is escaped: Qt's Markdown
    drops a tag and the text after it.
    """

    def repl(match: re.Match[str]) -> str:
        refs = [r.strip() for r in match.group(1).split(",")]
        return " ".join(f"[\\[{r}\\]](cite:{r})" for r in refs)

    return _MARKER.sub(repl, escape_tags(markdown))


class Bubble(QFrame):
    """One message. Assistant bubbles render Markdown with citation links.

    Signals:
        citationClicked(str): the marker ("S1") of a clicked citation.
    """

    citationClicked = Signal(str)

    def __init__(self, role: str, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        self.setObjectName("bubble_" + role)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.label.setOpenExternalLinks(False)
        self.label.setTextFormat(Qt.TextFormat.MarkdownText)
        self.label.linkActivated.connect(self._link)
        # Ignored: let the label wrap to the viewport instead of widening the scroll area
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(120)
        layout.addWidget(self.label)
        self.extras = QVBoxLayout()
        layout.addLayout(self.extras)
        self.sources: dict[str, Source] = {}  # markers restart at S1 in every answer
        self._text = ""
        self.set_text(text)

    def set_text(self, text: str) -> None:
        """Show ``text`` (Markdown)."""
        self._text = text
        self.label.setText(linkify(text) if self.role == "assistant" else _escape(text))

    def text(self) -> str:
        """Return the raw text."""
        return self._text

    def add_image(self, path: Path) -> None:
        """Show a thumbnail of an attached photo."""
        pixmap = QPixmap(str(path))
        if pixmap.isNull():
            return
        thumb = QLabel()
        thumb.setObjectName("thumbnail")
        thumb.setPixmap(
            pixmap.scaledToWidth(
                min(240, pixmap.width()), Qt.TransformationMode.SmoothTransformation
            )
        )
        self.extras.addWidget(thumb)

    def _link(self, href: str) -> None:
        if href.startswith("cite:"):
            self.citationClicked.emit(href.removeprefix("cite:"))


def _escape(text: str) -> str:
    # a technician's own text is shown literally, not as Markdown
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|>])", r"\\\1", text)


class ChatInput(QPlainTextEdit):
    """The question box: Enter sends, Shift+Enter breaks the line; pasted images attach.

    Signals:
        submitted(): Enter pressed.
        imagePasted(QImage): an image was pasted or dropped.
        fileDropped(str): an image file was dropped.
    """

    submitted = Signal()
    imagePasted = Signal(QImage)
    fileDropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Frage stellen, z. B. „Der Wechselrichter zeigt E050 – was tun?“")
        self.setAcceptDrops(True)
        self.setMaximumHeight(120)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Send on Enter; keep Shift+Enter as a line break."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.submitted.emit()
            return
        super().keyPressEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        """Accept images and image files besides text."""
        return source.hasImage() or source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        """Attach pasted/dropped images instead of inserting them as text."""
        if source.hasImage():
            image = QImage(source.imageData())
            if not image.isNull():
                self.imagePasted.emit(image)
                return
        if source.hasUrls():
            files = [u.toLocalFile() for u in source.urls() if u.isLocalFile()]
            images = [f for f in files if Path(f).suffix.lower() in IMAGE_SUFFIXES]
            if images:
                self.fileDropped.emit(images[0])
                return
        super().insertFromMimeData(source)


class ChatView(QWidget):
    """Messages of one session plus the input row.

    Signals:
        send(str, object): question text and photo path (Path or None).
        citationClicked(object): the Source of a clicked citation.
        optionChosen(str, str): run id and the chosen clarification option.
        feedbackGiven(str, int): message id and rating (+1 / -1).
        cancelRequested(): Esc while an answer runs.
    """

    send = Signal(str, object)
    citationClicked = Signal(object)
    optionChosen = Signal(str, str)
    feedbackGiven = Signal(str, int)
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        self.messages = QVBoxLayout(holder)
        self.messages.addStretch(1)
        self.scroller.setWidget(holder)
        layout.addWidget(self.scroller, 1)
        # the view follows the newest message while it grows (sources and buttons are added
        # after the text) unless the technician scrolled up to read an earlier one
        self._follow = True
        bar = self.scroller.verticalScrollBar()
        bar.rangeChanged.connect(self._range_changed)
        bar.valueChanged.connect(self._scrolled)

        self.chips = QLabel()
        self.chips.setObjectName("chips")
        self.chips.hide()
        layout.addWidget(self.chips)

        row = QHBoxLayout()
        self.attach_button = QPushButton("Foto")
        self.attach_button.setToolTip("Foto des Displays anhängen (auch per Einfügen oder Ziehen)")
        self.attach_button.clicked.connect(self._choose_photo)
        self.input = ChatInput()
        self.input.submitted.connect(self._submit)
        self.input.fileDropped.connect(lambda f: self.set_photo(Path(f)))
        self.input.imagePasted.connect(self._pasted)
        self.send_button = QPushButton("Senden")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self._submit)
        row.addWidget(self.attach_button)
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        layout.addLayout(row)
        self.photo_label = QLabel()
        self.photo_label.hide()
        layout.addWidget(self.photo_label)

        self.photo: Path | None = None
        self.busy = False
        self._current: Bubble | None = None
        self._pending_text = ""
        self._flush = QTimer(self)
        self._flush.setInterval(50)  # re-render Markdown at most 20 times a second
        self._flush.timeout.connect(self._render_stream)

    # -- input ---------------------------------------------------------------------------

    def _submit(self) -> None:
        text = self.input.toPlainText().strip()
        if self.busy or (not text and self.photo is None):
            return
        self.input.clear()
        photo, self.photo = self.photo, None
        self.photo_label.hide()
        self.send.emit(text, photo)

    def _choose_photo(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Foto anhängen", "", "Bilder (*.jpg *.jpeg *.png *.webp *.gif)"
        )
        if name:
            self.set_photo(Path(name))

    def _pasted(self, image: QImage) -> None:
        from nikdesk.core.paths import data_dir

        folder = data_dir() / "pasted"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"eingefuegt-{image.cacheKey()}.png"
        image.save(str(path))
        self.set_photo(path)

    def set_photo(self, path: Path) -> None:
        """Attach ``path`` to the next question."""
        self.photo = path
        self.photo_label.setText(f"Foto angehängt: {path.name}")
        self.photo_label.show()

    # -- messages ------------------------------------------------------------------------

    def clear(self) -> None:
        """Remove all bubbles."""
        while self.messages.count() > 1:
            item = self.messages.takeAt(0)
            widget = item.widget() if item else None
            if widget is not None:
                widget.deleteLater()

    def add_bubble(self, role: str, text: str, photo: Path | None = None) -> Bubble:
        """Append a message bubble and scroll to it."""
        bubble = Bubble(role, text)
        bubble.citationClicked.connect(lambda ref, b=bubble: self._cite(b, ref))
        if photo is not None:
            bubble.add_image(photo)
        self.messages.insertWidget(self.messages.count() - 1, bubble)
        QTimer.singleShot(0, self._scroll_down)
        return bubble

    def show_sources(self, sources: tuple[Source, ...], bubble: Bubble | None = None) -> None:
        """Remember the sources the markers of this session refer to; list them below."""
        target = bubble or self._current
        if target is None or not sources:
            return
        for source in sources:
            target.sources[source.ref] = source
        lines = [f"[\\[{s.ref}\\]](cite:{s.ref}) {s.title}, S. {s.page}" for s in sources]
        box = QLabel("**Quellen:**  \n" + "  \n".join(lines))
        box.setTextFormat(Qt.TextFormat.MarkdownText)
        box.setWordWrap(True)
        box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        box.setObjectName("sources")
        box.linkActivated.connect(lambda href, b=target: self._cite(b, href.removeprefix("cite:")))
        target.extras.addWidget(box)

    def start_answer(self) -> Bubble:
        """Begin a streamed assistant answer."""
        self.busy = True
        self.send_button.setEnabled(False)
        self._current = self.add_bubble("assistant", "…")
        self._pending_text = ""
        self._flush.start()
        return self._current

    def append_token(self, text: str) -> None:
        """Add streamed answer text (rendered on the next tick)."""
        self._pending_text += text

    @property
    def pending_text(self) -> str:
        """Return the answer text streamed so far (not yet final)."""
        return self._pending_text

    def restart_answer(self, note: str) -> None:
        """Drop the partial answer (a provider failed) and say why."""
        self._pending_text = ""
        self.show_chip(note)

    def show_chip(self, text: str) -> None:
        """Show the live tool chip ("Suche in Handbüchern…")."""
        self.chips.setText(text)
        self.chips.show()

    def finish_answer(self, text: str) -> Bubble | None:
        """End the streamed answer with its final text."""
        self._flush.stop()
        bubble = self._current
        if bubble is not None:
            bubble.set_text(text or self._pending_text)
        self.chips.hide()
        self.busy = False
        self.send_button.setEnabled(True)
        return bubble  # the view follows the grown answer unless the reader scrolled up

    def add_options(
        self, run_id: str, options: tuple[str, ...], bubble: Bubble | None = None
    ) -> None:
        """Show clarification options as large buttons; a click resumes the run."""
        target = bubble or self._current
        if target is None:
            return
        grid = QGridLayout()  # a series' models wrap onto further rows ("MIC 750TL-X" …)
        for n, option in enumerate(options):
            button = QPushButton(option)
            button.setObjectName("option")
            button.clicked.connect(lambda _=False, o=option: self._choose(run_id, o, grid))
            grid.addWidget(button, n // OPTIONS_PER_ROW, n % OPTIONS_PER_ROW)
        target.extras.addLayout(grid)

    def add_feedback(self, message_id: str, bubble: Bubble) -> None:
        """Add thumbs up/down buttons under an answer."""
        row = QHBoxLayout()
        row.addStretch(1)
        for label, rating in (("✔ Hilfreich", 1), ("✘ Nicht hilfreich", -1)):
            button = QPushButton(label)
            button.setObjectName("feedback")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, r=rating: self.feedbackGiven.emit(message_id, r))
            row.addWidget(button)
        bubble.extras.addLayout(row)

    def _choose(self, run_id: str, option: str, row: QGridLayout) -> None:
        for i in range(row.count()):
            item = row.itemAt(i)
            widget = item.widget() if item else None
            if widget is not None:
                widget.setEnabled(False)
        self.optionChosen.emit(run_id, option)

    def _render_stream(self) -> None:
        # re-render only new text; the view follows it only while the reader is at the bottom
        # (rangeChanged), a technician who scrolled up to an earlier answer stays there
        if (
            self._current is not None
            and self._pending_text
            and self._pending_text != self._current.text()
        ):
            self._current.set_text(self._pending_text)

    def _cite(self, bubble: Bubble, ref: str) -> None:
        source = bubble.sources.get(ref)
        if source is not None:
            self.citationClicked.emit(source)

    def _scroll_down(self) -> None:
        self._follow = True
        bar = self.scroller.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _range_changed(self, _low: int, high: int) -> None:
        if self._follow:
            self.scroller.verticalScrollBar().setValue(high)

    def _scrolled(self, value: int) -> None:
        self._follow = value >= self.scroller.verticalScrollBar().maximum() - FOLLOW_SLACK

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc cancels a running answer."""
        if event.key() == Qt.Key.Key_Escape and self.busy:
            self.cancelRequested.emit()
            return
        super().keyPressEvent(event)
