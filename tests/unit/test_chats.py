"""The chat history in a real SQLite store: sessions, messages, photos, feedback, outbox."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from nikdesk.core.errors import BadImage
from nikdesk.core.events import Source
from nikdesk.core.paths import data_dir
from nikdesk.storage.chats import DEFAULT_TITLE, ChatNotFound, ChatStore, short_title
from nikdesk.storage.db import open_db


def png_bytes(seed: int = 0) -> bytes:
    """Return a valid 1x1 PNG (a different pixel per seed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(bytes([0, seed % 256, 0, 0]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"


@pytest.fixture
def store() -> ChatStore:
    return ChatStore()


@pytest.fixture
def source() -> Source:
    return Source(
        ref="S1",
        doc_id="wr-5k",
        file="wr-5k.pdf",
        title="Wechselrichter 5K Handbuch",
        page=12,
        page_end=13,
        passage="Fehler F-012: Netzspannung zu hoch. Schütz prüfen.",
        highlight="Schütz prüfen.",
        section="Fehlercodes",
        score=0.82,
    )


def test_a_new_session_is_untitled_until_the_first_question(store: ChatStore) -> None:
    session = store.create_session()
    assert session.title == DEFAULT_TITLE and not session.pinned and not session.deleted
    store.add_message(session.id, "user", "  Was bedeutet F-012\nam WR 5K?  ")
    store.add_message(session.id, "assistant", "Netzspannung zu hoch.")
    store.add_message(session.id, "user", "Und F-013?")
    assert store.session(session.id).title == "Was bedeutet F-012 am WR 5K?"


def test_a_long_first_question_is_cut_at_a_word(store: ChatStore) -> None:
    question = (
        "Der Wechselrichter zeigt seit dem Gewitter gestern Abend dauerhaft den Fehler "
        "F-012 an, was soll ich prüfen?"
    )
    session = store.create_session()
    store.add_message(session.id, "user", question)
    title = store.session(session.id).title
    assert title == short_title(question)
    assert len(title) <= 60 and title.endswith("…")
    assert question.startswith(title[:-1])
    assert title[-2] != " " and question[len(title) - 1] == " "  # cut between words


def test_a_given_title_is_kept(store: ChatStore) -> None:
    session = store.create_session("Baustelle Müller")
    store.add_message(session.id, "user", "Was bedeutet F-012?")
    assert store.session(session.id).title == "Baustelle Müller"


def test_sidebar_order_is_pinned_first_then_most_recent(store: ChatStore) -> None:
    first = store.create_session("Erste")
    second = store.create_session("Zweite")
    third = store.create_session("Dritte")
    assert [s.title for s in store.sessions()] == ["Dritte", "Zweite", "Erste"]
    store.add_message(first.id, "user", "Noch eine Frage")  # touches the session
    assert [s.title for s in store.sessions()] == ["Erste", "Dritte", "Zweite"]
    store.pin(second.id)
    assert [s.title for s in store.sessions()] == ["Zweite", "Erste", "Dritte"]
    assert store.session(second.id).pinned
    store.pin(second.id, False)
    assert not store.session(second.id).pinned
    assert [s.id for s in store.sessions() if s.pinned] == []
    assert {s.id for s in store.sessions()} == {first.id, second.id, third.id}


def test_rename_and_empty_rename(store: ChatStore) -> None:
    session = store.create_session()
    assert store.rename(session.id, "  Anlage   Schmidt ").title == "Anlage Schmidt"
    assert store.session(session.id).title == "Anlage Schmidt"
    assert store.rename(session.id, "   ").title == DEFAULT_TITLE


def test_delete_hides_and_undelete_brings_back(store: ChatStore) -> None:
    keep = store.create_session("Bleibt")
    gone = store.create_session("Weg")
    store.add_message(gone.id, "user", "Frage")
    store.delete(gone.id)
    assert [s.id for s in store.sessions()] == [keep.id]
    hidden = [s for s in store.sessions(include_deleted=True) if s.id == gone.id]
    assert hidden and hidden[0].deleted
    assert store.sessions("Frage") == []
    store.undelete(gone.id)
    assert {s.id for s in store.sessions()} == {keep.id, gone.id}
    assert [m.text for m in store.messages(gone.id)] == ["Frage"]


def test_search_matches_title_or_message_text_folded(store: ChatStore) -> None:
    wallbox = store.create_session("Wallbox Garage")
    store.add_message(wallbox.id, "user", "Der SCHUETZ klackert, Straßenseite")
    inverter = store.create_session("Wechselrichter Dach")
    store.add_message(inverter.id, "user", "Fehler F-012 bei 230,5 V")
    store.create_session("Leer")

    def found(query: str) -> set[str]:
        return {s.title for s in store.sessions(query)}

    assert found("Schütz") == {"Wallbox Garage"}  # ü -> ue
    assert found("schuetz") == {"Wallbox Garage"}
    assert found("strasse") == {"Wallbox Garage"}  # ß -> ss
    assert found("garage") == {"Wallbox Garage"}  # title
    assert found("f-012") == {"Wechselrichter Dach"}
    assert found("230.5") == {"Wechselrichter Dach"}  # decimal comma folded
    assert found("Wallbox Schütz") == {"Wallbox Garage"}  # words from title and message
    assert found("Wallbox F-012") == set()  # every word must match
    assert len(found("")) == 3
    assert found("%") == set() and found("_") == set()  # LIKE wildcards are literal


def test_messages_keep_order_and_sources(store: ChatStore, source: Source) -> None:
    session = store.create_session()
    asked = store.add_message(session.id, "user", "Was bedeutet F-012?")
    answer = store.add_message(
        session.id,
        "assistant",
        "Netzspannung zu hoch [S1].",
        provider="extractive",
        outcome="answer",
        sources=(source,),
        run_id="run-1",
    )
    loaded = ChatStore().messages(session.id)  # a second store on a fresh connection
    assert [m.id for m in loaded] == [asked.id, answer.id]
    assert loaded[1] == answer
    assert loaded[1].sources == (source,)
    assert loaded[1].sources[0].citation() == "Wechselrichter 5K Handbuch, S. 12"
    assert loaded[0].sources == () and loaded[0].run_id is None


def test_unknown_session_or_role(store: ChatStore) -> None:
    with pytest.raises(ChatNotFound, match="Unterhaltung"):
        store.add_message("no-such-id", "user", "Hallo")
    session = store.create_session()
    with pytest.raises(ValueError):
        store.add_message(session.id, "system", "Hallo")
    assert store.pending_outbox(100)[-1].row_id == session.id  # nothing written by failures


def test_attach_copies_a_photo_once_per_hash(store: ChatStore, tmp_path: Path) -> None:
    session = store.create_session()
    first = store.add_message(session.id, "user", "Foto vom Display")
    second = store.add_message(session.id, "user", "Nochmal")
    photo = tmp_path / "IMG_0001.PNG"
    photo.write_bytes(png_bytes(1))
    a = store.attach(first.id, photo)
    b = store.attach(second.id, str(photo))
    assert a.sha256 == b.sha256 and a.id != b.id
    assert a.path == f"attachments/{a.sha256}.png" and a.mime == "image/png"
    assert a.file() == data_dir() / a.path and a.file().read_bytes() == photo.read_bytes()
    assert list((data_dir() / "attachments").iterdir()) == [a.file()]
    assert store.attach(first.id, photo) == a  # the same photo twice on one message: once
    assert store.attachments(first.id) == [a]
    photo.unlink()
    assert a.file().exists()  # the copy outlives the original


def test_attach_names_the_file_by_content_not_suffix(store: ChatStore, tmp_path: Path) -> None:
    session = store.create_session()
    message = store.add_message(session.id, "user", "Foto")
    misnamed = tmp_path / "display.png"
    misnamed.write_bytes(JPEG)
    attachment = store.attach(message.id, misnamed)
    assert attachment.mime == "image/jpeg" and attachment.path.endswith(".jpg")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "nicht gefunden"),
        (b"", "leer"),
        (b"Wechselrichter-Protokoll\n", "kein Foto"),
        ("dir", "Ordner"),
    ],
)
def test_attach_rejects_what_is_no_photo(
    store: ChatStore, tmp_path: Path, content: bytes | str | None, reason: str
) -> None:
    session = store.create_session()
    message = store.add_message(session.id, "user", "Foto")
    path = tmp_path / "foto.jpg"
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(BadImage, match=reason) as err:
        store.attach(message.id, path)
    assert err.value.path == path
    assert store.attachments(message.id) == []


