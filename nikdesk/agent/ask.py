"""What a question asks for, in the forms a line of a manual can match.

The question's words with their stems, joined/split codes and English glossary terms, the
codes it names (not the device's model number), quoted display texts, LED colours, the asked
kinds of value and whether it sets something over a data interface. Computed once per
question (cached) and matched against many lines by :mod:`nikdesk.agent.lines`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from nikdesk.agent.guards import AnswerType, asked_types
from nikdesk.agent.spelling import one_spelling
from nikdesk.core.text import STOPWORDS, fold, is_german, raw_tokens, terms
from nikdesk.retrieval.glossary import PARTICLES, expand, german_terms
from nikdesk.retrieval.glossary import separable_verbs as split_verbs
from nikdesk.retrieval.hybrid import code_tokens, error_codes
from nikdesk.retrieval.routing import DENYING

_QUOTED = re.compile(r"[\"'„“‚‘»«]([^\"'„“”‚‘’»«]{3,60})[\"'“”‘’»«]")
_WORD_SPLIT = re.compile(r"[\s,;!?()]+")  # a question's words, "3000TL-X" and "BMV-702" whole
NEGATION = re.compile(r"\b(nicht|kein\w*|nie|niemals|not|no|never|cannot)\b")
_COLOURS = {
    "rot": "red",
    "gruen": "green",
    "gelb": "yellow",
    "orange": "orange",
    "blau": "blue",
    "weiss": "white",
}
_QUANTITY = re.compile(
    r"wie (viele?|hoch|gross|lang|schwer|breit|tief|weit)|how (many|much|long|high|large)"
    r"|welche[rsn]? (wert|spannung|strom|leistung|temperatur|baud|adresse|register)"
    r"|maximal|minimal|\bmax\b|\bmin\b|mindest|hoechst|bereich|range"
)
# the question asks in which unit a value comes ("in welcher Einheit kommt die PV-Spannung?",
# "what's the resolution?"): a register row's unit cell ("VPV | mV | Panel voltage") answers
_UNIT = re.compile(
    r"\b(einheit|units?|aufloesung|resolution|skalierung\w*|scal(e|ing)( factor)?|faktor|factor)\b"
)
# the question sets something over a data interface ("Über welches Register stelle ich die
# Einspeisebegrenzung ein?", "which holding registers switch on export limitation"): a row
# the master can only read does not answer it
_INTERFACE = re.compile(r"register|modbus|holding|\bapi\b|sunspec|rs485|\bhex\b|befehl|command")
# verbs only: "die Einstellung", "die Begrenzung", "die Steuerung" may just be read
_WRITES = re.compile(
    r"\b((ein|aus|um|zurueck)?(stell|setz|schalt)(e|en|t|et)?|festleg(e|en|t)|vorgeb(e|en)"
    r"|(de)?aktivier(e|en|t)|begrenz(e|en|t)|aender(e|n|t)|schreib(e|en|t)|steuer(e|n|t)"
    r"|regel(e|n|t)|neu ?start(e|en|et)?|(gebe|leg(e|t)) [^?,]{0,60}\b(vor|fest)\b"
    r"|werkseinstellung"
    r"|set|sets|write|writes|switch\w*|enable|disable|change|configure|adjust|turn"
    r"|curtail\w*|reset|restart|reboot)\b"
)

# ... or only reads it ("wo lese ich … aus", "woran seh ich per Modbus", "which register tells
# me"): a row the master can only write does not answer it
_READS = re.compile(
    r"\b(lese|lesen|liest|ausles\w*|abfrag\w*|abruf\w*|seh(e)?|sieht|erkenne?|erkennt"
    r"|read|reads|query|monitor\w*|see|tells?)\b"
)


# what a register question asks for, after the register or the verb reading it: "ein
# Input-Register mit der Zyklenzahl, die das BMS meldet", "in welchem Register steht der
# Gesamtertrag", "which register gives me the battery temperature". Its words weigh more
# than the words saying which device and setup ("Growatt SPH mit Lithium-Akku").
_PHRASE = r"(?P<asked>(?:(?!\. |\s[–-]\s)[^?,;:]){3,80})"  # up to the clause's end
_FOCUS = (
    re.compile(rf"\bregister\w*[^?,;:]{{0,12}}?\b(mit|fuer|for|with|holding|containing) {_PHRASE}"),
    re.compile(
        r"\b(register\w*|modbus|holding|input|api|sunspec|befehl|command)\b[^?.]{0,40}?"
        r"\b(steht|stehen|liegt|finde ich|lese ich|les ich|krieg ich|bekomme ich|hol ich"
        r"|hole ich|liefert|liefern|zeigt|enthaelt|hat|haben|gives?|holds?|returns?|has|have"
        rf"|contains?|shows?|reports?|tells?)\b {_PHRASE}"
    ),
    # the verb before the interface: "wo les ich per Modbus den SOH aus"
    re.compile(
        r"\b(les|lese|krieg|bekomme|hol|hole|finde) ich (per|ueber|via|im|in|aus|vom|von)"
        rf" (modbus|api|sunspec|rs485|register\w*)( \w+)? {_PHRASE}"
    ),
)
# (eleventh session, 1.5 and 2.0 swept: blind18+19 facts 0.775 -> 0.789, key-line facts
# 0.719 -> 0.728, correct page +1; the 867 correct page -2, facts unchanged; held out 690 +1)
FOCUS_WEIGHT = 2.0


# per word of a question, its forms with their weights (see Ask.concepts)
Concepts = tuple[tuple[tuple[str, float], ...], ...]


def print_weights(
    concept: tuple[tuple[str, float], ...], asked: frozenset[str]
) -> list[tuple[str, float]]:
    """Return ``concept``'s forms weighed as the manuals print them (below 1.0: printed).

    A register question's asked words (every form in ``asked``, see Ask.asked) weigh
    FOCUS_WEIGHT times that in the concepts (see _concepts).
    """
    scale = FOCUS_WEIGHT if all(f in asked for f, _ in concept) else 1.0
    return [(f, w / scale) for f, w in concept]


@dataclass(frozen=True)
class Ask:
    """What a question asks for, in the forms a line of a manual can match."""

    terms: frozenset[str]
    # one entry per word of the question: its forms (stems, joined/split codes, English
    # glossary terms) with their weights; a line sharing any form earns the best one's weight
    concepts: Concepts
    names: frozenset[str]  # device names of the question (weigh little: see set_device_names)
    words: frozenset[str]  # plain words of 5+ letters, for compound parts
    codes: frozenset[str]
    quoted: tuple[str, ...]  # quoted display texts ("PV Isolation Low"), folded
    pairs: tuple[str, ...]  # neighbouring question words, folded
    kinds: tuple[AnswerType, ...]  # asked kinds of value (units)
    quantity: bool  # asks for a number of some kind
    colours: frozenset[str]  # LED colours, in both languages
    negated: bool = False  # the question says "nicht", "kein", "not" …
    writes: bool = False  # the question sets a value over a data interface
    reads: bool = False  # ... or only reads one
    # a register question's asked words in all their forms ("Batterie-SOC": batteri, battery,
    # soc): a register row named in these words alone names what is asked
    asked: frozenset[str] = frozenset()
    bits: frozenset[str] = frozenset()  # the bit numbers asked about ("Bit 12 gesetzt": "12")
    # the terms a negation stands before ("nicht ins EEPROM schreibt": eeprom, schreibt)
    denied: frozenset[str] = frozenset()
    # per word a negation stands before, its terms ("keine RS485-Kommunikation": rs485 …,
    # kommunikation …): the symptom a fault table's row may name (see lines.names_symptom)
    symptom: tuple[frozenset[str], ...] = ()
    unit: bool = False  # asks in which unit (or scale) a value comes


# "Bit 12", "bit 3 is set", "Bits 0-3": the numbered bits a question asks about
_BIT = re.compile(r"(?:\b|(?<=fehler)|(?<=error)|(?<=warn))bits?\s*[-:#=]?\s*(\d{1,2})\b")

_DEVICE_NAMES: frozenset[str] = frozenset()
# (words, question) -> word weights; see Retriever.term_weights (None: every word weighs 1)
Weights = Callable[[Iterable[str], str], dict[str, float]]
_WEIGHTS: Weights | None = None
# caches of answers computed from an Ask (the quoted lines): cleared with ask_of's
_DEPENDENT_CACHES: list[Callable[[], None]] = []


def clear_with_asks(clear: Callable[[], None]) -> None:
    """Register a cache built on :func:`ask_of` to be cleared when the library changes."""
    _DEPENDENT_CACHES.append(clear)


def _changed() -> None:
    ask_of.cache_clear()
    for clear in _DEPENDENT_CACHES:
        clear()


def set_term_weights(weights: Weights | None) -> None:
    """Tell the line selection how to weigh the question's words (once per opened index)."""
    global _WEIGHTS
    _WEIGHTS = weights
    _changed()


