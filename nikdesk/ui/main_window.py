"""The main window: sessions sidebar, chat with the live agent, PDF viewer, status bar."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QPushButton, QSplitter, QWidget

from nikdesk.agent import Agent
from nikdesk.core.errors import NikDeskError
from nikdesk.core.events import (
    Clarification,
    Done,
    Error,
    Event,
    Metadata,
    ProviderSwitch,
    Source,
    Sources,
    Token,
    ToolResult,
    ToolStart,
)
from nikdesk.core.settings import Settings
from nikdesk.storage.chats import ChatStore
from nikdesk.ui.chat_view import Bubble, ChatView
from nikdesk.ui.sessions import SessionList
from nikdesk.ui.worker import EventStream, Operation

log = logging.getLogger(__name__)
UNDO_SECONDS = 8


def provider_name(label: str) -> str:
    """Return the German name of a provider label ("openai:gpt-4o" -> "GPT-4o (online)")."""
    kind, _, model = label.partition(":")
    if kind == "openai":
        return f"{model or 'GPT-4o'} (online)"
    if kind == "local":
        return "Lokales Modell" + (f" ({model})" if model else "")
    if kind == "none":
        return "ohne Sprachmodell"
    return label or "?"


def network_up(host: str = "api.openai.com", port: int = 443, timeout: float = 1.5) -> bool:
    """Tell whether the internet answers (a TCP connect; runs off the UI thread)."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class MainWindow(QMainWindow):
    """What the technician holds: ask, read cited answers, open the cited page.

    The agent is attached later (``set_agent``): the window is usable at once, the models
    load in the background.
    """

    def __init__(self, store: ChatStore, settings: Settings) -> None:
        super().__init__()
        self.setWindowTitle("NikDesk – Servicehandbücher")
        self.resize(1280, 820)
        self.store = store
        self.settings = settings
        self.agent: Agent | None = None
        self.stream: EventStream | None = None
        self.session_id: str | None = None
        self._run: dict[str, Any] = {}
        self.paused_run_id: str | None = None  # a clarification waiting for the technician
        self._viewer: Any = None
        self.after_answer: list[Any] = []  # called after each stored answer (e.g. sync)

        self.sessions = SessionList(store)
        self.sessions.sessionChosen.connect(self.open_session)
        self.sessions.newRequested.connect(self.new_session)
        self.sessions.deleted.connect(self._offer_undo)
        self.chat = ChatView()
        self.chat.send.connect(self.ask)
        self.chat.optionChosen.connect(self.answer_clarification)
        self.chat.citationClicked.connect(self.open_citation)
        self.chat.feedbackGiven.connect(self._feedback)
        self.chat.cancelRequested.connect(self.cancel)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.sessions)
        self.splitter.addWidget(self.chat)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 1020])
        self.setCentralWidget(self.splitter)

        self.status_net = QLabel("Prüfe Verbindung…")
        self.status_provider = QLabel("Lade Modelle…")
        self.status_index = QLabel("")
        for label in (self.status_net, self.status_provider, self.status_index):
            self.statusBar().addPermanentWidget(label)
        self.update_notice = QPushButton()  # "Handbuch-Update verfügbar: 3 geändert, 1 neu (12 MB)"
        self.update_notice.setFlat(True)
        self.update_notice.hide()
        self.update_notice.clicked.connect(self.show_updates)
        self.statusBar().addPermanentWidget(self.update_notice)
        self._update_checked = False
        self._undo_button: QPushButton | None = None
        self._library: Any = None
        self._shortcuts()
        self._menus()
        self.sessions.refresh()
        self.chat.input.setFocus()

    # -- setup ---------------------------------------------------------------------------

    def _shortcuts(self) -> None:
        for keys, slot in (
            (QKeySequence.StandardKey.New, self.new_session),
            (QKeySequence.StandardKey.Find, self.sessions.search.setFocus),
            (QKeySequence(Qt.Key.Key_Escape), self.cancel),
        ):
            action = QAction(self)
            action.setShortcut(keys)
            action.triggered.connect(slot)
            self.addAction(action)

    def _menus(self) -> None:
        menu = self.menuBar().addMenu("&Datei")
        menu.addAction("Neue Unterhaltung", QKeySequence.StandardKey.New, self.new_session)
        menu.addAction("Bibliothek…", self.show_library)
        menu.addAction("Handbuch-Updates…", self.show_updates)
        menu.addAction("Einstellungen…", self.show_settings)
        menu.addSeparator()
        menu.addAction("Beenden", QKeySequence.StandardKey.Quit, self.close)

    def show_settings(self) -> None:
        """Open the settings; apply theme and provider choices when saved."""
        from nikdesk.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.settingsChanged.connect(self.apply_settings)
        dialog.open()

    def apply_settings(self, settings: Settings) -> None:
        """Save ``settings``, restyle, and reload the agent in the background."""
        from PySide6.QtWidgets import QApplication

        from nikdesk.ui.app import load_agent, stylesheet

        self.settings = settings
        settings.save()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setStyleSheet(stylesheet(settings))
        # always reload: keys live in the keyring, not in settings, and may have changed
        self.status_provider.setText("Lade Modelle…")
        Operation(lambda: load_agent(settings), self).on_success(self.set_agent).on_failure(
            self.agent_failed
        ).run()

    def show_updates(self) -> Any:
        """Open the manual updates (check, install, from file, previous version)."""
        from nikdesk.ui.update_dialog import UpdateDialog

        try:
            dialog = UpdateDialog(parent=self)
        except ImportError as exc:
            from nikdesk.updates import missing_extra

            self.statusBar().showMessage(str(missing_extra(exc)), 8000)
            return None
        dialog.releaseChanged.connect(lambda: self.apply_settings(self.settings))
        dialog.releaseChanged.connect(self.update_notice.hide)
        dialog.show()
        if self.update_notice.isVisible():
            dialog.check()
        return dialog

    def show_library(self) -> None:
        """Show the documents of the index; add a folder of manuals (background build)."""
        from nikdesk.core.paths import data_dir
        from nikdesk.retrieval.library import LocalLibrary
        from nikdesk.ui.library_view import LibraryView

        if self._library is None:
            manifest = self.agent.manifest if self.agent else None
            self._library = LibraryView(
                manifest,
                index_path=data_dir() / "index",
                local_library=None if self.settings.index_path else LocalLibrary(),
                embedder_name=manifest.embedder.name if manifest else "e5-small",
            )
            self._library.setWindowTitle("Bibliothek – Handbücher im Index")
            self._library.resize(900, 600)
            self._library.openDocument.connect(self.open_document)
            self._library.indexBuilt.connect(self._index_built)
        self._library.show()
        self._library.raise_()

    def _index_built(self, out: Path) -> None:
        dirs = list(self.settings.library_dirs)
        source = getattr(self._library, "last_source", None)
        if source is not None and str(source) not in dirs:
            dirs.append(str(source))
        if getattr(self._library, "local_library", None) is not None:
            # the folder went into the local library: searched next to the release, which
            # stays the index (updates and rollbacks never touch the technician's manuals)
            self.apply_settings(self.settings.with_changes(library_dirs=tuple(dirs)))
            return
        self.apply_settings(
            self.settings.with_changes(index_path=str(out), library_dirs=tuple(dirs))
        )

    def open_document(self, file: str) -> None:
        """Open a whole manual in the viewer at page 1."""
        name = Path(file).name
        self.open_citation(
            Source(ref="", doc_id="", file=name, title=name, page=1, page_end=1, passage="")
        )

    def set_agent(self, agent: Agent) -> None:
        """Attach the agent once models and index are loaded (from a background operation)."""
        self.agent = agent
        manifest = agent.manifest
        self.status_index.setText(
            f"Index v{manifest.bundle_version} · {len(manifest.documents)} Handbücher"
        )
        if self._library is not None:
            self._library.set_manifest(manifest)
            self._library.show_release()
        self.refresh_status()
        if not self._update_checked:
            self._update_checked = True
            self.check_updates()

    def check_updates(self) -> None:
        """Look for a manual update in the background; show a notice if there is one."""
        try:
            from nikdesk.updates.client import UpdateClient
        except ImportError:  # the updates extra is not installed: no notice
            return
        client = UpdateClient()
        if not client.provisioned() or not client.install.state().source:
            return  # not set up for online updates (USB only, or a developer machine)
        Operation(client.check, self).on_success(self._show_update_notice).run()

    def _show_update_notice(self, offer: Any) -> None:
        self.update_notice.setVisible(not offer.up_to_date)
        self.update_notice.setText(offer.summary())

    def agent_failed(self, error: BaseException) -> None:
        """Show why the agent could not start (German, never a traceback)."""
        message = (
            error.text(self.settings.language)
            if isinstance(error, NikDeskError)
            else "Interner Fehler beim Start"
        )
        self.status_provider.setText("Nicht bereit")
        self.statusBar().showMessage(f"Fehler: {message}")

    def refresh_status(self) -> None:
        """Probe providers off the UI thread; show online/offline and who answers now."""
        agent = self.agent
        if agent is None:
            return
        Operation(agent.chain, self).on_success(self._show_chain).run()

    def _show_chain(self, chain: list[str]) -> None:
        self.status_provider.setText(f"Antworten: {provider_name(chain[0])}")
        Operation(network_up, self).on_success(
            lambda up: self.status_net.setText("● Online" if up else "○ Offline")
        ).run()

    # -- sessions ------------------------------------------------------------------------

    def new_session(self) -> None:
        """Start a fresh conversation (Ctrl+N)."""
        session = self.store.create_session()
        self.session_id = session.id
        self.paused_run_id = None
        self.chat.clear()
        self.sessions.select(session.id)
        self.chat.input.setFocus()

    def open_session(self, session_id: str) -> None:
        """Show a stored conversation."""
        self.session_id = session_id
        self.paused_run_id = None
        self.chat.clear()
        for message in self.store.messages(session_id):
            photo = None
            for attachment in self.store.attachments(message.id):
                photo = attachment.file()
            bubble = self.chat.add_bubble(message.role, message.text, photo)
            if message.role == "assistant":
                self.chat.show_sources(message.sources, bubble)
                if message.outcome == "clarify" and message.run_id:
                    self._restore_pause(message.run_id, bubble)
                else:
                    self.chat.add_feedback(message.id, bubble)

    def _restore_pause(self, run_id: str, bubble: Bubble) -> None:
        """Offer a still-paused clarification again (the app was closed meanwhile)."""
        options = self.agent.paused_options(run_id) if self.agent else None
        if options is None:
            return
        self.paused_run_id = run_id
        if options:
            self.chat.add_options(run_id, options, bubble)

    def _offer_undo(self, session_id: str) -> None:
        if self.session_id == session_id:
            self.session_id = None
            self.chat.clear()
        button = QPushButton("Rückgängig")
        button.clicked.connect(lambda: self._undo(session_id, button))
        self.statusBar().showMessage("Unterhaltung gelöscht", UNDO_SECONDS * 1000)
        self.statusBar().addWidget(button)
        self._undo_button = button
        timer = QTimer(button)  # dies with the button (and the window): no stale callback
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._drop_undo(button))
        timer.start(UNDO_SECONDS * 1000)

    def _undo(self, session_id: str, button: QPushButton) -> None:
        self.sessions.undelete(session_id)
        self._drop_undo(button)
        self.statusBar().showMessage("Wiederhergestellt", 3000)

    def _drop_undo(self, button: QPushButton) -> None:
        if self._undo_button is button:
            self.statusBar().removeWidget(button)
            button.deleteLater()
            self._undo_button = None

    # -- asking --------------------------------------------------------------------------

    def ask(self, text: str, photo: Path | None) -> None:
        """Send a question (and photo) to Nik; the answer streams into the chat."""
        if self.agent is None:
            self.statusBar().showMessage("Modelle laden noch – bitte gleich erneut senden.", 4000)
            self.chat.input.setPlainText(text)  # nothing typed is lost
            if photo is not None:
                self.chat.set_photo(photo)
            return
        if self.paused_run_id is not None and text:
            self.answer_clarification(self.paused_run_id, text)
            return
        if self.session_id is None:
            self.new_session()
        assert self.session_id is not None
        message = self.store.add_message(self.session_id, "user", text or "(Foto)")
        if photo is not None:
            try:
                photo = self.store.attach(message.id, photo).file()
            except NikDeskError as exc:
                self.statusBar().showMessage(exc.text(self.settings.language), 6000)
                photo = None
        self.chat.add_bubble("user", text or "(Foto)", photo)
        session_id = self.session_id
        self._start(lambda: self.agent.run(text, session_id=session_id, image=photo))

    def answer_clarification(self, run_id: str, option: str) -> None:
        """Resume a paused run with the technician's choice."""
        if self.agent is None or self.session_id is None:
            return
        self.paused_run_id = None
        self.store.add_message(self.session_id, "user", option)
        self.chat.add_bubble("user", option)
        self._start(lambda: self.agent.resume(run_id, option))

    def _start(self, make: Any) -> None:
        self.chat.start_answer()
        self._run = {"session": self.session_id, "sources": (), "run_id": None}
        stream = EventStream(make, self)

        def current(handler: Any) -> Any:
            # after Esc and a new question, the old worker may still deliver: ignore it
            return lambda *args: handler(*args) if self.stream is stream else None

        stream.on_item(current(self._on_event))
        stream.on_failure(current(self._on_failure)).on_finished(current(self._on_finished))
        self.stream = stream
        stream.run()

    def cancel(self) -> None:
        """Stop the running answer (Esc)."""
        if self.stream is not None and self.chat.busy:
            self.stream.cancel()
            self.chat.finish_answer(self.chat.pending_text + "\n\n*(abgebrochen)*")

    def _on_event(self, event: Event) -> None:
        match event:
            case Metadata():
                self._run["run_id"] = event.run_id
            case ToolStart():
                self.chat.show_chip(f"{event.label or event.tool}…")
            case ToolResult():
                self.chat.show_chip(event.summary)
            case Token():
                self.chat.append_token(event.text)
            case ProviderSwitch():
                self.chat.restart_answer(
                    f"{provider_name(event.failed)}: {event.reason} – "
                    f"weiter mit {provider_name(event.provider)}"
                )
            case Sources():
                self._run["sources"] = event.sources
            case Clarification():
                self._run["clarification"] = event
            case Done():
                self._finish(event)
            case Error():
                self.chat.finish_answer(f"**Fehler:** {event.message}")

    def _finish(self, done: Done) -> None:
        bubble: Bubble | None = self.chat.finish_answer(done.text)
        sources: tuple[Source, ...] = self._run.get("sources", ())
        session_id = self._run.get("session")
        if bubble is None or session_id is None:
            return
        message = self.store.add_message(
            session_id,
            "assistant",
            done.text,
            provider=done.provider,
            outcome=done.outcome,
            sources=sources,
            run_id=self._run.get("run_id"),
        )
        self.chat.show_sources(sources, bubble)
        clarification = self._run.get("clarification")
        if clarification is not None:
            self.paused_run_id = clarification.run_id  # typed text answers it too
            self.chat.add_options(clarification.run_id, clarification.options, bubble)
        else:
            self.chat.add_feedback(message.id, bubble)
        if done.handoff_id:
            self._offer_handoff(done.handoff_id, bubble)
        self.status_provider.setText(f"Letzte Antwort: {provider_name(done.provider)}")
        self.sessions.refresh()
        for hook in self.after_answer:
            hook()

    def _offer_handoff(self, handoff_id: str, bubble: Bubble) -> None:
        button = QPushButton("An den Support übergeben")
        button.setObjectName("handoff")

        def request() -> None:
            if self.agent is not None:
                self.agent.escalate(handoff_id)
            button.setEnabled(False)
            button.setText("Übergabe vorgemerkt – wird beim nächsten Sync gesendet")

        button.clicked.connect(request)
        bubble.extras.addWidget(button)

    def _on_failure(self, error: BaseException) -> None:
        message = (
            error.text(self.settings.language)
            if isinstance(error, NikDeskError)
            else "Interner Fehler – bitte erneut versuchen."
        )
        self.chat.finish_answer(f"**Fehler:** {message}")

    def _on_finished(self) -> None:
        if self.chat.busy:  # cancelled or ended without "done"
            self.chat.finish_answer(self.chat.pending_text)

    def _feedback(self, message_id: str, rating: int) -> None:
        self.store.set_feedback(message_id, rating)
        self.statusBar().showMessage("Danke für die Rückmeldung", 2000)

    # -- citations -----------------------------------------------------------------------

    def open_citation(self, source: Source) -> None:
        """Open the built-in viewer at the cited page, the passage highlighted."""
        from nikdesk.ui.pdf_viewer import PdfViewer

        if self._viewer is None:
            self._viewer = PdfViewer()
            self.splitter.addWidget(self._viewer)
            self.splitter.setSizes([220, 560, 620])
        # a manual missing on the laptop: the viewer says where it belongs
        path = (
            self.agent.locate_pdf(source.file) or self.agent.expected_pdf(source.file)
            if self.agent
            else Path(source.file)
        )
        self._viewer.open(
            path,
            source.page,
            highlight=source.highlight,
            passage=source.passage,
        )
        self._viewer.show()

    @property
    def viewer(self) -> QWidget | None:
        """Return the PDF viewer if a citation was opened."""
        return self._viewer
