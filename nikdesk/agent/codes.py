"""Which codes a question asks about, and whether a manual lists them.

"Fehler 03" is also "3" and "E03" in a manual; "56.4 V" does not mention code 4. A manual
*lists* a code where a line starts with it, a table cell holds it alone or an error word names
it — "Fault record 3" only mentions the number.
"""

from __future__ import annotations

import re

from nikdesk.agent.ask import ask_of
from nikdesk.agent.lines import is_map_row, register_name
from nikdesk.core.text import fold
from nikdesk.retrieval.hybrid import ERROR_WORDS, error_codes

# a numbered bit or status the question asks about ("Bit 21"; an error number is error_codes')
_NUMBERED = re.compile(r"\b(bits?|status)\s*[-:#=]?\s*(\d+)\b", re.IGNORECASE)


_WORDY = re.compile(r"[a-z]{3}")
_ERROR_NAME = re.compile(  # an error register's name (not a "production site code")
    r"\b(?:errors?|err|fehler\w*|alarms?|warn(?:ings?|ung\w*)?|faults?|stoerung\w*)\b"
)

# the letters an error list may put before a number ("E03", "F64", "ERR 33", "A1", "W12");
# another letter makes it another list's number ("H14", a history field, is no "ERR 14")
_PREFIX = r"(?:err?|ec|al|[efaw])?"


def _forms(code: str) -> set[str]:
    # a number with and without its leading zeros ("03", "3")
    return {code, code.lstrip("0") or "0"} if code.isdigit() else {code}


def mentions(text: str, code: str) -> bool:
    """Tell whether folded ``text`` mentions ``code`` ("03" also as "3" and "E03").

    A code inside a longer number ("56.4 V") or word does not count.
    """
    return any(
        re.search(rf"(?<![0-9a-z.]){re.escape(f)}(?![0-9a-z]|[.,][0-9])", text)
        for f in _forms(code)
    ) or (code.isdigit() and bool(re.search(rf"\b[a-z]{{1,3}}0*{code.lstrip('0') or '0'}\b", text)))


def lists_code(text: str, code: str) -> bool:
    """Tell whether folded ``text`` lists ``code`` as a code, not only mentions the number.

    Listed: a line starts with it, a table cell holds it alone or an error word names it
    ("20 | …", "… | 20", "8: NO_GROUND", "Fehler 03", "E03"); "Fault record 3" or
    "MPPT 100|35" only mention the number. In a register map's row (one with an access
    cell) only an error register's remark lists codes: its address, length and scale cells
    and another register's states are numbers of something else.
    """
    alts = "|".join(re.escape(f) for f in sorted(_forms(code)))
    listed = re.compile(
        rf"(?m)^\s*(?:{_PREFIX}0*)?(?:{alts})(?![0-9a-z.,])"
        rf"|(?:^|\| )(?:{_PREFIX}0*)?(?:{alts}) ?(?:\||$)"
        rf"|(?<![0-9a-z.,])(?:{alts}) ?[:=] ?[a-z]"
        rf"|\b(?:{ERROR_WORDS})\s*[:#=]?\s*0*(?:{alts})\b"
    )
    for line in _code_lines(text, code):
        if not is_map_row(line):
            if listed.search(line):
                return True
            continue
        # a register map's row lists codes only in an error register's remark ("0x204: 01
        # 0x205: 14" for battery undervoltage and inverter overload): "e007 | 1 |
        # equalizing charge voltage | rw" is an address, "f000 | 7 | last 7 days" a length,
        # "7: mains to inverter" a state of "current state"; SRNE's map lists no fault 07
        name = register_name(line)
        if _ERROR_NAME.search(name) and _remark_lists(_remarks(line, name), code):
            return True
    return False


def _remarks(row: str, name: str) -> str:
    # a register row's cells of words after its name ("fault record 7" names a register,
    # "| 1 |" is its scale; the remark says which codes it holds)
    after = row.split(name, 1)[1] if name else row
    return " | ".join(c for c in after.split(" | ") if _WORDY.search(c))


def _remark_lists(remark: str, code: str) -> bool:
    # a code standing as one: "0x205: 14", "14: battery undervoltage", "code 14"; not a bit
    # ("b26: pv panel counter-current") or a count ("a total of 64 bits", "16 addresses")
    alts = "|".join(re.escape(f) for f in sorted(_forms(code)))
    return bool(
        re.search(
            rf"[:=]\s*0*(?:{alts})\b(?!\s*(?:addresses|bits?|records?|bytes?))"
            rf"|(?<![0-9a-z.,])0*(?:{alts})\s*[:=]\s*[a-z]"
            rf"|\b(?:fault|error|fehler|alarm|code)\s*[:#=]?\s*0*(?:{alts})\b",
            remark,
        )
    )


def _code_lines(text: str, code: str) -> list[str]:
    # the lines holding the number at all (a cheap test before the row rules)
    numbers = _forms(code)
    return [line for line in text.splitlines() if any(n in line for n in numbers)]


def defined_codes(question: str) -> set[str]:
    """Return the error codes, registers and numbered bits asked about ("ERR 38", "Bit 21").

    A table may print a hex address bare ("210 | …"): "0x210" also yields "210". Not a
    model number ("US3000").
    """
    numbered = {m.group(2) for m in _NUMBERED.finditer(question)}
    numbers = {c for c in ask_of(question).codes if c.isdigit() or c.startswith("0x")}
    bare = {c[2:].lstrip("0") for c in numbers if c.startswith("0x") and c[2:].lstrip("0")}
    return error_codes(question) | numbered | numbers | bare


def defines_another(line: str, codes: set[str]) -> bool:
    """Tell whether ``line``'s first cell names a code, and not one of ``codes``.

    "Bit 2 | …" under a question about bit 21, "200 | 4 | Current fault bits".
    """
    head = line.split(" | ")[0] if " | " in line else " ".join(line.split()[:2])
    head = fold(head)
    return any(ch.isdigit() for ch in head) and not any(mentions(head, c) for c in codes)
