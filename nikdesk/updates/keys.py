"""The admin's signing keys: root (offline, threshold) and online keys, rotation, revocation.

A key folder (``nikdesk release keys init KEYDIR``) holds::

    root.json              the newest root metadata: the trust anchor laptops are given
    roots/<N>.root.json    every root version (laptops walk this chain on rotation)
    private/<role>-<id>.pem  Ed25519 private keys (mode 0600): with the admin's passphrase
                           in OpenSSH format (bcrypt-pbkdf, KDF_ROUNDS, AES-256-CTR), without
                           one as plain PKCS#8 PEM

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
from typing import Any

from securesystemslib.signer import CryptoSigner, Signer
from tuf.api.metadata import Metadata, Root
from tuf.api.serialization.json import JSONSerializer

from nikdesk.updates.errors import ReleaseKeysError

ROLES = ("root", "targets", "snapshot", "timestamp")
PASSPHRASE_SECRET = "release_keys"  # keyring entry, or env NIKDESK_RELEASE_KEY_PASSPHRASE
PASSPHRASE_ENV = "NIKDESK_RELEASE_KEY_PASSPHRASE"
# bcrypt-pbkdf rounds of an encrypted key: ~0.6 s per key to open (ssh-keygen's default is 16);
# PKCS#8 encryption in cryptography offers only PBKDF2 with 2048 iterations
KDF_ROUNDS = 64
_ENCRYPTED = b"OPENSSH PRIVATE KEY"
ROOT_DAYS = 365
PRETTY = JSONSerializer(compact=False)


def expires_in(days: float) -> datetime:
    """Return now + ``days`` (UTC, whole seconds)."""
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)


def _write_private(keydir: Path, role: str, signer: CryptoSigner, passphrase: bytes | None) -> None:
    from cryptography.hazmat.primitives import serialization

    data = signer.private_bytes
    if passphrase:
        # a stolen laptop or backup of the admin's key folder signs nothing without it
        key = serialization.load_pem_private_key(data, password=None)
        fmt = serialization.PrivateFormat.OpenSSH
        data = key.private_bytes(
            serialization.Encoding.PEM,
            fmt,
            fmt.encryption_builder().kdf_rounds(KDF_ROUNDS).build(passphrase),
        )
    folder = keydir / "private"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{role}-{signer.public_key.keyid[:16]}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def keys_encrypted(keydir: Path) -> bool:
    """Tell whether the key folder holds passphrase-protected private keys."""
    return any(_ENCRYPTED in p.read_bytes() for p in (keydir / "private").glob("*.pem"))


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
    passphrase: bytes | None = None,
) -> Path:
    """Create root and online keys and root version 1 in ``keydir``; return root.json.

    With ``passphrase`` every private key is stored encrypted with it.
    """
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
            _write_private(keydir, role, signer, passphrase)
    root.signed.roles["root"].threshold = root_threshold
    root.signed.roles["targets"].threshold = targets_threshold
    ring = KeyRing(keydir, root, passphrase)
    ring.sign(root, "root")
    return _write_root(keydir, root)


def _load_private(pem: Path, passphrase: bytes | None) -> Any:
    from cryptography.hazmat.primitives.serialization import (
        load_pem_private_key,
        load_ssh_private_key,
    )

    data = pem.read_bytes()
    if _ENCRYPTED not in data:
        return load_pem_private_key(data, password=None)
    if not passphrase:
        raise ReleaseKeysError(
            f"Der Schlüssel {pem.name} ist mit einer Passphrase geschützt: bitte im Terminal "
            f"eingeben oder {PASSPHRASE_ENV} setzen."
        )
    try:
        return load_ssh_private_key(data, password=passphrase)
    except ValueError:
        raise ReleaseKeysError(
            f"Falsche Passphrase für die Signaturschlüssel in {pem.parent.parent}."
        ) from None


@dataclass(frozen=True)
class KeyInfo:
    """One key of a role, for ``release status``."""

    role: str
    keyid: str
    private_here: bool


class KeyRing:
    """The key folder: the newest root and the private keys found in it."""

    def __init__(
        self, keydir: Path, root: Metadata[Root] | None = None, passphrase: bytes | None = None
    ) -> None:
        self.keydir = keydir
        self.passphrase = passphrase
        if root is None:
            path = keydir / "root.json"
            if not path.is_file():
                raise ReleaseKeysError(
                    f"Kein Schlüsselordner unter {keydir} (root.json fehlt). "
                    "Anlegen mit: nikdesk release keys init KEYDIR"
                )
            root = Metadata[Root].from_file(str(path))
        self.root: Metadata[Root] = root
        self._loaded: dict[str, CryptoSigner] | None = None

    def unlock(self) -> KeyRing:
        """Open every private key now (a wrong passphrase fails before anything is written)."""
        self._opened()
        return self

    def _opened(self) -> dict[str, CryptoSigner]:
        # opened on first use, not in __init__: `release status` lists keys without the
        # passphrase; nothing is kept unless every key opens
        if self._loaded is None:
            opened: dict[str, CryptoSigner] = {}
            for pem in sorted((self.keydir / "private").glob("*.pem")):
                signer = CryptoSigner(_load_private(pem, self.passphrase))
                opened[signer.public_key.keyid] = signer
            self._loaded = opened
        return self._loaded

    def signers(self, role: str) -> list[Signer]:
        """Return the signers this folder holds for ``role`` under the current root."""
        keyids = self.root.signed.roles[role].keyids
        private = self._opened()
        return [private[k] for k in keyids if k in private]

    def sign(self, md: Metadata, role: str, root: Metadata[Root] | None = None) -> None:
        """Sign ``md`` with every key of ``role`` held here; refuse below the threshold."""
        source = root or self.root
        keyids = source.signed.roles[role].keyids
        private = self._opened()
        signers = [private[k] for k in keyids if k in private]
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
        held = {p.stem.split("-", 1)[-1] for p in (self.keydir / "private").glob("*.pem")}
        return [
            KeyInfo(role, keyid, keyid[:16] in held)
            for role in ROLES
            for keyid in self.root.signed.roles[role].keyids
        ]


def rotate(
    keydir: Path,
    role: str,
    revoke: tuple[str, ...] = (),
    add: int = 1,
    threshold: int | None = None,
    passphrase: bytes | None = None,
) -> Path:
    """Replace or revoke keys of ``role`` by writing root version N+1; return root.json.

    ``revoke`` takes key ids (or unique prefixes); with no ``revoke``, every old key of the
    role is replaced by ``add`` new ones. The new root is signed by the old root's keys (so
    laptops trust it) and, for a root rotation, by the new root keys too.
    """
    if role not in ROLES:
        raise ReleaseKeysError(f"Unbekannte Rolle '{role}' (root, targets, snapshot, timestamp).")
    ring = KeyRing(keydir, passphrase=passphrase).unlock()
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
        _write_private(keydir, role, signer, passphrase)
    ring = KeyRing(keydir, new, passphrase)  # picks up the new private keys
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
