"""Which of a maker's devices a question means, where the library holds several of them.

Sungrow's library holds the SH-RT hybrid inverter and the SBR battery, SolaX's the X1 Mini
and the X1/X3 hybrid G4, JK's a BMS and an active balancer: each a *device line* of its
brand (``[products]``, ``[devices]`` in ``resources/agent/catalog.toml``). "Sungrow: welche
Schutzart?" fits both Sungrow lines (IP65, IP55), so Nik asks which is meant. It does not
ask when the question names a line ("SH10RT", "der Sungrow Speicher") or when a word of it
that few pages of the library print stands in the manuals of one line only ("Entladungstiefe":
the SBR's; "MPP-Tracker": the SH-RT's).
"""

from __future__ import annotations

import re
from functools import lru_cache

from nikdesk.agent.compose import device_label
from nikdesk.agent.guards import AnswerType, asked_types, catalog, holds_value
from nikdesk.core.text import STOPWORDS, fold, terms
from nikdesk.retrieval.glossary import expand
from nikdesk.retrieval.hybrid import DocumentInfo, Retriever, code_tokens, error_codes
from nikdesk.retrieval.types import Hit, SearchFilters

CLARIFY_TOP = 5  # the hits whose lines count as found together
CLARIFY_SHARE = 0.2  # ... within this share of the best hit's score
# a line the top hits miss counts when its own manuals come within this cosine of the
# closest line's (a short protocol ranks below a long map on the same question)
LINE_MARGIN = 0.05
MEANT_CACHE = 256  # questions whose meant lines are kept
RARE_SHARE = 0.02  # a word on at most this share of the library's chunks may pin a line
COMPOUND_PART = 3  # the shortest part of a compound read on its own ("sum" of "checksum")
PART_REACH = 150  # characters around a compound's first part within which its second stands
PIN_CHUNKS = 3  # ... as may one on this many chunks of the line's manuals
_WORD = re.compile(r"[0-9a-z][0-9a-z./-]*")
# an amount with its unit ("3kw", "230v", "10a") is no identifier of a manual
_AMOUNT = re.compile(r"^\d+([.,]\d+)?(k?w|k?wh|v|m?a|ah|m?s|h|hz|mm|m|kg)$")
# words that qualify or ask, not name what is asked ("minimum number of cells", "what does
# it mean", "how long do I need to wait")
_GENERIC = frozenset(
    """
min minimum max maximum maximal standard default typ type number anzahl wert value einstell
set erlaubt allowed zulaessig mean means need needs long lang show shows wait use used work
works tell find get give want kann muss soll brauch setzen setze stellen stelle parameter per
ueber lesen auslesen schreiben read write calculate berechne berechnen verify pruefe pruefen
""".split()  # noqa: SIM905 - a word list reads better as text
)

# the serial port both protocols of a device share: its settings, baud rate, pins, plug (not
# its "serial number", nor go-e's cable lock, a setting of each interface)
_PORT = re.compile(
    r"\b(serial (settings?|port|interface|connection|parameters?)|serielle\w* (schnittstelle"
    r"|einstellung\w*|verbindung)|baud\w*|pinout|pin ?belegung|stecker\w*|connector)\b"
)
# a question for what a function or state of the device means, not how to reach it ("Was
# macht der Norwegen-Modus?"; not "what is the unit of the SOC?", which each interface
# answers in its own way)
_MEANING = re.compile(
    r"\b(was (macht|bedeutet|heisst)|wofuer|what does \S+( \S+)? (do|mean)|what is \S+( \S+)? "
    r"(for|good for)|meaning|bedeutung)\b"
)


def maker_of(doc: DocumentInfo) -> str:
    """Return the key of the maker of ``doc`` (its manufacturer, else its file)."""
    return (doc.manufacturer or doc.file).lower()


def close_hits(hits: list[Hit]) -> list[Hit]:
    """Return the top hits found together: the first few, near the best one's score."""
    return [h for h in hits[:CLARIFY_TOP] if h.score >= CLARIFY_SHARE * hits[0].score]


