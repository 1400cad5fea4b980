"""The settings dialog: provider, API keys (via the keyring function), local model, looks.

API keys never enter :class:`Settings`: the dialog writes them straight through
``nikdesk.storage.secrets`` (set_secret / delete_secret) and never shows a stored key.
Everything else comes back as a new frozen ``Settings`` from :meth:`result_settings`;
the owner (the main window) saves it and applies theme and text size.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urlparse

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nikdesk.core.errors import NikDeskError
from nikdesk.core.settings import Settings
from nikdesk.storage.secrets import delete_secret, env_var, get_secret, set_secret

log = logging.getLogger(__name__)

PROVIDERS = (
    ("auto", "Automatisch"),
    ("openai", "GPT-4o (online)"),
    ("local", "Lokales Modell"),
    ("none", "Ohne Sprachmodell"),
)
LANGUAGES = (("de", "Deutsch"), ("en", "English"))
TEXT_SIZES = (9, 24)
GGUF_MAGIC = b"GGUF"
KEYS = (("openai", "OpenAI-API-Schlüssel"), ("cohere", "Cohere-API-Schlüssel"))
KEY_LABELS = dict(KEYS)


def check_gguf(text: str) -> str | None:
    """Return a German error for a local model path, or None if it is usable ("" = default)."""
    if not text:
        return None
    path = Path(text).expanduser()
    if not path.is_file():
        return f"Die Modelldatei „{path}“ existiert nicht."
    if path.suffix.lower() != ".gguf":
        return f"„{path.name}“ ist keine GGUF-Datei: Bitte eine Datei mit der Endung .gguf wählen."
    try:
        with path.open("rb") as fh:
            head = fh.read(len(GGUF_MAGIC))
    except OSError as exc:
        return f"Die Modelldatei „{path}“ kann nicht gelesen werden ({exc.strerror or exc})."
    if head != GGUF_MAGIC:  # a half-finished download or an HTML error page saved as .gguf
        return f"„{path.name}“ ist kein gültiges GGUF-Modell (Datei beschädigt oder unvollständig)."
    return None


def check_base_url(text: str) -> str | None:
    """Return a German error for an OpenAI-compatible base URL, or None ("" = OpenAI)."""
    if not text:
        return None
    url = urlparse(text)
    if url.scheme not in ("http", "https") or not url.netloc:
        return (
            f"„{text}“ ist keine gültige Adresse. Beispiel: http://localhost:8080/v1 "
            "(leer lassen für OpenAI)."
        )
    return None


class KeyField(QWidget):
    """One API key: a password field that never shows the stored key, and a remove toggle.

    An empty field keeps the stored key. "Entfernen" marks the stored key for deletion; the
    dialog's "Speichern" confirms it. Typing a new key cancels the removal.
    """

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.stored = False
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setClearButtonEnabled(True)
        self.edit.textEdited.connect(self._typed)
        self.remove = QPushButton("Entfernen")
        self.remove.setCheckable(True)
        self.remove.setToolTip("Gespeicherten Schlüssel beim Speichern löschen")
        self.remove.toggled.connect(self._remove_toggled)
        keep = QSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        keep.setRetainSizeWhenHidden(True)  # rows stay aligned whether a key is stored or not
        self.remove.setSizePolicy(keep)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.remove)

    def load(self) -> str | None:
        """Look up whether a key exists (the value is not kept); return a German error."""
        error = None
        try:
            value = get_secret(self.name)
        except NikDeskError as exc:
            value = None
            error = f"{KEY_LABELS[self.name]}: {exc}"
        self.stored = bool(value)
        if value and value == os.environ.get(env_var(self.name)):
            placeholder = f"aus Umgebungsvariable {env_var(self.name)}"
        elif value:
            placeholder = "gespeichert"
        elif error:
            placeholder = "unbekannt (Schlüsselbund gesperrt)"
        else:
            placeholder = "nicht gesetzt"
        self.edit.clear()
        self.edit.setPlaceholderText(placeholder)
        self.remove.setChecked(False)
        self.remove.setVisible(self.stored)
        return error

    def pending(self) -> str | None:
        """Return "set", "delete" or None (keep as it is)."""
        if self.edit.text().strip():
            return "set"
        if self.remove.isChecked():
            return "delete"
        return None

    def apply(self) -> None:
        """Write the change through the keyring function (raises NikDeskError)."""
        action = self.pending()
        if action == "set":
            set_secret(self.name, self.edit.text().strip())
            self.stored = True
        elif action == "delete":
            delete_secret(self.name)
            self.stored = False
        else:
            return
        self.edit.clear()
        self.remove.setChecked(False)
        self.remove.setVisible(self.stored)
        self.edit.setPlaceholderText("gespeichert" if self.stored else "nicht gesetzt")

    def _typed(self, text: str) -> None:
        if text and self.remove.isChecked():
            self.remove.setChecked(False)

    def _remove_toggled(self, checked: bool) -> None:
        if checked:
            self.edit.clear()
            self.edit.setPlaceholderText("wird beim Speichern gelöscht")
        elif not self.edit.text():
            self.edit.setPlaceholderText("gespeichert" if self.stored else "nicht gesetzt")


class SettingsDialog(QDialog):
    """Edit the app settings and the API keys.

    "Speichern" validates the fields, writes changed keys through the keyring function and
    closes; any problem is shown in German in :attr:`error` and the dialog stays open.

    Signals:
        settingsChanged(object): the new Settings after a successful "Speichern".
    """

    settingsChanged = Signal(object)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Einstellungen")
        self.setMinimumWidth(720)
        self._base = settings

        self.provider = QComboBox()
        for value, label in PROVIDERS:
            self.provider.addItem(label, value)
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText("leer = OpenAI (z. B. http://localhost:8080/v1)")
        self.local_model = QLineEdit()
        self.local_model.setPlaceholderText("leer = mitgeliefertes Standardmodell")
        self.local_model.setMinimumWidth(240)
        self.local_model.editingFinished.connect(self._check_model_now)
        self.browse = QPushButton("Durchsuchen…")
        self.browse.clicked.connect(self.choose_model)
        # never squeezed below its text (the sunlight theme's min-width would allow it)
        self.browse.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        model_row = QWidget()
        row = QHBoxLayout(model_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.local_model, 1)
        row.addWidget(self.browse)

        self.keys = {name: KeyField(name) for name, _label in KEYS}

        self.language = QComboBox()
        for value, label in LANGUAGES:
            self.language.addItem(label, value)
        self.text_size = QSpinBox()
        self.text_size.setRange(*TEXT_SIZES)
        self.text_size.setSuffix(" pt")
        self.sunlight = QCheckBox("Sonnenlicht-Modus (hoher Kontrast, große Schaltflächen)")

        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Speichern")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        answers = QGroupBox("Antworten")
        form = QFormLayout(answers)
        form.addRow("Sprachmodell:", self.provider)
        form.addRow("OpenAI-kompatible Adresse:", self.base_url)
        form.addRow("Lokales Modell (GGUF):", model_row)
        keys = QGroupBox("API-Schlüssel (im Schlüsselbund des Systems gespeichert)")
        form = QFormLayout(keys)
        for name, label in KEYS:
            form.addRow(f"{label}:", self.keys[name])
        looks = QGroupBox("Darstellung")
        form = QFormLayout(looks)
        form.addRow("Sprache:", self.language)
        form.addRow("Textgröße:", self.text_size)
        form.addRow(self.sunlight)

        layout = QVBoxLayout(self)
        layout.addWidget(answers)
        layout.addWidget(keys)
        layout.addWidget(looks)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self._show(settings)

    # -- values --------------------------------------------------------------------------

    def _show(self, settings: Settings) -> None:
        self.provider.setCurrentIndex(max(0, self.provider.findData(settings.provider)))
        self.base_url.setText(settings.openai_base_url)
        self.local_model.setText(settings.local_model)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.text_size.setValue(settings.text_size)
        self.sunlight.setChecked(settings.sunlight)
        errors = [e for e in (field.load() for field in self.keys.values()) if e]
        self.show_error("\n".join(errors))

    def result_settings(self) -> Settings:
        """Return the settings as edited (API keys are never part of them)."""
        return self._base.with_changes(
            provider=self.provider.currentData(),
            openai_base_url=self.base_url.text().strip(),
            local_model=self.local_model.text().strip(),
            language=self.language.currentData(),
            text_size=self.text_size.value(),
            sunlight=self.sunlight.isChecked(),
        )

    # -- actions -------------------------------------------------------------------------

    def choose_model(self) -> None:
        """Pick the local GGUF model file."""
        start = self.local_model.text().strip() or str(Path.home())
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "Lokales Modell wählen", start, "GGUF-Modelle (*.gguf);;Alle Dateien (*)"
        )
        if chosen:
            self.local_model.setText(chosen)
            self._check_model_now()

    def _check_model_now(self) -> None:
        self.show_error(check_gguf(self.local_model.text().strip()) or "")

    def show_error(self, message: str) -> None:
        """Show a German message above the buttons ("" hides it)."""
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def accept(self) -> None:
        """Validate, store changed keys, emit settingsChanged and close; else show why not."""
        settings = self.result_settings()
        problem = check_base_url(settings.openai_base_url) or check_gguf(settings.local_model)
        if problem:
            self.show_error(problem)
            return
        for name, field in self.keys.items():
            try:
                field.apply()
            except NikDeskError as exc:
                log.info("could not store secret %s: %s", name, type(exc).__name__)
                self.show_error(
                    f"{KEY_LABELS[name]} wurde nicht gespeichert: {exc}\n"
                    "Die übrigen Einstellungen sind noch nicht übernommen."
                )
                return
        self.show_error("")
        self._base = settings
        self.settingsChanged.emit(settings)
        super().accept()
