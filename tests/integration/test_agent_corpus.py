"""Nik on the real corpus without an LLM: the issue's figures as floors, and the CLI contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nikdesk.agent import Agent, Settings
from nikdesk.agent.evaluate import evaluate_agent
from tests.conftest import SHARED, run_nikdesk

DEV = SHARED / "eval" / "dev-questions.jsonl"
AGENT_SET = Path(__file__).parents[1] / "data" / "agent-questions.jsonl"


@pytest.fixture(scope="module")
def agent(corpus_retriever: Any) -> Agent:
    return Agent(corpus_retriever, Settings(provider="none"))


def test_dev_questions_meet_the_issue_targets(agent: Agent) -> None:
    if not DEV.is_file():
        pytest.skip(f"{DEV} missing")
    report = evaluate_agent(agent, DEV).to_json()
    assert report["answered_with_correct_citation"][0] >= 0.8  # target 0.7, measured 0.82
    assert report["source_precision"][0] >= 0.65  # measured 0.74
    assert report["ambiguous_clarify"][0] >= 0.66  # target 0.5, measured 1.0 (3 questions)
    assert report["expected_facts"] >= 0.5
    assert report["malformed_citations"] == 0
    # q056 is answerable since the Sungrow datasheet joined the corpus ("< 20 ms", p. 2)
    assert report["unanswerable_not_found"][0] >= 0.5  # q060: no warranty years in the evidence


def test_agent_question_set_floors(agent: Agent) -> None:
    report = evaluate_agent(agent, AGENT_SET).to_json()
    # 15 of 16 since the answer quotes only passages ranking close to the best one (source
    # precision 0.64 -> 0.72); a040's "no power switch" sentence ranks below the LED table
    assert report["answered_with_correct_citation"][0] >= 0.85
    assert report["source_precision"][0] >= 0.65
    assert report["unanswerable_not_found"][0] >= 0.8
    assert report["ambiguous_clarify"][0] >= 0.5
    assert report["unsafe_refused"][0] >= 0.8
    assert report["malformed_citations"] == 0


def test_clarification_survives_a_process_restart(corpus_index: Path, tmp_path: Path) -> None:
    index = ["--index", str(corpus_index), "--provider", "none", "--json"]
    asked = run_nikdesk(
        "ask",
        "Auf wie viel Ampere darf ich den Ladestrom an der Wallbox maximal stellen?",
        *index,
        home=tmp_path,
    )
    assert asked.returncode == 0, asked.stderr
    paused = json.loads(asked.stdout)
    assert paused["outcome"] == "clarify" and paused["clarification"]
    assert paused["sources"] == [] and len(paused["options"]) >= 2

    resumed = run_nikdesk(
        "resume", paused["run_id"], "go-e Charger", *index, home=tmp_path
    )  # new process
    assert resumed.returncode == 0, resumed.stderr
    answer = json.loads(resumed.stdout)
    assert answer["outcome"] == "answer" and answer["provider"] == "none"
    assert answer["sources"][0]["file"].startswith("go-e_Charger")

    again = run_nikdesk("resume", paused["run_id"], "go-e Charger", *index, home=tmp_path)
    assert again.returncode == 2 and "schon beantwortet" in again.stderr


def test_batch_answers_every_good_line_and_reports_bad_ones(
    corpus_index: Path, tmp_path: Path
) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "a", "question": "Victron MPPT reports ERR 33 over VE.Direct. What is it?"}\n'
        "not json\n"
        '{"id": "b", "question": "Welche Mindestabstände brauche ich beim SMA Sunny Boy 5.0?"}\n',
        encoding="utf-8",
    )
    run = run_nikdesk(
        "ask",
        "--batch",
        str(batch),
        "--index",
        str(corpus_index),
        "--json",
        "--provider",
        "none",
        home=tmp_path,
    )
    assert run.returncode == 2 and ":2:" in run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["outcome"] == "answer" and rows[0]["sources"][0]["file"].startswith("Victron")
    assert set(rows[0]["sources"][0]) >= {"file", "page", "title"}
    assert rows[1]["outcome"] == "not_found" and rows[1]["sources"] == []
