"""The settings dialog with real widgets offscreen and an in-memory OS keyring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.errors import KeyringLocked

from nikdesk.core.settings import Settings
from nikdesk.storage.secrets import SERVICE, get_secret
from nikdesk.ui.settings_dialog import SettingsDialog
from tests.fakes import memory_keyring_class

KEY = "sk-proj-Wechselrichter-4711-geheim"
COHERE = "co-Ladesäule-0815"


MemoryKeyring = memory_keyring_class()


class LockedKeyring(MemoryKeyring):
    """A keyring that refuses to store (a locked collection the user did not unlock)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("collection is locked")


@pytest.fixture(autouse=True)
def _no_key_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("COHERE_API_KEY", raising=False)


@pytest.fixture
def ring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def locked_ring() -> Iterator[LockedKeyring]:
    previous = keyring.get_keyring()
    backend = LockedKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def dialog_for(qtbot: Any, settings: Settings | None = None) -> SettingsDialog:
    dialog = SettingsDialog(settings or Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def save(qtbot: Any, dialog: SettingsDialog) -> Settings:
    with qtbot.waitSignal(dialog.settingsChanged, timeout=2000) as signal:
        dialog.save_button.click()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    settings: Settings = signal.args[0]
    return settings


def test_key_is_stored_through_the_keyring_and_never_in_the_settings_file(
    qtbot: Any, ring: MemoryKeyring, tmp_path: Path
) -> None:
    dialog = dialog_for(qtbot)
    assert dialog.keys["openai"].edit.placeholderText() == "nicht gesetzt"
    assert not dialog.keys["openai"].remove.isVisible()  # nothing stored, nothing to remove
    dialog.keys["openai"].edit.setText(f"  {KEY}\n")  # pasted with whitespace
    dialog.keys["cohere"].edit.setText(COHERE)
    settings = save(qtbot, dialog)

    assert get_secret("openai") == KEY
    assert get_secret("cohere") == COHERE
    assert ring.store[(SERVICE, "openai")] == KEY
    file = tmp_path / "settings.json"
    settings.save(file)
    text = file.read_text(encoding="utf-8")
    assert KEY not in text and COHERE not in text and "Wechselrichter" not in text
    assert Settings.load(file) == settings

    again = dialog_for(qtbot, settings)  # the stored key is never shown
    field = again.keys["openai"]
    assert field.edit.text() == ""
    assert field.edit.placeholderText() == "gespeichert"
    assert field.remove.isVisible()


def test_emptied_and_confirmed_key_is_deleted(qtbot: Any, ring: MemoryKeyring) -> None:
    ring.set_password(SERVICE, "openai", KEY)
    ring.set_password(SERVICE, "cohere", COHERE)
    dialog = dialog_for(qtbot)
    dialog.keys["openai"].remove.click()
    assert dialog.keys["openai"].edit.placeholderText() == "wird beim Speichern gelöscht"
    assert get_secret("openai") == KEY  # nothing happens before "Speichern"
    save(qtbot, dialog)
    assert get_secret("openai") is None
    assert get_secret("cohere") == COHERE  # an untouched empty field keeps its key


def test_cancel_changes_no_key(qtbot: Any, ring: MemoryKeyring) -> None:
    dialog = dialog_for(qtbot)
    dialog.keys["openai"].edit.setText(KEY)
    dialog.reject()
    assert get_secret("openai") is None


def test_secret_store_error_is_shown_inline_in_german(
    qtbot: Any, locked_ring: LockedKeyring
) -> None:
    dialog = dialog_for(qtbot)
    changed: list[object] = []
    dialog.settingsChanged.connect(changed.append)
    dialog.keys["openai"].edit.setText(KEY)
    dialog.save_button.click()
    assert dialog.isVisible() and not changed
    assert dialog.error.isVisible()
    message = dialog.error.text()
    assert "OpenAI-API-Schlüssel wurde nicht gespeichert" in message
    assert "Schlüsselbund" in message and "Traceback" not in message
    assert KEY not in message


def test_language_theme_text_size_and_provider_round_trip(
    qtbot: Any, ring: MemoryKeyring, tmp_path: Path
) -> None:
    model = tmp_path / "smollm2.Q8_0.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 64)
    dialog = dialog_for(qtbot)
    assert dialog.language.currentText() == "Deutsch"
    assert dialog.provider.currentText() == "Automatisch"
    dialog.language.setCurrentIndex(dialog.language.findText("English"))
    dialog.provider.setCurrentIndex(dialog.provider.findText("Lokales Modell"))
    dialog.text_size.setValue(30)  # clamped to the largest size
    dialog.sunlight.setChecked(True)
    dialog.base_url.setText("http://127.0.0.1:8080/v1")
    dialog.local_model.setText(str(model))
    settings = save(qtbot, dialog)
    assert (settings.language, settings.provider, settings.text_size, settings.sunlight) == (
        "en",
        "local",
        24,
        True,
    )
    assert settings.local_model == str(model)
    assert settings.openai_base_url == "http://127.0.0.1:8080/v1"

    file = tmp_path / "settings.json"
    settings.save(file)
    loaded = Settings.load(file)
    assert loaded == settings
    again = dialog_for(qtbot, loaded)
    assert again.language.currentText() == "English"
    assert again.provider.currentText() == "Lokales Modell"
    assert again.text_size.value() == 24 and again.sunlight.isChecked()
    assert again.result_settings() == loaded


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (None, None, "existiert nicht"),
        ("model.bin", b"GGUF", "keine GGUF-Datei"),
        ("halb.gguf", b"<html>", "kein gültiges GGUF-Modell"),
    ],
)
def test_bad_gguf_path_shows_the_error_and_keeps_the_dialog_open(
    qtbot: Any,
    ring: MemoryKeyring,
    tmp_path: Path,
    name: str | None,
    content: bytes | None,
    expected: str,
) -> None:
    path = tmp_path / (name or "fehlt.gguf")
    if content is not None:
        path.write_bytes(content)
    dialog = dialog_for(qtbot)
    changed: list[object] = []
    dialog.settingsChanged.connect(changed.append)
    dialog.keys["openai"].edit.setText(KEY)
    dialog.local_model.setText(str(path))
    dialog.local_model.editingFinished.emit()
    assert expected in dialog.error.text() and dialog.error.isVisible()
    dialog.save_button.click()
    assert dialog.isVisible() and not changed
    assert expected in dialog.error.text()
    assert get_secret("openai") is None  # nothing is half-applied

    dialog.local_model.clear()  # "" = the bundled default model
    save(qtbot, dialog)
    assert not dialog.error.isVisible()
    assert get_secret("openai") == KEY


def test_bad_base_url_shows_the_error(qtbot: Any, ring: MemoryKeyring) -> None:
    dialog = dialog_for(qtbot)
    dialog.base_url.setText("localhost:8080")
    dialog.save_button.click()
    assert dialog.isVisible()
    assert "keine gültige Adresse" in dialog.error.text()
