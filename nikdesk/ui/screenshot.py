"""Screenshots of the real app for review: ``python -m nikdesk.ui.screenshot --out DIR``.

Runs under Xvfb (``make screenshots``) or offscreen: opens the app on the sample library,
asks a question, waits for the streamed answer, opens the first citation, and saves
``chat.png`` (whole window), ``viewer.png`` (the PDF viewer at the cited page) and
``sunlight.png`` (the high-contrast theme).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

QUESTION = "Der Wechselrichter zeigt E050 an. Was bedeutet das?"


def wait_for(condition: object, timeout: float) -> bool:
    """Process Qt events until ``condition()`` holds; False after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        if callable(condition) and condition():
            return True
        time.sleep(0.02)
    return False


def _settle(seconds: float = 0.5) -> None:
    wait_for(lambda: False, seconds)


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots; exit 1 if a step did not happen in time."""
    p = argparse.ArgumentParser(prog="python -m nikdesk.ui.screenshot")
    p.add_argument("--out", type=Path, default=Path("screenshots"))
    p.add_argument("--question", default=QUESTION)
    p.add_argument("--index", default="", help="index bundle (default: the bundled index)")
    p.add_argument(
        "--cite", default="1", help="the citation to open: its marker (S7) or place (2 = second)"
    )
    p.add_argument("--library", action="append", default=[], help="a folder of the manuals")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    from nikdesk.core.settings import Settings
    from nikdesk.ui.app import create_window, shutdown, stylesheet
    from nikdesk.ui.chat_view import Bubble

    app = QApplication(sys.argv[:1])
    settings = Settings(provider="none", index_path=args.index, library_dirs=tuple(args.library))
    window = create_window(settings)
    window.resize(1400, 860)
    window.show()
    if not wait_for(lambda: window.agent is not None, 300):
        print("Fehler: Agent nicht geladen", file=sys.stderr)
        return 1
    window.chat.input.setPlainText(args.question)
    window.chat.input.submitted.emit()
    if not wait_for(lambda: not window.chat.busy, 120):
        print("Fehler: keine Antwort", file=sys.stderr)
        return 1
    _settle()
    window.grab().save(str(args.out / "chat.png"))
    layout = window.chat.messages
    item = layout.itemAt(layout.count() - 2)
    answer = item.widget() if item is not None else None
    if not isinstance(answer, Bubble):
        print("Fehler: keine Antwort-Blase", file=sys.stderr)
        return 1
    refs = list(answer.sources)
    ref = refs[int(args.cite) - 1] if args.cite.isdigit() and refs else args.cite
    answer.label.linkActivated.emit(f"cite:{ref}")
    _settle(1.5)
    window.grab().save(str(args.out / "chat_with_viewer.png"))
    if window.viewer is not None:
        window.viewer.grab().save(str(args.out / "viewer.png"))
    app.setStyleSheet(stylesheet(settings.with_changes(sunlight=True, text_size=14)))
    _settle()
    window.grab().save(str(args.out / "sunlight.png"))
    print(f"Screenshots in {args.out.resolve()}")
    shutdown(window)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
