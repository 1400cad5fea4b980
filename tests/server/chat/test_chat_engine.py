"""The chat engine's configuration: provider choice from the environment (never the keyring),
and a server whose engine cannot load still serves everything else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from nikdesk.server.engine import ChatEngine, EngineSettings
from nikdesk.server.nik import NikDeskError
from tests.server.chat.conftest import ANSWERABLE
from tests.server.helpers import Account, signup
from tests.server.services import SmtpCapture, free_port


def test_provider_auto_without_keys_is_the_no_llm_policy(chat_index: Path) -> None:
    engine = ChatEngine(EngineSettings(server_provider="auto"), None)
    try:
        assert engine.chain == ["none"]
    finally:
        engine.close()


def test_openai_key_from_the_environment_registers_the_provider(
    chat_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")
    # nothing listens there: the provider exists but is unreachable, so "none" answers
    monkeypatch.setenv("NIKDESK_SERVER_OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    settings = EngineSettings(server_provider="auto")
    assert settings.openai_api_key is not None
    engine = ChatEngine(settings, None)
    try:
        assert "openai" in engine.agent.providers._providers  # registered with the env key
        assert engine.chain == ["none"]
    finally:
        engine.close()


def test_unknown_provider_is_refused_with_the_choices(chat_index: Path) -> None:
    with pytest.raises(NikDeskError, match="auto, openai, local, none"):
        ChatEngine(EngineSettings(server_provider="gpt-5"), None)


def test_server_without_an_index_still_serves_accounts_and_says_why(
    make_client: Callable[..., TestClient],
    mailbox: SmtpCapture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("NIKDESK_SERVER_INDEX", str(tmp_path / "no-index"))
    client = make_client()
    user: Account = signup(client, mailbox)  # accounts work
    r = client.post("/chat", json={"question": ANSWERABLE}, headers=user.headers)
    assert r.status_code == 503 and r.json()["detail"] == "ENGINE_UNAVAILABLE"
    assert "nicht bereit" in r.json()["message"]
    assert client.get("/search?q=E050", headers=user.headers).status_code == 503
    assert client.get("/users/me/sessions", headers=user.headers).json() == []  # no engine needed
    health = client.get("/health").json()
    assert health["status"] == "degraded" and health["checks"]["engine"]["ok"] is False
