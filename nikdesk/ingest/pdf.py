"""Parse a PDF manual into page-exact blocks: headings, paragraphs and table rows."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from nikdesk.errors import BadDocument
from nikdesk.ingest.text import clean_inline, detect_language, join_lines, vocabulary_of
from nikdesk.ingest.types import Block, BlockKind, ParsedDocument

Box = tuple[float, float, float, float]

# Running headers/footers sit within this share of the page height; measured on the corpus,
# some footers (GoodWe, AlphaESS) start 11 % above the bottom edge.
MARGIN_SHARE = 0.12
REPEAT_SHARE = 0.5  # a margin line on at least half the pages is a running header/footer
MIN_PAGES_FOR_REPEATS = 4

_PAGE_NUMBER = re.compile(
    r"^(?:(?:seite|page|s\.|p\.|no\.)\s*)?\d{1,4}(?:\s*(?:/|von|of|de|total pages)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,3}\.?\s+\S")
_MULTILEVEL = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,3}\.?\s+[^\W\d]")
_SYMBOL_FONTS = ("wingdings", "webdings", "dingbats")
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
# Callout labels are bold and alone on a line but are not section titles.
_LABELS = frozenset(
    "hinweis note warnung warning achtung attention gefahr danger vorsicht caution info "
    "information tipp tip beispiel example wichtig important".split()
)
_GENERIC_TITLES = frozenset(
    {"untitled", "unbenannt", "document", "dokument", "manual", "handbuch", "user manual"}
)
# Lines like "Error: 202", "E07", "0x3A" or a bare register number: many of them on a page
# without ruling lines hint at a borderless error-code or register table.
_CODE_LINE = re.compile(
    r"^(?:(?:error|fehler|warning|warnung|fault|alarm|code)\s*[:#]?\s*\d{1,4}"
    r"|[EFWA]\s?\d{2,3}|0x[0-9a-f]{2,4}|\d{1,5})$",
    re.IGNORECASE,
)
MIN_RULES = 4  # drawn lines/rectangles a page needs before line-based table search pays off
MIN_CODE_LINES = 4
_OFFICE_PREFIX = re.compile(r"^(?:microsoft\s+\w+|word|excel|powerpoint)\s*-\s*", re.IGNORECASE)
_FILE_SUFFIX = re.compile(r"\.(?:docx?|xlsx?|pptx?|odt|pdf|indd)$", re.IGNORECASE)


@dataclass(frozen=True)
class _Line:
    """One text line of a page with the style cues used for headings."""

    text: str
    bbox: Box
    size: float
    bold: bool


@dataclass(frozen=True)
class _Page:
    """What the parser keeps of one PDF page after reading it once."""

    number: int
    height: float
    width: float
    paras: tuple[tuple[_Line, ...], ...]
    tables: tuple[_Table, ...]
    has_text: bool


def parse_pdf(path: Path) -> ParsedDocument:
    """Parse a PDF into blocks with 1-based physical page numbers and section titles."""
    path = Path(path)
    doc = _open(path)
    with doc:
        pages = [_read_page(page) for page in doc]
        toc = [(clean_inline(title), page) for _, title, page in doc.get_toc() if page >= 1]
        meta_title = (doc.metadata or {}).get("title") or ""
    if not any(p.has_text for p in pages):
        raise BadDocument(path, "no extractable text: scanned/image-only PDF — run OCR first")
    repeated = _repeated_margin_keys(pages)
    kept = [_strip_margins(page, repeated) for page in pages]
    vocab = vocabulary_of(line.text for page in kept for para in page.paras for line in para)
    blocks = list(_Assembler(kept, toc, vocab).blocks())
    text = " ".join(b.text for b in blocks if b.kind is BlockKind.TEXT)[:60_000]
    return ParsedDocument(
        path=path,
        title=_title(meta_title, pages[0], path),
        language=detect_language(text),
        page_count=len(pages),
        blocks=tuple(blocks),
        empty_pages=tuple(p.number for p in pages if not p.has_text),
    )


def _open(path: Path) -> pymupdf.Document:
    """Open a PDF or raise BadDocument saying why it cannot be indexed."""
    if not path.is_file():
        raise BadDocument(path, "file not found")
    size = path.stat().st_size
    if size == 0:
        raise BadDocument(path, "zero-byte file")
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise BadDocument(path, "not a PDF or corrupt: no %PDF header")
    if b"%%EOF" not in tail:
        # MuPDF would silently "repair" a cut-off file and lose pages without telling anyone.
        raise BadDocument(path, "not a PDF or corrupt: truncated (no %%EOF at the end)")
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except (RuntimeError, ValueError) as exc:  # pymupdf.FileDataError is a RuntimeError
        raise BadDocument(path, f"not a PDF or corrupt: {exc}") from exc
    if doc.needs_pass:
        doc.close()
        raise BadDocument(path, "encrypted (password required)")
    if doc.page_count == 0:
        doc.close()
        raise BadDocument(path, "not a PDF or corrupt: no pages")
    return doc


def _read_page(page: pymupdf.Page) -> _Page:
    """Read lines (with font cues) and tables of a page in one go."""
    textpage = page.get_textpage(flags=pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES)
    paras: list[tuple[_Line, ...]] = []
    for block in page.get_text("dict", textpage=textpage)["blocks"]:
        lines = tuple(line for raw in block.get("lines", ()) if (line := _line(raw)) is not None)
        if lines:
            paras.append(lines)
    all_lines = [line for para in paras for line in para]
    tables: tuple[_Table, ...] = ()
    if all_lines:
        words = page.get_text("words", textpage=textpage)
        bold_boxes = [line.bbox for line in all_lines if line.bold]
        tables = _find_tables(page, words, [line.text for line in all_lines], bold_boxes)
    return _Page(
        number=page.number + 1,
        height=page.rect.height,
        width=page.rect.width,
        paras=tuple(paras),
        tables=tables,
        has_text=bool(all_lines),
    )


def _line(raw: dict) -> _Line | None:
    """Turn a pymupdf line dict into a _Line, mapping symbol-font bullets to "•"."""
    parts: list[str] = []
    sizes: Counter[float] = Counter()
    bold_chars = 0
    for span in raw["spans"]:
        text = span["text"]
        if any(f in span["font"].lower() for f in _SYMBOL_FONTS) and len(text.strip()) == 1:
            text = "•"  # Wingdings "Ÿ" is a bullet, not a letter
        parts.append(text)
        n = len(text.strip())
        sizes[round(span["size"] * 2) / 2] += n
        if span["flags"] & pymupdf.TEXT_FONT_BOLD or _BOLD_FONT.search(span["font"]):
            bold_chars += n
    text = "".join(parts)
    total = sum(sizes.values())
    if not text.strip() or total == 0:
        return None
    x0, y0, x1, y1 = raw["bbox"]
    size = sizes.most_common(1)[0][0]
    return _Line(text=text, bbox=(x0, y0, x1, y1), size=size, bold=bold_chars >= 0.6 * total)


def _margin_key(line: _Line, page: _Page) -> str | None:
    """Return the digit-free comparison key of a line in the top/bottom margin, else None."""
    centre = (line.bbox[1] + line.bbox[3]) / 2
    if MARGIN_SHARE * page.height < centre < (1 - MARGIN_SHARE) * page.height:
        return None
    return re.sub(r"\d+", "#", clean_inline(line.text).lower())


def _repeated_margin_keys(pages: Sequence[_Page]) -> frozenset[str]:
    """Find margin lines that repeat on most pages: running headers and footers."""
    if len(pages) < MIN_PAGES_FOR_REPEATS:
        return frozenset()
    counts: Counter[str] = Counter()
    for page in pages:
        keys = {_margin_key(line, page) for para in page.paras for line in para}
        counts.update(k for k in keys if k and any(c.isalpha() for c in k))
    return frozenset(k for k, n in counts.items() if n >= REPEAT_SHARE * len(pages))


def _strip_margins(page: _Page, repeated: frozenset[str]) -> _Page:
    """Drop running headers/footers, margin page numbers and text already inside tables."""
    paras = []
    for para in page.paras:
        kept = []
        for line in para:
            key = _margin_key(line, page)
            if key is not None and (key in repeated or _PAGE_NUMBER.match(clean_inline(line.text))):
                continue
            if any(_contains(t.bbox, line.bbox) for t in page.tables):
                continue
            kept.append(line)
        if kept:
            paras.append(tuple(kept))
    return _Page(page.number, page.height, page.width, tuple(paras), page.tables, page.has_text)


@dataclass(frozen=True)
class _Table:
    """A table found on a page, its cells already filled with normalised text."""

    bbox: Box
    rows: tuple[tuple[str, ...], ...]  # non-empty cells of each row; row 0 is the header
    columns: int  # grid columns as detected, to recognise a table continued on the next page
    header_bold: bool


def _find_tables(
    page: pymupdf.Page, words: list, line_texts: list[str], bold_boxes: list[Box]
) -> tuple[_Table, ...]:
    """Find the tables of a page cheaply enough for a whole corpus.

    pymupdf's default table search runs a layout model (~0.25 s a page); the ruling-line
    search alone is ~5x cheaper, so it runs on pages with drawn lines. The model runs only
    on pages without lines that look like a borderless code table.
    """
    rules = sum(
        1 for path in page.get_cdrawings() for item in path.get("items", ()) if item[0] in "lrequ"
    )
    if rules >= MIN_RULES:
        found, borderless = page.find_tables(use_layout=False).tables, False
    elif sum(bool(_CODE_LINE.match(t.strip())) for t in line_texts) >= MIN_CODE_LINES:
        found, borderless = page.find_tables().tables, True
    else:
        return ()
    tables = []
    for table in found:
        bbox: Box = tuple(table.bbox)  # type: ignore[assignment]
        inside = [w for w in words if _contains(bbox, w[:4])]
        grid = [[_cell_text(cell, inside) for cell in row.cells] for row in table.rows]
        if borderless:
            grid = _merge_wrapped_rows(grid, [row.bbox for row in table.rows], inside)
        keep_cols = [j for j in range(table.col_count) if any(j < len(r) and r[j] for r in grid)]
        rows = tuple(
            cells for r in grid if (cells := tuple(r[j] for j in keep_cols if j < len(r) and r[j]))
        )
        if len(rows) < 2 or len(keep_cols) < 2:
            continue  # a framed paragraph or a one-column list: its text stays TEXT
        first = tuple(table.rows[0].bbox)
        bold = any(_contains(first, b) for b in bold_boxes)  # type: ignore[arg-type]
        tables.append(_Table(bbox, rows, table.col_count, bold))
    return tuple(tables)


def _cell_text(cell: Sequence[float] | None, words: list) -> str:
    """Join the words whose centre lies in a cell, line by line, into one line of text."""
    if cell is None:
        return ""
    mine = sorted((w for w in words if _contains(cell, w[:4])), key=lambda w: (w[5], w[6], w[7]))
    lines: dict[tuple[int, int], list[str]] = {}
    for w in mine:
        lines.setdefault((w[5], w[6]), []).append(w[4])
    return clean_inline(join_lines([" ".join(ws) for ws in lines.values()]))


def _merge_wrapped_rows(grid: list[list[str]], boxes: list, words: list) -> list[list[str]]:
    """Merge the text lines of one borderless table row that the grid split into rows.

    Lines of one entry sit closer together than entries do, and only one of them carries
    the key cell (first column); neighbours with an empty key cell are merged into it.
    """
    extents = []
    for box in boxes:
        ys = [(w[1], w[3]) for w in words if _contains(box, w[:4])]
        extents.append((min(y[0] for y in ys), max(y[1] for y in ys)) if ys else None)
    heights = sorted(e[1] - e[0] for e in extents if e)
    if not heights:
        return grid
    tight = 0.5 * heights[len(heights) // 2]  # a gap below half a line height is line spacing
    merged: list[list[str]] = []
    last: tuple[float, float] | None = None
    for cells, ext in zip(grid, extents):
        if ext is None:
            continue
        joinable = merged and last is not None and ext[0] - last[1] < tight
        if joinable and (not cells[0] or not merged[-1][0]):
            merged[-1] = [" ".join(filter(None, pair)) for pair in zip(merged[-1], cells)]
        else:
            merged.append(list(cells))
        last = ext
    return merged


def _contains(outer: Sequence[float], inner: Sequence[float]) -> bool:
    """Tell whether the centre of box ``inner`` lies inside box ``outer``."""
    cx, cy = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] - 1 <= cx <= outer[2] + 1 and outer[1] - 1 <= cy <= outer[3] + 1


def _key(text: str) -> str:
    """Reduce a title to lower-case letters and digits for fuzzy comparison."""
    return re.sub(r"\W+", "", text.lower())


class _Assembler:
    """Walk pages in reading order and emit blocks with their current section."""

    def __init__(self, pages: Sequence[_Page], toc: Sequence[tuple[str, int]], vocab: frozenset[str]):
        self.pages = pages
        self.toc = [entry for entry in toc if _key(entry[0])]
        self.vocab = vocab
        self.section = ""
        self.body_size = _body_font_size(pages)
        self.table_count = 0
        self.open_table: tuple[int, int, _Table] | None = None  # (page, id, table) last seen

    def blocks(self) -> Iterator[Block]:
        """Yield all blocks of the document in reading order."""
        for page in self.pages:
            yield from self._page_blocks(page)

    def _page_blocks(self, page: _Page) -> Iterator[Block]:
        items: list[tuple[Box, object]] = [(_union(p), p) for p in page.paras]
        items += [(t.bbox, t) for t in page.tables]
        ordered = [item for _, item in _reading_order(items, page.width)]
        lines = [line for item in ordered if isinstance(item, tuple) for line in item]
        toc_here = [title for title, number in self.toc if number == page.number]
        found = _locate_titles(toc_here, lines) if self.toc else {}
        for title in toc_here:  # titles not printed on the page start at the page top
            if title not in found.values():
                self.section = title
        for item in ordered:
            if isinstance(item, _Table):
                yield from self._table_blocks(item, page.number)
                continue
            assert isinstance(item, tuple)
            self.open_table = None  # text after a table ends it
            yield from self._para_blocks(item, page.number, found)

    def _table_blocks(self, table: _Table, page: int) -> Iterator[Block]:
        """Emit header and rows; a table running on from the previous page keeps its id."""
        rows = list(table.rows)
        prev = self.open_table
        continued = (
            prev is not None
            and prev[0] == page - 1
            and prev[2].columns == table.columns
            and (rows[0] == prev[2].rows[0] or not table.header_bold)
        )
        if prev is not None and continued:
            table_id, header = prev[1], prev[2].rows[0]
        else:
            self.table_count += 1
            table_id, header = self.table_count, rows[0]
        self.open_table = (page, table_id, table if not continued or prev is None else prev[2])
        for i, cells in enumerate(rows):
            kind = BlockKind.TABLE_HEADER if i == 0 and cells == header else BlockKind.TABLE_ROW
            text = " | ".join(cells)
            yield Block(page=page, kind=kind, text=text, section=self.section, table_id=table_id)

    def _para_blocks(self, para: tuple[_Line, ...], page: int, found: dict[int, str]) -> Iterator[Block]:
        text: list[str] = []
        heading: list[str] = []
        for line in para:
            title = found.get(id(line))
            is_head = title is not None or (not self.toc and self._looks_like_heading(line, para))
            if is_head and text:
                yield from self._text_block(text, page)
                text = []
            if is_head:
                if title is None:
                    heading.append(line.text)
                elif title not in heading:
                    heading = [title]
            else:
                if heading:
                    yield self._heading_block(heading, page)
                    heading = []
                text.append(line.text)
        if heading:
            yield self._heading_block(heading, page)
        yield from self._text_block(text, page)

    def _heading_block(self, lines: list[str], page: int) -> Block:
        self.section = clean_inline(" ".join(lines))
        return Block(page=page, kind=BlockKind.HEADING, text=self.section, section=self.section)

    def _text_block(self, lines: list[str], page: int) -> Iterator[Block]:
        text = join_lines(lines, self.vocab)
        if any(c.isalnum() for c in text):
            yield Block(page=page, kind=BlockKind.TEXT, text=text, section=self.section)

    def _looks_like_heading(self, line: _Line, para: tuple[_Line, ...]) -> bool:
        """Tell a layout heading: larger font, or a bold/numbered short line on its own."""
        text = clean_inline(line.text)
        words = text.split()
        if not 3 <= len(text) <= 100 or len(words) > 12 or not any(c.isalpha() for c in text):
            return False
        if text[-1] in ".,;:" or _PAGE_NUMBER.match(text):
            return False
        if line.size >= self.body_size * 1.2 and line.size - self.body_size >= 1.5:
            return True
        if len(para) > 3 or line.size < self.body_size * 0.95:
            return False
        if line.bold:
            return text.lower() not in _LABELS and (len(words) > 1 or _NUMBERED.match(text) is not None)
        return _MULTILEVEL.match(text) is not None and len(para) == 1


def _locate_titles(titles: Sequence[str], lines: Sequence[_Line]) -> dict[int, str]:
    """Map outline titles to the line (by id) where they are printed, in outline order."""
    found: dict[int, str] = {}
    start = 0
    for title in titles:
        want = _key(title)
        bare = _key(re.sub(r"^[\d.\s]+", "", title))
        for i in range(start, len(lines)):
            here = _key(lines[i].text)
            two = here + (_key(lines[i + 1].text) if i + 1 < len(lines) else "")
            if here in (want, bare) or (len(want) >= 8 and here.startswith(want)):
                found[id(lines[i])] = title
            elif two in (want, bare) and here:
                found[id(lines[i])] = found[id(lines[i + 1])] = title
            else:
                continue
            start = i + 1
            break
    return found


def _body_font_size(pages: Sequence[_Page]) -> float:
    """Return the font size that most characters of the document use."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for para in page.paras:
            for line in para:
                sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _union(lines: Sequence[_Line]) -> Box:
    return (
        min(line.bbox[0] for line in lines),
        min(line.bbox[1] for line in lines),
        max(line.bbox[2] for line in lines),
        max(line.bbox[3] for line in lines),
    )