def test_attach_to_unknown_message(store: ChatStore, tmp_path: Path) -> None:
    photo = tmp_path / "a.png"
    photo.write_bytes(png_bytes())
    with pytest.raises(ChatNotFound, match="Nachricht"):
        store.attach("no-such-message", photo)


def test_feedback_is_one_per_answer(store: ChatStore) -> None:
    session = store.create_session()
    question = store.add_message(session.id, "user", "Frage")
    answer = store.add_message(session.id, "assistant", "Antwort")
    assert store.feedback(answer.id) is None
    up = store.set_feedback(answer.id, +1)
    down = store.set_feedback(answer.id, -1, "Seite stimmt nicht")
    assert down.id == up.id and down.created == up.created and down.updated > up.updated
    assert store.feedback(answer.id) == down
    assert store.db.table("feedback").count == 1
    store.clear_feedback(answer.id)
    assert store.feedback(answer.id) is None
    assert store.set_feedback(answer.id, 1).comment == ""
    with pytest.raises(ValueError):
        store.set_feedback(answer.id, 0)
    with pytest.raises(ValueError):
        store.set_feedback(question.id, 1)


def test_every_change_is_in_the_outbox_in_order(store: ChatStore, tmp_path: Path) -> None:
    session = store.create_session()
    message = store.add_message(session.id, "assistant", "Antwort")
    photo = tmp_path / "a.png"
    photo.write_bytes(png_bytes())
    store.attach(message.id, photo)
    store.set_feedback(message.id, 1)
    store.pin(session.id)
    store.delete(session.id)
    store.undelete(session.id)
    changes = [(e.table_name, e.op) for e in store.pending_outbox(100)]
    assert changes == [
        ("sessions", "insert"),
        ("messages", "insert"),
        ("sessions", "update"),  # touched by the message
        ("attachments", "insert"),
        ("feedback", "insert"),
        ("sessions", "update"),
        ("sessions", "delete"),
        ("sessions", "update"),
    ]
    entries = store.pending_outbox(100)
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    last = entries[-1].payload
    # the whole row, as stored: what a last-writer-wins merge needs
    assert last == store.db.table("sessions").get(session.id)
    assert last["pinned"] == 1 and last["deleted"] == 0
    assert all(e.payload["updated"] for e in entries)

    first_three = store.pending_outbox(3)
    assert [e.seq for e in first_three] == [e.seq for e in entries[:3]]
    store.mark_sent(e.seq for e in first_three)
    assert [e.seq for e in store.pending_outbox(100)] == [e.seq for e in entries[3:]]
    store.mark_sent([])


