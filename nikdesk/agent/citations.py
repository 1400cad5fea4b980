"""The answer contract for citations: only markers of passages retrieved in this run survive.

Model text streams through :class:`CitationFilter`, which holds back a bracket until it is
closed, keeps the markers the ledger knows ("[S2]", "[S1, S3]") and drops the rest, so an
invented source never reaches the screen — not even for a moment while streaming.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

log = logging.getLogger(__name__)

_MARKER = re.compile(r"^\[\s*S\d+(?:\s*[,;]\s*S\d+)*\s*\]$")
_REF = re.compile(r"S\d+")
MAX_HOLD = 24  # longer than any marker: a bracket that stays open is plain text


class CitationFilter:
    """Filter streamed text: keep valid citation markers, drop invented ones."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = set(known)
        self.cited: list[str] = []  # valid refs in order of first citation
        self.dropped: list[str] = []
        self._held = ""

    def feed(self, piece: str) -> str:
        """Take a streamed piece; return the text that is safe to show now."""
        out: list[str] = []
        for ch in piece:
            if self._held:
                self._held += ch
                if ch == "]":
                    out.append(self._resolve(self._held))
                    self._held = ""
                elif len(self._held) > MAX_HOLD or ch == "\n":
                    out.append(self._held)
                    self._held = ""
            elif ch == "[":
                self._held = ch
            else:
                out.append(ch)
        return "".join(out)

    def flush(self) -> str:
        """Return what is still held back at the end of the stream."""
        held, self._held = self._held, ""
        return held

    def _resolve(self, bracket: str) -> str:
        if not _MARKER.match(bracket):
            return bracket  # "[Hinweis]", "[1]": not a citation, leave it
        refs = _REF.findall(bracket)
        good = [r for r in refs if r in self.known]
        for ref in refs:
            if ref not in self.known:
                self.dropped.append(ref)
                log.warning("citation %s does not refer to a passage of this run: removed", ref)
        for ref in good:
            if ref not in self.cited:
                self.cited.append(ref)
        return f"[{', '.join(good)}]" if good else ""


def filter_text(text: str, known: Iterable[str]) -> tuple[str, list[str], list[str]]:
    """Filter a whole text at once; return (text, cited refs, dropped refs)."""
    f = CitationFilter(known)
    out = f.feed(text) + f.flush()
    return out, f.cited, f.dropped
