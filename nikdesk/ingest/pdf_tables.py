"""Find tables on PDF pages cheaply and rebuild their cells from the page's words."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pymupdf

from nikdesk.ingest.text import clean_inline, join_lines

Box = tuple[float, float, float, float]

MIN_RULES = 4  # drawn lines/rectangles a page needs before the ruling-line table search
MINCODE_LINES = 4  # code-like lines a page without rules needs before the layout model runs

# "Error: 202", "E07", "0x3A", a bare register number: many of these on a page without
# ruling lines hint at a borderless error-code or register table.
CODE_LINE = re.compile(
    r"^(?:(?:error|fehler|warning|warnung|fault|alarm|code)\s*[:#]?\s*\d{1,4}"
    r"|[EFWA]\s?\d{2,3}|0x[0-9a-f]{2,4}|\d{1,5})$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Line:
    """One text line of a page with the style cues used for headings."""

    text: str
    bbox: Box
    size: float
    bold: bool


@dataclass(frozen=True)
class Table:
    """A table found on a page, its cells already filled with normalised text."""

    bbox: Box
    rows: tuple[tuple[str, ...], ...]  # non-empty cells of each row; row 0 is the header
    columns: int  # non-empty columns, to recognise a table continued on the next page
    header_bold: bool
    headed: bool = True  # row 0 names the columns; a list read from aligned lines has none


def find_tables(page: pymupdf.Page, words: list, lines: Sequence[Line]) -> tuple[Table, ...]:
    """Find the tables of a page cheaply enough for a whole corpus.

    pymupdf's default search runs a layout model first (~0.25 s a page); the ruling-line
    search alone is ~5x cheaper, so it runs on pages with drawn lines. The model runs only
    on pages that look like a code or register table (many code-like lines) where the
    line search found no table: borderless tables, and tables drawn as shaded row stripes.
    """
    drawings = page.get_cdrawings()
    rules = sum(1 for d in drawings for item in d.get("items", ()) if item[0] in ("l", "re", "qu"))
    code_like = sum(bool(CODE_LINE.match(line.text.strip())) for line in lines) >= MINCODE_LINES
    if rules >= MIN_RULES:
        ruled = page.find_tables(use_layout=False).tables
        tables = _tables(ruled, False, words, lines)
        stripes = sum(t.row_count == 1 for t in ruled) >= MINCODE_LINES
        if tables or not (code_like and stripes):
            return tables
        # Zebra shading draws one rectangle per row, so the line search finds only "tables"
        # of one row each; the code table would stay flat text unless the layout model runs.
    elif not code_like:
        return ()
    return _tables(page.find_tables().tables, True, words, lines)


def _tables(
    found: Sequence, borderless: bool, words: list, lines: Sequence[Line]
) -> tuple[Table, ...]:
    """Fill the cells of pymupdf's tables from the words; keep those that hold data rows."""
    tables = []
    for table in found:
        inside = [w for w in words if contains(table.bbox, w[:4])]
        grid = [[_cell_text(cell, inside) for cell in row.cells] for row in table.rows]
        if borderless:
            grid = _merge_wrapped_rows(grid, [row.bbox for row in table.rows], inside)
        grid = _merge_continuations(grid)
        cols = [j for j in range(table.col_count) if any(j < len(r) and r[j] for r in grid)]
        rows = tuple(
            cells for r in grid if (cells := tuple(r[j] for j in cols if j < len(r) and r[j]))
        )
        data = sum(len(r) >= 2 or bool(CODE_LINE.match(r[0])) for r in rows)
        if len(cols) < 2 or data < max(2, len(rows) / 2):
            continue  # a framed page or paragraph, a list, a wiring diagram: stays TEXT
        in_first = [line.bold for line in lines if contains(table.rows[0].bbox, line.bbox)]
        bold = sum(in_first) > 0.5 * len(in_first)
        tables.append(Table(tuple(table.bbox), rows, len(cols), bold))
    return tuple(tables)


