"""The app's update flow offscreen: notice, details, progress, install, rollback, file, errors;
and "add a folder" building into the local library instead of replacing the index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nikdesk.updates.client import UpdateClient
from nikdesk.updates.keys import KeyRing, init_keys
from nikdesk.updates.publish import publish
from nikdesk.updates.repo import Repository
from nikdesk.updates.usb import export
from tests.updates.kit import MANUALS, make_index, serve


@pytest.fixture
def channel(tmp_path: Path) -> Any:
    keys = tmp_path / "keys"
    init_keys(keys)
    repo = Repository(tmp_path / "repo")
    manuals = dict(MANUALS)
    publish(make_index(tmp_path / "a", manuals), repo, KeyRing(keys), tmp_path / "a" / "docs")
    client = UpdateClient()
    client.trust(keys / "root.json")
    with serve(repo.path) as server:
        client.apply(server.url)
        manuals["Ladefix/Wallbox.md"] = "# Wallbox\n\nF9 neu.\n\n" + "Text. " * 50_000
        manuals["Neu/Zaehler.md"] = "# Zähler\n\nZ1."
        publish(make_index(tmp_path / "a", manuals), repo, KeyRing(keys), tmp_path / "a" / "docs")
        yield client, server, repo, tmp_path


def test_check_shows_the_notice_and_install_switches_between_answers(
    qtbot: Any, channel: Any
) -> None:
    from nikdesk.ui.update_dialog import UpdateDialog

    client, server, _repo, _tmp = channel
    dialog = UpdateDialog(client)
    qtbot.addWidget(dialog)
    assert dialog.installed.text().startswith("Handbuch-Version 1 vom ")
    op = dialog.check(server.url)
    qtbot.waitUntil(lambda: dialog.operation is None, timeout=30_000)
    assert op is not None
    assert dialog.offer.text().startswith("Handbuch-Update verfügbar: 1 geändert, 1 neu (")
    assert "Neu: Zähler" in dialog.details.toPlainText()
    assert "Geändert: Wallbox" in dialog.details.toPlainText()
    seen: list[Any] = []
    dialog.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(dialog.releaseChanged, timeout=60_000):
        dialog.install_button.click()
    qtbot.waitUntil(lambda: dialog.operation is None, timeout=30_000)
    assert client.status().installed == 2 and seen
    assert dialog.installed.text().startswith("Handbuch-Version 2 vom ")
    assert dialog.rollback_button.isEnabled()
    with qtbot.waitSignal(dialog.releaseChanged, timeout=10_000):
        dialog.rollback_button.click()
    assert client.status().installed == 1


def test_a_rejected_file_says_why_in_german(qtbot: Any, channel: Any, monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QFileDialog

    from nikdesk.ui.update_dialog import UpdateDialog

    client, _server, repo, tmp = channel
    stick = tmp / "stick.nikdesk"
    export(repo, stick)
    data = bytearray(stick.read_bytes())
    data[data.find(b"F9 neu")] = ord("G")
    stick.write_bytes(bytes(data))
    dialog = UpdateDialog(client)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(stick), ""))
    dialog.file_button.click()
    qtbot.waitUntil(lambda: dialog.operation is None, timeout=60_000)
    assert "Update abgelehnt" in dialog.message.text()
    assert "unverändert" in dialog.message.text()
    assert client.status().installed == 1


def test_cancel_keeps_the_installed_release(qtbot: Any, channel: Any) -> None:
    from nikdesk.ui.update_dialog import UpdateDialog

    client, server, _repo, _tmp = channel
    dialog = UpdateDialog(client)
    qtbot.addWidget(dialog)
    op = dialog.install(server.url)
    op.cancel()  # before the first block: the download stops at once
    qtbot.waitUntil(lambda: dialog.operation is None, timeout=30_000)
    assert "abgebrochen" in dialog.message.text()
    assert client.status().installed == 1


def test_library_adds_a_folder_to_the_local_library(
    qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from nikdesk.retrieval.library import LocalLibrary
    from nikdesk.ui.library_view import LibraryView
    from tests.conftest import e5_or_skip

    e5_or_skip()
    src = tmp_path / "eigene"
    src.mkdir()
    (src / "LX-7.md").write_text("# LX-7\n\nQ777 bedeutet Lüfterausfall.", encoding="utf-8")
    index = tmp_path / "release-index"
    library = LocalLibrary()
    view = LibraryView(index_path=index, local_library=library, embedder_name="e5-small")
    qtbot.addWidget(view)
    assert "Mitgelieferte Handbücher" in view.release.text()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(src))
    with qtbot.waitSignal(view.indexBuilt, timeout=120_000) as built:
        view.add_button.click()
    assert built.args == [library.root]
    assert not index.exists()  # the release index is not replaced
    assert [p.name for p in library.folders()] == ["eigene"]
    assert "eigenen Bibliothek" in view.status.text()
