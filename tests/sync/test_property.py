"""Property: random interleavings of edits, deletes, syncs and failures on 2-3 devices converge.

In-process against the real server app (SQLite, real migrations) through its ASGI transport;
each device is a real SQLite store with the real ChatStore and SyncEngine. Failures: a push
whose answer is lost after the server applied it (the client retries), and a round that dies
between push and pull.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.services import SmtpCapture
from tests.sync.inproc import Device, signed_in
from tests.sync.laptops import store_snapshot

OPS = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 2)),
    st.tuples(st.just("message"), st.integers(0, 2), st.integers(0, 9)),
    st.tuples(st.just("rename"), st.integers(0, 2), st.integers(0, 9), st.sampled_from("ABC")),
    st.tuples(st.just("pin"), st.integers(0, 2), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("delete"), st.integers(0, 2), st.integers(0, 9)),
    st.tuples(st.just("sync"), st.integers(0, 2)),
    st.tuples(st.just("lossy_sync"), st.integers(0, 2)),
    st.tuples(st.just("push_only"), st.integers(0, 2)),
)


@settings(
    max_examples=int(os.environ.get("NIKDESK_PROPERTY_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(OPS, min_size=1, max_size=30), devices=st.integers(2, 3))
def test_random_interleavings_converge(
    app_client: Any,
    mailbox: SmtpCapture,
    memory_keyring: None,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    ops: list[tuple[Any, ...]],
    devices: int,
) -> None:
    from nikdesk.sync.engine import SyncReport

    monkeypatch.setenv("NIKDESK_SYNC_RETRY_SECONDS", "5")
    account = signed_in(app_client, mailbox)
    base = tmp_path_factory.mktemp("devices")
    fleet = [Device(base / f"d{n}.db", account.user_id, app_client, n) for n in range(devices)]
    written: set[str] = set()
    deleted: set[str] = set()
    for op in ops:
        kind, who = op[0], fleet[op[1] % devices]
        sessions = who.session_ids()
        pick = sessions[op[2] % len(sessions)] if len(op) > 2 and sessions else None
        if kind == "create":
            who.store.create_session("Neu")
        elif kind == "message" and pick:
            written.add(who.store.add_message(pick, "user", f"Frage {len(written)}").id)
        elif kind == "rename" and pick:
            who.store.rename(pick, f"Titel {op[3]}")
        elif kind == "pin" and pick:
            who.store.pin(pick, op[3])
        elif kind == "delete" and pick:
            who.store.delete(pick)
            deleted.add(pick)
        elif kind == "sync":
            who.engine.run()
        elif kind == "lossy_sync":
            who.lossy.armed = True
            who.engine.run()
        elif kind == "push_only":
            who.engine.push(SyncReport())  # the round dies before it pulls

    for _ in range(2):  # heal: everyone syncs twice
        for device in fleet:
            assert device.engine.run().pending == 0
    snapshots = [store_snapshot(d.store.db) for d in fleet]
    assert all(s == snapshots[0] for s in snapshots[1:])
    assert set(snapshots[0]["messages"]) == written
    for session_id in deleted:  # a tombstone never comes back
        assert snapshots[0]["sessions"][session_id][2] is True
    fresh = Device(base / "fresh.db", account.user_id, app_client, 9)
    fresh.engine.run()
    assert store_snapshot(fresh.store.db) == snapshots[0]
    for device in [*fleet, fresh]:
        device.store.db.close()
