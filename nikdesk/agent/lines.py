"""Choose the line of a passage that answers the question, and the few lines around it to quote.

A line earns its score by what the question asks for, not by shared words alone: the asked
kind of value (a current needs "16 A", a baud rate "19200"), the code the question names
(the row *defining* it), a quoted display text ("PV Isolation Low"), the LED colour and
state, compound parts ("Batteriemodule" meets "Module"). Long run-on lines are cut into
their sentences or "Name: value" pieces, and flattened register tables into one piece per
register, so one of them can be bold and highlighted. Nothing is rewritten: every piece is
a verbatim substring of the passage.

The same selection serves the no-LLM answer, the evidence under an uncited model answer and
the highlight of a model's citation.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from nikdesk.agent.guards import AnswerType, asked_types, holds_value
from nikdesk.agent.spelling import hex_spelling, line_terms, one_spelling, shares_part, with_hex
from nikdesk.core.text import STOPWORDS, fold, raw_tokens, terms
from nikdesk.retrieval.glossary import expand
from nikdesk.retrieval.hybrid import code_tokens, error_codes

LONG_LINE = 220  # a text line longer than this is cut into sentences / "Name: value" pieces
QUOTE_CHARS = 600  # a quoted window around the key line stays under this
TABLE_ROWS = 4  # rows quoted besides the header
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÄÖÜ0-9\"„(])")
# "Baud rate: 19200 Data bits: 8 Parity: None" -> one piece per "Name: value"
_FIELD = re.compile(r"\s+(?=(?:[A-ZÄÖÜ][\w/.-]*)(?:\s[\w/.-]+){0,2}\s?:\s)")
# flattened register tables: a piece starts at each register address
_REGISTER = re.compile(r"\s+(?=0x[0-9A-Fa-f]{3,4}\b)")
_QUOTED = re.compile(r"[\"'„“‚‘»«]([^\"'„“”‚‘’»«]{3,60})[\"'“”‘’»«]")
_NUMBER = re.compile(r"\d")
_WORD_SPLIT = re.compile(r"[\s,;!?()]+")  # a question's words, "3000TL-X" and "BMV-702" whole
_NEGATION = re.compile(r"\b(nicht|kein\w*|nie|niemals|not|no|never|cannot)\b")
# a link to a web page ("www.victronenergy.com/live/…#what_pins_do_i_need"), not an API
# endpoint ("http://{ip}:8050/setMaxPower?p=600", which is the answer in an API document)
_URL = re.compile(r"(?:https?://)?www\.\S+(?:\s\S*_\S*)*")
_COLOURS = {
    "rot": "red",
    "gruen": "green",
    "gelb": "yellow",
    "orange": "orange",
    "blau": "blue",
    "weiss": "white",
}
_STATES = re.compile(r"blink|flash|leucht|lit\b|\bon\b|\baus\b|\boff\b|dauer|steady|flacker")
_QUANTITY = re.compile(
    r"wie (viele?|hoch|gross|lang|schwer|breit|tief|weit)|how (many|much|long|high|large)"
    r"|welche[rsn]? (wert|spannung|strom|leistung|temperatur|baud|adresse|register)"
    r"|maximal|minimal|\bmax\b|\bmin\b|mindest|hoechst|bereich|range"
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
# the access cell of a register row: read only, or writable ("W" alone is also the watt)
_READ_ONLY = frozenset({"r", "ro", "read", "read only", "read-only", "input register"})
_WRITABLE = frozenset({"r/w", "rw", "w/r", "wo", "write", "read/write", "holding register"})
READ_ONLY_SHARE = 0.6  # a read-only row's score when the question writes


@dataclass(frozen=True)
class Ask:
    """What a question asks for, in the forms a line of a manual can match."""

    terms: frozenset[str]
    # one entry per word of the question: its forms (stems, joined/split codes, English
    # glossary terms) with their weights; a line sharing any form earns the best one's weight
    concepts: tuple[tuple[tuple[str, float], ...], ...]
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


_DEVICE_NAMES: frozenset[str] = frozenset()
# (words, question) -> word weights; see Retriever.term_weights (None: every word weighs 1)
Weights = Callable[[Iterable[str], str], dict[str, float]]
_WEIGHTS: Weights | None = None


def set_term_weights(weights: Weights | None) -> None:
    """Tell the line selection how to weigh the question's words (once per opened index)."""
    global _WEIGHTS
    _WEIGHTS = weights
    ask_of.cache_clear()
    quote.cache_clear()


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
        ask_of.cache_clear()
        quote.cache_clear()


