"""Sign-in dialog and sync status bar with real widgets (offscreen) against the real server.

The server runs as its own process (SQLite), the code comes from a real SMTP server, the
tokens go to an in-memory OS keyring; the sync runs through the real background helper.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="server extra not installed: pip install 'nikdesk[server]'")

from tests.server.conftest import smtp_server  # noqa: F401  (real SMTP on loopback)
from tests.server.helpers import PASSWORD, new_email
from tests.server.services import LiveServer, SmtpCapture, start_server


@pytest.fixture
def live(tmp_path: Path, smtp_server: SmtpCapture) -> Iterator[LiveServer]:  # noqa: F811
    env = {
        "NIKDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'srv.db'}",
        "NIKDESK_SMTP_HOST": "127.0.0.1",
        "NIKDESK_SMTP_PORT": str(smtp_server.port),
        "NIKDESK_RATE_LIMIT_LOGIN": "1000/minute",
        "NIKDESK_RATE_LIMIT_MAIL": "1000/minute",
    }
    server = start_server(tmp_path / "srv", env)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[None]:
    import keyring

    from tests.fakes import memory_keyring_class

    previous = keyring.get_keyring()
    keyring.set_keyring(memory_keyring_class()())
    yield
    keyring.set_keyring(previous)


def test_status_bar_words_every_state(qtbot) -> None:
    from nikdesk.ui.sync_status import SyncState, SyncStatusBar

    bar = SyncStatusBar()
    qtbot.addWidget(bar)
    assert bar.account.text() == "Nicht angemeldet" and bar.button.text() == "Anmelden …"
    bar.show_state(SyncState(account="a@b.de", pending=3, error_code="sync_offline"))
    assert "3 ausstehend" in bar.detail.text()
    assert bar.error.text().startswith("Offline")
    bar.show_state(SyncState(account="a@b.de", error_code="signed_out"))
    assert "erneut anmelden" in bar.error.text()
    bar.show_state(SyncState(account="a@b.de", syncing=True, pending=7))
    assert "Synchronisiere" in bar.detail.text() and not bar.button.isEnabled()
    assert bar.error.text() == ""


def test_register_verify_sign_in_and_sync_from_the_window(
    qtbot,
    live: LiveServer,
    smtp_server: SmtpCapture,  # noqa: F811
) -> None:
    from nikdesk.core.settings import Settings
    from nikdesk.storage.chats import ChatStore
    from nikdesk.sync import accounts
    from nikdesk.ui.main_window import MainWindow
    from nikdesk.ui.signin_dialog import SignInDialog
    from nikdesk.ui.sync_wiring import attach_sync

    window = MainWindow(ChatStore(), Settings(provider="none"))
    qtbot.addWidget(window)
    controller = attach_sync(window, start=False)
    assert controller is not None
    assert window.sync_bar.account.text() == "Nicht angemeldet"

    email = new_email()
    dialog = SignInDialog(window, live.url, email)
    qtbot.addWidget(dialog)
    dialog.password.setText(PASSWORD)
    dialog.name.setText("Max Techniker")
    dialog.register_button.click()
    qtbot.waitUntil(lambda: "Code" in dialog.message.text() and not dialog.busy, timeout=30000)
    dialog.code.setText(smtp_server.code_for(email))
    with qtbot.waitSignal(dialog.signed_in, timeout=30000):
        dialog.verify_button.click()
    assert accounts.current().email == email

    # the window now works in the account's own store; an answer's history syncs in the back
    from nikdesk.ui.sync_wiring import _switch_store

    _switch_store(window, controller)
    session = window.store.create_session("Aus dem Fenster")
    window.store.add_message(session.id, "user", "Frage aus dem Fenster")
    qtbot.waitUntil(lambda: controller.running is None, timeout=30000)
    controller.request()
    qtbot.waitUntil(
        lambda: controller.running is None and bool(window.sync_bar.state.last_sync), timeout=60000
    )
    state = window.sync_bar.state
    assert state.account == email and state.pending == 0 and not state.error_code
    assert "Letzter Sync" in window.sync_bar.detail.text()

    # the server goes away: the bar says "offline" in German, nothing is lost
    live.stop()
    window.store.add_message(session.id, "user", "Offline geschrieben")
    import os

    os.environ["NIKDESK_SYNC_RETRY_SECONDS"] = "1"
    try:
        controller.request()
        qtbot.waitUntil(
            lambda: controller.running is None and bool(window.sync_bar.state.error_code),
            timeout=30000,
        )
    finally:
        os.environ.pop("NIKDESK_SYNC_RETRY_SECONDS", None)
    assert window.sync_bar.error.text().startswith("Offline")
    assert window.sync_bar.state.pending >= 1
