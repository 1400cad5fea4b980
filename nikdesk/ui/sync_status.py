"""Sync in the window: the status-bar widget and the controller that runs syncs in the background.

The controller syncs when the network appears (Qt's network information), after each answer
(:meth:`SyncController.request`), periodically, and on "Jetzt synchronisieren". The round runs
through :class:`~nikdesk.ui.worker.Operation` on its own database connection, so typing never
waits for it; when changes arrive the window refreshes its sidebar and the open session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from nikdesk.core.errors import NikDeskError
from nikdesk.ui.worker import Operation

PERIOD_MS = 5 * 60 * 1000

_WHY = {
    "sync_offline": "Offline – Server nicht erreichbar. Änderungen bleiben gespeichert.",
    "signed_out": "Abgemeldet – bitte erneut anmelden. Nichts geht verloren.",
    "client_too_old": "Diese NikDesk-Version ist zu alt – bitte aktualisieren.",
    "server_error": "Serverfehler – später erneut versuchen.",
}


@dataclass(frozen=True)
class SyncState:
    """What the status bar shows."""

    account: str = ""  # email, "" when nobody is signed in
    last_sync: str | None = None
    pending: int = 0
    parked: int = 0
    syncing: bool = False
    error_code: str | None = None
    error: str | None = None


def read_state() -> SyncState:
    """Return the current account's sync state (no network; reads the local store)."""
    from nikdesk.storage.db import open_db
    from nikdesk.sync import accounts
    from nikdesk.sync.engine import status

    account = accounts.current_or_none()
    if account is None:
        return SyncState()
    db = open_db()
    try:
        info = status(db)
    finally:
        db.close()
    return SyncState(
        account=account.email,
        last_sync=info["last_sync"],
        pending=info["pending"],
        parked=info["parked"],
        error_code=info["last_error_code"],
        error=info["last_error"],
    )


def error_line(state: SyncState) -> str:
    """Return the German line telling why the last sync failed ("" when it did not)."""
    if not state.error_code:
        return ""
    return _WHY.get(state.error_code, state.error or "Sync fehlgeschlagen.")


class SyncStatusBar(QWidget):
    """Account, last sync, pending changes, the failure reason, "Jetzt synchronisieren".

    Signals:
        sync_requested(): the technician pressed the button.
        sign_in_requested(): the technician wants to sign in.
    """

    sync_requested = Signal()
    sign_in_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.account = QLabel()
        self.account.setObjectName("syncAccount")
        self.detail = QLabel()
        self.error = QLabel()
        self.error.setObjectName("syncError")
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.button = QPushButton("Jetzt synchronisieren")
        self.button.setObjectName("syncNow")
        self.button.clicked.connect(self._clicked)
        for widget in (self.account, self.detail, self.error, self.button):
            layout.addWidget(widget)
        self.state = SyncState()
        self.show_state(self.state)

    def _clicked(self) -> None:
        (self.sync_requested if self.state.account else self.sign_in_requested).emit()

    def show_state(self, state: SyncState) -> None:
        """Show ``state``."""
        self.state = state
        if not state.account:
            self.account.setText("Nicht angemeldet")
            self.detail.setText("")
            self.error.setText("")
            self.button.setText("Anmelden …")
            self.button.setEnabled(True)
            return
        self.account.setText(f"Konto: {state.account}")
        when = _short_time(state.last_sync) if state.last_sync else "noch nie"
        if state.syncing:
            text = f"Synchronisiere … · {state.pending} ausstehend"
        else:
            text = f"Letzter Sync: {when} · {state.pending} ausstehend"
        if state.parked:
            text += f" · {state.parked} zurückgestellt"
        self.detail.setText(text)
        self.error.setText("" if state.syncing else error_line(state))
        self.button.setText("Jetzt synchronisieren")
        self.button.setEnabled(not state.syncing)


def _short_time(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return stamp
    return moment.strftime("%d.%m. %H:%M")


class SyncController(QObject):
    """Run sync rounds in the background and tell the window what changed.

    Signals:
        state_changed(object): a new :class:`SyncState` for the status bar.
        arrived(int): a round pulled this many changes (> 0): refresh sidebar and session.
    """

    state_changed = Signal(object)
    arrived = Signal(int)

    def __init__(self, parent: QObject | None = None, period_ms: int = PERIOD_MS) -> None:
        super().__init__(parent)
        self.running: Operation | None = None
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(period_ms)
        self.timer.timeout.connect(self.request)
        self._watch_network()

    def start(self) -> None:
        """Show the state, sync once now and then periodically."""
        self.refresh_state()
        self.timer.start()
        self.request()

    def refresh_state(self, syncing: bool = False) -> None:
        state = read_state()
        if syncing:
            state = SyncState(**{**state.__dict__, "syncing": True})
        self.state_changed.emit(state)

    def request(self) -> None:
        """Sync soon (now, or right after the round that is running)."""
        from nikdesk.sync import accounts

        if accounts.current_or_none() is None:
            self.refresh_state()
            return
        if self.running is not None:
            self._again = True
            return
        from nikdesk.sync.service import sync_now

        self.refresh_state(syncing=True)
        self.running = (
            Operation(sync_now, self)
            .on_success(self._done)
            .on_failure(self._failed)
            .on_finished(self._finished)
            .run()
        )

    def _done(self, report: Any) -> None:
        if report.pulled:
            self.arrived.emit(report.pulled)

    def _failed(self, error: BaseException) -> None:
        # typed errors were recorded in the store by the engine and show in the status bar;
        # anything else is a bug (Operation logged it with its traceback)
        if not isinstance(error, NikDeskError):
            self.state_changed.emit(
                SyncState(**{**read_state().__dict__, "error_code": "server_error"})
            )

    def _finished(self) -> None:
        self.running = None
        self.refresh_state()
        if self._again:
            self._again = False
            self.request()

    def _watch_network(self) -> None:
        """Sync when the network comes back (Qt's reachability, when the platform has it)."""
        try:
            from PySide6.QtNetwork import QNetworkInformation
        except ImportError:
            return
        if not QNetworkInformation.loadDefaultBackend():
            return
        info = QNetworkInformation.instance()
        if info is None:
            return

        def changed(reachability: Any) -> None:
            if reachability == QNetworkInformation.Reachability.Online:
                self.request()

        info.reachabilityChanged.connect(changed)
