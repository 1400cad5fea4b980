"""Values produced by document parsers: pages of typed blocks with their section."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class BlockKind(StrEnum):
    """What a block of extracted text is; the chunker treats each kind differently."""

    HEADING = "heading"
    TEXT = "text"
    TABLE_HEADER = "table_header"  # header row of a table, repeated into every row chunk
    TABLE_ROW = "table_row"  # one table row, cells joined with " | "


@dataclass(frozen=True)
class Block:
    """A piece of text on one page, in reading order, inside one section."""

    page: int  # 1-based physical page number (what a PDF viewer shows as page N)
    kind: BlockKind
    text: str
    section: str = ""  # nearest section title ("" before the first heading)
    table_id: int | None = None  # blocks of the same table share an id within a document


@dataclass(frozen=True)
class ParsedDocument:
    """A whole source document, parsed but not yet chunked."""

    path: Path
    title: str
    language: str  # "de" | "en" (best guess)
    page_count: int  # physical pages (1 for Markdown)
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    empty_pages: tuple[int, ...] = ()  # pages with no extractable text (scans, images)

    @property
    def pages_with_text(self) -> int:
        """Count the pages that produced at least one block."""
        return len({b.page for b in self.blocks})