def set_device_names(names: frozenset[str]) -> None:
    """Tell the line selection the library's product/maker names (once per opened index).

    A device name ("datamanager", "sbr096", "x1") is in nearly every line of its manual and
    in the header row of its data sheet: it says which manual, not which line.
    """
    global _DEVICE_NAMES
    # stems of the words only: split into runs, "3p33" (from "3.33") would hide error 33
    stemmed = frozenset(names) | frozenset(t for n in names if n.isalpha() for t in terms(n))
    if stemmed != _DEVICE_NAMES:
        _DEVICE_NAMES = stemmed
        _changed()


def device_names() -> frozenset[str]:
    """Return the library's product/maker names, stemmed (see :func:`set_device_names`)."""
    return _DEVICE_NAMES


@lru_cache(maxsize=256)
def ask_of(question: str) -> Ask:
    """Return what ``question`` asks for (cached: one question scores many lines)."""
    folded = fold(question)
    interface = bool(_INTERFACE.search(folded))
    writes = interface and bool(_WRITES.search(folded))
    raw = [t for t in raw_tokens(question) if t not in STOPWORDS]
    quoted = [fold(m.group(1)).strip() for m in _QUOTED.finditer(question)]
    plain = [t for t in raw if t.isalpha() and len(t) >= 3]
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(plain)]
    colours = {c for c in _COLOURS if re.search(rf"\b{c}", folded)}
    colours |= {_COLOURS[c] for c in colours}
    colours |= {c for c in _COLOURS.values() if re.search(rf"\b{c}\b", folded)}
    names = _DEVICE_NAMES
    wanted = set(terms(question, drop_stopwords=True)) | set(expand(question))
    concepts, asked = _concepts(question, names, _focus(folded) if interface else frozenset())
    return Ask(
        terms=frozenset(wanted - names),
        concepts=concepts,
        names=frozenset(wanted & names),
        words=frozenset(t for t in raw if t.isalpha() and len(t) >= 5 and t not in names),
        codes=one_spelling(
            _whole_codes(code_tokens(question))
            - names
            - (_model_numbers(question, names) - error_codes(question))
        ),
        quoted=tuple(q for q in quoted if q),
        pairs=tuple(dict.fromkeys(pairs)),
        kinds=tuple(asked_types(question, strict_only=False)),
        quantity=bool(_QUANTITY.search(folded)),
        colours=frozenset(colours),
        negated=bool(NEGATION.search(folded)),
        writes=writes,
        reads=interface and not writes and bool(_READS.search(folded)),
        asked=asked,
        bits=frozenset(str(int(m.group(1))) for m in _BIT.finditer(folded)),
        denied=denied_terms(question) - names,
        symptom=denied_words(question, names),
        unit=bool(_UNIT.search(folded)),
    )