@lru_cache(maxsize=256)
def ask_of(question: str) -> Ask:
    """Return what ``question`` asks for (cached: one question scores many lines)."""
    folded = fold(question)
    raw = [t for t in raw_tokens(question) if t not in STOPWORDS]
    quoted = [fold(m.group(1)).strip() for m in _QUOTED.finditer(question)]
    plain = [t for t in raw if t.isalpha() and len(t) >= 3]
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(plain)]
    colours = {c for c in _COLOURS if re.search(rf"\b{c}", folded)}
    colours |= {_COLOURS[c] for c in colours}
    colours |= {c for c in _COLOURS.values() if re.search(rf"\b{c}\b", folded)}
    names = _DEVICE_NAMES
    wanted = set(terms(question, drop_stopwords=True)) | set(expand(question))
    return Ask(
        terms=frozenset(wanted - names),
        concepts=_concepts(question, names),
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
        negated=bool(_NEGATION.search(folded)),
        writes=bool(_INTERFACE.search(folded) and _WRITES.search(folded)),
    )


def _concepts(question: str, names: frozenset[str]) -> tuple[tuple[tuple[str, float], ...], ...]:
    # a word of the question, whatever forms it takes: "3000TL-X" is one thing asked for
    words = [w for w in _WORD_SPLIT.split(question) if w]
    forms: dict[frozenset[str], None] = {}  # in question order, a repeated word once
    for word in words:
        found = frozenset(terms(word, drop_stopwords=True)) | frozenset(expand(word))
        if _names_device(raw_tokens(word), names):
            continue  # "BMV-702" names the device: its "702" is asked for no more than "BMV"
        if found - names:
            forms.setdefault(found - names)
    everything = sorted({f for found in forms for f in found})
    weights = _WEIGHTS(everything, question) if _WEIGHTS is not None and everything else {}
    return tuple(tuple(sorted((f, weights.get(f, 1.0)) for f in found)) for found in forms)


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


def pieces_of(line: str) -> list[str]:
    """Cut a long line into verbatim pieces: registers, "Name: value" fields, sentences."""
    line = line.strip()
    if len(line) <= LONG_LINE or " | " in line:
        return [line] if line else []
    for splitter in (_REGISTER, _FIELD, _SENTENCE):
        parts = _glue([p.strip() for p in splitter.split(line) if p.strip()])
        if len(parts) >= 3 or (len(parts) == 2 and splitter is _SENTENCE):
            return [q for p in parts for q in pieces_of(p)] if splitter is not _SENTENCE else parts
    return [line]


