"""The agent's words: system prompts and answer templates from ``resources/prompts/``."""

from __future__ import annotations

import tomllib
from functools import lru_cache

from nikdesk.core.errors import NikDeskError
from nikdesk.core.paths import resources_dir

LANGUAGES = ("de", "en")


def _check(language: str) -> str:
    if language not in LANGUAGES:
        raise NikDeskError(f"Sprache '{language}' wird nicht unterstützt (de, en).")
    return language


@lru_cache(maxsize=4)
def system_prompt(language: str = "de") -> str:
    """Return the system prompt for LLM providers."""
    path = resources_dir() / "prompts" / f"system_{_check(language)}.md"
    return path.read_text(encoding="utf-8").strip()


@lru_cache(maxsize=4)
def templates(language: str = "de") -> dict[str, str]:
    """Return the answer templates of the no-LLM path and the guards."""
    path = resources_dir() / "prompts" / f"policy_{_check(language)}.toml"
    return dict(tomllib.loads(path.read_text(encoding="utf-8")))
