"""Operations: /health, /health/ready, /metrics, request ids, and no secret in any log line."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.server.helpers import PASSWORD, Account, login, new_email, signup
from tests.server.services import SmtpCapture, start_server


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_health_reports_every_dependency(
    make_client: Callable[..., TestClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    client = make_client(server_index=tmp_path / "missing-index")
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    checks = body["checks"]
    assert checks["database"] == {"ok": True, "dialect": "sqlite"}
    assert checks["blobs"]["ok"] is True
    assert checks["index"]["ok"] is False  # configured but absent
    assert body["status"] == "degraded"
    assert checks["mail"]["transport"].startswith("smtp://127.0.0.1:")
    assert checks["providers"]["cloud"] == ["openai"]
    assert "sk-test" not in r.text
    ready = client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["ready"] is True


def test_ready_is_503_without_migrations(make_client: Callable[..., TestClient]) -> None:
    client = make_client(migrate_on_start=False)
    r = client.get("/health/ready")
    assert r.status_code == 503 and r.json()["ready"] is False
    assert client.get("/health").json()["checks"]["database"]["ok"] is True


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_metrics_and_request_id(client: TestClient) -> None:
    r = client.get("/auth/me", headers={"X-Request-ID": "abc-123"})
    assert r.status_code == 401 and r.headers["x-request-id"] == "abc-123"
    generated = client.get("/health").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    bad = client.get("/health", headers={"X-Request-ID": "evil id\n{}"}).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", bad)
    text = client.get("/metrics").text
    assert 'nikdesk_http_requests_total{method="GET",route="/auth/me",status="401"}' in text
    assert "nikdesk_http_request_seconds_bucket" in text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_password_code_or_token_reaches_the_logs(
    tmp_path: Path, database_url: str, smtp_server: SmtpCapture
) -> None:
    secret = "jwt-secret-for-the-log-test-" + "z" * 30
    env = {
        "NIKDESK_DATABASE_URL": database_url,
        "NIKDESK_SMTP_HOST": "127.0.0.1",
        "NIKDESK_SMTP_PORT": str(smtp_server.port),
        "NIKDESK_JWT_SECRET": secret,
        "NIKDESK_LOG_LEVEL": "DEBUG",
    }
    server = start_server(tmp_path / "live", env)
    secrets: list[str] = [secret, PASSWORD]
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            acc: Account = signup(c, smtp_server)
            secrets += [acc.access_token, acc.refresh_token, smtp_server.code_for(acc.email)]
            r = c.post("/auth/refresh", json={"refresh_token": acc.refresh_token})
            secrets += [r.json()["access_token"], r.json()["refresh_token"]]
            c.post("/auth/login", data={"username": acc.email, "password": "Falsches-Passwort-1"})
            secrets.append("Falsches-Passwort-1")
            c.post("/auth/forgot-password", json={"email": acc.email})
            code = smtp_server.code_for(acc.email, count=2)
            new_password = "Neues-Geheimes-Passwort-5"
            c.post(
                "/auth/reset-password-code",
                json={"email": acc.email, "code": code, "password": new_password},
            )
            secrets += [code, new_password]
            tokens = login(c, acc.email, new_password)
            secrets += [tokens["access_token"], tokens["refresh_token"]]
            c.get(
                "/auth/me",
                headers={
                    "Authorization": f"Bearer {tokens['access_token']}",
                    "X-Request-ID": "trace-me-1",
                },
            )
            c.get("/auth/me?token=" + tokens["access_token"])  # a token in a query string
            c.post("/auth/register", json={"email": new_email(), "password": "kurz"})
    finally:
        assert server.stop() == 0
    log = server.logs() + server.stdout.read_text()
    lines = [json.loads(line) for line in server.logs().splitlines() if line.strip()]
    assert lines and all("request_id" in line and "level" in line for line in lines)
    assert any(line.get("request_id") == "trace-me-1" for line in lines)
    for value in secrets:
        assert value not in log, f"secret leaked into the log: {value[:12]}…"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_unexpected_errors_answer_json_with_the_request_id(
    make_client: Callable[..., TestClient],
) -> None:
    from fastapi import APIRouter

    client = make_client()
    router = APIRouter()

    @router.get("/test/boom")
    def boom() -> None:
        raise RuntimeError("bug")

    client.app.include_router(router)  # type: ignore[attr-defined]
    no_raise = TestClient(client.app, raise_server_exceptions=False)
    r = no_raise.get("/test/boom", headers={"X-Request-ID": "rid-500"})
    assert r.status_code == 500
    assert r.json()["detail"] == "INTERNAL_ERROR" and "rid-500" in r.json()["message"]