def _glue(parts: list[str]) -> list[str]:
    # "Parity:" + "None": a name without its value joins the next piece
    out: list[str] = []
    for part in parts:
        if out and out[-1].endswith(":"):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def line_score(line: str, ask: Ask) -> float:
    """Score how well ``line`` answers the question described by ``ask``."""
    line = _URL.sub(" ", line)  # "…/vedirect_protocol:faq#what_pins_do_i_need" is no prose
    if _bare_hex_address(line) in ask.codes:
        line = f"0x{line}"  # SRNE, GoodWe: the row "210 | Current state" is register 0x0210
    tokens = raw_tokens(line)
    if not tokens:
        return 0.0
    folded = fold(line)
    said_terms = line_terms(line)
    shared = ask.terms & said_terms
    score = 0.25 * len(ask.names & said_terms)
    for concept in ask.concepts:
        score += max((w for f, w in concept if f in said_terms), default=0.0)
    token_set = set(tokens)
    # compound parts: "batteriemodule" ~ "module", "ladeschlussspannung" ~ "spannung"
    for word in ask.words:
        if word in token_set or any(word.startswith(s) for s in shared if len(s) >= 4):
            continue
        if any(
            len(t) >= 4
            and t.isalpha()
            and (word.endswith(t) or word.startswith(t) or word in t or shares_part(word, t))
            for t in token_set
        ):
            score += 0.6
    codes = ask.codes & with_hex(token_set)
    # an error number or register ("202", "E050", "0x0FFF") pins the line down; a model
    # number ("3000TL-X") only says which device, and stands in every header of its table
    pins = {c for c in codes if _ERROR_CODE.match(c) or c.startswith("0x")}
    score += 2.0 * len(pins) + 0.5 * len(codes - pins)
    if with_hex(tokens[:2]) & pins or _defines(line, pins):
        score += 3.0  # the row that defines the code, not the one saying "see E050"
    score += sum(4.0 for q in ask.quoted if q in folded)
    score += sum(0.8 for p in ask.pairs if p in folded)
    if ask.kinds and any(holds_value(k, line) for k in ask.kinds):
        score += 2.5
    elif ask.quantity and _NUMBER.search(line) and not codes:
        score += 0.5
    if ask.colours and ask.colours & token_set:
        # "Flashes red: During an update process" answers "die LED blinkt rot"
        score += 1.5 + (1.5 if _STATES.search(folded) else 0.0)
    if _is_heading(line):
        score *= 0.6  # a heading names the topic; the line under it states the fact
    if ask.writes and _access(line) == "read":
        score *= READ_ONLY_SHARE
    # a long line says many things; the piece that states the fact should win
    return score / (1.0 + max(0, len(line) - 160) / 300)


def _access(line: str) -> str | None:
    # "0x144 | 324 | Yearly yield | Wh | Float | 2 | RO | 0x03" -> "read"
    if " | " not in line:
        return None
    cells = {c.strip().lower() for c in line.split(" | ")}
    if cells & _WRITABLE:
        return "write"
    return "read" if cells & _READ_ONLY else None


_BARE_HEX = re.compile(r"^[0-9A-Fa-f]{3,4}$")


def _bare_hex_address(line: str) -> str | None:
    # a table row's first cell in hex without "0x" ("210 | Current state"), as "0x0210"
    first = line.split(" | ", 1)[0].strip()
    if " | " not in line or not _BARE_HEX.match(first):
        return None
    return f"0x{int(first, 16):04x}"


def _defines(line: str, pins: set[str]) -> bool:
    # a table cell holding nothing but the asked codes: "Permanent Fault | 0x00 0x03 | …",
    # "Input voltage too high (solar panel) | 33"
    if not pins or " | " not in line:
        return False
    return any(
        (cell := set(raw_tokens(c))) and all((hex_spelling(t) or t) in pins for t in cell)
        for c in line.split(" | ")
    )


def _is_heading(line: str) -> bool:
    # "7. Detail zweischieniger Stromversorgung", "Serial port configuration"
    if " | " in line or ":" in line.rstrip(":") or len(line) > 60:
        return False
    body = re.sub(r"^[\d.]+\s*", "", line)
    return not _NUMBER.search(body) and len(body.split()) <= 6


# an error number that pins a line ("202", "E050"; hex registers count too). Narrower than
# retrieval's is_pinning on purpose: a 5-digit number in a line is usually a value, not the
# row's code (measured: using is_pinning here lost a key line on the held-out set)
_ERROR_CODE = re.compile(r"^(\d{1,4}|[a-z]{1,2}\d{2,4})$")


def _is_data_row(row: str, ask: Ask) -> bool:
    if ask.codes & with_hex(raw_tokens(row)):
        return True
    return any(holds_value(k, row) for k in ask.kinds)


