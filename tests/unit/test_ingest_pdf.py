"""PDF parsing on the real manuals: page numbers, table rows, sections, margins, bad input."""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

import pymupdf
import pytest

from nikdesk.core.errors import BadDocument
from nikdesk.ingest import SUPPORTED_SUFFIXES, parse_document
from nikdesk.ingest.pdf import parse_pdf
from nikdesk.ingest.text import detect_language, join_lines, meaningful_title, normalize_text
from nikdesk.ingest.types import Block, BlockKind, ParsedDocument

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
MANUALS = CORPUS / "manuals"

pytestmark = pytest.mark.corpus


def manual(name: str) -> Path:
    """Return a real manual's path or skip the test saying where it was looked for."""
    path = MANUALS / name
    if not path.is_file():
        pytest.skip(f"real corpus manual not found: {path}")
    return path


@cache
def parsed(name: str) -> ParsedDocument:
    return parse_pdf(manual(name))


def blocks_with(doc: ParsedDocument, needle: str, kind: BlockKind | None = None) -> list[Block]:
    return [b for b in doc.blocks if needle in b.text and (kind is None or b.kind is kind)]


def pymupdf_pages_with(path: Path, needle: str) -> set[int]:
    """Return the 1-based pages whose plain pymupdf text contains needle (spaces collapsed)."""
    with pymupdf.open(path) as doc:
        return {page.number + 1 for page in doc if needle in " ".join(page.get_text().split())}


# --- page numbers -----------------------------------------------------------------------


def test_smartevse_error_text_is_on_physical_page_2() -> None:
    name = "SmartEVSE_v3_Installation_Manual_v3.0_EN.pdf"
    doc = parsed(name)
    assert doc.page_count == 2
    assert pymupdf_pages_with(manual(name), "NO CURRENT") == {2}
    assert {b.page for b in blocks_with(doc, "NO CURRENT")} == {2}


def test_victron_error_code_33_is_one_row_on_page_15() -> None:
    doc = parsed("Victron_VE.Direct_Protocol_3.33.pdf")
    rows = blocks_with(doc, "Input voltage too high (solar panel)", BlockKind.TABLE_ROW)
    assert [(b.page, b.text) for b in rows] == [(15, "Input voltage too high (solar panel) | 33")]
    pages = pymupdf_pages_with(manual("Victron_VE.Direct_Protocol_3.33.pdf"), "solar panel) 33")
    assert pages == {15}


# --- tables -------------------------------------------------------------------------------


def test_go_e_register_row_is_one_table_row_under_its_header() -> None:
    doc = parsed("go-e_Charger_Modbus_TCP_API.pdf")
    (row,) = blocks_with(doc, "POWER_TOTAL", BlockKind.TABLE_ROW)
    assert row.text.startswith("120 | POWER_TOTAL | 2 | Leistung gesamt")
    headers = [
        (b.page, b.text)
        for b in doc.blocks
        if b.kind is BlockKind.TABLE_HEADER and b.table_id == row.table_id
    ]
    # the register table runs over several pages and keeps the id of its header on page 3
    assert headers == [(3, "Register | Bezeichnung | Länge | Beschreibung")]
    assert row.page == 4


def test_table_text_is_not_repeated_as_paragraph_text() -> None:
    doc = parsed("go-e_Charger_Modbus_TCP_API.pdf")
    assert not blocks_with(doc, "POWER_TOTAL", BlockKind.TEXT)


def test_growatt_holding_register_rows_keep_their_cells() -> None:
    doc = parsed("Growatt_Inverter_Modbus_RTU_Protocol_II_V1.20.pdf")
    rows = {b.text for b in doc.blocks if b.kind is BlockKind.TABLE_ROW and b.page == 10}
    assert "06 | Pmax H | Normal power (high) | 0.1VA" in rows
    assert "17 | Vpv start | Input start voltage | W | 0.1V" in rows


def test_solax_input_register_row() -> None:
    doc = parsed("SolaX_Hybrid_X1-X3_G4_Modbus_TCP-RTU_V3.21.pdf")
    rows = blocks_with(doc, "GridPower(X1)", BlockKind.TABLE_ROW)
    assert [b.text for b in rows] == ["0x0002 | GridPower(X1) | R | GridPower | 1W | int16 | 1"]


@pytest.mark.skipif(
    importlib.util.find_spec("pymupdf.layout") is None,
    reason="borderless tables need the pymupdf-layout package",
)
def test_growatt_borderless_error_table_rows() -> None:
    doc = parsed("Growatt_MIC750-3300TL-X_Installations-Bedienungsanleitung_DE.pdf")
    (row,) = blocks_with(doc, "Error: 302", BlockKind.TABLE_ROW)
    assert row.page == 22
    assert "Keine AC-Verbindung" in row.text
    assert "Überprüfen Sie die AC-Verkabelung" in row.text


