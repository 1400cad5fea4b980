"""Tell passages that say something from passages that only fill space.

Filler: a title page ("VE.Direct Protocol"), a cover with the maker's postal address, a
legal notice, a closing "thank you for reading", chart axis labels ("100.00% … Vdc=380 V"), a
table of contents, a document history, a table's notes cut off from it. A passage is filler by
its shape, whatever the question: the search ranks it lower, the answer quotes the page's
answering passage instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nikdesk.ingest.chunking import is_footnote
from nikdesk.retrieval.types import Chunk

_WORD = re.compile(r"[a-zäöüß]{3,}", re.IGNORECASE)
_TOKEN = re.compile(r"\S+")
# kinds of contact detail; a cover or contact page shows several of them
_CONTACT = (
    re.compile(r"\btel\b|\btelefon\b|\bphone\b|\bfax\b|\bhotline\b", re.IGNORECASE),
    re.compile(r"e-?mail|@\w", re.IGNORECASE),
    re.compile(r"www\.|https?://", re.IGNORECASE),
    re.compile(r"\bgmbh\b|\bco\. ?kg\b|\bag\b|\bltd\b|\binc\b", re.IGNORECASE),
    re.compile(r"str(asse|aße|\.)\s|\bstreet\b|\broad\b|\bpostfach\b", re.IGNORECASE),
    re.compile(r"\b[A-Z]?-?\d{5}\s+[A-ZÄÖÜ][a-zäöü]+\b(?!\s*(?:bits?|bytes?|baud)\b)"),
)
CONTACT_WORDS = 80  # a contact page is short; a long passage with a URL is content
_HISTORY = re.compile(
    r"^(?:v?\d+(?:\.\d+)+\s*\|\s*)?(?:19|20)\d\d[-./]\d{1,2}(?:[-./]\d{1,2})?\b.*\|",
    re.MULTILINE | re.IGNORECASE,
)
_LEADER = re.compile(r"\.{6,}|…{3,}")
# a line naming a page and then what stands there
_PAGE_ENTRY = re.compile(r"^(?:seite|page|s\.)\s*\d{1,3}\b(?!\s*(?:von|of|/)\s*\d)", re.I | re.M)
TOC_ENTRIES = 3
MIN_WORDS = 9  # fewer words than this is a title page or a bare heading
CONTACT_SIGNS = 3  # this many address/contact signs make a cover or contact page
FIGURE_NUMERIC = 0.5  # share of tokens with digits in a text (not a table) of axis labels
# a data sheet's numbered notes cut off from its table, above the page's footer: "1:
# Testbedingungen: 25°C, … 2: Siehe Batterie-Garantieerklärung … © 2022 Sungrow … Version 14"
# (a value list "1: Netzbetrieb 2: Inselbetrieb" has no footer)
_NUMBERED_NOTES = re.compile(r"^\s*1\s*:\s+\S.*?\s2\s*:\s+\S", re.DOTALL)
_FOOTER = re.compile(r"©|\(c\) ?\d{4}|all rights reserved|alle rechte vorbehalten", re.IGNORECASE)
NOTES_MAX_CHARS = 400
COVER_CHARS = 200  # a passage this short on a document's first page is its cover
# a protocol's bit map written as C bit fields: "Uint16 IsolationFault:1;//12" names the
# fault of bit 12 (its digits are no axis labels)
_BIT_FIELD = re.compile(r"\b[A-Za-z_]\w*\s*:\s*\d+\s*;")
BIT_FIELDS = 3
# a manual's legal notice: changes reserved without notice, copyright, no liability, "for
# reference only"; two of these make the passage boilerplate ("Alpha ESS … behält sich … das
# Recht auf Änderungen … ohne vorherige Ankündigung vor … dient lediglich Referenzzwecken. ©
# …"). One alone is content: go-e's parameter list may grow "ohne vorherige Ankündigung".
_LEGAL = (
    re.compile(r"ohne (vorherige )?ankündigung|without (prior |further )?notice", re.IGNORECASE),
    re.compile(
        r"©|\bcopyright\b|urheberrecht|alle rechte vorbehalten|all rights reserved", re.IGNORECASE
    ),
    re.compile(
        r"keinerlei haftung|haftungs(ausschluss|beschränkung)|no liability|not (be )?liable"
        r"|warranty of any kind|without warranty",
        re.IGNORECASE,
    ),
    re.compile(r"lediglich (zu )?referenzzwecken|for reference only", re.IGNORECASE),
)
LEGAL_SIGNS = 2
LEGAL_WORDS = 160  # a legal notice runs longer than a contact page, not as long as a chapter
# a closing page: "Vielen Dank für das Lesen des Alpha ESS Handbuchs … senden Sie uns einfach
# eine E-Mail"
_CLOSING = re.compile(
    r"^\W*(vielen )?dank(e)? für (das|ihr) lesen|^\W*thank(s| you) for reading", re.IGNORECASE
)
# a number other than a year ("© … 2015-2021") in a legal notice is content beside it: a
# warranty term, a spec row above the footer
# the document's version above its legal notice ("V1.23 / Urheberrechts-Erklärung …") is no
# content either
_VERSION = re.compile(r"\bv\d+(?:\.\d+)+\b", re.IGNORECASE)
_NOT_A_YEAR = re.compile(r"(?<!\d)(?!(?:19|20)\d\d(?!\d))\d+")


def is_filler_passage(chunk: Chunk) -> bool:
    """Tell whether a passage of a document is filler: by its shape, or as the cover.

    A title on the first page ("PIKO IQ/PLENTICORE · KOSTAL Interface description MODBUS
    (TCP) & SunSpec · with control information") has the words of a sentence, not its use.
    """
    text = chunk.text
    if chunk.page_start == 1 and len(text) < COVER_CHARS and " | " not in text:
        return True
    return is_filler(text)


@lru_cache(maxsize=4096)
def is_boilerplate(text: str) -> bool:
    """Tell whether a passage is a cover's or contact page's address, a legal notice or a
    manual's closing words: about the document, never about the device."""
    words = _WORD.findall(text)
    if _signs(_CONTACT, text) >= CONTACT_SIGNS and len(words) < CONTACT_WORDS:
        return True
    if len(words) < CONTACT_WORDS and _CLOSING.search(text):
        return True  # the closing words of a manual, first in their passage
    # a legal notice: copyright, liability, changes without notice
    return (
        len(words) < LEGAL_WORDS
        and _signs(_LEGAL, text) >= LEGAL_SIGNS
        and not _NOT_A_YEAR.search(_VERSION.sub(" ", text))
    )


@lru_cache(maxsize=4096)
def is_filler(text: str) -> bool:
    """Tell whether a passage says nothing a technician can use (title, address, chart labels)."""
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS and " | " not in text:
        return True  # a table row with a code and its meaning is short, yet content
    if is_boilerplate(text):
        return True
    if len(_HISTORY.findall(text)) >= 2:
        return True  # a document history: "2022-1-29 | wangjia nxing | Add … | V3.19"
    if (is_footnote(text) or _is_numbered_notes(text)) and " | " not in text:
        return True  # a table's notes cut off from it (the chunker keeps most with their table)
    if len(_LEADER.findall(text)) >= 2:
        return True  # a table of contents: "Serial port configuration ........ 4"
    if len(_PAGE_ENTRY.findall(text)) >= TOC_ENTRIES and " | " not in text:
        return True  # one by its page numbers first: "Seite 4 Montagehinweise EK893 / EK893A"
    if " | " not in text:
        tokens = _TOKEN.findall(text)
        numeric = sum(any(ch.isdigit() for ch in t) for t in tokens)
        if (
            tokens
            and numeric / len(tokens) >= FIGURE_NUMERIC
            and not _has_sentence(text)
            and len(_BIT_FIELD.findall(text)) < BIT_FIELDS
        ):
            return True
    return False


def _signs(patterns: tuple[re.Pattern[str], ...], text: str) -> int:
    # how many of ``patterns`` (kinds of sign) ``text`` shows
    return sum(bool(p.search(text)) for p in patterns)


def _is_numbered_notes(text: str) -> bool:
    return (
        len(text) <= NOTES_MAX_CHARS
        and bool(_NUMBERED_NOTES.match(text))
        and bool(_FOOTER.search(text))
    )


def _has_sentence(text: str) -> bool:
    # four plain words in a row: prose, not axis labels
    return bool(re.search(r"(?:\b[a-zäöüß]{3,}\b[,;]?\s+){3}[a-zäöüß]{3,}", text, re.IGNORECASE))