def is_table(lines: list[str]) -> bool:
    """Tell whether passage lines are table rows ("cell | cell")."""
    rows = [ln for ln in lines if " | " in ln]
    return len(rows) >= 2 and len(rows) >= 0.6 * len(lines)


def units_of(passage: str) -> tuple[bool, list[str]]:
    """Return whether ``passage`` is a table, and its units: rows, or pieces of text lines."""
    raw_lines = [ln.strip() for ln in passage.splitlines() if ln.strip()]
    table = is_table(raw_lines)
    return table, raw_lines if table else [p for ln in raw_lines for p in pieces_of(ln)]


@dataclass(frozen=True)
class Quote:
    """The lines to quote from a passage and the key line among them."""

    lines: tuple[str, ...]  # verbatim pieces, "…" between non-adjacent ones
    key: str
    score: float
    also: tuple[str, ...] = ()  # further key lines: another part of the question answered
    rest: tuple[str, ...] = ()  # the lines the key's sentence goes on in (the page wraps it)

    @property
    def highlight(self) -> str:
        """Return the key line with the rest of its sentence: what the viewer marks."""
        return "\n".join((self.key, *self.rest))


@lru_cache(maxsize=1024)
def quote(
    passage: str,
    question: str,
    max_chars: int = QUOTE_CHARS,
    rows: int = TABLE_ROWS,
    context: int = 5,
    fill: bool = False,
) -> Quote:
    """Return the key line of ``passage`` for ``question`` and the lines around it to quote.

    A table keeps its header and up to ``rows`` rows scoring close to the key row (``fill``:
    or else the rows after it); text keeps up to ``context`` neighbouring pieces (after first,
    then before) within ``max_chars``.
    """
    ask = ask_of(question)
    table, units = units_of(passage)
    if not units:
        return Quote((), "", 0.0)
    scores = [0.0 if u == "…" else line_score(u, ask) for u in units]
    # the first row of a table chunk is its header, unless it is the row naming the asked
    # code or stating the asked kind of value (a chunk cut from a long error table, or a
    # quoted excerpt, starts with a data row; a header names columns, it holds no "16 A")
    header = 0 if table and " | " in units[0] and not _is_data_row(units[0], ask) else None
    if header is not None:
        scores[header] *= 0.5  # the header names the columns; a data row states the value
    ranked = [i for i in range(len(units)) if units[i] != "…"]
    rows_only = [i for i in ranked if i != header and scores[i] > 0]
    # a data row that answers anything beats the header, which only names the columns
    best = max(rows_only or ranked or [0], key=lambda i: (scores[i], -i))
    if scores[best] <= 0:
        return Quote((), "", 0.0)
    # further key lines: each answers a part of the question the key lines so far leave open
    # ("Minimum SOC" and "Maximum SOC"; "10 mm²" and "2 Nm")
    keys = [best, *_further_keys(units, scores, best, ask, header)]
    keep = set(keys)
    budget = max_chars - sum(len(units[i]) for i in keys)
    if table:
        if header is not None and header != best:
            keep.add(header)
            budget -= len(units[header])
        limit = rows + 1 + (header is not None)
        for i in sorted(ranked, key=lambda i: -scores[i]):
            if len(keep) >= limit:
                break
            if i not in keep and scores[i] >= 0.7 * scores[best] and len(units[i]) <= budget:
                keep.add(i)
                budget -= len(units[i])
        if " | " not in units[best] or fill:
            # the key is the table's title, not a row (or the passage is for a model): the
            # rows under it follow in order
            for i in range(best + 1, len(units)):
                if len(keep) >= limit or len(units[i]) > budget:
                    break
                if units[i] != "…":
                    keep.add(i)
                    budget -= len(units[i])
    else:
        # what follows the key line usually completes it ("Baud rate: 19200" -> "Data bits")
        order = [best + 1, best + 2, best - 1]
        order += [best + d for k in range(2, context + 1) for d in (k + 1, -k)]
        for i in order:
            if len(keep) > context:
                break
            if 0 <= i < len(units) and units[i] != "…" and len(units[i]) <= budget:
                keep.add(i)
                budget -= len(units[i])
    out: list[str] = []
    last = -1
    for i in sorted(keep):
        if last >= 0 and i != last + 1:
            out.append("…")
        out.append(units[i])
        last = i
    # under a heading key the value line comes first, then the lines for other parts
    under = [*_heading_value(units, best, keep), *_answer_after(units, best, keep, ask)]
    # a bold lead-in ("… are used as default values:") is answered by the lines under it
    listed = [units[i] for k in keys for i in _listed_after(units, k, keep)]
    # a key sentence the page wraps onto the next line ends there
    rest = {k: [units[i] for i in _sentence_rest(units, k, keep)] for k in keys}
    also = [*under, *(units[i] for i in keys[1:]), *listed, *(ln for k in keys for ln in rest[k])]
    also = [line for line in dict.fromkeys(also) if line != units[best]]
    return Quote(tuple(out), units[best], scores[best], tuple(also), tuple(rest[best]))


