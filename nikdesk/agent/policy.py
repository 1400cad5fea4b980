"""The no-LLM policy: decide answer / clarify / not found from the retrieval evidence alone.

It is the always-available provider and the referee for the model providers: a model's
answer never overrides the guards here (unsafe request, device without manual, evidence
below the calibrated threshold).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from nikdesk.agent.compose import device_label
from nikdesk.agent.coverage import asks_installation, is_protocol_document
from nikdesk.agent.guards import (
    AnswerType,
    asked_types,
    catalog,
    fold_library,
    holds_value,
    safety_rules,
)
from nikdesk.agent.lines import (
    MIN_KEY,
    PartAnswer,
    answers_part,
    ask_of,
    key_excerpt,
    left_open,
    quote,
    set_device_names,
    set_term_weights,
)
from nikdesk.core.text import STOPWORDS, fold
from nikdesk.retrieval.filler import is_filler_passage
from nikdesk.retrieval.glossary import load_glossary
from nikdesk.retrieval.hybrid import ERROR_WORDS, Retriever, code_tokens, error_codes
from nikdesk.retrieval.routing import is_generic
from nikdesk.retrieval.types import Hit

# Calibrated on the dev, team and agent question sets (see the issue-3 note): the best
# passage's cosine (multilingual-e5) below this means the manuals do not cover the question.
MIN_DENSE = 0.80
MAX_SOURCES = 3
SOURCE_SHARE = 0.85  # follow-up hits enter just inside this share of the best search score
# passages are ranked by search score + LINE_WEIGHT x best-line score (both relative to the
# best hit); further passages are quoted when they rank at least KEEP_SHARE of the first
# (swept on 125 answerable tuning questions: correct page 0.86, precision 0.67 in the sweep)
LINE_WEIGHT = 0.5
# a register question: the row's words name the register, the passage's shared words (Modbus,
# holding, register …) name nothing (tuning sets: correct page 0.886 -> 0.893; 0.25-2.0 swept)
REGISTER_LINE_WEIGHT = 1.0
KEEP_SHARE = 0.8
FILLER_WEIGHT = 0.3
MIN_LINE = 1.0  # a passage whose best line scores below this answers nothing of the question
# ... but is quoted from this score on when it ranks close to the first (tuning sets: correct
# page 0.877 -> 0.886; "siehe auch" and page passages keep MIN_LINE)
QUOTE_MIN_LINE = 0.8
NAMED_SHARE = 0.5  # documents routed at least this share of the best are the named device's
FOLLOW_UP = 2  # passages a technical-data follow-up search may add
TECH_DATA_WORDS = "Technische Daten technical data specifications"
# a hit whose passage is filler (a table's notes, a caption) stands for its page: the page's
# passage answering best is quoted instead when its best line scores at least this share of
# the filler's (swept on the tuning sets: 0.5 let title pages' other passages in)
FILLER_SWAP_SHARE = 0.7
# ... and a page's passage whose best line scores this many times the hit's is quoted beside it
# (tuning sets: correct page 0.879 -> 0.886, key-line facts 0.634 -> 0.648; 1.1-1.6 swept)
BETTER_SHARE = 1.3
# the first page's next-best passage adds its key lines when they score at least this share of
# the first passage's (and MIN_LINE): tuning questions (787) facts 0.740 -> 0.757, key-line
# facts 0.664 -> 0.680, precision 0.695 -> 0.704, answers 801 -> 895 characters median
# (0.2-1.0 swept; the whole passage instead of its key lines: facts 0.765, 997 characters)
SIBLING_SHARE = 0.2
RELATED = 2  # passages offered as "siehe auch" when the manuals do not answer
# "does the question fit several devices?": the top hits scoring at least this share of the
# best come from two or more makers (swept on 85 questions: 10 of 15 ambiguous asked back,
# no answerable question was)
CLARIFY_TOP = 5
CLARIFY_SHARE = 0.2
MAX_OPTIONS = 4


# an abbreviation the question asks about ("OCPP", "MQTT", "KNX"): all capitals, no digits
# (a model number such as "US3000C" or "PI30" is the router's business)
_ABBREVIATION = re.compile(r"(?<![\w-])[A-Z]{3,5}(?![\w-])")
# everyday abbreviations that ask for nothing ("im EFH", "BZW")
_EVERYDAY = frozenset({"efh", "mfh", "zfh", "bzw", "usw", "ggf", "evtl", "inkl", "max", "min"})
# a numbered bit or status the question asks about ("Bit 21"; an error number is error_codes')
_NUMBERED = re.compile(r"\b(bits?|status)\s*[-:#=]?\s*(\d+)\b", re.IGNORECASE)
SHOUTING = 0.3  # a question with this share of words in capitals shouts: no word is an abbreviation


def _forms(code: str) -> set[str]:
    # a number with and without its leading zeros ("03", "3")
    return {code, code.lstrip("0") or "0"} if code.isdigit() else {code}


def _mentions(text: str, code: str) -> bool:
    # "03" also as "3" and "E03"; a code inside a longer number ("56.4 V") or word does not count
    return any(
        re.search(rf"(?<![0-9a-z.]){re.escape(f)}(?![0-9a-z]|[.,][0-9])", text)
        for f in _forms(code)
    ) or (code.isdigit() and bool(re.search(rf"\b[a-z]{{1,3}}0*{code.lstrip('0') or '0'}\b", text)))


def _lists_code(text: str, code: str) -> bool:
    # a manual lists a code where a line starts with it, a table cell holds it alone or an
    # error word names it ("20 | …", "… | 20", "8: NO_GROUND", "Fehler 03", "E03");
    # "Fault record 3" or "MPPT 100|35" only mention the number
    alts = "|".join(re.escape(f) for f in sorted(_forms(code)))
    listed = re.compile(
        rf"(?m)^\s*(?:[a-z]{{0,3}}0*)?(?:{alts})(?![0-9a-z.,])"
        rf"|(?:^|\| )(?:[a-z]{{0,3}}0*)?(?:{alts}) ?(?:\||$)"
        rf"|(?<![0-9a-z.,])(?:{alts}) ?[:=] ?[a-z]"
        rf"|\b(?:{ERROR_WORDS})\s*[:#=]?\s*0*(?:{alts})\b"
    )
    return bool(listed.search(text))


def _defined_codes(question: str) -> set[str]:
    # the error codes, registers and numbered bits asked about ("ERR 38", "0x210", "Bit 21");
    # a table may print a hex address bare ("210 | …"). Not a model number ("US3000").
    numbered = {m.group(2) for m in _NUMBERED.finditer(question)}
    numbers = {c for c in ask_of(question).codes if c.isdigit() or c.startswith("0x")}
    bare = {c[2:].lstrip("0") for c in numbers if c.startswith("0x") and c[2:].lstrip("0")}
    return error_codes(question) | numbered | numbers | bare


def _defines_another(line: str, codes: set[str]) -> bool:
    # "Bit 2 | …", "200 | 4 | Current fault bits": the line's first cell names a code, and not
    # one asked about
    head = line.split(" | ")[0] if " | " in line else " ".join(line.split()[:2])
    head = fold(head)
    return any(ch.isdigit() for ch in head) and not any(_mentions(head, c) for c in codes)


def _asked_kinds(question: str) -> list[AnswerType]:
    """Return the strict kinds of value asked for; only the register when one is asked.

    "Which register gives me the number of battery cycles?" asks for an address: the
    register row states no number of cycles, nor need it.
    """
    kinds = asked_types(question)
    registers = [k for k in kinds if k.interface_documents]
    return registers or kinds


def _page_value_kinds(question: str) -> list[AnswerType]:
    """Return the kinds of value asked for that stand on a manual's page.

    Not registers: they are in the interface documents, not on a technical-data page or
    beside the hit.
    """
    return [k for k in asked_types(question, strict_only=False) if not k.interface_documents]


def _key_lines(passage: str, question: str) -> list[str]:
    found = quote(passage, question)
    return [found.key, *found.also] if found.key else []


@dataclass(frozen=True)
class Verdict:
    """What the evidence says about a question."""

    outcome: str  # "answer" | "not_found" | "clarify" | "refused"
    reason: str = ""
    devices: tuple[str, ...] = ()  # uncovered devices (not_found) or options (clarify)
    hits: tuple[Hit, ...] = ()  # the hits to quote (answer)
    scope: bool = False  # not a question about devices (tax, tariffs, registration)
    missing: str = ""  # the kind of value asked for that no passage states ("IP-Schutzart")
    related: tuple[Hit, ...] = ()  # closest passages, offered as "siehe auch" (not_found)
    interface_only: bool = False  # the named device has only API/protocol documents
    # chunk id -> what of a passage answers an open part of the question (see open_parts)
    parts: tuple[tuple[int, PartAnswer], ...] = ()


class EvidencePolicy:
    """Judge a question and its search hits; pick the passages worth quoting."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        texts = retriever.document_texts()  # a device mentioned anywhere counts (see guards)
        self.library = fold_library(
            [
                (f"{d.file} {d.title} {d.manufacturer}", texts.get(d.doc_id, ""))
                for d in retriever.documents
            ]
        )
        self.docs = {d.doc_id: d for d in retriever.documents}
        # doc id -> (folded label, folded text): the same pairs, looked up by document
        self.folded = dict(zip(self.docs, self.library, strict=True))
        set_device_names(retriever.router.specific_names)
        set_term_weights(retriever.term_weights)
        self.protocol = {
            d.doc_id: is_protocol_document(d.file, d.title) for d in self.docs.values()
        }

    def screen(self, question: str) -> Verdict | None:
        """Judge the question before any search: refuse unsafe requests, unknown devices."""
        if safety_rules().is_unsafe(question):
            return Verdict("refused", "unsafe")
        if safety_rules().out_of_scope(question):
            return Verdict("not_found", "out of scope", scope=True)
        missing = catalog().uncovered(question, self.library)
        if missing:
            return Verdict("not_found", "no manual for the device", tuple(missing))
        return None

    def judge(self, question: str, hits: list[Hit], may_clarify: bool = True) -> Verdict:
        """Judge the search hits for ``question``."""
        if not hits:
            return Verdict("not_found", "no hits")
        best_dense = max((h.dense_score or 0.0) for h in hits)
        routed = bool(self.retriever.router.scores(question))
        codes = code_tokens(question) - self.retriever.router.names
        if best_dense < MIN_DENSE and not codes and not routed:
            return Verdict("not_found", f"weak evidence (cosine {best_dense:.3f})")
        if may_clarify and not catalog().names_device(question):
            # a question in words every maker's manuals use ("Which TCP port for Modbus
            # TCP?") fits each of them, however far ahead one manual's wording ranks it
            close = (
                [h for h in hits[:CLARIFY_TOP] if h.score >= CLARIFY_SHARE * hits[0].score]
                if self.maker_words(question)
                else hits
            )
            options = self.device_options(close)
            if len(options) >= 2:
                return Verdict("clarify", "several devices fit", tuple(options))
        named = self.named_documents(question)
        if named and asks_installation(question) and all(self.protocol[d] for d in named):
            # an API/protocol document does not say how to fuse, wire or mount the device
            devices = tuple(dict.fromkeys(self._label(d) for d in sorted(named)))
            return Verdict(
                "not_found",
                "only interface documents for the device",
                devices=devices,
                interface_only=True,  # its register rows are no "siehe auch" for a fuse
            )
        unnamed = self.absent_abbreviations(question, named)
        if unnamed:
            # "Kann die SmartEVSE per OCPP …?": a manual that never names OCPP does not say
            return Verdict(
                "not_found",
                "abbreviation not in the named manuals",
                missing=", ".join(unnamed),
                related=self.related(question, hits, named),
            )
        absent = self.absent_codes(question, named)
        if absent:
            # "Fehler 03" for a device whose manuals list no code 03: nothing to quote
            return Verdict(
                "not_found",
                "code not in the named manuals",
                missing=", ".join(f"Code {c.upper()}" for c in absent),
                related=self.related(question, hits, named),
            )
        quoted = self.quotable(hits, question, named)
        for kind in _asked_kinds(question):
            # the question wants a value of a known kind: some evidence about the named
            # device must state one
            holders = [
                h
                for h in hits
                if (not named or h.chunk.doc_id in named)
                and (
                    (kind.interface_documents and self.protocol[h.chunk.doc_id])
                    or holds_value(kind, self.retriever.page_text(h.chunk))
                )
            ]
            if any(h in holders and holds_value(kind, h.chunk.text) for h in quoted):
                continue
            # the value stands on a quoted page but in another passage of it: quote that one
            pages = {(h.chunk.doc_id, h.chunk.page_start) for h in quoted if h in holders}
            own = [
                h
                for h in holders
                if h not in quoted
                and (h.chunk.doc_id, h.chunk.page_start) in pages
                and holds_value(kind, h.chunk.text)
            ]
            if pages and not own:
                continue
            if not (own or holders):
                return Verdict(
                    "not_found",
                    f"no {kind.name} value in the evidence",
                    missing=kind.label,
                    related=self.related(question, hits, named),
                )
            quoted = [*quoted[: MAX_SOURCES - 1], (own or holders)[0]]
        with_parts, parts = self.open_parts(question, quoted)
        with_parts, sibling = self.first_page_sibling(question, with_parts)
        if sibling is not None:
            parts[sibling[0]] = sibling[1]
        return Verdict("answer", hits=tuple(with_parts), parts=tuple(parts.items()))

    def first_page_sibling(
        self, question: str, quoted: list[Hit]
    ) -> tuple[list[Hit], tuple[int, PartAnswer] | None]:
        """Return ``quoted`` with, after the first, the key lines of its page's next-best passage.

        A page is cut into passages; the first one quoted answers best, yet the page's other
        passages often state the rest (PI30 p. 10: the rows "PV2 Input current/voltage" in one,
        the command's heading "QPIGS2 … (Only 48V model)" above them in another). The best of
        them whose key line scores at least MIN_LINE is quoted under the same heading, only its
        key lines (a row under the table's header). It takes no other page's place. Returns
        the passage's chunk id and its lines, or None.
        """
        if not quoted:
            return quoted, None
        first = quoted[0]
        seen = {h.chunk.id for h in quoted}
        scored = [
            (quote(c.text, question).score, c)
            for c in self.retriever.page_chunks(first.chunk)
            if c.id not in seen and not is_filler_passage(c)
        ]
        best = max(scored, key=lambda sc: sc[0], default=None)
        if best is None or best[0] < max(
            MIN_LINE, SIBLING_SHARE * quote(first.chunk.text, question).score
        ):
            return quoted, None
        excerpt = key_excerpt(best[1].text, question)
        if excerpt is None or any(excerpt.line in h.chunk.text for h in quoted):
            return quoted, None  # passages may overlap: the key line is quoted already
        codes = _defined_codes(question)
        if codes and _defines_another(excerpt.line, codes):
            return quoted, None  # "Bit 2 | …" under a question about bit 21
        return [first, replace(first, chunk=best[1]), *quoted[1:]], (best[1].id, excerpt)

    def maker_words(self, question: str) -> list[str]:
        """Return the question's words that only one maker's documents contain.

        "Speedwire", "EK893", "Hauskraftwerk" or "VVM" say whose device it is even when the
        question names no brand; "Port", "Modbus" or "Baudrate" say nothing of it.
        """
        words = {w.strip(".-") for w in re.findall(r"[a-z0-9][a-z0-9.-]{3,}", fold(question))}
        words -= STOPWORDS
        found: list[str] = []
        for word in sorted(words):
            makers = {
                (doc.manufacturer or doc.file).lower()
                for doc_id, doc in self.docs.items()
                if word in self.folded[doc_id][1] or word in self.folded[doc_id][0]
            }
            if len(makers) == 1:
                found.append(word)
        return found

    def absent_abbreviations(self, question: str, named: set[str]) -> list[str]:
        """Return the abbreviations of ``question`` that no manual of the named device uses.

        "Kann der Fronius Datamanager per MQTT senden?": the manual never says "MQTT", so it
        does not answer, whatever its pages about data export say. Names of devices and
        makers do not count, nor an abbreviation whose glossary spelling the manual uses
        ("RSE" is the "ripple control receiver"). Empty when the question names no device.
        """
        if not named:
            return []
        words = re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", question)
        capitals = [w for w in words if w.isupper()]
        if not capitals or len(capitals) >= SHOUTING * len(words):
            return []  # "DRINGEND: … BITTE SCHNELL"
        texts = [self.folded[d][1] for d in named]
        glossary = load_glossary()
        absent = []
        for word in dict.fromkeys(_ABBREVIATION.findall(question)):
            short = fold(word)
            if (
                short in self.retriever.router.names
                or short in _EVERYDAY
                or is_generic(short)  # "RTU", "TCP", "API": the protocol, not a feature
                or short in STOPWORDS
            ):
                continue
            forms = [short, *(fold(p) for p in glossary.get(short, ()))]
            if not any(re.search(rf"(?<![a-z0-9]){re.escape(f)}", t) for f in forms for t in texts):
                absent.append(word)
        return absent

    def absent_codes(self, question: str, named: set[str]) -> list[str]:
        """Return the error codes ``question`` asks about that no named manual mentions.

        Only codes the question calls an error, fault or alarm ("Fehler 03", "ERR 33",
        "F64"); empty when it names no device or any named manual mentions every code.
        """
        asked = sorted(error_codes(question) - self.retriever.router.names)
        if not named or not asked:
            return []
        texts = [self.folded[d][1] for d in named]
        absent = [c for c in asked if not any(_lists_code(t, c) for t in texts)]
        return absent if len(absent) == len(asked) else []

    def value_follow_up(self, question: str, hits: list[Hit]) -> tuple[str, tuple[str, ...]] | None:
        """Return (query, files) of a second search when no hit states the asked value.

        Technical data sit on one page near the end of a long manual, in a table the
        question's words hardly touch; a search within the named device's manuals for the
        technical data finds it. None when the question asks for no kind of value, names no
        device, or the hits already state a value of each kind asked ("Versorgungsspannungs-
        und Temperaturbereich": a voltage on the first page does not state the temperatures).
        """
        kinds = _page_value_kinds(question)
        named = self.named_documents(question)
        if not kinds or not named:
            return None
        top = [h for h in hits[:MAX_SOURCES] if h.chunk.doc_id in named]
        pages = [self.retriever.page_text(h.chunk) for h in top]
        if all(any(holds_value(k, page) for page in pages) for k in kinds):
            return None
        files = tuple(sorted(self.docs[d].file for d in named))
        return f"{question} {TECH_DATA_WORDS}", files

    def page_passages(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Return ``hits`` with the passage of each hit's page that answers the question.

        The search ranks pages by their best-matching passage, which need not be the one
        answering: on a data sheet it can be the notes under the table ("1: Testbedingungen:
        25°C … Laden und Entladen") rather than the row stating the value ("Umgebungstemperatur
        zum Betrieb | Ladung: 0 bis 50 °C …"); in a register table the rows around "310 |
        HOSTNAME" rather than "299 | AMPERE_VOLATILE … nicht im EEPROM gespeichert". The page
        keeps its rank. A filler passage is replaced by the page's best passage (whose best
        line scores at least MIN_LINE and FILLER_SWAP_SHARE of the filler's); any other is
        followed by the page's passage whose best line scores BETTER_SHARE times its own.
        """
        seen = {h.chunk.id for h in hits}
        out: list[Hit] = []
        beside: list[Hit] = []  # after every hit: they must not crowd other makers' pages out
        for hit in hits:
            filler = is_filler_passage(hit.chunk)
            own = quote(hit.chunk.text, question).score
            floor = max(MIN_LINE, (FILLER_SWAP_SHARE if filler else BETTER_SHARE) * own)
            scored = [
                (quote(c.text, question).score, c)
                for c in self.retriever.page_chunks(hit.chunk)
                if c.id not in seen and not is_filler_passage(c)
            ]
            best = max(scored, key=lambda sc: sc[0], default=None)
            if best is None or best[0] < floor:
                out.append(hit)
                continue
            seen.add(best[1].id)
            if filler:
                out.append(replace(hit, chunk=best[1]))
            else:
                out.append(hit)
                beside.append(replace(hit, chunk=best[1]))
        return out + beside

    def open_parts(
        self, question: str, quoted: list[Hit]
    ) -> tuple[list[Hit], dict[int, PartAnswer]]:
        """Return ``quoted`` with, after a passage, its page's passage answering an open part.

        "Welchen Peukert-Exponenten und welchen Ladewirkungsgrad hat der BMV-700 ab Werk?":
        the passage quoted holds the row "Charge Efficiency … 90"; the row "Peukert
        Coefficient … 1.25" stands in the next passage of the same page. That one is quoted
        under it (it takes no place of another page). Parts another quoted passage answers
        are not open. Of such a passage only the lines answering the part are quoted (the
        returned chunk id -> its answer).
        """
        if ask_of(question).codes or _defined_codes(question):
            # "ERR 38", "Bit 21": a row of the page defining another code is no answer
            return quoted, {}
        seen = {h.chunk.id for h in quoted}
        keys = [line for h in quoted for line in _key_lines(h.chunk.text, question)]
        part = left_open(keys, question)
        if part is None:
            return quoted, {}
        found = [
            (answer, at, c)
            for at, hit in enumerate(quoted)
            for c in self.retriever.page_chunks(hit.chunk)
            if c.id not in seen
            and not is_filler_passage(c)
            and (answer := answers_part(c.text, part)) is not None
            and answer.score >= MIN_KEY
        ]
        if not found:
            return quoted, {}
        # the best answer of the open part, on the page of the passage ranked first
        answer, at, chunk = max(found, key=lambda f: (f[0].score, -f[1]))
        out = [*quoted[: at + 1], replace(quoted[at], chunk=chunk), *quoted[at + 1 :]]
        return out, {chunk.id: answer}

    def value_siblings(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Return hits with, after each, the passage of its page stating the asked value.

        A page is cut into several passages; the search finds the one sharing the question's
        words ("Spezifikationen | MIC 3000TL-X"), the value asked for ("Eigenverbrauch nachts
        | <0.5W") may stand in another. That one is quoted beside it, at the same score.
        """
        kinds = _page_value_kinds(question)
        named = self.named_documents(question)
        if not kinds or not named:  # no device named: the hits decide whether to ask back
            return hits
        seen = {h.chunk.id for h in hits}
        out: list[Hit] = []
        rank = 0  # among the named device's hits, as quotable() counts them
        for hit in hits:
            out.append(hit)
            if hit.chunk.doc_id not in named:
                continue
            rank += 1
            if rank > MAX_SOURCES:
                continue
            missing = [k for k in kinds if not holds_value(k, hit.chunk.text)]
            for chunk in self.retriever.page_chunks(hit.chunk) if missing else ():
                if chunk.id not in seen and any(holds_value(k, chunk.text) for k in missing):
                    seen.add(chunk.id)
                    out.append(replace(hit, chunk=chunk))
                    break
        return out

    def merge_follow_up(self, question: str, hits: list[Hit], more: list[Hit]) -> list[Hit]:
        """Add the follow-up hits that state the asked value, just inside the quoting range."""
        kinds = asked_types(question, strict_only=False)
        seen = {h.chunk.id for h in hits}
        floor = SOURCE_SHARE * hits[0].score if hits else 1.0
        extra = [
            replace(h, score=floor)
            for h in more
            if h.chunk.id not in seen
            and any(holds_value(k, self.retriever.page_text(h.chunk)) for k in kinds)
        ][:FOLLOW_UP]
        return [*hits[:1], *extra, *hits[1:]]

    def named_documents(self, question: str) -> set[str]:
        """Return the documents of the device the question names (empty: names none)."""
        routed = self.retriever.router.scores(question)
        if not routed:
            return set()
        top = max(routed.values())
        named = {d for d, score in routed.items() if score >= NAMED_SHARE * top}
        # "Victron SmartSolar" also routes to every "Smart…" manual: when the question names
        # a maker, the named documents are that maker's
        brands = catalog().brands_named(question)
        of_brand = {d for d in named if any(b.search(self.folded[d][0]) for b in brands)}
        return of_brand or named

    def _label(self, doc_id: str) -> str:
        doc = self.docs[doc_id]
        return device_label(doc.file, doc.title)

    def related(self, question: str, hits: list[Hit], named: set[str]) -> tuple[Hit, ...]:
        """Return the closest passages that say something (offered as "siehe auch").

        Only the named device's (``named``; empty: the question names none): another maker's
        MPP range under a question about the Kostal Plenticore would be read as its own.
        """
        useful = [
            h
            for h in hits
            if not is_filler_passage(h.chunk) and (not named or h.chunk.doc_id in named)
        ]
        scored = [(quote(h.chunk.text, question).score, h) for h in useful]
        return tuple(h for score, h in scored if score >= MIN_LINE)[:RELATED]

    def device_options(self, hits: list[Hit]) -> list[str]:
        """Return the distinct devices (by manufacturer) the hits come from, best first."""
        seen: dict[str, str] = {}
        for hit in hits:
            doc = self.docs.get(hit.chunk.doc_id)
            if doc is None:
                continue
            maker = (doc.manufacturer or doc.file).lower()
            seen.setdefault(maker, device_label(doc.file, doc.title))
        return list(seen.values())[:MAX_OPTIONS]

    def quotable(self, hits: list[Hit], question: str, named: set[str]) -> list[Hit]:
        """Return the passages worth quoting, the one answering best first.

        Each passage is ranked by its search score and by how well its best line answers
        the question (both relative to the best of the hits): the page whose line states
        the asked value moves up, an overview page sharing many words with the question
        moves down. Filler (title, address, chart labels) weighs little; further passages
        are quoted only when they rank close to the first. ``named``: the documents of the
        device the question names (see :meth:`named_documents`; empty: names none).
        """
        pool = list(hits)
        if named:
            # the question names the device: other devices' manuals do not answer it
            pool = [h for h in hits if h.chunk.doc_id in named] or pool
        lines = {h.chunk.id: quote(h.chunk.text, question).score for h in pool}
        top_score = max(h.score for h in pool) or 1.0
        top_line = max(lines.values()) or 1.0

        weight = (
            REGISTER_LINE_WEIGHT
            if any(k.interface_documents for k in asked_types(question))
            else LINE_WEIGHT
        )
        rank = {
            h.chunk.id: (h.score / top_score + weight * lines[h.chunk.id] / top_line)
            * (FILLER_WEIGHT if is_filler_passage(h.chunk) else 1.0)
            for h in pool
        }
        ranked = sorted(pool, key=lambda h: rank[h.chunk.id], reverse=True)
        first = rank[ranked[0].chunk.id]
        chosen = [
            h
            for h in ranked
            if rank[h.chunk.id] >= KEEP_SHARE * first and lines[h.chunk.id] >= QUOTE_MIN_LINE
        ]
        return (chosen or ranked[:1])[:MAX_SOURCES]