def _after_negation(most: int) -> re.Pattern[str]:
    # a negation and the (up to ``most``) words after it: "nicht ins EEPROM schreibt", "ohne
    # EEPROM", "not saved"
    return re.compile(rf"\b(?:{DENYING}|never)((?:\s+[\w-]+){{1,{most}}})")


_DENIED = _after_negation(3)


def denied_terms(text: str) -> frozenset[str]:
    """Return the terms of the words a negation in ``text`` stands before.

    "Wird nicht im EEPROM gespeichert" denies "eeprom" and "gespeichert"; "Wird im EEPROM
    gespeichert" denies nothing: a question asking for the register "das nicht ins EEPROM
    schreibt" is answered by the first row, not the second.
    """
    return frozenset(
        t for m in _DENIED.finditer(fold(text)) for t in terms(m.group(1), drop_stopwords=True)
    )


def denied_words(text: str, names: frozenset[str] = frozenset()) -> tuple[frozenset[str], ...]:
    """Return the terms of each word of the symptom a negation in ``text`` names, word by word.

    The symptom is the phrase right after the negation, up to a preposition: "no rs485
    communication with the inverter" -> ({rs, 485, rs485}, {communic, communication}). Not
    "mehr"/"more" ("keine Verbindung mehr"), stopwords or device names; nothing when the
    negation denies an identity ("es ist nicht die RS485-Kommunikation", "not the meter").
    """
    found = []
    for match in _SYMPTOM_SPAN.finditer(fold(text)):
        words = match.group(1).split()
        if words[0] in _ARTICLES:
            continue
        for word in words:
            if word in _PREPOSITIONS:
                break
            forms = frozenset(terms(word, drop_stopwords=True))
            if forms and word not in _NOT_SYMPTOM and not forms & names:
                # an English manual's row for a German question: "Kommunikation" ->
                # communication
                found.append(forms | frozenset(expand(word)))
    return tuple(dict.fromkeys(found))


_SYMPTOM_SPAN = _after_negation(4)
# whole words (routing's "ein\w*" before a name would take "keine Einspeisung" for an article)
_ARTICLES = frozenset("der die das den dem des ein eine einen einem the a an".split())  # noqa: SIM905
# a preposition ends the symptom's phrase: "no rs485 communication | with the inverter"
_PREPOSITIONS = frozenset(
    """
mit zum zur zu vom von zwischen ueber via bei nach auf an am im in fuer with to from between
over at on for
""".split()  # noqa: SIM905 - a word list reads better as text
)
_NOT_SYMPTOM = frozenset("mehr more anymore longer again wieder richtig".split())  # noqa: SIM905


