"""Choose the key line of a passage and the few lines around it to quote.

The key line is the line (or piece of a long line) scoring best by
:func:`nikdesk.agent.lines.line_score`; further key lines answer the parts of the question
it leaves open. A table is quoted with its header and the rows close to the key row, text
with the pieces around the key line. Every quoted piece is verbatim.

The same selection serves the no-LLM answer, the evidence under an uncited model answer and
the highlight of a model's citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from nikdesk.agent.ask import Ask, ask_of, clear_with_asks, print_weights
from nikdesk.agent.guards import holds_value
from nikdesk.agent.lines import is_data_row, is_heading, line_score, restates_ask, units_of
from nikdesk.agent.notes import notes_of
from nikdesk.agent.spelling import with_hex
from nikdesk.agent.variants import names_variant, of_said_variant
from nikdesk.core.text import STOPWORDS, fold, raw_tokens, terms
from nikdesk.retrieval.glossary import singulars

_NUMBER = re.compile(r"\d")
QUOTE_CHARS = 600  # a quoted window around the key line stays under this
TABLE_ROWS = 4  # rows quoted besides the header
VARIANT_KEY_SHARE = 0.8  # the said variant's line this close to the best is the key instead


# a sentence naming its subject by what stands above it: "Dieses Menü …", "This parameter …"
_REFERS_BACK = re.compile(r"^(dies(e[mnrs]?)?|this|these)\b", re.IGNORECASE)


def _is_title(line: str) -> bool:
    # a short line that is no sentence and no table row ("Menü 8 – USB", "3.4 Set Max Power");
    # lines.is_heading will not do: a line with a number in it ("16 A") is no heading there,
    # while a menu's title names its number
    return 0 < len(line) <= 60 and " | " not in line and not line.rstrip().endswith((".", ":", ","))


@dataclass(frozen=True)
class Quote:
    """The lines to quote from a passage and the key line among them."""

    lines: tuple[str, ...]  # verbatim pieces, "…" between non-adjacent ones
    key: str
    score: float
    also: tuple[str, ...] = ()  # further key lines: another part of the question answered
    rest: tuple[str, ...] = ()  # the lines the key's sentence goes on in (the page wraps it)

    @property
    def keys(self) -> tuple[str, ...]:
        """Return the key line and the further key lines (none when nothing answers)."""
        return (self.key, *self.also) if self.key else ()

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
    # the first row of a table chunk is its header, unless it is the row naming the asked
    # code or stating the asked kind of value (a chunk cut from a long error table, or a
    # quoted excerpt, starts with a data row; a header names columns, it holds no "16 A")
    header = 0 if table and " | " in units[0] and not is_data_row(units[0], ask) else None
    # a row states its value under the column the header names ("Verbindung | Port" over
    # "WLAN | 502")
    head = units[0] if header is not None else ""
    scores = [
        0.0 if u == "…" else line_score(u, ask, head if i else "") for i, u in enumerate(units)
    ]
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
    # the variant the technician named ("HV"): the key lines of the other variants are none
    # (told among the key lines and the lines scoring close to the best: "for US2000B, it is
    # SOC 15~19%," is the key for "US2000B", not "Bit 4: for US2000B-Plus/US3000B, it is SOC
    # 9~13%" scoring a little better)
    near = sorted({*keys, *(i for i in ranked if scores[i] >= VARIANT_KEY_SHARE * scores[best])})
    allowed = {near[j] for j in of_said_variant([units[i] for i in near], question)}
    kept = [k for k in keys if k in allowed]
    if not kept:  # every key line is another variant's: the said variant's own line
        own = [i for i in allowed if names_variant(units[i])]
        kept = sorted(own, key=lambda i: (-scores[i], i))[:1]
    if kept and kept != keys:
        keys = kept
        best = keys[0]
    if best > 0 and _REFERS_BACK.match(units[best]) and _is_title(units[best - 1]):
        # "Dieses Menü erscheint, wenn ein USB-Stick angeschlossen wird …" is about the title
        # above it ("Menü 8 – USB"), which names what the sentence calls "this"
        keys.append(best - 1)
    # the notes a key row points to ("Current (2, 3)": "Note 2: available for BMV-712 since
    # version v4.01 …") are quoted with it, as key lines
    notes = [
        i
        for k in keys
        for note in notes_of(units[k], units)
        if (i := units.index(note)) not in keys
    ]
    keep = {*keys, *notes}
    budget = max_chars - sum(len(units[i]) for i in keep)
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
        if " | " not in units[best] or fill or best == header:
            # the key is the table's title or its header, not a row (or the passage is for
            # a model): the rows under it follow in order
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
    also = [
        *under,
        *(units[i] for i in keys[1:]),
        *listed,
        *(ln for k in keys for ln in rest[k]),
        *(units[i] for i in dict.fromkeys(notes)),
    ]
    also = [line for line in dict.fromkeys(also) if line != units[best]]
    return Quote(tuple(out), units[best], scores[best], tuple(also), tuple(rest[best]))


clear_with_asks(quote.cache_clear)


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
    keys = [units.index(k) for k in found.keys if k in units]
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
    # an abbreviation's plural says its singular ("Anzahl der MPPTs" says "mppt")
    said = set(terms(" ".join(lines))) | set(singulars(" ".join(lines)))
    tokens = with_hex(raw_tokens(" ".join(lines)))
    folded = fold(" ".join(lines))
    return replace(
        ask,
        terms=ask.terms - said,
        concepts=tuple(c for c in ask.concepts if not _says_concept(c, said, ask.asked)),
        codes=frozenset(c for c in ask.codes if c not in tokens),
        quoted=tuple(q for q in ask.quoted if q not in folded),
        pairs=tuple(p for p in ask.pairs if p not in folded),
        kinds=tuple(k for k in ask.kinds if not any(holds_value(k, ln) for ln in lines)),
        colours=frozenset() if ask.colours & tokens else ask.colours,
    )


def _says_concept(
    concept: tuple[tuple[str, float], ...], said: set[str], asked: frozenset[str]
) -> bool:
    # only the concept's strongest form answers it, not a frequent one ("voltag" of
    # "Zell-Unterspannung": "Single overcharge voltage" leaves the undervoltage open); the
    # strongest among those the manuals print (weighing less than a word of one passage or
    # none): the German "unterspannung" of a question on an English manual is in no line
    weighed = print_weights(concept, asked)
    top = max((w for _, w in weighed if w < 1.0), default=max(w for _, w in weighed))
    return any(f in said and w >= top for f, w in weighed)


LISTED = 3  # lines under a bold lead-in set in bold too


def _listed_after(units: list[str], lead: int, keep: set[int]) -> list[int]:
    # "the following TCP-Port and MODBUS-Unit-ID are used as default values:" -> the rows
    # "TCP-Port | 1502 (dec)" and "Unit-ID1 | 71 (dec)" under it, up to the next lead-in
    if not units[lead].rstrip().endswith(":") or is_heading(units[lead]):
        return []
    out: list[int] = []
    for i in range(lead + 1, min(lead + 1 + LISTED, len(units))):
        if i not in keep or units[i] == "…" or units[i].rstrip().endswith(":"):
            break  # the next lead-in starts a list of its own
        if is_heading(units[i]):
            break
        out.append(i)
    return out


RUN_ON = 40  # a line at least this long ending mid-sentence is wrapped by the page layout
_SENTENCE_END = re.compile(r"[.!?:;)\]]$")


def _runs_on(line: str, after: str) -> bool:
    # "… MOS over temperature recovery" + "value 65°C, these two values …": a line ending
    # mid-sentence goes on in a next line starting in lower case ...
    line = line.rstrip()
    short = len(line) < RUN_ON and not line.endswith(",")  # "…, it is SOC 15~19%," goes on
    if " | " in line or short or _SENTENCE_END.search(line) or is_heading(line):
        return False
    if after == "…" or " | " in after or is_heading(after):
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
    if is_heading(units[best]) and best + 1 in keep and _NUMBER.search(units[best + 1]):
        return (units[best + 1],)
    return ()


def _answer_after(units: list[str], best: int, keep: set[int], ask: Ask) -> tuple[str, ...]:
    # a key line restating the question: the line after it that says something is the answer
    if " | " in units[best] or not restates_ask(units[best], ask):
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
