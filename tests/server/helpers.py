"""Account helpers for server tests: register -> code from the real mail -> verify -> login."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from tests.server.services import SmtpCapture

PASSWORD = "Solar-Wechselrichter-42"


@dataclass
class Account:
    """A signed-in test user."""

    email: str
    password: str
    user_id: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def new_email(prefix: str = "tech") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def login(client: Any, email: str, password: str = PASSWORD, **form: str) -> dict[str, Any]:
    """POST /auth/login with the OAuth2 form; assert 200; return the JSON."""
    r = client.post("/auth/login", data={"username": email, "password": password, **form})
    assert r.status_code == 200, r.text
    return dict(r.json())


def signup(
    client: Any,
    mailbox: SmtpCapture,
    email: str | None = None,
    password: str = PASSWORD,
    display_name: str = "Test Techniker",
) -> Account:
    """Register, verify with the code from the received mail, log in; return the account.

    ``client`` is a TestClient or an ``httpx.Client(base_url=...)`` of a live server.
    """
    email = email or new_email()
    r = client.post(
        "/auth/register",
        json={"email": email, "password": password, "display_name": display_name},
    )
    assert r.status_code == 201, r.text
    user_id = r.json()["id"]
    code = mailbox.code_for(email)
    r = client.post("/auth/verify-code", json={"email": email, "code": code})
    assert r.status_code == 200, r.text
    tokens = login(client, email, password)
    return Account(email, password, user_id, tokens["access_token"], tokens["refresh_token"])


def set_role(client: Any, user_id: str, role: str) -> None:
    """Give a user a role directly in the database of an in-process TestClient app."""
    from nikdesk.server.db import transaction
    from nikdesk.server.models import User
    from nikdesk.server.users import set_role as _set_role

    with transaction(client.app.state.db) as db:
        user = db.get(User, user_id)
        assert user is not None
        _set_role(user, role)


def signup_with_role(client: Any, mailbox: SmtpCapture, role: str) -> Account:
    """Sign up a user and give them ``role`` ('support' or 'admin'; in-process apps only)."""
    account = signup(client, mailbox, new_email(role))
    set_role(client, account.user_id, role)
    return account
