"""Which codes a question asks about, and whether a manual lists them.

"Fehler 03" is also "3" and "E03" in a manual; "56.4 V" does not mention code 4. A manual
*lists* a code where a line starts with it, a table cell holds it alone or an error word names
it — "Fault record 3" only mentions the number.
"""

from __future__ import annotations

import re

from nikdesk.agent.ask import ask_of
from nikdesk.core.text import fold
from nikdesk.retrieval.hybrid import ERROR_WORDS, error_codes

# a numbered bit or status the question asks about ("Bit 21"; an error number is error_codes')
_NUMBERED = re.compile(r"\b(bits?|status)\s*[-:#=]?\s*(\d+)\b", re.IGNORECASE)


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
    "MPPT 100|35" only mention the number.
    """
    alts = "|".join(re.escape(f) for f in sorted(_forms(code)))
    listed = re.compile(
        rf"(?m)^\s*(?:{_PREFIX}0*)?(?:{alts})(?![0-9a-z.,])"
        rf"|(?:^|\| )(?:{_PREFIX}0*)?(?:{alts}) ?(?:\||$)"
        rf"|(?<![0-9a-z.,])(?:{alts}) ?[:=] ?[a-z]"
        rf"|\b(?:{ERROR_WORDS})\s*[:#=]?\s*0*(?:{alts})\b"
    )
    return bool(listed.search(text))


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
