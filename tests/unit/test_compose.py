"""The no-LLM answer text: passages of one page under one heading."""

from __future__ import annotations

from nikdesk.agent.compose import compose_answer
from nikdesk.core.events import Source


def _source(ref: str, page: int, passage: str, highlight: str) -> Source:
    return Source(
        ref=ref,
        doc_id="bmv",
        file="Victron_BMV-7xx_HEX_Protocol.pdf",
        title="BMV-7xx HEX Protocol",
        page=page,
        page_end=page,
        passage=passage,
        highlight=highlight,
    )


def test_passages_of_one_page_stand_under_one_heading() -> None:
    header = "ID | Description | Display | Type | Range | Default | Step | Unit"
    efficiency = "0x1004 | Charge Efficiency | 06 | Un16 | 50..99 | 90 | 1 | %"
    peukert = "0x1005 | Peukert Coefficient | 05 | Un16 | 1..1.5 | 1.25 | 0.01 | -"
    notes = "Note 1: only available on BMV-702 and BMV-712"
    sources = [
        _source("S1", 7, f"{header}\n{efficiency}", efficiency),
        _source("S2", 9, notes, notes),
        # the open part, found further down page 7, under the same header
        _source("S3", 7, f"{header}\n{peukert}", peukert),
    ]
    text = compose_answer(sources, "de")
    lines = text.splitlines()
    heading = "**BMV-7xx HEX Protocol, S. 7** [S1] [S3]"
    assert lines.count(heading) == 1
    assert text.count("S. 7**") == 1
    at = lines.index(heading)
    # the page's passages in order, "…" between them, the header once, each key line bold;
    # then page 9
    assert lines[at + 1 : at + 5] == [
        f"> {header}  ",
        "> **0x1004 | Charge Efficiency | 06 | Un16 | 50..99 | 90 | 1 | %**  ",
        "> …  ",
        "> **0x1005 | Peukert Coefficient | 05 | Un16 | 1..1.5 | 1.25 | 0.01 | -**  ",
    ]
    assert lines.index("**BMV-7xx HEX Protocol, S. 9** [S2]") > at + 4


def test_a_repeated_problem_stays_above_each_cause_and_is_bold_once() -> None:
    # SMA Home Manager manual p. 118: each cause repeats the problem's title above it;
    # dropping a repeat would set the next cause under the problem before it
    title = "Der Anlagen-Setup-Assistent findet keinen Sunny Home Manager."
    passage = "\n".join(
        [
            title,
            "Möglicherweise ist die Seriennummer falsch.",
            "Abhilfe:",
            "• Eingaben prüfen.",
            title,
            "Möglicherweise ist die Registrierung nicht abgeschlossen.",
        ]
    )
    lines = compose_answer([_source("S1", 118, passage, title)], "de").splitlines()
    assert lines.count(f"> **{title}**  ") == 1
    assert lines.count(f"> {title}  ") == 1
    assert (
        lines.index(f"> {title}  ")
        == lines.index("> Möglicherweise ist die Registrierung nicht abgeschlossen.  ") - 1
    )


def test_a_row_shown_plain_and_then_bold_is_shown_once_bold() -> None:
    # Kostal p. 17: two passages of the page hold the row; the second makes it a key line
    port = "TCP-Port | 1502 (dec)"
    unit = "Unit-ID1 | 71 (dec)"
    sources = [
        _source("S1", 17, f"{port}\n{unit}", port),
        _source("S2", 17, unit, unit),
        _source("S3", 17, port, port),  # adds nothing new: no "…" left at the end
    ]
    text = compose_answer(sources, "de")
    assert text.count("Unit-ID1") == 1
    assert f"> **{unit}**  " in text.splitlines()
    assert "> …  " not in text


def test_two_overlapping_passages_of_a_page_show_their_common_lines_once() -> None:
    # Fronius Datamanager p. 12: two passages both hold the software list; the second one
    # goes on with a line the first did not quote, right below it (no "…")
    intro = "Inverter required software version according to display (MainControl)"
    ig15 = "Fronius IG 15 - 60 V2.9.4 or higher"
    ig300 = "Fronius IG 300 - 500 V3.6.4.0 or higher"
    plus = "Fronius IG Plus 35 - 150 V4.22.00 or higher"
    sources = [
        _source("S1", 12, f"{intro}\n{ig15}\n{ig300}", ig15),
        _source("S2", 12, f"{intro}\n{ig15}\n{ig300}\n{plus}", ig300),
    ]
    lines = compose_answer(sources, "de").splitlines()
    assert [ln for ln in lines if ln.startswith("> ")] == [
        f"> {intro}  ",
        f"> **{ig15}**  ",
        f"> **{ig300}**  ",
        f"> {plus}  ",
    ]


def test_lines_a_page_prints_twice_in_two_passages_stay() -> None:
    # Fronius Datamanager p. 17: "Example 1" and "Example 2" each end with the same sum;
    # the passages do not overlap, so the second example keeps its lines
    total = "+ 32 KB/h x 24 h = 768 KB"
    archived = "Archived data = 768 KB / day"
    sources = [
        _source("S1", 17, f"Example 1 - Small System\n{total}\n{archived}", total),
        _source("S2", 17, f"Example 2 - Large System\n{total}\n{archived}", total),
    ]
    quoted = [ln for ln in compose_answer(sources, "de").splitlines() if ln.startswith("> ")]
    assert quoted.count(f"> {archived}  ") == 2
    assert quoted[-2:] == [f"> {total}  ", f"> {archived}  "]


def test_angle_brackets_of_a_passage_stay_literal_in_markdown() -> None:
    # PI30: "QPIGS2<cr>" would open an HTML tag that Markdown renderers drop with what follows
    passage = "2.10 QPIGS2<cr>: Device general status parameters inquiry (Only 48V model)"
    text = compose_answer([_source("S1", 10, passage, passage)], "de")
    assert "QPIGS2\\<cr>: Device general" in text
    # a "<" opening no tag stays as the manual prints it (plain-text readers see no escape)
    other = compose_answer([_source("S1", 4, "Isolationswiderstand < 1 MΩ | <0.5W", "x")], "de")
    assert "Isolationswiderstand < 1 MΩ | <0.5W" in other
