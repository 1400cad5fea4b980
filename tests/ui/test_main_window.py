"""The desktop window with the real agent (no-LLM path) on the sample library, offscreen."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from nikdesk.agent import Agent, Settings
from nikdesk.app.sample import ensure_sample_library
from nikdesk.core.events import Source
from nikdesk.retrieval.open import open_retriever
from nikdesk.storage.chats import ChatStore
from nikdesk.ui.main_window import MainWindow
from tests.fakes import make_fake_chat_model

E050 = "Der Wechselrichter zeigt E050 – was tun?"  # non-ASCII on purpose (–)


@pytest.fixture(scope="module")
def retriever(sample_index: Path) -> Any:
    return open_retriever(sample_index)


@pytest.fixture
def window(qtbot: Any, retriever: Any) -> MainWindow:
    win = MainWindow(ChatStore(), Settings())
    qtbot.addWidget(win)
    docs = ensure_sample_library(lambda _msg: None)
    win.set_agent(Agent(retriever, Settings(provider="none"), documents_dirs=(docs,)))
    win.show()
    return win


def type_text(widget: QWidget, text: str) -> None:
    """Type per character (qtbot.keyClicks crashes on non-ASCII)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def press_enter(widget: QWidget) -> None:
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(
            widget, QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
        )


def ask(qtbot: Any, window: MainWindow, text: str) -> None:
    type_text(window.chat.input, text)
    assert window.chat.input.toPlainText() == text
    press_enter(window.chat.input)
    qtbot.waitUntil(lambda: not window.chat.busy, timeout=60_000)


def bubbles(window: MainWindow) -> list[Any]:
    layout = window.chat.messages
    return [layout.itemAt(i).widget() for i in range(layout.count() - 1)]


def test_question_streams_tokens_and_sources_into_the_chat(qtbot: Any, window: MainWindow) -> None:
    seen: list[str] = []
    original = window._on_event
    window._on_event = lambda e: (seen.append(e.type), original(e))[1]  # type: ignore[method-assign]
    ask(qtbot, window, E050)
    assert seen.count("token") > 10 and seen[-1] == "done"
    user, answer = bubbles(window)
    assert user.text() == E050
    assert "E050" in answer.text() and "[S1]" in answer.text()
    assert answer.sources["S1"].page == 12
    stored = window.store.messages(window.session_id or "")
    assert [m.role for m in stored] == ["user", "assistant"]
    assert stored[1].sources[0].page == 12 and stored[1].provider == "none"


def test_the_newest_answer_is_in_view_and_the_chat_has_no_blank_tail(
    qtbot: Any, window: MainWindow
) -> None:
    # a word-wrapped answer measured at a narrow width made the chat ~1,200 px taller than
    # its messages, and the view scrolled into that blank space: the chat looked empty
    window.resize(1200, 700)
    ask(qtbot, window, E050)
    ask(qtbot, window, "Was bedeutet F-012?")
    qtbot.wait(300)  # sources and feedback buttons are added after the text
    bar = window.chat.scroller.verticalScrollBar()
    viewport = window.chat.scroller.viewport().height()
    last = bubbles(window)[-1]
    assert bar.maximum() > 0, "two answers overflow the view"
    assert bar.value() == bar.maximum()
    bottom = last.geometry().bottom()
    assert bar.value() <= bottom <= bar.value() + viewport  # its end is on screen
    assert window.chat.scroller.widget().height() <= bottom + 40  # no blank tail
    assert last.label.height() >= last.label.heightForWidth(last.label.width())  # not clipped
    # scrolled up to read the first answer: a growing view does not pull the reader down
    bar.setValue(0)
    last.set_text(last.text() + "\n\nnoch eine Zeile" * 5)
    qtbot.wait(100)
    assert bar.maximum() > 0
    assert bar.value() == 0


