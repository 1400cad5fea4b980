"""Screenshots of the update flow for review (run under Xvfb, not part of the suite):

    xvfb-run -a python -m tests.ui.screenshot_updates --out screenshots

A small signed channel on loopback (release 1 installed, release 2 offered): the main window
with the "Handbuch-Update verfügbar" notice, the update dialog with details and a running
download, a rejected update file, and the library showing the release version.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication


def _wait(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        if condition():
            return True
        time.sleep(0.02)
    return False


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots."""
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, default=Path("screenshots"))
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="shots-"))
    os.environ["NIKDESK_HOME"] = str(work / "home")

    from nikdesk.core.settings import Settings
    from nikdesk.storage.chats import ChatStore
    from nikdesk.ui.app import stylesheet
    from nikdesk.ui.library_view import LibraryView
    from nikdesk.ui.main_window import MainWindow
    from nikdesk.ui.update_dialog import UpdateDialog
    from nikdesk.updates.client import UpdateClient
    from nikdesk.updates.keys import KeyRing, init_keys
    from nikdesk.updates.publish import publish
    from nikdesk.updates.repo import Repository
    from nikdesk.updates.usb import export
    from tests.updates.kit import MANUALS, make_index, serve

    app = QApplication(sys.argv[:1])
    settings = Settings(provider="none")
    app.setStyleSheet(stylesheet(settings))
    init_keys(work / "keys")
    repo = Repository(work / "repo")
    manuals = dict(MANUALS)
    docs = work / "a" / "docs"
    publish(make_index(work / "a", manuals), repo, KeyRing(work / "keys"), docs)
    client = UpdateClient()
    client.trust(work / "keys" / "root.json")
    with serve(repo.path) as server:
        client.apply(server.url)
        manuals["Ladefix/Wallbox.md"] = "# Wallbox Handbuch\n\nF9 neu.\n\n" + "Text. " * 900_000
        manuals["Sonnwerk/SW-Akku.md"] = "# SW-Akku Handbuch\n\nA13 heißt Unterspannung."
        manuals["Nordlicht/NX-Hybrid.md"] += "\n\nE051 neu."
        manuals["Neu/Zaehler.md"] = "# Smart-Zähler Z1 Installationsanleitung\n\nZ1."
        publish(make_index(work / "a", manuals), repo, KeyRing(work / "keys"), docs)

        window = MainWindow(ChatStore(), settings)
        window.resize(1200, 760)
        window.show()
        offer = client.check(server.url)
        window._show_update_notice(offer)
        _wait(lambda: False, 0.5)
        window.grab().save(str(args.out / "update_notice.png"))

        dialog = UpdateDialog(client, window)
        dialog.resize(640, 420)
        dialog.show()
        dialog.check(server.url)
        _wait(lambda: dialog.operation is None, 30)
        _wait(lambda: False, 0.3)
        dialog.grab().save(str(args.out / "update_offer.png"))
        seen = []
        dialog.progress.valueChanged.connect(seen.append)
        dialog.install(server.url)
        _wait(lambda: bool(seen) and 100 < seen[-1] < 900, 30)
        dialog.grab().save(str(args.out / "update_progress.png"))
        _wait(lambda: dialog.operation is None, 60)
        _wait(lambda: False, 0.3)
        dialog.grab().save(str(args.out / "update_done.png"))

        stick = work / "alt.nikdesk"
        manuals["Ladefix/Wallbox.md"] = "# Wallbox\n\nF10."
        publish(make_index(work / "a", manuals), repo, KeyRing(work / "keys"), docs)
        export(repo, stick)
        data = bytearray(stick.read_bytes())
        data[data.find(b"F10.")] = ord("G")
        stick.write_bytes(bytes(data))
        dialog.install(str(stick))
        _wait(lambda: dialog.operation is None, 60)
        _wait(lambda: False, 0.3)
        dialog.grab().save(str(args.out / "update_rejected.png"))

        library = LibraryView()
        library.resize(900, 420)
        library.show()
        from nikdesk.retrieval.bundle import read_manifest

        library.set_manifest(read_manifest(Path(client.status().path or "")))
        _wait(lambda: False, 0.3)
        library.grab().save(str(args.out / "library_release.png"))
    print(f"Screenshots in {args.out.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