def _reading_order(items: list[tuple[Box, object]], width: float) -> list[tuple[Box, object]]:
    """Sort page items top to bottom, reading a two-column layout column by column."""
    by_y = sorted(items, key=lambda it: (round(it[0][1]), it[0][0]))
    mid = width / 2
    left = [it for it in by_y if it[0][2] <= mid + 5]
    right = [it for it in by_y if it[0][0] >= mid - 5]
    spanning = [it for it in by_y if it not in left and it not in right]
    if len(left) < 2 or len(right) < 2 or len(spanning) > 0.2 * len(items):
        return by_y
    out: list[tuple[Box, object]] = []
    top = float("-inf")
    for cut in [*spanning, None]:  # full-width items split the page into bands
        bottom = cut[0][1] if cut else float("inf")
        band = [it for it in left if top <= it[0][1] < bottom]
        band += [it for it in right if top <= it[0][1] < bottom]
        out.extend(band)
        if cut:
            out.append(cut)
            top = cut[0][1]
    return out


def _title(meta_title: str, first: _Page, path: Path) -> str:
    """Choose the document title: metadata, else largest text on page 1, else file name."""
    title = _FILE_SUFFIX.sub("", _OFFICE_PREFIX.sub("", clean_inline(meta_title))).strip()
    letters = [c for c in title if c.isalpha()]
    latin = [c for c in letters if c.isascii() or "À" <= c <= "ž"]
    if len(letters) >= 3 and len(latin) >= 0.5 * len(letters) and title.lower() not in _GENERIC_TITLES:
        return title
    lines = [line for para in first.paras for line in para if any(c.isalpha() for c in line.text)]
    if lines:
        biggest = max(line.size for line in lines)
        top = [clean_inline(line.text) for line in lines if line.size >= biggest - 0.5][:3]
        candidate = " ".join(top)
        if 3 <= len(candidate) <= 150:
            return candidate
    return path.stem.replace("_", " ")
