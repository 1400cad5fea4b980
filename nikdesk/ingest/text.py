"""Normalise extracted text and guess its language; shared by the PDF and Markdown parsers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# NFKC would turn these into plain digits/letters; "m²" and "µF" must stay as printed.
_KEEP_AS_IS = frozenset("¹²³µ")
_DROP = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\uf8ff]")
_BULLET_START = re.compile(r"^(?:[•·▪◦‣\-–*]\s|\(?\d{1,2}[.)]\s|\(?[a-z][.)]\s)")
# "Ein- und Ausgang": a hyphen before a conjunction is an elided word, not a line break.
_CONJUNCTIONS = frozenset({"und", "oder", "bis", "bzw", "sowie", "and", "or", "to", "nor"})
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_DE_STOPWORDS = (
    "der die das und ist nicht mit den dem des ein eine einer eines für auf wird werden "
    "sie sich von zu im bei oder auch wenn nur über nach kann können muss sind wie"
)
_EN_STOPWORDS = (
    "the and is are not with of to for on in be this that it by or from can must when "
    "if an as at will should which you your"
)
_STOPWORDS = {"de": frozenset(_DE_STOPWORDS.split()), "en": frozenset(_EN_STOPWORDS.split())}
_GENERIC_TITLES = frozenset(
    {"untitled", "unbenannt", "document", "dokument", "manual", "handbuch", "user manual"}
)
_OFFICE_PREFIX = re.compile(r"^(?:microsoft\s+\w+|word|excel|powerpoint)\s*-\s*", re.IGNORECASE)
_FILE_SUFFIX = re.compile(r"\.(?:docx?|xlsx?|pptx?|odt|pdf|indd|md|mdx)$", re.IGNORECASE)


def normalize_text(text: str) -> str:
    """Return text with ligatures, odd spaces, soft hyphens and control characters normalised."""
    text = text.translate(_DROP)
    if not text.isascii():
        text = "".join(c if c in _KEEP_AS_IS else unicodedata.normalize("NFKC", c) for c in text)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text)


def clean_inline(text: str) -> str:
    """Normalise text and collapse all whitespace (newlines too) to single spaces."""
    return " ".join(normalize_text(text).split())


def join_lines(lines: Sequence[str], vocabulary: frozenset[str] = frozenset()) -> str:
    """Normalise and join the lines of a paragraph, undoing safe line-end hyphenation.

    List items stay on their own line. ``vocabulary`` holds lower-cased words seen
    elsewhere in the document; a hyphenated compound it contains ("high-voltage")
    keeps its hyphen.
    """
    out = ""
    for raw in lines:
        raw = raw.rstrip()
        if raw.endswith("\u00ad"):  # a soft hyphen the PDF printed at the break
            raw = raw[:-1] + "-"
        line = " ".join(normalize_text(raw).split())
        if not line:
            continue
        if not out:
            out = line
        elif _BULLET_START.match(line):
            out += "\n" + line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha():
            out = _join_hyphenated(out, line, vocabulary)
        else:
            out += " " + line
    return out


def _join_hyphenated(before: str, line: str, vocabulary: frozenset[str]) -> str:
    """Append ``line`` to ``before``, which ends in a hyphen at a line break."""
    head = before.rsplit(maxsplit=1)[-1][:-1]
    tail = line.split(maxsplit=1)[0].rstrip(".,;:!?)")
    if tail.lower() in _CONJUNCTIONS:
        return f"{before} {line}"  # "Plus- und Minus-Pol"
    if not (head[-1:].islower() and tail[:1].islower()):
        return before + line  # "DC-" + "Trennung": a real hyphen, only the break goes
    compound, word = f"{head}-{tail}".lower(), f"{head}{tail}".lower()
    if compound in vocabulary and word not in vocabulary:
        return before + line
    return before[:-1] + line


def vocabulary_of(texts: Iterable[str]) -> frozenset[str]:
    """Collect the lower-cased words and hyphenated compounds used in some texts."""
    words: set[str] = set()
    for text in texts:
        for token in text.split():
            token = token.strip(".,;:!?()[]\"'").lower()
            if token and not token.endswith("-"):
                words.add(token)
    return frozenset(words)


def detect_language(text: str) -> str:
    """Guess whether text is German ("de") or English ("en") from common stopwords."""
    counts = dict.fromkeys(_STOPWORDS, 0)
    for word in _WORD.findall(text.lower()):
        for lang, stops in _STOPWORDS.items():
            if word in stops:
                counts[lang] += 1
    return "de" if counts["de"] > counts["en"] else "en"


def meaningful_title(title: str) -> str:
    """Clean a candidate title; return "" when it says nothing ("Untitled", a template name).

    Office export prefixes ("Microsoft Word - ") and file suffixes go; titles that are
    mostly non-Latin (a Chinese template name on an English manual) or generic are rejected.
    """
    title = _FILE_SUFFIX.sub("", _OFFICE_PREFIX.sub("", clean_inline(title)))
    title = title.replace("_", " ").strip()
    letters = [c for c in title if c.isalpha()]
    latin = sum(1 for c in letters if c.isascii() or "À" <= c <= "ž")
    if len(letters) < 3 or latin < 0.8 * len(letters) or title.lower() in _GENERIC_TITLES:
        return ""
    return title
