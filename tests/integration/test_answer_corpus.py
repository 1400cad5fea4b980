"""The no-LLM answer on the real corpus: the right line bold, short quotes, honest gaps."""

from __future__ import annotations

from typing import Any

import pytest

from nikdesk.agent import Agent, Settings
from nikdesk.agent.answer_metrics import key_lines
from nikdesk.agent.result import collect


@pytest.fixture(scope="module")
def agent(corpus_retriever: Any) -> Agent:
    return Agent(corpus_retriever, Settings(provider="none"))


def test_the_stacking_row_is_the_key_line(agent: Agent) -> None:
    result = collect(
        agent.run("Wie viele Batteriemodule kann ich bei der Sungrow SBR maximal stapeln?")
    )
    assert result.outcome == "answer"
    assert "8 Module" in key_lines(result.answer)
    assert any(s.file.startswith("Sungrow_SBR") and s.page == 2 for s in result.sources)


def test_the_baud_rate_is_the_key_line_not_the_paragraph(agent: Agent) -> None:
    result = collect(agent.run("Welche Baudrate nutzt VE.Direct?"))
    assert result.outcome == "answer"
    assert "19200" in key_lines(result.answer)
    assert len(key_lines(result.answer)) < 120
    assert "Table of contents" not in result.answer  # no filler passage


def test_an_api_document_does_not_answer_an_installation_question(agent: Agent) -> None:
    result = collect(agent.run("Welche Sicherung brauche ich für den go-e Charger 22 kW?"))
    assert result.outcome == "not_found"
    assert "Schnittstellen" in result.answer
    # related passages may follow as "Siehe auch", never as the answer
    if result.sources:
        assert "Siehe auch" in result.answer


def test_every_quoted_line_is_on_its_cited_page(agent: Agent, corpus_retriever: Any) -> None:
    result = collect(agent.run("Was bedeutet beim Growatt MIC die Warnung 'PV Isolation Low'?"))
    assert result.outcome == "answer"
    assert "PV Isolation Low" in key_lines(result.answer)
    texts = corpus_retriever.document_texts()
    for source in result.sources:
        page_text = texts[source.doc_id]
        for line in source.passage.splitlines():
            if line != "…":
                assert line in page_text, line
