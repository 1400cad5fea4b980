"""Find where on a photo the display text is, to zoom in and read it again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nikdesk.agent.photo.codes import _alnum, _near_keyword, extract_codes
from nikdesk.agent.photo.reading import _Pass, _Word

if TYPE_CHECKING:
    from PIL import Image

REGION_MARGIN_X = 3.0  # word heights kept around the display text: missed characters
REGION_MARGIN_Y = 1.2  # ...and missed lines
MIN_TEXT_HEIGHT = 8  # px in the overview: smaller ink is no readable display text
MIN_CROSSINGS = 4  # strokes across a line of text: "ERR 33" has 12
NEIGHBOUR_LINES = 2.5  # words this many word heights above or below a code line belong to it

_Region = tuple[int, int, int, int, float]  # left, top, right, bottom, text height


def _regions(passes: Sequence[_Pass], strokes: Image.Image) -> list[_Region]:
    """Return where to zoom in for the display text, most promising first; [] to read it all.

    With a code in the overview: around the code lines and the display lines next to them.
    Without: where text-like ink went unread, then around lines holding a digit, least
    confident first (a cleanly printed type label is read well already).
    """
    lines: dict[tuple[int, tuple[int, int, int]], list[_Word]] = {}
    for i, found in enumerate(passes):
        for w in found.words:
            if w.confidence >= 0.5 and _alnum(w.text) >= 2:
                lines.setdefault((i, w.line), []).append(w)
    sure = [w for words in lines.values() for w in words]
    coded = [
        w for words in lines.values() if extract_codes(" ".join(w.text for w in words))
        for w in words
    ]  # fmt: skip
    if coded:
        region = _around(coded, sure, strokes.size)
        return [region] if region is not None else []

    def promise(words: list[_Word]) -> tuple[bool, bool, float]:
        text = " ".join(w.text for w in words)
        return (
            not any(_near_keyword(t) for t in text.split()),
            not any(ch.isdigit() for ch in text),
            sum(w.confidence for w in words) / len(words),  # a clean type label reads well
        )

    ranked = sorted(lines.values(), key=promise)
    keyworded = [words for words in ranked if not promise(words)[0]]
    others = [words for words in ranked if promise(words)[0]]
    around = [_around(words, sure, strokes.size) for words in keyworded]
    around += _text_blobs(strokes, passes)
    around += [_around(words, sure, strokes.size) for words in others]
    return [r for r in around if r is not None]


def _around(anchor: list[_Word], sure: list[_Word], size: tuple[int, int]) -> _Region | None:
    """Return the box around the ``anchor`` words, their neighbour lines and a margin.

    None if that is most of the frame: a display filling the frame needs no zooming.
    """
    height = float(sorted(w.box[3] - w.box[1] for w in anchor)[len(anchor) // 2])
    top = min(w.box[1] for w in anchor) - NEIGHBOUR_LINES * height
    bottom = max(w.box[3] for w in anchor) + NEIGHBOUR_LINES * height
    words = anchor + [w for w in sure if w.box[1] >= top and w.box[3] <= bottom]
    width, full_height = size
    box = (
        max(0, int(min(w.box[0] for w in words) - REGION_MARGIN_X * height)),
        max(0, int(min(w.box[1] for w in words) - REGION_MARGIN_Y * height)),
        min(width, int(max(w.box[2] for w in words) + REGION_MARGIN_X * height)),
        min(full_height, int(max(w.box[3] for w in words) + REGION_MARGIN_Y * height)),
    )
    if (box[2] - box[0]) * (box[3] - box[1]) > 0.6 * width * full_height:
        return None
    return (*box, height)


def _text_blobs(strokes: Image.Image, passes: Sequence[_Pass]) -> list[_Region]:
    """Return where the stroke image holds text-like ink no pass has read, biggest first.

    The sparse overview misses small or low-contrast display text; ink in clusters of the
    shape of text lines shows where to zoom in. Clusters a pass has read already (a type
    label without a code) and long lines (housing edges) are left out.
    """
    import numpy as np

    cell = 8
    ink = np.asarray(strokes) < 128
    rows, cols = ink.shape[0] // cell, ink.shape[1] // cell
    counts = ink[: rows * cell, : cols * cell].reshape(rows, cell, cols, cell).sum(axis=(1, 3))
    on = counts >= 4
    joined = on.copy()  # bridge the gaps between letters and words of one line
    for shift in (1, 2):
        joined[:, shift:] |= on[:, :-shift]
        joined[:, :-shift] |= on[:, shift:]
    read = np.zeros_like(on)
    for found in passes:
        for w in found.words:
            if w.confidence >= 0.5:
                read[
                    w.box[1] // cell : w.box[3] // cell + 1, w.box[0] // cell : w.box[2] // cell + 1
                ] = True
    blobs: list[tuple[int, _Region]] = []
    seen = np.zeros_like(on)
    for r0, c0 in zip(*np.nonzero(joined), strict=True):
        if seen[r0, c0]:
            continue
        seen[r0, c0] = True
        stack, members = [(r0, c0)], []
        while stack:
            r, c = stack.pop()
            members.append((r, c))
            for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if 0 <= nr < rows and 0 <= nc < cols and joined[nr, nc] and not seen[nr, nc]:
                    seen[nr, nc] = True
                    stack.append((nr, nc))
        rs = [m[0] for m in members]
        cs = [m[1] for m in members]
        height, width = max(rs) - min(rs) + 1, max(cs) - min(cs) + 1
        mass = int(sum(counts[m] for m in members))
        unread = sum(1 for m in members if on[m] and not read[m])
        if height < 2 or not 1.5 * height <= width <= 30 * height:
            continue  # a dot, a line or a frame: text lines are wider than tall
        if len(members) < 0.35 * height * width:
            continue  # the outline of something
        if unread < 0.5 * sum(1 for m in members if on[m]):
            continue  # read already
        patch = ink[min(rs) * cell : (max(rs) + 1) * cell, min(cs) * cell : (max(cs) + 1) * cell]
        if _text_height(patch) < MIN_TEXT_HEIGHT or _crossings(patch) < MIN_CROSSINGS:
            continue  # too small to read, or a ring or frame fragment rather than letters
        line = _text_height(patch)
        margin = line * REGION_MARGIN_Y
        box = (
            max(0, int(min(cs) * cell - margin)),
            max(0, int(min(rs) * cell - margin)),
            min(ink.shape[1], int((max(cs) + 1) * cell + margin)),
            min(ink.shape[0], int((max(rs) + 1) * cell + margin)),
            line,
        )
        blobs.append((mass, box))
    return [box for _, box in sorted(blobs, key=lambda b: -b[0])]


def _crossings(ink: Any) -> int:
    """Return how many strokes the busiest row of a boolean ink array crosses."""
    import numpy as np

    return int(np.abs(np.diff(ink.astype(np.int8), axis=1)).sum(axis=1).max()) // 2


def _text_height(ink: Any) -> float:
    """Return the typical height of the text lines in a boolean ink array (rows of ink)."""
    import numpy as np

    profile = ink.sum(axis=1) > max(1, 0.05 * ink.shape[1])
    runs, run = [], 0
    for filled in np.append(profile, False):
        if filled:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    runs = [run for run in runs if run >= 4] or runs  # frame edges are a few rows thin
    return float(sorted(runs)[len(runs) // 2]) if runs else float(ink.shape[0])
