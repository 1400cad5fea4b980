"""Acceptance: accounts and two-way sync through the real CLI against the real server process.

Each laptop is its own NIKDESK_HOME and real SQLite store; the server runs as its own process
on SQLite and on a real PostgreSQL; the verification code comes from a real SMTP server.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.server.services import LiveServer
from tests.sync.laptops import Laptop


def test_history_follows_the_technician_to_a_second_laptop(
    sync_server: LiveServer, make_laptop, sample_index: Path
) -> None:
    url = sync_server.url
    one, two = make_laptop("one"), make_laptop("two")
    email = one.signup(url)
    status = one.status()
    assert status["signed_in"] and status["email"] == email and status["pending"] == 0

    asked = one.run(
        "ask",
        "Wie setze ich den Wechselrichter zurück?",
        "--session",
        "new",
        "--index",
        str(sample_index),
        "--provider",
        "none",
        "--json",
    )
    result = json.loads(asked.stdout)
    session_id = result["session_id"]
    assert session_id
    [listed] = one.sessions()
    assert listed["id"] == session_id and listed["messages"] == 2
    assert one.status()["pending"] > 0

    report = one.sync()
    assert report["pushed"] >= 3 and report["pending"] == 0 and report["parked"] == 0

    two.login(url, email)
    two.sync()
    assert [s["id"] for s in two.sessions()] == [session_id]
    shown_one, shown_two = one.show(session_id), two.show(session_id)
    assert [(m["role"], m["text"], m["sources"]) for m in shown_two["messages"]] == [
        (m["role"], m["text"], m["sources"]) for m in shown_one["messages"]
    ]
    assert shown_two["messages"][0]["text"] == "Wie setze ich den Wechselrichter zurück?"

    # a follow-up in the same session from the second laptop comes back to the first
    two.run(
        "ask",
        "Und danach?",
        "--session",
        session_id,
        "--index",
        str(sample_index),
        "--provider",
        "none",
        "--json",
    )
    two.sync()
    again = one.sync()
    assert again["pulled"] >= 2
    assert len(one.show(session_id)["messages"]) == 4
    assert one.sessions() == two.sessions()


def test_fields_merge_by_server_order_and_tombstones_stay(
    sync_server: LiveServer, make_laptop
) -> None:
    url = sync_server.url
    ahead = make_laptop("ahead", NIKDESK_CLOCK_SKEW=str(86400))  # clock a day ahead
    behind = make_laptop("behind", NIKDESK_CLOCK_SKEW=str(-86400))  # a day behind
    email = ahead.signup(url)
    behind.login(url, email)
    with ahead.store() as store:
        keep = store.create_session("Fehler F21")
        store.add_message(keep.id, "user", "Was heißt F21?")
        gone = store.create_session("Alt")
    ahead.sync()
    behind.sync()

    # per field: ahead pins, behind renames -> both survive; the later (server order) rename
    # wins although its laptop clock says it is two days older
    with ahead.store() as store:
        store.pin(keep.id)
        store.rename(keep.id, "Titel vom vorauseilenden Laptop")
    ahead.sync()
    with behind.store() as store:
        store.rename(keep.id, "Titel vom nachgehenden Laptop")
    behind.sync()
    ahead.sync()

    # a delete on one laptop beats a later offline edit on the other: no resurrection
    with ahead.store() as store:
        store.delete(gone.id)
    with behind.store() as store:
        store.rename(gone.id, "Noch bearbeitet")
        store.add_message(gone.id, "user", "Nachtrag")
    ahead.sync()
    behind.sync()
    ahead.sync()

    for laptop in (ahead, behind):
        [session] = laptop.sessions()
        assert session["id"] == keep.id
        assert session["title"] == "Titel vom nachgehenden Laptop"
        assert session["pinned"] is True
    assert ahead.snapshot() == behind.snapshot()


def test_accounts_are_separate_on_a_shared_laptop_and_on_the_server(
    sync_server: LiveServer, make_laptop
) -> None:
    url = sync_server.url
    van = make_laptop("van")
    email_a = van.signup(url)
    with van.store() as store:
        s = store.create_session("Geheim von A")
        store.add_message(s.id, "user", "Nur für A")
    van.sync()
    device_a = van.status()["device_id"]
    home_a = van.db_path.parent

    van.run("account", "logout")
    assert not van.status()["signed_in"]
    assert home_a.is_dir()  # not wiped: unsynced work would survive
    van.signup(url)  # a second technician on the same laptop
    assert van.sessions() == []
    assert van.sync()["pulled"] == 0
    assert van.sessions() == []

    # B's token with A's device id: refused (403) in push and pull
    import httpx

    from nikdesk.sync.client import Tokens  # noqa: F401  (the laptop keeps B's tokens)

    token_b = _token(van)
    for call in (
        lambda: httpx.post(
            f"{url}/sync/push",
            json={"device_id": device_a, "schema_version": 1, "changes": []},
            headers={"Authorization": f"Bearer {token_b}"},
        ),
        lambda: httpx.get(
            f"{url}/sync/pull",
            params={"device_id": device_a, "since": 0},
            headers={"Authorization": f"Bearer {token_b}"},
        ),
    ):
        response = call()
        assert response.status_code == 403, response.text
        assert response.json()["detail"] == "DEVICE_OTHER_USER"

    # A's session id pushed with B's token: parked, A's row untouched
    pushed = httpx.post(
        f"{url}/sync/push",
        json={
            "device_id": van.status()["device_id"],
            "schema_version": 1,
            "changes": [
                {
                    "seq": 10**9,
                    "table": "sessions",
                    "op": "update",
                    "row_id": s.id,
                    "fields": ["title"],
                    "row": {"id": s.id, "title": "gekapert"},
                },
            ],
        },
        headers={"Authorization": f"Bearer {token_b}"},
    ).json()
    assert [r["code"] for r in pushed["rejected"]] == ["FOREIGN_ROW"]

    # too old a client: plain German "bitte aktualisieren"
    old = httpx.post(
        f"{url}/sync/push",
        json={"device_id": van.status()["device_id"], "schema_version": 0, "changes": []},
        headers={"Authorization": f"Bearer {token_b}"},
    )
    assert old.status_code == 426 and "aktualisieren" in old.json()["message"]

    # B signs out with --wipe; A signs in again and has the history back
    van.run("account", "logout", "--wipe")
    van.login(url, email_a)
    assert [x["title"] for x in van.sessions()] == ["Geheim von A"]
    van.run("account", "logout", "--wipe")
    assert not home_a.exists()


def _token(laptop: Laptop) -> str:
    """Read the laptop's cached access token from its encrypted secrets file."""
    import subprocess
    import sys

    code = (
        "import json;from nikdesk.sync import accounts;from nikdesk.cli.account import "
        "use_master_password_from_env as u;u();from nikdesk.sync.client import Tokens;"
        "print(Tokens(accounts.current().id).access())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=laptop.env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()