def _cell_text(cell: Sequence[float] | None, words: list) -> str:
    """Join the words whose centre lies in a cell, line by line, into one line of text.

    Words, not pymupdf's own cell text: that glues words together in PDFs without
    space characters ("Noerror") and scrambles "0.1VA" into "01VA\n.".
    """
    if cell is None:
        return ""
    lines: dict[tuple[int, int], list[str]] = {}
    for w in sorted((w for w in words if contains(cell, w[:4])), key=lambda w: w[5:8]):
        lines.setdefault((w[5], w[6]), []).append(w[4])
    return clean_inline(join_lines([" ".join(ws) for ws in lines.values()]))


def _merge_continuations(grid: list[list[str]]) -> list[list[str]]:
    """Append a row holding one wrapped cell (not the key column) to the row above it."""
    out: list[list[str]] = []
    for row in grid:
        filled = [j for j, cell in enumerate(row) if cell]
        if out and len(filled) == 1 and 0 < filled[0] < len(out[-1]):
            j = filled[0]
            out[-1][j] = f"{out[-1][j]} {row[j]}".strip()
        else:
            out.append(list(row))
    return out


def _merge_wrapped_rows(grid: list[list[str]], boxes: list, words: list) -> list[list[str]]:
    """Merge the text lines of one borderless table row that the grid split into rows.

    Lines of one entry sit closer together than entries do, and only one of them carries
    the key cell (first column); tight neighbours with an empty key cell join it.
    """
    extents: list[tuple[float, float] | None] = []
    for box in boxes:
        ys = [(w[1], w[3]) for w in words if contains(box, w[:4])]
        extents.append((min(y[0] for y in ys), max(y[1] for y in ys)) if ys else None)
    heights = sorted(e[1] - e[0] for e in extents if e)
    if not heights:
        return grid
    tight = 0.5 * heights[len(heights) // 2]  # a gap under half a line height is line spacing
    merged: list[list[str]] = []
    last_bottom = float("-inf")
    for cells, ext in zip(grid, extents, strict=True):
        if ext is None:
            continue
        if merged and ext[0] - last_bottom < tight and (not cells[0] or not merged[-1][0]):
            pairs = zip(merged[-1], cells, strict=False)
            merged[-1] = [" ".join(filter(None, pair)) for pair in pairs]
        else:
            merged.append(list(cells))
        last_bottom = ext[1]
    return merged


def contains(outer: Sequence[float], inner: Sequence[float]) -> bool:
    """Tell whether the centre of box ``inner`` lies inside box ``outer``."""
    cx, cy = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] - 1 <= cx <= outer[2] + 1 and outer[1] - 1 <= cy <= outer[3] + 1


MIN_ALIGNED_ROWS = 3  # rows of one-line cells side by side before they read as a table
MAX_CELL_CHARS = 40  # a cell of such a list is a name or a value, not a line of prose
MIN_COLUMN_GAP = 6.0  # points between two cells of one row
_BULLETS = frozenset("•◆▪■●○-–*")


