"""Answer-level figures of eval-agent: source precision and facts inside the bold key lines."""

from __future__ import annotations

from nikdesk.agent.answer_metrics import hit_at, key_lines, source_precision
from nikdesk.agent.evaluate import fact_share
from nikdesk.core.events import Source

ANSWER = (
    "**Fundstellen in den Handbüchern** (…):\n\n"
    "**SBR096/128/160/192/, S. 2** [S1]\n"
    "> Typenbezeichnung | SBR096 | SBR128  \n"
    "> **Technische Eigenschaften | 4 Module 5 Module 6 Module 7 Module 8 Module 3 Module**  \n"
    "> **Register\\_Name | 30 A**  \n"
    "> **Befehl QT\\<cr>: Time inquiry**  \n"
)


def _source(file: str, page: int) -> Source:
    return Source(ref="S1", doc_id="d", file=file, title=file, page=page, page_end=page, passage="")


def test_key_lines_are_the_bold_quoted_lines_without_escapes() -> None:
    lines = key_lines(ANSWER).splitlines()
    assert (
        "Technische Eigenschaften | 4 Module 5 Module 6 Module 7 Module 8 Module 3 Module" in lines
    )
    assert "Register_Name | 30 A" in lines
    assert "Befehl QT<cr>: Time inquiry" in lines
    assert fact_share(["8 Module"], key_lines(ANSWER)) == 1.0
    assert fact_share(["256 V"], key_lines(ANSWER)) == 0.0


def test_source_precision_counts_passages_on_a_correct_page() -> None:
    answers = {("Sungrow_SBR096-256_Datenblatt_DE.pdf", 2)}
    sources = [_source("Sungrow_SBR096-256_Datenblatt_DE.pdf", 2), _source("X.pdf", 1)]
    assert source_precision(sources, answers) == 0.5
    assert source_precision([], answers) is None
    assert hit_at([("Sungrow_SBR096-256_Datenblatt_DE.pdf", 1, 2)], answers)
