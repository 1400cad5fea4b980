"""Registry of chat-model providers: name -> factory; heavy imports stay inside factories."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nikdesk.agent.providers.base import ChatDelta, ChatModel, ProviderFailure, ToolCall
from nikdesk.core.errors import NikDeskError

Factory = Callable[..., ChatModel]
_REGISTRY: dict[str, Factory] = {}

__all__ = [
    "ChatDelta",
    "ChatModel",
    "ProviderFailure",
    "ToolCall",
    "create_provider",
    "provider_names",
    "register_provider",
]


def register_provider(name: str, factory: Factory) -> None:
    """Register ``factory`` (called with settings keywords) under ``name``."""
    _REGISTRY[name] = factory


def provider_names() -> list[str]:
    """Return the registered provider names."""
    _register_builtin()
    return sorted(_REGISTRY)


def create_provider(name: str, **settings: Any) -> ChatModel:
    """Create provider ``name``; unknown names raise a NikDeskError listing the known ones."""
    _register_builtin()
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise NikDeskError(
            f"Unbekannter Anbieter '{name}'. Verfügbar: {', '.join(sorted(_REGISTRY))}"
        ) from None
    return factory(**settings)


def _register_builtin() -> None:
    if "openai" in _REGISTRY:
        return

    def openai(**settings: Any) -> ChatModel:
        from nikdesk.agent.providers.openai_chat import OpenAIChat

        return OpenAIChat(**settings)

    def local(**settings: Any) -> ChatModel:
        from nikdesk.agent.providers.local_gguf import LocalGGUF

        return LocalGGUF(**settings)

    _REGISTRY.setdefault("openai", openai)
    _REGISTRY.setdefault("local", local)
