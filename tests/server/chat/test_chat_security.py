"""Chat security on SQLite and a real PostgreSQL: other users' rows are 404, unverified is 403,
bad uploads store nothing, the chat limit answers 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from nikdesk.server.db import transaction
from nikdesk.server.models import Attachment, Message, User
from tests.server.chat.conftest import ANSWERABLE, blob_files, png_bytes
from tests.server.helpers import Account, new_email, signup
from tests.server.services import SmtpCapture


def _session_with_photo(client: TestClient, owner: Account) -> tuple[str, str]:
    r = client.post(
        "/chat/upload", files={"file": ("a.png", png_bytes(), "image/png")}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    sha = r.json()["sha256"]
    r = client.post(
        "/chat", json={"question": ANSWERABLE, "attachments": [sha]}, headers=owner.headers
    )
    assert r.status_code == 200, r.text
    return r.json()["session_id"], sha


def test_other_users_sessions_messages_and_photos_are_not_found(
    client: TestClient, signup: Callable[..., Account]
) -> None:
    owner, other = signup(), signup()
    session_id, sha = _session_with_photo(client, owner)
    h = other.headers
    missing = "00000000-0000-0000-0000-000000000000"
    for sid in (session_id, missing):  # someone else's == nonexistent: same answer
        assert client.get(f"/chat/{sid}/messages", headers=h).status_code == 404
        assert client.patch(f"/chat/{sid}", json={"title": "x"}, headers=h).status_code == 404
        assert client.delete(f"/chat/{sid}", headers=h).status_code == 404
        r = client.post("/chat", json={"question": "Hallo", "session_id": sid}, headers=h)
        assert r.status_code == 404
        r = client.post("/chat/stream", json={"question": "Hallo", "session_id": sid}, headers=h)
        assert r.status_code == 404
    assert client.get(f"/chat/images/{sha}", headers=h).status_code == 404
    assert client.get(f"/chat/images/{'0' * 64}", headers=h).status_code == 404
    # attaching someone else's photo to one's own question: not found either
    r = client.post("/chat", json={"question": "Hallo", "attachments": [sha]}, headers=h)
    assert r.status_code == 404
    assert client.get("/users/me/sessions", headers=h).json() == []
    # the owner still sees everything
    assert client.get(f"/chat/{session_id}/messages", headers=owner.headers).status_code == 200
    assert client.get(f"/chat/images/{sha}", headers=owner.headers).status_code == 200


def test_unverified_user_gets_403_on_chat_routes(
    client: TestClient, signup: Callable[..., Account]
) -> None:
    user = signup()
    with transaction(client.app.state.db) as db:  # type: ignore[attr-defined]
        row = db.get(User, user.user_id)
        assert row is not None
        row.is_verified = False  # e.g. an administrator withdrew it
    h = user.headers
    for method, path, kwargs in [
        ("POST", "/chat", {"json": {"question": ANSWERABLE}}),
        ("POST", "/chat/stream", {"json": {"question": ANSWERABLE}}),
        ("POST", "/agent/ask", {"json": {"question": ANSWERABLE}}),
        ("GET", "/users/me/sessions", {}),
        ("GET", "/search?q=E050", {}),
        ("GET", "/documents", {}),
        ("POST", "/chat/upload", {"files": {"file": ("a.png", png_bytes(), "image/png")}}),
    ]:
        r = client.request(method, path, headers=h, **kwargs)
        assert r.status_code == 403, (path, r.text)
        assert r.json()["detail"] == "USER_NOT_VERIFIED"
    assert client.post("/chat", json={"question": ANSWERABLE}).status_code == 401  # no token


def test_oversized_and_non_image_uploads_are_refused_and_nothing_is_stored(
    make_client: Callable[..., TestClient], mailbox: SmtpCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIKDESK_UPLOAD_MAX_BYTES", "20000")
    client = make_client()
    user = signup(client, mailbox, new_email())
    data_dir = client.app.state.settings.data  # type: ignore[attr-defined]
    before = blob_files(data_dir)
    big = png_bytes((2000, 2000), "white")  # compresses well, so add noise
    big += b"\0" * 30_000
    cases = [
        (big, "big.png", "image/png", 413),
        (b"%PDF-1.7 not a photo" * 20, "manual.png", "image/png", 415),  # name and type lie
        (b"GIF89a" + b"\0" * 40, "broken.gif", "image/gif", 415),  # magic bytes only
        (b"", "empty.jpg", "image/jpeg", 415),
    ]
    for payload, name, mime, status in cases:
        r = client.post("/chat/upload", files={"file": (name, payload, mime)}, headers=user.headers)
        assert r.status_code == status, (name, r.text)
    assert blob_files(data_dir) == before
    with client.app.state.read_db() as db:  # type: ignore[attr-defined]
        assert db.query(Attachment).count() == 0


def test_chat_rate_limit_answers_429_with_retry_after(
    make_client: Callable[..., TestClient], mailbox: SmtpCapture
) -> None:
    client = make_client(rate_limit_chat="2/minute")
    user = signup(client, mailbox, new_email())
    for _ in range(2):
        assert client.post(
            "/agent/ask", json={"question": ANSWERABLE}, headers=user.headers
        ).is_success
    r = client.post("/chat", json={"question": ANSWERABLE}, headers=user.headers)
    assert r.status_code == 429
    assert 0 < int(r.headers["Retry-After"]) <= 60
    assert r.json()["detail"] == "RATE_LIMITED"
    # per user: another technician is not affected
    other = signup(client, mailbox, new_email())
    assert client.post(
        "/agent/ask", json={"question": ANSWERABLE}, headers=other.headers
    ).is_success


def test_one_shot_ask_stores_nothing(client: TestClient, signup: Callable[..., Account]) -> None:
    user = signup()
    r = client.post("/agent/ask", json={"question": ANSWERABLE}, headers=user.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["outcome"] == "answer" and body["sources"][0]["page"] == 12
    assert body["session_id"] is None
    with client.app.state.read_db() as db:  # type: ignore[attr-defined]
        assert db.query(Message).count() == 0
    assert client.get("/users/me/sessions", headers=user.headers).json() == []
