"""Fault harness: real client processes, the real server process, faults between them.

After every fault heals: each device holds the same sessions and messages, nothing twice,
every acknowledged write present — on SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable

from sqlalchemy import create_engine, text

from tests.server.services import LiveServer, start_server
from tests.sync.faults import Proxy
from tests.sync.laptops import Laptop


def server_counts(database_url: str) -> tuple[int, int]:
    """Return (messages, distinct message ids) in the server database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            total = conn.execute(text("SELECT count(*) FROM messages")).scalar_one()
            distinct = conn.execute(text("SELECT count(DISTINCT id) FROM messages")).scalar_one()
    finally:
        engine.dispose()
    return int(total), int(distinct)


def write_history(laptop: Laptop, sessions: int, per_session: int, tag: str) -> set[str]:
    """Write sessions with messages into the laptop's real store; return the message ids."""
    ids: set[str] = set()
    with laptop.store() as store:
        for s in range(sessions):
            session = store.create_session(f"{tag} Einsatz {s}")
            for m in range(per_session):
                role = "user" if m % 2 == 0 else "assistant"
                ids.add(store.add_message(session.id, role, f"{tag} {s}/{m}").id)
    return ids


def message_ids(laptop: Laptop) -> list[str]:
    return list(laptop.snapshot()["messages"])


def test_two_devices_offline_thousand_messages_each(
    sync_server: LiveServer, make_laptop: Callable[..., Laptop], database_url: str
) -> None:
    url = sync_server.url
    one, two = make_laptop("one"), make_laptop("two")
    email = one.signup(url)
    two.login(url, email)
    written = write_history(one, 10, 100, "eins") | write_history(two, 10, 100, "zwei")
    assert len(written) == 2000

    one.sync_until_clean()
    two.sync_until_clean()
    one.sync_until_clean()  # pulls what two pushed

    for laptop in (one, two):
        ids = message_ids(laptop)
        assert len(ids) == 2000 and set(ids) == written
    assert one.snapshot() == two.snapshot()
    assert server_counts(database_url) == (2000, 2000)


def test_lost_answers_and_a_client_killed_mid_push(
    sync_server: LiveServer, proxy: Proxy, make_laptop: Callable[..., Laptop], database_url: str
) -> None:
    laptop, other = make_laptop("flaky"), make_laptop("other")
    email = laptop.signup(proxy.url)
    other.login(sync_server.url, email)
    acked = write_history(laptop, 3, 100, "a")

    # the server applies three batches whose answers never arrive: the client retries them
    proxy.drop_push_responses = 3
    report = laptop.sync_until_clean()
    assert proxy.dropped == 3
    assert report["skipped"] >= 1  # retried changes the server had applied already
    assert server_counts(database_url) == (300, 300)

    # kill -9 while the server's answer to a push is on its way
    more = write_history(laptop, 2, 100, "b")
    proxy.hold_push = True
    proc = laptop.popen("sync", "--json")
    assert proxy.held.wait(120), "no push seen"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    proxy.release.set()
    laptop.sync_until_clean()
    assert server_counts(database_url) == (500, 500)

    other.sync_until_clean()
    for device in (laptop, other):
        assert set(message_ids(device)) == acked | more
        assert len(message_ids(device)) == 500
    assert laptop.snapshot() == other.snapshot()


def test_server_restart_in_the_middle_of_a_batch(
    sync_server: LiveServer, proxy: Proxy, make_laptop: Callable[..., Laptop], database_url: str
) -> None:
    laptop, other = make_laptop("field"), make_laptop("office")
    email = laptop.signup(proxy.url)
    other.login(proxy.url, email)
    written = write_history(laptop, 6, 100, "r")
    restarted: list[LiveServer] = []

    def kill_and_restart() -> None:
        time.sleep(0.05)  # the batch is on the server now, mid-transaction or just committed
        sync_server.proc.send_signal(signal.SIGKILL)
        sync_server.proc.wait(30)
        fresh = start_server(sync_server.data, sync_server.env)
        proxy.upstream_port = fresh.port
        restarted.append(fresh)

    def on_push() -> None:
        if proxy.pushes == 2 and not restarted:
            proxy.on_push = None
            threading.Thread(target=kill_and_restart, daemon=True).start()

    proxy.on_push = on_push
    try:
        laptop.sync_until_clean()
        assert restarted, "the server was not restarted"
        other.sync_until_clean()
        assert server_counts(database_url) == (600, 600)
        for device in (laptop, other):
            assert set(message_ids(device)) == written
        assert laptop.snapshot() == other.snapshot()
    finally:
        for server in restarted:
            server.stop()
