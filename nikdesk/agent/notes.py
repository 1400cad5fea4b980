"""A table row's note markers and the notes they point to on the same page.

"0xED8C | Current (2, 3) | - | Sn32 | 0.001A" says under the table "Note 2: available for
BMV-712 since version v4.01 Note 3: available for BMV-70x since version v3.09"; "SB 3600TL-20 |
3.25.01.R*" says "* Diese Firmware-Version ist mindestens erforderlich …". A row is not the
whole answer without its notes: a technician reading "0.001A" alone would poll a register
their BMV-700 does not have.
"""

from __future__ import annotations

import re

# "(2, 3)", "(1)" after a word: the notes numbered so
_NUMBERED = re.compile(r"(?<=[A-Za-z\])])\s?\((\d{1,2}(?:\s*,\s*\d{1,2})*)\)")
# "R*", "Voltage *" at a cell's end, "(*)": the notes starred so (one to three stars)
_STARRED = re.compile(
    r"(?<=[\w.)])(\*{1,3})(?=\s*(?:\||$|\s))|\s(\*{1,3})(?=\s*(?:\||$))|\((\*{1,3})\)"
)
# "Note 2:", "Note1:", "Hinweis 9:", "Anmerkung 1:" opening a note
_NOTE = re.compile(r"\b(?:note|anmerkung|hinweis)\s?(\d{1,2})\s?:", re.IGNORECASE)
# a note line opened by its stars: "* Diese Firmware …", "**: Je …", "*) If an ENS …"
_STAR_NOTE = re.compile(r"^\s*\(?(\*{1,3})\)?\s?[:)]?\s*\S")


def marks(row: str) -> tuple[frozenset[str], frozenset[str]]:
    """Return the note numbers and the star marks ``row`` carries."""
    numbers = frozenset(n.strip() for m in _NUMBERED.finditer(row) for n in m.group(1).split(","))
    stars = frozenset(next(g for g in m.groups() if g) for m in _STARRED.finditer(row))
    return numbers, stars


def notes_of(row: str, lines: list[str]) -> list[str]:
    """Return the lines of ``lines`` holding the notes ``row`` points to, in page order.

    A note is a text line (no table row): "Note 2: …" for the mark "(2)", a line opened by
    the row's stars ("* …" for "R*", "** …" for "R**"), or a line explaining a "(*)" mark
    ("Note 1: items marked with (*) are available on BMV712 only").
    """
    numbers, stars = marks(row)
    if not numbers and not stars:
        return []
    out: list[str] = []
    for line in lines:
        if " | " in line or line.strip() == row.strip():
            continue
        if (numbers and any(m.group(1) in numbers for m in _NOTE.finditer(line))) or (
            stars
            and (
                ((m := _STAR_NOTE.match(line)) and m.group(1) in stars)
                or any(f"({s})" in line for s in stars)
            )
        ):
            out.append(line)
    return out
