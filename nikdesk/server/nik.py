"""The engine internals the server serves, imported in this one place.

The desktop package is being reshaped (issue 8); when modules move, only these imports change.
"""

from typing import Any

from nikdesk.agent.loop import Agent
from nikdesk.agent.providers import ChatModel, ProviderFailure, create_provider
from nikdesk.agent.result import RunResult, collect
from nikdesk.core.errors import ModelMissing, NikDeskError
from nikdesk.core.events import Done, Error, Event, Metadata, Outcome, Source, Sources
from nikdesk.core.models import model_entry
from nikdesk.core.settings import Settings
from nikdesk.retrieval.bundle import DocumentEntry, read_manifest
from nikdesk.retrieval.embedders import Embedder, create_embedder
from nikdesk.retrieval.hybrid import Retriever
from nikdesk.retrieval.rerank import (
    FallbackReranker,
    NoReranker,
    Reranker,
    create_reranker,
)
from nikdesk.retrieval.types import Hit, SearchFilters, SearchOptions
from nikdesk.storage.runs import RunNotFound, RunStore

LOCAL_MODEL = "smollm2"  # the manifest entry the local provider loads by default
LOOPBACK_KEY = "sk-no-key-required"  # OpenAI SDK needs a key; loopback servers ignore it


def openai_provider(**settings: Any) -> ChatModel:
    """Create the OpenAI(-compatible) provider with explicit settings (key from the server)."""
    from nikdesk.agent.providers.openai_chat import OpenAIChat

    return OpenAIChat(**settings)


__all__ = [
    "Agent",
    "ChatModel",
    "DocumentEntry",
    "Done",
    "Embedder",
    "Error",
    "Event",
    "FallbackReranker",
    "Hit",
    "Metadata",
    "ModelMissing",
    "NikDeskError",
    "NoReranker",
    "Outcome",
    "ProviderFailure",
    "Reranker",
    "Retriever",
    "RunNotFound",
    "RunResult",
    "RunStore",
    "SearchFilters",
    "SearchOptions",
    "Settings",
    "Source",
    "Sources",
    "collect",
    "create_embedder",
    "create_provider",
    "create_reranker",
    "model_entry",
    "read_manifest",
]
