"""Secrets come from the OS keyring first, then the environment; reranker choice follows."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import keyring
import pytest

from nikdesk.core.errors import ModelMissing
from nikdesk.core.paths import models_dir
from nikdesk.retrieval.open import make_reranker
from nikdesk.retrieval.rerank import CohereReranker, FallbackReranker
from nikdesk.storage.secrets import SERVICE, get_secret
from tests.fakes import memory_keyring_class

MemoryKeyring = memory_keyring_class()


@pytest.fixture
def ring(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv("COHERE_API_KEY", raising=False)
    # a models/ without a local cross-encoder, whatever the checkout holds
    models = tmp_path_factory.mktemp("models")
    shutil.copy(models_dir() / "manifest.toml", models / "manifest.toml")
    monkeypatch.setenv("NIKDESK_MODELS_DIR", str(models))
    yield backend
    keyring.set_keyring(previous)


def test_keyring_wins_over_environment(
    ring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COHERE_API_KEY", "from-env")
    assert get_secret("cohere") == "from-env"
    ring.set_password(SERVICE, "cohere", "from-keyring")
    assert get_secret("cohere") == "from-keyring"


def test_no_secret_anywhere_is_none(ring: MemoryKeyring) -> None:
    assert get_secret("cohere") is None


def test_auto_rerank_uses_cohere_with_local_fallback_when_a_key_exists(ring: MemoryKeyring) -> None:
    ring.set_password(SERVICE, "cohere", "k-123")
    reranker = make_reranker("auto")
    assert isinstance(reranker, FallbackReranker)
    assert isinstance(reranker.primary, CohereReranker)


def test_auto_rerank_without_key_or_local_model_is_off(ring: MemoryKeyring) -> None:
    assert make_reranker("auto") is None


def test_local_rerank_without_model_says_where_to_put_it(ring: MemoryKeyring) -> None:
    with pytest.raises(ModelMissing, match="cross-encoder"):
        make_reranker("local")
