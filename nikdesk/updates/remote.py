"""``release publish --server URL``: sign here, upload the new files as an admin.

The admin's machine mirrors the server's current metadata (and release notes) into a
temporary repository, publishes into it (so versions continue where the server is), and
uploads only the files that are new, as one tar, with the admin's bearer token from
``POST /auth/login``. Private keys never leave the admin's machine.
"""

from __future__ import annotations

import getpass
import io
import json
import tarfile
import tempfile
from pathlib import Path

from nikdesk.storage.secrets import get_secret
from nikdesk.updates.errors import PublishError
from nikdesk.updates.keys import KeyRing
from nikdesk.updates.publish import PublishReport, publish
from nikdesk.updates.release import RELEASE_TARGET
from nikdesk.updates.repo import Repository, hashed_name

PASSWORD_SECRET = "release_admin"  # keyring entry, or env NIKDESK_RELEASE_ADMIN_KEY
TIMEOUT = 60.0


def login(url: str, user: str | None) -> str:
    """Return an admin bearer token from ``POST {url}/auth/login``."""
    import httpx

    user = user or getpass.getuser()
    password = get_secret(PASSWORD_SECRET)
    if not password:
        password = getpass.getpass(f"Passwort für {user} auf {url}: ")
    try:
        reply = httpx.post(
            f"{url}/auth/login", data={"username": user, "password": password}, timeout=TIMEOUT
        )
    except httpx.HTTPError as exc:
        raise PublishError(f"Server {url} nicht erreichbar ({exc}).") from exc
    if reply.status_code != 200:
        raise PublishError(f"Anmeldung als {user} abgelehnt ({reply.status_code}).")
    token = reply.json().get("access_token")
    if not token:
        raise PublishError("Der Server hat kein Zugangstoken geliefert.")
    return str(token)


def mirror(url: str, repo: Repository) -> None:
    """Copy the server's current metadata and release notes into ``repo`` (no other targets)."""
    import httpx

    base = f"{url}/releases"
    repo.metadata.mkdir(parents=True, exist_ok=True)
    with httpx.Client(timeout=TIMEOUT) as http:

        def get(rel: str) -> bytes | None:
            reply = http.get(f"{base}/{rel}")
            if reply.status_code == 404:
                return None
            reply.raise_for_status()
            return reply.content

        ts = get("metadata/timestamp.json")
        if ts is None:
            return  # first release on this server
        (repo.metadata / "timestamp.json").write_bytes(ts)
        snap_v = json.loads(ts)["signed"]["meta"]["snapshot.json"]["version"]
        snap = get(f"metadata/{snap_v}.snapshot.json")
        assert snap is not None
        (repo.metadata / f"{snap_v}.snapshot.json").write_bytes(snap)
        tv = json.loads(snap)["signed"]["meta"]["targets.json"]["version"]
        targets = get(f"metadata/{tv}.targets.json")
        assert targets is not None
        (repo.metadata / f"{tv}.targets.json").write_bytes(targets)
        version = 1
        while (root := get(f"metadata/{version}.root.json")) is not None:
            (repo.metadata / f"{version}.root.json").write_bytes(root)
            version += 1
        info = json.loads(targets)["signed"]["targets"].get(RELEASE_TARGET)
        if info:
            rel = hashed_name(RELEASE_TARGET, info["hashes"]["sha256"])
            data = get(f"targets/{rel}")
            if data is not None:
                (repo.targets / rel).parent.mkdir(parents=True, exist_ok=True)
                (repo.targets / rel).write_bytes(data)


def publish_to_server(
    index_dir: Path,
    url: str,
    keys: KeyRing,
    docs_dir: Path | None,
    user: str | None,
    days: float,
) -> PublishReport:
    """Publish ``index_dir`` to the server at ``url``; return what was published."""
    import httpx

    url = url.rstrip("/")
    token = login(url, user)
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repository(Path(tmp) / "repo", partial=True)
        try:
            mirror(url, repo)
        except httpx.HTTPError as exc:
            raise PublishError(f"Server {url} nicht erreichbar ({exc}).") from exc
        report = publish(index_dir, repo, keys, docs_dir, days)
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:") as tar:
            for rel in report.commit.new_files:
                tar.add(repo.path / rel, arcname=rel, recursive=False)
        try:
            reply = httpx.post(
                f"{url}/releases/upload",
                content=buffer.getvalue(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-tar"},
                timeout=None,
            )
        except httpx.HTTPError as exc:
            raise PublishError(f"Hochladen zu {url} fehlgeschlagen ({exc}).") from exc
        if reply.status_code != 200:
            raise PublishError(
                f"Der Server hat die Version abgelehnt ({reply.status_code}: {reply.text[:200]})."
            )
    return report
