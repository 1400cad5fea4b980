"""Hold what OCR read off a display: the public :class:`DisplayReading` and one pass's words."""

from __future__ import annotations

from dataclasses import dataclass

from nikdesk.agent.photo.codes import _clean_tokens, extract_codes

GOOD_ENOUGH = 0.85  # a reading with a code and this mean confidence ends the search early
CODE_BONUS = 0.25  # a plausible code outweighs a few points of confidence
QUERY_MAX_CHARS = 120


@dataclass(frozen=True)
class DisplayReading:
    """What a device display says: its text, the codes on it, and who read it how well."""

    text: str  # display text, one line per display line
    codes: tuple[str, ...]  # canonical codes in reading order, e.g. ("E050", "Error 203")
    engine: str  # e.g. "tesseract 5.3.0"
    confidence: float | None  # mean word confidence 0..1; None if the engine gives none

    def query(self, max_chars: int = QUERY_MAX_CHARS) -> str:
        """Return the search text: the codes first, then the rest of the display text."""
        words: list[str] = []
        seen: set[str] = set()
        for word in [part for code in self.codes for part in code.split()]:
            if word.casefold() not in seen:
                seen.add(word.casefold())
                words.append(word)
        for token in _clean_tokens(self.text):
            found = extract_codes(token)
            if (found and set(found) <= set(self.codes)) or token.casefold() in seen:
                continue  # "Err33" is in the query already, as "ERR 33"
            seen.add(token.casefold())
            words.append(token)
        query = ""
        for word in words:
            if len(query) + 1 + len(word) > max_chars:
                break
            query = f"{query} {word}" if query else word
        return query


@dataclass(frozen=True)
class _Word:
    """One word Tesseract is reasonably sure of, with its box in the image it read."""

    text: str
    confidence: float  # 0..1
    box: tuple[int, int, int, int]  # left, top, right, bottom
    line: tuple[int, int, int]  # block, paragraph, line


@dataclass(frozen=True)
class _Pass:
    """What one Tesseract pass over one image made of it."""

    reading: DisplayReading
    words: tuple[_Word, ...]

    @property
    def score(self) -> float:
        """Rank passes: confident text first, a plausible code on top."""
        if not self.reading.text:
            return 0.0
        return (self.reading.confidence or 0.0) + (CODE_BONUS if self.reading.codes else 0.0)

    @property
    def good_enough(self) -> bool:
        """Tell whether looking further is not worth the time."""
        return bool(self.reading.codes) and (self.reading.confidence or 0.0) >= GOOD_ENOUGH
