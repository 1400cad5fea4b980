"""Security of the accounts: tokens, roles, refresh families, code attempts, no enumeration."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import jwt
from fastapi import APIRouter
from fastapi.testclient import TestClient

from nikdesk.server.auth import tokens
from nikdesk.server.auth.deps import VerifiedUser
from tests.server.conftest import TEST_SECRET
from tests.server.helpers import PASSWORD, Account, login, new_email, signup_with_role
from tests.server.services import SmtpCapture


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_tampered_forged_and_expired_tokens_are_401(client: TestClient, signup: Any) -> None:
    account: Account = signup()
    assert client.get("/auth/me", headers=account.headers).status_code == 200
    head, payload, sig = account.access_token.split(".")
    other_sig = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")
    claims = _claims(account.access_token)
    forged_payload = (
        base64.urlsafe_b64encode(json.dumps({**claims, "sub": "someone-else"}).encode())
        .rstrip(b"=")
        .decode()
    )
    bad = [
        f"{head}.{payload}.{other_sig}",  # signature changed
        f"{head}.{forged_payload}.{sig}",  # payload changed
        jwt.encode(claims, "another-secret-key-of-enough-length-123", algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),  # type: ignore[arg-type]
        tokens.encode(  # right key, expired
            TEST_SECRET,
            tokens.AUD_ACCESS,
            account.user_id,
            timedelta(seconds=-5),
            sid=claims["sid"],
            epoch=claims["epoch"],
        ),
        account.refresh_token,  # a refresh token is not an access token
        "not-a-jwt",
    ]
    for token in bad:
        r = client.get("/auth/me", headers=_bearer(token))
        assert r.status_code == 401, token
        assert r.headers["www-authenticate"] == "Bearer"
    assert client.get("/auth/me").status_code == 401


def test_unverified_user_gets_403_on_a_verified_route(
    client: TestClient, signup: Any, mailbox: SmtpCapture
) -> None:
    router = APIRouter()

    @router.get("/test/verified-only")
    def verified_only(user: VerifiedUser) -> dict[str, str]:
        return {"id": user.id}

    client.app.include_router(router)  # type: ignore[attr-defined]
    admin = signup_with_role(client, mailbox, "admin")
    tech: Account = signup()
    assert client.get("/test/verified-only", headers=tech.headers).status_code == 200
    r = client.patch(
        f"/admin/users/{tech.user_id}", json={"is_verified": False}, headers=admin.headers
    )
    assert r.status_code == 200, r.text
    r = client.get("/test/verified-only", headers=tech.headers)
    assert r.status_code == 403 and r.json()["detail"] == "USER_NOT_VERIFIED"
    assert "bestätigen" in r.json()["message"]
    assert client.get("/auth/me", headers=tech.headers).status_code == 200
    # and a new login is refused until the email is verified again
    r = client.post("/auth/login", data={"username": tech.email, "password": PASSWORD})
    assert r.status_code == 400 and r.json()["detail"] == "LOGIN_USER_NOT_VERIFIED"


def test_reused_refresh_token_revokes_its_family_only(client: TestClient, signup: Any) -> None:
    account: Account = signup()
    other = login(client, account.email)  # a second sign-in (another laptop)
    r1 = account.refresh_token
    first = client.post("/auth/refresh", json={"refresh_token": r1})
    assert first.status_code == 200
    r2, a2 = first.json()["refresh_token"], first.json()["access_token"]
    assert client.get("/auth/me", headers=_bearer(a2)).status_code == 200

    reuse = client.post("/auth/refresh", json={"refresh_token": r1})  # stolen old token
    assert reuse.status_code == 401
    assert client.post("/auth/refresh", json={"refresh_token": r2}).status_code == 401
    assert client.get("/auth/me", headers=_bearer(a2)).status_code == 401
    assert client.get("/auth/me", headers=account.headers).status_code == 401
    # the other sign-in is untouched
    assert client.get("/auth/me", headers=_bearer(other["access_token"])).status_code == 200
    assert (
        client.post("/auth/refresh", json={"refresh_token": other["refresh_token"]}).status_code
        == 200
    )


def test_five_wrong_codes_kill_the_code(client: TestClient, mailbox: SmtpCapture) -> None:
    email = new_email()
    assert (
        client.post("/auth/register", json={"email": email, "password": PASSWORD}).status_code
        == 201
    )
    code = mailbox.code_for(email)
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for _ in range(5):
        r = client.post("/auth/verify-code", json={"email": email, "code": wrong})
        assert r.status_code == 400 and r.json()["detail"] == "VERIFY_USER_BAD_TOKEN"
    r = client.post("/auth/verify-code", json={"email": email, "code": code})
    assert r.status_code == 400, "the right code must be dead after 5 wrong tries"
    # a new code works, the old one stays dead
    assert client.post("/auth/request-verify-token", json={"email": email}).status_code == 202
    new_code = mailbox.code_for(email, count=2)
    assert client.post("/auth/verify-code", json={"email": email, "code": code}).status_code == 400
    r = client.post("/auth/verify-code", json={"email": email, "code": new_code})
    assert r.status_code == 200 and r.json()["is_verified"] is True
    # single use
    assert (
        client.post("/auth/verify-code", json={"email": email, "code": new_code}).status_code == 400
    )


def test_expired_code_is_refused(client: TestClient, mailbox: SmtpCapture) -> None:
    from sqlalchemy import update

    from nikdesk.server.db import transaction, utcnow
    from nikdesk.server.models import UserCode

    email = new_email()
    uid = client.post("/auth/register", json={"email": email, "password": PASSWORD}).json()["id"]
    code = mailbox.code_for(email)
    with transaction(client.app.state.db) as db:  # type: ignore[attr-defined]
        db.execute(update(UserCode).where(UserCode.user_id == uid).values(expires_at=utcnow()))
    assert client.post("/auth/verify-code", json={"email": email, "code": code}).status_code == 400


def test_admin_routes_are_403_for_technicians_and_support(
    client: TestClient, signup: Any, mailbox: SmtpCapture
) -> None:
    tech: Account = signup()
    support = signup_with_role(client, mailbox, "support")
    for account in (tech, support):
        h = account.headers
        assert client.get("/admin/users", headers=h).status_code == 403
        assert client.get(f"/admin/users/{tech.user_id}", headers=h).status_code == 403
        r = client.patch(f"/admin/users/{account.user_id}", json={"role": "admin"}, headers=h)
        assert r.status_code == 403
        assert client.delete(f"/admin/users/{tech.user_id}", headers=h).status_code == 403
        assert client.get("/admin/audit", headers=h).status_code == 403
    assert client.get("/admin/users").status_code == 401
    me = client.get("/auth/me", headers=support.headers).json()
    assert me["role"] == "support" and not me["is_superuser"]


def test_no_account_probing_via_forgot_password_or_verify_request(
    client: TestClient, signup: Any, mailbox: SmtpCapture
) -> None:
    known: Account = signup()
    unknown = new_email("nobody")
    for path in ("/auth/forgot-password", "/auth/request-verify-token"):
        a = client.post(path, json={"email": known.email})
        b = client.post(path, json={"email": unknown})
        assert (a.status_code, a.content) == (b.status_code, b.content) == (202, b"null")
    assert mailbox.mails_to(unknown) == []
    # login: same answer for a wrong password and an unknown email
    a = client.post("/auth/login", data={"username": known.email, "password": "falsch-falsch"})
    b = client.post("/auth/login", data={"username": unknown, "password": "falsch-falsch"})
    assert (a.status_code, a.json()) == (b.status_code, b.json())
    # verify-code: same answer for unknown email
    a = client.post("/auth/verify-code", json={"email": unknown, "code": "12345678"})
    assert a.status_code == 400 and a.json()["detail"] == "VERIFY_USER_BAD_TOKEN"


def test_logout_everywhere_and_password_change_end_all_sign_ins(
    client: TestClient, signup: Any
) -> None:
    account: Account = signup()
    second = login(client, account.email)
    devices = client.get("/auth/devices", headers=account.headers).json()
    assert len(devices) == 2 and sum(d["current"] for d in devices) == 1
    assert client.post("/auth/logout-all", headers=account.headers).status_code == 204
    for token in (account.access_token, second["access_token"]):
        assert client.get("/auth/me", headers=_bearer(token)).status_code == 401
    assert (
        client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]}).status_code
        == 401
    )

    tokens_now = login(client, account.email)
    h = _bearer(tokens_now["access_token"])
    r = client.patch("/auth/me", json={"password": "Neues-Passwort-99"}, headers=h)
    assert r.status_code == 400 and r.json()["detail"] == "UPDATE_USER_INVALID_PASSWORD"
    r = client.patch(
        "/auth/me",
        json={"password": "Neues-Passwort-99", "current_password": PASSWORD, "display_name": "K"},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["display_name"] == "K"
    assert client.get("/auth/me", headers=h).status_code == 401
    r = client.post("/auth/login", data={"username": account.email, "password": PASSWORD})
    assert r.status_code == 400
    login(client, account.email, "Neues-Passwort-99")


def test_devices_revoke_only_own_and_device_ids_bind_to_one_user(
    client: TestClient, signup: Any
) -> None:
    a: Account = signup()
    b: Account = signup()
    laptop = login(client, a.email, device_id="dev-a-1", device_name="Bus 3")
    listed = client.get("/auth/devices", headers=a.headers).json()
    assert any(d["device_name"] == "Bus 3" and d["device_id"] == "dev-a-1" for d in listed)
    sid = laptop["signin_id"]
    assert client.delete(f"/auth/devices/{sid}", headers=b.headers).status_code == 404
    assert client.delete(f"/auth/devices/{sid}", headers=a.headers).status_code == 204
    assert client.get("/auth/me", headers=_bearer(laptop["access_token"])).status_code == 401
    assert client.get("/auth/me", headers=a.headers).status_code == 200
    r = client.post(
        "/auth/login",
        data={"username": b.email, "password": PASSWORD, "device_id": "dev-a-1"},
    )
    assert r.status_code == 403 and r.json()["detail"] == "DEVICE_OTHER_USER"


def test_deactivated_user_is_locked_out_at_once(
    client: TestClient, signup: Any, mailbox: SmtpCapture
) -> None:
    admin = signup_with_role(client, mailbox, "admin")
    tech: Account = signup()
    r = client.patch(
        f"/admin/users/{tech.user_id}", json={"is_active": False}, headers=admin.headers
    )
    assert r.status_code == 200
    assert client.get("/auth/me", headers=tech.headers).status_code == 401
    assert (
        client.post("/auth/refresh", json={"refresh_token": tech.refresh_token}).status_code == 401
    )
    r = client.post("/auth/login", data={"username": tech.email, "password": PASSWORD})
    assert r.status_code == 400


def test_refresh_retry_within_grace_gets_the_same_successor(
    make_client: Any, mailbox: SmtpCapture
) -> None:
    from tests.server.helpers import signup as do_signup

    client = make_client(refresh_reuse_grace_seconds=30)
    account = do_signup(client, mailbox)
    first = client.post("/auth/refresh", json={"refresh_token": account.refresh_token}).json()
    # the answer was lost: the client repeats the same refresh
    again = client.post("/auth/refresh", json={"refresh_token": account.refresh_token})
    assert again.status_code == 200
    assert _claims(again.json()["refresh_token"])["jti"] == _claims(first["refresh_token"])["jti"]
    assert client.get("/auth/me", headers=_bearer(again.json()["access_token"])).status_code == 200
    # once the successor was used, the old token is a real reuse: the sign-in ends
    third = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert third.status_code == 200
    r = client.post("/auth/refresh", json={"refresh_token": account.refresh_token})
    assert r.status_code == 401
    assert client.get("/auth/me", headers=_bearer(third.json()["access_token"])).status_code == 401
