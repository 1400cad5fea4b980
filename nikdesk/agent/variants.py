"""A value a data sheet prints per model: "Einschaltspannung | 180 V | 250 V | 250 V | 250 V".

A data sheet or manual covering a series prints one column per model under a row naming them
("Typenbezeichnung | SH5.0RT | SH6.0RT | SH8.0RT | SH10RT", "S1256 | -8 | -13 | -18"). When
the row answering the question gives different values in those columns and the question
names none of the models, the answer depends on the model: Nik asks which one is meant
instead of quoting four values for one question ("Mit wieviel Ampere muss ich die NIBE S1256
absichern?" — 16 A for the -8, 25 A for the -13 and -18).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from functools import lru_cache

from nikdesk.agent.ask import ask_of
from nikdesk.core.text import fold, raw_tokens, terms

MAX_MODELS = 8  # a series' columns offered as options
# a model's name: letters and digits, one or two words ("SH5.0RT", "SBR096", "MIC 750TL-X",
# "BD6A20S10P", "S1256-8"), not a value with its unit ("750W", "65V-450V", "4 Module"): it
# starts with a letter ("750TL-X" is named by the series above it: "MIC 750TL-X")
_MODEL = re.compile(r"^[a-z](?=.*\d)[\w.+/-]*( [\w.+/-]+)?$", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
# a numbered member of one thing: a phase, a tracker, a screw size, a bit, a version
_NUMBERED = re.compile(r"^([a-z ]+?)\s?\d{1,2}(\.\d)?$", re.IGNORECASE)
_WORD = re.compile(r"[a-zäöüß]{4}")
_UNIT = re.compile(r"^[a-zA-Z°µΩ%/²³]{1,5}$")
# the question asks about every model of the series (folded text)
_ACROSS = re.compile(
    r"\b(variante\w*|modelle\w*|groessen|typen|baugroessen|leistungsklassen|jeweils"
    r"|variants?|models|sizes|versions|each model|all models"
    r"|unterschied\w*|differen\w*|beide\w*|both|vergleich\w*|compar\w*|vs)\b"
)
# an extreme over the series, unless the row's name carries it ("Max. Ausgangsstrom")
_EXTREMES = (
    r"max|maxim\w*|hoechst\w*|groesst\w*|minim\w*|mindest\w*|kleinst\w*|niedrigst\w*"
    r"|largest|biggest|smallest|highest|lowest|at most|at least|bis zu|up to"
)
_EXTREME = re.compile(rf"\b({_EXTREMES}|(?<!\d )(?<!\d)min)\b")
# the same over the series, without the bare "min": "min pv start voltage" names the
# parameter (the data sheet's "Einschaltspannung"); "max" stays the series' top ("SBR max
# energy": the largest), as "minimal", "lowest", "bis zu" ask for the series' extreme
_SERIES_EXTREME = re.compile(rf"\b({_EXTREMES})\b")
# a value with its unit, not a model's number under its series ("120V" under "MIC", not "750TL-X")
_VALUE = re.compile(r"^[<>≤~+-]?\d[\d.,]*\s*[a-z%°]{0,3}$", re.IGNORECASE)


def cells(row: str) -> list[str]:
    """Return the cells of a table row ("A | 16 | 25" -> ["A", "16", "25"])."""
    return [c.strip() for c in re.split(r"\s+\|\s+", row.strip().strip("|").strip())]


def _is_model(cell: str) -> bool:
    # a word in it is a register's or a field's name ("String7abnormal", "uint16"), not a model
    return bool(_MODEL.match(cell)) and not _WORD.search(fold(cell))


def _models(cells: list[str]) -> bool:
    """Tell whether ``cells`` name one model each, not "L1 | L2 | L3" or "MPPT1 | MPPT2"."""
    if len(cells) < 2 or len(set(cells)) < len(cells) or not all(map(_is_model, cells)):
        return False
    numbered = [_NUMBERED.match(c) for c in cells]
    return not (all(numbered) and len({m.group(1).strip() for m in numbered if m}) == 1)


def model_rows(text: str) -> list[tuple[int, list[str]]]:
    """Return the rows of ``text`` naming one model per column, with their line numbers.

    Read once per page text (cached): every row of a page is checked against them.
    """
    return [(n, list(models)) for n, models in _model_rows(text)]


@lru_cache(maxsize=16)
def _model_rows(text: str) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Return the rows of ``text`` naming one model per column (see :func:`model_rows`).

    "Typenbezeichnung | SBR096 | SBR128 | …" names the models after its first cell;
    "BD6A20S10P | B1A24S15P | …" (the row under "Parameters | Product number") in every
    cell; "S1256 | -8 | -13 | -18" by the series and a suffix; "Spezifikationen | 750TL-X |
    …" under "Modell | MIC | MIC | …" by the series above it.
    """
    lines = text.splitlines()
    out: list[tuple[int, tuple[str, ...]]] = []
    for n, line in enumerate(lines):
        if " | " not in line:
            continue
        row = cells(line)
        heads = row[1:]
        if len(heads) >= 2 and all(h.startswith("-") and h[1:].isdigit() for h in heads):
            heads = [f"{row[0]}{h}" for h in heads]  # "S1256 | -8" -> "S1256-8"
        elif n > 0 and " | " in lines[n - 1]:
            above = cells(lines[n - 1])[1:]
            if (
                len(above) == len(heads)
                and len(set(above)) == 1
                and not _DIGIT.search(above[0])
                and not any(_VALUE.match(h) for h in heads)
            ):
                heads = [f"{a} {h}" for a, h in zip(above, heads, strict=True)]  # "MIC 750TL-X"
        for models in (row, heads):  # every cell a model, or every cell after the first
            if _models(models):
                out.append((n, tuple(models)))
                break
    return tuple(out)


