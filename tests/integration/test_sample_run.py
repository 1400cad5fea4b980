"""The README's run command path: sample library -> index on first run -> cited answer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_nikdesk


def run_cli(*args: str, env_index: Path, home: Path) -> subprocess.CompletedProcess[str]:
    result: subprocess.CompletedProcess[str] = run_nikdesk(
        *args, home=home, NIKDESK_INDEX_DIR=str(env_index)
    )
    return result


def test_ask_builds_sample_index_on_first_run_and_cites_pages(tmp_path: Path) -> None:
    index = tmp_path / "index"
    first = run_cli("ask", env_index=index, home=tmp_path / "home")
    assert first.returncode == 0, first.stderr
    assert (index / "default" / "manifest.json").is_file()
    assert "baue ihn aus der Beispielbibliothek" in first.stderr
    assert "Nordlicht_NX-Hybrid_Installations-und_Servicehandbuch_DE.pdf, Seite 12" in first.stdout
    assert "E050" in first.stdout
    assert "beantwortet von: ohne Sprachmodell" in first.stdout  # no key, no model: offline path

    second = run_cli(
        "ask", "Wofür ist das Modbus-Register 40069?", env_index=index, home=tmp_path / "home"
    )
    assert second.returncode == 0, second.stderr
    assert "baue" not in second.stderr  # index reused, not rebuilt
    assert "Seite 9" in second.stdout


def test_search_without_index_says_how_to_build_one(tmp_path: Path) -> None:
    result = run_cli(
        "search",
        "E050",
        "--index",
        str(tmp_path / "nope"),
        env_index=tmp_path,
        home=tmp_path / "home",
    )
    assert result.returncode == 2
    assert "nikdesk index build" in result.stderr


@pytest.mark.parametrize("args", [["search"], ["search", "x", "--batch", "q.jsonl"]])
def test_search_needs_exactly_one_question_source(tmp_path: Path, args: list[str]) -> None:
    result = run_cli(*args, env_index=tmp_path, home=tmp_path / "home")
    assert result.returncode == 2 and "QUESTION" in result.stderr