def aligned_rows(
    paras: Sequence[tuple[Line, ...]], tables: Sequence[Table]
) -> tuple[tuple[tuple[Line, ...], ...], tuple[Table, ...]]:
    """Read one-line text blocks standing side by side, row under row, as a table.

    A borderless list drawn without a grid ("MIC 750TL-X" … "10A/230V", each cell its own
    text block) has no rules for the table search to find; sorted by height, its cells
    interleave ("MIC 750TL-X / 10A/230V / 10A/230V / MIC 1000TL-X"). Three or more rows of
    the same number of short cells in the same columns, each row holding a number, are a
    table: "MIC 750TL-X | 10A/230V". Returns the paragraphs left and the tables found.
    """
    singles = [
        p[0]
        for p in paras
        if len(p) == 1
        and 0 < len(p[0].text.strip()) <= MAX_CELL_CHARS
        and not any(contains(t.bbox, p[0].bbox) for t in tables)
    ]
    bands: list[list[Line]] = []
    for line in sorted(singles, key=lambda ln: (ln.bbox[1] + ln.bbox[3]) / 2):
        centre = (line.bbox[1] + line.bbox[3]) / 2
        if bands and bands[-1][0].bbox[1] <= centre <= bands[-1][0].bbox[3]:
            bands[-1].append(line)
        else:
            bands.append([line])
    rows = [sorted(band, key=lambda ln: ln.bbox[0]) for band in bands]
    used: set[int] = set()
    found: list[Table] = []
    run: list[list[Line]] = []
    single_ids = {id(line) for line in singles}
    others = [p for p in paras if len(p) > 1 or id(p[0]) not in single_ids]
    for row in [*rows, []]:
        if run and _continues(run, row, others):
            run.append(row)
            continue
        if _is_table(run):
            found.append(_aligned_table(run))
            used |= {id(line) for r in run for line in r}
        run = [row] if _cells_apart(row) else []
    if not found:
        return tuple(paras), tuple(tables)
    kept = tuple(p for p in paras if not (len(p) == 1 and id(p[0]) in used))
    return kept, (*tables, *found)


def _cells_apart(row: list[Line]) -> bool:
    # two or more cells, none running into the next
    return len(row) >= 2 and all(
        b.bbox[0] - a.bbox[2] >= MIN_COLUMN_GAP for a, b in itertools.pairwise(row)
    )


def _continues(run: list[list[Line]], row: list[Line], others: Sequence[tuple[Line, ...]]) -> bool:
    """Tell whether ``row`` is the next row of the list ``run``: same columns, close under it."""
    last = run[-1]
    if len(row) != len(last) or not _cells_apart(row):
        return False
    height = max(ln.bbox[3] - ln.bbox[1] for ln in last)
    top = min(ln.bbox[1] for ln in row)
    bottom = max(ln.bbox[3] for ln in last)
    if top - bottom > 1.5 * height:
        return False  # a gap: another list, or a paragraph between them
    for a, b in zip(run[0], row, strict=True):  # each cell under its column's first cell
        if b.bbox[0] > a.bbox[2] or b.bbox[2] < a.bbox[0]:
            return False
    left, right = min(ln.bbox[0] for ln in row), max(ln.bbox[2] for ln in row)
    # no other text between the rows or beside them
    return not any(
        p.bbox[1] < max(ln.bbox[3] for ln in row)
        and p.bbox[3] > bottom
        and p.bbox[0] < right
        and p.bbox[2] > left
        for para in others
        for p in para
    )


def _is_table(run: list[list[Line]]) -> bool:
    # every row holds a number ("MIC 750TL-X" beside "10A/230V"); not a list numbered down its
    # first column (steps "1" beside "Connect to Fronius Datamanager", the pins of a
    # connector drawing: a row of the drawing's own labels breaks such a list) nor bullets
    # standing side by side
    return (
        len(run) >= MIN_ALIGNED_ROWS
        and all(any(re.search(r"\d", ln.text) for ln in row) for row in run)
        and not all(row[0].text.strip().rstrip(".").isdigit() for row in run)
        and not any(ln.text.lstrip()[:1] in _BULLETS for row in run for ln in row)
    )


def _aligned_table(run: list[list[Line]]) -> Table:
    lines = [ln for row in run for ln in row]
    bbox = (
        min(ln.bbox[0] for ln in lines),
        min(ln.bbox[1] for ln in lines),
        max(ln.bbox[2] for ln in lines),
        max(ln.bbox[3] for ln in lines),
    )
    rows = tuple(tuple(clean_inline(ln.text) for ln in row) for row in run)
    bold = all(ln.bold for ln in run[0]) and not all(ln.bold for ln in run[1])
    return Table(bbox, rows, len(run[0]), bold, headed=bold)
