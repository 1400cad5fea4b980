"""German -> English term expansion for lexical search over English manuals."""

from __future__ import annotations

import re
from collections.abc import Container
from functools import lru_cache
from pathlib import Path

from nikdesk.core.paths import resources_dir
from nikdesk.core.text import fold, raw_tokens, terms

MIN_SUFFIX = 5  # shortest glossary key matched as the head of a German compound


@lru_cache(maxsize=4)
def load_glossary(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Read resources/glossary/de_en.tsv into folded German term -> English phrases."""
    path = path or resources_dir() / "glossary" / "de_en.tsv"
    if not path.is_file():
        return {}
    table: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if "\t" not in line:
            continue
        german, english = line.split("\t", 1)
        key = fold(german.strip())
        phrases = tuple(e.strip() for e in english.split("|") if e.strip())
        table[key] = phrases
        # a question's "MPP-Tracker" is the token "mpptracker" (and its parts), never
        # "mpp-tracker": the hyphenated key is met by its joined form
        joined = re.sub(r"[^a-z0-9]", "", key)
        if joined != key:
            table.setdefault(joined, phrases)
    return table


# an abbreviation's plural without a vowel ("MPPTs", "BMSs"): the stemmer keeps the "s" of a
# word with no vowel, so "MPPTs" never met "MPPT". On the question's side only: the index's
# terms are made by nikdesk.core.text, and changing them means building every index again.
CAPS_PLURAL = re.compile(r"(?<![A-Za-z0-9])([B-DF-HJ-NP-TV-XZ]{2,6})s(?![A-Za-z0-9])")


def singulars(text: str) -> list[str]:
    """Return the folded singulars of ``text``'s abbreviation plurals ("MPPTs" -> "mppt")."""
    return [fold(single) for single in CAPS_PLURAL.findall(text)]


def expand(query: str, glossary: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """Return extra lexical terms: English equivalents of the German words in ``query``.

    A glossary key of several words ("ab werk") counts when they stand in a row in the
    question. And the singular of an abbreviation's plural ("MPPTs" -> "mppt").
    """
    glossary = load_glossary() if glossary is None else glossary
    extra: list[str] = singulars(query)
    if not glossary:
        return extra
    keys_by_len = sorted(glossary, key=len, reverse=True)
    # a phrase of the glossary ("ab Werk": factory default), said as its words in a row
    said = f" {' '.join(raw_tokens(query))} "
    for key in (k for k in keys_by_len if " " in k and f" {k} " in said):
        for phrase in glossary[key]:
            extra.extend(terms(phrase, drop_stopwords=True))
    # a separable verb, said apart: "läuft nicht an" is "anlaufen", "stell ich … um" "umstellen"
    for key in separable_verbs(query, glossary):
        for phrase in glossary[key]:
            extra.extend(terms(phrase, drop_stopwords=True))
    # in the question's order, each token once: the lexical search keeps the first MAX_TERMS
    # terms, so a set's order (it changes with the process's hash seed) changed the answer
    for token in dict.fromkeys(raw_tokens(query)):
        phrases = glossary.get(token)
        if phrases is None and token.isalpha() and len(token) > MIN_SUFFIX:
            # German compounds end in their head noun: "Ladeleistung" -> "leistung"
            head = next(
                (k for k in keys_by_len if len(k) >= MIN_SUFFIX and token.endswith(k)), None
            )
            phrases = glossary.get(head) if head else None
            if head:
                # and its modifier, when the glossary knows it: "Akkuspannung" is the
                # battery's voltage, not any voltage ("Kommunikationskabel", "Netzzähler")
                phrases = (*(phrases or ()), *_modifier(token[: -len(head)], glossary))
        for phrase in phrases or ():
            extra.extend(terms(phrase, drop_stopwords=True))
    return extra


# the particles a German verb leaves at its clause's end ("schaltet … ab", "stell … um")
PARTICLES = (
    "ab", "an", "auf", "aus", "ein", "fest", "frei", "hoch", "nach", "runter", "um", "vor",
    "zu", "zurueck",
)  # fmt: skip
# a clause is bounded by punctuation or a conjunction; a particle ends its clause
_CONJUNCTION = r"\b(?:und|oder|aber|obwohl|weil|wenn|bevor|nachdem|sobald|damit|dass|sondern)\b"
_CLAUSE_END = re.compile(rf"\s*(?:[?!.,;:)]|[-–]\s|$)|\s+{_CONJUNCTION}")
_CLAUSE_START = re.compile(rf"[?!.,;:]|{_CONJUNCTION}")
_WORD = re.compile(r"[a-z]+")
# the stems a strong verb's "ich"/"du" form changes: "gib … vor", "lies … aus", "nimm … ab"
_IRREGULAR = {"gib": "geb", "lies": "les", "nimm": "nehm"}


def separable_verbs(query: str, known: Container[str]) -> list[str]:
    """Return the infinitives in ``known`` of the separable verbs ``query`` says apart.

    German splits "anlaufen" into "der Verdichter läuft nicht an": the verb stands early, its
    particle ends the clause. A verb form before a clause-ending particle is tried as the
    infinitive particle + stem + "en"/"n" ("läuft" -> "anlaufen", "regelt" -> "abregeln",
    "geb ich … vor" -> "vorgeben"). Regular and umlauted stems only; a form ``known`` does not
    hold (the glossary's keys, or the verbs the line selection knows) adds nothing.
    """
    text = fold(query)
    found: list[str] = []
    for m in _WORD.finditer(text):
        particle = m.group()
        if particle not in PARTICLES or not _CLAUSE_END.match(text, m.end()):
            continue
        starts = [c.end() for c in _CLAUSE_START.finditer(text, 0, m.start())]
        clause = text[starts[-1] if starts else 0 : m.start()]
        for verb in _WORD.findall(clause):
            for key in _infinitives(verb, particle):
                if key in known and key not in found:
                    found.append(key)
    return found


def _infinitives(verb: str, particle: str) -> list[str]:
    if len(verb) < 3:
        return []
    stems = {verb, _IRREGULAR.get(verb, verb)}
    for ending in ("est", "en", "et", "st", "t", "e"):
        if verb.endswith(ending) and len(verb) - len(ending) >= 3:
            stems.add(verb[: -len(ending)])
    # "läuft" -> "lauf", "fährt" -> "fahr": the folded umlaut of a strong verb's present
    stems |= {s.replace("ae", "a").replace("oe", "o").replace("ue", "u") for s in stems}
    return [f"{particle}{s}{end}" for s in sorted(stems) for end in ("en", "n")]


MIN_MODIFIER = 3  # shortest glossary key matched as a compound's first part ("lan", "evu")


def _modifier(part: str, glossary: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Return the English phrases of a compound's first part ("akku", "batterie", "netz").

    With or without its linking "s" ("Kommunikations-"), or a lost final "e" ("Zell-").
    """
    if not part.isalpha():
        return ()
    for form in (part, part.removesuffix("s"), f"{part}e"):
        if len(form) >= MIN_MODIFIER and form in glossary:
            return glossary[form]
    return ()


def _plain(text: str) -> str:
    # folded words and numbers, one space apart ("start-up voltage?" -> "start up voltage")
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


@lru_cache(maxsize=1)
def _english_phrases() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return (folded English phrase of two words or more, its German terms), longest first."""
    found: dict[str, list[str]] = {}
    for german, phrases in load_glossary().items():
        for phrase in phrases:
            key = _plain(phrase)
            if len(key.split()) >= 2:
                found.setdefault(key, []).append(german)
    ordered = sorted(found.items(), key=lambda kv: -len(kv[0]))
    return tuple((k, tuple(v)) for k, v in ordered)


def german_terms(question: str) -> list[list[str]]:
    """Return the German words (folded) of the English phrases ``question`` says, per phrase.

    "sungrow SH RT pv start-up voltage?" says "start-up voltage": the German data sheet prints
    "Einschaltspannung" (and "Startspannung" elsewhere). Phrases of two words or more only:
    a single English word ("voltage") has too many German compounds to stand for one.
    """
    text = f" {_plain(question)} "
    out: list[list[str]] = []
    for phrase, germans in _english_phrases():
        if f" {phrase} " in text:
            # the whole German words (a stem "sicher" of "Sicherung" is in "Stellen Sie
            # sicher"), not a short one ("fi" is in "Wi-Fi"), nor the phrase itself run
            # together ("MPP-Tracker" is the German manual's word too)
            words = {re.sub(r"[^a-z0-9]", "", g) for g in germans}
            words = {w for w in words if len(w) >= 4 and w != phrase.replace(" ", "")}
            if words:
                out.append(sorted(words))
            text = text.replace(f" {phrase} ", " ")
    return out