def test_scrolling_up_while_an_answer_streams_is_not_undone(qtbot: Any, window: MainWindow) -> None:
    chat = window.chat
    window.resize(1200, 600)
    chat.add_bubble("user", "Frage " * 400)
    chat.start_answer()
    chat.append_token("Zeile\n\n" * 40)
    bar = chat.scroller.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=3000)
    bar.setValue(0)  # the technician scrolls up to read the question again
    chat.append_token("mehr\n\n" * 40)
    qtbot.wait(300)  # several render ticks
    assert "mehr" in chat.pending_text and bar.value() == 0
    chat.finish_answer("")
    qtbot.wait(100)
    assert bar.value() == 0
    chat.add_bubble("user", "Neue Frage")  # the technician's own new question: down again
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=3000)


def test_a_cited_manual_missing_on_the_laptop_names_where_it_belongs(
    qtbot: Any, window: MainWindow
) -> None:
    window.open_citation(
        Source(ref="S1", doc_id="x", file="Fehlt_DE.pdf", title="F", page=3, page_end=3, passage="")
    )
    message = window.viewer.message()  # type: ignore[union-attr]
    folder = ensure_sample_library(lambda _msg: None)
    assert str((folder / "Fehlt_DE.pdf").resolve()) in message  # a full path, not a bare name
    assert "Datei → Bibliothek…" in message


def test_event_loop_keeps_running_while_an_answer_streams(qtbot: Any, window: MainWindow) -> None:
    import time

    stamps: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: stamps.append(time.perf_counter()))
    type_text(window.chat.input, E050)
    timer.start()
    started = time.perf_counter()
    press_enter(window.chat.input)
    assert window.chat.busy  # the answer runs in the background...
    qtbot.waitUntil(lambda: not window.chat.busy, timeout=60_000)
    ended = time.perf_counter()
    timer.stop()
    # ...while the UI thread kept serving its timers: no gap longer than a blink
    points = [started, *[t for t in stamps if started <= t <= ended], ended]
    gaps = [b - a for a, b in itertools.pairwise(points)]
    assert max(gaps) < 0.3, f"UI blocked for {max(gaps):.2f} s"


def test_citation_click_opens_the_viewer_at_the_page(qtbot: Any, window: MainWindow) -> None:
    pytest.importorskip("nikdesk.ui.pdf_viewer")
    ask(qtbot, window, E050)
    answer = bubbles(window)[-1]
    answer.label.linkActivated.emit("cite:S1")
    viewer: Any = window.viewer
    assert viewer is not None and viewer.isVisible()
    qtbot.waitUntil(lambda: viewer.current_page() == 12, timeout=10_000)


def test_clarification_buttons_resume_the_run(qtbot: Any, window: MainWindow) -> None:
    fake = make_fake_chat_model()
    fake.enqueue(
        tool_calls=[
            ("ask_user_clarification", {"question": "Welches Gerät?", "options": ["NX-Hybrid"]})
        ]
    )
    fake.enqueue(tool_calls=[("search_knowledge", {"query": "E050 NX-Hybrid"})])
    fake.enqueue("Isolationsfehler PV [S1].")
    window.agent.settings = Settings(provider="openai")
    window.agent.providers.settings = window.agent.settings
    window.agent.register("openai", fake)
    ask(qtbot, window, "Was bedeutet E050?")
    from PySide6.QtWidgets import QPushButton

    buttons = [b for b in window.chat.findChildren(QPushButton) if b.objectName() == "option"]
    assert [b.text() for b in buttons] == ["NX-Hybrid"]
    buttons[0].click()
    qtbot.waitUntil(lambda: not window.chat.busy, timeout=60_000)
    last = bubbles(window)[-1]
    assert "[S1]" in last.text() and last.sources["S1"].file.startswith("Nordlicht")
    assert fake.calls[1][0][-1]["role"] == "tool"  # the reply went back to the model


def test_sessions_search_pin_delete_and_undo(qtbot: Any, window: MainWindow) -> None:
    ask(qtbot, window, E050)
    first = window.session_id
    window.new_session()
    ask(qtbot, window, "Wofür ist das Modbus-Register 40069?")
    sidebar = window.sessions
    assert len(sidebar.titles()) == 2
    sidebar.search.setText("Isolationsfehler")  # found by answer content, not title
    qtbot.waitUntil(lambda: len(sidebar.titles()) == 1, timeout=3000)
    sidebar.search.setText("")
    qtbot.waitUntil(lambda: len(sidebar.titles()) == 2, timeout=3000)
    sidebar.toggle_pin(window.store.session(first or ""))
    assert sidebar.titles()[0].startswith("★")
    sidebar.delete(first or "")
    assert len(sidebar.titles()) == 1
    sidebar.undelete(first or "")
    assert len(sidebar.titles()) == 2


