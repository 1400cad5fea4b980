"""The library: the manuals in the open index, and building an index from a folder of them.

The build runs ``build_index`` through the one background helper (``Operation``). Cancelling
is cooperative: the build's progress callback raises :class:`BuildCancelled` once
``operation.cancelled`` is set. ``build_index`` writes its bundle into a temporary sibling
folder and swaps it in only when complete, and it reports progress only *before* that write,
so a cancelled build never leaves a half-written index and the previous one stays as it was.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from nikdesk.core.errors import (
    IndexMismatch,
    IndexNotFound,
    MissingExtra,
    ModelMissing,
    NikDeskError,
    NothingIndexed,
    skip_reason_text,
)
from nikdesk.retrieval.build import BuildReport, build_index
from nikdesk.retrieval.bundle import IndexManifest, read_manifest
from nikdesk.retrieval.embedders import DEFAULT_EMBEDDER, create_embedder
from nikdesk.ui.worker import Operation

log = logging.getLogger(__name__)

NO_INDEX = "Kein Index geöffnet."
COLUMNS = ("Titel", "Datei", "Seiten", "Sprache", "Hersteller")
RELPATH_ROLE = Qt.ItemDataRole.UserRole
LANGUAGES = {"de": "Deutsch", "en": "Englisch", "fr": "Französisch", "it": "Italienisch"}
STAGES = {
    "load": "Lade Embedding-Modell…",
    "parse": "Lese Dateien: {done} von {total}",
    "embed": "Berechne Vektoren: {done} von {total} Abschnitten",
    "embed-start": "Berechne Vektoren…",
    "write": "Schreibe Index…",
}


class BuildCancelled(Exception):
    """Raised from the build's progress callback to stop a build the user cancelled."""


def format_build_report(report: BuildReport) -> str:
    """Return the German report of a finished build: documents, pages, skipped files."""
    documents = len(report.indexed) + len(report.reused)
    lines = [
        f"Index erstellt (Version {report.bundle_version}): {documents} Dokumente, "
        f"{report.pages} Seiten mit Text, {report.chunks} Abschnitte.",
        f"Neu eingelesen: {len(report.indexed)}, unverändert übernommen: {len(report.reused)}, "
        f"entfernt: {len(report.removed)}, übersprungen: {len(report.skipped)}.",
    ]
    if report.skipped:
        lines.append("Übersprungene Dateien:")
        lines += [f"  • {s.relpath}: {skip_reason_text(s.code, s.reason)}" for s in report.skipped]
    lines.append(f"Dauer: {report.seconds:.1f} s")
    return "\n".join(lines)


def failure_message(error: BaseException) -> str:
    """Return the German message for a build that did not finish."""
    if isinstance(error, BuildCancelled):
        return "Abgebrochen – der bisherige Index bleibt unverändert."
    if isinstance(error, NothingIndexed):
        return f"Keine Datei konnte indexiert werden. Details: {error.text()}"
    if isinstance(error, IndexNotFound | IndexMismatch):
        return f"Der Index kann nicht an diesem Ort geschrieben werden. Details: {error.text()}"
    if isinstance(error, MissingExtra | ModelMissing):
        return f"Das Embedding-Modell ist nicht verfügbar. Details: {error.text()}"
    if isinstance(error, NikDeskError):
        return f"Indexaufbau fehlgeschlagen: {error.text()}"
    if isinstance(error, OSError):
        return (
            f"Indexaufbau fehlgeschlagen: Datei- oder Speicherproblem ({error.strerror or error})."
        )
    return "Interner Fehler beim Indexaufbau – bitte erneut versuchen. Der bisherige Index bleibt."


