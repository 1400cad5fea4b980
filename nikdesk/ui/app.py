"""Composition root of the desktop app: settings, stores, window, then models in the background.

``python -m nikdesk.ui`` (or the ``nikdesk-app`` script) starts it. The window is shown first;
the index and models load behind it so the technician can read old sessions at once.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from nikdesk.agent import Agent
from nikdesk.core.paths import resources_dir
from nikdesk.core.settings import Settings
from nikdesk.storage.chats import ChatStore
from nikdesk.ui.main_window import MainWindow
from nikdesk.ui.worker import Operation

log = logging.getLogger(__name__)


def stylesheet(settings: Settings) -> str:
    """Return the Qt stylesheet for the chosen theme and text size."""
    name = "sunlight.qss" if settings.sunlight else "theme.qss"
    text = (resources_dir() / "ui" / name).read_text(encoding="utf-8")
    return text.replace("{size}", str(settings.text_size))


def load_agent(settings: Settings, report: Any = None) -> Agent:
    """Open the index and create the agent (runs in the background; may build the sample)."""
    from nikdesk.app.engine import open_agent

    return open_agent(settings, log=lambda msg: report(msg) if report else None)


def create_window(settings: Settings | None = None) -> MainWindow:
    """Build the window and start loading the agent behind it."""
    settings = settings or Settings.load()
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setStyleSheet(stylesheet(settings))
    window = MainWindow(ChatStore(), settings)
    from nikdesk.ui import master_password

    master_password.install(window)  # asked only when no OS keyring exists
    from nikdesk.ui.sync_wiring import attach_sync

    attach_sync(window)  # account menu, sync status bar, background sync
    Operation(lambda report: load_agent(settings, report), window).with_progress(
        lambda msg: window.statusBar().showMessage(str(msg))
    ).on_success(window.set_agent).on_failure(window.agent_failed).run()
    return window


def _smoke(window: MainWindow, question: str, timeout_ms: int = 300_000) -> None:
    """Ask ``question`` once the agent is ready, print the outcome, quit (exit 0 on answer)."""
    app = QApplication.instance()
    state = {"asked": False}

    def step() -> None:
        if window.agent is not None and not state["asked"]:
            state["asked"] = True
            window.chat.input.setPlainText(question)
            window.chat.input.submitted.emit()
            return
        if state["asked"] and not window.chat.busy:
            timer.stop()
            messages = window.store.messages(window.session_id or "")
            answer = messages[-1] if messages else None
            ok = answer is not None and answer.outcome == "answer" and bool(answer.sources)
            first = answer.sources[0] if answer and answer.sources else None
            print(
                f"SMOKE {'OK' if ok else 'FAILED'}: {answer.outcome if answer else 'none'} "
                f"{first.file if first else ''} S. {first.page if first else ''}",
                flush=True,
            )
            if app is not None:
                app.exit(0 if ok else 1)

    timer = QTimer(window)
    timer.setInterval(100)
    timer.timeout.connect(step)
    timer.start()
    QTimer.singleShot(timeout_ms, lambda: app.exit(2) if app is not None else None)


def shutdown(window: MainWindow) -> None:
    """Stop background work and delete the window before Qt goes away (clean exit code)."""
    if window.stream is not None:
        window.stream.cancel()
    QThreadPool.globalInstance().waitForDone(10_000)
    if window.agent is not None:
        window.agent.close()
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def main(argv: list[str] | None = None) -> int:
    """Start the desktop app; ``--smoke-test "FRAGE"`` answers once and exits (packaging check)."""
    started = time.perf_counter()
    logging.basicConfig(level=logging.INFO)
    args = list(argv if argv is not None else sys.argv)
    smoke = None
    if "--smoke-test" in args:
        at = args.index("--smoke-test")
        smoke = args[at + 1] if len(args) > at + 1 else "Was bedeutet Fehler E050?"
        del args[at : at + 2]
    app = QApplication(args)
    app.setApplicationName("NikDesk")
    window = create_window()
    window.show()
    log.info("window shown after %.2f s", time.perf_counter() - started)
    if smoke is not None:
        _smoke(window, smoke)
    code = app.exec()
    shutdown(window)
    del window
    app.shutdown()  # delete Qt's app before Python finalises the wrappers (else: abort at exit)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
