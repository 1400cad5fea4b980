"""Find where a cited passage sits on a PDF page: the word boxes to highlight (no Qt, no PDF).

A citation carries chunk text, not the page's text: ingest normalised it (ligatures "ﬁ"→"fi",
NBSP and runs of spaces → one space, soft hyphens dropped, line-end hyphenation undone) and
joined table cells with " | ". So matching runs on a *skeleton*: the NFKC-normalised,
case-folded letters and digits only; spaces, hyphens, pipes and punctuation drop out on both
sides. Every skeleton character remembers the page word it came from, so a match maps back to
word boxes, which are merged per printed line.

Search order:

1. the whole highlight line, exactly (on the skeleton); of several occurrences, the one
   nearest the cited passage wins;
2. failing that, its fragments (table cells, lines, sentences, clauses), each searched exactly,
   then the longest common runs of the fragments still unmatched. The longest piece anchors
   the result and only pieces near it stay (one table row or paragraph, not stray words from
   elsewhere on the page). A table row that still falls short (register tables: short cells
   such as "R/W" or "0x0250" printed column by column) is matched word by word in a band of
   lines around its rarest word, each word chained to the nearest match of the one before.
   A fallback result counts only when it covers most of the line and, for a table row,
   includes the row's first cell (its code or register): a look-alike row of a register
   table is not the cited one;
3. failing that, the same with the whole passage.

Why not ``pymupdf.Page.search_for``: it cannot see through " | " or undone hyphenation, and on
a real manual (Fronius Datamanager, p. 21, pymupdf 2.0 / MuPDF 1.28) its quads come out
shifted by two characters at a line start; word boxes from ``get_text("words")`` are exact.

Input is the page's words as pymupdf's ``get_text("words")`` tuples (see :func:`words_from`);
output is rectangles in the same (unrotated) page coordinates, in points.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

# A common run shorter than this (skeleton characters) is coincidence, not a citation.
MIN_RUN = 12
# A fallback result must cover this share of the searched text, or this many characters.
MIN_COVERAGE = 0.6
CONVINCING_RUN = 60
# Pieces of one passage lie within this many line heights of each other.
MAX_GAP_LINES = 2.5

# A table row matched word by word must find this share of its text within this many lines.
ROW_COVERAGE = 0.8
ROW_BAND_LINES = 4

_TOKEN_SPLIT = re.compile(r"[\s|]+")
_FRAGMENT_SPLIT = re.compile(r"\s*\|\s*|\s*\n\s*|(?<=[.!?;:])\s+|(?<=,)\s+(?=\D)")


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in PDF page points (origin top left, y down)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        """Return the rectangle's height."""
        return self.y1 - self.y0

    def union(self, other: Rect) -> Rect:
        """Return the smallest rectangle containing both."""
        return Rect(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )

    def gap(self, other: Rect) -> float:
        """Return the vertical distance between the two (0 when they share a band)."""
        return max(0.0, other.y0 - self.y1, self.y0 - other.y1)


@dataclass(frozen=True)
class Word:
    """One word printed on a page, with its box and the text line it belongs to."""

    rect: Rect
    text: str
    block: int = 0
    line: int = 0


def words_from(rows: Iterable[Sequence[Any]]) -> list[Word]:
    """Convert pymupdf ``page.get_text("words")`` tuples into words."""
    return [
        Word(Rect(float(r[0]), float(r[1]), float(r[2]), float(r[3])), str(r[4]), r[5], r[6])
        for r in rows
    ]


