"""The master-password dialog answers the secrets module from the GUI and from workers."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from nikdesk.storage import secrets
from nikdesk.ui import master_password


def answer_dialog_with(text: str) -> None:
    def poll() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QInputDialog) and widget.isVisible():
                widget.setTextValue(text)
                widget.accept()
                return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def test_worker_thread_gets_the_password_from_the_gui(qtbot: Any) -> None:
    master_password.install()
    provider = secrets._provider
    assert provider is not None
    got: dict[str, Any] = {}
    answer_dialog_with("geheim-123")
    worker = threading.Thread(target=lambda: got.setdefault("pw", provider(False)))
    worker.start()
    qtbot.waitUntil(lambda: "pw" in got, timeout=10_000)
    worker.join(5)
    assert got["pw"] == "geheim-123"
    secrets.set_master_password_provider(None)


def test_cancel_returns_none(qtbot: Any) -> None:
    master_password.install()
    provider = secrets._provider
    assert provider is not None

    def cancel() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QInputDialog) and widget.isVisible():
                widget.reject()
                return
        QTimer.singleShot(20, cancel)

    QTimer.singleShot(20, cancel)
    assert provider(True) is None  # asked on the GUI thread directly
    secrets.set_master_password_provider(None)
