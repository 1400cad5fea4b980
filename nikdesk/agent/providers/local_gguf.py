"""The offline chat model: a GGUF file run in-process by llama.cpp (llama-cpp-python).

Small local models cannot be trusted with free-form tool-call syntax, so a turn has two phases.
Phase 1 asks for a *decision* object ``{"action": <tool name | "answer">, "arguments": {...}}``
under a JSON-schema grammar built from the offered tools, with every string and array bounded,
so the sampler cannot produce anything else and cannot ramble. If the decision is "answer",
phase 2 streams the free-text answer for the same conversation without a grammar.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from nikdesk.agent.providers.base import (
    ChatDelta,
    ChatModel,
    Message,
    ProviderFailure,
    ToolCall,
    ToolSpec,
)
from nikdesk.agent.providers.decision import (
    ANSWER,
    decision_instructions,
    decision_schema,
    matches,
)
from nikdesk.core.errors import MissingExtra, NikDeskError
from nikdesk.core.models import model_entry

DEFAULT_MODEL = "smollm2"  # manifest entry used when no model_path is given
MESSAGE_OVERHEAD = 8  # template tokens around one message (role header, end marker)
REPEAT_PENALTY = 1.1  # a 135M model loops on one token at 1.0 ("E-S-S-S-…")
INVALID_DECISION = "Lokales Modell lieferte keine gültige Entscheidung"

PlainMessage = dict[str, str]


def llama_cpp_module() -> ModuleType:
    """Import llama_cpp or raise MissingExtra naming the pip extra."""
    try:
        import llama_cpp
    except ImportError as err:
        raise MissingExtra("llama-cpp-python", "llm", "Lokales Sprachmodell") from err
    return llama_cpp


class LocalGGUF(ChatModel):
    """Chat with a local GGUF model; tool calls come from a grammar-constrained decision."""

    name = "local"
    supports_tools = True
    needs_network = False

    def __init__(
        self,
        model_path: Path | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        max_tokens: int = 384,
        seed: int = 0,
        llama: object | None = None,
    ) -> None:
        self._model_path = Path(model_path) if model_path is not None else None
        self.n_ctx = n_ctx
        # Half the CPUs, for generation AND prompt reading (llama.cpp reads prompts on all
        # cores by default): when one of the model's cores is busy (the UI, an embedder,
        # another app) every step waits at llama.cpp's thread barrier. Measured on 2 busy
        # cores: 2 threads 6–30 tok/s and 5–6 s to read a 314-token prompt, 1 thread 120–137
        # tok/s; on an idle machine 2 threads read prompts twice as fast, not 10x.
        self.n_threads = n_threads or max(1, (os.cpu_count() or 2) // 2)
        self.max_tokens = max_tokens
        self.seed = seed
        self._llama: Any = llama
        self._owns_llama = llama is None
        self._busy = threading.Lock()
        self._grammars: dict[str, tuple[Any, dict[str, Any], str]] = {}
        self._token_counts: dict[str, int] = {}

    @property
    def model_path(self) -> Path:
        """Return the GGUF file: the given path, else the manifest's "smollm2" entry."""
        if self._model_path is None:
            injected = getattr(self._llama, "model_path", None)
            self._model_path = Path(injected) if injected else model_entry(DEFAULT_MODEL).locate()
        return self._model_path

    @property
    def label(self) -> str:
        """Return "local:<file name>"."""
        try:
            return f"local:{self.model_path.name}"
        except NikDeskError:  # the UI may ask before the file is there: name the expected one
            try:
                return f"local:{Path(model_entry(DEFAULT_MODEL).path).name}"
            except NikDeskError:
                return f"local:{DEFAULT_MODEL}"

    @property
    def llama(self) -> Any:
        """Return the loaded ``llama_cpp.Llama`` (loaded on first use, then reused)."""
        if self._llama is None:
            llama_cpp = llama_cpp_module()
            path = self.model_path
            try:
                self._llama = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    seed=self.seed,
                    verbose=False,
                )
            except Exception as err:  # llama.cpp reports a bad file as ValueError/RuntimeError
                raise ProviderFailure(f"Lokales Modell {path.name} lädt nicht: {err}") from err
        return self._llama

    def available(self) -> bool:
        """Tell whether llama-cpp-python is installed and the model file is there."""
        if self._llama is not None:
            return True
        if importlib.util.find_spec("llama_cpp") is None:
            return False
        try:
            return self.model_path.is_file()
        except NikDeskError:
            return False

    def close(self) -> None:
        """Free the model memory (only if this provider loaded the model)."""
        if self._llama is not None and self._owns_llama:
            self._llama.close()
            self._llama = None

    def stream_chat(self, messages: list[Message], tools: list[ToolSpec]) -> Iterator[ChatDelta]:
        """Stream one turn: a tool call chosen under a grammar, or the streamed answer."""
        llama = self.llama
        # llama.cpp contexts are not re-entrant; a second caller falls back instead of crashing
        if not self._busy.acquire(blocking=False):
            raise ProviderFailure("Lokales Modell ist gerade beschäftigt")
        try:
            plain = plain_messages(messages)
            if tools:
                grammar, schema, addendum = self._decision_grammar(tools)
                reserve = 2 * self.max_tokens + self._count(addendum)
                plain = self._fit(plain, reserve)
                decision = self._decide(plain, grammar, schema, addendum)
                if decision["action"] != ANSWER:
                    call = ToolCall(uuid.uuid4().hex, decision["action"], decision["arguments"])
                    yield ChatDelta(tool_calls=(call,))
                    yield ChatDelta(finish="tool_calls")
                    return
            else:
                plain = self._fit(plain, self.max_tokens)
            yield from self._stream_answer(llama, plain)
        finally:
            self._busy.release()

    # -- phase 1: the decision -------------------------------------------------------------

    def _decision_grammar(self, tools: list[ToolSpec]) -> tuple[Any, dict[str, Any], str]:
        # the agent passes the same tool list every turn: build schema and grammar once
        key = json.dumps(tools, sort_keys=True)
        cached = self._grammars.get(key)
        if cached is None:
            schema = decision_schema(tools)
            try:
                grammar = llama_cpp_module().LlamaGrammar.from_json_schema(
                    json.dumps(schema), verbose=False
                )
            except Exception as err:  # a tool schema llama.cpp's converter cannot express
                raise ProviderFailure(f"Werkzeuge für das lokale Modell: {err}") from err
            cached = (grammar, schema, decision_instructions(tools))
            self._grammars[key] = cached
        return cached

    def _decide(
        self, plain: list[PlainMessage], grammar: Any, schema: dict[str, Any], addendum: str
    ) -> dict[str, Any]:
        attempts = (
            (addendum, self.max_tokens),
            (addendum + "\nNur das JSON-Objekt, Argumente kurz halten.", 2 * self.max_tokens),
        )
        for instructions, max_tokens in attempts:
            try:
                out = self.llama.create_chat_completion(
                    messages=with_instructions(plain, instructions),
                    grammar=grammar,
                    max_tokens=max_tokens,
                    temperature=0,
                    seed=self.seed,
                )
            except Exception as err:
                raise ProviderFailure(f"Lokales Modell fehlgeschlagen: {err}") from err
            choice = out["choices"][0]
            if choice.get("finish_reason") == "length":  # cut mid-JSON
                continue
            try:
                decision = json.loads(choice["message"]["content"] or "", strict=False)
            except ValueError:
                continue
            if matches(decision, schema):
                return dict(decision)
        raise ProviderFailure(INVALID_DECISION)

    # -- phase 2: the answer ---------------------------------------------------------------

    def _stream_answer(self, llama: Any, plain: list[PlainMessage]) -> Iterator[ChatDelta]:
        finish = "stop"
        try:
            stream = llama.create_chat_completion(
                messages=plain,
                stream=True,
                max_tokens=self.max_tokens,
                temperature=0,
                seed=self.seed,
                repeat_penalty=REPEAT_PENALTY,
            )
            try:
                for chunk in stream:
                    choice = chunk["choices"][0]
                    piece = choice["delta"].get("content")
                    if piece:
                        yield ChatDelta(text=piece)
                    if choice.get("finish_reason"):
                        finish = choice["finish_reason"]
            finally:
                close = getattr(stream, "close", None)  # an injected llama may return a list
                if close is not None:
                    close()  # an abandoned turn must not leave llama mid-generation
        except Exception as err:
            raise ProviderFailure(f"Lokales Modell fehlgeschlagen: {err}") from err
        yield ChatDelta(finish=finish)

    # -- context budget --------------------------------------------------------------------

    def _count(self, text: str) -> int:
        count = self._token_counts.get(text)
        if count is None:
            if len(self._token_counts) > 512:  # a run's history; older runs need not stay
                self._token_counts.clear()
            try:
                count = len(self.llama.tokenize(text.encode(), add_bos=False, special=True))
            except Exception as err:
                raise ProviderFailure(f"Lokales Modell fehlgeschlagen: {err}") from err
            self._token_counts[text] = count
        return count

    def _fit(self, plain: list[PlainMessage], reserve: int) -> list[PlainMessage]:
        """Keep the system message and the newest messages that fit ``n_ctx - reserve``."""
        budget = self.n_ctx - reserve
        head = plain[:1] if plain and plain[0]["role"] == "system" else []
        if head and self._cost(head[0]) > budget // 2:  # a giant system prompt must leave room
            head = [self._shorten(head[0], budget // 2)]
        used = sum(self._cost(m) for m in head)
        kept: list[PlainMessage] = []
        for message in reversed(plain[len(head) :]):
            cost = self._cost(message)
            if used + cost > budget:
                if not kept:  # the newest message alone is too long: keep its beginning
                    kept.append(self._shorten(message, budget - used))
                break
            kept.append(message)
            used += cost
        kept.reverse()
        while len(kept) > 1 and kept[0]["role"] == "assistant":  # no reply without its question
            kept.pop(0)
        return head + kept

    def _cost(self, message: PlainMessage) -> int:
        return self._count(message["content"]) + MESSAGE_OVERHEAD

    def _shorten(self, message: PlainMessage, tokens: int) -> PlainMessage:
        room = max(tokens - MESSAGE_OVERHEAD, 16)
        try:
            ids = self.llama.tokenize(message["content"].encode(), add_bos=False, special=True)
            text = self.llama.detokenize(ids[:room]).decode("utf-8", errors="ignore")
        except Exception as err:
            raise ProviderFailure(f"Lokales Modell fehlgeschlagen: {err}") from err
        return {"role": message["role"], "content": text}


# -- message conversion -------------------------------------------------------------------


def plain_messages(messages: list[Message]) -> list[PlainMessage]:
    """Convert OpenAI-format messages to strictly alternating system/user/assistant text.

    Small chat templates know only those three roles and some reject two turns of one role
    in a row: tool results become user turns, tool calls become the assistant's decision JSON.
    """
    tool_names: dict[str, str] = {}
    out: list[PlainMessage] = []
    for index, message in enumerate(messages):
        role = message.get("role", "user")
        content = _text(message.get("content"))
        if role == "assistant" and message.get("tool_calls"):
            calls = []
            for call in message["tool_calls"]:
                function = call.get("function", {})
                tool_names[call.get("id", "")] = function.get("name", "")
                arguments = function.get("arguments") or "{}"
                if isinstance(arguments, str):
                    try:
                        arguments = json.loads(arguments)
                    except ValueError:
                        arguments = {"raw": arguments}
                calls.append(
                    json.dumps(
                        {"action": function.get("name"), "arguments": arguments}, ensure_ascii=False
                    )
                )
            content = "\n".join([content, *calls]) if content else "\n".join(calls)
        elif role == "tool":
            name = message.get("name") or tool_names.get(
                message.get("tool_call_id", ""), "Werkzeug"
            )
            role, content = "user", f"Ergebnis von {name}:\n{content}"
        elif role == "system" and index > 0:
            role, content = "user", f"Hinweis: {content}"
        elif role not in ("system", "user", "assistant"):
            role = "user"
        if out and out[-1]["role"] == role:
            out[-1] = {"role": role, "content": f"{out[-1]['content']}\n\n{content}"}
        else:
            out.append({"role": role, "content": content})
    return out


def with_instructions(plain: list[PlainMessage], instructions: str) -> list[PlainMessage]:
    """Append the decision instructions to the last user turn.

    At the end rather than in the system message: the conversation prefix stays identical
    to the answer phase, so llama.cpp reuses its evaluated prompt, and a small model heeds
    the last thing it read.
    """
    if plain and plain[-1]["role"] == "user":
        last = plain[-1]
        return [*plain[:-1], {"role": "user", "content": f"{last['content']}\n\n{instructions}"}]
    return [*plain, {"role": "user", "content": instructions}]


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # multi-part content: only the text parts reach this model
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


# -- the decision schema ------------------------------------------------------------------
