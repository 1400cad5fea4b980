"""In-process sync rig: the real server app (SQLite) behind its ASGI test client, devices with
real SQLite stores, the real ChatStore/SyncEngine and an in-memory OS keyring for tokens."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.services import SmtpCapture


class LossyTransport(httpx.BaseTransport):
    """Forward to the in-process app; when armed, drop the next push's answer after it applied.

    (Starlette's TestClient speaks httpx2 here, so requests are re-issued through it.)
    """

    def __init__(self, app_client: Any) -> None:
        self.app_client = app_client
        self.armed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.app_client.request(
            request.method,
            request.url.raw_path.decode(),
            content=request.read(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
        )
        if self.armed and request.url.path == "/sync/push":
            self.armed = False
            raise httpx.ReadError("connection reset after the server applied the batch")
        return httpx.Response(
            answer.status_code, headers=dict(answer.headers), content=answer.content
        )


class Device:
    def __init__(self, path: Path, account_id: str, app_client: Any, n: int) -> None:
        from nikdesk.storage.chats import ChatStore
        from nikdesk.storage.db import open_db
        from nikdesk.sync.client import ServerApi, Tokens
        from nikdesk.sync.engine import SyncEngine

        self.lossy = LossyTransport(app_client)
        self.store = ChatStore(open_db(path))
        api = ServerApi("http://testserver", Tokens(account_id), transport=self.lossy)
        self.engine = SyncEngine(
            self.store.db, api, f"device-{n}-{uuid.uuid4()}", push_batch=7, pull_page=5
        )

    def session_ids(self) -> list[str]:
        return sorted(s.id for s in self.store.sessions(include_deleted=True))


@pytest.fixture
def app_client(tmp_path: Path, database_url: str, smtp_server: SmtpCapture) -> Iterator[Any]:
    """A started in-process server app on a fresh database (SQLite and real PostgreSQL)."""
    from fastapi.testclient import TestClient

    from nikdesk.server.app import create_app
    from nikdesk.server.config import ServerSettings
    from tests.server.conftest import settings_kwargs

    kwargs = settings_kwargs(tmp_path / "srv", database_url, smtp_server)
    with TestClient(create_app(ServerSettings(**kwargs))) as client:
        yield client


@pytest.fixture
def memory_keyring() -> Iterator[None]:
    """An in-memory OS keyring for the tokens (no D-Bus here)."""
    import keyring

    from tests.fakes import memory_keyring_class

    previous = keyring.get_keyring()
    keyring.set_keyring(memory_keyring_class()())
    yield
    keyring.set_keyring(previous)


def signed_in(app_client: Any, mailbox: SmtpCapture) -> Any:
    """Sign up a user through the real API; store its tokens in the keyring; return it."""
    from nikdesk.sync.client import Tokens
    from tests.server.helpers import signup

    account = signup(app_client, mailbox)
    pair = app_client.post(
        "/auth/login", data={"username": account.email, "password": account.password}
    ).json()
    Tokens(account.user_id).save(pair)
    return account
