"""Which providers answer now: created lazily through the registry, probed, cached.

An explicit choice (``--provider openai``) is tried even when it looks unavailable, so the run
shows why it failed before "none" takes over; ``auto`` skips what is unavailable right now.
"""

from __future__ import annotations

import logging
from typing import Any

from nikdesk.agent.providers import ChatModel, Extractive, create_provider
from nikdesk.core.errors import NikDeskError
from nikdesk.core.settings import Settings

log = logging.getLogger(__name__)

PREFERENCE = ("openai", "local")  # model providers, best first; "none" (no LLM) always last


class ProviderChain:
    """Create, probe and hand out the chat-model providers for one agent."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._providers: dict[str, ChatModel] = {}
        self._broken: dict[str, str] = {}  # provider -> why it cannot be created

    def names(self) -> list[str]:
        """Return the providers to try now, best first; "none" (no LLM) always ends it."""
        wanted = self.settings.provider
        names = list(PREFERENCE) if wanted == "auto" else [wanted] if wanted != "none" else []
        chain = [n for n in names if self._usable(n, explicit=wanted != "auto")]
        return [*chain, Extractive.name]

    def get(self, name: str) -> ChatModel | None:
        """Return provider ``name``, created on first use (None if it cannot be created)."""
        if name in self._providers:
            return self._providers[name]
        if name in self._broken:
            return None
        try:
            provider = create_provider(name, **self._provider_settings(name))
        except NikDeskError as exc:
            self._broken[name] = str(exc)
            log.info("provider %s unusable: %s", name, exc)
            return None
        self._providers[name] = provider
        return provider

    def why_unusable(self, name: str) -> str:
        """Return why provider ``name`` could not be created or used (German)."""
        return self._broken.get(name, f"{name} nicht verfügbar")

    def register(self, name: str, provider: ChatModel) -> None:
        """Use ``provider`` under ``name`` (tests, the app's settings dialog)."""
        self._providers[name] = provider
        self._broken.pop(name, None)

    def close(self) -> None:
        """Release providers."""
        for provider in self._providers.values():
            provider.close()

    def _usable(self, name: str, explicit: bool) -> bool:
        if name == "local" and not explicit and not self._local_chosen():
            return False
        provider = self.get(name)
        if provider is None:
            return explicit  # an explicit choice is tried and fails visibly into "none"
        try:
            return provider.available() or explicit
        except NikDeskError as exc:
            self._broken[name] = str(exc)
            return explicit

    def _local_chosen(self) -> bool:
        """Tell whether a local model was chosen (settings, models/) rather than a test package."""
        if self.settings.local_model:
            return True
        from nikdesk.agent.providers.local_gguf import DEFAULT_MODEL
        from nikdesk.core.models import model_entry

        try:
            entry = model_entry(DEFAULT_MODEL)
        except NikDeskError:
            return False
        return entry.auto or entry.in_models_dir()

    def _provider_settings(self, name: str) -> dict[str, Any]:
        if name == "openai":
            return {"model": self.settings.openai_model, "base_url": self.settings.base_url}
        if name == "local" and self.settings.local_model:
            return {"model_path": self.settings.local_model_path}
        return {}