def row_values(row: str) -> list[str]:
    """Return the values of a data row, one per column: "Absicherung | A | 16 | 25 | 25"."""
    values = cells(row)[1:]
    if values and _UNIT.match(values[0]):
        values = values[1:]  # the unit column ("A", "kW"), not a dash or an empty cell
    return values


def columns(key: str, page: str, before: str = "") -> list[tuple[str, str]]:
    """Return (model, value) for each column of the table row ``key`` on ``page``.

    ``page``: the text of the page the row stands on (its model row may stand in an earlier
    chunk of the same table, or on the page ``before``, which the table goes on from). A row
    with one value for all models at once ("Max. PV-Eingangsspannung | 1000 V") gives it to
    each model of the model row above it. Empty when no row above it names its columns'
    models.
    """
    if " | " not in key:
        return []
    values = row_values(key)
    if not values or not all(_DIGIT.search(v) for v in values):
        return []  # a value per model is a number ("180 V", "(1)"), not a field's name
    lines = page.splitlines()
    at = _line_of(lines, key)
    at = len(lines) if at is None else at
    above = [heads for n, heads in _model_rows(page) if n < at]
    if not above and before:
        # the table goes on from the page before (Growatt MIC 750-2000TL-X: p. 24 to p. 25)
        above = [heads for _, heads in _model_rows(before)]
    if len(values) == 1:
        # one value across the columns ("MAX DC-Spannung | 500V" under "MIC 750TL-X | … |
        # MIC 2000TL-X"): every model's, where a model row stands above it
        return [(model, values[0]) for model in above[-1]] if above else []
    rows = [heads for heads in above if len(heads) == len(values)]
    if not rows:
        # two columns' values the text extraction put in one cell ("Euro-eta | 96.5% |
        # 96.5% 97.0% | 97.0%" under four models)
        apart = [part for value in values for part in value.split()]
        if all(_VALUE.match(part) for part in apart):
            values = apart
            rows = [heads for heads in above if len(heads) == len(values)]
    return list(zip(rows[-1], values, strict=True)) if rows else []


def _line_of(lines: list[str], key: str) -> int | None:
    """Return the number of the line that is ``key`` (spaces aside), else None."""
    return next((n for n, line in enumerate(lines) if line.strip() == key.strip()), None)