class LibraryView(QWidget):
    """The manuals of the open index, a filter, and "add a folder of manuals" with progress.

    ``index_path`` is where a build writes (the app's own index, never the bundled one);
    ``embedder_name`` is the embedder it builds with.

    Signals:
        openDocument(str): a document was opened (double-click, Enter or "Öffnen"); the
            argument is its path below the manuals folder (the file name for files at the top),
            as ``Toolbox.locate_pdf`` accepts it.
        indexBuilt(object): a build finished; the argument is the index folder (Path).
        buildFailed(str): a build was cancelled or failed; the argument is the German message.
    """

    openDocument = Signal(str)
    indexBuilt = Signal(object)
    buildFailed = Signal(str)

    def __init__(
        self,
        manifest: IndexManifest | None = None,
        index_path: Path | None = None,
        embedder_name: str = DEFAULT_EMBEDDER,
        parent: QWidget | None = None,
        local_library: Any = None,
    ) -> None:
        super().__init__(parent)
        self.index_path = index_path
        # set: "add a folder" builds into the technician's local library (searched next to
        # the company release) instead of replacing the index
        self.local_library = local_library
        self.embedder_name = embedder_name
        self.manifest: IndexManifest | None = None
        self.operation: Operation | None = None
        self.last_source: Path | None = None

        self.release = QLabel()  # "Handbuch-Version 3 vom 30.11.2026 · 34 Handbücher"
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filtern nach Titel, Datei, Hersteller, Sprache…")
        self.filter.setClearButtonEnabled(True)
        self.count = QLabel()
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)  # match any column
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole + 1)
        self.filter.textChanged.connect(self._filter_changed)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the title matters most
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 260)
        for column in range(2, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(self._activated)  # double-click or Enter
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.open_button = QPushButton("Öffnen")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_selected)
        self.add_button = QPushButton("Ordner mit Handbüchern hinzufügen…")
        self.add_button.clicked.connect(self.add_folder)

        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.stage = QLabel()
        self.cancel_button = QPushButton("Abbrechen")
        self.cancel_button.clicked.connect(self.cancel)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setMaximumHeight(160)
        self.report.hide()

        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        running = QHBoxLayout()
        running.addWidget(self.stage)
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.release)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(running)
        layout.addWidget(self.status)
        layout.addWidget(self.report)
        self._set_running(False)
        self.set_manifest(manifest)
        self.show_release()

    def show_release(self) -> None:
        """Show which signed manual release is installed (version and date)."""
        from nikdesk.ui.update_dialog import release_text

        try:
            from nikdesk.updates.client import UpdateClient

            self.release.setText(release_text(UpdateClient().status()))
        except ImportError:
            self.release.hide()  # the updates extra is not installed
        except (NikDeskError, OSError, ValueError) as exc:
            self.release.setText(f"Handbuch-Version unbekannt ({exc})")

    # -- the listing ---------------------------------------------------------------------

    def set_manifest(self, manifest: IndexManifest | None) -> None:
        """Show the documents of ``manifest`` (None: no index open)."""
        self.manifest = manifest
        self.model.removeRows(0, self.model.rowCount())
        for doc in manifest.documents if manifest else ():
            language = LANGUAGES.get(doc.language, doc.language.upper() or "–")
            cells = (doc.title or doc.file, doc.file, doc.pages, language, doc.manufacturer)
            row = []
            for value in cells:
                item = QStandardItem(str(value))
                item.setData(value, Qt.ItemDataRole.UserRole + 1)  # pages sort as numbers
                item.setData(doc.relpath, RELPATH_ROLE)
                item.setToolTip(f"{doc.title}\n{doc.relpath}")
                row.append(item)
            row[2].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.model.appendRow(row)
        # rows tall enough to hit with gloves, whatever the text size
        self.table.verticalHeader().setDefaultSectionSize(int(self.fontMetrics().height() * 2.2))
        self._update_count()
        if manifest is None and not self.status.text():
            self.status.setText(NO_INDEX)
        elif manifest is not None and self.status.text() == NO_INDEX:
            self.status.clear()

    def open_index(self, path: Path) -> None:
        """Read the index at ``path`` and list its documents (German message if it cannot)."""
        try:
            self.set_manifest(read_manifest(path))
        except NikDeskError as exc:
            self.set_manifest(None)
            self.status.setText(f"Index kann nicht geöffnet werden: {exc}")

    def visible_files(self) -> list[str]:
        """Return the relpaths of the rows shown (filtered, in display order)."""
        return [self.proxy.index(row, 0).data(RELPATH_ROLE) for row in range(self.proxy.rowCount())]

    def open_selected(self) -> None:
        """Open the selected document."""
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._activated(rows[0])

    def _activated(self, index: QModelIndex) -> None:
        relpath = index.data(RELPATH_ROLE)
        if relpath:
            self.openDocument.emit(relpath)

    def _selection_changed(self, *_args: Any) -> None:
        self.open_button.setEnabled(self.table.selectionModel().hasSelection())

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._update_count()

    def _update_count(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.count.setText(f"{total} Handbücher" if shown == total else f"{shown} von {total}")

    # -- building ------------------------------------------------------------------------

    @property
    def building(self) -> bool:
        """Tell whether a build is running."""
        return self.operation is not None

    def add_folder(self) -> None:
        """Ask for a folder of manuals and build the index from it."""
        if self.index_path is None and self.local_library is None:
            self.status.setText("Kein Speicherort für den Index festgelegt.")
            return
        folder = QFileDialog.getExistingDirectory(self, "Ordner mit Handbüchern wählen")
        if not folder:
            return
        if self.local_library is not None:
            self.start_build(Path(folder), self.local_library.root, self.embedder_name)
        elif self.index_path is not None:
            self.start_build(Path(folder), self.index_path, self.embedder_name)

    def start_build(self, src: Path, out: Path, embedder_name: str) -> Operation | None:
        """Build the index at ``out`` from ``src`` in the background (None if one runs)."""
        if self.operation is not None:
            self.status.setText("Es läuft bereits ein Indexaufbau.")
            return None
        library = (
            self.local_library
            if self.local_library is not None and out == self.local_library.root
            else None
        )

        def build(report: Any) -> BuildReport:
            def progress(stage: str, done: int, total: int) -> None:
                if operation.cancelled.is_set():
                    raise BuildCancelled
                report((stage, done, total))

            progress("load", 0, 0)
            embedder = create_embedder(embedder_name)
            if library is not None:
                return library.add_folder(src, embedder, progress)
            return build_index(src, out, embedder, progress=progress)

        operation = Operation(build, self)
        operation.with_progress(self._on_progress)
        operation.on_success(lambda result: self._on_success(out, result))
        operation.on_failure(self._on_failure)
        self.operation = operation
        self.last_source = src
        self.report.clear()
        self.report.hide()
        self.status.setText(f"Indexiere {src} …")
        self._set_running(True)
        self._on_progress(("load", 0, 0))
        return operation.run()

    def cancel(self) -> None:
        """Stop the running build at its next progress step; the old index stays."""
        if self.operation is not None:
            self.operation.cancel()
            self.cancel_button.setEnabled(False)
            self.stage.setText("Breche ab…")

    def _on_progress(self, value: tuple[str, int, int]) -> None:
        operation = self.operation
        if operation is None or operation.cancelled.is_set():
            return
        stage, done, total = value
        if stage == "parse" and done >= total:
            # the first embedding batch takes seconds before it reports: say what runs now
            stage, total = "embed-start", 0
        self.stage.setText(STAGES.get(stage, stage).format(done=done, total=total))
        if total <= 0 or stage == "write":
            self.progress.setRange(0, 0)  # busy: no count to show
        else:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        if stage == "write":  # past the last point where a cancel can take effect
            self.cancel_button.setEnabled(False)

    def _on_success(self, out: Path, result: BuildReport) -> None:
        self.operation = None
        self._set_running(False)
        self.status.setText("Fertig: Der Index ist aktualisiert.")
        self.report.setPlainText(format_build_report(result))
        self.report.show()
        if self.local_library is None or out != self.local_library.root:
            self.index_path = out
            self.open_index(out)
        else:
            self.status.setText("Fertig: Die Handbücher sind in der eigenen Bibliothek.")
        self.indexBuilt.emit(out)

    def _on_failure(self, error: BaseException) -> None:
        self.operation = None
        self._set_running(False)
        message = failure_message(error)
        self.status.setText(message)
        self.buildFailed.emit(message)

    def _set_running(self, running: bool) -> None:
        for widget in (self.progress, self.stage, self.cancel_button):
            widget.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.add_button.setEnabled(not running)
        if not running:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.stage.clear()

    def report_text(self) -> str:
        """Return the last build report shown (German)."""
        return self.report.toPlainText()
