"""Hand-offs and paused runs are sync-ready: each change writes an outbox row in its transaction."""

from __future__ import annotations

import json

from nikdesk.storage.chats import ChatStore
from nikdesk.storage.runs import RunStore


def test_handoffs_and_paused_runs_go_to_the_outbox() -> None:
    store = ChatStore()
    runs = RunStore(store.db)
    session = store.create_session()
    before = len(store.pending_outbox(1000))

    runs.save_paused("run-1", session.id, "Fehler 02?", {"pending": {"options": ["A", "B"]}})
    handoff = runs.create_handoff(session.id, "run-1", "not_found", {"question": "Fehler 02?"})
    runs.request_handoff(handoff)
    runs.finish_paused("run-1")

    added = store.pending_outbox(1000)[before:]
    assert [(e.table_name, e.op) for e in added] == [
        ("paused_runs", "insert"),
        ("handoffs", "insert"),
        ("handoffs", "update"),
        ("paused_runs", "delete"),
    ]
    assert added[2].payload["status"] == "requested"  # the whole new row travels
    assert added[3].payload["deleted"] == 1
    assert json.loads(added[0].payload["state"])["pending"]["options"] == ["A", "B"]


def test_a_missing_handoff_writes_nothing() -> None:
    store = ChatStore()
    before = len(store.pending_outbox(1000))
    RunStore(store.db).request_handoff("no-such-id")
    assert len(store.pending_outbox(1000)) == before