MAX_KEYS = 3  # key lines per passage: a question rarely asks for more parts
KEY_SHARE = 0.15  # a further key line answers its open part at least this well ...
MIN_KEY = 0.8  # ... and at least this well in absolute terms
MIN_OPEN = 0.3  # ... of which this much without the device's name and a bare number


def _further_keys(
    units: list[str], scores: list[float], best: int, ask: Ask, header: int | None
) -> list[int]:
    """Return lines that answer the parts of the question the key line leaves open."""
    keys = [best]
    while len(keys) < MAX_KEYS:
        open_part = _open_part(ask, [units[i] for i in keys])
        if not open_part.concepts and not open_part.codes and not open_part.quoted:
            break
        candidates = [
            (line_score(units[i], open_part), i)
            for i in range(len(units))
            if i not in keys
            and i != header
            and units[i] != "…"
            and scores[i] > 0
            and _meets_open_part(units[i], open_part)
        ]
        if not candidates:
            break
        score, i = max(candidates, key=lambda c: (c[0], -c[1]))
        if score < max(MIN_KEY, KEY_SHARE * scores[best]):
            break
        keys.append(i)
    return keys[1:]


def left_open(lines: list[str], question: str) -> Ask | None:
    """Return the part of ``question`` that ``lines`` leave open (None: they answer it all).

    "Welchen Peukert-Exponenten und welchen Ladewirkungsgrad …": the row "Charge Efficiency
    … 90" answers one part; "Peukert" is still open.
    """
    if not lines:
        return None
    part = _open_part(ask_of(question), lines)
    if not part.concepts and not part.codes and not part.quoted:
        return None
    return part


@dataclass(frozen=True)
class PartAnswer:
    """The line of a passage answering an open part of the question, and the lines to quote."""

    score: float
    line: str
    lines: tuple[str, ...]  # the line with the table's header, or with the lines completing it


def answers_part(passage: str, part: Ask) -> PartAnswer | None:
    """Return the line of ``passage`` answering ``part`` best (None: no line answers it).

    Only what is open counts: its words, codes, quoted texts, kinds of value (not the
    device's name, word pairs the quoted lines may already say, or "some number"). A row is
    quoted under the table's header, a text line with the two after it (they usually
    complete it).
    """
    table, units = units_of(passage)
    header = 0 if _has_header(table, units) else None
    narrow = replace(part, names=frozenset(), pairs=(), quantity=False)
    scored = [
        (line_score(u, narrow), i)
        for i, u in enumerate(units)
        if u != "…" and i != header and _meets_open_part(u, part) and _says_open_part(u, part)
    ]
    if not scored:
        return None
    score, best = max(scored, key=lambda c: (c[0], -c[1]))
    return PartAnswer(score, units[best], _excerpt(table, units, [best]))