def test_photo_is_attached_shown_and_stored(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    from PIL import Image

    photo = tmp_path / "display.png"
    Image.new("RGB", (320, 120), (150, 170, 140)).save(photo)
    window.chat.set_photo(photo)
    ask(qtbot, window, E050)
    user = bubbles(window)[0]
    from PySide6.QtWidgets import QLabel

    assert any(lbl.objectName() == "thumbnail" for lbl in user.findChildren(QLabel))
    message = window.store.messages(window.session_id or "")[0]
    attachments = window.store.attachments(message.id)
    assert len(attachments) == 1 and attachments[0].file().read_bytes() == photo.read_bytes()


def test_not_found_offers_a_handoff_to_support(qtbot: Any, window: MainWindow) -> None:
    from PySide6.QtWidgets import QPushButton

    from nikdesk.storage.runs import RunStore

    ask(qtbot, window, "Wie überbrücke ich den FI-Schutzschalter?")
    buttons = [b for b in window.chat.findChildren(QPushButton) if b.objectName() == "handoff"]
    assert len(buttons) == 1
    buttons[0].click()
    assert RunStore().handoffs(status="requested")[0]["reason"] == "unsafe"


def test_library_lists_documents_and_opens_one(qtbot: Any, window: MainWindow) -> None:
    pytest.importorskip("nikdesk.ui.pdf_viewer")
    window.show_library()
    library: Any = window._library
    assert library is not None and library.isVisible()
    assert any(f.endswith(".pdf") for f in library.visible_files())
    pdf = next(f for f in library.visible_files() if f.endswith(".pdf"))
    library.openDocument.emit(pdf)
    viewer: Any = window.viewer
    qtbot.waitUntil(lambda: viewer.current_page() == 1, timeout=10_000)
    library.close()


def test_settings_change_restyles_and_is_saved(qtbot: Any, window: MainWindow) -> None:
    window.apply_settings(window.settings.with_changes(sunlight=True, text_size=16))
    assert "16pt" in QApplication.instance().styleSheet()  # type: ignore[union-attr]
    assert Settings.load().sunlight


def test_question_typed_while_models_load_is_kept(qtbot: Any) -> None:
    win = MainWindow(ChatStore(), Settings())
    qtbot.addWidget(win)
    type_text(win.chat.input, E050)
    press_enter(win.chat.input)  # no agent yet
    assert win.chat.input.toPlainText() == E050
    assert win.store.sessions() == []


def test_paused_clarification_survives_reopening_the_session(
    qtbot: Any, window: MainWindow, retriever: Any
) -> None:
    fake = make_fake_chat_model()
    fake.enqueue(
        tool_calls=[("ask_user_clarification", {"question": "Welches Gerät?", "options": ["NX"]})]
    )
    window.agent.settings = Settings(provider="openai")
    window.agent.providers.settings = window.agent.settings
    window.agent.register("openai", fake)
    ask(qtbot, window, "Was bedeutet E050?")
    session = window.session_id or ""

    # "the app was closed": a new window on the same store, the agent without a model
    later = MainWindow(ChatStore(), Settings())
    qtbot.addWidget(later)
    docs = ensure_sample_library(lambda _msg: None)
    later.set_agent(Agent(retriever, Settings(provider="none"), documents_dirs=(docs,)))
    later.show()
    later.open_session(session)
    from PySide6.QtWidgets import QPushButton

    buttons = [b for b in later.chat.findChildren(QPushButton) if b.objectName() == "option"]
    assert [b.text() for b in buttons] == ["NX"]
    type_text(later.chat.input, "NX-Hybrid")  # typing answers the waiting question as well
    press_enter(later.chat.input)
    qtbot.waitUntil(lambda: not later.chat.busy, timeout=60_000)
    assert later.store.messages(session)[-1].outcome == "answer"
