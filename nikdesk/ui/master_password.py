"""The master-password dialog for the encrypted secrets file (used when no OS keyring exists).

Secrets may be needed on a worker thread (the agent probing OpenAI); the dialog must run on
the GUI thread. ``install()`` registers a provider with ``nikdesk.storage.secrets`` that asks
directly on the GUI thread and, from any other thread, hands the question to the GUI thread
and waits for the answer.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QWidget

from nikdesk.storage.secrets import set_master_password_provider

WAIT_SECONDS = 600  # a technician may need a while to find the password


def ask_password(is_new: bool, parent: QWidget | None = None) -> str | None:
    """Show the dialog on the GUI thread; return the password or None if cancelled."""
    if is_new:
        label = (
            "Dieser Laptop hat keinen Schlüsselbund. Schlüssel werden deshalb in einer "
            "verschlüsselten Datei gespeichert.\nNeues Master-Passwort festlegen:"
        )
    else:
        label = "Master-Passwort für die gespeicherten Schlüssel:"
    text, ok = QInputDialog.getText(
        parent, "NikDesk – Master-Passwort", label, QLineEdit.EchoMode.Password
    )
    return text if ok and text else None


class _Bridge(QObject):
    """Carry a password question from a worker thread to the GUI thread.

    Signals:
        asked(bool, object): is the file new, and a dict receiving "value" + an Event.
    """

    asked = Signal(bool, object)

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__()
        self._parent = parent
        self.asked.connect(self._answer, Qt.ConnectionType.QueuedConnection)

    @Slot(bool, object)
    def _answer(self, is_new: bool, box: dict[str, Any]) -> None:
        try:
            box["value"] = ask_password(is_new, self._parent)
        finally:
            box["done"].set()


_bridge: _Bridge | None = None


def install(parent: QWidget | None = None) -> None:
    """Register the dialog as the secrets module's master-password provider."""
    global _bridge
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("install() needs a QApplication")
    bridge = _Bridge(parent)
    bridge.moveToThread(app.thread())
    _bridge = bridge

    def provide(is_new: bool) -> str | None:
        if QThread.currentThread() is app.thread():
            return ask_password(is_new, parent)
        box: dict[str, Any] = {"done": threading.Event()}
        bridge.asked.emit(is_new, box)
        if not box["done"].wait(WAIT_SECONDS):
            return None
        value = box.get("value")
        return value if isinstance(value, str) else None

    set_master_password_provider(provide)
