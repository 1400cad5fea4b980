"""Nik's tools and the evidence ledger: every passage a run retrieved, by citation marker.

Only passages in the ledger can be cited; the answer contract (``citations.py``) checks the
answer's markers against it.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nikdesk.agent.lines import is_table, restates
from nikdesk.agent.quote import excerpt_lines, key_line
from nikdesk.core.events import Source, ToolStart
from nikdesk.retrieval.excerpt import excerpt
from nikdesk.retrieval.hybrid import Retriever
from nikdesk.retrieval.types import Chunk, Hit, SearchFilters, SearchOptions

SEARCH_K = 6
FULL_DOCUMENT_CHARS = 6000  # what a model sees of a whole manual (all section titles + text)
PASSAGE_CHARS = 700
TOPIC_TAIL = 200  # a key naming a topic in a passage's last lines shorter than this: go on

# what the window's chip and the terminal say while a tool runs (one place for every consumer)
TOOL_LABELS: dict[str, str] = {
    "search_knowledge": "Suche in Handbüchern",
    "get_full_document": "Öffne Dokument",
    "read_photo": "Lese Display-Foto",
    "ask_user_clarification": "Frage nach",
}


def tool_start(tool: str, arguments: dict[str, Any]) -> ToolStart:
    """Return the ToolStart event of ``tool`` with its label."""
    return ToolStart(tool, arguments, TOOL_LABELS.get(tool, tool))


TOOL_SPECS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "search_knowledge",
            "description": (
                "Durchsucht die Handbücher (Fehlercodes, Register, Einstellungen, Verdrahtung). "
                "Liefert Passagen mit Markern [S1], [S2] … zum Zitieren."
            ),
            "parameters": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "maxLength": 200},
                    "filters": {
                        "type": "object",
                        "properties": {
                            "manufacturer": {"type": "string", "maxLength": 40},
                            "product": {"type": "string", "maxLength": 60},
                            "file": {"type": "string", "maxLength": 120},
                        },
                    },
                },
                "required": ["query"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_full_document",
            "description": (
                "Öffnet ein ganzes Handbuch: alle Abschnitte mit Seitenzahlen und Tabellen."
            ),
            "parameters": {
                "type": "object",
                "properties": {"doc": {"type": "string", "maxLength": 120}},
                "required": ["doc"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "ask_user_clarification",
            "description": (
                "Fragt den Techniker zurück, z. B. welches Gerät gemeint ist, wenn die Frage "
                "auf mehrere Geräte passt. Hält die Antwort an, bis er antwortet."
            ),
            "parameters": {
                "type": "object",
                "properties": {
                    "question": {"type": "string", "maxLength": 200},
                    "options": {
                        "type": "array",
                        "items": {"type": "string", "maxLength": 60},
                        "maxItems": 6,
                    },
                },
                "required": ["question"],
            },
        },
    },
]


@dataclass
class Ledger:
    """The passages retrieved in one run, each under a stable marker ("S1", "S2" …)."""

    sources: dict[str, Source] = field(default_factory=dict)
    _by_chunk: dict[int, str] = field(default_factory=dict)
    chunk_of: dict[str, int] = field(default_factory=dict)

    def add(self, chunk: Chunk, title: str, question: str, score: float = 0.0) -> Source:
        """Register ``chunk`` (once) and return its source."""
        ref = self._by_chunk.get(chunk.id)
        if ref is not None:
            return self.sources[ref]
        ref = f"S{len(self.sources) + 1}"
        source = Source(
            ref=ref,
            doc_id=chunk.doc_id,
            file=chunk.file,
            title=title,
            page=chunk.page_start,
            page_end=chunk.page_end,
            passage=excerpt_lines(chunk.text, question, PASSAGE_CHARS)
            or excerpt(chunk, question, PASSAGE_CHARS),
            section=chunk.section,
            score=score,
        )
        self.sources[ref] = source
        self._by_chunk[chunk.id] = ref
        self.chunk_of[ref] = chunk.id
        return source

    def to_state(self) -> list[dict[str, Any]]:
        """Return a JSON-ready form (for a paused run)."""
        return [
            {"chunk": self.chunk_of[ref], **source.__dict__} for ref, source in self.sources.items()
        ]

    @classmethod
    def from_state(cls, rows: list[dict[str, Any]]) -> Ledger:
        """Rebuild a ledger saved with :meth:`to_state`."""
        ledger = cls()
        for row in rows:
            row = dict(row)
            chunk = row.pop("chunk")
            source = Source(**row)
            ledger.sources[source.ref] = source
            ledger._by_chunk[chunk] = source.ref
            ledger.chunk_of[source.ref] = chunk
        return ledger


@dataclass(frozen=True)
class SearchResult:
    """What ``search_knowledge`` found: the hits and their ledger sources, best first."""

    query: str
    hits: tuple[Hit, ...]
    sources: tuple[Source, ...]

    def summary(self) -> str:
        """Return the German one-liner for the UI chip."""
        if not self.sources:
            return "Nichts gefunden"
        docs = {s.title for s in self.sources}
        return f"{len(self.sources)} Stellen in {len(docs)} Handbüchern"

    def for_model(self) -> str:
        """Return the observation text a model reads."""
        if not self.sources:
            return "Keine passenden Stellen in den Handbüchern."
        return "\n\n".join(
            f"[{s.ref}] {s.title}, Seite {s.page}"
            + (f" – {s.section}" if s.section else "")
            + f"\n{s.passage}"
            for s in self.sources
        )


class Toolbox:
    """The tools, bound to one open index."""

    def __init__(self, retriever: Retriever, documents_dirs: tuple[Path, ...] = ()) -> None:
        self.retriever = retriever
        self.documents_dirs = documents_dirs
        self.titles = {d.doc_id: d.title or d.file for d in retriever.documents}

    def search_knowledge(
        self,
        ledger: Ledger,
        query: str,
        filters: dict[str, str] | None = None,
        k: int = SEARCH_K,
    ) -> SearchResult:
        """Search the manuals; register what was found in ``ledger``."""
        query = (query or "").strip()[:400]
        hits = self.retriever.search(query, SearchOptions(k=k, filters=_filters(filters)))
        if not hits and filters:  # a filter the index does not know must not hide everything
            hits = self.retriever.search(query, SearchOptions(k=k))
        return SearchResult(query, tuple(hits), self.register(ledger, hits, query))

    def search_files(
        self, ledger: Ledger, query: str, files: tuple[str, ...], question: str = ""
    ) -> SearchResult:
        """Search only ``files`` (the named device's manuals); register the hits.

        ``question``: what the passages are cut for (default: the query).
        """
        hits = self.retriever.search(query, SearchOptions(k=SEARCH_K, filters=SearchFilters(files)))
        return SearchResult(query, tuple(hits), self.register(ledger, hits, question or query))

    def register(self, ledger: Ledger, hits: list[Hit], question: str) -> tuple[Source, ...]:
        """Register ``hits`` in ``ledger``, their excerpts cut for ``question``."""
        found = {h.chunk.id for h in hits}
        return tuple(
            ledger.add(
                # a next passage found itself is quoted as itself, not twice
                h.chunk if h.chunk.id + 1 in found else self._with_sequel(h.chunk, question),
                self.titles.get(h.chunk.doc_id, h.chunk.file),
                question,
                h.score,
            )
            for h in hits
        )

    def _with_sequel(self, chunk: Chunk, question: str) -> Chunk:
        """Return ``chunk`` continued by the next passage of its page when its key line ends it.

        The chunker cuts text by size: "Die Performance LED blinkt rot." may end one chunk
        and "Es besteht keine Verbindung zum Sunny Portal" begin the next; "the following
        default values are used:" ends a chunk whose values stand in the next one. A table
        row says its whole fact and is not continued.
        """
        lines = [ln.strip() for ln in chunk.text.splitlines() if ln.strip()]
        if not lines or chunk.kind == "table" or is_table(lines):
            return chunk
        key = key_line(chunk.text, question)
        if not key:
            return chunk
        # the key ends the passage and states nothing itself (it restates the question or
        # leads in to a list), or the passage ends in a lead-in just under its key
        ends = key in lines[-1] and (restates(key, question) or key.endswith(":"))
        # ... or the key, one of the two last lines, names a topic without a value ("Appendix
        # Default parameters of "One-click Lithium Iron" …"): the values follow
        topic = (
            any(key in ln for ln in lines[-2:])
            and not any(ch.isdigit() for ch in key)
            and len(" ".join(lines[-2:])) < TOPIC_TAIL
        )
        lead_in = lines[-1].endswith(":")
        if not ends and not topic and not (lead_in and any(key in ln for ln in lines[-3:])):
            return chunk
        # the next passage, wholly on this page: every quoted line stays on the cited page
        sequel = [
            c
            for c in self.retriever.page_chunks(chunk)
            if c.id == chunk.id + 1 and c.page_end == chunk.page_start
        ]
        if not sequel or (sequel[0].kind == "table" and not lead_in and not topic):
            return chunk
        return replace(chunk, text=f"{chunk.text}\n{sequel[0].text}")

    def find_document(self, doc: str) -> str | None:
        """Resolve a doc id, file name or (part of a) title to a doc id."""
        wanted = (doc or "").strip().lower()
        if not wanted:
            return None
        for d in self.retriever.documents:
            if wanted in (d.doc_id.lower(), d.file.lower()):
                return d.doc_id
        for d in self.retriever.documents:
            if wanted in f"{d.title} {d.file}".lower():
                return d.doc_id
        return None

    def get_full_document(self, ledger: Ledger, doc: str, question: str) -> dict[str, Any]:
        """Return a whole manual: sections with pages, the text (budgeted), the PDF path."""
        doc_id = self.find_document(doc)
        if doc_id is None:
            known = ", ".join(sorted(self.titles.values()))
            return {"error": f"Kein Handbuch '{doc}'. Vorhanden: {known}"}
        info = next(d for d in self.retriever.documents if d.doc_id == doc_id)
        ids = list(range(info.first_chunk, info.last_chunk + 1))
        chunks = self.retriever.chunks(ids)
        ordered = [chunks[i] for i in ids if i in chunks]
        sections: list[dict[str, Any]] = []
        for chunk in ordered:
            if not sections or sections[-1]["title"] != chunk.section:
                sections.append({"title": chunk.section, "page": chunk.page_start})
        text_parts: list[str] = []
        budget = FULL_DOCUMENT_CHARS
        for chunk in ordered:
            if budget <= 0:
                break
            source = ledger.add(chunk, self.titles[doc_id], question)
            piece = f"[{source.ref}] S. {chunk.page_start}: {chunk.text}"[:budget]
            text_parts.append(piece)
            budget -= len(piece)
        pdf = self.locate_pdf(info.file)
        return {
            "doc_id": doc_id,
            "title": self.titles[doc_id],
            "file": info.file,
            "pdf_path": str(pdf) if pdf else None,
            "sections": sections,
            "tables": sum(1 for c in ordered if c.kind == "table"),
            "text": "\n".join(text_parts),
            "truncated": budget <= 0,
        }

    def expected_pdf(self, file: str) -> Path:
        """Return where :meth:`locate_pdf` looks for ``file`` first among the library folders."""
        folder = self.documents_dirs[0] if self.documents_dirs else self.retriever.path / "docs"
        return (folder / Path(file).name).resolve()

    def locate_pdf(self, file: str) -> Path | None:
        """Find the local copy of a manual: in the bundle's docs/, then the library folders."""
        rel = Path(file)  # below a folder ("sub/x.pdf"), never out of it or absolute
        if rel.is_absolute() or ".." in rel.parts:
            rel = Path(rel.name)
        if rel.name in ("", ".", ".."):
            return None
        for folder in (self.retriever.path / "docs", *self.documents_dirs):
            found = (folder / rel, *folder.rglob(glob.escape(rel.name))) if folder.is_dir() else ()
            for candidate in found:
                if candidate.is_file():
                    return candidate
        return None


def _filters(raw: dict[str, str] | None) -> SearchFilters:
    if not raw:
        return SearchFilters()

    def one(key: str) -> tuple[str, ...]:
        value = str(raw.get(key) or "").strip()
        return (value,) if value else ()

    return SearchFilters(
        files=one("file"), manufacturers=one("manufacturer"), products=one("product")
    )
