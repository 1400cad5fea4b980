"""The answer Nik writes without a language model: the best passages, quoted, key line marked.

Nothing is paraphrased, so nothing can be invented: numbers appear exactly as the manual
states them. The key line of each passage (the one sharing most terms, codes and translated
terms with the question) is set in bold; it is also what the PDF viewer highlights.
"""

from __future__ import annotations

import re
from dataclasses import replace

from nikdesk.agent.texts import templates
from nikdesk.core.events import Source
from nikdesk.core.text import raw_tokens, terms
from nikdesk.retrieval.glossary import expand
from nikdesk.retrieval.hybrid import code_tokens

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


def question_terms(question: str) -> set[str]:
    """Return the terms a key line should share with the question (incl. English equivalents)."""
    return set(terms(question, drop_stopwords=True)) | set(expand(question))


def key_line(passage: str, question: str) -> str:
    """Return the line of ``passage`` that best answers ``question`` ("" if none shares a term)."""
    wanted = question_terms(question)
    codes = code_tokens(question)
    best, best_score = "", 0.0
    for line in passage.splitlines():
        if not line.strip() or line.strip() == "…":
            continue
        line_terms = set(terms(line))
        tokens = raw_tokens(line)
        score = len(wanted & line_terms) + 2.0 * len(codes & set(tokens))
        if tokens and tokens[0] in codes:
            score += 3.0  # the row that defines the code, not the one saying "see E050"
        if score > best_score:
            best, best_score = line, score
    return best.strip()


def with_highlight(source: Source, question: str) -> Source:
    """Return ``source`` with its key line set as ``highlight``."""
    return replace(source, highlight=key_line(source.passage, question))


def compose_answer(sources: list[Source], language: str = "de") -> str:
    """Return the Markdown answer quoting ``sources`` (already highlighted) with their markers."""
    t = templates(language)
    parts = [t["intro"], ""]
    for source in sources:
        parts.append(
            t["source_heading"].format(title=source.title, page=source.page, ref=source.ref)
        )
        for line in source.passage.splitlines():
            if not line.strip():
                continue
            shown = line.strip()
            if source.highlight and shown == source.highlight:
                shown = f"**{_escape(shown)}**"
            else:
                shown = _escape(shown)
            parts.append(f"> {shown}  ")  # two spaces: a Markdown line break inside the quote
        parts.append("")
    parts.append(t["outro"])
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
