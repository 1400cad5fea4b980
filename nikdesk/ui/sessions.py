"""The sessions sidebar: new, search by title and content, pin, rename, delete with undo."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nikdesk.storage.chats import ChatStore, Session

ID_ROLE = Qt.ItemDataRole.UserRole


def day_label(iso: str, today: date | None = None) -> str:
    """Return the sidebar group of a timestamp: "Heute", "Gestern" or the date."""
    today = today or date.today()
    day = datetime.fromisoformat(iso).astimezone().date()
    if day == today:
        return "Heute"
    if day == today - timedelta(days=1):
        return "Gestern"
    return day.strftime("%d.%m.%Y")


class SessionList(QWidget):
    """Sidebar of conversations, grouped by day, pinned first.

    Signals:
        sessionChosen(str): a session was selected.
        newRequested(): "Neue Unterhaltung" clicked (or Ctrl+N).
        deleted(str): a session was deleted (the window offers undo).
    """

    sessionChosen = Signal(str)
    newRequested = Signal()
    deleted = Signal(str)

    def __init__(self, store: ChatStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.new_button = QPushButton("+ Neu")
        self.new_button.setToolTip("Neue Unterhaltung (Strg+N)")
        self.new_button.clicked.connect(self.newRequested.emit)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Suchen (Titel und Inhalt)…")
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.list = QListWidget()
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.itemClicked.connect(self._clicked)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        self.current_id: str | None = None

    def refresh(self) -> None:
        """Reload the list (keeps the selection)."""
        sessions = self.store.sessions(self.search.text().strip())
        self.list.clear()
        group = None
        for session in sessions:
            label = "Angeheftet" if session.pinned else day_label(session.updated)
            if label != group:
                header = QListWidgetItem(label)
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                header.setData(Qt.ItemDataRole.AccessibleDescriptionRole, "group")
                self.list.addItem(header)
                group = label
            item = QListWidgetItem(("★ " if session.pinned else "") + session.title)
            item.setData(ID_ROLE, session.id)
            self.list.addItem(item)
            if session.id == self.current_id:
                self.list.setCurrentItem(item)

    def titles(self) -> list[str]:
        """Return the visible session titles (tests, accessibility)."""
        return [
            self.list.item(i).text()
            for i in range(self.list.count())
            if self.list.item(i).data(ID_ROLE)
        ]

    def select(self, session_id: str) -> None:
        """Mark ``session_id`` as the current one."""
        self.current_id = session_id
        self.refresh()

    def _clicked(self, item: QListWidgetItem) -> None:
        session_id = item.data(ID_ROLE)
        if session_id:
            self.current_id = session_id
            self.sessionChosen.emit(session_id)

    def _menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        session_id = item.data(ID_ROLE) if item else None
        if not session_id:
            return
        session = self.store.session(session_id)
        menu = QMenu(self)
        menu.addAction("Lösen" if session.pinned else "Anheften", lambda: self.toggle_pin(session))
        menu.addAction("Umbenennen…", lambda: self._rename(session))
        menu.addAction("Löschen", lambda: self.delete(session.id))
        menu.exec(self.list.mapToGlobal(pos))

    def toggle_pin(self, session: Session) -> None:
        """Pin or unpin ``session``."""
        self.store.pin(session.id, not session.pinned)
        self.refresh()

    def _rename(self, session: Session) -> None:
        title, ok = QInputDialog.getText(self, "Umbenennen", "Titel:", text=session.title)
        if ok and title.strip():
            self.store.rename(session.id, title.strip())
            self.refresh()

    def delete(self, session_id: str) -> None:
        """Delete (softly: undo restores it)."""
        self.store.delete(session_id)
        if self.current_id == session_id:
            self.current_id = None
        self.refresh()
        self.deleted.emit(session_id)

    def undelete(self, session_id: str) -> None:
        """Undo a delete."""
        self.store.undelete(session_id)
        self.refresh()
