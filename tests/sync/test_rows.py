"""Photos, feedback, hand-offs and bad rows through the real server app (in-process, SQLite)."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from pathlib import Path
from typing import Any

from tests.server.helpers import signup
from tests.server.services import SmtpCapture
from tests.sync.inproc import Device, signed_in


def two_laptops(
    app_client: Any, mailbox: SmtpCapture, tmp_path: Path
) -> tuple[Any, Device, Device]:
    """Return a signed-in account and two laptops (stores + sync engines) of it."""
    account = signed_in(app_client, mailbox)
    one = Device(tmp_path / "one.db", account.user_id, app_client, 1)
    two = Device(tmp_path / "two.db", account.user_id, app_client, 2)
    return account, one, two


def queue_raw(device: Device, row: dict[str, Any]) -> None:
    """Write a message row straight into ``device``'s outbox (bypassing the store's checks)."""
    with device.store.db.conn:
        device.store.db.execute(
            "INSERT INTO outbox (table_name, row_id, op, payload, created, sent) "
            "VALUES ('messages', ?, 'insert', ?, '2026-01-01', 0)",
            [row["id"], json.dumps(row)],
        )


def tiny_png(path: Path, shade: int = 80) -> Path:
    """Write a real 2x2 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes([shade, shade]) for _ in range(2))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(png)
    return path


def test_photo_travels_by_hash_and_is_fetched_when_shown(
    app_client: Any, mailbox: SmtpCapture, memory_keyring: None, tmp_path: Path
) -> None:
    account, one, two = two_laptops(app_client, mailbox, tmp_path)
    session = one.store.create_session("Display")
    message = one.store.add_message(session.id, "user", "Was zeigt das Display?")
    photo = one.store.attach(message.id, tiny_png(tmp_path / "display.png"))
    one.engine.run()

    # the laptop uploaded it before the row; the server checked the hash
    headers = {"Authorization": f"Bearer {account.access_token}"}
    assert app_client.head(f"/sync/photos/{photo.sha256}", headers=headers).status_code == 200

    two.engine.run()
    [pulled] = two.store.attachments(message.id)
    assert pulled.sha256 == photo.sha256
    data = photo.file().read_bytes()
    photo.file().unlink()  # the other laptop does not have the file yet
    fetched = two.engine.fetch_photo(pulled.sha256, pulled.path)
    assert hashlib.sha256(fetched.read_bytes()).hexdigest() == photo.sha256
    assert fetched.read_bytes() == data

    # bytes that do not hash to the name, or are no photo, are refused; others' photos: 404
    bad = app_client.put(
        f"/sync/photos/{'0' * 64}", content=data, headers=headers | {"content-type": "x"}
    )
    assert bad.status_code == 400 and bad.json()["detail"] == "HASH_MISMATCH"
    text = b"kein Foto"
    sha = hashlib.sha256(text).hexdigest()
    assert app_client.put(f"/sync/photos/{sha}", content=text, headers=headers).status_code == 400
    other = signup(app_client, mailbox)
    stolen = app_client.get(f"/sync/photos/{photo.sha256}", headers=other.headers)
    assert stolen.status_code == 404


def test_feedback_and_handoffs_reach_the_other_device(
    app_client: Any, mailbox: SmtpCapture, memory_keyring: None, tmp_path: Path
) -> None:
    from nikdesk.storage.runs import RunStore

    _account, one, two = two_laptops(app_client, mailbox, tmp_path)
    session = one.store.create_session("Fehler")
    one.store.add_message(session.id, "user", "Was ist F99?")
    answer = one.store.add_message(session.id, "assistant", "Steht nicht im Handbuch.")
    one.store.set_feedback(answer.id, -1, "fehlt")
    runs = RunStore(one.store.db)
    handoff = runs.create_handoff(session.id, "run-1", "not_found", {"question": "Was ist F99?"})
    runs.request_handoff(handoff)
    one.engine.run()

    two.engine.run()
    feedback = two.store.feedback(answer.id)
    assert feedback is not None and feedback.rating == -1 and feedback.comment == "fehlt"
    [case] = RunStore(two.store.db).handoffs()
    assert case["id"] == handoff and case["status"] == "requested"
    assert json.loads(case["record"])["question"] == "Was ist F99?"

    # withdrawn on the second laptop -> gone on the first
    two.store.clear_feedback(answer.id)
    two.engine.run()
    one.engine.run()
    assert one.store.feedback(answer.id) is None


