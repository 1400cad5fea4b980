"""Answer-level figures of one answered question: source precision, facts in the key lines.

They judge what a technician reads, line by line: how many of the quoted passages sit on a
page that answers the question, and whether the expected facts are in the **bold** key lines
(what the eye and the viewer's highlight go to), not only somewhere in the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from nikdesk.core.events import Source

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def on_answer_page(source: Source, answers: set[tuple[str, int]]) -> bool:
    """Tell whether ``source`` covers one of the correct (file, page) pairs."""
    return any((source.file, p) in answers for p in range(source.page, source.page_end + 1))


def source_precision(sources: Sequence[Source], answers: set[tuple[str, int]]) -> float | None:
    """Return the share of quoted passages on a correct page (None when nothing was quoted)."""
    if not sources:
        return None
    return sum(on_answer_page(s, answers) for s in sources) / len(sources)


# the characters compose escapes in a quoted passage ("Register\_Name", "QT\<cr>")
_ESCAPED = re.compile(r"\\([*_<])")


def key_lines(answer: str) -> str:
    """Return the answer's bold key lines, one per line, Markdown escapes removed."""
    found: list[str] = []
    for line in answer.splitlines():
        found.extend(m.group(1) for m in _BOLD.finditer(line))
    return "\n".join(_ESCAPED.sub(r"\1", s) for s in found)


def hit_at(hits: Iterable[tuple[str, int, int]], answers: set[tuple[str, int]]) -> bool:
    """Tell whether one of ``hits`` (file, first page, last page) lies on a correct page."""
    return any((f, p) in answers for f, first, last in hits for p in range(first, last + 1))


def mean(values: Iterable[float | None]) -> tuple[float, int]:
    """Return (mean, count) of the values that are not None."""
    rows = [v for v in values if v is not None]
    return (sum(rows) / len(rows) if rows else 0.0), len(rows)
