"""Retrieval evaluation: hit@1, hit@5 and MRR per question kind, for several search modes."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nikdesk.core.errors import NikDeskError
from nikdesk.retrieval.hybrid import Retriever
from nikdesk.retrieval.types import Hit, SearchOptions


@dataclass(frozen=True)
class Question:
    """One evaluation question with the pages that answer it (empty: unanswerable)."""

    id: str
    question: str
    kind: str = "other"
    answers: tuple[tuple[str, tuple[int, ...]], ...] = ()


@dataclass
class Scores:
    """Accumulated metrics for one group of questions."""

    n: int = 0
    hit1: float = 0.0
    hit5: float = 0.0
    mrr: float = 0.0
    misses: list[str] = field(default_factory=list)

    def add(self, qid: str, rank: int | None) -> None:
        """Record the 1-based rank of the first correct hit (None: not in the list)."""
        self.n += 1
        if rank is None:
            self.misses.append(qid)
            return
        self.hit1 += rank == 1
        self.hit5 += rank <= 5
        self.mrr += 1.0 / rank

    def as_dict(self) -> dict[str, float | int]:
        """Return averaged figures."""
        n = max(self.n, 1)
        return {"n": self.n, "hit@1": self.hit1 / n, "hit@5": self.hit5 / n, "mrr": self.mrr / n}


def read_questions(path: Path) -> Iterator[Question | NikDeskError]:
    """Yield the questions of a JSONL file, or an error (with line number) for a bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NikDeskError(f"Cannot read questions file {path}: {exc}") from exc
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            answers = tuple(
                (a["file"], tuple(int(p) for p in a.get("pages", ())))
                for a in raw.get("answers", ())
            )
            yield Question(str(raw["id"]), str(raw["question"]), raw.get("kind", "other"), answers)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            yield NikDeskError(f"{path}:{n}: not a question object with id and question ({exc})")


def load_questions(path: Path) -> list[Question]:
    """Read a whole JSONL question file; the first bad line is an error naming its number."""
    questions = []
    for item in read_questions(path):
        if isinstance(item, NikDeskError):
            raise item
        questions.append(item)
    return questions


def first_correct_rank(question: Question, hits: Iterable[Hit]) -> int | None:
    """Return the 1-based rank of the first hit whose cited page is an answer page.

    Strict on purpose: a chunk spanning pages 14-15 is cited as page 14, so it only counts
    if page 14 holds the answer (that is what the technician gets to see first).
    """
    for rank, hit in enumerate(hits, 1):
        for file, answer_pages in question.answers:
            if hit.file == file and hit.page in answer_pages:
                return rank
    return None


def evaluate(
    retriever: Retriever,
    questions: list[Question],
    modes: tuple[str, ...] = ("hybrid", "hybrid-rrf", "dense", "lexical"),
    k: int = 5,
) -> dict[str, dict[str, Scores]]:
    """Return mode -> kind (and "ALL") -> Scores over the answerable questions."""
    result: dict[str, dict[str, Scores]] = {}
    for mode in modes:
        per_kind: dict[str, Scores] = defaultdict(Scores)
        for q in questions:
            if not q.answers:
                continue  # unanswerable: judged on the answer, not on retrieval
            hits = retriever.search(q.question, SearchOptions(k=k, mode=mode))
            rank = first_correct_rank(q, hits)
            per_kind[q.kind].add(q.id, rank)
            per_kind["ALL"].add(q.id, rank)
        result[mode] = dict(per_kind)
    return result
