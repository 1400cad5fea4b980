"""Finding a cited passage on a page: chunk text (normalised, cells joined) vs printed words."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nikdesk.agent.quote import quote
from nikdesk.ui.highlight import Rect, Word, find_highlight, fold, words_from
from tests.conftest import MANUALS

LINE = 11.0  # points per printed line in the synthetic pages below


def printed(*lines: tuple[float, float, str], block: int = 0) -> list[Word]:
    """Lay out lines of text as words: (x, y, text) each, 5 points per character."""
    words = []
    for n, (x, y, text) in enumerate(lines):
        for token in text.split(" "):
            if token:
                words.append(Word(Rect(x, y, x + 5 * len(token), y + 9), token, block, n))
            x += 5 * (len(token) + 1)
    return words


def covers(rects: list[Rect], word: Word) -> bool:
    r = word.rect
    return any(b.x0 <= r.x0 and r.x1 <= b.x1 and b.y0 <= r.y0 and r.y1 <= b.y1 for b in rects)


def texts_under(rects: list[Rect], words: list[Word]) -> list[str]:
    return [w.text for w in words if covers(rects, w)]


# A table row of the sample manual's error table; the printed page lists each cell's lines.
ROW_Y = 400.0
CELLS = [
    printed((60, ROW_Y, "E050"), block=1),
    printed((95, ROW_Y, "Isolationsfehler PV"), block=2),
    printed(
        (210, ROW_Y, "Isolationswiderstand < 1 MΩ"),
        (210, ROW_Y + LINE, "zwischen PV+ bzw. PV−"),
        (210, ROW_Y + 2 * LINE, "und PE"),
        block=3,
    ),
    printed(
        (345, ROW_Y, "Isolationswiderstand jedes"),
        (345, ROW_Y + LINE, "Strings einzeln prüfen."),
        block=4,
    ),
]
ABOVE = printed((60, 380, "E030"), (95, 380, "Fehlerstrom zu hoch; siehe E050."), block=0)
ROW = (
    "E050 | Isolationsfehler PV | Isolationswiderstand < 1 MΩ zwischen PV+ bzw. PV− und PE | "
    "Isolationswiderstand jedes Strings einzeln prüfen."
)


def test_table_row_with_cells_joined_by_pipes_is_found_cell_by_cell() -> None:
    words = ABOVE + [w for cell in CELLS for w in cell]
    rects = find_highlight(words, ROW)
    row_words = [w for cell in CELLS for w in cell]
    assert all(covers(rects, w) for w in row_words)
    assert not any(covers(rects, w) for w in ABOVE)  # "siehe E050" in the row above stays dark
    assert len(rects) == 7  # one rectangle per printed line of each cell


def test_table_row_read_line_by_line_across_cells_falls_back_to_fragments() -> None:
    """Some PDFs store a table row line by line across the cells, not cell by cell."""
    by_line = sorted((w for cell in CELLS for w in cell), key=lambda w: (w.rect.y0, w.rect.x0))
    words = ABOVE + by_line
    rects = find_highlight(words, ROW)
    assert all(covers(rects, w) for w in by_line)
    assert not any(covers(rects, w) for w in ABOVE)


def register_table(rows: list[tuple[str, ...]]) -> list[Word]:
    """Lay out a register table the way some PDFs store it: column after column."""
    words: list[Word] = []
    for col, x in enumerate((50, 120, 330, 380)):
        for n, row in enumerate(rows):
            words += printed((x, 100 + 1.5 * LINE * n, row[col]), block=10 * col + n)
    return words


def test_register_row_printed_column_by_column_is_matched_word_by_word() -> None:
    rows = [
        ("0x0100", "Grid voltage", "R", "[0,65535]"),
        ("0x0101", "Grid current", "R/W", "[0,65535]"),
        ("0x0102", "Grid frequency", "R", "[0,65535]"),
    ]
    rects = find_highlight(register_table(rows), "0x0101 | Grid current | R/W | [0,65535]")
    assert len(rects) == 4
    assert {r.y0 for r in rects} == {100 + 1.5 * LINE}  # the middle row, all four cells


def test_look_alike_row_without_its_register_is_not_highlighted() -> None:
    rows = [
        ("0x0104", "Battery charge current limit", "R/W", "[0,65535]"),
        ("0x0105", "Battery discharge power", "R", "[0,65535]"),
    ]
    words = register_table(rows)
    assert find_highlight(words, "0x0104 | Battery charge current limit | R/W | [0,65535]")
    assert find_highlight(words, "0x0101 | Battery charge current limit | R/W | [0,65535]") == []


def test_hyphenated_line_break_on_the_page_matches_the_joined_word() -> None:
    words = printed(
        (50, 100, "Den Widerstand mit einem Isolations-"),
        (50, 100 + LINE, "messgerät bei 1000 V DC prüfen."),
        (50, 100 + 2 * LINE, "Danach die Anlage wieder einschalten."),
    )
    rects = find_highlight(
        words, "Den Widerstand mit einem Isolationsmessgerät bei 1000 V DC prüfen."
    )
    assert len(rects) == 2
    assert texts_under(rects, words)[-1] == "prüfen."
    assert "Danach" not in texts_under(rects, words)


def test_ligatures_nbsp_soft_hyphens_and_runs_of_spaces_do_not_matter() -> None:
    words = printed(
        (50, 100, "Die De\u00adfinition der ﬁrmware-Datei"),
        (50, 100 + LINE, "ﬁnden Sie im Anhang."),
    )
    highlight = "Die  Definition der firmware-Datei\u00a0finden Sie im Anhang."
    rects = find_highlight(words, highlight)
    assert texts_under(rects, words) == [w.text for w in words]
    assert fold("ﬁnden Straße") == fold("FINDEN strasse")


def test_passage_not_on_the_page_gives_nothing() -> None:
    words = ABOVE + [w for cell in CELLS for w in cell]
    assert find_highlight(words, "Der Zählerstand wird jede Stunde gespeichert.") == []
    assert find_highlight(words, "", "Die Batterie meldet einen Kommunikationsfehler.") == []
    assert find_highlight([], ROW, ROW) == []
    assert find_highlight(words, "", "") == []


def test_scattered_coincidences_are_not_a_match() -> None:
    """Two long-enough words of the line, far apart on the page, do not make a citation."""
    words = printed((50, 100, "Isolationswiderstand"), (50, 700, "Kommunikationsprozessor"))
    line = "Isolationswiderstand und Kommunikationsprozessor werden beim Start geprüft"
    assert find_highlight(words, line) == []


def test_repeated_highlight_takes_the_occurrence_inside_the_passage() -> None:
    words = ABOVE + [w for cell in CELLS for w in cell]
    rects = find_highlight(words, "E050", passage=ROW)
    assert len(rects) == 1
    assert rects[0].y0 == ROW_Y  # the row's code cell, not "siehe E050." above


def test_empty_or_missing_highlight_falls_back_to_the_passage() -> None:
    words = ABOVE + [w for cell in CELLS for w in cell]
    for highlight in ("", "Dieser Satz steht in einem ganz anderen Kapitel."):
        rects = find_highlight(words, highlight, passage=ROW)
        assert rects and min(r.y0 for r in rects) == ROW_Y


def test_a_line_continuing_on_the_next_page_highlights_the_part_printed_here() -> None:
    words = printed(
        (50, 760, "Vor dem Öffnen des Gehäuses alle Stromkreise"),
        (50, 760 + LINE, "allpolig trennen und gegen"),
    )
    line = (
        "Vor dem Öffnen des Gehäuses alle Stromkreise allpolig trennen und gegen "
        "Wiedereinschalten sichern."
    )
    rects = find_highlight(words, line)
    assert len(rects) == 2


def test_words_from_reads_pymupdf_word_tuples() -> None:
    rows = [(1.0, 2.0, 3.0, 4.0, "Hallo", 5, 6, 0)]
    assert words_from(rows) == [Word(Rect(1.0, 2.0, 3.0, 4.0), "Hallo", 5, 6)]


def test_highlight_logic_imports_neither_qt_nor_pymupdf() -> None:
    code = (
        "import sys, nikdesk.ui.highlight\n"
        "loaded = {'PySide6', 'pymupdf'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _marked(manual: str, page_number: int, highlight: str, passage: str = "") -> list[str]:
    """Return the text under each rectangle marked for ``highlight`` on a real manual's page."""
    pymupdf = pytest.importorskip("pymupdf")
    pdf = MANUALS / manual
    if not pdf.is_file():
        pytest.skip(f"real corpus not found at {MANUALS}")
    with pymupdf.open(pdf) as doc:
        page = doc[page_number - 1]
        rects = find_highlight(words_from(page.get_text("words")), highlight, passage)
        return [page.get_textbox(pymupdf.Rect(r.x0, r.y0, r.x1, r.y1)) for r in rects]


