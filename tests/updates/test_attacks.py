"""Attacks on the release channel: each is refused and leaves the installed release
byte-identical (pointer and release folder hashed before and after)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, Root, Targets

from nikdesk.storage.installed_release import updates_dir
from nikdesk.updates.client import UpdateClient
from nikdesk.updates.errors import UpdateError, UpdateRefused, UpdateUnavailable
from nikdesk.updates.keys import KeyRing, init_keys
from nikdesk.updates.publish import publish
from nikdesk.updates.repo import Repository
from tests.updates.conftest import Admin
from tests.updates.kit import MANUALS, installed_digest, make_index, serve

CHANGE = {"Sonnwerk__SW-Akku.md": "# SW-Akku Handbuch\n\nA13 heißt Unterspannung."}


def _refused(client: UpdateClient, url: str, error: type[UpdateError] = UpdateRefused) -> str:
    """Apply must fail with ``error`` and change nothing installed; return the message."""
    before = installed_digest(updates_dir())
    with pytest.raises(error) as info:
        client.apply(url)
    assert installed_digest(updates_dir()) == before
    assert "unverändert" in str(info.value) or "bleibt" in str(info.value)
    return str(info.value)


def _newest_target(repo: Repository, suffix: str) -> Path:
    md = repo.targets_md()
    assert md is not None
    name = next(
        t for t in md.signed.targets if t.endswith("/" + suffix.lstrip(".")) and "SW-Akku" in t
    )
    return repo.target_path(name, md.signed.targets[name])


def test_tampered_target(admin: Admin, server, laptop: UpdateClient) -> None:  # type: ignore[no-untyped-def]
    admin.publish(**CHANGE)
    target = _newest_target(admin.repo, ".manual.md")
    data = bytearray(target.read_bytes())
    data[-2] ^= 0xFF  # same length, one byte flipped
    target.write_bytes(bytes(data))
    message = _refused(laptop, server.url)
    assert "»SW-Akku Handbuch«" in message and "Signatur" in message


def test_tampered_metadata(admin: Admin, server, laptop: UpdateClient) -> None:  # type: ignore[no-untyped-def]
    admin.publish(**CHANGE)
    path = admin.repo.metadata / "2.targets.json"
    raw = json.loads(path.read_text())
    name = next(t for t in raw["signed"]["targets"] if t.endswith("/manual.md"))
    raw["signed"]["targets"][name]["length"] += 1  # the signature stays as it was
    path.write_text(json.dumps(raw))
    _refused(laptop, server.url)


def test_tampered_timestamp_signature(admin: Admin, server, laptop: UpdateClient) -> None:  # type: ignore[no-untyped-def]
    admin.publish(**CHANGE)
    path = admin.repo.metadata / "timestamp.json"
    raw = json.loads(path.read_text())
    raw["signed"]["expires"] = "2099-01-01T00:00:00Z"  # a longer life, unsigned
    path.write_text(json.dumps(raw))
    assert "Signaturen" in _refused(laptop, server.url)


def test_wrong_key(admin: Admin, server, laptop: UpdateClient, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An attacker with their own keys (and a root nobody trusts) publishes release 2."""
    evil = tmp_path / "evil-keys"
    init_keys(evil)
    index = make_index(tmp_path / "evil", dict(MANUALS, **{"Sonnwerk/SW-Akku.md": "# böse"}))
    # the attacker keeps the real root files but signs everything else with their keys
    shutil.copytree(admin.keydir / "roots", evil / "roots", dirs_exist_ok=True)
    shutil.copyfile(admin.keydir / "root.json", evil / "root.json")
    ring = KeyRing(evil, Metadata[Root].from_file(str(evil / "roots" / "1.root.json")))
    ring.root = Metadata[Root].from_file(str(tmp_path / "evil-keys" / "root.json"))
    ring.sign = _sign_with_own_keys(evil)  # type: ignore[method-assign]
    publish(index, admin.repo, ring, tmp_path / "evil" / "docs")
    assert "Signaturen" in _refused(laptop, server.url)


def _sign_with_own_keys(keydir: Path):  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    signer = CryptoSigner(
        load_pem_private_key(next((keydir / "private").glob("*.pem")).read_bytes(), None)  # type: ignore[arg-type]
    )

    def sign(md, role, root=None):  # type: ignore[no-untyped-def]
        md.sign(signer, append=True)

    return sign


