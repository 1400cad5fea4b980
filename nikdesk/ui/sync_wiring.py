"""Attach accounts and sync to the main window: status bar, sign-in dialog, live refresh."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction

from nikdesk.ui.signin_dialog import SignInDialog
from nikdesk.ui.sync_status import SyncController, SyncStatusBar

if TYPE_CHECKING:
    from nikdesk.ui.main_window import MainWindow


def attach_sync(window: MainWindow, start: bool = True) -> SyncController | None:
    """Add the sync status bar, the account menu and background syncing to ``window``.

    Without the ``sync`` extra the window simply has no account features (None).
    """
    from nikdesk.core.errors import MissingExtra

    try:
        import nikdesk.sync.client  # noqa: F401
    except MissingExtra:
        return None
    bar = SyncStatusBar(window)
    window.statusBar().addPermanentWidget(bar)
    controller = SyncController(window)
    controller.state_changed.connect(bar.show_state)
    controller.arrived.connect(lambda _n: _changes_arrived(window))
    bar.sync_requested.connect(controller.request)
    bar.sign_in_requested.connect(lambda: open_sign_in(window, controller))
    window.after_answer.append(controller.request)
    menu = window.menuBar().addMenu("&Konto")
    for text, slot in (
        ("Anmelden …", lambda: open_sign_in(window, controller)),
        ("Jetzt synchronisieren", controller.request),
        ("Abmelden", lambda: _sign_out(window, controller, wipe=False)),
        ("Abmelden und lokale Daten entfernen", lambda: _sign_out(window, controller, wipe=True)),
    ):
        action = QAction(text, window)
        action.triggered.connect(slot)
        menu.addAction(action)
    window.sync_bar, window.sync_controller = bar, controller  # type: ignore[attr-defined]
    if start:
        controller.start()
    else:
        controller.refresh_state()
    return controller


def open_sign_in(window: MainWindow, controller: SyncController) -> SignInDialog:
    """Show the sign-in dialog; on success switch to that account's store and sync."""
    from nikdesk.sync import accounts

    last = accounts.current_or_none()
    dialog = SignInDialog(window, last.server if last else "", last.email if last else "")
    dialog.signed_in.connect(lambda _account: _switch_store(window, controller))
    dialog.open()
    return dialog


def _switch_store(window: MainWindow, controller: SyncController) -> None:
    """Open the (now current) account's store: each account sees only its own history."""
    from nikdesk.storage.chats import ChatStore

    store = ChatStore()
    window.store = store
    window.sessions.store = store
    window.session_id = None
    window.chat.clear()
    window.sessions.refresh()
    controller.request()


def _sign_out(window: MainWindow, controller: SyncController, wipe: bool) -> None:
    from nikdesk.core.errors import NikDeskError
    from nikdesk.sync import accounts

    try:
        accounts.logout(wipe=wipe)
    except NikDeskError as exc:
        window.statusBar().showMessage(exc.text("de"), 6000)
        return
    _switch_store(window, controller)


def _changes_arrived(window: Any) -> None:
    """Refresh the sidebar and the open session (unless an answer is streaming into it)."""
    window.sessions.refresh()
    if window.session_id and not window.chat.busy:
        window.open_session(window.session_id)
