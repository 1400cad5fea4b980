"""The admin's signing keys: root (offline, threshold) and online keys, rotation, revocation.

A key folder (``nikdesk release keys init KEYDIR``) holds::

    root.json              the newest root metadata: the trust anchor laptops are given
    roots/<N>.root.json    every root version (laptops walk this chain on rotation)
    private/<role>-<id>.pem  Ed25519 private keys (PKCS#8 PEM, mode 0600)

Private keys never leave this folder: ``release publish --server`` signs here and uploads
signed metadata only. Keep the root keys offline (a USB stick in a safe); the targets,
snapshot and timestamp keys sign every release. Rotating or revoking any key writes root
version N+1, signed by the old root keys (threshold) and the new ones, so laptops move to the
new keys on their next update without being re-installed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from securesystemslib.signer import CryptoSigner, Signer
from tuf.api.metadata import Metadata, Root
from tuf.api.serialization.json import JSONSerializer

from nikdesk.updates.errors import ReleaseKeysError

ROLES = ("root", "targets", "snapshot", "timestamp")
ROOT_DAYS = 365
PRETTY = JSONSerializer(compact=False)


def expires_in(days: float) -> datetime:
    """Return now + ``days`` (UTC, whole seconds)."""
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)


def _write_private(keydir: Path, role: str, signer: CryptoSigner) -> None:
    folder = keydir / "private"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{role}-{signer.public_key.keyid[:16]}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(signer.private_bytes)


def _write_root(keydir: Path, root: Metadata[Root]) -> Path:
    (keydir / "roots").mkdir(parents=True, exist_ok=True)
    versioned = keydir / "roots" / f"{root.signed.version}.root.json"
    root.to_file(str(versioned), serializer=PRETTY)
    tmp = keydir / ".root.json.tmp"
    root.to_file(str(tmp), serializer=PRETTY)
    os.replace(tmp, keydir / "root.json")
    return keydir / "root.json"


def init_keys(
    keydir: Path,
    root_keys: int = 1,
    root_threshold: int = 1,
    targets_keys: int = 1,
    targets_threshold: int = 1,
) -> Path:
    """Create root and online keys and root version 1 in ``keydir``; return root.json."""
    if (keydir / "root.json").exists():
        raise ReleaseKeysError(
            f"{keydir} enthält bereits Schlüssel (root.json). Für neue Schlüssel: "
            "nikdesk release keys rotate"
        )
    if not 1 <= root_threshold <= root_keys or not 1 <= targets_threshold <= targets_keys:
        raise ReleaseKeysError("Die Schwelle muss zwischen 1 und der Zahl der Schlüssel liegen.")
    root: Metadata[Root] = Metadata(Root(expires=expires_in(ROOT_DAYS), consistent_snapshot=True))
    counts = {"root": root_keys, "targets": targets_keys, "snapshot": 1, "timestamp": 1}
    for role, count in counts.items():
        for _ in range(count):
            signer = CryptoSigner.generate_ed25519()
            root.signed.add_key(signer.public_key, role)
            _write_private(keydir, role, signer)
    root.signed.roles["root"].threshold = root_threshold
    root.signed.roles["targets"].threshold = targets_threshold
    ring = KeyRing(keydir, root)
    ring.sign(root, "root")
    return _write_root(keydir, root)


@dataclass(frozen=True)
class KeyInfo:
    """One key of a role, for ``release status``."""

    role: str
    keyid: str
    private_here: bool


class KeyRing:
    """The key folder: the newest root and the private keys found in it."""

    def __init__(self, keydir: Path, root: Metadata[Root] | None = None) -> None:
        self.keydir = keydir
        if root is None:
            path = keydir / "root.json"
            if not path.is_file():
                raise ReleaseKeysError(
                    f"Kein Schlüsselordner unter {keydir} (root.json fehlt). "
                    "Anlegen mit: nikdesk release keys init KEYDIR"
                )
            root = Metadata[Root].from_file(str(path))
        self.root: Metadata[Root] = root
        self._private: dict[str, CryptoSigner] = {}
        for pem in sorted((keydir / "private").glob("*.pem")):
            from cryptography.hazmat.primitives.serialization import load_pem_private_key

            key = load_pem_private_key(pem.read_bytes(), password=None)
            signer = CryptoSigner(key)
            self._private[signer.public_key.keyid] = signer

    def signers(self, role: str) -> list[Signer]:
        """Return the signers this folder holds for ``role`` under the current root."""
        keyids = self.root.signed.roles[role].keyids
        return [self._private[k] for k in keyids if k in self._private]

    def sign(self, md: Metadata, role: str, root: Metadata[Root] | None = None) -> None:
        """Sign ``md`` with every key of ``role`` held here; refuse below the threshold."""
        source = root or self.root
        keyids = source.signed.roles[role].keyids
        signers = [self._private[k] for k in keyids if k in self._private]
        threshold = source.signed.roles[role].threshold
        if len(signers) < threshold:
            raise ReleaseKeysError(
                f"Für die Rolle '{role}' liegen nur {len(signers)} von {threshold} nötigen "
                f"privaten Schlüsseln in {self.keydir / 'private'}."
            )
        for signer in signers:
            md.sign(signer, append=True)

    def roots(self) -> list[Path]:
        """Return every root version file, oldest first."""
        files = list((self.keydir / "roots").glob("*.root.json"))
        return sorted(files, key=lambda p: int(p.name.split(".")[0]))

    def key_infos(self) -> list[KeyInfo]:
        """Return every key of every role under the current root."""
        return [
            KeyInfo(role, keyid, keyid in self._private)
            for role in ROLES
            for keyid in self.root.signed.roles[role].keyids
        ]


def rotate(
    keydir: Path,
    role: str,
    revoke: tuple[str, ...] = (),
    add: int = 1,
    threshold: int | None = None,
) -> Path:
    """Replace or revoke keys of ``role`` by writing root version N+1; return root.json.

    ``revoke`` takes key ids (or unique prefixes); with no ``revoke``, every old key of the
    role is replaced by ``add`` new ones. The new root is signed by the old root's keys (so
    laptops trust it) and, for a root rotation, by the new root keys too.
    """
    if role not in ROLES:
        raise ReleaseKeysError(f"Unbekannte Rolle '{role}' (root, targets, snapshot, timestamp).")
    ring = KeyRing(keydir)
    old = ring.root
    new: Metadata[Root] = Metadata.from_bytes(old.to_bytes())
    new.signatures.clear()
    current = list(new.signed.roles[role].keyids)
    if revoke:
        gone = [k for k in current if any(k.startswith(prefix) for prefix in revoke)]
        if len(gone) != len(revoke):
            raise ReleaseKeysError(f"Schlüssel {', '.join(revoke)} gehört nicht zur Rolle {role}.")
    else:
        gone = current
    for keyid in gone:
        new.signed.revoke_key(keyid, role)
    for _ in range(add):
        signer = CryptoSigner.generate_ed25519()
        new.signed.add_key(signer.public_key, role)
        _write_private(keydir, role, signer)
    ring = KeyRing(keydir, new)  # picks up the new private keys
    keys_left = len(new.signed.roles[role].keyids)
    if keys_left == 0:
        raise ReleaseKeysError(f"Die Rolle {role} hätte danach keinen Schlüssel mehr.")
    new.signed.roles[role].threshold = min(threshold or new.signed.roles[role].threshold, keys_left)
    new.signed.version += 1
    new.signed.expires = expires_in(ROOT_DAYS)
    ring.sign(new, "root", root=old)  # the laptops' current root must accept it ...
    if role == "root":
        # ... and it must satisfy itself; avoid signing twice with keys kept from the old root
        have = {s.keyid for s in new.signatures.values()}
        for root_signer in ring.signers("root"):
            if root_signer.public_key.keyid not in have:
                new.sign(root_signer, append=True)
    return _write_root(keydir, new)
