"""Chunks stay inside one section and one page; table rows carry their header."""

from pathlib import Path

from nikdesk.ingest.chunking import MAX_CHARS, chunk_document
from nikdesk.ingest.types import Block, BlockKind, ParsedDocument


def doc(*blocks: Block) -> ParsedDocument:
    return ParsedDocument(Path("x.pdf"), "X", "de", 3, tuple(blocks))


def test_section_and_page_boundaries_split_chunks() -> None:
    chunks = chunk_document(
        doc(
            Block(1, BlockKind.HEADING, "1 Montage", "1 Montage"),
            Block(1, BlockKind.TEXT, "Wandabstand 300 mm.", "1 Montage"),
            Block(2, BlockKind.TEXT, "Montagehöhe 1,5 m.", "1 Montage"),
            Block(2, BlockKind.HEADING, "2 Anschluss", "2 Anschluss"),
            Block(2, BlockKind.TEXT, "Querschnitt 6 mm².", "2 Anschluss"),
        )
    )
    assert [(c.page_start, c.page_end, c.section) for c in chunks] == [
        (1, 1, "1 Montage"),
        (2, 2, "1 Montage"),
        (2, 2, "2 Anschluss"),
    ]
    assert chunks[0].text.startswith("1 Montage\nWandabstand")


def test_heading_at_page_foot_moves_with_its_text() -> None:
    chunks = chunk_document(
        doc(
            Block(1, BlockKind.HEADING, "3 Fehler", "3 Fehler"),
            Block(2, BlockKind.TEXT, "E050 Isolationsfehler", "3 Fehler"),
        )
    )
    assert [(c.page_start, c.text) for c in chunks] == [(2, "3 Fehler\nE050 Isolationsfehler")]


def test_table_rows_are_grouped_with_their_header() -> None:
    rows = [
        Block(1, BlockKind.TABLE_ROW, f"E0{n:02d} | Fehler {n}", "Fehler", table_id=1)
        for n in range(10)
    ]
    chunks = chunk_document(
        doc(Block(1, BlockKind.TABLE_HEADER, "Code | Bedeutung", "Fehler", 1), *rows)
    )
    assert len(chunks) >= 2 and all(c.kind == "table" for c in chunks)
    assert all(c.text.startswith("Code | Bedeutung\n") for c in chunks)
    assert sum(c.text.count("E0") for c in chunks) == 10


def test_long_paragraphs_are_split() -> None:
    text = "Ein Satz über die Montage. " * 200
    chunks = chunk_document(doc(Block(1, BlockKind.TEXT, text, "S")))
    assert len(chunks) > 1 and all(len(c.text) <= MAX_CHARS for c in chunks)


def test_footnotes_under_a_table_stay_with_its_last_rows() -> None:
    rows = [
        Block(6, BlockKind.TABLE_ROW, f"0x0FF{n} | Wert {n} (1) | 0.01 %", "Register", table_id=1)
        for n in range(3)
    ]
    note = "Note 1: only available on BMV-702 and BMV-712"
    chunks = chunk_document(
        doc(
            Block(6, BlockKind.TABLE_HEADER, "ID | Description | Unit", "Register", 1),
            *rows,
            Block(6, BlockKind.TEXT, note, "Register"),
            Block(6, BlockKind.TEXT, "Note 2: read-only", "Register"),
            Block(6, BlockKind.TEXT, "Die Werte werden alle 2 s aktualisiert.", "Register"),
            Block(7, BlockKind.TEXT, "Note 2: nächste Seite", "Register"),
        )
    )
    assert [c.kind for c in chunks] == ["table", "text", "text"]
    assert chunks[0].text.endswith(f"0.01 %\n{note}\nNote 2: read-only")
    assert chunks[1].text == "Die Werte werden alle 2 s aktualisiert."
    assert chunks[2].page_start == 7  # a note on another page is no footnote of the table


def test_a_numbered_step_or_the_next_tables_lead_in_is_no_footnote() -> None:
    row = Block(3, BlockKind.TABLE_ROW, "Off | 0", "Status", table_id=1)
    chunks = chunk_document(
        doc(
            Block(3, BlockKind.TABLE_HEADER, "State | Value", "Status", 1),
            row,
            Block(3, BlockKind.TEXT, "(1) Wechselrichter ausschalten.", "Status"),
            Block(3, BlockKind.TEXT, "(2) ERR The error code of the device, see below.", "Status"),
        )
    )
    assert [c.kind for c in chunks] == ["table", "text"]
    assert chunks[0].text == "State | Value\nOff | 0"
