"""The OpenAI provider against a real OpenAI-compatible peer: llama.cpp's server on loopback.

Two servers run SmolLM2-135M: one with ``chatml-function-calling`` (a named ``tool_choice``
becomes a grammar, so even this tiny model emits a well-formed call) and one with the GGUF's
own chat template, which, unlike that handler, shows tool results to the model.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import openai
import pytest
from PIL import Image

from nikdesk.agent.providers import ChatDelta, ProviderFailure, ToolCall, create_provider
from nikdesk.agent.providers.openai_chat import (
    KEY_MISSING,
    KeyProblem,
    OpenAIChat,
    ToolCallAssembler,
    image_message,
    parse_arguments,
)
from nikdesk.agent.tools import TOOL_SPECS
from nikdesk.core.errors import BadImage, NeedsKey, NikDeskError
from tests.integration.llama_server import Server, free_port, run_llama_server, smollm2_or_skip

TOOL_NAMES = {spec["function"]["name"] for spec in TOOL_SPECS}
FORCE_SEARCH = {"type": "function", "function": {"name": "search_knowledge"}}
GREEDY = {"temperature": 0.0, "seed": 7}
TIMEOUT_S = 120.0  # two CPU cores shared with other test runs: generous, never hit when healthy
SYSTEM = "Du bist Nik, ein Assistent für Solartechniker. Suche immer zuerst in den Handbüchern."
QUESTION = "Was bedeutet Fehler F-203 am Fronius Symo?"
TOOL_RESULT = (
    "[S1] Fronius Symo Betriebsanleitung, Seite 112\n"
    "F-203: Isolationsfehler am DC-Eingang. Isolationswiderstand der PV-Module prüfen."
)


@pytest.fixture(scope="module")
def tool_server() -> Iterator[Server]:
    """Serve SmolLM2 with the grammar-forced tool-call handler, once per module."""
    with run_llama_server(smollm2_or_skip()) as server:
        yield server


@pytest.fixture(scope="module")
def chat_server() -> Iterator[Server]:
    """Serve SmolLM2 with its own chat template (renders tool results), once per module."""
    with run_llama_server(smollm2_or_skip(), chat_format=None) as server:
        yield server


def local(server: Server, **kwargs: object) -> OpenAIChat:
    """Return a provider for ``server`` without an API key, as a loopback server allows."""
    kwargs.setdefault("options", {**GREEDY, "max_tokens": 200})
    provider = create_provider(
        "openai", model="smollm2", base_url=server.base_url, timeout=TIMEOUT_S, **kwargs
    )
    assert isinstance(provider, OpenAIChat)
    return provider


@pytest.fixture(autouse=True)
def _no_stored_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide any developer key: loopback must work without one, and no key goes to a test peer."""
    monkeypatch.setattr("nikdesk.agent.providers.openai_chat.get_secret", lambda name: None)


def text_of(deltas: list[ChatDelta]) -> str:
    """Return the concatenated text of a streamed turn."""
    return "".join(d.text for d in deltas)


def test_text_streams_in_several_deltas_and_finishes_with_stop(chat_server: Server) -> None:
    provider = local(chat_server, options={**GREEDY, "max_tokens": 300})
    question = [
        {"role": "user", "content": "In one short sentence: what does a solar inverter do?"}
    ]

    deltas = list(provider.stream_chat(question, []))

    assert provider.label == "openai:smollm2"
    assert sum(1 for d in deltas if d.text) >= 3
    assert text_of(deltas).strip()
    assert not any(d.tool_calls for d in deltas)
    assert [d.finish for d in deltas if d.finish] == ["stop"]
    assert deltas[-1].finish == "stop"


def test_tool_call_round_trip(tool_server: Server, chat_server: Server) -> None:
    messages: list[dict[str, object]] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": QUESTION},
    ]
    caller = local(tool_server, tool_choice=FORCE_SEARCH)

    deltas = list(caller.stream_chat(messages, TOOL_SPECS))

    with_calls = [d for d in deltas if d.tool_calls]
    assert len(with_calls) == 1 and with_calls[0] is deltas[-2]  # calls come once, at the end
    assert deltas[-1].finish == "tool_calls"
    (call,) = with_calls[0].tool_calls
    assert isinstance(call, ToolCall)
    assert call.name in TOOL_NAMES and call.id
    assert isinstance(call.arguments, dict) and "_error" not in call.arguments
    assert isinstance(call.arguments["query"], str)  # "query" is required by the schema

    messages += [
        {  # content None is OpenAI's own form; the provider adapts it for llama.cpp
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call.id, "content": TOOL_RESULT},
    ]
    answerer = local(
        chat_server, options={**GREEDY, "max_tokens": 80}
    )  # no tool_choice: the model may answer in text
    reply = list(answerer.stream_chat(messages, TOOL_SPECS))

    assert sum(1 for d in reply if d.text) >= 3
    assert not any(d.tool_calls for d in reply)
    # Greedy decoding copies from the tool result, which proves it reached the model.
    assert "Isolation" in text_of(reply)
    assert reply[-1].finish in ("stop", "length")


def test_truncated_tool_arguments_come_back_as_an_error_for_the_model(tool_server: Server) -> None:
    provider = local(tool_server, tool_choice=FORCE_SEARCH, options={**GREEDY, "max_tokens": 4})
    messages = [{"role": "user", "content": QUESTION}]

    deltas = list(provider.stream_chat(messages, TOOL_SPECS))

    (call,) = next(d.tool_calls for d in deltas if d.tool_calls)
    assert call.name == "search_knowledge"
    assert call.arguments["_raw"].startswith("{")
    assert "JSON" in call.arguments["_error"]


