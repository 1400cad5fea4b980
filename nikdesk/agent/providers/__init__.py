"""Registry of chat-model providers: name -> factory; heavy imports stay inside factories."""

from __future__ import annotations

from typing import Any

from nikdesk.agent.providers.base import (
    ChatDelta,
    ChatModel,
    Extractive,
    ProviderFailure,
    ToolCall,
)
from nikdesk.core.registry import Factory, Registry

__all__ = [
    "PROVIDERS",
    "ChatDelta",
    "ChatModel",
    "Extractive",
    "ProviderFailure",
    "ToolCall",
    "create_provider",
]


def _builtins() -> dict[str, Factory[ChatModel]]:
    def openai(**settings: Any) -> ChatModel:
        from nikdesk.agent.providers.openai_chat import OpenAIChat

        return OpenAIChat(**settings)

    def local(**settings: Any) -> ChatModel:
        from nikdesk.agent.providers.local_gguf import LocalGGUF

        return LocalGGUF(**settings)

    return {"openai": openai, "local": local, "none": lambda **_: Extractive()}


PROVIDERS: Registry[ChatModel] = Registry("Anbieter", _builtins)


def create_provider(name: str, **settings: Any) -> ChatModel:
    """Create provider ``name``; unknown names raise a NikDeskError listing the known ones."""
    return PROVIDERS.create(name, **settings)