@pytest.mark.skipif(
    importlib.util.find_spec("pymupdf.layout") is None,
    reason="striped tables need the pymupdf-layout package",
)
def test_victron_striped_register_table_is_rows_not_one_run_on_line() -> None:
    """The BMV settings table is drawn as shaded stripes, one rectangle per row.

    The ruling-line search sees each stripe as a table of one row and keeps none; the page
    used to come out as one line "ID Description Display Type Range Default Step Unit …".
    """
    doc = parsed("Victron_BMV-7xx_HEX_Protocol.pdf")
    (row,) = blocks_with(doc, "Battery Capacity", BlockKind.TABLE_ROW)
    assert (row.page, row.text) == (
        7,
        "0x1000 | Battery Capacity | 01 | Un16 | 1..9999 | 200 | 1 | Ah",
    )
    (header,) = {b.text for b in doc.blocks if b.page == 7 and b.kind is BlockKind.TABLE_HEADER}
    assert header == "ID | Description | Display | Type | Range | Default | Step | Unit"
    assert not [b for b in doc.blocks if b.kind is BlockKind.TEXT and "0x1001" in b.text]


def test_a_list_of_aligned_cells_without_a_grid_is_read_row_by_row() -> None:
    """Growatt MIC p. 12 prints its AC breaker list as one text block per cell.

    Sorted by height the cells used to interleave ("MIC 750TL-X / 10A/230V / 10A/230V / MIC
    1000TL-X"), so no model stood beside its value.
    """
    doc = parsed("Growatt_MIC750-3300TL-X_Installations-Bedienungsanleitung_DE.pdf")
    rows = [b.text for b in doc.blocks if b.page == 12 and b.kind is BlockKind.TABLE_ROW]
    assert rows == [
        "MIC 750TL-X | 10A/230V",
        "MIC 1000TL-X | 10A/230V",
        "MIC 1500TL-X | 10A/230V",
        "MIC 2000TL-X | 16A/230V",
        "MIC 2500TL-X | 16A/230V",
        "MIC 3000TL-X | 16A/230V",
        "MIC 3300TL-X | 16A/230V",
    ]
    # no header: the first model's row is data like the others
    assert not [b for b in doc.blocks if b.page == 12 and b.kind is BlockKind.TABLE_HEADER]


def test_numbered_steps_beside_their_numbers_stay_text() -> None:
    # Fronius Datamanager p. 46: "1" beside "Connect to Fronius Datamanager" is a step
    doc = parsed("Fronius_Datamanager_Manual_EN.pdf")
    steps = blocks_with(doc, "Click on the desired menu item")
    assert steps and all(b.kind is BlockKind.TEXT for b in steps)
    # Growatt MIC p. 16: a connector's pins, numbered down the first column; the drawing's
    # own label row ("12345678") would cut the list, so that "6 | Com/DRM0" read as pin 6
    mic = parsed("Growatt_MIC750-3300TL-X_Installations-Bedienungsanleitung_DE.pdf")
    assert not [
        b for b in mic.blocks if b.page == 16 and b.kind is BlockKind.TABLE_ROW and "DRM" in b.text
    ]


# --- sections, margins, text ----------------------------------------------------------


def test_outline_titles_become_headings_and_sections() -> None:
    doc = parsed("SMA_SunnyHomeManager20_Betriebsanleitung_DE.pdf")
    heading = blocks_with(doc, "1.1 Gültigkeitsbereich", BlockKind.HEADING)
    assert [b.page for b in heading] == [7]
    (text,) = blocks_with(doc, "Dieses Dokument gilt für den Gerätetyp", BlockKind.TEXT)
    assert (text.page, text.section) == (7, "1.1 Gültigkeitsbereich")


def test_outline_sections_in_an_english_protocol() -> None:
    doc = parsed("Kostal_Modbus-TCP_SunSpec_Interface_with_Control.pdf")
    (text,) = blocks_with(doc, "The Modbus interface is designed for industrial use")
    assert (text.page, text.section) == (4, "1.2 Intended Use")


def test_layout_headings_without_outline() -> None:
    doc = parsed("go-e_Charger_Modbus_TCP_API.pdf")
    headings = {(b.text, b.page) for b in doc.blocks if b.kind is BlockKind.HEADING}
    assert ("3. Modbus Register", 3) in headings


def test_a_table_of_version_numbers_in_a_large_font_stays_text() -> None:
    # SolaX G4 p. 6: the "Version matching information" table's cells ("V3.01",
    # "V1.01~V1.03") are printed larger than the body; as headings without text under them
    # they were no passage at all
    doc = parsed("SolaX_Hybrid_X1-X3_G4_Modbus_TCP-RTU_V3.21.pdf")
    cells = [b for b in doc.blocks if b.page == 6 and b.text in ("V3.01", "V1.01~V1.03")]
    assert cells and all(b.kind is BlockKind.TEXT for b in cells)
    assert blocks_with(doc, "Protocol version ARM version(X1)", BlockKind.HEADING)


