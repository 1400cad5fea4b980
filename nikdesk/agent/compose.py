"""The answer Nik writes without a language model: the best passages, quoted, key line marked.

Nothing is paraphrased, so nothing can be invented: numbers appear exactly as the manual
states them. The key line of each passage (chosen in :mod:`nikdesk.agent.lines` by how well
it answers the question) is set in bold; it is also what the PDF viewer highlights.
"""

from __future__ import annotations

import re
from dataclasses import replace

from nikdesk.agent.lines import key_line, quote
from nikdesk.agent.texts import templates
from nikdesk.core.events import Source

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
    """Return ``source`` with its key line set as ``highlight``."""
    return replace(source, highlight=key_line(source.passage, question))


def compose_answer(sources: list[Source], language: str = "de", question: str = "") -> str:
    """Return the Markdown answer quoting ``sources`` (already highlighted) with their markers.

    With ``question`` only the key line and the lines around it are quoted (a table: its
    header and the matching rows), else the whole passage.
    """
    t = templates(language)
    return "\n".join([t["intro"], "", quote_lines(sources, question, t), t["outro"]])


def quote_lines(sources: list[Source], question: str, t: dict[str, str]) -> str:
    """Return each source as a heading with its marker and its quoted lines, key line bold."""
    parts: list[str] = []
    for source in sources:
        parts.append(
            t["source_heading"].format(title=source.title, page=source.page, ref=source.ref)
        )
        shown_lines = source.passage.splitlines()
        bold = {source.highlight} if source.highlight else set()
        if question:
            found = quote(source.passage, question)
            shown_lines = list(found.lines) or shown_lines
            bold.update(found.also)
        for line in shown_lines:
            if not line.strip():
                continue
            shown = line.strip()
            shown = f"**{_escape(shown)}**" if shown in bold else _escape(shown)
            parts.append(f"> {shown}  ")  # two spaces: a Markdown line break inside the quote
        parts.append("")
    return "\n".join(parts)


def _escape(text: str) -> str:
    # passages may hold "*" or "_" (register names): keep them literal in Markdown
    return text.replace("*", "\\*").replace("_", "\\_")


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
