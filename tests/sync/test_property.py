"""Property: random interleavings of edits, deletes, syncs and failures on 2-3 devices converge.

In-process against the real server app (SQLite, real migrations) through its ASGI transport;
each device is a real SQLite store with the real ChatStore and SyncEngine. Failures: a push
whose answer is lost after the server applied it (the client retries), and a round that dies
between push and pull.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.helpers import signup
from tests.server.services import SmtpCapture
from tests.sync.laptops import store_snapshot

OPS = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 2)),
    st.tuples(st.just("message"), st.integers(0, 2), st.integers(0, 9)),
    st.tuples(st.just("rename"), st.integers(0, 2), st.integers(0, 9), st.sampled_from("ABC")),
    st.tuples(st.just("pin"), st.integers(0, 2), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("delete"), st.integers(0, 2), st.integers(0, 9)),
    st.tuples(st.just("sync"), st.integers(0, 2)),
    st.tuples(st.just("lossy_sync"), st.integers(0, 2)),
    st.tuples(st.just("push_only"), st.integers(0, 2)),
)


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


@pytest.fixture
def app_client(tmp_path: Path, smtp_server: SmtpCapture) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from nikdesk.server.app import create_app
    from nikdesk.server.config import ServerSettings
    from tests.server.conftest import settings_kwargs

    kwargs = settings_kwargs(tmp_path / "srv", f"sqlite:///{tmp_path / 'srv.db'}", smtp_server)
    with TestClient(create_app(ServerSettings(**kwargs))) as client:
        yield client


@pytest.fixture
def memory_keyring() -> Iterator[None]:
    import keyring

    from tests.fakes import memory_keyring_class

    previous = keyring.get_keyring()
    keyring.set_keyring(memory_keyring_class()())
    yield
    keyring.set_keyring(previous)


class Device:
    def __init__(self, path: Path, account_id: str, app_client: Any, n: int):
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


@settings(
    max_examples=int(os.environ.get("NIKDESK_PROPERTY_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(OPS, min_size=1, max_size=30), devices=st.integers(2, 3))
def test_random_interleavings_converge(
    app_client: Any,
    mailbox: SmtpCapture,
    memory_keyring: None,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    ops: list[tuple[Any, ...]],
    devices: int,
) -> None:
    from nikdesk.sync.client import Tokens
    from nikdesk.sync.engine import SyncReport

    monkeypatch.setenv("NIKDESK_SYNC_RETRY_SECONDS", "5")
    account = signup(app_client, mailbox)
    pair = app_client.post(
        "/auth/login", data={"username": account.email, "password": account.password}
    ).json()
    Tokens(account.user_id).save(pair)
    base = tmp_path_factory.mktemp("devices")
    fleet = [Device(base / f"d{n}.db", account.user_id, app_client, n) for n in range(devices)]
    written: set[str] = set()
    deleted: set[str] = set()
    for op in ops:
        kind, who = op[0], fleet[op[1] % devices]
        sessions = who.session_ids()
        pick = sessions[op[2] % len(sessions)] if len(op) > 2 and sessions else None
        if kind == "create":
            who.store.create_session("Neu")
        elif kind == "message" and pick:
            written.add(who.store.add_message(pick, "user", f"Frage {len(written)}").id)
        elif kind == "rename" and pick:
            who.store.rename(pick, f"Titel {op[3]}")
        elif kind == "pin" and pick:
            who.store.pin(pick, op[3])
        elif kind == "delete" and pick:
            who.store.delete(pick)
            deleted.add(pick)
        elif kind == "sync":
            who.engine.run()
        elif kind == "lossy_sync":
            who.lossy.armed = True
            who.engine.run()
        elif kind == "push_only":
            who.engine.push(SyncReport())  # the round dies before it pulls

    for _ in range(2):  # heal: everyone syncs twice
        for device in fleet:
            assert device.engine.run().pending == 0
    snapshots = [store_snapshot(d.store.db) for d in fleet]
    assert all(s == snapshots[0] for s in snapshots[1:])
    assert set(snapshots[0]["messages"]) == written
    for session_id in deleted:  # a tombstone never comes back
        assert snapshots[0]["sessions"][session_id][2] is True
    fresh = Device(base / "fresh.db", account.user_id, app_client, 9)
    fresh.engine.run()
    assert store_snapshot(fresh.store.db) == snapshots[0]
    for device in [*fleet, fresh]:
        device.store.db.close()
