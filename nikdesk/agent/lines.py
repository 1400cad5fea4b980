"""Score how well a line of a passage answers a question, and cut a passage into lines.

A line earns its score by what the question asks for, not by shared words alone: the asked
kind of value (a current needs "16 A", a baud rate "19200"), the code the question names
(the row *defining* it), a quoted display text ("PV Isolation Low"), the LED colour and
state, compound parts ("Batteriemodule" meets "Module"). Long run-on lines are cut into
their sentences or "Name: value" pieces, and flattened register tables into one piece per
register, so one of them can be bold and highlighted. Nothing is rewritten: every piece is
a verbatim substring of the passage. :mod:`nikdesk.agent.quote` picks the key line with it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nikdesk.agent.ask import NEGATION, Ask, Concepts, ask_of, denied_terms, device_names
from nikdesk.agent.guards import AnswerType, holds_value
from nikdesk.agent.spelling import hex_spelling, line_terms, shares_part, with_hex
from nikdesk.core.text import STOPWORDS, fold, raw_tokens, terms

LONG_LINE = 220  # a text line longer than this is cut into sentences / "Name: value" pieces
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÄÖÜ0-9\"„(])")
# "Baud rate: 19200 Data bits: 8 Parity: None" -> one piece per "Name: value"
_FIELD = re.compile(r"\s+(?=(?:[A-ZÄÖÜ][\w/.-]*)(?:\s[\w/.-]+){0,2}\s?:\s)")
# flattened register tables: a piece starts at each register address
_REGISTER = re.compile(r"\s+(?=0x[0-9A-Fa-f]{3,4}\b)")
_NUMBER = re.compile(r"\d")
# the first cell of a register map's row: an address ("0127H", "0x0FFF", "A120H A121H",
# "40096", "153 - 154"), a field or key ("VPV", "fwv", "BMS_Cell1_Volt") or a command ("QPIGS")
_REGISTER_KEY = re.compile(r"^[\w.-]{1,16}( ?[-~/] ?[\w.-]{1,16}| [0-9A-Fa-f]{3,6}H?)?$")
_ADDRESS = re.compile(r"^(0x)?[0-9A-Fa-f]{2,5}H?$")
_DATE = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}\.\d{1,2}\.\d{2,4}$"
    r"|^\d{1,2}\.? ?(jan|feb|mar|apr|may|mai|jun|jul|aug|sep|oct|okt|nov|dec|dez)[a-z]*\.? \d{4}$",
    re.IGNORECASE,
)
_REGISTER_CELL = re.compile(r"\s*0x[0-9A-Fa-f]{2,4}\b")
# a link to a web page ("www.victronenergy.com/live/…#what_pins_do_i_need"), not an API
# endpoint ("http://{ip}:8050/setMaxPower?p=600", which is the answer in an API document)
_URL = re.compile(r"(?:https?://)?www\.\S+(?:\s\S*_\S*)*")
_STATES = re.compile(r"blink|flash|leucht|lit\b|\bon\b|\baus\b|\boff\b|dauer|steady|flacker")
# the access cell of a register row: read only, or writable ("W" alone is also the watt)
_READ_ONLY = frozenset({"r", "ro", "read", "read only", "read-only", "input register"})
_WRITABLE = frozenset({"r/w", "rw", "w/r", "wo", "write", "read/write", "holding register"})
# a line denying what the question denies ("Wird nicht im EEPROM gespeichert" for "das nicht
# ins EEPROM schreibt") over a line stating it ("Wird im EEPROM gespeichert")
DENIED_BONUS = 1.5
# a fault table's row whose first cell names the symptom the question denies ("Abnormal RS485
# communication | 1. The RS485 communication cable is …" for "no rs485 communication")
SYMPTOM_BONUS = 1.5
SYMPTOM_CELL = 60  # a first cell this long at most is a symptom's name, not a sentence
_SYMPTOM = re.compile(
    r"\b(?:abnormal\w*|fail\w*|fault\w*|lost|loss|unable|cannot|no|not|kein\w*|nicht"
    r"|gestoert|stoerung|fehlerhaft|ausgefallen|ausfall)\b"
)
NAME_CELL = 1.5  # a register row named in the asked words alone (see names_asked)
# a table row whose name is the asked kind of value ("Gewicht | 114 kg") over a row that
# only holds such a value in a cell ("Batteriemodul | 3,2 kWh, 33 kg")
# (more than a compound part the question shares: "wie schwer ist der SBR-Batteriespeicher?"
# is the system's weight, not the module's "Batteriemodul | 3,2 kWh, 33 kg"; a question about
# one module finds that row beside it on the page)
LABEL_KIND = 0.8
READ_ONLY_SHARE = 0.6  # a read-only row's score when the question writes (a write-only
# row's when it reads)


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


def line_score(line: str, ask: Ask, header: str = "") -> float:
    """Score how well ``line`` answers the question described by ``ask``.

    ``header``: the header row of the table ``line`` is a row of (its cells name the
    columns the row's values stand in).
    """
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
        if any(_part_of(word, t, ask.kinds) for t in token_set):
            # no more than the word itself would earn: "connector" shares "connect", a
            # word of many pages, and is no better an answer than "connected"
            score += 0.6 * min(1.0, _word_weight(word, ask.concepts))
    codes = ask.codes & with_hex(token_set)
    # an error number or register ("202", "E050", "0x0FFF") pins the line down; a model
    # number ("3000TL-X") only says which device, and stands in every header of its table
    pins = {c for c in codes if _ERROR_CODE.match(c) or c.startswith("0x")}
    score += 2.0 * len(pins) + 0.5 * len(codes - pins)
    if with_hex(tokens[:2]) & pins or _defines(line, pins):
        score += 3.0  # the row that defines the code, not the one saying "see E050"
    if ask.bits and _bit_positions(folded) & ask.bits:
        score += 3.0  # the line defining the bit asked ("Uint16 IsolationFault:1;//12")
    score += sum(4.0 for q in ask.quoted if q in folded)
    score += sum(0.8 for p in ask.pairs if p in folded)
    if ask.asked and names_asked(line, ask.asked):
        score += NAME_CELL
    if ask.kinds and ask.unit and _unit_cell(ask.kinds, line):
        score += 2.5 + LABEL_KIND  # the row's own unit cell is what "in which unit?" asks
    elif ask.kinds and _states(_topical(ask.kinds, score), line, header):
        score += 2.5
        if _labels_kind(ask.kinds, line):
            score += LABEL_KIND
    elif ask.quantity and _NUMBER.search(line) and not codes:
        score += 0.5
    if " | " in line and ask.denied & said_terms and ask.denied & denied_terms(line):
        # a row whose remark denies what the question denies ("Wird nicht im EEPROM
        # gespeichert" for "nicht ins EEPROM"); not a text line saying the symptom ("… nicht
        # gefunden"), which the line after it answers
        score += DENIED_BONUS
    if ask.symptom and names_symptom(line, ask.symptom):
        score += SYMPTOM_BONUS
    if ask.colours and ask.colours & token_set:
        # "Flashes red: During an update process" answers "die LED blinkt rot"
        score += 1.5 + (1.5 if _STATES.search(folded) else 0.0)
    if is_heading(line):
        score *= 0.6  # a heading names the topic; the line under it states the fact
    if (ask.writes and _access(line) == "read") or (ask.reads and _access(line) == "write only"):
        score *= READ_ONLY_SHARE
    # a long line says many things; the piece that states the fact should win
    return score / (1.0 + max(0, len(line) - 160) / 300)


# the position a line gives a bit: "…:1;//12" (a C bit field's comment), "BIT12", "Bit 12",
# "bit12:"; not a bare number (a register address "12 | wFacMaxSlowProtect")
_BIT_POSITION = re.compile(r"(?://\s*|\bbit\s*)(\d{1,2})\b")


def _bit_positions(folded: str) -> set[str]:
    return {str(int(m.group(1))) for m in _BIT_POSITION.finditer(folded)}


@lru_cache(maxsize=1024)
def _word_weight(word: str, concepts: Concepts) -> float:
    """Return the weight of the question's concept ``word`` is a form of (1.0: none)."""
    forms = set(terms(word))
    return max((w for concept in concepts for f, w in concept if f in forms), default=1.0)


def _part_of(word: str, token: str, kinds: tuple[AnswerType, ...]) -> bool:
    """Tell whether the question's ``word`` and the line's ``token`` share a compound part.

    Not when both are compounds of the asked kind's word with different first parts:
    "Einschaltspannung" and "PV-Eingangsspannung" are two voltages (the line's value earns
    the kind already); "Batterietemperatur" and "Temperature" are one.
    """
    if len(token) < 4 or not token.isalpha():
        return False
    if not (
        word.endswith(token) or word.startswith(token) or word in token or shares_part(word, token)
    ):
        return False
    for kind in kinds:
        rest, other = kind.asks.sub("", word), kind.asks.sub("", token)
        if (
            rest != word
            and other != token
            and min(len(rest), len(other)) >= 4
            and not (rest in other or other in rest or shares_part(rest, other, 4))
        ):
            return False
    return True


def _labels_kind(kinds: tuple[AnswerType, ...], line: str) -> bool:
    # a table row named by the asked kind ("Gewicht | 114 kg | 147 kg"), not one whose cell
    # happens to hold such a value ("Batteriemodul | 3,2 kWh, 33 kg"); not a register row
    # ("Max. Ausgangsstrom" names a current, as half a data sheet's rows do: only the kinds
    # whose absence means "not in the manuals" are specific enough)
    if " | " not in line or any(k.interface_documents for k in kinds):
        return False
    label = fold(line.split(" | ", 1)[0])
    return any(k.strict and k.asks.search(label) for k in kinds)


def _topical(kinds: tuple[AnswerType, ...], score: float) -> tuple[AnswerType, ...]:
    # the kinds a line sharing none of the question's words may state (``score``: what it
    # earned by them so far): not a count, which is of something (AnswerType.of_topic)
    return kinds if score > 0 else tuple(k for k in kinds if not k.of_topic)


def _states(kinds: tuple[AnswerType, ...], line: str, header: str = "") -> bool:
    # a register question is answered by a register map's row ("0127H | Battery remaining
    # time | R", "VPV | mV | Panel voltage", "fwv | String | Firmware Version"), not by any
    # line with a number ("Anzahl der Bytes (2*N)", "From firmware version 030 on …")
    if any(k.interface_documents for k in kinds) and not is_register_row(line):
        return False
    # a row under its table's header: "WLAN | 502" under "Verbindung | Port"
    text = f"{header}\n{line}" if header and " | " in line else line
    return any(holds_value(k, text) for k in kinds)


# a row's cell giving a unit, with its scale or none: "mV", "0.01 V", "0.1kWh", "1W"
# ("%CAP/°C": a compensation per degree, of both kinds)
_UNIT_CELL = re.compile(r"^(?:\d+(?:[.,]\d+)?\s*)?([a-z%°℃]{1,4}(?:/[a-z%°℃]{1,4})?)$")


def _unit_cell(kinds: tuple[AnswerType, ...], line: str) -> bool:
    # a register row whose unit cell is of an asked kind answers "in which unit?" without a
    # number: "VPV | mV | Panel voltage" (a voltage), not "SmartSolar MPPT 100/30 12V | 0xA07E"
    # (a model's name, which only states its own voltage)
    if " | " not in line:
        return False
    units = [
        u
        for c in fold(line).split(" | ")
        if (m := _UNIT_CELL.match(c.strip()))
        for u in m.group(1).split("/")
    ]
    return any(holds_value(k, f"1 {u}") for k in kinds if not k.interface_documents for u in units)


def is_register_row(line: str) -> bool:
    """Tell whether ``line`` is a row of a register map: its first cell names the register."""
    cells = [c.strip().rstrip(".") for c in line.split(" | ")]
    if len(cells) < 2 or any(_DATE.search(c) for c in cells[:3]):
        return False  # a change log's row ("3.21 | 1 April 2016 | Added …")
    # EPEver prints the name first: "Line Impedance | 901D | The resistance of …"
    return bool(_REGISTER_KEY.match(cells[0]) or _ADDRESS.match(cells[1]))


def names_symptom(line: str, symptom: tuple[frozenset[str], ...]) -> bool:
    """Tell whether ``line`` is a fault table's row whose first cell names ``symptom``.

    Every word the question denies stands in the cell, with a word of failure:
    "Abnormal RS485 communication | …" names "no rs485 communication"; a row "RS485 | A+ B-"
    only mentions the interface.
    """
    if " | " not in line:
        return False
    label = line.split(" | ", 1)[0]
    if len(label) > SYMPTOM_CELL or not _SYMPTOM.search(fold(label)):
        return False
    said = line_terms(label)
    return all(word & said for word in symptom)


def names_asked(line: str, asked: frozenset[str]) -> bool:
    """Tell whether ``line`` is a register row whose name is made of ``asked`` words alone.

    "Battery SOC | 311A | The percentage of battery's remaining capacity" names the
    "Batterie-SOC" asked for; "Management modes of battery charging | 9070 | … SOC : 1"
    only mentions it.
    """
    if not is_register_row(line):
        return False
    words = [w for w in _WORDS.findall(fold(register_name(line))) if w not in STOPWORDS]
    return bool(words) and all(asked & set(terms(w)) for w in words)


def register_name(line: str) -> str:
    """Return a register row's name: the first of its first three cells that is no address
    ("0x144 | 324 | Yearly yield", "586 | battery temperature", "Battery SOC | 311A")."""
    return next(
        (c for c in line.split(" | ")[:3] if _LETTERS.search(c) and not _ADDRESS.match(c.strip())),
        "",
    )


def is_map_row(line: str) -> bool:
    """Tell whether ``line`` is a register map's row with an access cell ("R", "RW", "W")."""
    if _access(line) is not None:
        return True
    # SRNE "df09 | 3 | manual light up switch | w": a bare "W" beside an address is access
    cells = {c.strip().lower() for c in line.split(" | ")}
    return "w" in cells and is_register_row(line)


_LETTERS = re.compile(r"[A-Za-zÄÖÜäöü]{2}")
_WORDS = re.compile(r"[a-z]{2,}")


def _access(line: str) -> str | None:
    # "0x144 | 324 | Yearly yield | Wh | Float | 2 | RO | 0x03" -> "read"
    if " | " not in line:
        return None
    cells = {c.strip().lower() for c in line.split(" | ")}
    if cells & _WRITABLE:
        return "write"
    if cells & _READ_ONLY:
        return "read"
    # SolaX "0x00AA | Meter/CT_Select | W | 0:Meter 1:CT | 1": a bare "W" beside a register
    # address is the access cell (its units read "1W", "10W"); elsewhere it may be the watt
    return "write only" if "w" in cells and _REGISTER_CELL.match(line) else None


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


def is_heading(line: str) -> bool:
    """Tell whether ``line`` is a heading ("7. Detail zweischieniger Stromversorgung")."""
    if " | " in line or ":" in line.rstrip(":") or len(line) > 60:
        return False
    body = re.sub(r"^[\d.]+\s*", "", line)
    return not _NUMBER.search(body) and len(body.split()) <= 6


# an error number that pins a line ("202", "E050"; hex registers count too). Narrower than
# retrieval's is_pinning on purpose: a 5-digit number in a line is usually a value, not the
# row's code (measured: using is_pinning here lost a key line on the held-out set)
_ERROR_CODE = re.compile(r"^(\d{1,4}|[a-z]{1,2}\d{2,4})$")


# the first cell of a table's header: the title of its first column ("Addr | Register
# meaning | R/W | …", "No | 1 | 2 | 3")
_COLUMN_TITLE = re.compile(
    r"^(addr\.?|address|adresse|register|reg\.?|no\.?|nr\.?|name|parameter|bit|byte|code|index"
    r"|id|item|field|feld|pos\.?|position|offset|command|befehl)$",
    re.IGNORECASE,
)


def is_data_row(row: str, ask: Ask) -> bool:
    """Tell whether a table row names the asked code or bit or states the asked kind of value.

    ("BIT18 | PV ConnDir Fault" at the top of a chunk cut from a bit table is no header.) A
    row of three cells or more under its first column's title is the header, whatever
    values it holds ("Addr | 2000-2999 for lithium battery register | Register meaning …"),
    unless it names the asked code ("No | Content | CID1 | Note" for "welcher CID1?").
    """
    if ask.codes & with_hex(raw_tokens(row)):
        return True
    if ask.bits and _bit_positions(fold(row)) & ask.bits:
        return True
    row_cells = row.split(" | ")
    if len(row_cells) >= 3 and _COLUMN_TITLE.match(row_cells[0].strip()):
        return False
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


RESTATE_SHARE = 0.8  # of a line's words in the question: the line restates it
CONDITION_SHARE = 0.6  # ... of a "Wenn …, …" line's condition: the condition restates it
_CONDITION = re.compile(r"^\s*(wenn|falls|sobald|if|when)\b", re.IGNORECASE)


def restates(line: str, question: str) -> bool:
    """Tell whether ``line`` only restates the question (the symptom, the message shown).

    "Die Performance LED … blinkt rot." matches "blinkt die Performance-LED rot?" best, but
    the answer is the line after it ("Es besteht keine Verbindung zum Sunny Portal").
    """
    return restates_ask(line, ask_of(question))


def restates_ask(line: str, ask: Ask) -> bool:
    """Tell whether ``line`` only restates the question described by ``ask``."""
    # the device's name says which manual, not what the line says ("Die Status LED des Sunny
    # Home Managers 2.0 blinkt rot." restates "shm 2.0 status led blinkt rot")
    names = device_names()
    said = {t for t in terms(line, drop_stopwords=True) if not t.isdigit() and t not in names}
    if set(re.findall(r"\d+", line)) - set(re.findall(r"\d+", " ".join(ask.terms | ask.names))):
        return False  # "Baud rate: 19200" states a value the question does not hold
    if not ask.negated and NEGATION.search(fold(line)):
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