def test_a_change_and_its_outbox_row_commit_together(
    store: ChatStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = store.create_session()
    before = len(store.pending_outbox(100))

    def broken_index(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_index", broken_index)
    with pytest.raises(RuntimeError):
        store.add_message(session.id, "user", "Frage")
    assert store.messages(session.id) == []
    assert len(store.pending_outbox(100)) == before
    assert store.session(session.id).title == DEFAULT_TITLE


def test_timestamps_strictly_increase(store: ChatStore) -> None:
    session = store.create_session()
    stamps = [store.add_message(session.id, "user", str(i)).updated for i in range(50)]
    assert stamps == sorted(set(stamps))


def test_store_survives_reopening_and_search_rebuilds() -> None:
    store = ChatStore()
    session = store.create_session()
    store.add_message(session.id, "user", "Schütz tauschen")
    store.db.close()
    reopened = ChatStore(open_db())  # migrations are not applied twice
    assert [s.id for s in reopened.sessions("schuetz")] == [session.id]
    reopened.db.execute("DELETE FROM chat_search")
    assert reopened.sessions("schuetz") == []
    reopened.rebuild_search()
    assert [s.id for s in reopened.sessions("schuetz")] == [session.id]
    applied = [r["name"] for r in reopened.db.table("_sqlite_migrations").rows]
    assert applied == ["m001_agent_runs", "m002_chats", "m003_outbox_fields"]
