"""Publish and install over real HTTP on loopback: deltas, rollback, resume, search."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from nikdesk.retrieval.bundle import read_manifest
from nikdesk.retrieval.hybrid import Retriever
from nikdesk.retrieval.types import SearchOptions
from nikdesk.storage.installed_release import installed_release_path
from nikdesk.updates.client import UpdateClient
from nikdesk.updates.errors import NoRollback, NotProvisioned, UpdateCancelled
from tests.updates.conftest import Admin
from tests.updates.kit import Server


def _lexical(path: Path, query: str) -> list[str]:
    retriever = Retriever(path, None)
    try:
        return [h.chunk.file for h in retriever.search(query, SearchOptions(k=3, mode="lexical"))]
    finally:
        retriever.close()


def test_first_install_then_delta_downloads_only_the_changed_document(
    admin: Admin, server: Server, laptop: UpdateClient
) -> None:
    path = installed_release_path()
    assert path is not None and read_manifest(path).embedder.name == "test-vectors"
    assert _lexical(path, "A12")[0] == "SW-Akku.md"
    assert (path / "docs" / "Sonnwerk" / "SW-Akku.md").is_file()

    admin.publish(**{"Sonnwerk__SW-Akku.md": "# SW-Akku Handbuch\n\nA13 heißt Unterspannung."})
    offer = laptop.check(server.url)
    assert not offer.up_to_date and offer.version == 2
    assert [d.file for d in offer.changes.updated] == ["SW-Akku.md"]
    assert not offer.changes.added and not offer.changes.removed
    assert offer.summary().startswith("Handbuch-Update verfügbar: 1 geändert, 0 neu")
    server.requests.clear()
    laptop.apply(server.url)
    fetched = [p for p, _ in server.requests if "/targets/doc/" in p]
    assert len(fetched) == 3 and all("SW-Akku" in p for p in fetched)  # chunks, vectors, manual
    new = installed_release_path()
    assert new is not None and new != path
    assert _lexical(new, "A13")[0] == "SW-Akku.md"
    # unchanged documents are hard links into the previous release, not copies
    manual = "docs/Nordlicht/NX-Hybrid.md"
    assert (new / manual).stat().st_ino == (path / manual).stat().st_ino

    status = laptop.rollback()
    assert status.installed == 1 and status.previous == 2
    assert installed_release_path() == path
    assert laptop.rollback().installed == 2


def test_added_and_removed_documents_and_release_notes(
    admin: Admin, server: Server, laptop: UpdateClient
) -> None:
    report = admin.publish(
        **{"Ladefix__Wallbox.md": None, "Neu__Zaehler.md": "# Zähler\n\nZ1 Kommunikation."}
    )
    assert [d.file for d in report.changes.added] == ["Zaehler.md"]
    assert [d.file for d in report.changes.removed] == ["Wallbox.md"]
    offer = laptop.apply(server.url)
    assert [d.title for d in offer.changes.added] == ["Zähler"]
    path = installed_release_path()
    assert path is not None
    files = {d.file for d in read_manifest(path).documents}
    assert files == {"NX-Hybrid.md", "SW-Akku.md", "Zaehler.md"}
    assert not (path / "docs" / "Ladefix").exists()


def test_nothing_new_is_up_to_date_and_republish_only_resigns(
    admin: Admin, server: Server, laptop: UpdateClient
) -> None:
    report = admin.publish()
    assert report.unchanged and report.version == 1
    offer = laptop.apply(server.url)
    assert offer.up_to_date and offer.installed == 1


def test_embedder_change_is_a_full_release_never_mixed(
    admin: Admin, server: Server, laptop: UpdateClient, tmp_path: Path
) -> None:
    from nikdesk.updates.keys import KeyRing
    from nikdesk.updates.publish import publish
    from tests.updates.kit import make_index

    index = make_index(admin.work, admin.manuals, embedder="other-model", dim=24)
    report = publish(index, admin.repo, KeyRing(admin.keydir), admin.work / "docs")
    assert report.changes.full
    offer = laptop.apply(server.url)
    assert offer.changes.full
    path = installed_release_path()
    assert path is not None
    manifest = read_manifest(path)
    assert (manifest.embedder.name, manifest.embedder.dim) == ("other-model", 24)
    import faiss

    assert faiss.read_index(str(path / "vectors.faiss")).d == 24


def test_download_resumes_after_a_dropped_connection(
    admin: Admin, server: Server, laptop: UpdateClient
) -> None:
    big = "# SW-Akku Handbuch\n\nA14 heißt Wartung.\n\n" + "Seite. " * 40_000
    admin.publish(**{"Sonnwerk__SW-Akku.md": big})
    dropped: list[int] = []

    def drop_once(handler) -> bool:  # type: ignore[no-untyped-def]
        if dropped or handler.headers.get("Range"):
            return False
        path = Path(handler.translate_path(handler.path))
        data = path.read_bytes()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data[: len(data) // 3])
        handler.wfile.flush()
        handler.connection.shutdown(2)  # the van drives into a dead zone
        dropped.append(len(data))
        return True

    server.override(".manual.md", drop_once)
    laptop.apply(server.url)
    ranges = [r for p, r in server.requests if p.endswith(".manual.md") and r]
    assert dropped and ranges and int(ranges[0].split("=")[1].rstrip("-")) > 0
    path = installed_release_path()
    assert path is not None and _lexical(path, "A14")[0] == "SW-Akku.md"


def test_error_reply_with_a_late_body_does_not_poison_the_next_request(
    admin: Admin, server: Server, laptop: UpdateClient
) -> None:
    """Each update asks for the next root version and gets 404 on a kept-alive connection.

    The 404's body arrives after its headers (as from uvicorn under load). The client must
    not reuse that connection with the body unread, or the next reply starts with the old
    body and fails as ``BadStatusLine`` (seen in CI against the real server).
    """
    import time

    def late_body_404(handler) -> bool:  # type: ignore[no-untyped-def]
        body = b'{"detail":"not found"}'
        handler.send_response(404)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.flush()
        time.sleep(0.3)
        handler.wfile.write(body)
        return True

    server.override(".root.json", late_body_404)
    admin.publish(**{"Sonnwerk__SW-Akku.md": "# SW-Akku\n\nA14 heißt Wartung.\n"})
    laptop.apply(server.url)
    assert any(p.endswith("/timestamp.json") for p, _ in server.requests)
    path = installed_release_path()
    assert path is not None and _lexical(path, "A14")[0] == "SW-Akku.md"


def test_cancelled_download_continues_in_the_next_run(
    admin: Admin, server: Server, laptop: UpdateClient
) -> None:
    big = "# SW-Akku Handbuch\n\nA15.\n\n" + "Seite. " * 60_000
    admin.publish(**{"Sonnwerk__SW-Akku.md": big})
    cancel = threading.Event()

    def progress(done: int, total: int, stage: str) -> None:
        if done > 100_000:
            cancel.set()

    before = installed_release_path()
    total = laptop.check(server.url).download_bytes
    with pytest.raises(UpdateCancelled):
        laptop.apply(server.url, progress, cancel)
    assert installed_release_path() == before
    offer = laptop.check(server.url)
    assert 0 < offer.download_bytes <= total - 100_000  # what was loaded is not fetched again
    server.requests.clear()
    laptop.apply(server.url)
    assert any(r for p, r in server.requests if "/targets/doc/" in p)  # a Range request


def test_unprovisioned_laptop_and_nothing_to_roll_back(admin: Admin, server: Server) -> None:
    client = UpdateClient()
    with pytest.raises(NotProvisioned):
        client.check(server.url)
    client.trust(admin.keydir / "root.json")
    with pytest.raises(NoRollback):
        client.rollback()


def test_trust_twice_is_refused_and_one_update_at_a_time(
    admin: Admin, server: Server, laptop: UpdateClient
) -> None:
    import fcntl

    from nikdesk.updates.errors import UpdateError

    with pytest.raises(UpdateError, match="bereits einen Vertrauensanker"):
        laptop.trust(admin.keydir / "root.json")
    with (laptop.root / ".lock").open("a+") as fh:  # another process is applying
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        with pytest.raises(UpdateError, match="läuft bereits ein Update"):
            laptop.apply(server.url)
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    assert laptop.apply(server.url).up_to_date


def test_each_install_and_rollback_is_reported_and_a_failing_report_fails_nothing(
    admin: Admin, server: Server, laptop: UpdateClient
) -> None:
    heard: list[tuple[int | None, int | None]] = []

    def unreachable(version: int | None, root_version: int | None) -> None:
        heard.append((version, root_version))
        raise OSError("server not reachable")  # in the van: the update must not care

    laptop.reporter = unreachable
    admin.publish(**{"Sonnwerk__SW-Akku.md": "# SW-Akku Handbuch\n\nA13 heißt Unterspannung."})
    assert laptop.apply(server.url).version == 2
    assert laptop.status().installed == 2
    assert laptop.rollback().installed == 1
    assert heard == [(2, 1), (1, 1)]
