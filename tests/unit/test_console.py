"""The terminal printout of a run's events."""

from __future__ import annotations

import io

from nikdesk.cli.console import EventPrinter
from nikdesk.core.events import Clarification

ASKED = (
    "Das Handbuch nennt dafür je nach Modell bzw. Ausführung verschiedene Werte. "
    "Welches ist gemeint?"
)


def test_a_clarification_prints_the_question_before_its_options() -> None:
    out = io.StringIO()
    EventPrinter(out)(Clarification("run-1", ASKED, ("S1256-8", "S1256-13", "Anderes Modell")))
    lines = out.getvalue().splitlines()
    asked = lines.index(ASKED)
    assert lines[asked + 1 : asked + 4] == ["  1) S1256-8", "  2) S1256-13", "  3) Anderes Modell"]
    assert 'nikdesk resume run-1 "<Gerät>"' in lines[asked + 4]
