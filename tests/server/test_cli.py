"""The server's command line in real processes: migrate, create-admin (stdin), serve + SIGTERM."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.server.helpers import login, signup
from tests.server.services import ROOT, LiveServer, SmtpCapture, start_server


def _nikdesk(
    *args: str, data: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nikdesk", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(data.parent),
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


def test_migrate_then_create_admin_then_login(
    tmp_path: Path, database_url: str, smtp_server: SmtpCapture
) -> None:
    data = tmp_path / "srv"
    env = {"NIKDESK_DATABASE_URL": database_url}
    r = _nikdesk("server", "migrate", "--data", str(data), data=data, **env)
    assert r.returncode == 0, r.stderr
    assert "0001_initial" in r.stdout
    r = _nikdesk("server", "migrate", "--data", str(data), data=data, **env)  # idempotent
    assert r.returncode == 0, r.stderr

    password = "Admin-Passwort-123"
    r = _nikdesk(
        "server",
        "create-admin",
        "Chefin@Example.com",
        "--data",
        str(data),
        data=data,
        stdin=password + "\n",
        **env,
    )
    assert r.returncode == 0, r.stderr
    assert "chefin@example.com" in r.stdout
    assert password not in r.stdout + r.stderr

    r = _nikdesk(
        "server",
        "create-admin",
        "x@example.com",
        "--data",
        str(data),
        data=data,
        stdin="kurz\n",
        **env,
    )
    assert r.returncode == 2 and "mindestens" in r.stderr

    server = start_server(
        data, {**env, "NIKDESK_SMTP_HOST": "127.0.0.1", "NIKDESK_SMTP_PORT": str(smtp_server.port)}
    )
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            tokens = login(c, "chefin@example.com", password)
            auth = {"Authorization": f"Bearer {tokens['access_token']}"}
            me = c.get("/auth/me", headers=auth).json()
            assert me["role"] == "admin" and me["is_superuser"] and me["is_verified"]
            assert c.get("/admin/users", headers=auth).status_code == 200
    finally:
        assert server.stop() == 0, server.logs()[-2000:]


def test_server_serves_until_sigterm_and_exits_cleanly(live_server: LiveServer) -> None:
    r = httpx.get(live_server.url + "/health/ready", timeout=10)
    assert r.status_code == 200 and r.json()["ready"] is True
    assert (live_server.data / "jwt_secret").stat().st_mode & 0o777 == 0o600
    assert live_server.stop() == 0
    logs = live_server.logs()
    assert "Application shutdown complete" in logs


def test_full_account_flow_against_the_live_server(
    live_server: LiveServer, smtp_server: SmtpCapture
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        account = signup(c, smtp_server)
        assert c.get("/auth/me", headers=account.headers).status_code == 200
        assert c.post("/auth/logout", headers=account.headers).status_code == 204
        assert c.get("/auth/me", headers=account.headers).status_code == 401


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_help_lists_the_server_commands(tmp_path: Path, database_url: str) -> None:
    r = _nikdesk("server", "--help", data=tmp_path / "x")
    assert r.returncode == 0
    for word in ("--host", "--port", "--data", "migrate", "create-admin"):
        assert word in r.stdout


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_on_postgresql_share_everything(
    tmp_path: Path, database_url: str, smtp_server: SmtpCapture
) -> None:
    env = {
        "NIKDESK_DATABASE_URL": database_url,
        "NIKDESK_SMTP_HOST": "127.0.0.1",
        "NIKDESK_SMTP_PORT": str(smtp_server.port),
    }
    server = start_server(tmp_path / "multi", env, workers=2)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            account = signup(c, smtp_server)
            for _ in range(40):  # new connections land on either worker
                r = httpx.get(server.url + "/auth/me", headers=account.headers, timeout=30)
                assert r.status_code == 200
            metrics = httpx.get(server.url + "/metrics", timeout=30).text  # any worker: all
            me = [
                line
                for line in metrics.splitlines()
                if line.startswith('nikdesk_http_requests_total{method="GET",route="/auth/me"')
            ]
            assert me and sum(float(line.rsplit(" ", 1)[1]) for line in me) >= 40
            assert c.post("/auth/logout", headers=account.headers).status_code == 204
            for _ in range(10):  # logged out on every worker at once
                r = httpx.get(server.url + "/auth/me", headers=account.headers, timeout=30)
                assert r.status_code == 401
    finally:
        assert server.stop() == 0, server.logs()[-2000:]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_without_smtp_mails_go_to_stdout_not_to_the_log(tmp_path: Path, database_url: str) -> None:
    server = start_server(tmp_path / "console", {"NIKDESK_DATABASE_URL": database_url})
    try:
        r = httpx.post(
            server.url + "/auth/register",
            timeout=30,
            json={"email": "konsole@example.com", "password": "Passwort-1234"},
        )
        assert r.status_code == 201
    finally:
        assert server.stop() == 0
    out = server.stdout.read_text()
    assert "An: konsole@example.com" in out and "Bestätigungscode" in out
    code = re.search(r"(?<!\d)(\d{8})(?!\d)", out)
    assert code is not None
    assert code.group(1) not in server.logs()
