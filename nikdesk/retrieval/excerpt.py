"""Pick the lines of a chunk that answer the question (for display and highlighting)."""

from __future__ import annotations

from nikdesk.core.text import terms
from nikdesk.retrieval.types import Chunk


def excerpt(chunk: Chunk, question: str, max_chars: int = 600) -> str:
    """Return the chunk's most relevant lines in reading order, a table's header first."""
    lines = [line for line in chunk.text.splitlines() if line.strip()]
    if sum(len(line) + 1 for line in lines) <= max_chars:
        return "\n".join(lines)
    wanted = set(terms(question, drop_stopwords=True))
    scored = [(len(wanted.intersection(terms(line))), n) for n, line in enumerate(lines)]
    keep: set[int] = {0} if chunk.kind == "table" else set()
    budget = max_chars - sum(len(lines[n]) + 1 for n in keep)
    for score, n in sorted(scored, key=lambda item: (-item[0], item[1])):
        if score == 0 or len(lines[n]) + 1 > budget:
            continue
        keep.add(n)
        budget -= len(lines[n]) + 1
    if len(keep) <= (1 if chunk.kind == "table" else 0):
        return chunk.text[:max_chars].rstrip() + " …"
    out, last = [], -1
    for n in sorted(keep):
        if last >= 0 and n != last + 1:
            out.append("…")
        out.append(lines[n])
        last = n
    return "\n".join(out)
