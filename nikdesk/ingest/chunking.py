"""Cut parsed documents into chunks that stay inside one section and a small page range."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from nikdesk.ingest.types import Block, BlockKind, ParsedDocument

CHUNKER_VERSION = 4  # bump when chunk boundaries change: forces re-embedding on rebuild

TARGET_CHARS = 900  # ~220 e5 tokens: small enough to be specific, large enough for context
MAX_CHARS = 1400
TABLE_MAX_CHARS = 700
TABLE_MAX_ROWS = 6
FOOTNOTE_MAX_CHARS = 300
# "Note 1: only available on BMV-702 and BMV-712": the numbered notes under a table qualify its
# rows; alone they would be a passage that answers nothing. Only the explicit "Note N:" form:
# "(1) …" also starts numbered steps and the lead-in of the next table.
_FOOTNOTE = re.compile(r"^\s*(?:notes?|anmerkung|hinweis|fu(?:ss|ß)note)\s*\d+\s*:", re.I)


def is_footnote(text: str) -> bool:
    """Tell whether ``text`` is a short numbered note ("Note 1: only available on …")."""
    return len(text) <= FOOTNOTE_MAX_CHARS and bool(_FOOTNOTE.match(text))


_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n+")


@dataclass(frozen=True)
class DraftChunk:
    """A chunk before it gets an id in the bundle."""

    page_start: int
    page_end: int
    section: str
    kind: str  # "text" | "table"
    text: str


def chunk_document(doc: ParsedDocument) -> list[DraftChunk]:
    """Return the document's chunks in reading order."""
    chunks: list[DraftChunk] = []
    text_buf: list[Block] = []
    table_buf: list[Block] = []
    table_header: Block | None = None

    def flush_text() -> None:
        # a buffer of headings only is dropped: the chunks that follow carry the section name
        if any(b.kind is not BlockKind.HEADING for b in text_buf):
            chunks.append(_draft(text_buf, "text"))
        text_buf.clear()

    def flush_table() -> None:
        if table_buf:
            rows = ([table_header] if table_header else []) + table_buf
            chunks.append(_draft(rows, "table", pages_from=table_buf))
            table_buf.clear()

    for block in _split_long(doc.blocks):
        if block.kind in (BlockKind.TABLE_HEADER, BlockKind.TABLE_ROW):
            flush_text()
            if table_header is not None and block.table_id != table_header.table_id:
                table_header = None  # a table without a header row: not the last one's
            if block.kind is BlockKind.TABLE_HEADER or (
                table_buf and block.table_id != table_buf[-1].table_id
            ):
                flush_table()
                table_header = block if block.kind is BlockKind.TABLE_HEADER else None
                if block.kind is BlockKind.TABLE_HEADER:
                    continue
            if table_buf and (
                block.page != table_buf[-1].page
                or len(table_buf) >= TABLE_MAX_ROWS
                or _size(table_buf) + len(block.text) > TABLE_MAX_CHARS
            ):
                flush_table()
            table_buf.append(block)
            continue

        flush_table()
        if _is_note(block, chunks, text_buf):
            chunks[-1] = replace(chunks[-1], text=f"{chunks[-1].text}\n{block.text}")
            continue
        if text_buf and _breaks(text_buf, block):
            flush_text()
        text_buf.append(block)
    flush_table()
    flush_text()
    return chunks


def _is_note(block: Block, chunks: list[DraftChunk], text_buf: list[Block]) -> bool:
    """Tell whether ``block`` is a footnote right under the table chunk just emitted."""
    return (
        not text_buf
        and bool(chunks)
        and chunks[-1].kind == "table"
        and block.kind is BlockKind.TEXT
        and chunks[-1].page_end == block.page
        and block.section == chunks[-1].section
        and len(chunks[-1].text) <= TABLE_MAX_CHARS + 2 * FOOTNOTE_MAX_CHARS
        and is_footnote(block.text)
    )


def _split_long(blocks: tuple[Block, ...]) -> list[Block]:
    """Split over-long text blocks at sentence or line ends so no chunk exceeds MAX_CHARS."""
    out: list[Block] = []
    for block in blocks:
        if block.kind is not BlockKind.TEXT or len(block.text) <= MAX_CHARS:
            out.append(block)
            continue
        piece = ""
        for part in _SENTENCE_END.split(block.text):
            if piece and len(piece) + len(part) > TARGET_CHARS:
                out.append(replace(block, text=piece.strip()))
                piece = ""
            while len(part) > MAX_CHARS:  # no sentence end at all: hard cut
                out.append(replace(block, text=part[:TARGET_CHARS]))
                part = part[TARGET_CHARS:]
            piece += part + " "
        if piece.strip():
            out.append(replace(block, text=piece.strip()))
    return out


def _breaks(buf: list[Block], block: Block) -> bool:
    """Tell whether ``block`` must start a new chunk after ``buf``."""
    if block.section != buf[-1].section or block.kind is BlockKind.HEADING:
        return True
    size = _size(buf)
    if block.page != buf[-1].page and any(b.kind is not BlockKind.HEADING for b in buf):
        return True  # a citation names one page: only a heading may carry over to the next
    return size >= TARGET_CHARS or size + len(block.text) > MAX_CHARS


def _size(blocks: list[Block]) -> int:
    return sum(len(b.text) + 1 for b in blocks)


def _draft(blocks: list[Block], kind: str, pages_from: list[Block] | None = None) -> DraftChunk:
    content = [b for b in blocks if b.kind is not BlockKind.HEADING] or blocks
    paged = pages_from or content  # a heading left at the foot of a page is not the citation
    section = content[-1].section or blocks[0].section
    return DraftChunk(
        page_start=min(b.page for b in paged),
        page_end=max(b.page for b in paged),
        section=section,
        kind=kind,
        text="\n".join(b.text for b in blocks).strip(),
    )