@pytest.mark.corpus
def test_real_manual_line_broken_by_a_hyphen_is_found() -> None:
    """Fronius Datamanager p. 21 prints "Fro-" / "nius Solar Net"; ingest joined it."""
    line = "not enough power is coming from Fronius Solar Net; an external power supply"
    marked = _marked("Fronius_Datamanager_Manual_EN.pdf", 21, line)
    shown = " ".join(marked)
    assert len(marked) == 2
    assert "Fro-" in shown and "nius Solar Net" in shown


@pytest.mark.corpus
def test_a_key_sentence_wrapped_on_the_page_is_marked_on_both_lines() -> None:
    """JK Smart BMS p. 22: the key sentence with both temperatures spans two printed lines."""
    passage = (  # the chunk as ingest stores it
        "MOS (MOS over temperature protection value is 75°C, MOS over temperature recovery\n"
        "value 65°C, these two values are factory default values and cannot be modified).\n"
        "Note:"
    )
    question = "JK-BMS: Kann ich die Schwelle für MOS over temperature ändern?"
    highlight = quote(passage, question).highlight
    assert highlight.splitlines()[1].startswith("value 65°C")
    marked = _marked("JK_Smart_BMS_Instructions_EN.pdf", 22, highlight, passage)
    shown = " ".join(marked)
    assert len(marked) == 2
    assert "75" in shown and "cannot be modified" in shown
