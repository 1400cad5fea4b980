"""LocalGGUF on the real SmolLM2-135M GGUF: streaming, grammar-bound decisions, history."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from nikdesk.agent.providers import ChatDelta, ProviderFailure, create_provider
from nikdesk.agent.providers.local_gguf import LocalGGUF
from nikdesk.agent.tools import TOOL_SPECS
from nikdesk.core.errors import ModelMissing
from nikdesk.core.models import model_entry

SYSTEM = {
    "role": "system",
    "content": "Du bist Nik, ein Assistent für Solar- und EV-Techniker. Antworte auf Deutsch.",
}
TOOL_NAMES = {spec["function"]["name"] for spec in TOOL_SPECS}


def _params(name: str) -> dict[str, Any]:
    return next(s["function"]["parameters"] for s in TOOL_SPECS if s["function"]["name"] == name)


@pytest.fixture(scope="module")
def provider() -> Iterator[LocalGGUF]:
    """Load SmolLM2 once for the module (through the real registry), or skip saying why."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python not installed: pip install 'nikdesk[llm]'")
    try:
        path = model_entry("smollm2").locate()
    except ModelMissing as exc:
        pytest.skip(str(exc))
    model = create_provider("local", model_path=path, n_ctx=2048, max_tokens=64)
    assert isinstance(model, LocalGGUF)
    yield model
    model.close()


def _turn(model: LocalGGUF, messages: list[dict[str, Any]], tools: list[Any]) -> list[ChatDelta]:
    return list(model.stream_chat(messages, tools))


def _assert_valid_turn(deltas: list[ChatDelta]) -> None:
    """Check the invariant: a turn is either a well-formed tool call or text, then finish."""
    assert deltas[-1].finish in ("stop", "length", "tool_calls")
    calls = [call for d in deltas for call in d.tool_calls]
    text = "".join(d.text for d in deltas)
    if deltas[-1].finish == "tool_calls":
        assert len(calls) == 1 and not text
        assert calls[0].id
        _assert_decision({"action": calls[0].name, "arguments": calls[0].arguments})
    else:
        assert not calls and text.strip()


def _assert_decision(decision: dict[str, Any]) -> None:
    """Check a decision against TOOL_SPECS itself (not the provider's derived schema)."""
    assert set(decision) == {"action", "arguments"}
    if decision["action"] == "answer":
        assert decision["arguments"] == {}
        return
    assert decision["action"] in TOOL_NAMES
    params = _params(decision["action"])
    for key in params.get("required", ()):
        assert decision["arguments"].get(key), f"required {key!r} missing or empty"
    _assert_within(decision["arguments"], params)


def _assert_within(value: Any, spec: dict[str, Any]) -> None:
    kind = spec.get("type")
    if kind == "object":
        assert isinstance(value, dict)
        assert set(value) <= set(spec.get("properties", {})), f"unknown keys in {value}"
        for key, item in value.items():
            _assert_within(item, spec["properties"][key])
    elif kind == "string":
        assert isinstance(value, str) and len(value) <= spec.get("maxLength", 200)
    elif kind == "array":
        assert isinstance(value, list) and len(value) <= spec.get("maxItems", 8)
        for item in value:
            _assert_within(item, spec.get("items", {}))


def test_label_and_capabilities(provider: LocalGGUF) -> None:
    assert provider.label == "local:SmolLM2-135M-Instruct.Q4_1.gguf"
    assert provider.available() and not provider.needs_network and provider.supports_tools


def test_streams_a_text_answer_without_tools(provider: LocalGGUF) -> None:
    question = {"role": "user", "content": "Was ist ein Wechselrichter? Antworte kurz."}
    deltas = _turn(provider, [SYSTEM, question], [])
    pieces = [d.text for d in deltas if d.text]
    assert len(pieces) > 3 and "".join(pieces).strip()
    assert deltas[-1].finish in ("stop", "length")
    assert all(d.finish is None for d in deltas[:-1])


@pytest.mark.parametrize(
    "question",
    [
        "Was bedeutet Fehler E050 am SMA Wechselrichter?",
        "Welche Baudrate hat die Modbus-Schnittstelle der SmartEVSE?",
        "Wie stelle ich den Ladestrom ein? Ich habe zwei Wallboxen.",
    ],
)
def test_decision_is_a_valid_tool_call_or_text(provider: LocalGGUF, question: str) -> None:
    _assert_valid_turn(_turn(provider, [SYSTEM, {"role": "user", "content": question}], TOOL_SPECS))