def test_server_killed_mid_answer_raises_provider_failure() -> None:
    with run_llama_server(smollm2_or_skip(), chat_format=None) as server:
        # min_tokens keeps the model from ending on its own before the kill lands.
        options = {**GREEDY, "max_tokens": 1500, "extra_body": {"min_tokens": 1200}}
        provider = local(server, options=options)
        question = [{"role": "user", "content": "Write a long story about a solar technician."}]
        received: list[ChatDelta] = []

        with pytest.raises(ProviderFailure) as caught:
            for delta in provider.stream_chat(question, []):
                received.append(delta)
                if len(received) == 1:
                    server.kill()

        assert received and received[0].text
        assert not any(d.finish for d in received)
        assert "abgebrochen" in str(caught.value)
        assert isinstance(caught.value.__cause__, openai.APIConnectionError)
        assert provider.available() is False  # the failure dropped the cached "reachable"


def test_no_server_on_the_port_raises_provider_failure() -> None:
    provider = OpenAIChat(model="smollm2", base_url=f"http://127.0.0.1:{free_port()}/v1")

    with pytest.raises(ProviderFailure, match="nicht erreichbar"):
        list(provider.stream_chat([{"role": "user", "content": "Hallo"}], []))


def test_available_detects_the_endpoint(tool_server: Server) -> None:
    assert local(tool_server).available() is True
    closed = OpenAIChat(base_url=f"http://127.0.0.1:{free_port()}/v1")
    assert closed.available() is False


def test_rejected_key_raises_key_problem() -> None:
    with run_llama_server(smollm2_or_skip(), chat_format=None, api_key="sk-right") as server:
        provider = OpenAIChat(model="smollm2", base_url=server.base_url, api_key="sk-wrong")

        with pytest.raises(KeyProblem, match="Schlüssel ungültig") as caught:
            list(provider.stream_chat([{"role": "user", "content": "Hallo"}], []))

    assert isinstance(caught.value.__cause__, openai.AuthenticationError)


def test_without_key_the_cloud_is_unavailable_and_refuses_to_stream() -> None:
    provider = OpenAIChat()  # api.openai.com, and _no_stored_key hides any configured key

    assert provider.available() is False
    with pytest.raises(KeyProblem, match=KEY_MISSING) as caught:
        list(provider.stream_chat([{"role": "user", "content": "Hallo"}], []))
    assert isinstance(caught.value, ProviderFailure) and isinstance(caught.value, NeedsKey)


def test_image_message_builds_a_data_url(tmp_path: Path) -> None:
    photo = tmp_path / "display.JPG"
    Image.new("RGB", (32, 16), (158, 186, 128)).save(photo, format="JPEG")

    message = image_message("Was zeigt das Display?", photo)

    assert message["role"] == "user"
    text, image = message["content"]
    assert text == {"type": "text", "text": "Was zeigt das Display?"}
    assert image["type"] == "image_url"
    prefix, payload = image["image_url"]["url"].split(",", 1)
    assert prefix == "data:image/jpeg;base64"
    assert base64.b64decode(payload, validate=True) == photo.read_bytes()
    assert Image.open(io.BytesIO(base64.b64decode(payload))).size == (32, 16)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("missing.jpg", None),
        ("empty.png", b""),
        ("heic-renamed.jpg", b"\x00\x00\x00\x18ftypheic"),
        ("scan.bmp", b"BM\x00\x00"),
    ],
)
def test_image_message_rejects_unusable_files(
    tmp_path: Path, name: str, content: bytes | None
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(BadImage) as caught:
        image_message("?", path)
    assert isinstance(caught.value, NikDeskError)


def test_streamed_tool_call_fragments_are_merged() -> None:
    def fragment(index: int, id: str | None, name: str | None, args: str | None) -> object:
        return SimpleNamespace(
            index=index, id=id, function=SimpleNamespace(name=name, arguments=args)
        )

    pending = ToolCallAssembler()
    # OpenAI style: id and name once, then argument pieces; two calls interleaved.
    pending.add(fragment(0, "call_a", "search_knowledge", ""))
    pending.add(fragment(1, "call_b", "get_full_document", '{"doc": '))
    pending.add(fragment(0, None, None, '{"query": "F-2'))
    pending.add(fragment(0, None, None, '03"}'))
    pending.add(fragment(1, None, None, '"symo.pdf"}'))
    # llama.cpp style: the whole name repeated in every fragment.
    pending.add(fragment(2, "call_c", "ask_user_clarification", '{"question": '))
    pending.add(fragment(2, "call_c", "ask_user_clarification", '"Welches Gerät?"}'))

    assert pending.calls() == (
        ToolCall("call_a", "search_knowledge", {"query": "F-203"}),
        ToolCall("call_b", "get_full_document", {"doc": "symo.pdf"}),
        ToolCall("call_c", "ask_user_clarification", {"question": "Welches Gerät?"}),
    )


@pytest.mark.parametrize(
    ("raw", "expected_error"),
    [("", None), ('{"query": "E-013"}', None), ('{"query": ', "JSON"), ("[1, 2]", "Objekt")],
)
def test_parse_arguments(raw: str, expected_error: str | None) -> None:
    arguments = parse_arguments(raw)

    if expected_error is None:
        assert "_error" not in arguments
    else:
        assert arguments["_raw"] == raw
        assert expected_error in arguments["_error"]
