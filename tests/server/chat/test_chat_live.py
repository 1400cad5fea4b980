"""Nik over HTTP against the REAL server process (``python -m nikdesk server``), SQLite and
PostgreSQL, mail through a real SMTP server: the reference flow, a paused run that survives a
server restart."""

from __future__ import annotations

import httpx

from tests.server.chat.conftest import (
    AMBIGUOUS,
    ANSWERABLE,
    REPLY,
    UNKNOWN,
    blob_files,
    png_bytes,
    sse_events,
)
from tests.server.helpers import new_email, signup
from tests.server.services import LiveServer, SmtpCapture, start_server


def test_reference_flow_register_to_logout(live_server: LiveServer, mailbox: SmtpCapture) -> None:
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        # register -> 8-digit code from the received mail -> verify -> login
        account = signup(http, mailbox, new_email("flow"))
        auth = account.headers

        # chat: a new session, answer with sources that link into the PDF at the page
        r = http.post("/chat", json={"question": ANSWERABLE}, headers=auth)
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["outcome"] == "answer" and answer["provider"] == "none"
        assert answer["sources"][0]["page"] == 12
        assert answer["sources"][0]["link"].endswith("/file#page=12")
        session_id = answer["session_id"]

        # history: the question and the answer, in order, versions increasing
        r = http.get(f"/chat/{session_id}/messages", headers=auth)
        assert r.status_code == 200, r.text
        history = r.json()
        assert [m["role"] for m in history] == ["user", "assistant"]
        assert history[0]["text"] == ANSWERABLE and history[1]["id"] == answer["message_id"]
        assert history[0]["version"] < history[1]["version"]

        # stream, read with a real SSE client
        events = sse_events(
            http, "/chat/stream", {"question": UNKNOWN, "session_id": session_id}, auth
        )
        names = [name for name, _ in events]
        assert names[0] == "metadata" and names[-1] == "done"
        assert "token" in names and "sources" in names
        metadata, done = events[0][1], events[-1][1]
        assert metadata["session_id"] == session_id and metadata["provider"] == "none"
        streamed = "".join(d["text"] for n, d in events if n == "token")
        assert done["outcome"] == "not_found" and done["text"] == streamed.strip()
        assert done["handoff"]["status"] == "offered"  # "not in the manuals": support offered

        # upload a photo, ask with it, fetch it back (owner only)
        r = http.post(
            "/chat/upload", files={"file": ("display.png", png_bytes(), "image/png")}, headers=auth
        )
        assert r.status_code == 201, r.text
        photo = r.json()
        assert photo["mime"] == "image/png" and blob_files(live_server.data)
        r = http.post(
            "/chat",
            json={
                "question": ANSWERABLE,
                "session_id": session_id,
                "attachments": [photo["sha256"]],
            },
            headers=auth,
        )
        assert r.status_code == 200, r.text
        r = http.get(photo["url"], headers=auth)
        assert r.status_code == 200 and r.content == png_bytes()
        history = http.get(f"/chat/{session_id}/messages", headers=auth).json()
        assert history[-2]["attachments"][0]["sha256"] == photo["sha256"]

        # the session list shows it, with all six messages
        sessions = http.get("/users/me/sessions", headers=auth).json()
        assert [(s["id"], s["messages"]) for s in sessions] == [(session_id, 6)]

        # logout: the old token stops working at once
        assert http.post("/auth/logout", headers=auth).status_code == 204
        r = http.get(f"/chat/{session_id}/messages", headers=auth)
        assert r.status_code == 401
        r = http.post("/chat", json={"question": ANSWERABLE}, headers=auth)
        assert r.status_code == 401


def test_clarification_pauses_and_resumes_after_a_server_restart(
    live_server: LiveServer, mailbox: SmtpCapture
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        account = signup(http, mailbox, new_email("pause"))
        r = http.post("/chat", json={"question": AMBIGUOUS}, headers=account.headers)
        assert r.status_code == 200, r.text
        paused = r.json()
        assert paused["outcome"] == "clarify" and paused["clarification"]["options"]
        assert any("Sonnwerk" in o for o in paused["clarification"]["options"])

    assert live_server.stop() == 0  # SIGTERM: clean exit; nothing of the run stays in memory
    restarted = start_server(live_server.data, live_server.env)
    try:
        with httpx.Client(base_url=restarted.url, timeout=60) as http:
            body = {"question": REPLY, "session_id": paused["session_id"]}
            events = sse_events(http, "/chat/stream", body, account.headers)
            metadata, done = events[0][1], events[-1][1]
            assert metadata["resumed"] is True and metadata["run_id"] == paused["run_id"]
            assert done["outcome"] == "answer"
            sources = next(d for n, d in events if n == "sources")["sources"]
            assert sources[0]["file"].startswith("Sonnwerk")  # the reply chose the device

            # answered: the run is finished, the next question starts a new run
            r = http.post("/chat", json=body, headers=account.headers)
            assert r.status_code == 200 and r.json()["run_id"] != paused["run_id"]
            history = http.get(
                f"/chat/{paused['session_id']}/messages", headers=account.headers
            ).json()
            assert [m["outcome"] for m in history if m["role"] == "assistant"][:2] == [
                "clarify",
                "answer",
            ]
    finally:
        restarted.stop()