def _has_header(table: bool, units: list[str]) -> bool:
    # a header names columns and holds no number; a chunk cut from a long table starts with
    # a data row ("No error | 0")
    return table and bool(units) and " | " in units[0] and not _NUMBER.search(units[0])


def _excerpt(table: bool, units: list[str], keys: list[int]) -> tuple[str, ...]:
    # the lines to quote for the units ``keys``: a row under the table's header, a text line
    # with the two after it (they usually complete it)
    span = 1 if table else 3
    picked = [0] if _has_header(table, units) else []
    picked += [i for k in keys for i in range(k, min(k + span, len(units)))]
    return tuple(units[i] for i in dict.fromkeys(picked))


def key_excerpt(passage: str, question: str) -> PartAnswer | None:
    """Return the key line of ``passage`` for ``question`` with the lines it needs.

    Quoted as :func:`answers_part` quotes its line; further key lines likewise.
    """
    found = quote(passage, question)
    table, units = units_of(passage)
    if not found.key or found.key not in units:
        return None
    keys = [units.index(k) for k in (found.key, *found.also) if k in units]
    return PartAnswer(found.score, found.key, _excerpt(table, units, keys))


def _meets_open_part(line: str, open_part: Ask) -> bool:
    # the line must answer something the open part asks (a word, a code, a value of the
    # asked kind …), not only share the device's name and hold some number
    bare = replace(open_part, names=frozenset(), quantity=False)
    return line_score(line, bare) >= MIN_OPEN


def _says_open_part(line: str, open_part: Ask) -> bool:
    # one of the open part's own words, codes or quoted texts: a value of the asked kind
    # alone ("118 | AMP_L3 … 12,3A" for "which register for the charging current?") or a
    # compound's piece stands in many rows of another page's topic
    own = replace(
        open_part,
        names=frozenset(),
        words=frozenset(),
        pairs=(),
        kinds=(),
        quantity=False,
        colours=frozenset(),
    )
    return line_score(line, own) > 0


def _open_part(ask: Ask, lines: list[str]) -> Ask:
    """Return ``ask`` without what ``lines`` already answer."""
    said = set(terms(" ".join(lines)))
    tokens = with_hex(raw_tokens(" ".join(lines)))
    folded = fold(" ".join(lines))
    return replace(
        ask,
        terms=ask.terms - said,
        concepts=tuple(c for c in ask.concepts if not any(f in said for f, _ in c)),
        codes=frozenset(c for c in ask.codes if c not in tokens),
        quoted=tuple(q for q in ask.quoted if q not in folded),
        pairs=tuple(p for p in ask.pairs if p not in folded),
        kinds=tuple(k for k in ask.kinds if not any(holds_value(k, ln) for ln in lines)),
        colours=frozenset() if ask.colours & tokens else ask.colours,
    )


LISTED = 3  # lines under a bold lead-in set in bold too


def _listed_after(units: list[str], lead: int, keep: set[int]) -> list[int]:
    # "the following TCP-Port and MODBUS-Unit-ID are used as default values:" -> the rows
    # "TCP-Port | 1502 (dec)" and "Unit-ID1 | 71 (dec)" under it, up to the next lead-in
    if not units[lead].rstrip().endswith(":") or _is_heading(units[lead]):
        return []
    out: list[int] = []
    for i in range(lead + 1, min(lead + 1 + LISTED, len(units))):
        if i not in keep or units[i] == "…" or units[i].rstrip().endswith(":"):
            break  # the next lead-in starts a list of its own
        if _is_heading(units[i]):
            break
        out.append(i)
    return out


RUN_ON = 40  # a line at least this long ending mid-sentence is wrapped by the page layout
_SENTENCE_END = re.compile(r"[.!?:;)\]]$")


