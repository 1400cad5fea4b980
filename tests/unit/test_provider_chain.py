"""Which providers `auto` picks: never the tiny test model from its PyPI package."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from nikdesk.agent.chain import ProviderChain, Settings


def test_auto_without_key_or_chosen_model_answers_without_llm() -> None:
    assert ProviderChain(Settings(provider="auto")).names() == ["none"]


def test_explicit_choice_is_tried_even_if_unavailable() -> None:
    assert ProviderChain(Settings(provider="local")).names() == ["local", "none"]
    assert ProviderChain(Settings(provider="none")).names() == ["none"]


def test_auto_uses_a_local_model_placed_in_models_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python not installed")
    from nikdesk.core.models import model_entry

    entry = model_entry("smollm2")
    source = entry.locate()
    models = tmp_path / "models"
    (models / entry.path).parent.mkdir(parents=True)
    (models / entry.path).symlink_to(source)
    (models / "manifest.toml").write_bytes((Path("models") / "manifest.toml").read_bytes())
    monkeypatch.setenv("NIKDESK_MODELS_DIR", str(models))
    assert ProviderChain(Settings(provider="auto")).names() == ["local", "none"]
