"""The answer Nik writes without a language model: the best passages, quoted, key line marked.

Nothing is paraphrased, so nothing can be invented: numbers appear exactly as the manual
states them. The key line of each passage (chosen in :mod:`nikdesk.agent.quote` by how well
it answers the question) is set in bold; it is also what the PDF viewer highlights.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from nikdesk.agent.quote import quote
from nikdesk.agent.texts import templates
from nikdesk.core.events import Source
from nikdesk.core.markdown import escape_tags

_VERSION = re.compile(r"^(v?\d+([.,]\d+)*|de|en|\d{4}|rev\w*)$", re.IGNORECASE)
_GENERIC = {
    w.lower()
    for w in [
        "Manual",
        "User",
        "Instructions",
        "Installation",
        "Installations",
        "Bedienungsanleitung",
        "Betriebsanleitung",
        "Installationshilfe",
        "Benutzerhandbuch",
        "Installations",
        "Datenblatt",
        "Dokumentation",
        "Documentation",
        "Doku",
        "Handbuch",
        "Schnelleinstieg",
        "Protocol",
        "Protokoll",
        "Communication",
        "Modbus",
        "TCP",
        "RTU",
        "API",
        "Interface",
        "with",
        "Control",
        "Registertabelle",
        "Montageanleitung",
        "Firmware",
        "Upgrade",
        "Specification",
        "Index",
        "Smart",
        "Power",
        "Sensor",
    ]
}


def with_highlight(source: Source, question: str) -> Source:
    """Return ``source`` with its key line (and the rest of its sentence) as ``highlight``."""
    return replace(source, highlight=quote(source.passage, question).highlight)


def compose_answer(sources: list[Source], language: str = "de", question: str = "") -> str:
    """Return the Markdown answer quoting ``sources`` (already highlighted) with their markers.

    With ``question`` only the key line and the lines around it are quoted (a table: its
    header and the matching rows), else the whole passage.
    """
    t = templates(language)
    return "\n".join([t["intro"], "", quote_lines(sources, question, t), t["outro"]])


def quote_lines(sources: list[Source], question: str, t: dict[str, str]) -> str:
    """Return each cited page as a heading with its markers and its quoted lines, key lines bold.

    Passages of the same page ("Charge Efficiency … 90" and, further down the table,
    "Peukert Coefficient … 1.25") stand under one heading, where the page is first quoted,
    "…" between them; a table row (the header the page's passages start with) is shown once.
    """
    pages: dict[tuple[str, int], list[Source]] = {}
    for source in sources:
        pages.setdefault((source.doc_id, source.page), []).append(source)
    parts: list[str] = []
    for group in pages.values():
        first = group[0]
        refs = " ".join(f"[{s.ref}]" for s in group)
        parts.append(t["source_heading"].format(title=first.title, page=first.page, refs=refs))
        parts.extend(f"> {line}  " for line in _page_lines(group, question))
        parts.append("")  # two spaces above: a Markdown line break inside the quote
    return "\n".join(parts)


@dataclass
class _Line:
    text: str  # Markdown-escaped
    bold: bool


def _page_lines(group: list[Source], question: str) -> list[str]:
    # A text line repeated on the page stays: a troubleshooting page repeats the problem
    # above each cause, and dropping it would set a cause under another problem. A key line
    # is bold once; a table row in two passages is shown once, bold if either makes it a key.
    # Lines two passages share because they overlap (a passage widened over the page's next
    # passage holds that one whole: "Fronius IG 15 - 60 V2.9.4 …" twice) are shown once,
    # bold if either makes them key lines; lines the page itself prints twice stay.
    lines: list[_Line] = []
    rows: dict[str, _Line] = {}
    for n, source in enumerate(group):
        gap = n > 0  # "…" between passages and skipped lines, only before a line shown
        earlier_passages = [s.passage for s in group[:n]]
        shared = {_escape(line) for line in _overlap(earlier_passages, source.passage)}
        for text, bold in _shown(source, question):
            if text == "…":
                gap = True
                continue
            if text in rows:
                rows[text].bold = rows[text].bold or bold
                continue
            if text in shared and (earlier := _last(lines, text)) is not None:
                earlier.bold = earlier.bold or bold
                gap = earlier is not lines[-1]  # the next line may go on where it stood
                continue
            fresh = bold and not any(ln.bold and ln.text == text for ln in lines)
            if gap and lines:
                lines.append(_Line("…", False))
            gap = False
            lines.append(_Line(text, fresh))
            if " | " in text:
                rows[text] = lines[-1]
    return [f"**{ln.text}**" if ln.bold else ln.text for ln in lines]


def _last(lines: list[_Line], text: str) -> _Line | None:
    return next((ln for ln in reversed(lines) if ln.text == text), None)


def _overlap(earlier: list[str], passage: str) -> set[str]:
    # the lines of ``passage`` that are the same lines of the page as an earlier passage's:
    # one passage holds the other whole, or one ends with the (two or more) lines the other
    # starts with
    mine = _stripped(passage)
    shared: set[str] = set()
    for other in earlier:
        theirs = _stripped(other)
        if len(mine) >= 2 and _holds(theirs, mine):
            shared.update(mine)
        elif len(theirs) >= 2 and _holds(mine, theirs):
            shared.update(theirs)
        else:
            for a, b in ((theirs, mine), (mine, theirs)):
                k = next((k for k in range(min(len(a), len(b)), 1, -1) if a[-k:] == b[:k]), 0)
                shared.update(b[:k])
    return shared


def _stripped(passage: str) -> list[str]:
    return [line.strip() for line in passage.splitlines() if line.strip()]


def _holds(lines: list[str], run: list[str]) -> bool:
    # ``run`` stands in ``lines`` as consecutive lines
    return any(lines[i : i + len(run)] == run for i in range(len(lines) - len(run) + 1))


def _shown(source: Source, question: str) -> list[tuple[str, bool]]:
    # the lines of ``source`` to quote, Markdown-escaped, and whether each is a key line
    shown_lines = source.passage.splitlines()
    bold = set(source.highlight.splitlines())
    if question:
        found = quote(source.passage, question)
        shown_lines = list(found.lines) or shown_lines
        bold.update(found.also)
    return [(_escape(line.strip()), line.strip() in bold) for line in shown_lines if line.strip()]


def _escape(text: str) -> str:
    # passages may hold "*" or "_" (register names) or a "<" opening what Markdown takes for
    # an HTML tag ("QPIGS2<cr>", "<CRC>": dropped with the rest of the line); keep them literal
    # ("< 1 MΩ", "<0.5W" open no tag and stay as they are)
    return escape_tags(text.replace("*", "\\*").replace("_", "\\_"))


def device_label(file: str, title: str = "") -> str:
    """Return a short device name for a manual ("go-e Charger", "Growatt MIC750-3300TL-X")."""
    stem = file.rsplit(".", 1)[0]
    words = [w for w in re.split(r"[_\s]+", stem) if w]
    kept = [
        w
        for w in words
        if not all(p.lower() in _GENERIC for p in w.split("-")) and not _VERSION.match(w)
    ]
    label = " ".join(kept[:3]) or title or file
    return label
