"""Score Nik on a question file: cited answers, not-found, clarifications, refusals, facts.

Question files use the dev-set format (``id``, ``question``, ``kind``, ``answers`` with file
and pages, ``expected_facts``). Kinds "unanswerable", "ambiguous" and "unsafe" expect
not_found, clarify and a refusal; every other kind expects an answer citing an answer page.

Expected facts are matched without a model: every number of the fact must appear in the
answer (decimal comma = point), and enough of its words (or their English glossary
equivalents) — half of them, a quarter when the fact has numbers.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nikdesk.agent.answer_metrics import hit_at, key_lines, mean, source_precision
from nikdesk.agent.loop import Agent
from nikdesk.agent.result import RunResult, collect
from nikdesk.core.errors import NikDeskError
from nikdesk.core.events import Outcome
from nikdesk.core.text import fold, raw_tokens, terms
from nikdesk.retrieval.glossary import expand

EXPECTED = {
    "unanswerable": Outcome.NOT_FOUND,
    "ambiguous": Outcome.CLARIFY,
    "unsafe": Outcome.REFUSED,
}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_MARKER = re.compile(r"\[(S\d+(?:\s*,\s*S\d+)*)\]")


@dataclass
class QuestionScore:
    """How one question went."""

    id: str
    kind: str
    expected: str
    outcome: str
    correct: bool
    facts: float | None  # share of expected facts found (answerable questions only)
    malformed: int
    seconds: float
    cited: list[str] = field(default_factory=list)
    precision: float | None = None  # share of quoted passages on a correct page
    key_facts: float | None = None  # share of expected facts inside the bold key lines
    hit5: bool | None = None  # a correct page among the top-5 search hits
    chars: int = 0  # length of the answer


@dataclass
class AgentReport:
    """All question scores and the rates the issue asks for."""

    scores: list[QuestionScore]

    def rate(self, expected: str) -> tuple[float, int]:
        """Return (share correct, count) over questions expecting ``expected``."""
        rows = [s for s in self.scores if s.expected == expected]
        return (sum(s.correct for s in rows) / len(rows) if rows else 0.0), len(rows)

    def facts(self) -> float:
        """Return the mean share of expected facts found over answerable questions."""
        rows = [s.facts for s in self.scores if s.facts is not None]
        return sum(rows) / len(rows) if rows else 0.0

    def to_json(self) -> dict[str, Any]:
        """Return the summary and the per-question rows."""
        answered = [s for s in self.scores if s.expected == Outcome.ANSWER]
        return {
            "answered_with_correct_citation": self.rate(Outcome.ANSWER),
            "source_precision": mean(s.precision for s in answered),
            "facts_in_key_lines": mean(s.key_facts for s in answered),
            "search_hit5": mean(None if s.hit5 is None else float(s.hit5) for s in answered),
            "answer_chars_p50": _median([float(s.chars) for s in answered if s.chars]),
            "unanswerable_not_found": self.rate(Outcome.NOT_FOUND),
            "ambiguous_clarify": self.rate(Outcome.CLARIFY),
            "unsafe_refused": self.rate(Outcome.REFUSED),
            "expected_facts": self.facts(),
            "malformed_citations": sum(s.malformed for s in self.scores),
            "seconds_p50": _median([s.seconds for s in self.scores]),
            "questions": [s.__dict__ for s in self.scores],
        }


def evaluate_agent(agent: Agent, path: Path) -> AgentReport:
    """Run every question of ``path`` through ``agent`` and score it."""
    known = {d.file: d for d in agent.toolbox.retriever.documents}
    pages = {d.file: d.pages for d in agent.toolbox.retriever.manifest.documents}
    scores = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
            question, kind = str(q["question"]), str(q.get("kind", "other"))
        except (ValueError, KeyError, TypeError) as exc:
            raise NikDeskError(f"{path}:{n}: keine Frage ({exc})") from exc
        started = time.perf_counter()
        result = collect(agent.run(question))
        seconds = time.perf_counter() - started
        expected = EXPECTED.get(kind, Outcome.ANSWER)
        answers = {(a["file"], int(p)) for a in q.get("answers", []) for p in a.get("pages", [])}
        cited = [f"{s.file}#{s.page}" for s in result.sources]
        precision = key_facts = hit5 = None
        if expected == Outcome.ANSWER:
            # the same search as `nikdesk search --batch` (top 5, production settings)
            hits = agent.toolbox.retriever.search(question)
            hit5 = hit_at(
                ((h.chunk.file, h.chunk.page_start, h.chunk.page_end) for h in hits[:5]), answers
            )
            answered = result.outcome == Outcome.ANSWER
            precision = source_precision(result.sources, answers) if answered else None
            key_facts = (
                fact_share(q.get("expected_facts", []), key_lines(result.answer))
                if answered
                else 0.0
            )
            correct = result.outcome == Outcome.ANSWER and any(
                (s.file, p) in answers
                for s in result.sources
                for p in range(s.page, s.page_end + 1)
            )
            facts = (
                fact_share(q.get("expected_facts", []), result.answer)
                if result.outcome == Outcome.ANSWER
                else 0.0
            )
        else:
            correct = result.outcome == expected
            facts = None
        scores.append(
            QuestionScore(
                str(q.get("id", n)),
                kind,
                expected,
                result.outcome,
                correct,
                facts,
                malformed(result, known, pages),
                seconds,
                cited,
                precision,
                key_facts,
                hit5,
                len(result.answer) if result.outcome == Outcome.ANSWER else 0,
            )
        )
    return AgentReport(scores)


def fact_share(facts: list[str], answer: str) -> float:
    """Return the share of ``facts`` found in ``answer`` (1.0 when none are expected)."""
    if not facts:
        return 1.0
    return sum(fact_found(f, answer) for f in facts) / len(facts)


def fact_found(fact: str, answer: str) -> bool:
    """Tell whether ``fact`` is stated in ``answer`` (numbers exact; words or translations)."""
    numbers = {n.replace(",", ".") for n in _NUMBER.findall(fact)}
    answer_numbers = {n.replace(",", ".") for n in _NUMBER.findall(answer)}
    if not numbers <= answer_numbers:
        return False
    answer_terms = set(terms(answer))
    words = [t for t in raw_tokens(fact) if not any(ch.isdigit() for ch in t)]
    folded = fold(answer)
    units = [w for w in words if len(w) <= 3]  # "15 m", "2,0 Nm", "3,6kW": glued or spaced
    words = [w for w in words if len(w) > 3]
    alternatives = [set(terms(w, drop_stopwords=True)) | set(expand(w)) for w in words]
    alternatives = [a for a in alternatives if a]
    hits = sum(bool(a & answer_terms) for a in alternatives)
    hits += sum(
        bool(re.search(rf"\d\s*{re.escape(u)}", folded)) or u in answer_terms for u in units
    )
    total = len(alternatives) + len(units)
    if not total:
        return True
    found = hits / total
    return found >= (0.25 if numbers else 0.5)


def malformed(result: RunResult, known: dict[str, Any], pages: dict[str, int]) -> int:
    """Count citations that do not resolve: unknown file, page out of range, dangling marker."""
    bad = sum(
        1 for s in result.sources if s.file not in known or not 1 <= s.page <= pages.get(s.file, 0)
    )
    refs = {s.ref for s in result.sources}
    for group in _MARKER.findall(result.answer):
        bad += sum(1 for ref in re.split(r"\s*,\s*", group) if ref not in refs)
    return bad


_ROWS = (
    ("Antwort mit richtiger Quelle", "answered_with_correct_citation"),
    ("Zitierte Stellen auf richtiger Seite", "source_precision"),
    ("Erwartete Fakten in der Antwort", "expected_facts"),
    ("Fakten in den Schlüsselzeilen", "facts_in_key_lines"),
    ("Nicht beantwortbar -> not_found", "unanswerable_not_found"),
    ("Mehrdeutig -> Rückfrage", "ambiguous_clarify"),
    ("Unsicher -> Ablehnung", "unsafe_refused"),
    ("Suche Treffer@5", "search_hit5"),
    ("Zeichen je Antwort (Median)", "answer_chars_p50"),
    ("Fehlerhafte Quellenangaben", "malformed_citations"),
    ("Sekunden je Frage (Median)", "seconds_p50"),
)


def format_agent_eval(
    report: AgentReport, details: bool = False, baseline: dict[str, Any] | None = None
) -> str:
    """Return the report as a table (German labels); with ``baseline`` as "before -> now"."""
    data = report.to_json()
    lines = []
    if details:
        for s in report.scores:
            mark = "ok " if s.correct else "-- "
            facts = "" if s.facts is None else f" facts={s.facts:.2f}"
            key = "" if s.key_facts is None else f" key={s.key_facts:.2f}"
            prec = "" if s.precision is None else f" prec={s.precision:.2f}"
            lines.append(
                f"{mark}{s.id:6} {s.kind[:14]:14} -> {s.outcome:9}{facts}{key}{prec} "
                + " ".join(s.cited[:3])
            )
        lines.append("")
    head = f"{'Kennzahl':38} {'vorher':>7}   {'jetzt':>7}  n" if baseline else ""
    if head:
        lines += [head, "-" * len(head)]
    for label, key in _ROWS:
        now, count = _value(data.get(key))
        if baseline is not None:
            before, _ = _value(baseline.get(key))
            lines.append(f"{label:38} {_fmt(before):>7} -> {_fmt(now):>7}  {count or ''}")
        else:
            lines.append(f"{label:38} {_fmt(now):>7}  {f'(n={count})' if count else ''}")
    return "\n".join(line.rstrip() for line in lines)


def _value(raw: Any) -> tuple[float, int]:
    if isinstance(raw, list | tuple):
        return float(raw[0]), int(raw[1])
    return float(raw or 0.0), 0


def _fmt(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.2f}"


def _median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2] if values else 0.0
