"""Signed manual releases through the real server: admin upload, laptops update and report."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import httpx

from tests.conftest import run_nikdesk
from tests.server.helpers import PASSWORD, signup
from tests.server.services import SmtpCapture, start_server
from tests.sync.laptops import Laptop
from tests.updates.kit import MANUALS, make_index


def _admin(data: Path, env: dict[str, str], email: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nikdesk", "server", "create-admin", email, "--data", str(data)],
        input=PASSWORD + "\n", capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_admin_publishes_server_verifies_laptop_updates_and_reports(
    tmp_path: Path, smtp_server: SmtpCapture
) -> None:
    from nikdesk.updates.client import UpdateClient
    from nikdesk.updates.keys import init_keys

    keys = tmp_path / "keys"
    init_keys(keys)
    data = tmp_path / "srv"
    env = {
        "NIKDESK_DATABASE_URL": f"sqlite:///{data / 'nikdesk.db'}",
        "NIKDESK_SMTP_HOST": "127.0.0.1",
        "NIKDESK_SMTP_PORT": str(smtp_server.port),
        "NIKDESK_RELEASE_ROOT": str(keys / "root.json"),
        "NIKDESK_SERVER_PROVIDER": "none",
        # no chat index at start: accounts and releases work without one (chat answers 503)
        "NIKDESK_SERVER_INDEX": str(tmp_path / "no-index"),
    }
    server = start_server(data, env)
    try:
        _admin(data, {**server.env}, "chefin@example.com")
        index = make_index(tmp_path / "admin", dict(MANUALS))
        docs = str(tmp_path / "admin" / "docs")
        args = ("release", "publish", str(index), "--server", server.url, "--keys", str(keys))
        admin_env = {"NIKDESK_RELEASE_ADMIN_KEY": PASSWORD}
        home = tmp_path / "admin-home"
        r = run_nikdesk(
            *args, "--docs", docs, "--user", "chefin@example.com", home=home, **admin_env
        )
        assert r.returncode == 0, r.stderr

        laptop = UpdateClient(tmp_path / "laptop" / "updates")
        laptop.trust(keys / "root.json")
        laptop.apply(f"{server.url}/releases")
        assert laptop.status().installed == 1
        # a technician's laptop (its own process and home) signs in and installs release 1:
        # it tells the server, as its account, from the device it signed in on
        tech_laptop = Laptop(tmp_path / "tech-laptop", smtp_server)
        tech_email = tech_laptop.signup(server.url)
        tech_laptop.run("update", "trust", str(keys / "root.json"))
        tech_laptop.run("update", "apply", "--from", f"{server.url}/releases", "--quiet")

        make_index(tmp_path / "admin", dict(MANUALS, **{"Ladefix/Wallbox.md": "# Wallbox\n\nF9."}))
        r = run_nikdesk(
            *args, "--docs", docs, "--user", "chefin@example.com", home=home, **admin_env
        )
        assert r.returncode == 0, r.stderr
        offer = laptop.apply(f"{server.url}/releases")
        assert offer.version == 2 and [d.file for d in offer.changes.updated] == ["Wallbox.md"]
        # the server verified and installed what it serves, like a laptop (its own agent's index)
        state = json.loads((data / "updates" / "state.json").read_text())
        assert state["current"] and (data / "updates" / "releases" / state["current"]).is_dir()

        # the technician's laptop (its own process and home, signed in) updates too
        tech_laptop.run("update", "apply", "--from", f"{server.url}/releases", "--quiet")
        with httpx.Client(base_url=server.url, timeout=30) as http:
            admin = http.post(
                "/auth/login", data={"username": "chefin@example.com", "password": PASSWORD}
            ).json()["access_token"]
            as_admin = {"Authorization": f"Bearer {admin}"}

            def overview() -> list[tuple[str, str | None]]:
                rows = http.get("/releases/devices", headers=as_admin).json()
                return [(r["user"], r["version"]) for r in rows if r["user"] == tech_email]

            # the login registered the device; each install and rollback says what runs on it
            assert overview() == [(tech_email, "2")]
            tech_laptop.run("update", "rollback")
            assert overview() == [(tech_email, "1")]

            tech = signup(http, smtp_server, None)
            bearer = {"Authorization": f"Bearer {tech.access_token}"}
            report = {"device_id": "laptop-0000-0001", "version": 2, "root_version": 1}
            assert http.post("/releases/report", json=report).status_code == 401  # anonymous
            assert http.post("/releases/report", json=report, headers=bearer).status_code == 204
            assert http.get("/releases/devices", headers=bearer).status_code == 403
            rows = http.get("/releases/devices", headers=as_admin).json()
            assert ("laptop-0000-0001", tech.email, "2") in [
                (r["device_id"], r["user"], r["version"]) for r in rows
            ]
            # another account cannot take over this laptop's device id
            other = signup(http, smtp_server, None)
            taken = http.post(
                "/releases/report",
                json=report,
                headers={"Authorization": f"Bearer {other.access_token}"},
            )
            assert taken.status_code == 403

            # uploads: only admins, only clean archives, no way out of the repository
            assert http.post("/releases/upload", content=b"x", headers=bearer).status_code == 403
            bad = io.BytesIO()
            with tarfile.open(fileobj=bad, mode="w:") as tar:
                info = tarfile.TarInfo("../evil.json")
                info.size = 2
                tar.addfile(info, io.BytesIO(b"{}"))
            reply = http.post(
                "/releases/upload",
                content=bad.getvalue(),
                headers={"Authorization": f"Bearer {admin}"},
            )
            assert reply.status_code == 400
            assert not list(data.rglob("evil.json"))
            # encoded dots reach the route as "../../../nikdesk.db" (httpx drops plain ".."):
            # from <data>/blobs/releases/targets that is the server's own database
            assert (data / "nikdesk.db").is_file()
            escape = http.get("/releases/targets/%2e%2e/%2e%2e/%2e%2e/nikdesk.db")
            assert escape.status_code == 404 and b"SQLite format" not in escape.content
    finally:
        server.stop()
