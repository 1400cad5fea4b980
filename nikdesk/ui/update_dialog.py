"""Manual updates in the app: what is installed, what is offered, install, from file, roll back.

All work runs through the one background helper (``Operation``); the window keeps answering
with the current release while a download runs, and switches to the new one only when the
install finished (``releaseChanged``), between answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nikdesk.core.errors import NikDeskError
from nikdesk.ui.worker import Operation

log = logging.getLogger(__name__)


def german_error(error: BaseException) -> str:
    """Return why an update failed, in plain German (never a traceback)."""
    if isinstance(error, NikDeskError):
        return str(error)
    if isinstance(error, OSError):
        return (
            f"Update fehlgeschlagen: Datei- oder Speicherproblem ({error.strerror or error}). "
            "Die installierte Version bleibt unverändert."
        )
    return "Interner Fehler beim Update – die installierte Version bleibt unverändert."


def release_text(status: Any) -> str:
    """Return "Handbuch-Version 3 vom 30.11.2026 · 34 Handbücher" (or the bundled index)."""
    if status is None or status.installed is None:
        return "Mitgelieferte Handbücher (kein Update installiert)"
    date = (status.created or "")[:10]
    if len(date) == 10:
        date = f"{date[8:10]}.{date[5:7]}.{date[0:4]}"
    return f"Handbuch-Version {status.installed} vom {date} · {status.documents} Handbücher"


def offer_details(offer: Any) -> str:
    """Return the list of added, changed and removed manuals."""
    lines = []
    for label, docs in (
        ("Neu", offer.changes.added),
        ("Geändert", offer.changes.updated),
        ("Entfernt", offer.changes.removed),
    ):
        lines += [f"{label}: {d.title or d.file}" for d in docs]
    return "\n".join(lines) or "Keine Änderungen an einzelnen Handbüchern."


class UpdateDialog(QDialog):
    """Check, install (with progress and cancel), install from a file, roll back.

    Signals:
        releaseChanged(): a release was installed or rolled back; reload the agent.
    """

    releaseChanged = Signal()

    def __init__(self, client: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from nikdesk.app.updates import update_client

        self.setWindowTitle("Handbuch-Updates")
        self.resize(640, 420)
        self.client = client or update_client()
        self.operation: Operation | None = None
        self.source: str | None = None
        self.installed = QLabel()
        self.offer = QLabel("Noch nicht gesucht.")
        self.offer.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.check_button = QPushButton("Nach Updates suchen")
        self.install_button = QPushButton("Installieren")
        self.install_button.setEnabled(False)
        self.file_button = QPushButton("Update von Datei…")
        self.rollback_button = QPushButton("Vorherige Version")
        self.cancel_button = QPushButton("Abbrechen")
        self.cancel_button.hide()
        self.check_button.clicked.connect(lambda: self.check())
        self.install_button.clicked.connect(lambda: self.install())
        self.file_button.clicked.connect(self.install_from_file)
        self.rollback_button.clicked.connect(self.rollback)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        for b in (self.check_button, self.install_button, self.file_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.rollback_button)
        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.installed)
        layout.addWidget(self.offer)
        layout.addWidget(self.details, 1)
        layout.addLayout(running)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.refresh_status()

    # -- state -----------------------------------------------------------------------------

    def refresh_status(self) -> None:
        """Show the installed release and whether a previous one exists."""
        status = self.client.status()
        self.installed.setText(release_text(status))
        self.rollback_button.setEnabled(status.previous is not None and self.operation is None)

    def _busy(self, busy: bool, cancellable: bool = False) -> None:
        for b in (self.check_button, self.file_button, self.rollback_button):
            b.setEnabled(not busy)
        self.install_button.setEnabled(False if busy else self.install_button.isEnabled())
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy and cancellable)
        self.cancel_button.setEnabled(busy and cancellable)
        if not busy:
            self.operation = None
            self.refresh_status()

    # -- actions ---------------------------------------------------------------------------

    def check(self, source: str | None = None) -> Operation:
        """Look for a release (in the background) and show what it would change."""
        self.source = source
        self.message.clear()
        self.progress.setRange(0, 0)
        return self._start(Operation(lambda: self.client.check(source), self), self._show_offer)

    def _show_offer(self, offer: Any) -> None:
        self.offer.setText(offer.summary())
        self.details.setPlainText("" if offer.up_to_date else offer_details(offer))
        self.install_button.setEnabled(not offer.up_to_date)

    def install(self, source: str | None = None) -> Operation:
        """Download, verify and install (progress, cancel); the old release stays until done."""
        source = source or self.source
        self.message.setText("Lade Update…")
        self.progress.setRange(0, 0)

        def work(report: Any) -> Any:
            return self.client.apply(
                source, lambda done, total, stage: report((done, total, stage)), op.cancelled
            )

        op = Operation(work, self)
        op.with_progress(self._on_progress)
        return self._start(op, self._installed, cancellable=True)

    def install_from_file(self) -> None:
        """Ask for an update file (USB stick) and install it, verified like a download."""
        name, _ = QFileDialog.getOpenFileName(
            self, "Update-Datei wählen", "", "NikDesk-Update (*.nikdesk *.tar);;Alle Dateien (*)"
        )
        if name:
            self.offer.setText(f"Update aus Datei: {Path(name).name}")
            self.details.clear()
            self.install(str(Path(name)))

    def _on_progress(self, value: tuple[int, int, str]) -> None:
        done, total, stage = value
        if stage == "index" or total <= 0:
            self.progress.setRange(0, 0)
            self.message.setText("Baue Suchindex…" if stage == "index" else "Lade Update…")
            self.cancel_button.setEnabled(stage != "index")
            return
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * done / total))
        self.message.setText(f"Lade Update: {done / 1e6:.1f} von {total / 1e6:.1f} MB")

    def _installed(self, offer: Any) -> None:
        if offer.up_to_date:
            self.message.setText(offer.summary())
            return
        self.message.setText(f"Version {offer.version} installiert: {offer.changes.summary()}.")
        self.offer.setText("Handbücher sind aktuell.")
        self.install_button.setEnabled(False)
        self.releaseChanged.emit()

    def cancel(self) -> None:
        """Stop the download (what was loaded is kept for the next attempt)."""
        if self.operation is not None:
            self.operation.cancel()
            self.cancel_button.setEnabled(False)
            self.message.setText("Breche ab…")

    def rollback(self) -> Operation:
        """Go back to the previous release (in the background: the server is told too)."""
        return self._start(Operation(self.client.rollback, self), self._rolled_back)

    def _start(
        self, op: Operation, on_success: Callable[[Any], None], cancellable: bool = False
    ) -> Operation:
        """Run ``op`` in the background with the dialog busy; errors are shown in German."""
        op.on_success(on_success).on_failure(self._failed)
        op.on_finished(lambda: self._busy(False))
        self.operation = op
        self._busy(True, cancellable=cancellable)
        return op.run()

    def _rolled_back(self, status: Any) -> None:
        self.message.setText(f"Zurück auf Version {status.installed}.")
        self.refresh_status()
        self.releaseChanged.emit()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(german_error(error))
