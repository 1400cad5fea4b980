"""The passages an answer quotes: the pages that answer best, and more passages of a page.

The search ranks pages by their best-matching passage, and a page is cut into several
passages; the one answering need not be the one found. These functions quote, beside a hit
(or instead of a filler hit), the passage of the same page that answers better, that states
the asked kind of value, or that answers a part of the question the quoted lines leave open.
A page keeps its rank; no other page loses its place. ``quotable`` picks the pages first,
``related`` the passages offered as "siehe auch" when the manuals do not answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from nikdesk.agent.ask import ask_of
from nikdesk.agent.codes import defined_codes, defines_another
from nikdesk.agent.guards import AnswerType, asked_types, holds_value
from nikdesk.agent.notes import notes_of
from nikdesk.agent.quote import MIN_KEY, PartAnswer, answers_part, key_excerpt, left_open, quote
from nikdesk.core.text import fold
from nikdesk.retrieval.filler import is_boilerplate, is_filler, is_filler_passage
from nikdesk.retrieval.hybrid import Retriever
from nikdesk.retrieval.types import Chunk, Hit

# pages quoted at most (tenth session, 3 -> 4: tuning 867 correct page 0.853 -> 0.862, older
# held-out 690 0.867 -> 0.880, blind22 0.750 -> 0.786; precision -0.002 to -0.005); counted
# as pages, not passages, since the sixteenth (tuning 867 correct page 0.864 -> 0.867,
# register-blind 0.600 -> 0.625, precision within 0.003)
MAX_SOURCES = 4
MIN_LINE = 1.0  # a passage whose best line scores below this answers nothing of the question
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


# passages are ranked by search score + LINE_WEIGHT x best-line score (both relative to the
# best hit); further passages are quoted when they rank at least KEEP_SHARE of the first
# (swept on 125 answerable tuning questions: correct page 0.86, precision 0.67 in the sweep)
LINE_WEIGHT = 0.5
# a register question: the row's words name the register, the passage's shared words (Modbus,
# holding, register …) name nothing (tuning sets: correct page 0.886 -> 0.893; 0.25-2.0 swept)
REGISTER_LINE_WEIGHT = 1.0
KEEP_SHARE = 0.8
FILLER_WEIGHT = 0.3
# a passage whose best line scores below MIN_LINE answers nothing of the question, but is
# quoted from this score on when it ranks close to the first (tuning sets: correct page
# 0.877 -> 0.886; "siehe auch" and page passages keep MIN_LINE)
QUOTE_MIN_LINE = 0.8
RELATED = 2  # passages offered as "siehe auch" when the manuals do not answer


def page_value_kinds(question: str) -> list[AnswerType]:
    """Return the kinds of value asked for that stand on a manual's page.

    Not registers: they are in the interface documents, not on a technical-data page or
    beside the hit.
    """
    return [k for k in asked_types(question, strict_only=False) if not k.interface_documents]


def first_page_sibling(
    retriever: Retriever,
    question: str,
    quoted: list[Hit],
    apart: Callable[[Chunk], bool] = lambda chunk: False,
) -> tuple[list[Hit], tuple[int, PartAnswer] | None]:
    """Return ``quoted`` with, after the first, the key lines of its page's next-best passage.

    A page is cut into passages; the first one quoted answers best, yet the page's other
    passages often state the rest (PI30 p. 10: the rows "PV2 Input current/voltage" in one,
    the command's heading "QPIGS2 … (Only 48V model)" above them in another). The best of
    them whose key line scores at least MIN_LINE is quoted under the same heading, only its
    key lines (a row under the table's header). It takes no other page's place. Returns
    the passage's chunk id and its lines, or None. A passage ``apart`` tells belongs to
    something else (another model's section) and is not read.
    """
    if not quoted:
        return quoted, None
    first = quoted[0]
    seen = {h.chunk.id for h in quoted}
    scored = [
        (quote(c.text, question).score, c)
        for c in retriever.page_chunks(first.chunk)
        if c.id not in seen and not is_filler_passage(c) and not apart(c)
    ]
    best = max(scored, key=lambda sc: sc[0], default=None)
    if best is None or best[0] < max(
        MIN_LINE, SIBLING_SHARE * quote(first.chunk.text, question).score
    ):
        return quoted, None
    excerpt = key_excerpt(best[1].text, question)
    if excerpt is None or any(excerpt.line in h.chunk.text for h in quoted):
        return quoted, None  # passages may overlap: the key line is quoted already
    codes = defined_codes(question)
    if codes and defines_another(excerpt.line, codes):
        return quoted, None  # "Bit 2 | …" under a question about bit 21
    return [first, replace(first, chunk=best[1]), *quoted[1:]], (best[1].id, excerpt)


def row_notes(
    retriever: Retriever, question: str, quoted: list[Hit]
) -> tuple[list[Hit], tuple[int, PartAnswer] | None]:
    """Return ``quoted`` with, after the first, the notes its key rows point to on the page.

    BMV p. 6: the row "0xED8C | Current (2, 3) | …" stands in one passage, "Note 2: available
    for BMV-712 since version v4.01 Note 3: …" under the table in another. The note lines are
    quoted under the same heading (they take no other page's place). Returns the passage's
    chunk id and its note lines, or None (no marks, or the notes stand in a quoted passage).
    """
    if not quoted:
        return quoted, None
    first = quoted[0]
    keys = quote(first.chunk.text, question).keys
    if not keys:
        return quoted, None
    seen = {h.chunk.id for h in quoted}
    for chunk in retriever.page_chunks(first.chunk):
        if chunk.id in seen:
            continue
        lines = [ln.strip() for ln in chunk.text.splitlines() if ln.strip()]
        found = list(dict.fromkeys(n for key in keys for n in notes_of(key, lines)))
        if found:
            part = PartAnswer(0.0, found[0], tuple(found))
            return [first, replace(first, chunk=chunk), *quoted[1:]], (chunk.id, part)
    return quoted, None


CAPTIONED_PASSAGES = 3  # a captioned table's passages quoted under it (each repeats the header)
# a table's caption: "Table 4-4 Under the referenced voltage … the sensor starts …"; not a
# lead-in ending in a colon ("AP sends:" over an example's bytes)
_CAPTION = re.compile(r"^(table|tabelle|tab\.)\s*\d[\d.-]*\b", re.IGNORECASE)


def captioned_tables(
    retriever: Retriever,
    question: str,
    quoted: list[Hit],
    apart: Callable[[Chunk], bool] = lambda chunk: False,
) -> list[Hit]:
    """Return ``quoted`` with, after a passage ending in its key line's table caption, the table.

    DDSU666-H p. 21: the passage found ends in "Table 4-4 Under the referenced voltage and
    Table A-1, the sensor starts and continuously metering the electrical energy"; the
    values ("Direct connect | 0.004 Ib | 1") stand in the page's next passage. A caption is
    no answer without its table: the table's passages are quoted under it (they take no
    other page's place).
    """
    seen = {h.chunk.id for h in quoted}
    out: list[Hit] = []
    for hit in quoted:
        out.append(hit)
        lines = [ln for ln in hit.chunk.text.splitlines() if ln.strip()]
        if not lines or quote(hit.chunk.text, question).key != lines[-1]:
            continue
        if " | " in lines[-1] or not _CAPTION.search(lines[-1].strip()):
            continue
        after = sorted(
            (c for c in retriever.page_chunks(hit.chunk) if c.id > hit.chunk.id), key=lambda c: c.id
        )
        header = _first_line(after[0]) if after else ""
        if " | " not in header:
            continue
        # the table's passages: the next ones repeating its header, up to CAPTIONED_PASSAGES
        for table in after[:CAPTIONED_PASSAGES]:
            if _first_line(table) != header or table.id in seen or apart(table):
                break
            seen.add(table.id)
            out.append(replace(hit, chunk=table))
    return out


def _first_line(chunk: Chunk) -> str:
    return chunk.text.lstrip().split("\n", 1)[0].strip()


def page_passages(retriever: Retriever, question: str, hits: list[Hit]) -> list[Hit]:
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
            for c in retriever.page_chunks(hit.chunk)
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
    retriever: Retriever,
    question: str,
    quoted: list[Hit],
    apart: Callable[[Chunk], bool] = lambda chunk: False,
) -> tuple[list[Hit], dict[int, PartAnswer]]:
    """Return ``quoted`` with, after a passage, its page's passage answering an open part.

    "Welchen Peukert-Exponenten und welchen Ladewirkungsgrad hat der BMV-700 ab Werk?":
    the passage quoted holds the row "Charge Efficiency … 90"; the row "Peukert
    Coefficient … 1.25" stands in the next passage of the same page. That one is quoted
    under it (it takes no place of another page). Parts another quoted passage answers
    are not open. Of such a passage only the lines answering the part are quoted (the
    returned chunk id -> its answer). A passage ``apart`` tells belongs to something else
    (another model's section) answers no part.
    """
    if ask_of(question).codes or defined_codes(question):
        # "ERR 38", "Bit 21": a row of the page defining another code is no answer
        return quoted, {}
    seen = {h.chunk.id for h in quoted}
    keys = [line for h in quoted for line in quote(h.chunk.text, question).keys]
    part = left_open(keys, question)
    if part is None:
        return quoted, {}
    found = [
        (answer, at, c)
        for at, hit in enumerate(quoted)
        for c in retriever.page_chunks(hit.chunk)
        if c.id not in seen
        and not is_filler_passage(c)
        and not apart(c)
        and (answer := answers_part(c.text, part)) is not None
        and answer.score >= MIN_KEY
    ]
    if not found:
        return quoted, {}
    # the best answer of the open part, on the page of the passage ranked first
    answer, at, chunk = max(found, key=lambda f: (f[0].score, -f[1]))
    out = [*quoted[: at + 1], replace(quoted[at], chunk=chunk), *quoted[at + 1 :]]
    return out, {chunk.id: answer}


def value_siblings(
    retriever: Retriever, question: str, hits: list[Hit], named: set[str]
) -> list[Hit]:
    """Return hits with, after each, the passage of its page stating the asked value.

    A page is cut into several passages; the search finds the one sharing the question's
    words ("Spezifikationen | MIC 3000TL-X"), the value asked for ("Eigenverbrauch nachts
    | <0.5W") may stand in another. That one is quoted beside it, at the same score.
    ``named``: the documents of the device the question names (empty: names none).
    """
    kinds = page_value_kinds(question)
    if not kinds or not named:  # no device named: the hits decide whether to ask back
        return hits
    seen = {h.chunk.id for h in hits}
    out: list[Hit] = []
    rank = 0  # among the named device's hits: the first MAX_SOURCES may be quoted
    for hit in hits:
        out.append(hit)
        if hit.chunk.doc_id not in named:
            continue
        rank += 1
        if rank > MAX_SOURCES:
            continue
        missing = [k for k in kinds if not holds_value(k, hit.chunk.text)]
        for chunk in retriever.page_chunks(hit.chunk) if missing else ():
            if chunk.id not in seen and any(holds_value(k, chunk.text) for k in missing):
                seen.add(chunk.id)
                out.append(replace(hit, chunk=chunk))
                break
    return out


def within_pages(hits: list[Hit], pages: int) -> list[Hit]:
    """Return the ``hits`` that stand on the first ``pages`` pages of them, in their order."""
    seen: set[tuple[str, int]] = set()
    out: list[Hit] = []
    for hit in hits:
        page = (hit.chunk.doc_id, hit.chunk.page_start)
        if page not in seen and len(seen) == pages:
            continue
        seen.add(page)
        out.append(hit)
    return out


# a question about the maker or the document itself (address, e-mail, phone, service,
# certificates and standards, legal terms): a contact page, closing words or legal notice
# may answer it
_ABOUT_MAKER = re.compile(
    r"adress|anschrift|e-?mail|telefon|phone|kontakt|contact|hotline|service|support|hersteller"
    r"|manufacturer|zertifi|certifi|konformit|conformit|\bnormen?\b|standard|copyright|urheber"
    r"|haftung|liabil|warrant|garantie"
)


def asks_about_maker(question: str) -> bool:
    """Tell whether ``question`` asks about the maker or the document, not the device."""
    return bool(_ABOUT_MAKER.search(fold(question)))


def _filler(hit: Hit, top_score: float, line: float, top_line: float, about_maker: bool) -> bool:
    """Tell whether a hit is filler to weigh down among hits scoring up to the tops.

    A passage shaped like filler that both ranks first and holds the line answering
    best is the answer ("Fehlerbetrieb – Slave Return: … Funktionscode + 0x80
    Fehlercode", a short table the shape rules take for a heading). A manual's closing
    words, contact page or legal notice never are, however many of the question's words they
    share ("Vielen Dank für das Lesen des Alpha ESS Handbuchs Modbus …"), unless the question
    asks about the maker or the document (their service e-mail, address, certificates).
    """
    if not is_filler_passage(hit.chunk):
        return False
    if not is_filler(hit.chunk.text):
        return True  # a document's cover stays filler, whatever words it shares
    if is_boilerplate(hit.chunk.text) and not about_maker:
        return True
    return not (hit.score >= top_score and line >= top_line)


def quotable(hits: list[Hit], question: str, named: set[str]) -> list[Hit]:
    """Return the passages worth quoting, the one answering best first.

    Each passage is ranked by its search score and by how well its best line answers
    the question (both relative to the best of the hits): the page whose line states
    the asked value moves up, an overview page sharing many words with the question
    moves down. Filler (title, address, chart labels) weighs little; further passages
    are quoted only when they rank close to the first, from at most MAX_SOURCES pages (a
    page's second passage takes no other page's place).
    ``named``: the documents of the device the question names (see
    :meth:`EvidencePolicy.named_documents`; empty: names none).
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
    about_maker = asks_about_maker(question)
    filler = {
        h.chunk.id for h in pool if _filler(h, top_score, lines[h.chunk.id], top_line, about_maker)
    }
    rank = {
        h.chunk.id: (h.score / top_score + weight * lines[h.chunk.id] / top_line)
        * (FILLER_WEIGHT if h.chunk.id in filler else 1.0)
        for h in pool
    }
    ranked = sorted(pool, key=lambda h: rank[h.chunk.id], reverse=True)
    first = rank[ranked[0].chunk.id]
    chosen = [
        h
        for h in ranked
        if rank[h.chunk.id] >= KEEP_SHARE * first and lines[h.chunk.id] >= QUOTE_MIN_LINE
    ]
    # the passage whose line answers clearly best (BETTER_SHARE times the chosen ones') is
    # quoted too, however low the search ranks it: the MIC's "Nennfehlerstrom von mehr als
    # 300 mA" (p. 12) beside the error table's "Residual I High Error" (p. 22). Thirtieth
    # session: tuning +7/-0 correct page, precision 0.689 -> 0.688; held out +5/-0, 0.707
    # -> 0.704 (without the margin: tuning +13/-0, held out +11/-1, precision -0.013). It
    # is quoted first (the same figures; the technician reads the answer first)
    best_line = max(pool, key=lambda h: (lines[h.chunk.id], h.score))
    if chosen and best_line not in chosen and best_line.chunk.id not in filler:
        said = max(lines[h.chunk.id] for h in chosen)
        if lines[best_line.chunk.id] >= max(MIN_LINE, BETTER_SHARE * said):
            chosen.insert(0, best_line)  # it answers best: quoted first
    return within_pages(chosen or ranked[:1], MAX_SOURCES)


def related(question: str, hits: list[Hit], named: set[str]) -> tuple[Hit, ...]:
    """Return the closest passages that say something (offered as "siehe auch").

    Only the named device's (``named``; empty: the question names none): another maker's
    MPP range under a question about the Kostal Plenticore would be read as its own.
    """
    useful = [
        h for h in hits if not is_filler_passage(h.chunk) and (not named or h.chunk.doc_id in named)
    ]
    scored = [(quote(h.chunk.text, question).score, h) for h in useful]
    return tuple(h for score, h in scored if score >= MIN_LINE)[:RELATED]
