"""Parse a PDF manual into page-exact blocks: headings, paragraphs and table rows."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path

import pymupdf

from nikdesk.core.errors import BadDocument
from nikdesk.ingest.pdf_tables import Box, Line, Table, aligned_rows, contains, find_tables
from nikdesk.ingest.text import (
    clean_inline,
    detect_language,
    join_lines,
    meaningful_title,
    vocabulary_of,
)
from nikdesk.ingest.types import Block, BlockKind, ParsedDocument

# Running headers/footers sit within this share of the page height; measured on the corpus,
# some footers (GoodWe, AlphaESS) start 11 % above the bottom edge.
MARGIN_SHARE = 0.12
REPEAT_SHARE = 0.5  # a margin line on at least half the pages is a running header/footer
MIN_PAGES_FOR_REPEATS = 4

_PAGE_NUMBER = re.compile(
    r"^(?:(?:seite|page|s\.|p\.|no\.)\s*)?\d{1,4}\s*"
    r"(?:(?:/|von|of|de|page|seite|total pages)\s*\d{0,4})?$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,3}\.?\s+\S")
_WORD = re.compile(r"[^\W\d_]{2}")  # two letters in a row
_MULTILEVEL = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,3}\.?\s+[^\W\d]")
_SYMBOL_FONTS = ("wingdings", "webdings", "dingbats")
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
# Callout labels are bold and alone on a line but are not section titles.
_LABELS = frozenset(
    {"hinweis", "note", "warnung", "warning", "achtung", "attention", "gefahr", "danger"}
    | {"vorsicht", "caution", "info", "information", "tipp", "tip", "beispiel", "example"}
)


_Item = Table | tuple[Line, ...]  # what a page is read as, in reading order


@dataclass(frozen=True)
class _Page:
    """What the parser keeps of one PDF page after reading it once."""

    number: int  # 1-based physical page
    width: float
    height: float
    paras: tuple[tuple[Line, ...], ...] = ()  # pymupdf text blocks
    tables: tuple[Table, ...] = ()
    has_text: bool = False


def parse_pdf(path: Path) -> ParsedDocument:
    """Parse a PDF into blocks with 1-based physical page numbers and section titles."""
    path = Path(path)
    with _open(path) as doc:
        pages = [_read_page(doc.load_page(i)) for i in range(doc.page_count)]
        toc = [(clean_inline(title), page) for _, title, page in doc.get_toc() if page >= 1]
        meta_title = (doc.metadata or {}).get("title") or ""
    if not any(p.has_text for p in pages):
        raise BadDocument(
            path, "no extractable text: scanned/image-only PDF — run OCR first", "scanned"
        )
    repeated = _repeated_margin_keys(pages)
    kept = [_strip_margins(page, repeated) for page in pages]
    vocab = vocabulary_of(line.text for page in kept for para in page.paras for line in para)
    blocks = tuple(_Assembler(kept, toc, vocab).blocks())
    return ParsedDocument(
        path=path,
        title=_title(meta_title, kept[0], path),
        language=detect_language(" ".join(b.text for b in blocks)[:100_000]),
        page_count=len(pages),
        blocks=blocks,
        empty_pages=tuple(p.number for p in pages if not p.has_text),
    )


def _open(path: Path) -> pymupdf.Document:
    """Open a PDF or raise BadDocument saying why it cannot be indexed."""
    if not path.is_file():
        raise BadDocument(path, "file not found", "missing")
    size = path.stat().st_size
    if size == 0:
        raise BadDocument(path, "zero-byte file", "empty")
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise BadDocument(path, "not a PDF or corrupt: no %PDF header")
    if b"%%EOF" not in tail:
        # MuPDF would quietly "repair" a cut-off file and lose its later pages.
        raise BadDocument(path, "not a PDF or corrupt: truncated (no %%EOF at the end)")
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except (RuntimeError, ValueError) as exc:  # pymupdf.FileDataError is a RuntimeError
        raise BadDocument(path, f"not a PDF or corrupt: {exc}") from exc
    if doc.needs_pass:
        doc.close()
        raise BadDocument(path, "encrypted (password required)", "encrypted")
    if doc.page_count == 0:
        doc.close()
        raise BadDocument(path, "not a PDF or corrupt: no pages")
    return doc


def _read_page(page: pymupdf.Page) -> _Page:
    """Read the lines (with font cues) and the tables of a page in one go."""
    empty = _Page(page.number + 1, page.rect.width, page.rect.height)
    try:
        textpage = page.get_textpage(flags=pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES)
        blocks = page.get_text("dict", textpage=textpage)["blocks"]
    except RuntimeError:  # a broken content stream spoils one page, not the manual
        return empty
    paras = [tuple(ln for raw in b.get("lines", ()) if (ln := _line(raw))) for b in blocks]
    paras = [para for para in paras if para]
    if not paras:
        return empty
    lines = [line for para in paras for line in para]
    tables = find_tables(page, page.get_text("words", textpage=textpage), lines)
    kept, tables = aligned_rows(paras, tables)
    return replace(empty, paras=kept, tables=tables, has_text=True)


def _line(raw: dict) -> Line | None:
    """Turn a pymupdf line dict into a Line, mapping symbol-font bullets to "•"."""
    parts: list[str] = []
    sizes: Counter[float] = Counter()
    bold_chars = 0
    for span in raw["spans"]:
        text = span["text"]
        if any(f in span["font"].lower() for f in _SYMBOL_FONTS) and len(text.strip()) == 1:
            text = "•"
        parts.append(text)
        n = len(text.strip())
        sizes[round(span["size"] * 2) / 2] += n
        if span["flags"] & pymupdf.TEXT_FONT_BOLD or _BOLD_FONT.search(span["font"]):
            bold_chars += n
    total = sum(sizes.values())
    if total == 0:
        return None
    size = sizes.most_common(1)[0][0]
    return Line("".join(parts), tuple(raw["bbox"]), size, bold_chars >= 0.6 * total)


def _margin_key(line: Line, page: _Page) -> str | None:
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

    def keep(line: Line) -> bool:
        key = _margin_key(line, page)
        if key is not None and (key in repeated or _PAGE_NUMBER.match(clean_inline(line.text))):
            return False
        return not any(contains(t.bbox, line.bbox) for t in page.tables)

    paras = (tuple(filter(keep, para)) for para in page.paras)
    return replace(page, paras=tuple(para for para in paras if para))


def _key(text: str) -> str:
    """Reduce a title to lower-case letters and digits for fuzzy comparison."""
    return re.sub(r"\W+", "", text.lower())


class _Assembler:
    """Walk pages in reading order and emit blocks with their current section."""

    def __init__(self, pages: Sequence[_Page], toc: list[tuple[str, int]], vocab: frozenset[str]):
        self.pages = pages
        self.toc = [entry for entry in toc if _key(entry[0])]
        self.toc_keys = {_key(title) for title, _ in self.toc}
        self.vocab = vocab
        self.section = ""
        self.body_size = _body_font_size(pages)
        self.table_count = 0
        self.open_table: tuple[int, int, Table] | None = None  # page, id, first part

    def blocks(self) -> Iterator[Block]:
        """Yield all blocks of the document in reading order."""
        for page in self.pages:
            yield from self._page_blocks(page)

    def _page_blocks(self, page: _Page) -> Iterator[Block]:
        """Yield the blocks of one page, placing outline titles where they are printed."""
        items: list[tuple[Box, _Item]] = [(_union(p), p) for p in page.paras]
        items += [(t.bbox, t) for t in page.tables]
        ordered = [item for _, item in _reading_order(items, page.width)]
        lines = [line for item in ordered if isinstance(item, tuple) for line in item]
        titles = [title for title, number in self.toc if number == page.number]
        found = _locate_titles(titles, lines)
        for title in titles:  # titles not found in the page text start at the page top
            if title not in found.values():
                self.section = title
        for item in ordered:
            if isinstance(item, Table):
                yield from self._table_blocks(item, page.number)
                continue
            # a chapter title repeated in the page margin is a running header
            para = [
                ln
                for ln in item
                if id(ln) in found
                or _margin_key(ln, page) is None
                or _key(ln.text) not in self.toc_keys
            ]
            if para:
                self.open_table = None  # text after a table ends it
                yield from self._para_blocks(para, page.number, found)

    def _table_blocks(self, table: Table, page: int) -> Iterator[Block]:
        """Emit header and rows; a table running on from the previous page keeps its id."""
        prev = self.open_table
        if (
            prev is not None
            and table.headed  # a list read from aligned cells continues nothing
            and prev[0] == page - 1
            and prev[2].columns == table.columns
            and (table.rows[0] == prev[2].rows[0] or not table.header_bold)
        ):
            table_id, first = prev[1], prev[2]
        else:
            self.table_count += 1
            table_id, first = self.table_count, table
        self.open_table = (page, table_id, first)
        for i, cells in enumerate(table.rows):
            header = i == 0 and table.headed and cells == first.rows[0]
            kind = BlockKind.TABLE_HEADER if header else BlockKind.TABLE_ROW
            text = " | ".join(cells)
            yield Block(page=page, kind=kind, text=text, section=self.section, table_id=table_id)

    def _para_blocks(self, para: list[Line], page: int, found: dict[int, str]) -> Iterator[Block]:
        """Split a paragraph into heading and text blocks."""
        if len(para) <= 3 and not any(id(ln) in found for ln in para):
            text = join_lines([ln.text for ln in para], self.vocab)  # "Applicable DAT-/COM"
            whole = Line(
                text, _union(para), min(ln.size for ln in para), all(ln.bold for ln in para)
            )
            if self._looks_like_heading(whole, 1):
                yield self._heading_block([text], page)
                return
        # per line: the outline title it prints, "" for a layout heading, None for text
        keys = [
            found.get(id(ln), "" if self._looks_like_heading(ln, len(para)) else None)
            for ln in para
        ]
        for i in range(len(para) - 1):  # a line continued in lower case is a sentence
            if keys[i] == "" and para[i + 1].text.lstrip()[:1].islower():
                keys[i] = None
        runs: list[tuple[str | None, list[Line]]] = []
        for key, group in groupby(zip(keys, para, strict=True), key=lambda kl: kl[0]):
            lines = [line for _, line in group]
            if key == "" and len(lines) > 3:
                key = None  # a bold or large paragraph is emphasis, not a title
            if runs and key is None and runs[-1][0] is None:
                runs[-1][1].extend(lines)
            else:
                runs.append((key, lines))
        for key, lines in runs:
            if key is None:
                yield from self._text_block([line.text for line in lines], page)
            else:  # an outline title keeps the outline's spelling, even when split over lines
                yield self._heading_block([key] if key else [line.text for line in lines], page)

    def _heading_block(self, lines: list[str], page: int) -> Block:
        """Start a new section with a heading block."""
        self.section = clean_inline(join_lines(lines, self.vocab))
        return Block(page=page, kind=BlockKind.HEADING, text=self.section, section=self.section)

    def _text_block(self, lines: list[str], page: int) -> Iterator[Block]:
        """Yield one paragraph as a TEXT block unless it holds no words."""
        text = join_lines(lines, self.vocab)
        if sum(c.isalnum() for c in text) >= 2:  # lone bullets and stray glyphs say nothing
            yield Block(page=page, kind=BlockKind.TEXT, text=text, section=self.section)

    def _looks_like_heading(self, line: Line, para_lines: int) -> bool:
        """Tell a layout heading: larger font, or a short bold or numbered line on its own."""
        text = clean_inline(line.text)
        words = text.split()
        if (
            not 3 <= len(text) <= 100
            or len(words) > 12
            or not text[0].isupper() | text[0].isdigit()
        ):
            return False
        if text[-1] in ".,;:" or _PAGE_NUMBER.match(text) or not _WORD.search(text):
            return False  # a heading has a word: "V3.01", "1.20 V3.18" are a table's cells
        bigger = line.size >= self.body_size * 1.2 and line.size - self.body_size >= 1.5
        numbered = _MULTILEVEL.match(text) is not None
        if self.toc:  # the outline names the chapters; add only numbered sub-headings
            return (bigger or line.bold) and numbered and para_lines <= 2
        if bigger:
            return True
        if para_lines > 3 or line.size < self.body_size * 0.95:
            return False
        if line.bold:
            return text.lower() not in _LABELS and (len(words) > 1 or bool(_NUMBERED.match(text)))
        return numbered and para_lines == 1


def _locate_titles(titles: Sequence[str], lines: Sequence[Line]) -> dict[int, str]:
    """Map outline titles to the lines (by id) where they are printed, in outline order.

    Where a title matches several lines (a running chapter header and the heading itself),
    the line in the largest font wins.
    """
    found: dict[int, str] = {}
    start = 0
    for title in titles:
        want, bare = _key(title), _key(re.sub(r"^[\d.\s]+", "", title))
        matches: list[tuple[float, int, int]] = []  # (-size, index, line count)
        for i in range(start, len(lines)):
            here = _key(lines[i].text)
            two = here + (_key(lines[i + 1].text) if i + 1 < len(lines) else "")
            if here in (want, bare) or (len(want) >= 8 and here.startswith(want)):
                matches.append((-lines[i].size, i, 1))
            elif here and two in (want, bare):
                matches.append((-lines[i].size, i, 2))
        if matches:
            _, i, count = min(matches)
            found.update((id(line), title) for line in lines[i : i + count])
            start = i + count
    return found


def _body_font_size(pages: Sequence[_Page]) -> float:
    """Return the font size that most characters outside tables use."""
    sizes: Counter[float] = Counter()
    for line in (line for page in pages for para in page.paras for line in para):
        sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _union(lines: Sequence[Line]) -> Box:
    """Return the bounding box of some lines."""
    boxes = [line.bbox for line in lines]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _reading_order(items: list[tuple[Box, _Item]], width: float) -> list[tuple[Box, _Item]]:
    """Sort page items top to bottom, reading a two-column layout column by column."""
    by_y = sorted(items, key=lambda it: (round(it[0][1]), it[0][0]))
    mid = width / 2
    left = [it for it in by_y if it[0][2] <= mid + 5]
    right = [it for it in by_y if it[0][0] >= mid - 5 and it not in left]
    spanning = [it for it in by_y if it not in left and it not in right]
    if len(left) < 2 or len(right) < 2 or len(spanning) > 0.2 * len(items):
        return by_y
    out: list[tuple[Box, _Item]] = []
    top = float("-inf")
    for cut in [*spanning, None]:  # full-width items split the page into bands
        bottom = cut[0][1] if cut else float("inf")
        out += [it for it in left if top <= it[0][1] < bottom]
        out += [it for it in right if top <= it[0][1] < bottom]
        if cut:
            out.append(cut)
            top = cut[0][1]
    return out


def _title(meta_title: str, first: _Page, path: Path) -> str:
    """Choose the document title: metadata, else largest text on page 1, else file name."""
    if title := meaningful_title(meta_title):
        return title
    lines = [line for para in first.paras for line in para if meaningful_title(line.text)]
    picked: list[Line] = []
    for size in sorted({line.size for line in lines}, reverse=True)[:2]:
        picked += [line for line in lines if line.size == size][:3]
        if meaningful_title(" ".join(line.text for line in picked)):
            break  # else a generic "HANDBUCH" on top needs the line below it
    picked.sort(key=lambda line: line.bbox[1])
    candidate = meaningful_title(" ".join(line.text for line in picked))
    return candidate if candidate and len(candidate) <= 150 else path.stem.replace("_", " ")
