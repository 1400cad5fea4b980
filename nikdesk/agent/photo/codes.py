"""Find error, warning and status codes in OCR text, forgiving OCR's look-alike letters."""

from __future__ import annotations

import re
from collections.abc import Iterator

# OCR confuses digits with look-alike letters; a code must still hold one real digit.
_DIGITISH = "0-9OoDQIl|SBZ"
_CONFUSIONS = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1"}
    | {"S": "5", "B": "8", "Z": "2"}
)
_LETTERS = "A-Za-zÄÖÜäöüß"
# "E050", "E-050", "F012", "W 102". A letter right after a number is a unit ("3000 W 230 V").
_LETTER_CODE = re.compile(
    rf"(?<![{_LETTERS}0-9])(?<!\d )([EFW])(?:[-‐–]|[ ]?)([{_DIGITISH}]{{2,4}})"
    rf"(?![{_LETTERS}0-9])"
)
_KEYWORDS = {
    "fehlercode": "Code",
    "errorcode": "Code",
    "error code": "Code",
    "code": "Code",
    "error": "Error",
    "err": "ERR",
    "fehler": "Fehler",
    "fault": "Fault",
    "alarm": "Alarm",
    "warnung": "Warnung",
    "warning": "Warning",
    "störung": "Störung",
}
# "Error 203", "Error: 203", "ERR 33", "Err33", "Fehler 2", "Störung Nr. 7": on one line only.
_KEYWORD_CODE = re.compile(
    rf"(?<![{_LETTERS}])(?i:({'|'.join(sorted(_KEYWORDS, key=len, reverse=True))}))"
    rf"[ \t]*[:#.\-]?[ \t]*(?i:n[or]\.?[ \t]*)?([{_DIGITISH}]{{1,5}})(?![{_LETTERS}0-9])"
)
# "ERROR NO CURRENT": status words after a keyword in capitals, on the same line.
_WORD_CODE = re.compile(
    r"(?<![A-Za-z])(ERROR|FAULT|FEHLER|ALARM|WARNING|WARNUNG)[ \t]*:?[ \t]*"
    r"([A-ZÄÖÜ][A-Za-zÄÖÜäöü \t]*)"
)
_MAX_CODE_WORDS = 4


def extract_codes(text: str) -> tuple[str, ...]:
    """Return the error/warning/status codes in ``text`` in canonical form, in reading order.

    ``"Error: 203"`` -> ``"Error 203"``, ``"E-05O"`` -> ``"E050"``, ``"Err33"`` -> ``"ERR 33"``,
    ``"W 102"`` -> ``"W102"``, ``"ERROR No CURRENT"`` -> ``"ERROR NO CURRENT"``.
    """
    text = _NEAR_KEYWORD.sub(_repaired_keyword, text)
    found: list[tuple[int, str]] = []
    for m in _LETTER_CODE.finditer(text):
        if (digits := _as_digits(m.group(2))) is not None:
            found.append((m.start(), f"{m.group(1)}{digits}"))
    for m in _KEYWORD_CODE.finditer(text):
        if (digits := _as_digits(m.group(2))) is not None:
            label = _KEYWORDS[" ".join(m.group(1).casefold().split())]
            found.append((m.start(), f"{label} {digits}"))
    for m in _WORD_CODE.finditer(text):
        words: list[str] = []
        end = m.start(2)
        for token in list(re.finditer(r"\S+", m.group(2)))[:_MAX_CODE_WORDS]:
            word = token.group()
            # Capitals, or a short word OCR read in mixed case ("No"); prose ends the code
            if len(word) < 2 or not (word.isupper() or (len(word) <= 3 and word[0].isupper())):
                break
            words.append(word.upper())
            end = m.start(2) + token.end()
        followed_by_number = text[end:].lstrip(" \t.:#-")[:1].isdigit()  # "ERROR CODE 12"
        if any(w.isupper() for w in words) and not followed_by_number:
            found.append((m.start(), " ".join([m.group(1), *words])))
    codes: list[str] = []
    for _, code in sorted(found, key=lambda item: item[0]):
        if code not in codes:
            codes.append(code)
    return tuple(codes)


# A word of 4-8 letters right before a number may be a keyword with one letter misread
_NEAR_KEYWORD = re.compile(rf"(?<![{_LETTERS}])([{_LETTERS}]{{4,8}})(?=[ \t]*[:#.\-]?[ \t]*\d)")
_LONG_KEYWORDS = tuple(key for key in _KEYWORDS if len(key) >= 5 and " " not in key)


def _repaired_keyword(match: re.Match[str]) -> str:
    """Return the keyword that ``match`` is a misreading of ("Errer" -> "Error"), or the word."""
    word = match.group(1)
    if word.casefold() in _KEYWORDS:
        return word
    for key in _LONG_KEYWORDS:  # the first letter must match: "Terror 5" is no "Error 5"
        if word[0].casefold() == key[0] and _one_edit(word.casefold(), key):
            return key.upper() if word.isupper() else key.capitalize()
    return word


def _as_digits(raw: str) -> str | None:
    """Return ``raw`` with OCR look-alikes mapped to digits, or None if it holds no real digit."""
    return raw.translate(_CONFUSIONS) if any(ch.isdigit() for ch in raw) else None


_TOKEN_EDGE = re.compile(r"^[^\wÄÖÜäöüß]+|[^\wÄÖÜäöüß]+$")


def _clean_tokens(text: str) -> Iterator[str]:
    """Yield the words of OCR text worth searching for, without frame and noise characters."""
    for raw in text.split():
        token = _TOKEN_EDGE.sub("", raw)
        alnum = _alnum(token)
        if token and alnum >= len(token) * 0.6 and (alnum >= 2 or token.isdigit()):
            yield token  # single letters are mostly segment fragments and frame edges


def _alnum(text: str) -> int:
    """Return how many letters and digits ``text`` holds."""
    return sum(ch.isalnum() for ch in text)


def _near_keyword(token: str) -> bool:
    """Tell whether ``token`` is a code keyword misread by at most one letter ("ERRER")."""
    token = token.casefold()
    return len(token) >= 3 and any(_one_edit(token, key) for key in _KEYWORDS if " " not in key)


def _one_edit(a: str, b: str) -> bool:
    """Tell whether ``a`` and ``b`` differ by at most one inserted, deleted or changed letter."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
