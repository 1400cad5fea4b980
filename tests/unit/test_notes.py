"""A key row's note marks and the notes they point to (real lines of the corpus manuals)."""

from nikdesk.agent.notes import marks, notes_of
from nikdesk.agent.quote import quote

# Victron_BMV-7xx_HEX_Protocol.pdf p. 6, two of the page's passages as ingest cuts them
BMV_ROWS = (
    "ID | Description | Display | Type | Unit\n"
    "0xED8F | Current | - | Sn16 | 0.1 A\n"
    "0xED8C | Current (2, 3) | - | Sn32 | 0.001A\n"
    "0xED8E | Power | - | Sn16 | W"
)
BMV_NOTES = (
    "Note 1: only available on BMV-702 and BMV-712 Note 2: available for BMV-712 since version "
    "v4.01 Note 3: available for BMV-70x since version v3.09"
)


def test_a_rows_marks_are_read_and_not_a_formulas_star() -> None:
    assert marks("0xED8C | Current (2, 3) | - | Sn32 | 0.001A") == ({"2", "3"}, set())
    assert marks("SB 3600TL-20 | 3.25.01.R*") == (set(), {"*"})
    assert marks("0x010C | Description (*) | - | String20 | -") == (set(), {"*"})
    assert marks("1.00.00.R**") == (set(), {"**"})
    # a product, a register's count, a plain number in brackets are no marks
    assert marks("Anzahl der Bytes (2*N) | Länge") == (set(), set())
    assert marks("MIC 750TL-X | 10A/230V") == (set(), set())
    assert marks("Ausgang | 230 V (50 Hz)") == (set(), set())


def test_the_notes_a_row_points_to_are_found_on_the_page() -> None:
    assert notes_of("0xED8C | Current (2, 3) | - | Sn32 | 0.001A", [BMV_NOTES]) == [BMV_NOTES]
    page = [
        "SB 3600TL-20 | 3.25.01.R*",
        "* Diese Firmware-Version ist mindestens erforderlich für die Funktion Begrenzung",
        "** Eine Aktualisierung der Firmware ist erforderlich",
    ]
    assert notes_of(page[0], page) == [page[1]]
    assert notes_of("SB 5000TL-20 | 3.01.02.R**", page) == [page[2]]
    # a row without marks, or notes of other numbers, add nothing
    assert notes_of("0xED8E | Power | - | Sn16 | W", [BMV_NOTES]) == []
    assert notes_of("0x0303 | Number of cycles (4) | D | Un32", [BMV_NOTES]) == []


def test_a_key_rows_notes_in_its_passage_are_quoted_as_key_lines() -> None:
    found = quote(f"{BMV_ROWS}\n{BMV_NOTES}", "BMV hex: register 0xED8C, current in mA?")
    assert found.key.startswith("0xED8C")
    assert BMV_NOTES in found.lines and BMV_NOTES in found.also
