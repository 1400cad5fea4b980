"""Screenshots of sign-in and sync: ``python -m nikdesk.ui.screenshot_sync --out DIR``.

Saves ``signin.png`` (the sign-in dialog, filled in) and ``sync_status.png`` (the window while
a real sync round runs in the background). Run it under Xvfb with a NIKDESK_HOME whose account
is signed in to a running server and has changes to send (see tests/sync/README in the report).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from nikdesk.ui.screenshot import wait_for


def main(argv: list[str] | None = None) -> int:
    """Take both screenshots; exit 1 when the sync did not start."""
    p = argparse.ArgumentParser(prog="python -m nikdesk.ui.screenshot_sync")
    p.add_argument("--out", type=Path, default=Path("build/screenshots"))
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    import os

    from nikdesk.core.settings import Settings
    from nikdesk.storage.chats import ChatStore
    from nikdesk.storage.secrets import set_master_password_provider
    from nikdesk.sync import accounts
    from nikdesk.ui.app import stylesheet
    from nikdesk.ui.main_window import MainWindow
    from nikdesk.ui.signin_dialog import SignInDialog
    from nikdesk.ui.sync_wiring import attach_sync

    # no OS keyring under Xvfb: the encrypted secrets file, unlocked from the environment
    set_master_password_provider(lambda _new: os.environ.get("NIKDESK_MASTER_PASSWORD"))
    app = QApplication(sys.argv[:1])
    settings = Settings(provider="none")
    app.setStyleSheet(stylesheet(settings))
    account = accounts.current_or_none()
    window = MainWindow(ChatStore(), settings)
    window.resize(1400, 860)
    window.show()

    dialog = SignInDialog(
        window,
        account.server if account else "https://nikdesk.example.com",
        account.email if account else "techniker@example.com",
    )
    dialog.password.setText("geheimes-passwort")
    dialog.name.setText("Max Techniker")
    dialog.show()
    wait_for(lambda: False, 0.5)
    dialog.grab().save(str(args.out / "signin.png"))
    dialog.close()

    controller = attach_sync(window, start=False)
    if controller is None:
        print("Fehler: NikDesk ohne Sync-Zusatz (pip install 'nikdesk[sync]')", file=sys.stderr)
        return 1
    wait_for(lambda: False, 0.3)
    controller.request()
    if not wait_for(lambda: window.sync_bar.state.syncing, 10):  # type: ignore[attr-defined]
        print("Fehler: kein Sync gestartet (angemeldet?)", file=sys.stderr)
        return 1
    wait_for(lambda: False, 0.2)
    window.grab().save(str(args.out / "sync_status.png"))
    started = time.monotonic()
    wait_for(lambda: controller.running is None, 600)
    print(f"Sync-Runde: {time.monotonic() - started:.1f} s", file=sys.stderr)
    wait_for(lambda: False, 0.3)
    window.grab().save(str(args.out / "sync_status_done.png"))
    print(f"Screenshots in {args.out.resolve()}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
