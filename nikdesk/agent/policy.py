"""The no-LLM policy: decide answer / clarify / not found from the retrieval evidence alone.

It is the always-available provider and the referee for the model providers: a model's
answer never overrides the guards here (unsafe request, device without manual, evidence
below the calibrated threshold).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial

from nikdesk.agent.ask import Ask, ask_of, set_device_names, set_term_weights
from nikdesk.agent.compose import device_label
from nikdesk.agent.coverage import asks_installation, is_protocol_document
from nikdesk.agent.device_lines import CLARIFY_TOP, DeviceLines, close_hits, maker_of
from nikdesk.agent.families import (
    Family,
    address_of,
    asks_ranges,
    declares_ranges,
    families_of,
    function_asked,
    function_of,
    says_name,
)
from nikdesk.agent.guards import (
    AnswerType,
    asked_types,
    catalog,
    fold_library,
    holds_value,
    safety_rules,
)
from nikdesk.agent.lines import line_score, pieces_of
from nikdesk.agent.lines import units_of as passage_units
from nikdesk.agent.passages import (
    MAX_SOURCES,
    MIN_LINE,
    captioned_tables,
    first_page_sibling,
    open_parts,
    page_passages,
    page_value_kinds,
    quotable,
    related,
    row_notes,
    value_siblings,
    within_pages,
)
from nikdesk.agent.quote import PartAnswer, Quote, quote
from nikdesk.agent.small_talk import small_talk
from nikdesk.agent.unprinted import Unprinted, asks_register
from nikdesk.agent.variants import (
    asks_default,
    default_columns,
    inline_models,
    listed_models,
    model_options,
    model_rows,
    named_rows,
    names_variant,
    per_model,
    says_series,
    states_extreme,
    twin_lines,
    units_of,
    variant_values,
)
from nikdesk.core.text import STOPWORDS, fold, raw_tokens
from nikdesk.retrieval.filler import is_boilerplate, is_filler_passage
from nikdesk.retrieval.hybrid import Retriever, code_tokens, error_codes
from nikdesk.retrieval.types import Chunk, Hit, SearchFilters, SearchOptions

# Calibrated on the dev, team and agent question sets (see the issue-3 note): the best
# passage's cosine (multilingual-e5) below this means the manuals do not cover the question.
MIN_DENSE = 0.80
# a question naming no device, no error code, whose nouns the manuals hardly print ("Wie
# backe ich ein Brot?") and whose nearest passage is far is about something else: e5 puts
# off-topic questions at 0.75-0.87, device-less technical ones from 0.81 (see
# Retriever.known_share for what counts as a noun the manuals print)
OFF_TOPIC_DENSE = 0.84
OFF_TOPIC_SHARE = 0.65
# ... or, naming none of the trade's words either, says this many topic words the library
# never prints, whatever its cosine (thirty-eighth session: no tuning or held-out question
# expecting an answer or a question back says two)
OFF_TOPIC_UNKNOWN = 2
SOURCE_SHARE = 0.85  # follow-up hits enter just inside this share of the best search score
# a register question about a device with only register maps: the search ranks passages of
# twenty rows by all of them, the row asked for may stand 20th; the map's ROW_SCAN passages
# nearest the question are read line by line and the ROW_EXTRA whose best row answers better
# than any hit's join the hits
ROW_SCAN = 40
ROW_EXTRA = 1
LINE_SCAN_SHARE = 1.3  # ... and a named manual's passage answering this much better (any question)
NAMED_SHARE = 0.5  # documents routed at least this share of the best are the named device's
FOLLOW_UP = 2  # passages a technical-data follow-up search may add
TECH_DATA_WORDS = "Technische Daten technical data specifications"
# "does the question fit several devices?": the top hits scoring at least this share of the
# best come from two or more makers (swept on 85 questions: 10 of 15 ambiguous asked back,
# no answerable question was)
MAX_OPTIONS = 4
# a device type's name of this length printed in this many manuals is a word ("max", "min"):
# only in capitals does it name the type ("Growatt MAX")
TRADE_WORD_CHARS = 3
TRADE_WORD_DOCS = 3
# a model's own table: the first passages read for a section naming one model, answering at
# least this share as well as the first quoted
SECTION_PASSAGES = 4
SECTION_SHARE = 0.8
VARIANT_SHARE = 0.8  # a key line giving variants their values answers this share as well
SENTENCE_LINES = 4  # a key line's sentence is read this many lines on for its end
HEADING_WORDS = 3  # a heading of at most this many words may be a model's name alone
MIN_NAME = 3  # a document name this long may begin a model name in a heading ("SMILE5")
# a heading's numbering: "1.4 ", "2.3.1. ", "A.2 "
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[A-Z]\.\d+(?:\.\d+)*)\s+")


def _names_value(kind: AnswerType, text: str) -> bool:
    """Tell whether a line of ``text`` states a value of ``kind`` under the kind's name.

    "Gewicht | 6.0 kg", "Geräuschemission | ≤25 dB(A)", "Betriebstemperatur | –25 °C …": not
    a figure's label "(16g)" nor "auf etwa 0°C" in a heat pump's description.
    """
    assert kind.whole_device is not None
    return any(
        holds_value(kind, piece) and kind.whole_device.search(fold(piece))
        for line in text.splitlines()
        for piece in pieces_of(line)
    )


def _asked_kinds(question: str) -> list[AnswerType]:
    """Return the strict kinds of value asked for; only the register when one is asked.

    "Which register gives me the number of battery cycles?" asks for an address: the
    register row states no number of cycles, nor need it.
    """
    kinds = asked_types(question)
    registers = [k for k in kinds if k.interface_documents]
    return registers or kinds


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
    unknown: tuple[str, ...] = ()  # the question's words no manual prints (off-topic)
    small_talk: str = ""  # "thanks", "greeting", …: nothing to look up, no hand-off offered
    general: tuple[str, ...] = ()  # general practice asked ("Spannungsfall-Berechnung")
    per_model: bool = False  # clarify: the answering row gives each model its own value
    interface: bool = False  # clarify: the options are interfaces of one device (go-e API/Modbus)
    family: bool = False  # clarify: the options are device types with own register ranges
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
        # what a question names that the named manuals never print ("OCPP", "Fehler 03")
        self.unprinted = Unprinted(
            texts,
            {d: self.folded[d][1] for d in self.docs},
            self.protocol,
            retriever.router.names,
        )
        # each document's device line, where a maker has several (Sungrow SH-RT and SBR)
        self.lines = DeviceLines(
            retriever,
            {d: self.folded[d][0] for d in self.docs},
            {d: self.folded[d][1] for d in self.docs},
        )
        # the device types a protocol document gives their own register ranges (Growatt's
        # TL-X, TL3-X, storage types), and which of their names are words of the trade ("max")
        self.families = {
            d: fams
            for d in self.docs
            if self.protocol[d] and (fams := families_of(texts.get(d, "")))
        }

    @cached_property
    def _heading_forms(self) -> dict[str, frozenset[str]]:
        """Return, by doc id, the words naming a model some section heading is alone."""
        out: dict[str, frozenset[str]] = {}
        for doc, sections in self.retriever.sections().items():
            doc_names = self.retriever.router.document_names(doc)
            heads = [h for s in sections if (h := _heading_model(s, doc_names))]
            if len(heads) >= 2:
                out[doc] = frozenset().union(*(forms for _, forms in heads))
        return out

    @cached_property
    def _model_words(self) -> frozenset[str]:
        """Return the library's model names with a digit: documents' and model headings'."""
        heads = frozenset().union(*self._heading_forms.values())
        return frozenset(n for n in self.retriever.router.names | heads if _mixed(n))

    def spelled(self, question: str) -> str:
        """Return ``question`` with a model name typed apart joined ("smile 5" -> "smile5").

        Only where the joined word names a model of the library and is no short code: "3 x 1,5
        mm²" stays, "x1" being a SolaX too.
        """

        def join(found: re.Match[str]) -> str:
            joined = found.group(1) + found.group(2)
            return joined if fold(joined) in self._model_words else found.group()

        return exception_said(_SPACED.sub(join, question))

    @cached_property
    def trade_words(self) -> frozenset[str]:
        """Return the short type names most manuals print as words ("max", "min").

        Read once, when a question first needs them: the library's texts are scanned in one
        pass each, not at start-up.
        """
        names = sorted(
            {
                n
                for fams in self.families.values()
                for f in fams
                for n in f.names
                if len(n) <= TRADE_WORD_CHARS
            }
        )
        if not names:
            return frozenset()
        word = re.compile(rf"(?<![a-z0-9])({'|'.join(map(re.escape, names))})(?![a-z0-9])")
        docs = Counter(n for _, text in self.folded.values() for n in set(word.findall(text)))
        return frozenset(n for n in names if docs[n] >= TRADE_WORD_DOCS)

    def screen(self, question: str, photo: bool = False) -> Verdict | None:
        """Judge the question before any search: unsafe requests, small talk, unknown devices.

        ``photo``: a display photo comes with it (then "Hallo" is no message without content).
        """
        if safety_rules().is_unsafe(question):
            return Verdict("refused", "unsafe")
        if not photo and (kind := small_talk().kind(question)):
            return Verdict("not_found", "nothing to look up", small_talk=kind)
        manuals = tuple(self.folded[d][1] for d in self.named_documents(question))
        if safety_rules().out_of_scope(question, manuals):
            return Verdict("not_found", "out of scope", scope=True)
        missing = catalog().uncovered(question, self.library)
        if missing:
            return Verdict("not_found", "no manual for the device", tuple(missing))
        topics = catalog().general_topics(question)
        if topics and not self._names_model(question):
            return Verdict("not_found", "general topic", general=tuple(topics))
        return None

    def judge(self, question: str, hits: list[Hit], may_clarify: bool = True) -> Verdict:
        """Judge the search hits for ``question``."""
        if not hits:
            return Verdict("not_found", "no hits")
        best_dense = max((h.dense_score or 0.0) for h in hits)
        if all(h.dense_score is None for h in hits):
            # every hit came from the lexical search ("Welche Modbus-Slave-ID ist ab Werk
            # eingestellt?"): how close the library is, the dense index itself says
            best_dense = self.retriever.best_cosine(question) or 0.0
        # a kind of device the library holds ("Laderegler") names its devices as a name does
        of_kind = self.class_documents(question)
        # ... as does a product line of the catalogue ("smartshunt": Victron's documents)
        routed = bool(
            self.retriever.router.scores(question) or of_kind or self.named_documents(question)
        )
        codes = code_tokens(question) - self.retriever.router.names
        if best_dense < MIN_DENSE and not codes and not routed:
            return Verdict("not_found", f"weak evidence (cosine {best_dense:.3f})")
        if not routed and not error_codes(question):
            # an error code is the manuals' business, in whatever words ("Was heißt
            # Fehlercode 8?"); a year is not ("Wer hat die Fußball-WM 2014 gewonnen?")
            share, unknown = self.retriever.known_share(question)
            if (
                not codes
                and len(unknown) >= OFF_TOPIC_UNKNOWN
                and not catalog().names_trade(question)
            ):
                # naming nothing of the trade (no device, no kind of device, no word of its
                # trade), two of its topic words the library never prints ("red wine out of a
                # carpet", "retirement gift for a colleague"): about something else, however
                # close e5 puts it — not "which device?"
                return Verdict(
                    "not_found",
                    "off-topic (names nothing the library prints)",
                    unknown=tuple(unknown),
                )
            if best_dense < OFF_TOPIC_DENSE and unknown and share < OFF_TOPIC_SHARE:
                # the whole library's nearest passage, not only the fused hits' ("Display
                # tot": the hits carry 0.817, the library holds 0.846)
                library = self.retriever.best_cosine(question) or 0.0
                if library < OFF_TOPIC_DENSE:
                    reason = f"off-topic (known share {share:.2f}, cosine {library:.3f})"
                    return Verdict("not_found", reason, unknown=tuple(unknown))
        if may_clarify and not catalog().names_device(question):
            # a question in words every maker's manuals use ("Which TCP port for Modbus
            # TCP?") fits each of them, however far ahead one manual's wording ranks it
            # a kind of device named ("charge controller"): each of its devices found fits
            close = close_hits(hits) if self.maker_words(question) and not of_kind else hits
            options = self.device_options(close)
            if len(options) >= 2:
                options = self.stating_options(question) or options
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
        unprinted = self.unprinted(question, named)
        if unprinted is not None:
            reason, what = unprinted
            return Verdict(
                "not_found", reason, missing=what, related=related(question, hits, named)
            )
        # after the checks that hold for every device of the brand (no fuse in a register map)
        if may_clarify and len(options := self.lines.options(question, hits)) >= 2:
            interface = set(options) <= catalog().interface_lines
            return Verdict(
                "clarify", "several devices of the brand fit", tuple(options), interface=interface
            )
        quoted = quotable(hits, question, named)
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
                    related=related(question, hits, named),
                )
            quoted = [*within_pages(quoted, MAX_SOURCES - 1), (own or holders)[0]]
        apart = self._other_model(question, quoted)
        with_parts, parts = open_parts(self.retriever, question, quoted, apart=apart)
        with_parts, sibling = first_page_sibling(self.retriever, question, with_parts, apart=apart)
        if sibling is not None:
            parts[sibling[0]] = sibling[1]
        with_parts, notes = row_notes(self.retriever, question, with_parts)
        if notes is not None:
            parts[notes[0]] = notes[1]
        with_parts = captioned_tables(self.retriever, question, with_parts, apart=apart)
        if may_clarify and (types := self.family_options(question, with_parts)):
            return Verdict("clarify", "the register differs by device type", types, family=True)
        if may_clarify and (models := self.models_asked(question, with_parts)):
            return Verdict("clarify", "the value differs by model", models, per_model=True)
        if with_parts and all(is_boilerplate(h.chunk.text) for h in with_parts):
            # a closing "Vielen Dank für das Lesen …" and a copyright notice are all the
            # evidence there is ("alpha ess wo klemm ich den modbus an?"); a short passage
            # (filler by its length) may still be the answer
            return Verdict("not_found", "only filler passages")
        return Verdict("answer", hits=tuple(with_parts), parts=tuple(parts.items()))

    def _other_model(self, question: str, quoted: list[Hit]) -> Callable[[Chunk], bool]:
        """Return a test for a passage under another model's heading than the first quoted's.

        "1.4 Storion T30" says "BT | 19200"; "BT | 9600" beside it on the page is the
        SMILE-T10's. A model the question names is not another ("SMILE-T10 vs T30").
        """
        if not quoted:
            return lambda chunk: False
        first = quoted[0].chunk
        names = self.retriever.router.models_of(first.doc_id)
        doc_names = self.retriever.router.document_names(first.doc_id)
        own = _section_model(first.section, names, doc_names)
        if own is None:
            return lambda chunk: False
        asked = _said(question)

        def other(chunk: Chunk) -> bool:
            heading = _section_model(chunk.section, names, doc_names)
            return (
                heading is not None
                and heading[0].lower() != own[0].lower()
                and not heading[1] & asked
            )

        return other

    def models_asked(self, question: str, quoted: list[Hit]) -> tuple[str, ...]:
        """Return the models to ask for when the first quoted row differs by model.

        "Mit wieviel Ampere muss ich die NIBE S1256 absichern?" is answered by "Absicherung | A
        | 16 | 25 | 25" under "S1256 | -8 | -13 | -18": which size is meant decides it.
        """
        if not quoted:
            return ()
        first = quoted[0].chunk
        found = quote(first.text, question)
        # "1A(JK-B1A24S) or 2A(JK-B2A24S)", "… (X1:850~4000 X3:1600~6500)": a line (or a
        # cell) giving each model its value
        names = self.retriever.router.models_of(first.doc_id)
        chunks = self.retriever.page_chunks(first)
        doc_names = self.retriever.router.document_names(first.doc_id)
        beside: dict[int, list[Chunk]] = {}  # the pages before (-1) and after (1), read once

        def page_beside(step: int) -> list[Chunk]:
            if step not in beside:
                at = replace(first, page_start=first.page_start + step)
                beside[step] = self.retriever.page_chunks(at)
            return beside[step]

        near = chunks
        if first.doc_id in self._heading_forms:
            # a model's own section may start on the page before or go on to the next
            near = [*page_beside(-1), *chunks, *page_beside(1)]
        if models := _section_models(question, quoted, found.score, names, doc_names, near):
            return models
        # the first passage's key lines, then those of a passage of the same document quoted
        # after it answering as well ("Charge float voltage (X1:850~4000 X3:1600~6500)" of the
        # write map beside the read map's row)
        variants = not asks_register(question)  # a register's address is every variant's
        for said in (found, *self._as_well(question, quoted, found.score)):
            for key in said.keys:
                if models := inline_models(question, key, names):
                    return models
            # "… 220V/230V/240V for HV models." / "… 127V/120V/110V for LV models.":
            # variants the key lines give their own values
            # (with the lines the key sentence wraps onto: "… 00/01/02/03/04 for HV models. Set
            # output mode to 00/01/02/03/04/05/06/07 for" / "LV models. nn: …")
            # (and the line after a key line naming a variant that names another: "… to
            # 220V/230V/240V for HV models." over "… to 127V/120V/110V for LV models.")
            strong = [
                line
                for key in _strong(said.keys, question)
                for line in ((key, *said.rest) if key == said.key else (key,))
                + _variant_after(key, chunks)
            ]
            if variants and (models := variant_values(question, list(dict.fromkeys(strong)))):
                return models
        # the rows among the key lines of the first page's passages, which the answer quotes
        # as one
        keys = [
            key
            for hit in quoted
            if (hit.chunk.doc_id, hit.chunk.page_start) == (first.doc_id, first.page_start)
            for key in (found if hit.chunk is first else quote(hit.chunk.text, question)).keys
        ]
        page = "\n".join(c.text for c in chunks)  # Retriever.page_text, already fetched
        # "Fronius IG 15 - 60 V2.9.4 or higher" / "Fronius IG 300 - 500 V3.6.4.0 or higher":
        # a key line's wording printed again with each product's value
        if variants and (models := twin_lines(question, _strong(keys, question), page, doc_names)):
            return models
        # a note the first page's passages quote in bold giving each variant its value
        # ("1 Valid from version PLENTICORE G2: SW 02.12.xxxxx PLENTICORE G3: SW 3.04.01.xxxxx"
        # under the SunSpec models' table)
        noted = [key for key in keys if names_variant(key) and " | " not in key]
        if variants and noted and (models := variant_values(question, noted)):
            return models
        # "Sie müssen … einen separaten Leistungsschalter … installieren" followed by "Wir
        # empfehlen Ihnen, den Nennstrom des AC-Schalters in dieser Tabelle zu wählen:": the
        # line after a key line's sentence (the page may wrap it) leads in the per-model list
        keys += [lead for key in list(keys) if (lead := _line_after(key, page))]
        rows = [key for key in keys if " | " in key]
        # most answers: no table row, nothing read further; unless a preset is asked for,
        # which a later page's table of defaults per variant may give ("what is the factory
        # preset cell undervoltage?" finds JK's p. 20 first)
        if (
            not rows
            and not any(key.rstrip().endswith(":") for key in keys)
            and not asks_default(question)
        ):
            return ()
        # "Wir empfehlen Ihnen, den Nennstrom des AC-Schalters in dieser Tabelle zu wählen:" —
        # the key line leads in the list under it, which answers per model
        for key in keys:
            if key.rstrip().endswith(":") and (row := _row_under(key, page)):
                models, _ = listed_models(question, row, page)
                if models:
                    return models
        more = tuple("\n".join(c.text for c in page_beside(step)) for step in (-1, 1))
        if models := self._row_models(question, rows, page, more):
            return models
        # a data sheet's row on a later page of the same manual, quoted after an error
        # table's "PV Voltage High Error | … less than 550V" (Growatt MIC: "Max. DC-Spannung
        # | 500V" for the 750-2000TL-X on p. 24, "| 550V" for the 2500-3300TL-X on p. 25)
        seen = {first.page_start}
        for hit in quoted[1:]:
            chunk = hit.chunk
            if chunk.doc_id != first.doc_id or chunk.page_start in seen:
                continue
            seen.add(chunk.page_start)
            keys = [key for key in quote(chunk.text, question).keys if " | " in key]
            if not keys:
                continue
            text = self.retriever.page_text(chunk)
            if (
                not model_rows(text)
                and not any(listed_models(question, k, text)[0] for k in keys)
                and not any(default_columns(k, text) for k in keys)
            ):
                continue  # no data sheet's table nor a list per model: nothing per model to read
            around = tuple(
                self.retriever.page_text(replace(chunk, page_start=chunk.page_start + step))
                for step in (-1, 1)
            )
            if models := self._row_models(question, keys, text, around):
                return models
        return ()

    def _row_models(
        self, question: str, rows: list[str], page: str, more: tuple[str, ...]
    ) -> tuple[str, ...]:
        """Return the models to ask for when one of the key ``rows`` of ``page`` differs by
        model and answers better than the page's rows with one value (see _beats_page)."""
        ask = ask_of(question)
        extreme = states_extreme(question)
        for key in rows:
            models = model_options(question, key, page, more)
            if models and self._beats_page(key, page, ask, extreme=extreme):
                return models
            models, listed = listed_models(question, key, page)
            if models and self._beats_page(key, page, ask, listed, extreme):
                return models
            if models := named_rows(question, key, page):
                return models
        return ()

    def family_options(self, question: str, quoted: list[Hit]) -> tuple[str, ...]:
        """Return the device types to ask for when the first quoted row is not every type's.

        "growatt modbus register for today's energy exported to grid?" finds "1048. |
        Etogrid_today H" of the storage types' input registers; a TL-X reads it at 3071. The
        first key row's address lies in the ranges of some types the question may mean, not
        of all: ask which type. A question asking for the ranges themselves (their
        declarations are the key lines) asks too. Empty when the question names a type whose
        rows answer ("Growatt SPH", "Growatt MIC": a MIC750-3300TL-X).
        """
        if not quoted or not (fams := self.families.get(quoted[0].chunk.doc_id)):
            return ()
        first = quoted[0].chunk
        meant = self.families_named(question, first.doc_id) or list(fams)
        if len(meant) < 2:
            return ()
        if asks_ranges(question):
            return tuple(f.label for f in meant)
        if not asks_register(question):
            return ()  # "wie viele Geräte an einen RS485-Port?" asks no register
        found = quote(first.text, question)
        if any(declares_ranges(key) for key in found.keys):
            return tuple(f.label for f in meant)
        numbers = set(re.findall(r"\d+", question))
        asks = False
        # the first passage's row, and those of the map's passages after it answering about
        # as well: one every type reads answers ("03 | Active P Rate" beside "229 |
        # EnergyAdjust", a TL3-X's only)
        for hit in quoted[:SECTION_PASSAGES]:
            said = found if hit is quoted[0] else quote(hit.chunk.text, question)
            if hit.chunk.doc_id != first.doc_id or said.score < SECTION_SHARE * found.score:
                continue
            function = function_of(hit.chunk.section)
            address = next((a for key in said.keys if (a := address_of(key)) is not None), None)
            if function is None or address is None:
                if hit is quoted[0]:
                    return ()  # the answer is no register row ("001xx | Inverter | 1 tracker…")
                continue
            if str(address) in numbers:
                return ()  # "Growatt Register 3071?": the row asked for by its address
            reading = [f for f in meant if f.holds(function, address)]
            if len(reading) == len(meant):
                return ()
            asks = asks or bool(reading)
        return tuple(f.label for f in meant) if asks else ()

    def families_named(self, question: str, doc_id: str) -> list[Family]:
        """Return the types of ``doc_id`` the question names, by their own or a device's name.

        "Growatt SPH", "growatt TL-X", "Growatt MAX" (in capitals: "max" is a word); "Growatt
        MIC" names the manual of the MIC750-3300TL-X, whose name ends in the TL-X type.
        """
        fams = self.families.get(doc_id, ())
        maker = maker_of(self.docs[doc_id])
        said = {
            f: sum(says_name(n, question, n in self.trade_words, maker) for n in f.names)
            for f in fams
        }
        if (most := max(said.values(), default=0)) > 0:
            # "Storage (SPA)" says "storage" of both storage families, "spa" of one
            return [f for f in fams if said[f] == most]
        named: list[Family] = []
        router = self.retriever.router
        tokens = set(raw_tokens(question))
        own = router.document_names(doc_id)
        for other in self.docs:
            if other != doc_id and (router.document_names(other) - own) & tokens:
                label = self.folded[other][0]
                named += [
                    f
                    for f in fams
                    if f not in named
                    and any(says_name(n, label, False) for n in f.names - self.trade_words)
                ]
        return named

    def family_rows(self, question: str, hits: list[Hit], replied: bool = False) -> list[Hit]:
        """Return ``hits`` with the rows of the device type the question names first.

        The reply "TL-X (MIN)" to "Which input register gives the AC output power?": the
        first group's "35. | Pac H" is no TL-X's register, "3023 | Pac H" is. The map's
        passage whose rows answer best within the named types' ranges leads. ``replied``: the
        type is the technician's reply to Nik's question; then passages outside its ranges
        go, as do the maker's manuals the type's name routes to (the MIC750-3300TL-X's for
        "TL-X"). A type the question names itself keeps them after (a "Growatt hybrid" may be
        a storage type or a TL-XH, which the declarations do not list).
        """
        ranges = asks_ranges(question)
        if not (ranges or asks_register(question)):
            return hits  # "Growatt MIC max. DC-Spannung": its manual, no register map
        asked = function_asked(question)
        for doc_id in self.families:
            maker = maker_of(self.docs[doc_id])
            if not any(maker_of(self.docs[h.chunk.doc_id]) == maker for h in hits):
                continue
            named = self.families_named(question, doc_id)
            if not named or len(named) == len(self.families[doc_id]):
                continue

            fits = partial(_of_types, question=question, named=named, asked=asked)
            other = partial(self._beside_map, doc_id=doc_id, ranges=ranges)
            kept = [
                h
                for h in hits
                if not other(h.chunk) and (h.chunk.doc_id != doc_id or fits(h.chunk) is not False)
            ]
            # not replied: the rest after, in their order
            rest = [] if replied else [h for h in hits if h not in kept]
            found = self.retriever.search(
                question,
                SearchOptions(k=ROW_SCAN, filters=SearchFilters((self.docs[doc_id].file,))),
            )
            seen = {h.chunk.id for h in kept}
            best = max(
                (quote(h.chunk.text, question).score for h in kept if h.chunk.doc_id == doc_id),
                default=0.0,
            )
            scored = [
                (quote(h.chunk.text, question).score, h)
                for h in found
                if h.chunk.id not in seen and fits(h.chunk) and not other(h.chunk)
            ]
            scored.sort(key=lambda pair: pair[0], reverse=True)
            first = kept[:1] == hits[:1]  # the first hit stays: the rows join after it
            score = hits[0].score * (SOURCE_SHARE if first else 1.0)
            extra = [replace(h, score=score) for s, h in scored[:ROW_EXTRA] if s > best]
            ordered = [*kept[:1], *extra, *kept[1:]] if first else [*extra, *kept]
            if not ordered:  # every passage was another type's: the map's best of the type's
                ordered = [replace(h, score=score) for _, h in scored[: ROW_EXTRA + 1]]
            hits = [*ordered, *rest]
        return hits

    def _beside_map(self, chunk: Chunk, doc_id: str, ranges: bool) -> bool:
        """Tell whether ``chunk`` stands beside the type's rows of the map ``doc_id``.

        The maker's manuals a type's name routes to (the reply "TL-X (MIN)" names the
        MIC750-3300TL-X's), and the map's declarations unless the ranges are asked.
        """
        if chunk.doc_id == doc_id:
            return not ranges and declares_ranges(chunk.text)
        return (
            maker_of(self.docs[chunk.doc_id]) == maker_of(self.docs[doc_id])
            and not self.protocol[chunk.doc_id]
        )

    def model_sections(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Return ``hits`` with the first one's page passage under the model the question names.

        The reply "S1156" to "Wo sitzt das Sicherheitsventil?": the search still ranks the
        passage under NIBE's heading "S1256" first; the one under "S1156" on its page answers.
        Passages under another model's heading go ("X1" says SolaX's "Inverter error
        code(X1)" table, not the X3's).
        """
        if not hits:
            return hits
        first = hits[0].chunk
        names = self.retriever.router.models_of(first.doc_id)
        doc_names = self.retriever.router.document_names(first.doc_id)
        asked = _said(question)
        if not asked & (names | self._heading_forms.get(first.doc_id, frozenset())):
            return hits  # most questions: no model of the document named, no page to read
        page = self.retriever.page_chunks(first)
        # the model each passage's section heading names (None: none)
        heads = {
            c.id: _section_model(c.section, names, doc_names)
            for c in [*(h.chunk for h in hits), *page]
        }

        def head(chunk: Chunk) -> str | None:
            printed = heads[chunk.id]
            return printed[0].lower() if printed else None

        # a model some heading names ("g4" names SolaX's whole file, no table)
        said = {h[0].lower() for h in heads.values() if h is not None and h[1] & asked}
        if len(said) != 1:
            return hits

        def other(chunk: Chunk) -> bool:  # under the heading of a model not said
            return chunk.doc_id == first.doc_id and head(chunk) not in (None, *said)

        if other(first):
            for chunk in page:
                if head(chunk) in said:
                    hits = [replace(hits[0], chunk=chunk), *hits]
                    break
        kept = [h for h in hits if not other(h.chunk)]
        unique: dict[int, Hit] = {}
        for hit in kept:
            unique.setdefault(hit.chunk.id, hit)  # each passage at its first place
        return list(unique.values()) or hits

    @staticmethod
    def _as_well(question: str, quoted: list[Hit], score: float) -> Iterator[Quote]:
        """Yield the quotes of the passages after the first, of its document, scoring ``score``+."""
        for hit in quoted[1:]:
            if hit.chunk.doc_id == quoted[0].chunk.doc_id:
                said = quote(hit.chunk.text, question)
                if said.score >= score:
                    yield said

    @staticmethod
    def _beats_page(
        key: str, page: str, ask: Ask, listed: list[str] | None = None, extreme: bool = True
    ) -> bool:
        """Tell whether the row ``key`` answers better than every row of ``page`` with one value.

        "Welcher Batteriespannungsbereich?" scores "MPP-Spannungsbereich | 150 V – 950 V | …"
        no better than "Nenneingangsspannung | 600 V": no row is known to answer, and a
        model asked for would not make one. A sentence giving the series' extreme ("… can
        achieve a maximum continuous current of 2A") answers only a question asking for one
        (``extreme``): "how many amps?" is one model's "Balance current | 0.6 A | 1 A | 2 A".
        """
        score = line_score(key, ask)
        units = units_of(key)
        # the numbers the question says: a row holding only these states its condition, not
        # a value ("Leistungsangaben. DIN | S0 / W35" above "Heizleistung QWP | kW | 2,85 | …")
        said = set(re.findall(r"\d+", " ".join(ask.codes | ask.terms)))
        for line in page.splitlines():
            if (
                line.strip() == key.strip()
                or per_model(line, page)
                or default_columns(line, page)
                or line in (listed or ())
            ):
                continue
            if (numbers := set(re.findall(r"\d+", line))) and numbers <= said:
                continue
            if not extreme and " | " not in line and states_extreme(line, units):
                continue
            for piece in pieces_of(line):
                other = line_score(piece, ask)
                # a tie is no row known to answer better ("Einschaltspannung | 180 V | 250 V
                # …" beside "Nenneingangsspannung | 600 V"), unless the row begins as a
                # question's word does ("Batteriespannung | 150 – 600 V" for
                # "Batteriespannungsbereich" beside "MPP-Spannungsbereich | …")
                if other > score or (
                    other == score and _head_shared(piece, ask) > _head_shared(key, ask)
                ):
                    return False
        return True

    def _names_model(self, question: str) -> bool:
        """Tell whether ``question`` names a model of the library by its number ("EK893", "PI30").

        Not by the router's looser names: "DC" (E3/DC) or "Home" (Home Manager) are words.
        """
        return bool(code_tokens(question) & self.retriever.router.names)

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
                maker_of(doc)
                for doc_id, doc in self.docs.items()
                if word in self.folded[doc_id][1] or word in self.folded[doc_id][0]
            }
            if len(makers) == 1:
                found.append(word)
        return found

    def value_follow_up(self, question: str, hits: list[Hit]) -> tuple[str, tuple[str, ...]] | None:
        """Return (query, files) of a second search when no hit states the asked value.

        Technical data sit on one page near the end of a long manual, in a table the
        question's words hardly touch; a search within the named device's manuals for the
        technical data finds it. None when the question asks for no kind of value, names no
        device, or the hits already state a value of each kind asked ("Versorgungsspannungs-
        und Temperaturbereich": a voltage on the first page does not state the temperatures).
        The named device's manuals are searched for the question itself, whatever it asks,
        when no hit is one of them (:meth:`merge_follow_up` then lets theirs lead).
        """
        kinds = page_value_kinds(question)
        named = self.named_documents(question)
        if hits and _none_named(named, hits):
            # none of the named device's documents was found ("smartshunt: relais
            # fernschalten?" names Victron's by its product line, which no file name says):
            # search them, not the other makers' pages
            return question, tuple(sorted(self.docs[d].file for d in named))
        if not kinds or not named:
            return None
        if self._pages_state(hits, named, kinds):
            return None
        files = tuple(sorted(self.docs[d].file for d in named))
        return f"{question} {TECH_DATA_WORDS}", files

    def page_passages(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Return ``hits`` with the passage of each hit's page that answers the question."""
        return page_passages(self.retriever, question, hits)

    def value_siblings(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Return ``hits`` with, after each, the passage of its page stating the asked value."""
        return value_siblings(self.retriever, question, hits, self.named_documents(question))

    def merge_follow_up(self, question: str, hits: list[Hit], more: list[Hit]) -> list[Hit]:
        """Add the follow-up hits that state the asked value, just inside the quoting range.

        When no hit was the named device's, its own follow-up hits go first instead.
        """
        named = self.named_documents(question)
        if _none_named(named, hits):
            # the named device's own passages lead (see value_follow_up)
            return [*(h for h in more if h.chunk.doc_id in named), *hits]
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

    def _pages_state(self, hits: list[Hit], named: set[str], kinds: list[AnswerType]) -> bool:
        """Tell whether the pages of the named device's top hits state a value of each kind."""
        top = [h for h in hits[:MAX_SOURCES] if h.chunk.doc_id in named]
        pages = [self.retriever.page_text(h.chunk) for h in top]
        return all(any(holds_value(k, page) for page in pages) for k in kinds)

    def value_scan(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Return ``hits`` with the named manual's passage stating the asked value, if none does.

        "How loud is a Growatt MIC 1500TL-X?": the noise level stands on the data sheet's
        second page, among forty rows the question shares no word with; neither search ranks
        it. A technician would leaf through the manual for it: the named device's manuals (not
        its register maps) are read passage by passage, and the one stating a value of each
        strict kind asked whose best line answers best joins the hits.
        Only for properties of the whole device (weight, noise, IP rating …: see
        ``AnswerType.whole_device``), when no hit's page states one: the torque table found
        for "Anzugsmoment der PV-Stecker" lists the AC connector's, not theirs.
        """
        kinds = [k for k in page_value_kinds(question) if k.strict]
        named = self.named_documents(question)
        if not hits or not kinds or not named or not all(k.whole_device for k in kinds):
            return hits
        if self._pages_state(hits, named, kinds):
            return hits
        ids = [
            i
            for d in sorted(named)
            if not self.protocol[d]
            for i in range(self.docs[d].first_chunk, self.docs[d].last_chunk + 1)
        ]
        seen = {h.chunk.id for h in hits}
        stating = [
            c
            for c in self.retriever.chunks(ids).values()
            if c.id not in seen and all(_names_value(k, c.text) for k in kinds)
        ]
        if not stating:
            return hits
        best = max(stating, key=lambda c: (quote(c.text, question).score, -c.id))
        return [*hits[:1], Hit(best, SOURCE_SHARE * hits[0].score), *hits[1:]]

    def register_rows(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Return ``hits`` with the register map's passage whose row answers best, if none does.

        "Which register holds the battery temperature?" of the Deye map: its row "586 |
        battery temperature | R | [0,3000] | 0.1°C" stands in a passage the search ranks
        19th (the passages above share "battery", "register", "temperature" over many rows).
        Read like a technician scanning the map: the passages of the named device's register
        maps nearest the question, by their best row. Only when the question asks for a
        register and every named document is an interface document.
        """
        if not hits or not any(k.interface_documents for k in asked_types(question)):
            return hits
        named = self.named_documents(question)
        if not named or not all(self.protocol[d] for d in named):
            return hits
        best, scored = self._scan_named(question, hits, named)
        floor = SOURCE_SHARE * hits[0].score
        extra = [replace(h, score=floor) for score, h in scored[:ROW_EXTRA] if score > best]
        return [*hits[:1], *extra, *hits[1:]]

    def line_scan(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Return ``hits`` with the named manual's passage whose line answers clearly best.

        "Wie viele Geräte kann der Sunny Home Manager insgesamt verwalten?": the technical
        data's "Geräte in der Anlage insgesamt bis zu 24" stands on p. 130 of 131, in a
        passage the fused search ranks below the pages about adding devices. Read like
        :meth:`register_rows` for any question naming a device: the passages of its manuals
        nearest the question, by their best line; the best joins the hits when its line
        scores LINE_SCAN_SHARE times the hits' best.
        """
        if not hits or asked_types(question):
            # a register question: register_rows reads the map; a strict kind of value:
            # value_scan reads the manual for it and the judge's checks want the hits as
            # found (a torque for the AC plug is none for the PV plug)
            return hits
        named = self.named_documents(question)
        if not named:
            return hits
        best, scored = self._scan_named(question, hits, named)
        scored = [(score, h) for score, h in scored if not is_filler_passage(h.chunk)]
        if not scored:
            return hits
        score, top = scored[0]
        if score < max(MIN_LINE, LINE_SCAN_SHARE * best):
            return hits
        # ... by the question's words, not only by a value of the asked kind: any "0°C" of a
        # heat pump's description states a temperature ("wo stelle ich die Innentemperatur
        # ein?"), any "W" row of a data sheet a power
        said = max(
            (_word_score(h.chunk.text, question) for h in hits if h.chunk.doc_id in named),
            default=0.0,
        )
        if _word_score(top.chunk.text, question) < max(MIN_LINE, LINE_SCAN_SHARE * said):
            return hits
        # it joins below the hits: quoted first when its line answers clearly best (see
        # passages.quotable), without pushing out the passages the search found
        return [*hits, replace(top, score=min(h.score for h in hits))]

    def _scan_named(
        self, question: str, hits: list[Hit], named: set[str]
    ) -> tuple[float, list[tuple[float, Hit]]]:
        """Return the best line score among the named documents' hits, and the passages of
        the named manuals nearest the question (ROW_SCAN, not among the hits) with their
        best line's score, best first."""
        files = tuple(sorted(self.docs[d].file for d in named))
        found = self.retriever.search(
            question, SearchOptions(k=ROW_SCAN, filters=SearchFilters(files))
        )
        seen = {h.chunk.id for h in hits}
        best = max(
            (quote(h.chunk.text, question).score for h in hits if h.chunk.doc_id in named),
            default=0.0,
        )
        scored = [(quote(h.chunk.text, question).score, h) for h in found if h.chunk.id not in seen]
        scored.sort(key=lambda pair: pair[0], reverse=True)
        return best, scored

    def named_documents(self, question: str) -> set[str]:
        """Return the documents of the device the question names (empty: names none)."""
        routed = self.retriever.router.scores(question)
        if not routed:
            # a model no file name prints ("SMO S40", "VVM S320" of NIBE's S series): the
            # manuals of its product line
            products = catalog().products_named(question)
            if not products:
                return set()
            # ... or, when no label names the line either ("SmartShunt", which only the
            # maker's protocols list), the maker's documents
            return self._of_brands(set(self.docs), products) or self._of_brands(
                set(self.docs), catalog().makers_of_products(question)
            )
        top = max(routed.values())
        named = {d for d, score in routed.items() if score >= NAMED_SHARE * top}
        makers = catalog().makers_of_products(question)
        if makers and not self._of_brands(named, makers):
            # a product line named by words outweighs a name the routing read in another
            # word ("smartshunt seriennummer": no NIBE "S-Serie")
            named = self._of_brands(set(self.docs), makers) or named
        # "Victron SmartSolar" also routes to every "Smart…" manual: when the question names
        # a maker, the named documents are that maker's
        brands = catalog().brands_named(question)
        of_brand = self._of_brands(named, brands)
        # a maker named by another of its names than its documents' ("Axpert" for Voltronic)
        # beside a routed one ("Axpert MAX an einer Pylontech-Bank"): its documents too
        unrouted = [b for b in brands if not self._of_brands(named, [b])]
        if of_brand and unrouted:
            of_brand |= self._of_brands(set(self.docs), unrouted)
        # "der Sungrow Speicher": of the maker's lines the question names one, the SBR
        named = self.lines.narrow(question, of_brand or named)
        # "go-e modbus tcp": of the device's interface documents the question says the type of
        # one; its other interfaces (the HTTP API) are not meant. A manual stays: "Growatt
        # über Modbus" may ask the installation manual too. After the device line: "SolaX X1
        # Mini modbus" is the Mini's protocol, whatever type the G4's file name says
        typed = {d for d in named if self.retriever.router.says_type(d, question)}
        if typed and all(self.protocol[d] for d in named - typed):
            return typed
        if asks_register(question) and not any(self.protocol[d] for d in named):
            # "growatt mic 3000tl-x: welches holding register …": the installation manual
            # named holds no register map; the maker's protocol routed beside it does
            named |= {d for d in routed if self.protocol[d]}
        return named

    def _of_brands(self, docs: set[str], brands: list[re.Pattern[str]]) -> set[str]:
        # the documents of ``docs`` whose label names one of ``brands``
        return {d for d in docs if any(b.search(self.folded[d][0]) for b in brands)}

    def _label(self, doc_id: str) -> str:
        doc = self.docs[doc_id]
        return device_label(doc.file, doc.title)

    def class_documents(self, question: str) -> set[str]:
        """Return the library's documents of the kinds of device ``question`` names."""
        return catalog().class_documents(question, self._labels)

    @cached_property
    def _labels(self) -> dict[str, str]:
        """Return each document's folded file name and title, by doc id."""
        return {d: label for d, (label, _) in self.folded.items()}

    def class_hits(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Return the hits of the library's devices of the kind ``question`` names.

        "Wallbox: wie stelle ich den Ladestrom ein?" means one of the library's chargers, not
        a battery inverter whose pages say "Ladestrom" too; "Wärmepumpe: wo kommt das
        EVU-Signal an?" the one heat pump's manuals. Only for a question naming no device.
        """
        if not hits or catalog().names_device(question):
            return hits
        docs = self.class_documents(question)
        if not docs:
            return hits
        files = tuple(sorted(self.docs[d].file for d in docs))
        found = self.retriever.search(
            question, SearchOptions(k=len(hits), filters=SearchFilters(files))
        )
        if not found:
            return hits
        # each device of the kind with its best passage, for the question which one is meant
        # ("charge controller … baud rate": SRNE's file name says "Charge", EPEver's none)
        have = {self.lines.key(h.chunk.doc_id) for h in found}
        for doc in sorted(docs):
            if self.lines.key(doc) in have:
                continue
            best = self.retriever.search(
                question, SearchOptions(k=1, filters=SearchFilters((self.docs[doc].file,)))
            )
            if best:
                found.append(replace(best[0], score=min(best[0].score, found[-1].score)))
                have.add(self.lines.key(doc))
        return found

    def stating_options(self, question: str) -> list[str]:
        """Return the devices whose manuals state the kind of value asked, nearest first.

        "Welche Schutzart hat der Speicher?" finds register maps that print no IP rating;
        the devices to offer are those whose manuals print one (the SBR battery, …). Empty
        when the question asks for no such kind or fewer than two devices state it.
        """
        kinds = [k for k in asked_types(question) if not k.interface_documents]
        if not kinds:
            return []
        docs = frozenset.intersection(*(self.lines.stating(k) for k in kinds))
        if kind := self.class_documents(question):  # "charge controller": of that kind only
            docs &= kind
        if not docs:
            return []
        files = tuple(sorted(self.docs[d].file for d in docs))
        found = self.retriever.search(
            question, SearchOptions(k=CLARIFY_TOP * 2, filters=SearchFilters(files))
        )
        options = self.device_options(found)
        return options if len(options) >= 2 else []

    def device_options(self, hits: list[Hit]) -> list[str]:
        """Return the distinct devices the hits come from, best first.

        A device is a maker's, or one of its lines where the library holds several (the JK
        BMS and the JK balancer are two devices; Growatt's protocol and its MIC manual one).
        """
        seen: dict[str, str] = {}
        for hit in hits:
            doc = self.docs.get(hit.chunk.doc_id)
            if doc is None:
                continue
            seen.setdefault(self.lines.key(hit.chunk.doc_id), device_label(doc.file, doc.title))
        return list(seen.values())[:MAX_OPTIONS]


def _section_models(
    question: str,
    quoted: list[Hit],
    score: float,
    names: frozenset[str],
    doc_names: frozenset[str] = frozenset(),
    page: Sequence[Chunk] = (),
) -> tuple[str, ...]:
    """Return the models whose own sections answer differently, when the question names none.

    "solax g4 error code BIT15?": "Table 2-3 Inverter error code(X3)" says "BIT15 | Off-grid
    Overload", "Table 2-4 Inverter error code(X1)" says "BIT15 | Missed CT Fault". The first
    quoted passages of the document whose rows answer about as well as the first's, and the
    passages of the first one's ``page``, each under a section naming one model of the file's
    name: NIBE's "S1156" / "Das Sicherheitsventil befindet sich am Eingangsrohr (Kaltwasser)
    des Brauchwasserspeichers." beside "S1256" / "… des S1256.".
    """
    first = quoted[0].chunk
    asked = _said(question)
    models: dict[str, str] = {}  # model name -> as its section prints it
    forms: list[frozenset[str]] = []  # the words a question names each model by
    at: dict[str, int] = {}  # model name -> its first passage's place in the document
    keys: list[frozenset[str]] = []  # the cells of the key row each model's table answers with
    chunks = [h.chunk for h in quoted[:SECTION_PASSAGES]]
    chunks += [c for c in page if c.id not in {k.id for k in chunks}]
    for chunk in chunks:
        if chunk.doc_id != first.doc_id:
            continue
        heading = _section_model(chunk.section, names, doc_names)
        if heading is None:
            continue
        printed = heading[0]
        found = quote(chunk.text, question)
        if chunk.id != first.id and found.score < SECTION_SHARE * score:
            continue
        at[printed.lower()] = min(chunk.id, at.get(printed.lower(), chunk.id))
        if printed.lower() not in models:
            models[printed.lower()] = printed
            forms.append(heading[1])
            keys.append(
                frozenset(c.strip() for c in found.keys[0].split(" | "))
                if found.keys
                else frozenset()
            )
    if any(asked & f for f in forms):  # "solax x3 g4": the X3's table is meant ("g4": both)
        return ()
    if says_series(question):  # "für alle Modelle", "im Vergleich": every table answers
        return ()
    # what the rows say, not how the tables lay them out: "BYTE0 | BIT0 | TZ Protect Fault"
    # in one, "BIT0 | TZ Protect Fault" in the other is the same answer whichever model
    # ("BIT18 | BMS Lost" beside "BIT23 | BMS Lost" is not)
    alike = all(a <= b or b <= a for a, b in itertools.combinations(keys, 2))
    ordered = sorted(models, key=at.__getitem__)  # as the document has them
    return tuple(models[m] for m in ordered) if len(models) >= 2 and not alike else ()


def _of_types(chunk: Chunk, question: str, named: list[Family], asked: str | None) -> bool | None:
    """Tell whether a passage's key rows are the ``named`` types' registers of the kind asked.

    ``asked``: "input" or "holding" when the question says ("Input-Register": no holding
    register). None when the passage has no addressed rows under a register section.
    """
    function = function_of(chunk.section)
    keys = quote(chunk.text, question).keys
    addresses = [a for key in keys if (a := address_of(key)) is not None]
    if function is None or not addresses:
        return None
    if asked is not None and function != asked:
        return False
    return any(f.holds(function, a) for f in named for a in addresses)


def _section_model(
    section: str, names: frozenset[str], doc_names: frozenset[str] = frozenset()
) -> tuple[str, frozenset[str]] | None:
    """Return the one model a section heading names, as printed, with the words naming it.

    A heading that is a model's name alone ("1.2 SMILE-B3", "1.4 Storion T30": the document
    says "SMILE" and "Storion"), else the one model of the file name's ``names`` in it ("X3"
    of "Table 2-3 Inverter error code(X3)"). None for neither.
    """
    if heading := _heading_model(section, doc_names):
        return heading
    named: dict[str, str] = {}
    for m in re.finditer(r"[A-Za-z0-9]+", section):
        if m.group().lower() in names:
            named.setdefault(m.group().lower(), m.group())
    if len(named) != 1:
        return None
    printed = next(iter(named.values()))
    return printed, frozenset({printed.lower()})


def _heading_model(section: str, doc_names: frozenset[str]) -> tuple[str, frozenset[str]] | None:
    """Return a heading that is a model's name alone, with the words a question says it by.

    AlphaESS heads each model's interface table "1.1 SMILE5", "1.2 SMILE-B3", "1.3
    SMILE-T10", "1.4 Storion T30": every word has a digit or begins with a name of the
    document ("smile", "storion"). "SMILE-B3" is said as "SMILE-B3" or "B3".
    """
    words = _NUMBERING.sub("", section).split()
    if not 1 <= len(words) <= HEADING_WORDS:
        return None
    forms: set[str] = set()
    named = False  # a word begins with the document's name: "RS485" alone is no model
    for word in words:
        squeezed = re.sub(r"[^a-z0-9]", "", fold(word))
        prefixes = [n for n in doc_names if len(n) >= MIN_NAME and squeezed.startswith(n)]
        named = named or bool(prefixes)
        if _mixed(squeezed):
            forms.add(squeezed)
            tail = squeezed[len(min(prefixes, key=len)) :] if prefixes else ""
            if _mixed(tail):
                forms.add(tail)
        elif not prefixes:
            return None
    return (" ".join(words), frozenset(forms)) if forms and named else None


# a model name typed with a space before its number: "smile 5", "EK 893"
_SPACED = re.compile(r"(?<![\w-])([A-Za-z]{2,}) (\d{1,4})(?![\w,.])")


def _word_score(text: str, question: str) -> float:
    """Return the score of ``text``'s best unit by the question's words alone.

    As :func:`nikdesk.agent.quote.quote` scores a passage's units, without the bonus of a
    value of the asked kind, which a line sharing no word of the question earns too.
    """
    ask = replace(ask_of(question), kinds=(), quantity=False)
    return max((line_score(unit, ask) for unit in passage_units(text)[1]), default=0.0)


# a Modbus exception reply: the function code with its highest bit set ("FC16 … 0x90" is
# 0x80 + 0x10); the protocols print it as "0x80|0x10" or explain "exception responses".
# Only in a question about Modbus function codes: Pylontech's CID2 "0x90" and the SolaX X1
# Mini's control codes "0x83" are their own protocols' replies, "Register 0x90" an address
_EXCEPTION_CODE = re.compile(
    r"(?<!register )(?<!registers )(?<!adresse )(?<!address )(?<!addr )\b0x([89a][0-9a-f])\b",
    re.IGNORECASE,
)
_FUNCTION_CODE = re.compile(
    r"\b(?:fc|function(?: code)?|funktion(?:scode)?)\s?(?:0x)?0*([0-9a-f]{1,2})\b"
)
_MODBUS_REPLY = re.compile(r"\bfc\s?\d|function ?code|funktionscode|\bmodbus\b")
_FUNCTION_CODES = frozenset({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0F, 0x10, 0x17, 0x2B})


def exception_said(question: str) -> str:
    """Return ``question`` with a Modbus exception reply's parts said ("0x90" -> "0x80|0x10").

    Not when the question names another function code than the reply's ("FC 0x03 … 0x90"),
    nor when it asks for a register ("welches Register liefert 0x90?").
    """
    folded = fold(question)
    if not _MODBUS_REPLY.search(folded) or any(
        k.interface_documents for k in asked_types(question)
    ):
        return question  # not about a reply, or asking for the register holding a value
    # the request's function code the question names (a code of 0x80 on is the reply itself)
    named = {
        code
        for m in _FUNCTION_CODE.finditer(folded)
        if (code := int(m.group(1), 16 if "0x" in m.group(0) else 10)) < 0x80
    }
    said = []
    for found in _EXCEPTION_CODE.finditer(folded):
        function = int(found.group(1), 16) - 0x80
        if function in _FUNCTION_CODES and (not named or function in named):
            said.append(f"0x80|0x{function:02X}")
    if not said:
        return question
    return f"{question} (exception {' '.join(dict.fromkeys(said))})"


def _mixed(word: str) -> bool:
    """Tell whether ``word`` has letters and digits ("b3", "smile5"), as model names do."""
    return any(c.isdigit() for c in word) and any(c.isalpha() for c in word)


def _said(question: str) -> set[str]:
    """Return the words ``question`` may name a model by, joined forms too ("smileb3")."""
    return set(re.findall(r"[a-z0-9]+", fold(question))) | set(raw_tokens(question))


def _head_shared(line: str, ask: Ask) -> int:
    """Return how many letters a word of ``line`` begins with as a word of the question does."""
    words = [w for w in re.findall(r"[a-z]+", fold(line)) if len(w) >= 4]

    def shared(a: str, b: str) -> int:
        return next(
            (n for n, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
        )

    return max((shared(w, a) for w in words for a in ask.words), default=0)


def _variant_after(key: str, chunks: Sequence[Chunk]) -> tuple[str, ...]:
    """Return the line after ``key`` in its passage when both name a variant, else ()."""
    if not names_variant(key):
        return ()
    for chunk in chunks:
        _, lines = passage_units(chunk.text)  # the lines as the quote reads them
        if key in lines and (at := lines.index(key)) + 1 < len(lines):
            after = lines[at + 1]
            return (after,) if names_variant(after) else ()
    return ()


def _line_after(key: str, page: str) -> str:
    """Return the lead-in ending in ":" right after the sentence ``key`` starts or goes on in.

    The page may wrap the sentence: "… einen separaten einphasigen Leistungs-schalter oder" /
    "eine andere Lasttrenneinheit installieren, …" / "Last sicher abgeschaltet werden kann."
    """
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    at = next((n for n, line in enumerate(lines) if key.strip() in line), None)
    if at is None:
        return ""
    for end in range(at, min(at + SENTENCE_LINES, len(lines) - 1)):
        if lines[end].endswith(":"):
            return ""  # the key line is a lead-in itself (read as one)
        if lines[end].endswith((".", "!", "?")):
            return lines[end + 1] if lines[end + 1].endswith(":") else ""
    return ""


def _none_named(named: set[str], hits: list[Hit]) -> bool:
    """Tell whether the question names a device and none of ``hits`` is one of its documents."""
    return bool(named) and not any(h.chunk.doc_id in named for h in hits)


def _strong(keys: Sequence[str], question: str) -> list[str]:
    """Return the key lines answering about as well as the best of them.

    "Battery mode | B" answers "QMOD with (B"; the AC output voltage row "B | BBB.B | … for HV
    models … for LV models" beside it shares only the "B": its variants are not asked for.
    """
    ask = ask_of(question)
    scores = [line_score(key, ask) for key in keys]
    best = max(scores, default=0.0)
    return [key for key, score in zip(keys, scores, strict=True) if score >= VARIANT_SHARE * best]


def _row_under(lead: str, page: str) -> str:
    """Return the table row right under the line ``lead`` on ``page``, else ""."""
    lines = page.splitlines()
    at = next((n for n, line in enumerate(lines) if lead.strip() in line), None)
    if at is None or at + 1 >= len(lines) or " | " not in lines[at + 1]:
        return ""
    return lines[at + 1]
