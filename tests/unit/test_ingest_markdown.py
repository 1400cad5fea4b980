"""Markdown/MDX parsing: front matter, site components, headings as sections, tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from nikdesk.core.errors import BadDocument
from nikdesk.ingest import parse_document
from nikdesk.ingest.markdown import parse_markdown
from nikdesk.ingest.types import BlockKind, ParsedDocument

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
OPEN_DOCS = CORPUS / "open"

PAGE = """---
title: "Wallbox einrichten"
sidebar:
  order: 2
---

import Screenshot from "@components/Screenshot.astro";
import { Tabs, TabItem } from "@astrojs/starlight/components";

Einleitung mit [Link zur Doku](/de/docs) und ![](bild.png) ohne Alt-Text.

<!-- interner Kommentar, nicht indexieren -->

## Anschluss

<Screenshot
  name="features/screenshots/wallbox"
  caption="Ein Bild > tausend Worte"
/>

<Tabs>
  <TabItem label="Linux">
Starte den Dienst mit `systemctl start evcc`.
  </TabItem>
</Tabs>

| Klemme | Farbe | Querschnitt |
| ------ | ----- | ----------- |
| L1     | braun | 6 mm²       |
| N      | blau  | 6 mm²       |

```yaml
loadpoints:
  - title: Garage # <Component/> in code stays
```
"""


def open_doc(relpath: str) -> Path:
    """Return an openly licensed corpus page or skip the test saying where it was looked for."""
    path = OPEN_DOCS / relpath
    if not path.is_file():
        pytest.skip(f"open corpus document not found: {path}")
    return path


def texts(doc: ParsedDocument, kind: BlockKind) -> list[str]:
    return [b.text for b in doc.blocks if b.kind is kind]


def test_small_mdx_page(tmp_path: Path) -> None:
    path = tmp_path / "wallbox.mdx"
    path.write_text(PAGE, encoding="utf-8")
    doc = parse_markdown(path)
    assert (doc.title, doc.language, doc.page_count) == ("Wallbox einrichten", "de", 1)
    assert {b.page for b in doc.blocks} == {1}
    everything = "\n".join(b.text for b in doc.blocks)
    for gone in ("import", "Screenshot", "<Tabs>", "TabItem", "Kommentar", "/de/docs", "bild.png"):
        assert gone not in everything
    assert texts(doc, BlockKind.TEXT)[0] == "Einleitung mit Link zur Doku und ohne Alt-Text."
    assert texts(doc, BlockKind.HEADING) == ["Anschluss"]
    # a container's content stays, introduced by its label
    assert "Linux: Starte den Dienst mit systemctl start evcc." in texts(doc, BlockKind.TEXT)
    assert texts(doc, BlockKind.TABLE_HEADER) == ["Klemme | Farbe | Querschnitt"]
    assert texts(doc, BlockKind.TABLE_ROW) == ["L1 | braun | 6 mm²", "N | blau | 6 mm²"]
    table_ids = {b.table_id for b in doc.blocks if b.kind is not BlockKind.TEXT and b.table_id}
    assert table_ids == {1}
    assert "  - title: Garage # <Component/> in code stays" in everything  # code kept verbatim
    assert {b.section for b in doc.blocks if b.kind is BlockKind.TABLE_ROW} == {"Anschluss"}


def test_title_falls_back_to_first_h1_then_file_name(tmp_path: Path) -> None:
    with_h1 = tmp_path / "notes.md"
    with_h1.write_text("Vorwort.\n\n# Fehlercodes\n\nE07: Übertemperatur.\n", encoding="utf-8")
    assert parse_markdown(with_h1).title == "Fehlercodes"
    plain = tmp_path / "fehler_liste.md"
    plain.write_text("E07: Übertemperatur.\n", encoding="utf-8")
    assert parse_markdown(plain).title == "fehler liste"


def test_empty_and_markup_only_pages_are_bad(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    with pytest.raises(BadDocument, match="zero-byte file"):
        parse_document(empty)
    markup = tmp_path / "only.mdx"
    markup.write_text('---\ntitle: "X"\n---\n<Screenshot name="a" />\n', encoding="utf-8")
    with pytest.raises(BadDocument, match="no text"):
        parse_document(markup)


@pytest.mark.corpus
def test_evcc_mdx_page_with_components() -> None:
    doc = parse_document(open_doc("evcc_docs_de/features/battery.mdx"))
    assert (doc.title, doc.language) == ("Hausbatterie", "de")
    everything = "\n".join(b.text for b in doc.blocks)
    assert "<Screenshot" not in everything and "caption=" not in everything
    assert "import " not in everything
    (boost,) = [b for b in doc.blocks if "Boost-Button" in b.text and b.kind is BlockKind.TEXT][:1]
    assert boost.section == "Batterie Boost"


@pytest.mark.corpus
def test_evcc_steps_keep_headings_and_table() -> None:
    doc = parse_document(open_doc("evcc_docs_de/installation/linux-image.mdx"))
    assert "Datei herunterladen" in texts(doc, BlockKind.HEADING)
    rows = [b for b in doc.blocks if b.kind is BlockKind.TABLE_ROW and "NanoPi R3S" in b.text]
    assert [(b.text, b.section) for b in rows] == [
        ("NanoPi R3S | evcc_nanopi-r3s.img.zip", "Datei herunterladen")
    ]
    assert "https://github.com" not in "\n".join(b.text for b in doc.blocks)


@pytest.mark.corpus
def test_smartevse_markdown_html_and_sections() -> None:
    doc = parse_document(open_doc("SmartEVSE-3_docs_md/installation.md"))
    assert (doc.title, doc.language) == ("Hardware installation", "en")
    everything = "\n".join(b.text for b in doc.blocks)
    assert "<br>" not in everything and "<img" not in everything
    assert "wiring_diagram" not in everything  # a file-name alt text says nothing
    assert "SmartESVE Contact2 diagram" in everything  # a real <img alt> does
    (baud,) = [b for b in doc.blocks if "Baudrate: 9600 bps" in b.text]
    assert baud.section == "Supported modbus kWh meters"
    assert "\nParity: NONE" in baud.text  # <br> line breaks stay line breaks
