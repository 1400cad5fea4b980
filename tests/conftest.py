"""Test hygiene: a temporary home per test, offscreen Qt, corpus/model locations, markers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import
os.environ["HF_HUB_OFFLINE"] = "1"  # a test must never reach for a model hub

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NIKDESK_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
MANUALS = CORPUS / "manuals"
DEV_QUESTIONS = SHARED / "eval" / "dev-questions.jsonl"


@pytest.fixture(autouse=True)
def _tmp_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give every test its own user data dir."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("NIKDESK_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def _clean_registries() -> Any:
    """Remove test doubles registered in a backend registry once the test is over."""
    yield
    from nikdesk.agent.providers import PROVIDERS
    from nikdesk.retrieval.embedders import EMBEDDERS
    from nikdesk.retrieval.rerank import RERANKERS

    for registry in (PROVIDERS, EMBEDDERS, RERANKERS):
        registry.clear_overrides()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Auto-mark GUI tests so ``-m "not gui"`` runs headless."""
    for item in items:
        if "/tests/ui/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.gui)


def require_manuals() -> Path:
    """Return the real manuals folder or skip the test with the reason."""
    if not MANUALS.is_dir():
        pytest.skip(f"real corpus not found at {MANUALS} (set NIKDESK_SHARED)")
    return MANUALS


def e5_or_skip() -> Any:
    """Return the e5-small embedder, or skip the test naming what to install."""
    from nikdesk.core.errors import MissingExtra, ModelMissing
    from nikdesk.retrieval.embedders import create_embedder

    try:
        return create_embedder("e5-small")
    except (MissingExtra, ModelMissing) as exc:  # CI installs it: these tests run there
        pytest.skip(f"e5-small embedder unavailable: {exc}")


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return an index of the generated sample library (one fictional German manual)."""
    from nikdesk.app.sample import ensure_sample_library
    from nikdesk.retrieval.build import build_index

    out = tmp_path_factory.mktemp("sample-index") / "index"
    build_index(ensure_sample_library(lambda _msg: None), out, e5_or_skip())
    return out


def run_nikdesk(*args: str, home: Path, **env: str) -> Any:
    """Run the real ``nikdesk`` CLI in a new process with its own data dir (and extra env)."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "nikdesk", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, NIKDESK_HOME=str(home), **env),
        timeout=600,
    )