def test_too_few_signatures(tmp_path: Path) -> None:
    """Targets need 2 of 2 signatures; a thief with one targets key is refused."""
    admin = Admin.create(tmp_path, targets_keys=2, targets_threshold=2)
    keydir = admin.keydir
    with serve(admin.repo.path) as server:
        laptop = UpdateClient()
        laptop.trust(keydir / "root.json")
        laptop.apply(server.url)
        ring = KeyRing(keydir)
        one_key = ring.signers("targets")[:1]
        real_sign = ring.sign

        def sign(md, role, root=None):  # type: ignore[no-untyped-def]
            if isinstance(md.signed, Targets):
                for signer in one_key:
                    md.sign(signer, append=True)
            else:
                real_sign(md, role, root)

        ring.sign = sign  # type: ignore[method-assign]
        index = make_index(admin.work, dict(MANUALS, **{"Sonnwerk/SW-Akku.md": "# gestohlen"}))
        publish(index, admin.repo, ring, admin.work / "docs")
        assert "zu wenige" in _refused(laptop, server.url)


def test_rollback_to_an_older_release(
    admin: Admin, server, laptop: UpdateClient, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    old_repo = tmp_path / "repo-v1"
    shutil.copytree(admin.repo.path, old_repo)
    admin.publish(**CHANGE)
    laptop.apply(server.url)  # the laptop has seen release 2
    shutil.rmtree(admin.repo.path)
    shutil.copytree(old_repo, admin.repo.path)  # a mirror serves release 1 again
    assert "Rollback" in _refused(laptop, server.url)


def test_expired_timestamp(admin: Admin, server, laptop: UpdateClient) -> None:  # type: ignore[no-untyped-def]
    admin.publish(days=-1, **CHANGE)  # signed, but expired yesterday: a frozen mirror
    assert "abgelaufen" in _refused(laptop, server.url)


def test_frozen_metadata_below_the_proven_time(
    admin: Admin, server, laptop: UpdateClient, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Metadata that expired stays refused after the laptop checked a newer release (a check
    changes nothing, so the frozen copy meets the trusted state of release 1); the proven-time
    floor itself is checked on reference_time: it outranks a clock set back (online) and any
    clock (offline). The floor only advances on apply/trust."""
    from datetime import UTC, datetime, timedelta

    from nikdesk.updates.clock import reference_time

    floor = datetime.now(UTC)
    assert reference_time(floor, offline=False, now=floor - timedelta(days=400)) == floor
    assert reference_time(floor, offline=True, now=floor + timedelta(days=400)) == floor
    frozen = tmp_path / "frozen"
    admin.publish(days=0.00003, **CHANGE)  # expires in ~2.6 seconds
    shutil.copytree(admin.repo.path, frozen)
    import time

    time.sleep(3)
    admin.publish(**{"Ladefix__Wallbox.md": "# Wallbox\n\nF4."})
    laptop.check(server.url)  # sees release 3 (does not install it)
    shutil.rmtree(admin.repo.path)
    shutil.copytree(frozen, admin.repo.path)
    assert "abgelaufen" in _refused(laptop, server.url)


def test_mix_and_match_of_metadata_versions(admin: Admin, server, laptop: UpdateClient) -> None:  # type: ignore[no-untyped-def]
    admin.publish(**CHANGE)
    v2 = (admin.repo.metadata / "2.targets.json").read_bytes()
    admin.publish(**{"Ladefix__Wallbox.md": "# Wallbox\n\nF4."})
    # the mirror pairs the new snapshot with the older (validly signed) targets metadata
    (admin.repo.metadata / "3.targets.json").write_bytes(v2)
    assert "passen nicht zusammen" in _refused(laptop, server.url)


@pytest.mark.parametrize(
    ("path", "chunk", "refusal"),
    [
        (".manual.md", b"A", "mehr Daten als signiert"),  # a target beyond its signed length
        ("/timestamp.json", b"{", "mehr Daten als erlaubt"),  # metadata beyond the size limit
    ],
)
def test_endless_data(
    admin: Admin, server, laptop: UpdateClient, path: str, chunk: bytes, refusal: str
) -> None:  # type: ignore[no-untyped-def]
    admin.publish(**CHANGE)

    def endless(handler) -> bool:  # type: ignore[no-untyped-def]
        handler.close_connection = True  # no length: the body ends when the connection does
        handler.send_response(200)
        handler.end_headers()
        try:
            for _ in range(10_000):  # bounded here; the client must stop long before
                handler.wfile.write(chunk * 65536)
        except OSError:
            pass
        return True

    server.override(path, endless)
    assert refusal in _refused(laptop, server.url)


def test_deleted_target(admin: Admin, server, laptop: UpdateClient) -> None:  # type: ignore[no-untyped-def]
    admin.publish(**CHANGE)
    _newest_target(admin.repo, ".vectors.npy").unlink()
    assert "fehlt" in _refused(laptop, server.url, UpdateUnavailable)


def test_unreachable_source(laptop: UpdateClient) -> None:
    _refused(laptop, "http://127.0.0.1:9", UpdateUnavailable)
