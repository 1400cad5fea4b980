"""Key rotation and revocation through root versions; a full disk while staging."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from nikdesk.storage.installed_release import updates_dir
from nikdesk.updates.client import UpdateClient
from nikdesk.updates.errors import UpdateError, UpdateRefused
from nikdesk.updates.keys import KeyRing, rotate
from nikdesk.updates.publish import publish
from tests.updates.conftest import Admin
from tests.updates.kit import installed_digest, make_index, serve

CHANGE = {"Sonnwerk__SW-Akku.md": "# SW-Akku Handbuch\n\nA13 heißt Unterspannung."}


def test_rotation_and_revocation_reach_laptops_without_reinstall(
    admin: Admin,
    server,
    laptop: UpdateClient,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    stolen = KeyRing(admin.keydir).signers("targets")  # the old targets key leaks
    old_root_keys = KeyRing(admin.keydir).signers("root")
    rotate(admin.keydir, "targets")  # root v2: a new targets key, the leaked one revoked
    rotate(admin.keydir, "root")  # root v3: new root key, signed by old and new
    assert KeyRing(admin.keydir).root.signed.version == 3
    admin.publish(**CHANGE)
    laptop.apply(server.url)
    status = laptop.status()
    assert status.installed == 2 and status.root_version == 3

    # the thief signs release 3 with the revoked targets key: refused
    ring = KeyRing(admin.keydir)
    real_sign = ring.sign

    def sign(md, role, root=None):  # type: ignore[no-untyped-def]
        if role == "targets":
            for signer in stolen:
                md.sign(signer, append=True)
        else:
            real_sign(md, role, root)

    ring.sign = sign  # type: ignore[method-assign]
    index = make_index(admin.work, dict(admin.manuals, **{"Ladefix/Wallbox.md": "# böse"}))
    publish(index, admin.repo, ring, admin.work / "docs")
    before = installed_digest(updates_dir())
    with pytest.raises(UpdateRefused):
        laptop.apply(server.url)
    assert installed_digest(updates_dir()) == before
    # ... and the old root keys alone can no longer sign a new root
    assert (
        old_root_keys[0].public_key.keyid
        not in KeyRing(admin.keydir).root.signed.roles["root"].keyids
    )


def test_new_laptop_with_the_first_root_catches_up_over_rotations(
    admin: Admin,
    server,  # type: ignore[no-untyped-def]
) -> None:
    first_root = (admin.keydir / "roots" / "1.root.json").read_bytes()
    rotate(admin.keydir, "timestamp")
    rotate(admin.keydir, "snapshot")
    admin.publish(**CHANGE)
    anchor = admin.work.parent / "shipped-root.json"
    anchor.write_bytes(first_root)  # the app bundle was built before the rotations
    client = UpdateClient()
    client.trust(anchor)
    client.apply(server.url)
    assert client.status().root_version == 3 and client.status().installed == 2


def test_root_threshold_two_refuses_a_root_signed_once(tmp_path: Path) -> None:
    admin = Admin.create(tmp_path, root_keys=2, root_threshold=2)
    keydir = admin.keydir
    with serve(admin.repo.path) as server:
        laptop = UpdateClient()
        laptop.trust(keydir / "root.json")
        laptop.apply(server.url)
        # a thief with ONE root key makes root v2 handing "targets" to their own key
        from securesystemslib.signer import CryptoSigner
        from tuf.api.metadata import Metadata, Root

        ring = KeyRing(keydir)
        root = Metadata[Root].from_bytes(ring.root.to_bytes())
        root.signatures.clear()
        evil = CryptoSigner.generate_ed25519()
        for keyid in list(root.signed.roles["targets"].keyids):
            root.signed.revoke_key(keyid, "targets")
        root.signed.add_key(evil.public_key, "targets")
        root.signed.version = 2
        root.sign(ring.signers("root")[0])
        (admin.repo.metadata / "2.root.json").write_bytes(root.to_bytes())
        before = installed_digest(updates_dir())
        with pytest.raises(UpdateRefused, match="zu wenige"):
            laptop.apply(server.url)
        assert installed_digest(updates_dir()) == before


def test_disk_full_while_staging_keeps_the_old_release(
    admin: Admin,
    server,
    laptop: UpdateClient,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """ENOSPC injected where the search files are written: the staging is removed."""
    import nikdesk.updates.install as install

    admin.publish(**CHANGE)

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(install, "write_search_files", full)
    before = installed_digest(updates_dir())
    with pytest.raises(UpdateError, match="Speicherplatz"):
        laptop.apply(server.url)
    assert installed_digest(updates_dir()) == before
    assert not list(updates_dir().glob(".staging-*"))
    monkeypatch.undo()
    laptop.apply(server.url)  # with space again, the update goes through
    assert laptop.status().installed == 2


@pytest.fixture
def tiny_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real 1.5 MB tmpfs (needs root); skipped where mounting is not allowed."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(mount)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_on_a_real_small_filesystem(
    admin: Admin,
    server,
    tiny_disk: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("NIKDESK_HOME", str(tiny_disk))
    laptop = UpdateClient()
    laptop.trust(admin.keydir / "root.json")
    laptop.apply(server.url)
    index = make_index(admin.work, admin.manuals, padding={"Ladefix/Wallbox.md": 3_000_000})
    publish(index, admin.repo, KeyRing(admin.keydir), admin.work / "docs")
    before = installed_digest(updates_dir())
    with pytest.raises(UpdateError, match="Speicherplatz"):
        laptop.apply(server.url)
    assert installed_digest(updates_dir()) == before
    assert laptop.status().installed == 1
    os.sync()


def test_encrypted_keys_sign_only_with_their_passphrase_also_after_rotation(
    tmp_path: Path,
) -> None:
    from nikdesk.updates.errors import ReleaseKeysError
    from nikdesk.updates.keys import init_keys, keys_encrypted
    from nikdesk.updates.repo import Repository

    keys, secret = tmp_path / "keys", b"Tresor-Passphrase-2026"
    init_keys(keys, passphrase=secret)
    assert keys_encrypted(keys)
    docs = tmp_path / "a" / "docs"
    index = make_index(tmp_path / "a", {"Nordlicht/NX.md": "# NX\n\nE050 Netzfehler."})
    # listing keys needs no passphrase; signing does, and says how to give it
    assert all(k.private_here for k in KeyRing(keys).key_infos())
    with pytest.raises(ReleaseKeysError, match="NIKDESK_RELEASE_KEY_PASSPHRASE"):
        publish(index, Repository(tmp_path / "repo"), KeyRing(keys), docs)
    with pytest.raises(ReleaseKeysError, match="Falsche Passphrase"):
        rotate(keys, "targets", passphrase=b"geraten-geraten")
    assert len(list((keys / "private").glob("targets-*.pem"))) == 1  # nothing written
    # a failed unlock keeps nothing: the next try fails again instead of signing with no key
    wrong = KeyRing(keys, passphrase=b"geraten-geraten")
    for _ in range(2):
        with pytest.raises(ReleaseKeysError, match="Falsche Passphrase"):
            wrong.signers("targets")
    rotate(keys, "targets", passphrase=secret)
    new = [p for p in (keys / "private").glob("targets-*.pem")]
    assert len(new) == 2 and all(b"OPENSSH PRIVATE KEY" in p.read_bytes() for p in new)
    report = publish(index, Repository(tmp_path / "repo"), KeyRing(keys, passphrase=secret), docs)
    assert report.version == 1
