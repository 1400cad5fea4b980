"""The account flow end to end on SQLite and a real PostgreSQL, with a real SMTP server."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.server.helpers import PASSWORD, new_email
from tests.server.services import SmtpCapture


def test_register_verify_login_me_refresh_logout(client: TestClient, mailbox: SmtpCapture) -> None:
    email = new_email()
    r = client.post(
        "/auth/register", json={"email": email, "password": PASSWORD, "display_name": "Jana"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["is_verified"] is False

    msg = mailbox.wait_for(email)
    assert "Bestätigungscode" in msg["Subject"]
    body = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Hallo Jana" in body
    code = mailbox.code_for(email)

    # login before verifying is refused
    r = client.post("/auth/login", data={"username": email, "password": PASSWORD})
    assert r.status_code == 400 and r.json()["detail"] == "LOGIN_USER_NOT_VERIFIED"

    r = client.post("/auth/verify-code", json={"email": email.upper(), "code": code})
    assert r.status_code == 200, r.text
    assert r.json()["is_verified"] is True

    r = client.post("/auth/login", data={"username": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert tokens["token_type"] == "bearer" and tokens["refresh_token"]
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}

    me = client.get("/auth/me", headers=auth)
    assert me.status_code == 200 and me.json()["email"] == email

    r = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200, r.text
    fresh = r.json()
    assert fresh["refresh_token"] != tokens["refresh_token"]
    auth2 = {"Authorization": f"Bearer {fresh['access_token']}"}
    assert client.get("/auth/me", headers=auth2).status_code == 200

    assert client.post("/auth/logout", headers=auth2).status_code == 204
    assert client.get("/auth/me", headers=auth2).status_code == 401
    assert client.get("/auth/me", headers=auth).status_code == 401  # same sign-in
    r = client.post("/auth/refresh", json={"refresh_token": fresh["refresh_token"]})
    assert r.status_code == 401
