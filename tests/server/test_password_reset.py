"""Password reset and verification by mail link/token, against the real SMTP server."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.server.helpers import PASSWORD, Account, login, new_email
from tests.server.services import SmtpCapture

TOKEN_RE = re.compile(r"(eyJ[\w-]+\.[\w-]+\.[\w-]+)")


def _token(mailbox: SmtpCapture, email: str, count: int) -> str:
    body = mailbox.wait_for(email, count).get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    match = TOKEN_RE.search(body)
    assert match
    return match.group(1)


def test_reset_password_with_the_mailed_code(
    client: TestClient, signup: Any, mailbox: SmtpCapture
) -> None:
    account: Account = signup()
    assert client.post("/auth/forgot-password", json={"email": account.email}).status_code == 202
    msg = mailbox.wait_for(account.email, count=2)
    assert "Passwort" in msg["Subject"]
    code = mailbox.code_for(account.email, count=2)
    new = "Ganz-Neues-Passwort-7"
    r = client.post(
        "/auth/reset-password-code", json={"email": account.email, "code": code, "password": "kurz"}
    )
    assert r.status_code == 400 and r.json()["detail"] == "RESET_PASSWORD_INVALID_PASSWORD"
    r = client.post(
        "/auth/reset-password-code", json={"email": account.email, "code": code, "password": new}
    )
    assert r.status_code == 200, r.text
    assert client.get("/auth/me", headers=account.headers).status_code == 401
    assert (
        client.post(
            "/auth/login", data={"username": account.email, "password": PASSWORD}
        ).status_code
        == 400
    )
    login(client, account.email, new)
    r = client.post(
        "/auth/reset-password-code",
        json={"email": account.email, "code": code, "password": new + "x"},
    )
    assert r.status_code == 400  # single use


def test_reset_password_and_verify_with_mailed_tokens(
    client: TestClient, mailbox: SmtpCapture
) -> None:
    email = new_email()
    assert (
        client.post("/auth/register", json={"email": email, "password": PASSWORD}).status_code
        == 201
    )
    verify_token = _token(mailbox, email, 1)
    r = client.post("/auth/verify", json={"token": verify_token})
    assert r.status_code == 200 and r.json()["is_verified"]
    r = client.post("/auth/verify", json={"token": verify_token})
    assert r.status_code == 400 and r.json()["detail"] == "VERIFY_USER_ALREADY_VERIFIED"

    assert client.post("/auth/forgot-password", json={"email": email}).status_code == 202
    reset_token = _token(mailbox, email, 2)
    assert (
        client.post(
            "/auth/reset-password", json={"token": verify_token, "password": "Xx-123456789"}
        ).status_code
        == 400
    )
    r = client.post("/auth/reset-password", json={"token": reset_token, "password": "Xx-123456789"})
    assert r.status_code == 200, r.text
    assert (
        client.post(
            "/auth/reset-password", json={"token": reset_token, "password": "Yy-123456789"}
        ).status_code
        == 400
    )
    login(client, email, "Xx-123456789")


def test_changing_email_needs_verifying_the_new_address(
    client: TestClient, signup: Any, mailbox: SmtpCapture
) -> None:
    account: Account = signup()
    new_address = new_email("moved")
    r = client.patch("/auth/me", json={"email": new_address}, headers=account.headers)
    assert r.status_code == 200 and r.json()["email"] == new_address
    assert r.json()["is_verified"] is False
    code = mailbox.code_for(new_address)
    assert (
        client.post("/auth/verify-code", json={"email": new_address, "code": code}).status_code
        == 200
    )
    login(client, new_address)
