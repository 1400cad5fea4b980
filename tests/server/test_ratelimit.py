"""Rate limits: 429 + Retry-After, per user for chat/upload, per client+email for login;
shared by several workers through a real Redis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient

from nikdesk.server.auth.deps import VerifiedUser
from nikdesk.server.ratelimit import rate_limit
from tests.server.helpers import Account, signup
from tests.server.services import RedisServer, SmtpCapture

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _chat_route(client: TestClient) -> None:
    router = APIRouter()

    @router.post("/test/chat", dependencies=[Depends(rate_limit("chat"))])
    def chat(user: VerifiedUser) -> dict[str, str]:
        return {"ok": user.id}

    client.app.include_router(router)  # type: ignore[attr-defined]


def test_chat_limit_is_per_user_with_retry_after(
    make_client: Callable[..., TestClient], mailbox: SmtpCapture
) -> None:
    client = make_client(rate_limit_chat="3/minute")
    _chat_route(client)
    a: Account = signup(client, mailbox)
    b: Account = signup(client, mailbox)
    for _ in range(3):
        assert client.post("/test/chat", headers=a.headers).status_code == 200
    r = client.post("/test/chat", headers=a.headers)
    assert r.status_code == 429 and r.json()["detail"] == "RATE_LIMITED"
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert "Sekunden" in r.json()["message"]
    assert client.post("/test/chat", headers=b.headers).status_code == 200  # B unaffected
    assert client.post("/test/chat").status_code == 401  # no token: no anonymous bucket


def test_login_is_limited_per_client_and_address(
    make_client: Callable[..., TestClient], mailbox: SmtpCapture
) -> None:
    client = make_client(rate_limit_login="5/minute")
    acc: Account = signup(client, mailbox)  # verify-code + login count: 2 of 5
    for _ in range(3):
        r = client.post("/auth/login", data={"username": acc.email, "password": "falsch-123"})
        assert r.status_code == 400
    r = client.post("/auth/login", data={"username": acc.email, "password": acc.password})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    other = client.post("/auth/login", data={"username": "x@example.com", "password": "y"})
    assert other.status_code == 400  # another address is not blocked


def test_two_workers_share_limits_through_redis(
    make_client: Callable[..., TestClient], mailbox: SmtpCapture, redis_server: RedisServer
) -> None:
    kw: dict[str, Any] = {"redis_url": redis_server.url, "rate_limit_login": "3/minute"}
    worker1, worker2 = make_client(**kw), make_client(**kw)
    email = "shared-limit@example.com"
    codes = [
        w.post("/auth/login", data={"username": email, "password": "x"}).status_code
        for w in (worker1, worker2, worker1, worker2)
    ]
    assert codes == [400, 400, 400, 429]
    health = worker1.get("/health").json()["checks"]["rate_limits"]
    assert health == {"ok": True, "storage": "redis"}


def test_admin_panel_login_is_rate_limited_too(
    make_client: Callable[..., TestClient], mailbox: SmtpCapture
) -> None:
    from tests.server.helpers import PASSWORD, set_role

    client = make_client(rate_limit_login="4/minute")
    admin = signup(client, mailbox)  # verify-code + login: 2 of 4
    set_role(client, admin.user_id, "admin")
    for _ in range(2):
        r = client.post(
            "/admin/login",
            data={"username": admin.email, "password": "falsch"},
            follow_redirects=False,
        )
        assert r.status_code == 400
    r = client.post(
        "/admin/login", data={"username": admin.email, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 400  # limited: even the right password is refused for now