def _runs_on(line: str, after: str) -> bool:
    # "… MOS over temperature recovery" + "value 65°C, these two values …": a line ending
    # mid-sentence goes on in a next line starting in lower case ...
    line = line.rstrip()
    if " | " in line or len(line) < RUN_ON or _SENTENCE_END.search(line) or _is_heading(line):
        return False
    if after == "…" or " | " in after or _is_heading(after):
        return False
    # ... or it ends in a comma, a hyphenated word ("Leistungs-") or a function word ("and")
    hyphenated = line.endswith("-") and line[-2:-1].isalpha()
    function_word = fold(line.split()[-1]) in STOPWORDS
    return after[:1].islower() or line.endswith(",") or hyphenated or function_word


def _sentence_rest(units: list[str], key: int, keep: set[int]) -> list[int]:
    # the rest of a key sentence that the page wraps onto the next lines (at most two)
    out: list[int] = []
    i = key
    while len(out) < 2 and i + 1 in keep and _runs_on(units[i], units[i + 1]):
        i += 1
        out.append(i)
    return out


def _heading_value(units: list[str], best: int, keep: set[int]) -> tuple[str, ...]:
    # the heading names the topic, the line under it the value
    if _is_heading(units[best]) and best + 1 in keep and _NUMBER.search(units[best + 1]):
        return (units[best + 1],)
    return ()


RESTATE_SHARE = 0.8  # of a line's words in the question: the line restates it
CONDITION_SHARE = 0.6  # ... of a "Wenn …, …" line's condition: the condition restates it
_CONDITION = re.compile(r"^\s*(wenn|falls|sobald|if|when)\b", re.IGNORECASE)


def restates(line: str, question: str) -> bool:
    """Tell whether ``line`` only restates the question (the symptom, the message shown).

    "Die Performance LED … blinkt rot." matches "blinkt die Performance-LED rot?" best, but
    the answer is the line after it ("Es besteht keine Verbindung zum Sunny Portal").
    """
    return _restates(line, ask_of(question))


def _restates(line: str, ask: Ask) -> bool:
    said = {t for t in terms(line, drop_stopwords=True) if not t.isdigit()}
    if set(re.findall(r"\d+", line)) - set(re.findall(r"\d+", " ".join(ask.terms | ask.names))):
        return False  # "Baud rate: 19200" states a value the question does not hold
    if not ask.negated and _NEGATION.search(fold(line)):
        return False  # "… darf nicht im Freien …" answers "Darf … im Freien …?"
    if len(said) >= 3 and len(said & (ask.terms | ask.names)) >= RESTATE_SHARE * len(said):
        return True
    # "Wenn der Fehler "Error 200" angezeigt wird, die rote LED dauerhaft leuchtet …, ist ein
    # Lichtbogen aufgetreten.": the condition restates the symptom; the line after it
    # ("Der AFCI hat ausgelöst …") goes on answering
    if not _CONDITION.match(line) or "," not in line:
        return False
    condition = {t for t in terms(line[: line.rindex(",")], drop_stopwords=True) if not t.isdigit()}
    shared = condition & (ask.terms | ask.names)
    return len(condition) >= 3 and len(shared) >= CONDITION_SHARE * len(condition)


def _answer_after(units: list[str], best: int, keep: set[int], ask: Ask) -> tuple[str, ...]:
    # a key line restating the question: the line after it that says something is the answer
    if " | " in units[best] or not _restates(units[best], ask):
        return ()
    for i in range(best + 1, min(best + 3, len(units))):
        if i not in keep:
            break
        if not (units[i].endswith(":") and len(units[i].split()) <= 3):  # "Abhilfe:"
            return (units[i],)
    return ()


def key_line(passage: str, question: str) -> str:
    """Return the line (or piece of a long line) of ``passage`` that best answers ``question``."""
    return quote(passage, question).key


def excerpt_lines(text: str, question: str, max_chars: int) -> str:
    """Return the passage of a chunk to keep for ``question``: the key line and its context."""
    found = quote(text, question, max_chars, rows=12, context=12, fill=True)
    return "\n".join(found.lines)
