"""A value a data sheet prints per model: "Einschaltspannung | 180 V | 250 V | 250 V | 250 V".

A data sheet or manual covering a series prints one column per model under a row naming them
("Typenbezeichnung | SH5.0RT | SH6.0RT | SH8.0RT | SH10RT", "S1256 | -8 | -13 | -18"). When
the row answering the question gives different values in those columns and the question
names none of the models, the answer depends on the model: Nik asks which one is meant
instead of quoting four values for one question ("Mit wieviel Ampere muss ich die NIBE S1256
absichern?" — 16 A for the -8, 25 A for the -13 and -18).
"""

from __future__ import annotations

import re

from nikdesk.core.text import fold

MAX_MODELS = 8  # a series' columns offered as options
# a model's name: letters and digits, one or two words ("SH5.0RT", "SBR096", "MIC 750TL-X",
# "BD6A20S10P", "S1256-8"), not a value with its unit ("750W", "65V-450V", "4 Module"): it
# starts with a letter ("750TL-X" is named by the series above it: "MIC 750TL-X")
_MODEL = re.compile(r"^[a-z](?=.*\d)[\w.+/-]*( [\w.+/-]+)?$", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[a-zäöüß]{4}")
# the question asks about every model of the series (folded text)
_ACROSS = re.compile(
    r"\b(variante\w*|modelle\w*|groessen|typen|baugroessen|leistungsklassen|jeweils"
    r"|variants?|models|sizes|versions|each model|all models)\b"
)
# an extreme over the series, unless the row's name carries it ("Max. Ausgangsstrom")
_EXTREME = re.compile(
    r"\b(max|maxim\w*|hoechst\w*|groesst\w*|min|minim\w*|mindest\w*|kleinst\w*|niedrigst\w*"
    r"|largest|biggest|smallest|highest|lowest|at most|at least|bis zu|up to)\b"
)
# a value with its unit, not a model's number under its series ("120V" under "MIC", not "750TL-X")
_VALUE = re.compile(r"^[<>≤~+-]?\d[\d.,]*\s*[a-z%°]{0,3}$", re.IGNORECASE)


def cells(row: str) -> list[str]:
    """Return the cells of a table row ("A | 16 | 25" -> ["A", "16", "25"])."""
    return [c.strip() for c in row.split(" | ")]


def _is_model(cell: str) -> bool:
    # a word in it is a register's or a field's name ("String7abnormal", "uint16"), not a model
    return bool(_MODEL.match(cell)) and not _WORD.search(cell)


def model_rows(text: str) -> list[tuple[int, list[str]]]:
    """Return the rows of ``text`` naming one model per column, with their line numbers.

    "Typenbezeichnung | SBR096 | SBR128 | …" names the models after its first cell;
    "BD6A20S10P | B1A24S15P | …" (the row under "Parameters | Product number") in every
    cell; "S1256 | -8 | -13 | -18" by the series and a suffix; "Spezifikationen | 750TL-X |
    …" under "Modell | MIC | MIC | …" by the series above it.
    """
    lines = text.splitlines()
    out: list[tuple[int, list[str]]] = []
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
            if len(models) >= 2 and all(map(_is_model, models)) and len(set(models)) == len(models):
                out.append((n, models))
                break
    return out


def row_values(row: str) -> list[str]:
    """Return the values of a data row, one per column: "Absicherung | A | 16 | 25 | 25"."""
    values = cells(row)[1:]
    while values and not _DIGIT.search(values[0]) and len(values[0]) <= 4:
        values = values[1:]  # the unit column ("A", "kW")
    return values


def columns(key: str, page: str) -> list[tuple[str, str]]:
    """Return (model, value) for each column of the table row ``key`` on ``page``.

    ``page``: the text of the page the row stands on (its model row may stand in an earlier
    chunk of the same table). Empty when the row has a value for all models at once ("Max.
    PV-Eingangsspannung | 1000 V") or no row above it names its columns' models.
    """
    if " | " not in key:
        return []
    values = row_values(key)
    if len(values) < 2 or not all(_DIGIT.search(v) for v in values):
        return []  # a value per model is a number ("180 V", "(1)"), not a field's name
    lines = page.splitlines()
    at = next((n for n, line in enumerate(lines) if line.strip() == key.strip()), len(lines))
    rows = [heads for n, heads in model_rows(page) if len(heads) == len(values) and n < at]
    return list(zip(rows[-1], values, strict=True)) if rows else []


def per_model(key: str, page: str, more: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Return (model, value) for the row ``key`` when the models differ in it, else nothing.

    ``more``: the texts of the pages before and after; a data sheet continued there (Growatt
    MIC 750-2000TL-X on p. 24, 2500-3300TL-X on p. 25) adds its models from the row with the
    same name ("Max. Ausgangsstrom | 11.9A | 14.3A | 14.3A").
    """
    pairs = columns(key, page)
    if not pairs:
        return []
    name = cells(key)[0]
    for other in more:
        if other in page:
            continue  # no such page: the hit's own text came back
        row = next((ln for ln in other.splitlines() if cells(ln)[0] == name), None)
        if row is not None and " | " in row:
            pairs += [p for p in columns(row, other) if p[0] not in dict(pairs)]
    values = {re.sub(r"\s+", "", v).casefold() for _, v in pairs}
    return pairs if len(values) >= 2 else []


def _squeezed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def names_model(question: str, models: list[str]) -> bool:
    """Tell whether ``question`` names one of ``models`` ("SH 10 RT", "MIC 3000", "S1256-13")."""
    asked = _squeezed(question)
    for model in models:
        name = _squeezed(model)
        short = re.sub(r"[a-z]+$", "", name)  # "sh10rt" -> "sh10", "mic3000tlx" -> "mic3000"
        if name in asked or (len(short) >= 3 and _DIGIT.search(short) and short in asked):
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


def asks_across(question: str, key: str) -> bool:
    """Tell whether ``question`` asks about the whole series, which the row answers as it is.

    "Welche Größen gibt es bei der SBR?", "wie schwer sind die Varianten?", "wie viel
    Energie speichert die SBR maximal?" (the largest model's). "max ausgangsstrom" asks
    the row "Max. Ausgangsstrom" of one model: the extreme is the row's own.
    """
    folded = fold(question)
    if _ACROSS.search(folded):
        return True
    return bool(_EXTREME.search(folded)) and not _EXTREME.search(fold(cells(key)[0]))


def model_options(
    question: str, key: str, page: str, more: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Return the models to ask for when the answer's key row differs by model.

    Empty when it does not, when the question names one of them or asks about them all.
    ``page`` and ``more``: see :func:`per_model`.
    """
    pairs = per_model(key, page, more)
    models = [m for m, _ in pairs]
    if not pairs or len(models) > MAX_MODELS or names_model(question, models):
        return ()
    if asks_across(question, key) or names_by_value(question, page):
        return ()
    return tuple(models)
