"""Route a question to the documents whose product or maker it names.

Technicians name the device ("Fronius Datamanager", "DDSU666-H", "go-eCharger"). Names are
taken from the document file names and titles (split at "_", "-" and CamelCase); a name that
several documents share ("Modbus", "Manual") says little, so each carries an IDF weight.
A question naming a maker ("Growatt per RS485") is about that maker's documents: another
maker's document is named only by a model number ("PI30MAX"), not by a word of its file name
("RS485" in Pylontech's, "Hybrid" in GoodWe's).
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from nikdesk.core.paths import resources_dir
from nikdesk.core.text import STOPWORDS, fold, raw_tokens

_PARTS = re.compile(r"[_\s/()]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d{2,})")
_SQUASH = re.compile(r"[^0-9a-z]+")
# the words denying what follows them ("kein BMS", "nicht ins EEPROM", "without the meter")
DENYING = r"kein\w*|nicht|ohne|not|no|without"
# a negation and the word right after it (an article between): "kein BMS", "not the BMS"
_DENIED_NAME = re.compile(
    rf"\b(?:{DENYING})\s+(?:(?:der|die|das|den|dem|ein\w*|the|a|an)\s+)?[\w.-]+", re.IGNORECASE
)
_CAPITALS = re.compile(r"\b[A-Z]{4,}\b")
# a version, a language or a roman numeral ("Protocol II"): no name ("World War II")
_VERSIONISH = re.compile(r"^(v\d+|\d{1,3}|[a-z]|de|en|ii|iii|iv|vi|vii|viii|ix)$")
MAX_SHARED = 3  # a name in more documents than this is not a product name
# words of a document's type or interface, not of a device: "Modbus TCP" in a question names a
# protocol every maker speaks, even where only one file name reads "Modbus-TCP" (Kostal)
GENERIC_NAMES = frozenset(
    [
        "modbus",
        "tcp",
        "rtu",
        "protocol",
        "protokoll",
        "interface",
        "schnittstelle",
        "communication",
        "kommunikation",
        "control",
        "hex",
        "api",
        "http",
        "json",
        "register",
        "registertabelle",
        "documentation",
        "dokumentation",
        "doku",
        "manual",
        "handbuch",
        "instructions",
        "user",
        "benutzerhandbuch",
        "bedienungsanleitung",
        "betriebsanleitung",
        "installation",
        "installations",
        "installationshilfe",
        "montageanleitung",
        "schnelleinstieg",
        "datenblatt",
        "datasheet",
        "firmware",
        "upgrade",
        "update",
        "local",
        "spec",
    ]
)
_FAMILY = re.compile(r"^([a-z]{2,}\d+)(x+)$")  # letters and digits, then x: "bmv7xx"
KIND_BONUS = 1.0  # a named document whose type the question says too ("Modbus")
# a question asking for a register says the type of an interface document, whatever its file
# name calls it ("Growatt TL-X input register …": the Modbus protocol, not the TL-X's manual).
# Not an HTTP API's ("api", "json"): its keys are no registers, so go-e's API v1 documents stay
# behind its Modbus one (agent.coverage.is_protocol_document counts both as interface documents)
_INTERFACE_KINDS = frozenset(
    {"modbus", "protocol", "protokoll", "registertabelle", "hex", "communication", "interface"}
)
_REGISTER_WORDS = frozenset({"register", "registers", "registern", "registeradresse"})
SUBSTRING_MIN = 5  # names this long also match inside compounds ("Datamanager-Karte")
# a question's word this long names a compound name it ends ("Rundsteuerempfänger"), one of
# two parts at least: "Empfänger" (10) or "Wechselrichter" (14) is any device's
HEAD_MIN = 15
# a model number: letters and digits, 4+ characters; a serial bus ("RS485") is no model
_MODEL = re.compile(r"^(?!rs\d)(?=.*[a-z])(?=.*\d)[a-z0-9]{4,}$")
# a name the texts of this share of the library's documents print is a word of the trade
# ("max" of "PI30MAX", "power" of "Smart Power Sensor", "RS485"): it names no device alone
COMMON_SHARE = 0.2
# a kind of device a file name calls its product by ("go-e_Charger", "Sunny Home Manager"):
# alone it names every maker's ("ev charger over temperature", "my energy manager"), as a
# word of the trade does, however few manuals print it
DEVICE_KIND_NAMES = frozenset({"charger", "manager"})


def _squash(text: str) -> str:
    return _SQUASH.sub("", fold(text))


@lru_cache(maxsize=1)
def other_names() -> dict[str, str]:
    """Read resources/retrieval/other_names.tsv: a maker's other name -> the library's name.

    Technicians call a maker by a former or trade name ("Epsolar" for EPEver, "Jikong" for
    JK) that no file name of the library carries.
    """
    path = resources_dir() / "retrieval" / "other_names.tsv"
    if not path.is_file():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    rows = (line.split("\t") for line in lines if "\t" in line and not line.startswith("#"))
    return {fold(other.strip()): fold(name.strip()) for other, name, *_ in rows}


_GENERIC_RUN = re.compile("(?:" + "|".join(sorted(GENERIC_NAMES, key=len, reverse=True)) + ")+")


def is_generic(name: str) -> bool:
    """Tell whether ``name`` is made only of document-type words ("modbustcp", "tcprtu")."""
    return bool(_GENERIC_RUN.fullmatch(name))


def _whole(names: frozenset[str]) -> set[str]:
    """Return ``names`` without the pieces of a longer one among them ("rs" of "rs485")."""
    return {n for n in names if not any(n != other and n in other for other in names)}


def names_of(*labels: str) -> set[str]:
    """Return the candidate product/maker names in file names and titles."""
    names: set[str] = set()
    for label in labels:
        for part in _PARTS.split(label):
            pieces = [part, *_CAMEL.split(part)]
            for piece in pieces:
                for token in raw_tokens(piece):
                    if (
                        len(token) >= 2
                        and not _VERSIONISH.match(token)
                        and token not in STOPWORDS
                        and not is_generic(token)
                    ):
                        names.add(token)
    return names


class DocumentRouter:
    """Score documents by the weighted product/maker names a question mentions."""

    def __init__(self, documents: Iterable[tuple[str, ...]]) -> None:
        """Take (doc_id, file name, title[, manufacturer]) tuples."""
        self._names: dict[str, set[str]] = {}
        self._kinds: dict[str, set[str]] = {}  # document-type words: "modbus", "protocol"
        wholes: set[str] = set()
        pieces: set[str] = set()
        self._makers: dict[str, str] = {}  # doc_id -> its maker's name, squashed ("growatt")
        for doc_id, file, title, *maker in documents:
            if maker and _squash(maker[0]):
                self._makers[doc_id] = _squash(maker[0])
            stem = file.rsplit(".", 1)[0]
            # titles are noisy ("Modbus register address list"): only their model numbers and
            # the product names they print in capitals ("PIKO IQ/PLENTICORE") count
            model_numbers = {n for n in names_of(title) if any(ch.isdigit() for ch in n)}
            names = names_of(stem) | model_numbers
            # ... unless the file name says them already ("PYLON" in "Pylontech")
            capitals = {
                c for c in names_of(*_CAPITALS.findall(title)) if not any(c in n for n in names)
            }
            self._names[doc_id] = names | capitals
            # the pieces of a joined name ("good" of "GoodWe", "sunny" of "SunnyHomeManager")
            wholes |= {t for part in _PARTS.split(stem) for t in raw_tokens(part)}
            pieces |= {n for n in names if n.isalpha()}
            self._kinds[doc_id] = {t for t in raw_tokens(stem.replace("_", " ")) if is_generic(t)}
        df = Counter(n for names in self._names.values() for n in names)
        self.names = frozenset(df)  # every product/maker name of the library
        # the pieces of joined names, never a whole part of a file name ("good", "sunny");
        # those other makers print as a word name nothing alone (see _learn)
        self._joined = frozenset(pieces - wholes)
        self._pieces: frozenset[str] = frozenset()
        total = max(len(self._names), 1)
        self._idf = {n: math.log(1 + total / c) for n, c in df.items() if c <= MAX_SHARED}
        # a family name "bmv7xx" names the models "bmv712", "bmv-702" of a question
        self._common: frozenset[str] = frozenset()  # see set_common
        self._texts: Callable[[], Mapping[str, str]] | None = None  # learnt from when asked
        self._learning = threading.Lock()
        self._families = {
            n: re.compile(rf"{m.group(1)}\d{{{len(m.group(2))}}}(?!\d)")
            for n in self._idf
            if (m := _FAMILY.match(n))
        }

    def set_common(self, texts: Mapping[str, str] | Callable[[], Mapping[str, str]]) -> None:
        """Learn which names are words of the trade from the documents' texts (doc id -> text).

        "Wie lang darf die Leitung max. sein?" names no Voltronic PI30MAX, though "max" is a
        piece of its file name: nearly every manual prints "max". Such a name routes a question
        only beside another name of the same document ("Axpert MAX", "Victron SmartShunt").
        ``texts`` may be a function returning them: they are then read when a question first
        needs the words (a bundle's own router inside a combined index never does).
        """
        if callable(texts):
            self._texts = texts
            return
        self._texts = None
        self._learn(texts)

    @property
    def common(self) -> frozenset[str]:
        """Return the names that are words of the trade (see :meth:`set_common`)."""
        with self._learning:  # the server's threads ask at once; each waits for the words
            if self._texts is not None:
                self._learn(self._texts())
                self._texts = None
        return self._common

    def _learn(self, texts: Mapping[str, str]) -> None:
        names = sorted(self._idf, key=len, reverse=True)
        if not names or not texts:
            return
        pattern = re.compile(rf"(?<![a-z0-9])({'|'.join(map(re.escape, names))})(?![a-z0-9])")
        df: Counter[str] = Counter()
        printed: dict[str, set[str]] = {}  # name -> the documents printing it as a word
        for doc_id, text in texts.items():
            found = set(pattern.findall(text.lower()))
            df.update(found)
            for name in found:
                printed.setdefault(name, set()).add(doc_id)
        # a piece of a joined name that other makers' manuals print as a plain word ("good"
        # of "GoodWe": "in good condition") names the document only beside another of its
        # names; "sunny" of "SunnyHomeManager20", printed only by SMA ("Sunny Portal"), names it
        self._pieces = frozenset(
            n
            for doc_id, names in self._names.items()
            for n in names & self._joined
            if printed.get(n, set()) - {doc_id} - self._same_maker(doc_id)
        )
        # a small library (the sample's few manuals) has no words of the trade to learn
        floor = max(COMMON_SHARE * len(texts), MAX_SHARED + 2)
        common = {n for n, count in df.items() if count >= floor} | (DEVICE_KIND_NAMES & set(df))
        # and the pieces a common name was split into ("rs" of "RS485")
        self._common = frozenset(
            common
            | {
                n
                for names in self._names.values()
                for c in names & common
                for n in names
                if n != c and (c.startswith(n) or c.endswith(n))
            }
        )

    def _same_maker(self, doc_id: str) -> set[str]:
        maker = self._makers.get(doc_id)
        return {d for d, m in self._makers.items() if maker and m == maker}

    def models_of(self, doc_id: str) -> frozenset[str]:
        """Return the model names of ``doc_id``'s file name ("b1a24s", "x1", "x3")."""
        return frozenset(
            n
            for n in self._names.get(doc_id, ())
            if any(c.isdigit() for c in n) and not n.isdigit()
        )

    def document_names(self, doc_id: str) -> frozenset[str]:
        """Return the product/maker names of ``doc_id`` ("growatt", "mic750", "mic")."""
        return frozenset(self._names.get(doc_id, ()))

    def type_words(self, doc_id: str, question: str) -> int:
        """Return how many document-type words of ``doc_id``'s file name ``question`` says.

        A register asked for says an interface document's type ("Modbus", "Protocol").
        """
        return self._type_words(doc_id, set(raw_tokens(question)))

    def _type_words(self, doc_id: str, tokens: set[str]) -> int:
        kinds = self._kinds.get(doc_id, set())
        said = len(kinds & tokens)
        if not said and kinds & _INTERFACE_KINDS and tokens & _REGISTER_WORDS:
            return 1
        return said

    def says_type(self, doc_id: str, question: str) -> bool:
        """Tell whether ``question`` says a document-type word of ``doc_id``'s file name.

        "go-e modbus tcp" says the type of "go-e_Charger_Modbus_TCP_API", not that of
        "go-e_Charger_API_v1".
        """
        return self.type_words(doc_id, question) > 0

    @property
    def specific_names(self) -> frozenset[str]:
        """Return the names few documents share (product and maker names, not "modbus")."""
        return frozenset(self._idf)

    def scores(self, question: str) -> dict[str, float]:
        """Return doc_id -> routing score (only documents the question names)."""
        # "JK Aktivbalancer B2A24S (nur Balancer, kein BMS)": a name the question denies
        # names no document it means
        question = _DENIED_NAME.sub(" ", question)
        tokens = set(raw_tokens(question))
        tokens |= {name for other, name in other_names().items() if other in tokens}
        squashed = _squash(question)
        # the names the question says as a compound's first part, which says whose it is
        # ("Datamanager-Karte", "Kostalwechselrichter"; the last part says what kind of
        # thing: "Energiemanager" is anyone's), or across its words from a word's start to a
        # word's end ("Sunny Home Manager"), not run on into the next word ("charge release"
        # says no "charger"), and not one said only inside a longer name it says: the
        # "manager" of "Datamanager"
        words = [w for w in _SQUASH.split(fold(question)) if w]
        starts = list(itertools.accumulate((len(w) for w in words[:-1]), initial=0))
        ends = set(itertools.accumulate(len(w) for w in words))

        def says_at_edge(m: re.Match[str]) -> bool:
            # the word the name starts in, from its start to its end
            word = max(s for s in starts if s <= m.start())
            word_end = min(e for e in ends if e > m.start())
            within = m.end() <= word_end
            return m.start() == word and (within or m.end() in ends)

        inside = {
            n
            for n in self.names
            if len(n) >= SUBSTRING_MIN
            and any(says_at_edge(m) for m in re.finditer(re.escape(n), squashed))
        }
        inside = _whole(frozenset(inside))

        # a long word of the question may be the head of a compound name ("Rundsteuer-
        # empfänger" of "Funkrundsteuerempfänger")
        heads = [t for t in tokens if len(t) >= HEAD_MIN and t.isalpha()]

        def says(name: str) -> bool:
            return name in tokens or name in inside or any(name.endswith(h) for h in heads)

        common = self.common
        said = {  # doc_id -> the names of it the question says (not only words of the trade)
            doc_id: found
            for doc_id, names in self._names.items()
            if (
                found := frozenset(
                    n
                    for n in names
                    if n in self._idf
                    and (says(n) or (n in self._families and self._families[n].search(squashed)))
                )
            )
            # one word of the trade alone names nothing; two names of one document together
            # are its product's name ("Smart BMS", "Smart Power Sensor")
            and (len(_whole(found)) >= 2 or not found <= common | self._pieces)
        }
        # "Growatt … über Modbus": of the maker's documents, the Modbus one is meant too
        typed = {d for d in said if self._type_words(d, tokens)}
        makers = {m for m in self._makers.values() if says(m)}
        return {
            d: sum(self._idf[n] for n in names) + (KIND_BONUS if d in typed else 0.0)
            for d, names in said.items()
            # "Growatt per RS485", "SRNE Hybrid-WR": the maker says whose manuals are meant;
            # the "RS485" of Pylontech's file name or the "Hybrid" of GoodWe's names no device
            # here, a model number ("PI30MAX") does
            if (not makers or self._makers.get(d) in makers or any(map(_MODEL.match, names)))
            # "SolaX X1 Mini": the Mini's protocol says all three names, the X1-X3 Hybrid's
            # only two of them; a document the question names less of than another is not meant
            and (d in typed or not any(names < other for other in said.values()))
        }