@contextmanager
def _decisions(llama: Any) -> Iterator[list[tuple[str, str]]]:
    """Record (content, finish_reason) of every grammar-bound completion on ``llama``."""
    seen: list[tuple[str, str]] = []
    original = llama.create_chat_completion

    def spy(**kwargs: Any) -> Any:
        out = original(**kwargs)
        if kwargs.get("grammar") is not None:
            choice = out["choices"][0]
            seen.append((choice["message"]["content"], choice["finish_reason"]))
        return out

    llama.create_chat_completion = spy
    try:
        yield seen
    finally:
        del llama.create_chat_completion  # back to the class method


def test_each_decision_respects_the_schema(provider: LocalGGUF) -> None:
    with _decisions(provider.llama) as seen:
        _assert_valid_turn(_turn(provider, _history("Register 40069"), TOOL_SPECS))
    assert seen
    for content, finish in seen:
        assert finish == "stop"
        _assert_decision(json.loads(content, strict=False))


@pytest.mark.parametrize("max_tokens", [4, 8])
def test_truncated_decision_is_retried_once(provider: LocalGGUF, max_tokens: int) -> None:
    # the shortest decision ({"action": "answer", "arguments": {}}) takes 14 SmolLM2 tokens:
    # 4 (retry 8) can never fit it, 8 (retry 16) may fit it on the retry
    tiny = LocalGGUF(llama=provider.llama, max_tokens=max_tokens)
    messages = [SYSTEM, {"role": "user", "content": "Fehler E050?"}]
    with _decisions(provider.llama) as seen:
        try:
            deltas = _turn(tiny, messages, TOOL_SPECS)
        except ProviderFailure as exc:
            assert "keine gültige Entscheidung" in str(exc)
            assert [finish for _, finish in seen] == ["length", "length"]
        else:
            assert [finish for _, finish in seen] == ["length", "stop"]
            _assert_valid_turn(deltas)  # no invalid tool call escapes
    tiny.close()  # must not free the shared model
    assert provider.available()


def _history(question: str) -> list[dict[str, Any]]:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "search_knowledge", "arguments": json.dumps({"query": question})},
    }
    return [
        SYSTEM,
        {"role": "user", "content": question},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {
            "role": "tool",
            "tool_call_id": "call_1",
            "content": "[S1] SMA Sunny Boy, Seite 12\nE050: Isolationsfehler. Isolation prüfen.",
        },
        {"role": "system", "content": "Zitiere jede Aussage mit [S1]."},
    ]


def test_tool_history_passes_the_chat_template(provider: LocalGGUF) -> None:
    # SmolLM2's template knows only system/user/assistant: "tool" turns must be converted
    deltas = _turn(provider, _history("Fehler E050"), [])
    assert "".join(d.text for d in deltas).strip()
    _assert_valid_turn(_turn(provider, _history("Fehler E050"), TOOL_SPECS))


def test_long_history_is_trimmed_to_the_context(provider: LocalGGUF) -> None:
    filler = "Isolationswiderstand prüfen, Stecker trennen, Messung wiederholen. " * 60
    turns: list[dict[str, Any]] = [SYSTEM]
    for i in range(12):  # ~6000 tokens of history against n_ctx=2048
        turns += [
            {"role": "user", "content": f"Frage {i}: {filler}"},
            {"role": "assistant", "content": f"Antwort {i}: {filler}"},
        ]
    turns.append({"role": "user", "content": "Und was bedeutet E050?"})
    deltas = _turn(provider, turns, [])
    assert "".join(d.text for d in deltas).strip()


def test_abandoned_stream_frees_the_model(provider: LocalGGUF) -> None:
    question = [SYSTEM, {"role": "user", "content": "Was ist ein Wechselrichter?"}]
    stream = provider.stream_chat(question, [])
    assert next(iter(stream)).text
    with pytest.raises(ProviderFailure, match="beschäftigt"):  # one generation at a time
        next(iter(provider.stream_chat(question, [])))
    stream.close()  # type: ignore[attr-defined]  # the UI's "stop" button
    assert "".join(d.text for d in provider.stream_chat(question, [])).strip()