def fold(text: str) -> str:
    """Return the skeleton of ``text``: NFKC, case-folded, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def find_highlight(words: Sequence[Word], highlight: str, passage: str = "") -> list[Rect]:
    """Return one rectangle per printed line covering ``highlight`` (or else ``passage``).

    ``[]`` when neither can be found on the page with enough confidence.
    """
    page = _Skeleton(words)
    if not page.text:
        return []
    near = None
    if highlight.strip():
        hits = page.find_all(fold(highlight))
        if len(hits) > 1 and passage.strip():
            context = _locate(page, passage, None)
            near = _bbox(page, context) if context else None
        spans = [_nearest(page, hits, near)] if hits else _locate(page, highlight, near)
        if spans:
            return page.line_rects(spans)
    spans = _locate(page, passage, None) if passage.strip() else []
    return page.line_rects(spans)


@dataclass(frozen=True)
class _Span:
    start: int  # skeleton character offsets, end exclusive
    end: int

    def __len__(self) -> int:
        return self.end - self.start


class _Skeleton:
    """The page's skeleton text, each character mapped back to its word."""

    def __init__(self, words: Sequence[Word]) -> None:
        self.words = list(words)
        parts: list[str] = []
        self.owner: list[int] = []
        for i, word in enumerate(self.words):
            folded = fold(word.text)
            parts.append(folded)
            self.owner.extend([i] * len(folded))
        self.text = "".join(parts)
        self.word_len = [len(p) for p in parts]
        self.word_start = [0] * len(parts)
        self.by_text: dict[str, list[int]] = {}
        at = 0
        for i, part in enumerate(parts):
            self.word_start[i] = at
            at += len(part)
            if part:
                self.by_text.setdefault(part, []).append(i)
        heights = sorted(w.rect.height for w in self.words if w.rect.height > 0)
        self.line_height = heights[len(heights) // 2] if heights else 12.0
        self._matcher: SequenceMatcher[str] | None = None

    def find_all(self, needle: str) -> list[_Span]:
        """Return every occurrence of a skeleton string."""
        spans: list[_Span] = []
        if not needle:
            return spans
        at = self.text.find(needle)
        while at >= 0:
            spans.append(_Span(at, at + len(needle)))
            at = self.text.find(needle, at + 1)
        return spans

    def common_runs(self, needle: str) -> list[str]:
        """Return the longest runs of ``needle`` found on the page, greedily, longest first."""
        if self._matcher is None:
            self._matcher = SequenceMatcher(None, "", self.text, autojunk=False)
        runs, todo = [], [needle]
        while todo:
            part = todo.pop()
            if len(part) < MIN_RUN:
                continue
            self._matcher.set_seq1(part)
            match = self._matcher.find_longest_match(0, len(part), 0, len(self.text))
            if match.size < MIN_RUN:
                continue
            runs.append(part[match.a : match.a + match.size])
            todo += [part[: match.a], part[match.a + match.size :]]
        return runs

    def word_ids(self, span: _Span) -> range:
        """Return the words a span touches, minus edge words it barely grazes."""
        first, last = self.owner[span.start], self.owner[span.end - 1]
        if first < last and self._covered(first, span) * 2 < self.word_len[first]:
            first += 1
        if first < last and self._covered(last, span) * 2 < self.word_len[last]:
            last -= 1
        return range(first, last + 1)

    def _covered(self, word: int, span: _Span) -> int:
        return sum(1 for i in range(span.start, span.end) if self.owner[i] == word)

    def box(self, span: _Span) -> Rect:
        """Return the bounding box of a span's words."""
        ids = self.word_ids(span)
        box = self.words[ids[0]].rect
        for i in ids[1:]:
            box = box.union(self.words[i].rect)
        return box

    def line_rects(self, spans: Iterable[_Span]) -> list[Rect]:
        """Return the spans' word boxes merged per printed line, top to bottom."""
        lines: dict[tuple[int, int], Rect] = {}
        for span in spans:
            for i in self.word_ids(span):
                word = self.words[i]
                key = (word.block, word.line)
                lines[key] = lines[key].union(word.rect) if key in lines else word.rect
        return sorted(set(lines.values()), key=lambda r: (r.y0, r.x0))


def _fragments(text: str) -> list[str]:
    """Split text into table cells, lines, sentences and clauses (skeletons, unique)."""
    seen: dict[str, None] = {}
    for part in _FRAGMENT_SPLIT.split(text):
        folded = fold(part)
        if folded:
            seen.setdefault(folded)
    return list(seen)


def _locate(page: _Skeleton, text: str, near: Rect | None) -> list[_Span]:
    """Return the spans of ``text`` on the page: exactly, else by fragments; [] if unsure."""
    whole = fold(text)
    if not whole:
        return []
    hits = page.find_all(whole)
    if hits:
        return [_nearest(page, hits, near)]
    pieces: list[tuple[str, list[_Span]]] = []
    for fragment in _fragments(text):
        found = page.find_all(fragment)
        if found:
            pieces.append((fragment, found))
        else:
            pieces += [(run, page.find_all(run)) for run in page.common_runs(fragment)]
    spans = _cluster(page, pieces, near)
    covered = sum(len(s) for s in spans)
    if "|" in text and covered < len(whole):
        row, row_covered = _row(page, text)
        if row_covered > covered:
            spans, covered = row, row_covered
    if covered < min(CONVINCING_RUN, MIN_COVERAGE * len(whole)):
        return []
    if "|" in text and not _has_key(page, spans, text.split("|", 1)[0]):
        return []  # a row without its code/register is a look-alike row, not the cited one
    return spans


def _has_key(page: _Skeleton, spans: list[_Span], key: str) -> bool:
    """Return whether the spans' words include every word of ``key`` (a row's first cell)."""
    words = {i for span in spans for i in page.word_ids(span)}
    return all(
        any(set(page.word_ids(hit)) <= words for hit in page.find_all(token))
        for token in map(fold, key.split())
        if token
    )


def _row(page: _Skeleton, text: str) -> tuple[list[_Span], int]:
    """Match a table row word by word in a band around its rarest word; ([], 0) if unsure."""
    tokens = [t for t in map(fold, _TOKEN_SPLIT.split(text)) if t]
    known = [i for i, t in enumerate(tokens) if t in page.by_text]
    if len(tokens) < 2 or not known:
        return [], 0
    key = min(known, key=lambda i: (len(page.by_text[tokens[i]]), -len(tokens[i]), i))
    best: dict[int, int] = {}
    for anchor in page.by_text[tokens[key]][:20]:
        chosen = {key: anchor}
        for order in (range(key + 1, len(tokens)), range(key - 1, -1, -1)):
            prev = anchor
            for i in order:
                word = _next_word(page, tokens[i], prev, anchor, set(chosen.values()))
                if word is not None:
                    chosen[i] = prev = word
        if sum(map(len, (tokens[i] for i in chosen))) > sum(map(len, (tokens[i] for i in best))):
            best = chosen
    covered = sum(len(tokens[i]) for i in best)
    if len(best) < 2 or covered < ROW_COVERAGE * sum(map(len, tokens)):
        return [], 0
    spans = [
        _Span(page.word_start[w], page.word_start[w] + page.word_len[w]) for w in best.values()
    ]
    return sorted(spans, key=lambda s: s.start), covered


def _next_word(page: _Skeleton, token: str, prev: int, anchor: int, used: set[int]) -> int | None:
    """Return the unused word reading ``token`` nearest ``prev``, in the anchor's band."""
    line = page.line_height
    band = page.words[anchor].rect
    after = page.words[prev].rect
    best, best_cost = None, float("inf")
    for i in page.by_text.get(token, ()):
        r = page.words[i].rect
        if i in used or r.gap(band) > ROW_BAND_LINES * line:
            continue
        # next on the same line beats the next line, which beats a neighbouring cell's line
        cost = (
            10 * abs(r.y0 - after.y0) / line
            + min(abs(r.x0 - after.x1), abs(after.x0 - r.x1)) / line
        )
        if cost < best_cost:
            best, best_cost = i, cost
    return best


def _cluster(
    page: _Skeleton, pieces: list[tuple[str, list[_Span]]], near: Rect | None
) -> list[_Span]:
    """Anchor on the longest piece and keep the pieces lying close to it."""
    pieces = sorted(pieces, key=lambda p: -len(p[0]))
    if not pieces or len(pieces[0][0]) < MIN_RUN:
        return []
    max_gap = MAX_GAP_LINES * page.line_height
    anchor_hits = pieces[0][1]
    if near is not None:
        anchor = _nearest(page, anchor_hits, near)
    else:  # the occurrence with the most of the other pieces around it
        anchor = max(anchor_hits, key=lambda s: _support(page, s, pieces[1:], max_gap))
    chosen, used, box = [anchor], {pieces[0][0]}, page.box(anchor)
    for text, hits in pieces[1:]:
        if text in used:
            continue
        free = [h for h in hits if not any(_overlaps(h, c) for c in chosen)]
        if not free:
            continue
        best = _nearest(page, free, box)
        limit = max_gap if len(text) >= MIN_RUN else page.line_height  # short: same band only
        if page.box(best).gap(box) <= limit:
            chosen.append(best)
            used.add(text)
            box = box.union(page.box(best))
    return sorted(chosen, key=lambda s: s.start)


def _support(
    page: _Skeleton, span: _Span, others: list[tuple[str, list[_Span]]], max_gap: float
) -> int:
    box = page.box(span)
    return sum(
        len(text) for text, hits in others if any(page.box(h).gap(box) <= max_gap for h in hits)
    )


def _nearest(page: _Skeleton, spans: list[_Span], near: Rect | None) -> _Span:
    """Return the span closest to ``near`` (the first one when there is no reference)."""
    if near is None or len(spans) == 1:
        return spans[0]
    return min(spans, key=lambda s: (page.box(s).gap(near), abs(page.box(s).y0 - near.y0)))


def _overlaps(a: _Span, b: _Span) -> bool:
    return a.start < b.end and b.start < a.end


def _bbox(page: _Skeleton, spans: list[_Span]) -> Rect:
    box = page.box(spans[0])
    for span in spans[1:]:
        box = box.union(page.box(span))
    return box