def per_model(key: str, page: str, more: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Return (model, value) for the row ``key`` when the models differ in it, else nothing.

    ``more``: the texts of the pages before and after; a data sheet continued there (Growatt
    MIC 750-2000TL-X on p. 24, 2500-3300TL-X on p. 25) adds its models from the row with the
    same name ("Max. Ausgangsstrom | 11.9A | 14.3A | 14.3A").
    """
    pairs = columns(key, page, more[0] if len(more) == 2 and more[0] not in page else "")
    if not pairs:
        return []
    name = _squeezed(cells(key)[0])  # "MAX DC-Spannung" is "Max. DC-Spannung" over the page
    for at, other in enumerate(more):
        if other in page:
            continue  # no such page: the hit's own text came back
        row = next(
            (ln for ln in other.splitlines() if " | " in ln and _squeezed(cells(ln)[0]) == name),
            None,
        )
        # a row of that name stating another kind of value is another row ("Tracker | 1" of
        # a wrapped "Anzahl PV-Strings pro MPP-/Tracker" beside "Tracker | 16A")
        if row is not None and _unit(row_values(row)[:1]) == _unit(row_values(key)[:1]):
            new = [p for p in columns(row, other) if p[0] not in dict(pairs)]
            pairs = [*new, *pairs] if at == 0 and len(more) == 2 else [*pairs, *new]
    values = {re.sub(r"\s+", "", v).casefold() for _, v in pairs}
    return pairs if len(values) >= 2 else []


# a column of defaults per variant: "Ternary default | Lithium iron default | Lithium
# titanate default" (JK's one-click presets per cell chemistry)
_DEFAULT_COLUMN = re.compile(
    r"^(?P<variant>[^\d|]+?)\s+(?:defaults?|default values?|standardwert\w*|voreinstellung\w*)$",
    re.IGNORECASE,
)


# the question asks for a preset value: a table of defaults per variant is read only then
# ("what does 'automatic shutdown voltage' do?" is answered by the parameter's description,
# whatever its default per chemistry)
_DEFAULT_ASKED = re.compile(
    r"default|werkseinstellung|werksseitig|werkseitig|ab werk|standardwert|standardeinstellung"
    r"|grundeinstellung|auslieferungszustand|voreingestellt|voreinstellung|preset|one.?click"
    r"|ein.?klick|factory"
)
# a cell chemistry in a technician's words (folded): the variant's column it names
_CHEMISTRIES = {
    "lithium iron": r"lifepo|\blfp\b|eisen|\biron\b|phosphat",
    "ternary": r"\btern|\bnmc\b|\bncm\b|\bnca\b",
    "lithium titanate": r"titan|\blto\b",
}
# a chemistry no preset column is for: the question is about another battery
_OTHER_CHEMISTRY = re.compile(r"natrium|sodium|\bblei|\blead\b|\bagm\b|\bgel\b|nickel")


def asks_default(question: str) -> bool:
    """Tell whether ``question`` asks for a preset ("Werkseinstellung", "default", "one click")."""
    return bool(_DEFAULT_ASKED.search(fold(question)))


def default_columns(key: str, page: str) -> list[tuple[str, str]]:
    """Return (variant, value) for a row whose table prints one column of defaults per variant.

    "1 | Single undervoltage protection | 2.9 | 2.6 | 1.8 | V" under "No. | Parameter |
    Ternary default | Lithium iron default | Lithium titanate default | Unit": the default
    depends on the cell chemistry. Empty when no such header stands above the row in its
    table or the variants' values do not differ.
    """
    if " | " not in key:
        return []
    lines = page.splitlines()
    at = _line_of(lines, key)
    if at is None:
        return []
    row = cells(key)
    for line in reversed(lines[:at]):
        if " | " not in line:
            return []  # the table ends above the row
        head = cells(line)
        found = [
            (i, m.group("variant")) for i, c in enumerate(head) if (m := _DEFAULT_COLUMN.match(c))
        ]
        if len(found) < 2:
            continue
        if len(head) != len(row):
            return []
        pairs = [(variant, row[i]) for i, variant in found]
        values = {re.sub(r"\s+", "", v).casefold() for _, v in pairs}
        if not all(_DIGIT.search(v) for _, v in pairs) or len(values) < 2:
            return []
        return pairs
    return []


def _unit(values: list[str]) -> str:
    """Return the letters of the first of ``values`` ("16A" -> "a", "500V" -> "v", "1" -> "")."""
    return re.sub(r"[^a-z%°]", "", fold(values[0])) if values else ""


def _squeezed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def _spellings(model: str) -> set[str]:
    # "SH8.0RT": "sh80rt", "sh8rt", "sh80", "sh8"; "MIC 3000TL-X": "mic3000tlx", "mic3000",
    # "3000tlx"; "S1256-8": "s12568", "12568" (the letters and digits, without separators)
    names = {_squeezed(model), _squeezed(model.replace(".0", ""))}
    out = set(names)
    for name in names:
        short = re.sub(r"[a-z]+$", "", name)  # "sh10rt" -> "sh10", "mic3000tlx" -> "mic3000"
        if len(short) >= 3 and _DIGIT.search(short):
            out.add(short)
    words = model.split()
    rest = _squeezed(words[-1]) if len(words) == 2 else re.sub(r"^[a-z](?=\d)", "", min(names))
    if len(rest) >= 4 and _DIGIT.search(rest):
        out.add(rest)  # "Growatt 3000TL-X", "NIBE 1256-8"
    return out


def names_model(question: str, models: list[str]) -> bool:
    """Tell whether ``question`` names one of ``models`` ("SH 10 RT", "SH8", "MIC 3000").

    Letters and digits in the model's order, at most one space, dot or dash between them,
    not run on into a further digit: "S1256-13", "Growatt 3000TL-X"; not "S1256, 8 Jahre" or
    "SH, 10 Module".
    """
    asked = fold(question)
    for model in models:
        for spelling in _spellings(model):
            pattern = r"[ .-]?".join(map(re.escape, spelling))
            if re.search(rf"(?<![a-z0-9]){pattern}(?![0-9])", asked):
                return True
    return False


_AMOUNT = re.compile(r"\d+(?:[.,]\d+)?\s*[a-z]+", re.IGNORECASE)


def _amount(text: str) -> str:
    return re.sub(r"\s+", "", text.replace(",", ".")).casefold()


def names_by_value(question: str, page: str) -> bool:
    """Tell whether ``question`` names a model by a value only its column prints.

    "SBR mit 12,8 kWh: wie schwer ist der Turm?" — "Energie (nutzbar) | 9,6 kWh | 12,8 kWh |
    …" prints 12,8 kWh for the SBR128 alone.
    """
    asked = {_amount(m) for m in _AMOUNT.findall(question)}
    if not asked:
        return False
    for line in page.splitlines():
        values = [_amount(v) for _, v in columns(line, page)]
        if any(values.count(a) == 1 for a in asked if a in values):
            return True
    return False


_UNIT_OF = re.compile(r"\d(?:[.,]\d+)?\s?([a-zµΩ%°]+)\b", re.IGNORECASE)


def units_of(text: str) -> set[str]:
    """Return the units of the values in ``text`` ("0.6 A | 1 A" -> {"a"})."""
    return {fold(u) for u in _UNIT_OF.findall(text)}


def states_extreme(text: str, units: set[str] | None = None) -> bool:
    """Tell whether ``text`` says an extreme ("maximum", "höchstens", "up to", "min"), of a
    value in one of ``units`` when given ("a maximum continuous current of 2A": "a")."""
    if not _EXTREME.search(fold(text)):
        return False
    return units is None or bool(units_of(text) & units)


def says_series(question: str) -> bool:
    """Tell whether ``question`` asks about all the models ("für alle Modelle", "im Vergleich")."""
    return bool(_ACROSS.search(fold(question)))


def asks_across(question: str, key: str) -> bool:
    """Tell whether ``question`` asks about the whole series, which the row answers as it is.

    "Welche Größen gibt es bei der SBR?", "wie schwer sind die Varianten?", "wie viel
    Energie speichert die SBR maximal?" (the largest model's). "max ausgangsstrom" asks
    the row "Max. Ausgangsstrom" of one model: the extreme is the row's own.
    """
    folded = fold(question)
    if _ACROSS.search(folded):
        return True
    return bool(_SERIES_EXTREME.search(folded)) and not _EXTREME.search(fold(cells(key)[0]))


def model_options(
    question: str, key: str, page: str, more: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Return the models to ask for when the answer's key row differs by model.

    Empty when it does not, when the question names one of them or asks about them all.
    ``page`` and ``more``: see :func:`per_model`.
    """
    pairs = per_model(key, page, more)
    if not pairs and asks_default(question) and (defaults := default_columns(key, page)):
        # one column of defaults per variant: asked unless the question names one of them
        # ("LiFePO4" is the "Lithium iron" column) or another battery altogether
        variants = [v for v, _ in defaults]
        # "minimale Unterspannung" names the parameter, not the lowest of the presets: a
        # chemistry is no size of a series
        if says_series(question) or _names_column(question, variants):
            return ()
        return tuple(variants[:MAX_MODELS])
    models = [m for m, _ in pairs]
    if not pairs or len(models) > MAX_MODELS or asks_across(question, key):
        return ()
    pages = [page, *(other for other in more if other not in page)]
    # a model of the series named, if not of this row's columns ("MIC 3000" beside the row
    # of the 750–2000TL-X, whose p. 25 prints one value for the 2500–3300TL-X)
    series = [m for text in pages for _, row in _model_rows(text) for m in row]
    if names_model(question, [*models, *series]):
        return ()
    if any(names_by_value(question, text) for text in pages):
        return ()
    return tuple(models)


def _names_column(question: str, variants: list[str]) -> bool:
    """Tell whether ``question`` names one of the ``variants`` or a chemistry none of them is.

    By the variant's words, or a chemistry's other spellings ("LiFePO4", "LFP",
    "Lithium-Eisenphosphat", "ternäre Zellen", "NCM", "Titanat").
    """
    if said_variants(question, variants):
        return True
    folded = fold(question)
    if _OTHER_CHEMISTRY.search(folded):
        return True
    named = {v.casefold() for v in variants}
    return any(
        chemistry in named and re.search(pattern, folded)
        for chemistry, pattern in _CHEMISTRIES.items()
    )


_SERIES = re.compile(r"^[a-z]{2,}", re.IGNORECASE)


def listed_models(question: str, key: str, page: str) -> tuple[tuple[str, ...], list[str]]:
    """Return the models of a list giving each its own row, and the list's rows.

    "MIC 750TL-X | 10A/230V" … "MIC 3300TL-X | 16A/230V": the models of one series down the
    first column, their values beside them — a data sheet's per-model row turned on its side
    (:func:`model_options`). Empty when ``key`` is not one of the rows, the values do not
    differ, or the question names one of the models or asks about them all.
    """
    if " | " not in key:
        return (), []
    lines = page.splitlines()
    at = _line_of(lines, key)
    width = len(cells(key))
    if at is None or not _listed(lines[at], width):
        return (), []
    rows = _rows_around(lines, at, lambda line: _listed(line, width))
    models = [cells(row)[0] for row in rows]
    series = {m.group().casefold() for model in models if (m := _SERIES.match(model))}
    values = {re.sub(r"\s+", "", " ".join(cells(row)[1:])).casefold() for row in rows}
    asked = _squeezed(question)
    if (
        not 2 <= len(models) <= MAX_MODELS
        or len(series) != 1
        or not _models(models)
        or len(values) < 2
        or names_model(question, models)
        or asks_across(question, key)
        # a value of the list asked about ("which PID is 0x204?", "which one needs 10A/230V?")
        or any(len(v) >= 3 and v in asked for row in rows for v in map(_squeezed, cells(row)[1:]))
    ):
        return (), []
    return tuple(models), rows


MIN_LIST_ROWS = 4  # a list of products with their values ("Phoenix Inverter … | 0xA262")


def named_rows(question: str, key: str, page: str) -> tuple[str, ...]:
    """Return the products of a list the question's name fits, when their values differ.

    A product-ID list names each product in full: "Phoenix Inverter 24V 800VA 230V | 0xA262"
    and "Phoenix Inverter 24V 800VA 120V | 0xA26A", "BMV-712 Smart | 0xA381" and "BMV-712
    Smart Rev2 | 0xA383". A question naming only what several names share ("phoenix inverter
    24v 800va", "bmv-712 smart") fits each: which one is meant decides the value. The
    question must say a word with a digit of the names (a model number, a rating), and the
    list be one of names with digits and their values, not a parameter table.
    """
    row = cells(key) if " | " in key else []
    if len(row) != 2 or not _DIGIT.search(row[1]):
        return ()
    lines = page.splitlines()
    at = _line_of(lines, key)
    if at is None:
        return ()
    block = [cells(line) for line in _rows_around(lines, at, _product_row)]
    # the question's words any name of the list holds ("120v" picks one of two); the names
    # holding the most of them fit (not "SmartSolar MPPT VE.Can 150/70" by its "ve" beside
    # "SmartSolar MPPT 100/30 12V" for "VE.Direct PID for an MPPT 100/30?")
    said = set(raw_tokens(question))
    words = {w for c in block for w in raw_tokens(c[0]) if w in said}
    if len(block) < MIN_LIST_ROWS or not any(_DIGIT.search(w) for w in words):
        return ()
    held = [words & set(raw_tokens(c[0])) for c in block]
    most = max(held, key=len)
    fits = [c for c, h in zip(block, held, strict=True) if len(h) == len(most)]
    # a word with a digit none of them holds names another product ("100/30 rev2" of p. 12,
    # not this page's "100/30 rev3")
    if not any(_DIGIT.search(w) for w in most) or any(_DIGIT.search(w) for w in words - most):
        return ()
    # a footnote's mark is no other product ("… 230V*": phased out, beside "… 230V")
    names = list(dict.fromkeys(c[0].rstrip("*† ") for c in fits))
    values = {re.sub(r"\s+", "", c[1]).casefold() for c in fits}
    if not 2 <= len(names) <= MAX_MODELS or len(values) < 2 or _ACROSS.search(fold(question)):
        return ()
    return tuple(names)


def _rows_around(lines: list[str], at: int, belongs: Callable[[str], bool]) -> list[str]:
    """Return line ``at`` with the lines right above and below it that ``belongs`` (a list's)."""
    first, last = at, at
    while first > 0 and belongs(lines[first - 1]):
        first -= 1
    while last + 1 < len(lines) and belongs(lines[last + 1]):
        last += 1
    return lines[first : last + 1]


def _product_row(line: str) -> bool:
    # a row of a product list: a name with a digit, then one value with a digit
    row = cells(line) if " | " in line else []
    return len(row) == 2 and bool(_DIGIT.search(row[0])) and bool(_DIGIT.search(row[1]))


def _listed(line: str, width: int) -> bool:
    # a row of such a list: a model, then values with a number each
    row = cells(line) if " | " in line else []
    return (
        len(row) == width and _is_model(row[0]) and all(_DIGIT.search(value) for value in row[1:])
    )


# a model's name printed in a line: a word, or a word's last part after "-", "_" or "/"
# ("JK-B1A24S"; not "MachineType_X1orX3")
_MENTION = re.compile(r"[A-Za-z0-9][\w.-]*[A-Za-z0-9]|[A-Za-z0-9]")
# a value in a line: "1A", "850~4000", "2,5 kW" (its digits are what differs by model); not a
# code of a list ("1:X1 3:X3", "0: AGM")
_LINE_VALUE = re.compile(r"\d+(?:[.,]\d+)?(?:\s?[~–-]\s?\d+(?:[.,]\d+)?)?(?!\s?[:=\d])")
NEAR_VALUE = 12  # characters between a model's name and its value in a line


def inline_models(question: str, line: str, names: frozenset[str]) -> tuple[str, ...]:
    """Return the models a text line gives each its own value, when the question names none.

    "… constant balance-current of 1A(JK-B1A24S) or 2A(JK-B2A24S)", "Charge float voltage
    (X1:850~4000 X3:1600~6500)": the answer depends on the model, as in a data sheet's row
    with one column per model (:func:`model_options`). ``names``: the model names of the
    line's document (its file name's "B1A24S", "X1", "X3").
    """
    mentions: list[tuple[str, str, int, int]] = []  # (name, as printed, start, end)
    for m in _MENTION.finditer(line):
        last = re.split(r"[-_/]", m.group())[-1]
        if _squeezed(last) in names:
            mentions.append((_squeezed(last), m.group(), m.start(), m.end()))
    paired = _own_values(line, mentions)
    if not paired:
        return ()
    options = [printed for printed, _, _ in paired.values()]
    if names_model(question, options) or _says_name(question, set(paired), names):
        return ()
    folded = fold(question)
    if _ACROSS.search(folded) or (
        _SERIES_EXTREME.search(folded) and not _EXTREME.search(fold(line))
    ):
        return ()
    return tuple(options[:MAX_MODELS])


# a variant a manual gives its own value without naming a model: "for HV models" / "for LV
# models" (Voltronic), "1st generation machine 50A, 2nd generation machine 70A" (SRNE),
# "PLENTICORE G2: SW 02.12.xxxxx PLENTICORE G3: SW 3.04.01.xxxxx" (Kostal), a model number the
# file name does not give, after "for" or in a list of models ("for US2000B, it is SOC 15~19%,"
# / "for US2000B-Plus/US3000B, it is SOC 5~9%", Pylontech); not a document's revision
# ("02-10-2018 – rev 5" of a protocol's history), a standard ("EN50549", "IEC62116"), an
# interface ("RS485A - 24 RS485B - 25": terminals) or a code list's entries ("26:BMU- HV50056/
# 38:BMU- HV900105")
# a model number: its series' letters, its number ("US2000B", "US3000B", "US5000")
_MODEL_NUMBER = r"([A-Z]{2,4})\d{3,5}[A-Z]{0,3}(?:-[A-Z][a-z]{2,4})?\b"  # "US2000B", "US2000B-Plus"
_VARIANT = re.compile(
    r"\b(?:(?:[HL]|\d{2,3})V(?= models?\b)|(?:1st|2nd|3rd|[4-9]th) generation"
    r"|(?:[A-Z][A-Za-z]+ ){0,2}G[1-9]\b"
    r"|(?:(?<=\bfor )|(?<=\bfür )|(?<=/))"
    rf"(?!(?:EN|IEC|IEE|VDE|DIN|ISO|AS|NZS|UL|NRS|CEI|IEEE|UTE|TOR|RS)\d){_MODEL_NUMBER})"
)


def variant_values(question: str, lines: list[str]) -> tuple[str, ...]:
    """Return the variants the key ``lines`` give each its own value, when the question names none.

    A model name is not needed: "Set inverter output rating voltage to 220V/230V/240V for HV
    models." / "… to 127V/120V/110V for LV models." asks "HV" or "LV"; each variant's value
    stands on the same side of it all along the lines (see :func:`inline_models`). Of a table
    row only the cells sharing a word with the question count: "a31 | Battery weak (only 48V
    model) | 24V model: a31, a32 is fault code 48V model: …" gives each model its fault-code
    bits, which "which bit is battery weak?" does not ask about.
    """
    # the question's words with their glossary's ("Werkseinstellung Ausgangsfrequenz":
    # "default", "output", "frequency" of an English protocol's cells)
    asked = set(terms(question, drop_stopwords=True)) | ask_of(question).terms
    text = "  ".join(_asked_cells(line, asked) for line in lines)
    mentions = [
        (_squeezed(m.group()), m.group(), m.start(), m.end()) for m in _VARIANT.finditer(text)
    ]
    paired = _own_values(text, mentions)
    variants = [printed for printed, _, _ in paired.values()]
    if (
        not paired
        or said_variants(question, variants)
        or names_model(question, variants)
        # "Pylontech US5000": none of the lines' models is the one asked about
        or _another_number(question, variants)
        or _ACROSS.search(fold(question))
        # "Ausgangsspannung auf 230V stellen": a value the lines give one variant names it
        or _says_value(question, text)
    ):
        return ()
    return tuple(variants[:MAX_MODELS])


def _says_value(question: str, text: str) -> bool:
    # an amount of the question the lines print: one variant's ("220V/230V/240V for HV")
    printed = {_amount(m) for m in _AMOUNT.findall(text)}
    return any(_amount(m) in printed for m in _AMOUNT.findall(question))


def _asked_cells(line: str, asked: set[str]) -> str:
    # a text line whole; of a table row the cells sharing a word of the question other than
    # the row's own name: "what is bit a31?" names the row, whose remark "24V model: a31, a32
    # is fault code …" it does not ask about; "PV ladestrom limit (E001)" asks the remark
    # "PV charge current limit. 1st generation machine 50A, …"
    if " | " not in line:
        return line
    row = cells(line)
    meant = asked - set(terms(row[0]))
    return " | ".join(c for c in row if set(terms(c, drop_stopwords=True)) & meant)


_ANY_MODEL_NUMBER = re.compile(rf"\b{_MODEL_NUMBER}", re.IGNORECASE)


def _another_number(question: str, variants: list[str]) -> bool:
    # the question names a model number of the variants' series that is none of them
    # ("US5000" beside "US2000B" and "US3000B")
    series = {m.group(1) for v in variants if (m := _ANY_MODEL_NUMBER.match(fold(v)))}
    return any(m.group(1) in series for m in _ANY_MODEL_NUMBER.finditer(fold(question)))


# a variant in a question's words: "second generation", "2. Generation", "gen 2"
_ORDINALS = {"first": "1st", "erste": "1st", "second": "2nd", "zweite": "2nd", "third": "3rd"}
_ORDINAL_NUMBERS = {"1": "1st", "2": "2nd", "3": "3rd"}


def said_variants(question: str, variants: list[str]) -> list[str]:
    """Return the ``variants`` ``question`` names by a word telling each from the others.

    "Kostal G3" says "PLENTICORE G3" (the "G3"), "SRNE 2nd gen" or "zweite Generation" says
    "2nd generation"; "which voltage" says no "HV" (only whole words count).

    A word counts that no other variant has ("G3" of "PLENTICORE G3" beside "PLENTICORE G2";
    "Plus" of "US2000B-Plus" beside "US2000B"). A variant without one of its own is said by
    all its words, unless a longer one's own words are said too ("US2000B" is not said by
    "US2000B-Plus"; "X1 G4" is said by "X1 G4" beside "X3 G4" and "X1 Mini"). A name of one
    word is said whole: "US2000B" does not say "US2000B-Plus".
    """
    words = set(re.findall(r"[a-z0-9]+", fold(question)))
    words |= {_ORDINALS.get(w, _ORDINAL_NUMBERS.get(w, w)) for w in words}
    tokens = [set(re.findall(r"[a-z0-9]+", fold(v))) for v in variants]
    said = []
    for i, (variant, own) in enumerate(zip(variants, tokens, strict=True)):
        if " " not in variant.strip() and not own <= words:
            continue  # one name ("US2000B-Plus") is said whole, not by its "US2000B"
        others = [t for j, t in enumerate(tokens) if j != i]
        distinct = own - set().union(*others)
        if distinct & words or (
            not distinct
            and own <= words
            and not any(own < other and (other - own) & words for other in others)
        ):
            said.append(variant)
    return said


def names_variant(line: str) -> bool:
    """Tell whether ``line`` names a variant ("for US2000B", "HV models", "G3")."""
    return bool(_VARIANT.search(line))


def of_said_variant(lines: list[str], question: str) -> list[int]:
    """Return the indexes of ``lines`` to keep as key lines once the question names a variant.

    Resumed with "HV", the key lines "… 220V/230V/240V for HV models." and "… 127V/120V/110V
    for LV models." keep the HV one; lines naming no variant stay. All, when the question
    names none of the variants the lines name.
    """
    named = [[m.group() for m in _VARIANT.finditer(line)] for line in lines]
    variants = list(dict.fromkeys(v for found in named for v in found))
    if len(variants) < 2:
        return list(range(len(lines)))
    said = set(said_variants(question, variants))
    if not said:
        return list(range(len(lines)))
    return [i for i, found in enumerate(named) if not found or said.intersection(found)]


def _own_values(
    text: str, mentions: list[tuple[str, str, int, int]]
) -> dict[str, tuple[str, str, int]]:
    """Return model -> (as printed, its value, gap) when ``text`` gives two or more their own.

    Each model's value stands on the same side of its name all along the text: after it
    ("X1:850~4000 X3:1600~6500") or before it ("1A(JK-B1A24S) or 2A(JK-B2A24S)"). Empty when
    fewer than two models are named, paired or differ in value.
    """
    if len({name for name, *_ in mentions}) < 2:
        return {}
    spans = [(start, end) for _, _, start, end in mentions]
    values = [
        v
        for v in _LINE_VALUE.finditer(text)
        if not any(s <= v.start() < e for s, e in spans)  # the "24" of "B1A24S" is its name
    ]
    sides = [_paired(mentions, values, after) for after in (True, False)]
    paired = max(sides, key=lambda p: (len(p), -sum(gap for _, _, gap in p.values())))
    if len(paired) < 2 or len({value for _, value, _ in paired.values()}) < 2:
        return {}
    return paired


def _paired(
    mentions: list[tuple[str, str, int, int]], values: list[re.Match[str]], after: bool
) -> dict[str, tuple[str, str, int]]:
    # model name -> (as printed, its value, characters between them), each value on one side
    out: dict[str, tuple[str, str, int]] = {}
    for name, printed, start, end in mentions:
        gaps = [
            (v.start() - end if after else start - v.end(), v.group())
            for v in values
            if (v.start() >= end if after else v.end() <= start)
        ]
        near = [g for g in gaps if g[0] <= NEAR_VALUE]
        if near and name not in out:
            gap, value = min(near)
            out[name] = (printed, value, gap)
    return out


def _says_name(question: str, models: set[str], names: frozenset[str]) -> bool:
    # the question's word (or two words run together) is one of the models or a name of the
    # document's that is part of only one of them ("jk b2a balancer": the B2A24S)
    words = [_squeezed(w) for w in re.findall(r"[A-Za-z0-9]+", question)]
    said = set(words) | {a + b for a, b in itertools.pairwise(words)}
    return any(word in models or sum(word in m for m in models) == 1 for word in said & names)


# twin lines: one line's wording printed again with other numbers, each for its own products
# ("Fronius IG 15 - 60 V2.9.4 or higher" / "Fronius IG 300 - 500 V3.6.4.0 or higher"; "- 1 x
# antenna - 1 x 1 m RG58 antenna cable …" / "… 3 m RG58 …", each above the inverters it ships
# with); a number run, with its decimal or version dots ("V3.6.4.0", "0.4")
_RUN = re.compile(r"\d+(?:[.,]\d+)*")
# a value: a number with its unit or a version ("1 m", "60%", "V2.9.4"), not a step's, a
# figure's or a member's number ("2. [Weiter] wählen", "Figure 4", "Wärmepumpe 2", "R5")
_TWIN_VALUE = re.compile(
    r"(?<![\w.])(?:V?\d+(?:[.,]\d+)+|\d+(?:[.,]\d+)?\s?(?:[a-zA-Zµ°Ω%]{1,3})(?![\w-]))"
)
_NOT_TWIN = re.compile(r"^(?:\d+[.)]\s|(?:fig\w*|abb\w*|table|tabelle|kapitel|chapter)\b)|://")
# a product's name where a twin gives it: the line's words up to its first number or range
# ("Fronius IG 15 - 60", "Fronius IG Plus 35 - 150")
_LABEL = re.compile(r"^\D*?\d+(?:[.,]\d+)*(?:\s?[-–]\s?\d+(?:[.,]\d+)*)?")


def _value_runs(line: str) -> list[str]:
    return [m.group() for m in _TWIN_VALUE.finditer(line)]


def twin_lines(question: str, keys: list[str], page: str, names: frozenset[str]) -> tuple[str, ...]:
    """Return the products whose twin lines give a key line's value their own, when the
    question names none of them.

    A manual may list a value per product in running lines rather than a table: "The
    following inverter software versions must be used …" over "Fronius IG 15 - 60 V2.9.4 or
    higher", "Fronius IG 2000 - 5100 starting from series no. 19153444", "Fronius IG 300 - 500
    V3.6.4.0 or higher"; or an item list once per product group, each above its products
    ("- 1 x 1 m RG58 antenna cable …" over "Fronius IG Fronius IG Plus Fronius IG Plus V",
    "- 1 x 3 m RG58 antenna cable …" over "Fronius IG 300 - 500 Fronius CL …"). A key line
    whose wording the page prints again with another value is such a line: the answer
    depends on the product. The products are what names one in ``names`` (the document's
    maker and product words): the lines themselves, or the line each is printed above.
    """
    lines = _with_values(
        list(dict.fromkeys(line.strip() for line in page.splitlines() if line.strip()))
    )
    shapes = [_RUN.sub("#", line) for line in lines]

    def names_product(line: str) -> bool:
        return bool(set(raw_tokens(line)) & names)

    def values(line: str) -> list[str]:
        # the values after the product a line opens with: "Sunny Island 6.0H-11 … ab
        # Firmware-Version 1.00.00.R" gives every Sunny Island the same version
        label = _LABEL.match(line)
        if label and names_product(label.group()):
            line = line[label.end() :]
        return _value_runs(line)

    # the question's words other than the document's names: a key line must share one
    # ("inverter software", "antenna cable"), not only its maker's name
    asked = set(terms(question, drop_stopwords=True)) - names - set(terms(" ".join(names)))
    # a device the question names by its model number ("stp 5000tl-20") printed in a key line
    # is that line's, not the twins' ("Sunny Island 6.0H-11 … ab Firmware-Version 1.00.00.R")
    numbered = {w for w in raw_tokens(question) if _DIGIT.search(w) and re.search("[a-z]", w)}
    # a key line leading in a list ("The following inverter software versions must be used
    # …:") has its list's lines after it, where the text extraction put them
    leads = [
        lines.index(k.strip())
        for k in keys
        if k.strip().endswith(":") and k.strip() in lines and asked & set(terms(k))
    ]
    listed = lines[min(leads) + 1 :] if leads else []
    # the best key line counts whatever its words ("MIC 750-2000 TL-X 6.0kg" for "wie schwer
    # ist der growatt mic?"), the others by a word of the question
    keys = keys[:1] + [k for k in keys[1:] if asked & set(terms(k))]
    for key in [*keys, *listed]:
        key = key.strip()
        if " | " in key or _NOT_TWIN.search(key.lower()) or not values(key):
            continue
        if key not in lines:
            continue
        at = lines.index(key)
        if len(re.findall("[a-zäöüß]{2,}", fold(shapes[at]))) < 2:
            continue
        own = values(key)
        twins = [
            n
            for n, (line, shape) in enumerate(zip(lines, shapes, strict=True))
            if n == at or (shape == shapes[at] and values(line) not in ([], own))
        ]
        if len(twins) < 2:
            continue
        twin_texts = {lines[n] for n in twins}
        if any(numbered & set(raw_tokens(k)) for k in keys if k.strip() not in twin_texts):
            continue
        labels = _twin_labels(lines, twins, names_product)
        if len(set(labels)) < 2 or said_variants(question, labels):
            continue
        if names_model(question, labels) or _ACROSS.search(fold(question)):
            continue
        if _in_ranges(question, labels):
            continue
        return tuple(dict.fromkeys(labels))[:MAX_MODELS]
    return ()


_RANGE = re.compile(r"(\d+)\s?[-–]\s?(\d+)")


def _in_ranges(question: str, labels: list[str]) -> bool:
    # a model number in one label's range: "mic 3000" is of "MIC 2500-3300", "IG 40" of
    # "Fronius IG 15 - 60"
    numbers = [int(n) for n in re.findall(r"(?<![\d.,])\d{2,5}(?![\d.,])", question)]
    spans = [[(int(a), int(b)) for a, b in _RANGE.findall(label)] for label in labels]
    for n in numbers:
        holding = [i for i, s in enumerate(spans) if any(a <= n <= b for a, b in s)]
        if len(holding) == 1:
            return True
    return False


def _with_values(lines: list[str]) -> list[str]:
    # a line printing no value joined with the bare value under it: "MIC 2500-3300 TL-X" over
    # "6.2kg" prints what "MIC 750-2000 TL-X 6.0kg" does in one line
    out: list[str] = []
    for line in lines:
        if out and _VALUE.match(line) and not _value_runs(out[-1]) and _DIGIT.search(out[-1]):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _twin_labels(
    lines: list[str], twins: list[int], names_product: Callable[[str], bool]
) -> list[str]:
    # the products of each twin: its own leading words ("Fronius IG 15 - 60"), with the
    # list's other lines opening with the same word ("Fronius IG Plus 35 - 150 V4.22.00");
    # or the line right after (or before) each twin, the same side for all
    def label(line: str) -> str:
        found = _LABEL.match(line)
        return found.group().strip() if found else ""

    if all(names_product(label(lines[n])) for n in twins):
        first = lines[twins[0]].split()[0]

        def listed(n: int) -> bool:
            return 0 <= n < len(lines) and lines[n].split()[0] == first and bool(label(lines[n]))

        start, end = twins[0], twins[-1]
        while listed(start - 1):
            start -= 1
        while listed(end + 1):
            end += 1
        return [label(lines[n]) for n in range(start, end + 1) if listed(n)]
    for step in (1, -1):
        beside = [n + step for n in twins]
        if all(0 <= b < len(lines) and b not in twins and names_product(lines[b]) for b in beside):
            return [lines[b] for b in beside]
    return []
