"""Register ranges per device type, where a protocol document declares them.

Growatt's protocol opens with "TL-X(MIN Type):03 register range:0~124,3000~3124;04 register
range:3000~3124,3125~3249" and a line like it for each other inverter type. The row a search
finds at input register 35 ("Pac H | Output power") is no TL-X's register: a TL-X reports its
output power at 3023. A question naming no type is asked which type is meant (see
``EvidencePolicy.family_options``); a reply naming one keeps the rows of that type's ranges
(``EvidencePolicy.family_rows``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nikdesk.agent.unprinted import SHOUTING
from nikdesk.core.text import fold

# "TL3-X(MAX、MID、MAC Type):03 register range:0~124,125~249;04 register range:0~124,125~249"
_DECLARED = re.compile(
    r"(?P<label>[A-Za-z][\w-]*(?:\s?\([^():]*\))?)\s*:\s*"
    r"(?P<body>(?:0?[34]\s*register\s*range\s*:\s*[\d~,\s]+;?\s*)+)",
    re.IGNORECASE,
)
_MENTIONS_RANGES = re.compile(r"register\s*range", re.IGNORECASE)
_RANGES = re.compile(r"0?([34])\s*register\s*range\s*:\s*([\d~,\s]+)", re.IGNORECASE)
_SPAN = re.compile(r"(\d+)\s*~\s*(\d+)")
_FUNCTIONS = {"3": "holding", "4": "input"}  # Modbus function codes 03 and 04
# the type words of a label's brackets: "MAX、MID、MAC Type" -> MAX, MID, MAC
_PARTS = re.compile(r"[\s,、/;]+")
# a register map's row starts with its address: "35. | Pac H | …", "3071 | Etogrid_today H"
_ADDRESS = re.compile(r"^\s*(\d{1,5})\.?\s*\|")
# "which register range do I read with function 04?", "welche Registerbereiche kann ich
# abfragen?": the declarations themselves are asked for
_ASKS_RANGES = re.compile(
    r"register\w*[\s-]*(range|bereich)|(address|adress)\w*[\s-]*(range|bereich)"
)
_SECTION = re.compile(r"\b(holding|input)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Family:
    """Device types with the same register ranges ("Storage (MIX, SPH)")."""

    label: str  # as offered to the technician: "TL3-X (MAX, MID, MAC)"
    names: frozenset[str]  # folded words naming it in a question: "tl3-x", "max", "mid", …
    spans: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]  # function -> address spans

    def holds(self, function: str, address: int) -> bool:
        """Tell whether the type reads (``function``: holding/input) register ``address``.

        A function whose ranges the declaration does not give takes the other function's:
        the index lost TL3-X's "04 register range:0~124,125~249" (a heading-shaped line with
        nothing under it), its "03 register range:0~124,125~249" stands.
        """
        declared = [spans for name, spans in self.spans if name == function]
        declared = declared or [spans for _, spans in self.spans]
        return any(lo <= address <= hi for spans in declared for lo, hi in spans)


def families_of(text: str) -> tuple[Family, ...]:
    """Return the device types a document declares register ranges for (two or more).

    Types with the same ranges are one family ("Storage (MIX, SPH)"): whichever of them the
    technician has, the same rows answer.
    """
    if not _MENTIONS_RANGES.search(text):
        return ()  # most documents: no declaration to read (the scan below costs start-up)
    flat = " ".join(unicodedata.normalize("NFKC", text).split())
    found: dict[tuple[tuple[str, tuple[tuple[int, int], ...]], ...], list[tuple[str, list[str]]]]
    found = {}
    for match in _DECLARED.finditer(flat):
        spans = tuple(
            (
                _FUNCTIONS[code],
                tuple((int(lo), int(hi)) for lo, hi in _SPAN.findall(body)),
            )
            for code, body in _RANGES.findall(match.group("body"))
        )
        head, _, inner = match.group("label").partition("(")
        parts = [p for p in _PARTS.split(inner.rstrip(") ")) if p and p.casefold() != "type"]
        found.setdefault(spans, []).append((head.strip(), parts))
    if len(found) < 2:
        return ()
    families = []
    for spans, types in found.items():
        heads = list(dict.fromkeys(head for head, _ in types))
        parts = list(dict.fromkeys(p for _, ps in types for p in ps))
        label = " / ".join(heads) + (f" ({', '.join(parts)})" if parts else "")
        names = frozenset(fold(n) for n in [*heads, *parts])
        families.append(Family(label, names, spans))
    return tuple(families)


def declares_ranges(line: str) -> bool:
    """Tell whether ``line`` is a declaration of a type's register ranges."""
    return bool(_DECLARED.search(unicodedata.normalize("NFKC", line)))


def asks_ranges(question: str) -> bool:
    """Tell whether ``question`` asks which register ranges there are to read."""
    return bool(_ASKS_RANGES.search(fold(question)))


_FUNCTION_ASKED = re.compile(r"\b(input|holding)[\s-]*reg")


def function_asked(question: str) -> str | None:
    """Return "input" or "holding" when ``question`` says which kind of register it means."""
    found = {m.group(1) for m in _FUNCTION_ASKED.finditer(fold(question))}
    return found.pop() if len(found) == 1 else None


def address_of(row: str) -> int | None:
    """Return the register address a map's row starts with, else None."""
    match = _ADDRESS.match(row)
    return int(match.group(1)) if match else None


def function_of(section: str) -> str | None:
    """Return "holding" or "input" for a register map's section heading ("4.2 Input Reg")."""
    match = _SECTION.search(section)
    return match.group(1).lower() if match else None


def says_name(name: str, question: str, trade_word: bool, maker: str = "") -> bool:
    """Tell whether ``question`` says the type name ``name`` (folded).

    A word of the trade ("max", "min") names the type only in capitals right after the
    maker's name or before a model number ("Growatt MAX", "MAX 100KTL3-X"), in a question
    that does not shout: "the MAX charge current", "10 MIN average" name none. "TL-X" may be
    written "TLX"; a type with a digit or a dash may end a model's name ("MIC750-3300TL-X",
    "MOD 10KTL3-X").
    """
    if trade_word:
        words = re.findall(r"\b[A-Za-zÄÖÜäöüß]{3,}\b", question)
        if sum(w.isupper() and w != name.upper() for w in words) >= SHOUTING * len(words):
            return False
        word = re.escape(name.upper())
        after_maker = rf"(?i:{re.escape(maker)})[\s-]+{word}\b" if maker else None
        before_model = rf"(?<![A-Za-z0-9]){word}[\s-]+[A-Za-z]*\d"
        return any(re.search(p, question) for p in (after_maker, before_model) if p is not None)
    text = fold(question)
    # "mic750-3300tl-x", "10ktl3-x": a model's name ends in the type
    ending = r"(?<![a-z])" if name.isalpha() else r"(?<![a-z]{2})"
    return any(
        re.search(rf"{ending}{re.escape(form)}(?![a-z0-9])", text)
        for form in {name, name.replace("-", "")}
    )
