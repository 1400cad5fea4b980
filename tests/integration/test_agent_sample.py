"""Nik's loop on the sample library: the no-LLM path for real, model logic with scripted fakes.

Fakes are registered through the real provider registry; assertions are about what the
agent does with a model's output (citations checked, fallback, loop guard, pause/resume),
never about the fake's own answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nikdesk.agent import Agent, Settings
from nikdesk.agent.providers import PROVIDERS, ProviderFailure
from nikdesk.agent.result import collect
from nikdesk.core.events import Event
from nikdesk.retrieval.open import open_retriever
from nikdesk.storage.runs import RunStore
from tests.fakes import make_fake_chat_model

MANUAL = "Nordlicht_NX-Hybrid_Installations-und_Servicehandbuch_DE.pdf"
E050 = "Der Wechselrichter zeigt E050 an. Was bedeutet das?"


@pytest.fixture(scope="module")
def retriever(sample_index: Path) -> Any:
    return open_retriever(sample_index)


def agent_with(retriever: Any, fake: Any | None = None, provider: str = "none") -> Agent:
    agent = Agent(retriever, Settings(provider=provider))
    if fake is not None:
        # through the real registry (tests/conftest.py removes it after the test)
        PROVIDERS.register("openai", lambda **_: fake)
    return agent


def types(events: list[Event]) -> list[str]:
    return [e.type for e in events]


def test_no_llm_answer_streams_and_cites_the_error_table(retriever: Any) -> None:
    events = list(agent_with(retriever).run(E050))
    kinds = types(events)
    assert kinds[0] == "metadata" and kinds[1:3] == ["tool_start", "tool_result"]
    assert kinds.count("token") > 10 and kinds[-2:] == ["sources", "done"]
    result = collect(events)
    assert result.outcome == "answer" and result.provider == "none"
    assert (result.sources[0].file, result.sources[0].page) == (MANUAL, 12)
    assert "E050" in result.sources[0].highlight  # the key line is what gets highlighted
    assert f"**{result.sources[0].highlight}**".replace("_", "\\_") in result.answer
    assert "[S1]" in result.answer


def test_no_llm_path_is_deterministic(retriever: Any) -> None:
    first = collect(agent_with(retriever).run(E050)).to_json()
    second = collect(agent_with(retriever).run(E050)).to_json()
    for volatile in ("run_id", "session_id", "handoff_id"):
        first.pop(volatile), second.pop(volatile)
    assert first == second


def test_unsafe_request_is_refused_without_sources(retriever: Any) -> None:
    result = collect(agent_with(retriever).run("Wie kann ich den FI-Schutzschalter überbrücken?"))
    assert result.outcome == "refused" and not result.sources
    assert result.to_json()["outcome"] == "not_found" and result.to_json()["refused"]
    assert RunStore().handoffs()[0]["status"] == "offered"  # hand-off offered, recorded locally


def test_a_greeting_or_thanks_gets_a_hint_how_to_ask(retriever: Any) -> None:
    # not "Die Frage passt auf mehrere Geräte", and nothing to hand to support
    for message, reply in (
        ("Danke!", "Gern geschehen."),
        ("Hallo", "Hallo!"),
        ("Was ist 2+2?", "Dazu gibt es in den Handbüchern nichts nachzuschlagen."),
    ):
        result = collect(agent_with(retriever).run(message))
        assert result.outcome == "not_found" and not result.sources, message
        assert result.answer.startswith(reply), result.answer
        assert "Support" not in result.answer and result.handoff_id is None
    assert "Gerät und Frage nennen" in result.answer  # how to ask
    assert RunStore().handoffs() == []


def test_device_without_manual_is_not_answered_from_another_manual(retriever: Any) -> None:
    result = collect(agent_with(retriever).run("Fronius Symo zeigt State 567 – was tun?"))
    assert result.outcome == "not_found" and not result.sources
    assert "Fronius Symo" in result.answer


def test_model_citations_outside_the_run_are_removed(retriever: Any) -> None:
    fake = make_fake_chat_model()
    fake.enqueue(tool_calls=[("search_knowledge", {"query": "E050"})])
    fake.enqueue("E050 ist ein Isolationsfehler [S1]. Siehe auch [S42].")
    result = collect(agent_with(retriever, fake, "openai").run(E050))
    assert result.outcome == "answer" and result.provider == "fake"
    assert "[S42]" not in result.answer and "[S1]" in result.answer
    assert [s.ref for s in result.sources] == ["S1"]
    assert any("S42" in note for note in result.notes)
    # the model saw the search observation with the markers it may cite
    tool_message = fake.calls[1][0][-1]
    assert tool_message["role"] == "tool" and "[S1]" in tool_message["content"]


def test_uncited_model_answer_gets_the_evidence_quoted(retriever: Any) -> None:
    fake = make_fake_chat_model().enqueue("Das ist ein Isolationsfehler.")
    result = collect(agent_with(retriever, fake, "openai").run(E050))
    assert result.outcome == "answer"
    assert result.sources and result.sources[0].page == 12
    assert "[S1]" in result.answer  # never a fact without a source


def test_provider_dying_mid_answer_falls_back_and_completes(retriever: Any) -> None:
    fake = make_fake_chat_model()
    fake.enqueue("Der Fehler E050", fail=ProviderFailure("Verbindung abgebrochen"))
    events = list(agent_with(retriever, fake, "openai").run(E050))
    switch = next(e for e in events if e.type == "provider_switch")
    assert switch.failed == "openai" and switch.provider == "none"
    result = collect(events)
    assert result.outcome == "answer" and result.provider == "none"
    assert not result.answer.startswith("Der Fehler E050")  # partial text discarded
    assert result.sources[0].page == 12


def test_repeated_identical_searches_are_stopped(retriever: Any) -> None:
    fake = make_fake_chat_model()
    for _ in range(4):
        fake.enqueue(tool_calls=[("search_knowledge", {"query": "E050"})])
    fake.enqueue("E050: Isolationsfehler PV [S1].")
    result = collect(agent_with(retriever, fake, "openai").run(E050))
    assert result.outcome == "answer"
    assert len([t for t in result.tools if t == "search_knowledge"]) == 1
    assert fake.calls[-1][1] == []  # the last turn had to answer: no tools offered
    assert len(fake.calls) <= 4


def test_model_clarification_pauses_and_resumes_in_a_new_agent(retriever: Any) -> None:
    fake = make_fake_chat_model()
    fake.enqueue(
        tool_calls=[
            (
                "ask_user_clarification",
                {"question": "Welches Gerät?", "options": ["NX-Hybrid", "Anderes"]},
            )
        ]
    )
    first = collect(
        agent_with(retriever, fake, "openai").run("Welche Modbus-Adresse ist Standard?")
    )
    assert first.outcome == "clarify" and first.options == ("NX-Hybrid", "Anderes")
    assert RunStore().paused_runs()[0]["run_id"] == first.run_id

    later = make_fake_chat_model()  # "the app was closed": new agent, new model, same store
    later.enqueue(tool_calls=[("search_knowledge", {"query": "Modbus Adresse NX-Hybrid"})])
    later.enqueue("Die Standardadresse steht in der Tabelle [S1].")
    resumed = collect(agent_with(retriever, later, "openai").resume(first.run_id, "NX-Hybrid"))
    assert resumed.outcome == "answer" and resumed.run_id == first.run_id
    replayed = later.calls[0][0]
    assert replayed[-1]["role"] == "tool" and "NX-Hybrid" in replayed[-1]["content"]
    assert all(t["function"]["name"] != "ask_user_clarification" for t in later.calls[0][1])
    assert RunStore().paused_runs() == []


def test_bad_tool_arguments_go_back_to_the_model(retriever: Any) -> None:
    fake = make_fake_chat_model()
    fake.enqueue(tool_calls=[("search_knowledge", {"_raw": "{query", "_error": "bad JSON"})])
    fake.enqueue(tool_calls=[("search_knowledge", {"query": "E050"})])
    fake.enqueue("Isolationsfehler [S1].")
    result = collect(agent_with(retriever, fake, "openai").run(E050))
    assert result.outcome == "answer"
    assert "kein gültiges JSON" in fake.calls[1][0][-1]["content"]


def test_full_document_tool_lists_sections_with_pages(retriever: Any) -> None:
    fake = make_fake_chat_model()
    fake.enqueue(tool_calls=[("get_full_document", {"doc": "Nordlicht"})])
    fake.enqueue("Siehe Fehlertabelle [S1].")
    events = list(agent_with(retriever, fake, "openai").run("Welche Kapitel hat das Handbuch?"))
    observation = fake.calls[1][0][-1]["content"]
    assert '"sections"' in observation and '"page"' in observation
    assert any(e.type == "tool_result" and "geöffnet" in e.summary for e in events)


def test_empty_question_is_a_clear_error(retriever: Any) -> None:
    result = collect(agent_with(retriever).run("   "))
    assert result.error and "Frage" in result.error


def test_display_photo_becomes_the_search_offline(retriever: Any, tmp_path: Path) -> None:
    import shutil

    if shutil.which("tesseract") is None:
        pytest.skip("tesseract not installed (CI installs tesseract-ocr)")
    from PIL import Image, ImageDraw, ImageFont

    photo = tmp_path / "display.png"
    image = Image.new("RGB", (640, 240), (150, 170, 140))
    font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
    font = ImageFont.truetype(font_path, 56) if Path(font_path).exists() else None
    ImageDraw.Draw(image).text((40, 80), "E050", fill=(20, 30, 20), font=font)
    image.save(photo)

    events = list(agent_with(retriever).run("", image=photo))
    read = next(e for e in events if e.type == "tool_result" and e.tool == "read_photo")
    assert "E050" in read.summary
    result = collect(events)
    assert result.outcome == "answer" and result.sources[0].page == 12
    assert result.sources[0].highlight.startswith("E050")  # the defining row, not "siehe E050"
    from nikdesk.core.paths import data_dir

    kept = list((data_dir() / "attachments").glob("*.png"))
    assert len(kept) == 1 and kept[0].read_bytes() == photo.read_bytes()  # kept with the message
    # a greeting beside a photo: the photo is the question
    assert collect(agent_with(retriever).run("Hallo", image=photo)).outcome == "answer"


def test_photo_alone_that_cannot_be_read_is_a_clear_error(retriever: Any, tmp_path: Path) -> None:
    result = collect(agent_with(retriever).run("", image=tmp_path / "nope.jpg"))
    assert result.error and "nope.jpg" in result.error


def test_fallback_after_the_model_searched_the_question_verbatim(retriever: Any) -> None:
    fake = make_fake_chat_model()
    fake.enqueue(tool_calls=[("search_knowledge", {"query": E050})])
    fake.enqueue("E050", fail=ProviderFailure("Verbindung weg"))
    result = collect(agent_with(retriever, fake, "openai").run(E050))
    assert result.outcome == "answer" and result.provider == "none"  # the question is not lost
    assert result.sources[0].page == 12


def test_failed_resume_leaves_the_run_resumable(retriever: Any) -> None:
    fake = make_fake_chat_model()
    fake.enqueue(tool_calls=[("ask_user_clarification", {"question": "Welches Gerät?"})])
    paused = collect(agent_with(retriever, fake, "openai").run("Welche Adresse?"))
    broken = make_fake_chat_model().enqueue("x", fail=RuntimeError("bug"))
    with pytest.raises(RuntimeError):
        collect(agent_with(retriever, broken, "openai").resume(paused.run_id, "NX-Hybrid"))
    assert [r["run_id"] for r in RunStore().paused_runs()] == [paused.run_id]
    done = collect(agent_with(retriever).resume(paused.run_id, "NX-Hybrid"))
    assert done.outcome == "answer" and RunStore().paused_runs() == []


def test_reply_reaches_a_model_that_takes_over_after_the_pause(retriever: Any) -> None:
    from nikdesk.agent.state import RunState

    state = RunState(question="Welche Baudrate hat RS485?", chain=["none"])
    state.pending = {"question": "Welches Gerät?", "options": ["A", "B"], "tool_call_id": None}
    RunStore().save_paused(state.run_id, state.session_id, state.question, state.to_json())
    fake = make_fake_chat_model().enqueue("Siehe Tabelle [S1].")
    collect(agent_with(retriever, fake, "openai").resume(state.run_id, "NX-Hybrid 10"))
    first_user = next(m for m in fake.calls[0][0] if m["role"] == "user")
    assert "NX-Hybrid 10" in first_user["content"]


def test_other_device_asks_for_the_name_instead_of_guessing(retriever: Any) -> None:
    from nikdesk.agent.state import RunState

    state = RunState(question="Welche Baudrate hat RS485?", chain=["none"])
    RunStore().save_paused(state.run_id, state.session_id, state.question, state.to_json())
    result = collect(agent_with(retriever).resume(state.run_id, "Anderes Gerät"))
    assert result.outcome == "clarify" and not result.sources and result.options == ()
    assert "Hersteller und Typ" in (result.clarification or "")
    assert RunStore().paused_runs()[0]["run_id"] == state.run_id  # still waiting


def test_unreadable_photo_does_not_cancel_the_text_question(retriever: Any, tmp_path: Path) -> None:
    events = list(agent_with(retriever).run(E050, image=tmp_path / "weg.jpg"))
    warning = next(e for e in events if e.type == "tool_result")
    assert not warning.ok and "weg.jpg" in warning.summary
    assert collect(events).outcome == "answer"


def test_a_manual_is_found_by_its_name_and_never_outside_the_library(
    retriever: Any, tmp_path: Path
) -> None:
    library = tmp_path / "Handbuecher"
    (library / "Wechselrichter").mkdir(parents=True)
    pdf = library / "Wechselrichter" / "NX_Hybrid.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    (tmp_path / "geheim.pdf").write_bytes(b"%PDF-1.4")  # beside the library, not in it
    agent = Agent(retriever, Settings(provider="none"), documents_dirs=(library,))
    assert agent.locate_pdf("NX_Hybrid.pdf") == pdf
    assert agent.locate_pdf("Wechselrichter/NX_Hybrid.pdf") == pdf
    assert agent.locate_pdf("../geheim.pdf") is None  # only its name counts
    assert agent.locate_pdf(str(tmp_path / "geheim.pdf")) is None
    assert agent.locate_pdf("..") is None and agent.locate_pdf("") is None
    odd = library / "Handbuch [v2].pdf"  # "[" is no glob pattern
    odd.write_bytes(b"%PDF-1.4")
    assert agent.locate_pdf("Handbuch [v2].pdf") == odd
    assert agent.expected_pdf("../Fehlt.pdf") == (library / "Fehlt.pdf").resolve()
