"""Record a question and Nik's answer in the account's store, exactly as the window does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nikdesk.agent.result import RunResult, collect
from nikdesk.core.events import Event
from nikdesk.storage.chats import ChatStore


def record_exchange(
    store: ChatStore,
    agent: Any,
    session: str,
    question: str,
    image: Path | None = None,
    on_event: Callable[[Event], None] | None = None,
) -> RunResult:
    """Ask ``question`` in session ``session`` ("new" starts one); store both turns.

    The user's message (and photo) is stored before the run, the answer with its provider,
    outcome, sources and run id after it — what ``MainWindow.ask``/``_finish`` store — so the
    sync sends it like any other history.
    """
    session_id = store.create_session().id if session == "new" else store.session(session).id
    message = store.add_message(session_id, "user", question or "(Foto)")
    if image is not None:
        image = store.attach(message.id, image).file()
    result = collect(agent.run(question, session_id=session_id, image=image), on_event)
    if result.error is None:
        store.add_message(
            session_id,
            "assistant",
            result.answer,
            provider=result.provider,
            outcome=result.outcome,
            sources=result.sources,
            run_id=result.run_id or None,
        )
    result.session_id = session_id
    return result
