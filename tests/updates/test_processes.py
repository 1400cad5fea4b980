"""Real ``nikdesk`` processes: kill -9 during the switch, and the USB path end to end."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from nikdesk.retrieval.bundle import read_manifest
from nikdesk.retrieval.hybrid import Retriever
from nikdesk.retrieval.types import SearchOptions
from nikdesk.updates.client import UpdateClient
from nikdesk.updates.release import ReleaseManifest
from tests.conftest import run_nikdesk
from tests.updates.conftest import Admin
from tests.updates.kit import installed_digest


def _home() -> Path:
    return Path(os.environ["NIKDESK_HOME"])


def _assert_valid_install(expected: set[int]) -> int:
    """A new process sees one complete release: every file matches its signed hash."""
    import hashlib

    result = run_nikdesk("update", "status", "--json", home=_home())
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["installed"] in expected
    path = Path(status["path"])
    release = ReleaseManifest.from_json((path / "release.json").read_text())
    assert release.version == status["installed"]
    assert read_manifest(path) == release.index
    for rel, (sha, length) in json.loads((path / "files.json").read_text()).items():
        data = (path / rel).read_bytes()
        assert len(data) == length and hashlib.sha256(data).hexdigest() == sha, rel
    docs = {d.relpath for d in release.index.documents}
    on_disk = {p.relative_to(path / "docs").as_posix() for p in (path / "docs").rglob("*.md")}
    assert on_disk == docs  # never a mix of two releases' documents
    retriever = Retriever(path, None)
    try:
        assert retriever.search("Handbuch", SearchOptions(k=3, mode="lexical"))
    finally:
        retriever.close()
    return int(status["installed"])


def _apply_process(url: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "nikdesk", "update", "apply", "--from", url, "--quiet"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ, **env),
    )


def test_kill_9_at_the_switch_leaves_old_or_new_never_a_mix(
    admin: Admin,
    server,
    laptop: UpdateClient,  # type: ignore[no-untyped-def]
) -> None:
    admin.publish(**{"Sonnwerk__SW-Akku.md": "# SW-Akku Handbuch\n\nA13 neu."})
    for point, expected in (("before-switch", 1), ("after-switch", 2)):
        proc = _apply_process(server.url, NIKDESK_UPDATE_PAUSE=point)
        assert proc.stderr is not None
        deadline = time.monotonic() + 120
        line = ""
        while "PAUSED" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                break
        assert "PAUSED" in line, f"apply never reached {point}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert _assert_valid_install({expected}) == expected
    result = run_nikdesk("update", "apply", "--from", server.url, home=_home())
    assert result.returncode == 0 and "aktuell" in result.stdout
    leftovers = list((_home() / "updates").glob(".staging-*"))
    assert not leftovers
    assert len(list((_home() / "updates" / "releases").iterdir())) <= 2


def test_kill_9_at_random_moments(admin: Admin, server, laptop: UpdateClient) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(11)
    installed, kills, took = 1, 0, 0.0
    for n in range(5):
        text = f"# SW-Akku Handbuch\n\nA{20 + n} Stand {n}.\n\n" + "Text. " * 20_000
        version = admin.publish(**{"Sonnwerk__SW-Akku.md": text}).version
        started = time.monotonic()
        proc = _apply_process(server.url)
        if n == 0:  # the first apply runs through: how long one takes on this machine
            proc.wait(timeout=120)
            took = time.monotonic() - started
        else:  # later ones die at a random moment inside that span
            time.sleep(rng.uniform(0.1, 0.9) * took)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait(timeout=60)
        installed = _assert_valid_install({installed, version})
    assert kills >= 2, f"only {kills} of 4 applies were still running when killed"
    result = run_nikdesk("update", "apply", "--from", server.url, home=_home())
    assert result.returncode == 0, result.stderr
    assert _assert_valid_install({version}) == version


def test_usb_stick_end_to_end(tmp_path: Path) -> None:
    """Admin: keys, publish, export. Laptop without network: trust, apply --from FILE."""
    from tests.updates.kit import MANUALS, make_index

    home = _home()
    keys, repo = tmp_path / "keys", tmp_path / "repo"
    index = make_index(tmp_path / "admin", dict(MANUALS))

    secret = {"NIKDESK_RELEASE_KEY_PASSPHRASE": "Tresor-Passphrase-2026"}

    def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return run_nikdesk(*args, home=home, **(secret | env))  # type: ignore[no-any-return]

    short = cli("release", "keys", "init", str(keys), NIKDESK_RELEASE_KEY_PASSPHRASE="kurz")
    assert short.returncode != 0 and "zu kurz" in short.stderr and not keys.exists()
    assert cli("release", "keys", "init", str(keys)).returncode == 0
    # the private keys on the admin's disk are useless without the passphrase
    pems = list((keys / "private").glob("*.pem"))
    assert len(pems) == 4 and all(b"OPENSSH PRIVATE KEY" in p.read_bytes() for p in pems)
    assert not any(b"BEGIN PRIVATE KEY" in p.read_bytes() for p in pems)
    docs = str(tmp_path / "admin" / "docs")
    publish = ("release", "publish", str(index), "--repo", str(repo), "--keys", str(keys))
    wrong = cli(*publish, "--docs", docs, NIKDESK_RELEASE_KEY_PASSPHRASE="falsche-Passphrase")
    assert wrong.returncode != 0 and "Falsche Passphrase" in wrong.stderr
    assert not (repo / "metadata" / "timestamp.json").exists()
    r = cli(*publish, "--docs", docs)
    assert r.returncode == 0, r.stderr
    stick1 = tmp_path / "stick1.nikdesk"
    assert cli("release", "export", "--repo", str(repo), "--out", str(stick1)).returncode == 0
    assert cli("update", "trust", str(keys / "root.json")).returncode == 0
    r = cli("update", "apply", "--from", str(stick1), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["version"] == 1

    index = make_index(
        tmp_path / "admin", dict(MANUALS, **{"Ladefix/Wallbox.md": "# Wallbox\n\nF9 neu."})
    )
    r = cli(
        "release", "publish", str(index), "--repo", str(repo), "--keys", str(keys), "--docs", docs
    )
    assert r.returncode == 0, r.stderr
    stick2 = tmp_path / "stick2.nikdesk"
    assert cli("release", "export", "--repo", str(repo), "--out", str(stick2)).returncode == 0
    check = json.loads(cli("update", "check", "--from", str(stick2), "--json").stdout)
    assert check["summary"].startswith("Handbuch-Update verfügbar: 1 geändert, 0 neu")
    before = installed_digest(home / "updates")
    tampered = tmp_path / "tampered.nikdesk"
    data = bytearray(stick2.read_bytes())
    at = data.find(b"F9 neu")
    data[at] = ord("G")  # someone edited the manual on the stick
    tampered.write_bytes(bytes(data))
    r = cli("update", "apply", "--from", str(tampered))
    assert r.returncode != 0 and "stimmen nicht mit der Signatur" in r.stderr
    assert installed_digest(home / "updates") == before
    assert cli("update", "apply", "--from", str(stick2)).returncode == 0
    status = json.loads(cli("update", "status", "--json").stdout)
    assert status["installed"] == 2

    before = installed_digest(home / "updates")
    r = cli("update", "apply", "--from", str(stick1))  # an old stick: never a rollback
    assert r.returncode != 0 and "Rollback" in r.stderr
    assert installed_digest(home / "updates") == before


def test_search_and_ask_use_the_installed_release(sample_index: Path, tmp_path: Path) -> None:
    """After ``update apply``, ``nikdesk search``/``ask`` without --index answer from it."""
    import shutil

    from nikdesk.app.sample import sample_library_dir
    from nikdesk.updates.keys import KeyRing, init_keys
    from nikdesk.updates.publish import publish
    from nikdesk.updates.repo import Repository

    keys = tmp_path / "keys"
    init_keys(keys)
    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    publish(index, Repository(tmp_path / "repo"), KeyRing(keys), sample_library_dir())
    home = _home()
    assert run_nikdesk("update", "trust", str(keys / "root.json"), home=home).returncode == 0
    from nikdesk.updates.usb import export

    export(Repository(tmp_path / "repo"), tmp_path / "stick")
    r = run_nikdesk("update", "apply", "--from", str(tmp_path / "stick"), home=home)
    assert r.returncode == 0, r.stderr
    env = {"NIKDESK_INDEX_DIR": str(tmp_path / "no-bundled-index")}
    r = run_nikdesk("search", "E050", "--json", "--k", "1", home=home, **env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["file"].startswith("Nordlicht_NX-Hybrid")
    r = run_nikdesk("ask", "Was bedeutet E050?", "--provider", "none", "--json", home=home, **env)
    assert r.returncode == 0, r.stderr
    answer = json.loads(r.stdout)
    assert answer["outcome"] == "answer"
    assert answer["sources"][0]["file"].startswith("Nordlicht_NX-Hybrid")


def test_a_stick_weeks_old_installs_when_newest_seen(
    admin: Admin,
    server,
    laptop: UpdateClient,
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """Ten weeks later (laptop clock), online metadata counts as expired, but a stick that is
    newer than anything the laptop verified installs: the clock decides nothing offline."""
    from datetime import UTC, datetime, timedelta

    import nikdesk.updates.clock as clock
    from nikdesk.updates.errors import UpdateRefused
    from nikdesk.updates.repo import Repository
    from nikdesk.updates.usb import export

    admin.publish(**{"Sonnwerk__SW-Akku.md": "# SW-Akku Handbuch\n\nA13 neu."})
    stick = tmp_path / "stick.nikdesk"
    export(Repository(admin.repo.path), stick)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def]
            return datetime.now(tz or UTC) + timedelta(weeks=10)

    monkeypatch.setattr(clock, "datetime", Later)
    import pytest

    with pytest.raises(UpdateRefused, match="abgelaufen"):
        laptop.apply(server.url)
    offer = laptop.apply(str(stick))
    assert offer.version == 2 and laptop.status().installed == 2