def test_a_bad_row_is_parked_and_never_blocks_the_rows_after_it(
    app_client: Any, mailbox: SmtpCapture, memory_keyring: None, tmp_path: Path
) -> None:
    _account, one, two = two_laptops(app_client, mailbox, tmp_path)
    session = one.store.create_session("Gut")
    one.store.add_message(session.id, "user", "vorher")
    # a row the server must refuse (role it does not accept from laptops), written raw
    queue_raw(one, {"id": "bad", "session_id": session.id, "role": "hacker", "text": "x"})
    # and one the database itself refuses on PostgreSQL (run id longer than its column)
    long_run = {"id": "long", "session_id": session.id, "role": "user", "text": "lang"}
    queue_raw(one, {**long_run, "run_id": "r" * 80})
    after = one.store.add_message(session.id, "user", "nachher")
    report = one.engine.run()
    postgres = app_client.app.state.engine.dialect.name == "postgresql"
    codes = [r["code"] for r in report.rejected]
    assert codes == (["INVALID_ROLE", "DATABASE_REJECTED"] if postgres else ["INVALID_ROLE"])
    assert report.parked == len(codes) and report.pending == 0
    two.engine.run()
    texts = sorted(m.text for m in two.store.messages(session.id))
    assert texts == (["nachher", "vorher"] if postgres else ["lang", "nachher", "vorher"])
    assert after.id in {m.id for m in two.store.messages(session.id)}


def test_expired_access_refreshes_and_a_revoked_sign_in_keeps_unsynced_work(
    app_client: Any, mailbox: SmtpCapture, memory_keyring: None, tmp_path: Path
) -> None:
    import pytest

    from nikdesk.sync import client as sync_client
    from nikdesk.sync.client import Tokens
    from nikdesk.sync.errors import SignedOut

    account = signed_in(app_client, mailbox)
    one = Device(tmp_path / "one.db", account.user_id, app_client, 1)
    session = one.store.create_session("Vor dem Widerruf")
    one.engine.run()

    # the access token ran out: the next round rotates the refresh token silently
    tokens = Tokens(account.user_id)
    before = tokens.refresh_token()
    sync_client._memory.clear()
    tokens.save({"access_token": "abgelaufen", "refresh_token": before, "expires_in": -60})
    one.store.add_message(session.id, "user", "nach Ablauf")
    assert one.engine.run().pending == 0
    assert tokens.refresh_token() != before

    # signed out everywhere (password changed / admin): noticed on the next contact
    live = tokens.access()
    assert (
        app_client.post("/auth/logout-all", headers={"Authorization": f"Bearer {live}"}).status_code
        == 204
    )
    one.store.add_message(session.id, "user", "offline geschrieben, nicht verloren")
    with pytest.raises(SignedOut, match="erneut anmelden"):
        one.engine.run()
    from nikdesk.sync.engine import status

    state = status(one.store.db)
    assert state["pending"] == 1 and state["last_error_code"] == "signed_out"

    # signing in again sends what waited
    pair = app_client.post(
        "/auth/login", data={"username": account.email, "password": account.password}
    ).json()
    tokens.save(pair)
    assert one.engine.run().pending == 0
    two = Device(tmp_path / "two.db", account.user_id, app_client, 2)
    two.engine.run()
    assert [m.text for m in two.store.messages(session.id)] == [
        "nach Ablauf",
        "offline geschrieben, nicht verloren",
    ]
