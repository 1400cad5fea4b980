"""The chat-model backend kind: one required method, capabilities as class attributes.

Messages use the OpenAI chat format (``role``/``content``/``tool_calls``/``tool_call_id``):
it is the wire format of the main provider and rich enough for the local ones. A model
streams :class:`ChatDelta` values: text pieces while it writes, then at most one delta with
the tool calls it wants, then a delta with ``finish`` set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from nikdesk.core.errors import NikDeskError

Message = dict[str, Any]  # OpenAI chat format
ToolSpec = dict[str, Any]  # OpenAI "function" tool format


class ProviderFailure(NikDeskError):
    """The provider cannot answer now (offline, timeout, server gone, garbage output).

    The agent falls back to the next provider; the question is never lost.
    """


@dataclass(frozen=True)
class ToolCall:
    """One tool call requested by the model."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ChatDelta:
    """A piece of a streamed model turn."""

    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    finish: str | None = None  # "stop" | "tool_calls" | "length"


class ChatModel:
    """A chat model the agent can drive. Subclasses implement :meth:`stream_chat`."""

    name: ClassVar[str] = "base"
    supports_tools: ClassVar[bool] = True
    supports_vision: ClassVar[bool] = False
    needs_network: ClassVar[bool] = False
    writes_text: ClassVar[bool] = True  # False: the extractive "none" provider (no language model)

    @property
    def label(self) -> str:
        """Return what the UI shows as "answered by" (e.g. "openai:gpt-4o")."""
        return self.name

    def stream_chat(self, messages: list[Message], tools: list[ToolSpec]) -> Iterator[ChatDelta]:
        """Stream one model turn for ``messages``; may request calls of ``tools``.

        Raise :class:`ProviderFailure` when the backend cannot answer (the agent falls back).
        """
        raise NotImplementedError

    def available(self) -> bool:
        """Tell whether the provider can be used right now (key present, online, file there)."""
        return True

    def close(self) -> None:
        """Release resources (HTTP clients, model memory)."""


class Extractive(ChatModel):
    """The "none" provider: no language model; the agent quotes the evidence (policy.py).

    It is a provider like the others so the chain, the registry and the UI treat it alike; the
    loop sees ``writes_text = False`` and runs the deterministic policy instead of a model turn.
    """

    name: ClassVar[str] = "none"
    supports_tools: ClassVar[bool] = False
    writes_text: ClassVar[bool] = False

    def stream_chat(self, messages: list[Message], tools: list[ToolSpec]) -> Iterator[ChatDelta]:
        """Never called: the agent answers without a model."""
        raise ProviderFailure("Ohne Sprachmodell gibt es keinen Modell-Zug.")
