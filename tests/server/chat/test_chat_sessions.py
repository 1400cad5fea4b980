"""Sessions (list, search, pin, rename, tombstone), the manuals (search, documents, PDF at a
page) and the support hand-off, on SQLite and a real PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from nikdesk.server.models import AuditLog
from tests.server.chat.conftest import ANSWERABLE, UNKNOWN, png_bytes
from tests.server.helpers import Account, set_role


def _ask(client: TestClient, user: Account, question: str, session_id: str | None = None) -> dict:
    body = {"question": question, "session_id": session_id}
    r = client.post("/chat", json=body, headers=user.headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_sessions_list_pinned_first_search_rename_and_tombstone(
    client: TestClient, signup: Callable[..., Account]
) -> None:
    user = signup()
    h = user.headers
    first = _ask(client, user, ANSWERABLE)["session_id"]
    second = _ask(client, user, "Welchen Mindestabstand zur Decke brauche ich?")["session_id"]
    listed = client.get("/users/me/sessions", headers=h).json()
    assert [s["id"] for s in listed] == [second, first]  # most recent first

    r = client.patch(
        f"/chat/{first}", json={"pinned": True, "title": "E050 Kunde Meier"}, headers=h
    )
    assert r.status_code == 200 and r.json()["pinned"] is True
    version = r.json()["version"]
    listed = client.get("/users/me/sessions", headers=h).json()
    assert [s["id"] for s in listed] == [first, second]  # pinned first
    assert listed[0]["title"] == "E050 Kunde Meier" and listed[0]["version"] == version

    # search: title or any message text, case-insensitive
    assert [s["id"] for s in client.get("/users/me/sessions?q=meier", headers=h).json()] == [first]
    found = client.get("/users/me/sessions?q=decke", headers=h).json()
    assert [s["id"] for s in found] == [second]
    assert client.get("/users/me/sessions?q=100%25", headers=h).json() == []  # LIKE escaped

    # delete = tombstone: gone from the list and the API, the row stays for the sync
    assert client.delete(f"/chat/{second}", headers=h).status_code == 204
    assert [s["id"] for s in client.get("/users/me/sessions", headers=h).json()] == [first]
    assert client.get(f"/chat/{second}/messages", headers=h).status_code == 404
    from nikdesk.server.models import ChatSession

    with client.app.state.read_db() as db:  # type: ignore[attr-defined]
        row = db.get(ChatSession, second)
        assert row is not None and row.deleted and row.version > version


def test_search_and_documents_with_page_links(
    client: TestClient, signup: Callable[..., Account], chat_library: Path
) -> None:
    user = signup()
    h = user.headers
    hits = client.get("/search", params={"q": "E050 Isolationsfehler", "k": 3}, headers=h).json()
    assert hits[0]["page"] == 12 and hits[0]["file"].startswith("Nordlicht_NX-Hybrid")
    assert hits[0]["link"].endswith("/file#page=12")
    only = client.get(
        "/search", params={"q": "RS485 Baudrate", "manufacturer": "sonnwerk"}, headers=h
    ).json()
    assert only and {x["file"] for x in only} == {"Sonnwerk_SW-5000_Kurzanleitung.md"}
    assert client.get("/search", params={"q": ""}, headers=h).status_code == 422

    docs = client.get("/documents", headers=h).json()
    manual = next(d for d in docs if d["file"].endswith(".pdf"))
    r = client.get(f"/documents/{manual['id']}", params={"page": 12}, headers=h)
    assert r.status_code == 200
    detail = r.json()
    assert detail["page_url"] == f"/documents/{manual['id']}/file#page=12"
    pdf = client.get(detail["download_url"], headers=h)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (
        client.get(f"/documents/{manual['id']}", params={"page": 999}, headers=h).status_code == 404
    )
    assert client.get("/documents/nope", headers=h).status_code == 404
    assert client.get(detail["download_url"]).status_code == 401  # signed-in users only
    # any verified user may read the manuals: they are not personal data
    other = signup()
    assert client.get(detail["download_url"], headers=other.headers).status_code == 200
    # the bytes of the manual itself, not a rendering or another file
    original = (chat_library / manual["file"]).read_bytes()
    assert hashlib.sha256(pdf.content).hexdigest() == hashlib.sha256(original).hexdigest()


def test_handoff_request_support_answer_lands_in_the_session(
    client: TestClient, signup: Callable[..., Account]
) -> None:
    tech = signup()
    photo = client.post(
        "/chat/upload", files={"file": ("d.png", png_bytes(), "image/png")}, headers=tech.headers
    ).json()
    r = client.post(
        "/chat", json={"question": UNKNOWN, "attachments": [photo["sha256"]]}, headers=tech.headers
    )
    offer = r.json()
    assert offer["outcome"] == "not_found" and offer["handoff"]["status"] == "offered"
    handoff_id, session_id = offer["handoff"]["id"], offer["session_id"]

    support = signup()
    set_role(client, support.user_id, "support")
    sh = support.headers
    # offered is the technician's own business: not in the queue, not visible
    assert client.get("/support/handoffs", headers=sh).json() == []
    assert client.get(f"/support/handoffs/{handoff_id}", headers=sh).status_code == 404
    # technicians are not support; other technicians cannot request someone else's case
    assert client.get("/support/handoffs", headers=tech.headers).status_code == 403
    intruder = signup()
    r = client.post(f"/handoffs/{handoff_id}/request", headers=intruder.headers)
    assert r.status_code == 404

    r = client.post(f"/handoffs/{handoff_id}/request", headers=tech.headers)
    assert r.status_code == 200 and r.json()["status"] == "requested"
    queue = client.get("/support/handoffs", headers=sh).json()
    assert [(c["id"], c["user_email"]) for c in queue] == [(handoff_id, tech.email)]

    case = client.get(f"/support/handoffs/{handoff_id}", headers=sh).json()
    assert case["question"] == UNKNOWN
    assert [m["role"] for m in case["messages"]] == ["user", "assistant"]
    photo_url = case["messages"][0]["attachments"][0]["url"]
    assert photo_url.startswith(f"/support/handoffs/{handoff_id}/images/")
    assert client.get(photo_url, headers=sh).content == png_bytes()
    assert client.get(photo_url, headers=intruder.headers).status_code == 403

    before = client.get(f"/chat/{session_id}/messages", headers=tech.headers).json()
    text = "Viessmann-Geräte betreuen wir nicht – bitte den Hersteller-Service anrufen."
    r = client.post(f"/support/handoffs/{handoff_id}/answer", json={"text": text}, headers=sh)
    assert r.status_code == 200 and r.json()["status"] == "answered"
    after = client.get(f"/chat/{session_id}/messages", headers=tech.headers).json()
    assert after[-1]["role"] == "support" and after[-1]["text"] == text
    assert after[-1]["version"] > max(m["version"] for m in before)  # the laptops pull it

    r = client.post(f"/support/handoffs/{handoff_id}/close", headers=sh)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = client.post(f"/support/handoffs/{handoff_id}/answer", json={"text": "x"}, headers=sh)
    assert r.status_code == 409
    mine = client.get("/users/me/handoffs", headers=tech.headers).json()
    assert mine[0]["status"] == "closed" and mine[0]["support_answer"] == text

    with client.app.state.read_db() as db:  # type: ignore[attr-defined]
        actions = db.scalars(
            select(AuditLog.action)
            .where(AuditLog.actor_id == support.user_id)
            .order_by(AuditLog.id)
        ).all()
    assert actions == ["handoff.view", "handoff.answer", "handoff.close"]
