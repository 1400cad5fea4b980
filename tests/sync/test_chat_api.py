"""The server's chat API and the laptops share one history: same tables, same versions.

A session asked through ``POST /chat`` (and support's answer to its hand-off) arrives on the
laptop with the next sync; a session made on the laptop shows in ``GET /users/me/sessions``.
In-process server app (SQLite and PostgreSQL) with its real chat engine (no-LLM policy).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.server.chat.conftest import (  # noqa: F401  (fixtures of the chat API tests)
    UNKNOWN,
    chat_env,
    chat_index,
    chat_library,
)
from tests.server.helpers import set_role, signup
from tests.server.services import SmtpCapture
from tests.sync.inproc import Device, signed_in


def test_server_chat_and_support_answers_reach_the_laptop_and_back(
    chat_env: None,  # noqa: F811  (before the app starts: the engine reads it)
    app_client: Any,
    mailbox: SmtpCapture,
    memory_keyring: None,
    tmp_path: Path,
) -> None:
    from nikdesk.storage.runs import RunStore

    tech = signed_in(app_client, mailbox)
    laptop = Device(tmp_path / "laptop.db", tech.user_id, app_client, 1)
    made_here = laptop.store.create_session("Vom Laptop")
    laptop.store.add_message(made_here.id, "user", "Frage vom Laptop")
    laptop.engine.run()

    listed = app_client.get("/users/me/sessions", headers=tech.headers).json()
    assert [(s["id"], s["title"], s["messages"]) for s in listed] == [
        (made_here.id, "Vom Laptop", 1)
    ]
    history = app_client.get(f"/chat/{made_here.id}/messages", headers=tech.headers).json()
    assert [m["text"] for m in history] == ["Frage vom Laptop"]

    # asked in the browser: not in the manuals -> hand-off -> support answers
    offer = app_client.post("/chat", json={"question": UNKNOWN}, headers=tech.headers).json()
    session_id, handoff_id = offer["session_id"], offer["handoff"]["id"]
    assert app_client.post(f"/handoffs/{handoff_id}/request", headers=tech.headers).is_success
    support = signup(app_client, mailbox)
    set_role(app_client, support.user_id, "support")
    answer = "Bitte den Hersteller direkt anrufen: 0800 123 456."
    r = app_client.post(
        f"/support/handoffs/{handoff_id}/answer", json={"text": answer}, headers=support.headers
    )
    assert r.status_code == 200, r.text

    laptop.engine.run()
    assert {s.id for s in laptop.store.sessions()} == {made_here.id, session_id}
    roles = [(m.role, m.text) for m in laptop.store.messages(session_id)]
    assert roles[0] == ("user", UNKNOWN)
    assert roles[1][0] == "assistant"
    assert roles[-1] == ("support", answer)
    [case] = RunStore(laptop.store.db).handoffs()
    assert case["id"] == handoff_id and case["status"] == "answered"
    assert json.loads(case["record"])["support_answer"] == answer

    # a follow-up typed on the laptop in that session is visible through the API
    laptop.store.add_message(session_id, "user", "Danke, erledigt.")
    laptop.engine.run()
    history = app_client.get(f"/chat/{session_id}/messages", headers=tech.headers).json()
    assert history[-1]["text"] == "Danke, erledigt."