def asked_phrase(question: str) -> str:
    """Return what a register question asks for, folded ("die batterietemperatur"); else all.

    "E3/DC in der kalten Garage: welches Register zeigt den SOC?" asks for the SOC, not the
    temperature its setting mentions.
    """
    folded = fold(question)
    return _asked(folded) or folded


def focused_phrase(question: str) -> str | None:
    """Return what a register question asks for, folded; None when it says no such phrase."""
    return _asked(fold(question))


def _asked(folded: str) -> str | None:
    # the phrase after the register or the verb reading it (see _FOCUS); None: no such phrase
    for pattern in _FOCUS:
        if found := pattern.search(folded):
            return found.group("asked")
    return None


def _focus(folded: str) -> frozenset[str]:
    """Return the folded words of what a register question asks for (see _FOCUS)."""
    asked = _asked(folded)
    if asked is None:
        return frozenset()
    # "den Akkustand in Prozent", not "per Modbus" or "Register"
    return frozenset(w for w in raw_tokens(asked) if not _INTERFACE.search(w))


# a German separable verb the question splits: "über welches Register geb ich den Ladestrom
# vor?" asks "vorgeben" (the manual's "Ladestromvorgabe"), "wie stell ich … ein?" "einstellen".
# The infinitives of split forms the line selection joins (the glossary's own are its keys)
_SPLIT_VERBS = frozenset(
    particle + verb
    for particle in PARTICLES
    for verb in ("geben", "stellen", "schalten", "lesen", "nehmen", "legen", "setzen", "tragen",
                 "rufen", "zeigen", "fragen", "klemmen")
)  # fmt: skip


def separable_verbs(question: str) -> list[str]:
    """Return the infinitives of the separable verbs ``question`` splits ("geb … vor")."""
    return split_verbs(question, _SPLIT_VERBS)


def _concepts(
    question: str, names: frozenset[str], focus: frozenset[str] = frozenset()
) -> tuple[Concepts, frozenset[str]]:
    """Return the question's concepts and the forms of its asked words (see Ask.asked)."""
    # a word of the question, whatever forms it takes: "3000TL-X" is one thing asked for;
    # a separable verb also as one word ("geb ich … vor": "vorgeben")
    # (in its German forms only: the glossary's "power on" would make "power" a concept)
    joined = separable_verbs(question)
    words = [w for w in _WORD_SPLIT.split(question) if w] + joined
    # in question order, a repeated word once -> whether it is of what is asked (focus)
    forms: dict[frozenset[str], bool] = {}
    asked: set[str] = set()
    for word in words:
        found = frozenset(terms(word, drop_stopwords=True))
        if word not in joined:
            found |= frozenset(expand(word))
        tokens = raw_tokens(word)
        focused = bool(focus.intersection(tokens))
        if focused:
            asked |= found
        if _names_device(tokens, names):
            continue  # "BMV-702" names the device: its "702" is asked for no more than "BMV"
        if found - names:
            forms[found - names] = forms.get(found - names, False) or focused
    everything = sorted({f for found in forms for f in found})
    weights = _WEIGHTS(everything, question) if _WEIGHTS is not None and everything else {}
    concepts = tuple(
        tuple(sorted((f, weights.get(f, 1.0) * (FOCUS_WEIGHT if focused else 1.0)) for f in found))
        for found, focused in forms.items()
    )
    # an English question on a German manual: "start-up voltage" is its "Einschaltspannung"
    # (not in a German question: "MPP-Tracker" is the German manual's own word there)
    said = [] if is_german(question) else german_terms(question)
    german = tuple(tuple((word, 1.0) for word in words) for words in said)
    return concepts + german, frozenset(asked - names)


_MODEL = re.compile(r"^([a-z]+)\d")


def _names_device(tokens: list[str], names: frozenset[str]) -> bool:
    # "bmv702": a device name itself, or a product name ("bmv") with a model number
    if not tokens:
        return False
    prefix = _MODEL.match(tokens[0])
    return tokens[0] in names or bool(prefix and prefix.group(1) in names)


def _model_numbers(question: str, names: frozenset[str]) -> set[str]:
    """Return the pieces with digits of the words naming a device ("bmv702", "702")."""
    out: set[str] = set()
    for word in _WORD_SPLIT.split(question):
        tokens = raw_tokens(word)
        if _names_device(tokens, names):
            out.update(t for t in tokens if any(ch.isdigit() for ch in t))
    return out


def _whole_codes(codes: set[str]) -> frozenset[str]:
    # "S1256" also yields the run "1256": that is part of a model number, no error number
    return frozenset(c for c in codes if not any(c != o and c in o for o in codes))
