"""Values that cross retrieval module boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Chunk:
    """A searchable piece of one document, inside one section and one page range."""

    id: int  # row id in the chunk store == FAISS id
    doc_id: str  # stable document key (see bundle.doc_key)
    file: str  # source file name, e.g. "Fronius_Datamanager_Manual_EN.pdf"
    page_start: int  # 1-based
    page_end: int  # 1-based, inclusive
    section: str
    kind: str  # "text" | "table" (a group of table rows under their header row)
    text: str  # display text (what the user reads and the LLM quotes)


@dataclass(frozen=True)
class Hit:
    """A ranked search result: a chunk plus why it was found."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None  # 1-based rank in the dense list, None if absent
    lexical_rank: int | None = None
    rerank_score: float | None = None
    dense_score: float | None = None  # cosine to the question: evidence for "not in the manuals"
    lexical_score: float | None = None  # BM25 (not comparable across questions)

    @property
    def file(self) -> str:
        """Return the source file name of the hit."""
        return self.chunk.file

    @property
    def page(self) -> int:
        """Return the first page of the hit (what a citation points at)."""
        return self.chunk.page_start

    def with_score(self, score: float, **changes: object) -> Hit:
        """Return a copy with a new score (and optionally other fields)."""
        return replace(self, score=score, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SearchFilters:
    """Restrict a search to documents (file names) and/or manufacturers/products."""

    files: tuple[str, ...] = ()
    manufacturers: tuple[str, ...] = ()  # matched case-insensitively against document metadata
    products: tuple[str, ...] = ()  # substring match against document title / file name

    @property
    def active(self) -> bool:
        """Tell whether any filter is set."""
        return bool(self.files or self.manufacturers or self.products)


@dataclass(frozen=True)
class SearchOptions:
    """Per-query knobs; defaults are the tuned production setting."""

    k: int = 5
    filters: SearchFilters = field(default_factory=SearchFilters)
    mode: str = "hybrid"  # "hybrid" | "hybrid-rrf" (fusion baseline) | "dense" | "lexical"
    rerank: bool = True  # use the configured reranker if any