def test_running_footer_and_page_numbers_are_dropped() -> None:
    victron = parsed("Victron_VE.Direct_Protocol_3.33.pdf")
    assert pymupdf_pages_with(manual("Victron_VE.Direct_Protocol_3.33.pdf"), "De Paal 35")
    assert not blocks_with(victron, "De Paal 35")
    assert not blocks_with(victron, "sales@victronenergy.com")
    go_e = parsed("go-e_Charger_Modbus_TCP_API.pdf")
    assert not [b for b in go_e.blocks if re.search(r"Seite \d+ von \d+", b.text)]


def test_nbsp_and_odd_spaces_are_normalised() -> None:
    name = "SMA_SunnyHomeManager20_Schnelleinstieg_DE.pdf"
    with pymupdf.open(manual(name)) as raw:
        assert "\xa0" in raw[0].get_text(flags=pymupdf.TEXT_PRESERVE_WHITESPACE)
    assert not [b for b in parsed(name).blocks if "\xa0" in b.text or "  " in b.text]


def test_title_language_and_counts() -> None:
    victron = parsed("Victron_VE.Direct_Protocol_3.33.pdf")
    assert (victron.title, victron.language, victron.page_count) == ("VE.Direct Protocol", "en", 21)
    sma = parsed("SMA_SunnyHomeManager20_Betriebsanleitung_DE.pdf")
    assert sma.language == "de"
    goodwe = parsed("GoodWe_Hybrid_Modbus_Protocol_ET-EM.pdf")  # "Microsoft Word - ..." metadata
    assert not goodwe.title.startswith("Microsoft")
    assert parsed("E3DC_Modbus_Dokumentation_DE.pdf").empty_pages  # blank pages are listed


def test_ligatures_are_expanded(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    writer = pymupdf.TextWriter(page.rect)
    text = "Die \ufb01nale Kon\ufb01guration \ufb02ießt"  # fi and fl ligature characters
    writer.append((72, 72), text, font=pymupdf.Font("helv"))
    writer.write_text(page)
    path = tmp_path / "ligature.pdf"
    doc.save(path)
    with pymupdf.open(path) as raw:  # the PDF really carries the ligature characters
        assert "\ufb01" in raw[0].get_text(flags=pymupdf.TEXT_PRESERVE_LIGATURES)
    assert [b.text for b in parse_pdf(path).blocks] == ["Die finale Konfiguration fließt"]


def test_text_helpers() -> None:
    assert normalize_text("Kon\ufb01g\u00adura\u00adtion\u00a0A") == "Konfiguration A"
    assert join_lines(["Der Wechsel-", "richter und die DC-", "Trennung"]) == (
        "Der Wechselrichter und die DC-Trennung"
    )
    assert join_lines(["Plus-", "und Minus-Pol"]) == "Plus- und Minus-Pol"
    assert join_lines(["Liste:", "• erstens", "• zweitens"]) == "Liste:\n• erstens\n• zweitens"
    assert detect_language("Der Wechselrichter ist nicht mit dem Netz verbunden.") == "de"
    assert detect_language("The inverter is not connected to the grid.") == "en"
    assert meaningful_title("Microsoft Word - Goodwe_Protocol.doc") == "Goodwe Protocol"
    assert meaningful_title("技术文件模板") == meaningful_title("Untitled") == ""


# --- bad input ------------------------------------------------------------------------


def reason_for(path: Path) -> str:
    with pytest.raises(BadDocument) as info:
        parse_pdf(path)
    assert str(path) in str(info.value)
    return info.value.reason


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert reason_for(path) == "zero-byte file"


def test_garbage_with_pdf_suffix(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pdf"
    path.write_bytes(bytes(range(256)) * 40)
    assert reason_for(path).startswith("not a PDF or corrupt")


def test_truncated_real_pdf(tmp_path: Path) -> None:
    data = manual("Victron_VE.Direct_Protocol_3.33.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert reason_for(path).startswith("not a PDF or corrupt")


def test_encrypted_pdf(tmp_path: Path) -> None:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Geheime Wartungsanleitung")
    path = tmp_path / "locked.pdf"
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
    assert reason_for(path) == "encrypted (password required)"


def test_image_only_pdf(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 64, 64), False)
    pixmap.clear_with(200)
    page.insert_image(pymupdf.Rect(72, 72, 272, 272), pixmap=pixmap)
    path = tmp_path / "scan.pdf"
    doc.save(path)
    assert reason_for(path).startswith("no extractable text")


def test_dispatch_by_suffix(tmp_path: Path) -> None:
    assert {".pdf", ".md", ".mdx"} <= SUPPORTED_SUFFIXES
    path = tmp_path / "manual.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(BadDocument, match="unsupported file type"):
        parse_document(path)
    assert parse_document(manual("SmartEVSE_v3_Installation_Manual_v3.0_EN.pdf")).page_count == 2
