"""Lexical normalisation shared by indexing and querying (German/English, codes, numbers).

SQLite FTS5 folds neither ``ß``/``ss`` nor ``ä``/``ae``, and splits ``F-012`` into ``f`` and
``012``. So text is turned into our own token stream here and FTS5 only sees plain tokens.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
# a token: letters/digits, optionally joined by - _ . / (codes like F-012, DDSU666-H, 0x1A2B)
_TOKEN = re.compile(r"[0-9a-z]+(?:[-_./:][0-9a-z]+)*")
_SPLIT = re.compile(r"[-_./:]")
_DECIMAL = re.compile(r"^\d+\.\d+$")
_RUNS = re.compile(r"[a-z]+|[0-9]+")
# a name of 5+ letters with a lower-to-upper change inside ("UserSOH", "BatSOC"), not "kWh" or
# "SoC"; the abbreviations in it: "SOH", "SOC" (its words, "Grid" of "GridFreqRecoverTime",
# would make every camel-case table match "grid": measured, blind24 lost 3 correct pages)
_CAMEL = re.compile(r"(?<![A-Za-z])(?=[A-Za-z]*[a-z][A-Z])[A-Za-z]{5,}")
_CAPS = re.compile(r"[A-Z]{2,5}(?![a-z])")

_STOPWORDS_DE = """
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
auch auf aus bei beim bin bis bist da damit dann das dass dasselbe dazu dein deine dem den denn
der des dessen dich die dies diese dieselbe diesem diesen dieser dieses dir doch dort du durch
ein eine einem einen einer eines einfach er es etwas euch euer eure fuer gegen gewesen hab habe
haben hat hatte hier hin hinter ich ihm ihn ihnen ihr ihre im in indem ins ist jede jedem jeden
jeder jedes jetzt kann kein keine koennen konnte man manche mein meine mich mir mit muss nach
nicht nichts noch nun nur ob oder ohne sehr sein seine sich sie sind so soll sollte sondern um
und uns unser unter viel vom von vor wann war waren warum was weil welche welchem welchen
welcher welches wenn wer werde werden wie wieder will wir wird wo wohin wollen worden wurde zu
zum zur ueber gibt geht darf duerfen muessen welchen wieviel wieviele ab genau einstellen
meinem via
""".split()  # noqa: SIM905 - a word list reads better as text
_STOPWORDS_EN = """
a an and are as at be been but by can could do does for from had has have how i if in into is
it its me my of on or our should so than that the their them then there these they this to was
we were what when where which while who why will with would you your do does did any each about
via kind
""".split()  # noqa: SIM905 - a word list reads better as text
STOPWORDS = frozenset(_STOPWORDS_DE + _STOPWORDS_EN)


_ONLY_DE = frozenset(_STOPWORDS_DE) - frozenset(_STOPWORDS_EN)
_ONLY_EN = frozenset(_STOPWORDS_EN) - frozenset(_STOPWORDS_DE)


def is_english(text: str) -> bool:
    """Tell whether ``text`` reads as English: more English than German function words.

    Not ingest's ``detect_language``: that one guesses a whole document's language from a few
    stopwords and says "en" on a tie; a question is short, and "Es riecht verbrannt" holds no
    stopword of either list there.
    """
    english, german = _function_words(text)
    return english > german


def is_german(text: str) -> bool:
    """Tell whether ``text`` reads as German: more German than English function words."""
    english, german = _function_words(text)
    return german > english


def _function_words(text: str) -> tuple[int, int]:
    # how many of ``text``'s words are English-only and German-only function words
    words = re.findall(r"[a-z]+", fold(text))
    return sum(w in _ONLY_EN for w in words), sum(w in _ONLY_DE for w in words)


@lru_cache(maxsize=1)
def _stemmers() -> tuple[Stemmer.Stemmer, Stemmer.Stemmer]:
    return Stemmer.Stemmer("english"), Stemmer.Stemmer("german")


def fold(text: str) -> str:
    """Lower-case, fold umlauts/ß to ae/oe/ue/ss, strip other accents, unify decimal commas."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_UMLAUTS)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return _DECIMAL_COMMA.sub(".", text)


def raw_tokens(text: str) -> list[str]:
    """Split folded text into tokens; compound codes also yield their joined and split forms.

    A field name in camel case also yields its abbreviations: "BMS_UserSOH" is also "soh", so
    a question asking for the SOH meets its row.
    """
    out: list[str] = []
    for token in _TOKEN.findall(fold(text)):
        if _DECIMAL.match(token):
            out.append(token.replace(".", "p"))
            continue
        parts = [p for p in _SPLIT.split(token) if p] if _SPLIT.search(token) else [token]
        if len(parts) > 1:
            out.append("".join(parts))  # F-012 -> f012, so "F012" and "F-012" meet
        out.extend(parts)
        for part in parts:
            # "VDE4105" meets "VDE-AR-N 4105", "S1256" meets "1256"; hex stays whole
            if not part.startswith("0x") and not part.isalpha() and not part.isdigit():
                out.extend(run for run in _RUNS.findall(part) if len(run) >= 2)
    out.extend(fold(short) for name in _CAMEL.findall(text) for short in _CAPS.findall(name))
    return out


def terms(text: str, *, drop_stopwords: bool = False) -> list[str]:
    """Return index terms: raw tokens, words additionally stemmed (English and German)."""
    english, german = _stemmers()
    out: list[str] = []
    for token in raw_tokens(text):
        if drop_stopwords and token in STOPWORDS:
            continue
        if token.isalpha() and len(token) > 3:
            en = english.stemWord(token)
            de = german.stemWord(token)
            out.append(en)
            if de != en:
                out.append(de)
        else:
            out.append(token)
    return out


def index_text(text: str) -> str:
    """Return the space-joined term string stored in the FTS5 table."""
    return " ".join(terms(text))
