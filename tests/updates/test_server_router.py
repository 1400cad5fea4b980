"""The release routes in a minimal FastAPI app on loopback: serve, admin upload, reports."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pytest

fastapi = pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from fastapi import Depends, FastAPI, Form, HTTPException  # noqa: E402
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer  # noqa: E402

from nikdesk.server.releases import release_router  # noqa: E402
from nikdesk.updates.client import UpdateClient  # noqa: E402
from nikdesk.updates.keys import init_keys  # noqa: E402
from tests.conftest import run_nikdesk  # noqa: E402
from tests.updates.kit import MANUALS, make_index  # noqa: E402

TOKEN = "admin-token-for-tests"


bearer = HTTPBearer()


def require_admin(cred: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]) -> str:
    """Stand-in for the server's admin dependency (the real one checks a signed token)."""
    if cred.credentials != TOKEN:
        raise HTTPException(403, "not an admin")
    return "admin"


SERVER_AGENT: list[int] = []  # release versions the server's own agent switched to


def _server_installs(repo: Path) -> None:
    """The server's agent answers from the current release: it installs what it serves."""
    client = UpdateClient(repo.parent / "server-data" / "updates")
    if not client.provisioned():
        client.trust(repo / "metadata" / "1.root.json")
    SERVER_AGENT.append(client.apply(str(repo)).version)


def _app(repo: Path, db: Path) -> FastAPI:
    app = FastAPI()

    @app.post("/auth/login")
    def login(username: Annotated[str, Form()], password: Annotated[str, Form()]) -> dict[str, str]:
        if (username, password) != ("chefin", "geheim"):
            raise HTTPException(401, "wrong")
        return {"access_token": TOKEN, "token_type": "bearer"}

    app.include_router(release_router(repo, require_admin, db, _server_installs))
    return app


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    repo = tmp_path / "server-repo"
    repo.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        _app(repo, tmp_path / "devices.sqlite"), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def test_publish_to_server_then_laptop_updates_and_reports(server: str, tmp_path: Path) -> None:
    home = Path(__import__("os").environ["NIKDESK_HOME"])
    keys = tmp_path / "keys"
    init_keys(keys)
    index = make_index(tmp_path / "admin", dict(MANUALS))
    docs = str(tmp_path / "admin" / "docs")
    env = {"NIKDESK_RELEASE_ADMIN_KEY": "geheim"}
    args = ("release", "publish", str(index), "--server", server, "--keys", str(keys))
    r = run_nikdesk(*args, "--docs", docs, "--user", "chefin", home=home, **env)
    assert r.returncode == 0, r.stderr

    laptop = UpdateClient()
    laptop.trust(keys / "root.json")
    laptop.apply(f"{server}/releases")
    assert laptop.status().installed == 1

    index = make_index(
        tmp_path / "admin", dict(MANUALS, **{"Ladefix/Wallbox.md": "# Wallbox\n\nF9."})
    )
    r = run_nikdesk(*args, "--docs", docs, "--user", "chefin", home=home, **env)
    assert r.returncode == 0, r.stderr
    assert "1 geändert" in r.stdout
    offer = laptop.apply(f"{server}/releases")
    assert offer.version == 2 and [d.file for d in offer.changes.updated] == ["Wallbox.md"]

    assert SERVER_AGENT[-2:] == [1, 2]
    rows = httpx.get(
        f"{server}/releases/devices", headers={"Authorization": f"Bearer {TOKEN}"}
    ).json()
    assert rows == [
        {
            "device_id": laptop.device_id(),
            "version": 2,
            "root_version": 1,
            "last_seen": rows[0]["last_seen"],
        }
    ]


def test_upload_needs_an_admin_and_a_clean_archive(server: str, tmp_path: Path) -> None:
    import io
    import tarfile

    assert httpx.post(f"{server}/releases/upload", content=b"x").status_code in (401, 403)
    bad = io.BytesIO()
    with tarfile.open(fileobj=bad, mode="w:") as tar:
        info = tarfile.TarInfo("../evil.json")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"{}"))
    reply = httpx.post(
        f"{server}/releases/upload",
        content=bad.getvalue(),
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert reply.status_code == 400
    assert not (tmp_path / "evil.json").exists()
    init_keys(tmp_path / "keys")
    wrong = run_nikdesk(
        "release",
        "publish",
        str(tmp_path),
        "--server",
        server,
        "--keys",
        str(tmp_path / "keys"),
        "--user",
        "chefin",
        home=tmp_path,
        NIKDESK_RELEASE_ADMIN_KEY="falsch",
    )
    assert wrong.returncode != 0 and "Anmeldung als chefin abgelehnt" in wrong.stderr
    assert httpx.get(f"{server}/releases/targets/../../etc/passwd").status_code == 404