class DeviceLines:
    """The device lines of the library's documents, and which one a question means."""

    def __init__(self, retriever: Retriever, labels: dict[str, str], texts: dict[str, str]) -> None:
        """``labels``, ``texts``: doc id -> its folded label (file name, title, maker), text."""
        self.retriever = retriever
        self.texts = texts
        self.docs = {d.doc_id: d for d in retriever.documents}
        cat = catalog()
        # doc id -> its brand (None: a brand the catalogue does not know) and its line
        self.brand = {d: next(iter(cat.brand_names(labels[d])), None) for d in self.docs}
        self.line = {
            d: cat.device_line(labels[d], brand) if brand else None
            for d, brand in self.brand.items()
        }
        # brand -> line -> its documents
        self.members: dict[str, dict[str, list[str]]] = {}
        for d in self.docs:
            brand, line = self.brand[d], self.line[d]
            if brand and line:
                self.members.setdefault(brand, {}).setdefault(line, []).append(d)
        split = {b for b, lines in self.members.items() if len(lines) >= 2}
        # the makers whose devices are their lines, not the maker (Sungrow, SolaX, JK)
        self.split_makers = {
            maker_of(doc) for d, doc in self.docs.items() if self.brand[d] in split
        }
        self._chunks = sum(doc.last_chunk - doc.first_chunk + 1 for doc in self.docs.values())
        self._stated: dict[str, frozenset[str]] = {}  # kind of value -> doc ids stating one
        # (question, brand) -> the lines its words mean; one question asks it several times
        self.meant = lru_cache(maxsize=MEANT_CACHE)(self._lines_meant)

    def key(self, doc_id: str) -> str:
        """Return what tells ``doc_id``'s device apart: its line where its maker has several."""
        maker = maker_of(self.docs[doc_id])
        return (self.line[doc_id] or maker) if maker in self.split_makers else maker

    def stating(self, kind: AnswerType) -> frozenset[str]:
        """Return the documents whose text states a value of ``kind`` (read once per kind)."""
        if kind.name not in self._stated:
            self._stated[kind.name] = frozenset(
                d for d in self.docs if holds_value(kind, self.texts[d])
            )
        return self._stated[kind.name]

    def narrow(self, question: str, named: set[str]) -> set[str]:
        """Return the ``named`` documents of the line ``question`` means, if it means one."""
        brands = {self.brand[d] for d in named} - {None}
        for brand in sorted(str(b) for b in brands):
            if len(self.members.get(brand, {})) < 2:
                continue
            meant = self.meant(question, brand)
            if len(meant) == 1:
                keep = {*meant, None}  # and the brand's documents of all its lines
                kept = {d for d in named if self.brand[d] != brand or self.line[d] in keep}
                # "JK-B2A24S20P" routes to the balancer's file name ("B2A24S"), yet names a
                # BMS: the line meant brings its manuals when the routing found none of them
                line = self.members[brand][meant[0]]
                return kept if kept.intersection(line) else kept | set(line)
        return named

    def options(self, question: str, hits: list[Hit]) -> list[str]:
        """Return the lines of the named brand ``question`` may mean, best first (none: one).

        Only for a question naming a brand with several lines in the library and meaning
        none of them by its words (:meth:`meant`); the lines found are those stating the
        asked kind of value, else those the top hits come from or whose manuals come about
        as close to the question as the closest line's.
        """
        for brand in catalog().brand_names(question):
            lines = self.members.get(brand, {})
            interfaces = brand in catalog().interfaces
            named = catalog().lines_named(question, brand, set(lines))
            # one line, or the question names them ("SBR … mit dem Wechselrichter"); naming
            # two interfaces by their words ("which register/field?") is not knowing which
            # one it is, unless it calls one by name ("over Modbus TCP: … cloud connection")
            several = interfaces and len(named) >= 2
            if several and len(self._called(question, brand, named)) == 1:
                continue
            if not interfaces and catalog().one_name(question, brand, named):
                return [self._label(brand, line) for line in sorted(named)]
            if len(lines) < 2 or (named and not several):
                continue
            if interfaces and self._of_device(question, brand):
                continue
            if named:
                return [self._label(brand, line) for line in sorted(named)]
            meant = self.meant(question, brand)
            if len(meant) == 1:
                return []
            found = list(meant) or self._near(question, brand, hits)
            return [self._label(brand, line) for line in found] if len(found) >= 2 else []
        return []

    def _called(self, question: str, brand: str, named: set[str]) -> set[str]:
        """Return the interfaces of ``named`` the question calls by name, the closest only.

        "go-e Modbus TCP API" calls the Modbus map ("Modbus", "TCP", "API" of its file name)
        rather than the HTTP API ("API" alone).
        """
        called = catalog().interfaces_called(question, brand) & named
        typed = {
            line: max(
                self.retriever.router.type_words(d, question) for d in self.members[brand][line]
            )
            for line in called
        }
        top = max(typed.values(), default=0)
        return {line for line, n in typed.items() if n == top}

    def _of_device(self, question: str, brand: str) -> bool:
        """Tell whether ``question`` asks about the device, not the interface reaching it.

        What its "err 8" or its Norway mode means, whichever interface reports it; the
        physical port both protocols share ("serial settings", "pinout"); a value of a kind
        no interface document of the brand states ("Bluetooth range": not in the manuals).
        """
        folded = fold(question)
        if error_codes(question) or _MEANING.search(folded) or _PORT.search(folded):
            return True
        asked = asked_types(question)
        if any(k.interface_documents for k in asked):
            # where to read it over the interface ("wie viele Ladezyklen … wo lese ich das
            # über die Schnittstelle aus?"): a field of each interface, not a rating
            return False
        docs = {d for line in self.members[brand].values() for d in line}
        kinds = [k for k in asked if k.strict and not k.interface_documents]
        return bool(kinds) and not any(self.stating(k) & docs for k in kinds)

    def _lines_meant(self, question: str, brand: str) -> tuple[str, ...]:
        """Return the lines of ``brand`` the question's own words say it means (empty: none).

        Its name or kind of device ("SH10", "der Speicher"); else, for a kind of value, the
        lines whose manuals state one (an IP rating both datasheets print is no hint, a
        switch-over time only the inverter's is); else a word only one line's manuals print.
        """
        lines = self.members.get(brand, {})
        named = catalog().lines_named(question, brand, set(lines))
        if named:
            return tuple(sorted(named))
        kinds = [k for k in asked_types(question) if not k.interface_documents]
        if kinds:
            stating = tuple(
                line
                for line, docs in lines.items()
                if all(self.stating(k).intersection(docs) for k in kinds)
            )
            # of the lines stating it, an identifier only one's manuals print says which
            # ("AA55", the X1 Mini's frame header, beside a retry time both protocols state)
            pinned = [line for line in self._pinned(question, brand, codes=True) if line in stating]
            return tuple(pinned) if len(pinned) == 1 else stating
        return self._pinned(question, brand)

    def _pinned(self, question: str, brand: str, codes: bool = False) -> tuple[str, ...]:
        """Return the lines whose manuals alone print a rare word of ``question``.

        ``codes``: only its identifiers (:func:`code_tokens`: "AA55", "0x1A"), no amount
        with its unit ("3kW").
        """
        spans = {
            line: [(self.docs[d].first_chunk, self.docs[d].last_chunk) for d in docs]
            for line, docs in self.members[brand].items()
        }
        identifiers = {c for c in code_tokens(question) if not _AMOUNT.match(c)}
        pinned: list[str] = []
        for word in dict.fromkeys(_WORD.findall(fold(question))):
            if codes and word not in identifiers:
                continue
            if word not in STOPWORDS and word not in _GENERIC:
                pinned += [
                    line
                    for line in self._pinned_by(word, spans)
                    if line not in pinned and not self._worded_apart(word, brand, line)
                ]
        return tuple(pinned)

    def _worded_apart(self, word: str, brand: str, line: str) -> bool:
        """Tell whether another interface of the device says ``word`` in words of its own.

        The interfaces of one device document the same functions, each in its words: go-e's
        HTTP API prints "Ladestrom", its Modbus map "Ladebox" beside "Strompreis";
        Victron's text protocol "Checksum", the HEX protocol "Check" near "sum". Both parts
        of the compound near each other in another interface's documents (a word starting
        with the first, the second within ``PART_REACH`` characters): the word pins no
        interface. "Peukert" has no such parts, "Timestamp" none near each other ("time"
        and "date stamp" pages apart): they pin the HEX protocol.
        """
        if brand not in catalog().interfaces:
            return False
        others = [
            self.texts[d]
            for other, docs in self.members[brand].items()
            if other != line
            for d in docs
        ]
        for cut in range(COMPOUND_PART, len(word) - COMPOUND_PART + 1):
            head, tail = word[:cut], word[cut:]
            second = re.compile(rf"\b{re.escape(tail)}|{re.escape(tail)}\b")
            for text in others:
                for found in re.finditer(rf"\b{re.escape(head)}", text):
                    near = text[max(0, found.start() - PART_REACH) : found.end() + PART_REACH]
                    if second.search(near):
                        return True
        return False

    def _pinned_by(self, word: str, spans: dict[str, list[tuple[int, int]]]) -> list[str]:
        """Return the lines ``word`` pins: one of its forms stands in their manuals alone."""
        # the word in all its forms ("RS485": "rs485", "rs", "485"), and its glossary
        # translation ("Überstromschutz": "overcurrent protection")
        own = [t for t in terms(word) if t not in _GENERIC]
        phrases = [
            [t for t in terms(p) if t not in own and t not in _GENERIC] for p in expand(word)
        ]
        translated = list(dict.fromkeys(t for phrase in phrases for t in phrase))
        held = {
            line: {f: self.retriever.chunks_with(f, ranges) for f in [*own, *translated]}
            for line, ranges in spans.items()
        }
        pinned = []
        for line, forms in held.items():
            others = [held[o] for o in held if o != line]
            if any(other[f] for other in others for f in own):
                continue  # the word itself stands in another line's manuals ("485")
            # a translation another line's manuals print in all its words says that line
            # too ("Ausgleichsstrom": the BMS's "balance current" beside the balancer's
            # "balancing")
            said = any(
                phrase and all(other[t] for t in phrase) for other in others for phrase in phrases
            )
            if any(
                chunks
                and not any(other[form] for other in others)
                and not (form in translated and said)
                and self._pins(form, chunks, form in translated)
                for form, chunks in forms.items()
            ):
                pinned.append(line)
        return pinned

    def _pins(self, form: str, chunks: int, translated: bool) -> bool:
        """Tell whether ``form``, on ``chunks`` chunks of one line's manuals alone, pins it.

        A form few pages of the library print ("Entladungstiefe"), or one the line's manuals
        print on many pages ("SOC": the G4's map, not the X1 Mini's); a translation only when
        rare ("Schnittstelle" is also "port").
        """
        share = self.retriever.chunk_frequency(form) / self._chunks
        if translated:
            return share <= RARE_SHARE / 2
        return share <= RARE_SHARE or chunks >= PIN_CHUNKS

    def _near(self, question: str, brand: str, hits: list[Hit]) -> list[str]:
        """Return the lines of ``brand`` the top hits come from or about as close."""
        found = [
            line
            for h in close_hits(hits)
            if self.brand.get(h.chunk.doc_id) == brand and (line := self.line.get(h.chunk.doc_id))
        ]
        lines = self.members[brand]
        missed = [line for line in lines if line not in found]
        if missed:
            cosine = {line: self._cosine(question, docs) for line, docs in lines.items()}
            top = max(cosine.values())
            found += [line for line in missed if cosine[line] >= top - LINE_MARGIN]
        return list(dict.fromkeys(found))

    def _cosine(self, question: str, docs: list[str]) -> float:
        files = tuple(sorted(self.docs[d].file for d in docs))
        return self.retriever.best_cosine(question, SearchFilters(files)) or 0.0

    def _label(self, brand: str, line: str) -> str:
        if brand in catalog().interfaces:
            return line  # the interface's name: the documents share the device's
        doc = self.docs[min(self.members[brand][line])]
        return device_label(doc.file, doc.title)
