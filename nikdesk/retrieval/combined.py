"""Search several bundles as one: the company release plus the technician's own manuals.

The bundles stay separate on disk (an update or rollback swaps the release, never the local
library). Each keeps its own chunk ids; here bundle *i* owns the id range
``[offset_i, offset_i + size_i)``. Fusion happens where a single bundle fuses: the dense
candidates of all bundles form one list ranked by cosine (same embedder, so the scores are
comparable), the lexical candidates one list ranked by BM25 *rescored with statistics of
all bundles together* (FTS5's BM25 takes its IDF from one bundle: in a local library of two
manuals every term is "common" and scores near zero), and then the usual relative fusion,
routing, code boost and per-page collapse of :class:`Retriever` run on top. A bundle with
few documents therefore cannot push its best-but-weak hit to the top the way fusing two
finished result lists would.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import replace

import numpy as np

from nikdesk.core.text import terms
from nikdesk.retrieval.hybrid import CANDIDATES, DocumentInfo, Retriever
from nikdesk.retrieval.lexical import query_terms
from nikdesk.retrieval.rerank import Reranker
from nikdesk.retrieval.routing import DocumentRouter
from nikdesk.retrieval.types import Chunk

log = logging.getLogger(__name__)
BM25_K1 = 1.2  # term-frequency saturation of the shared rescoring (no length normalisation)


class MultiRetriever(Retriever):
    """A Retriever over several open bundles (the first one is the primary)."""

    def __init__(self, parts: list[Retriever], reranker: Reranker | None = None) -> None:
        # no super().__init__: every part already opened its own bundle
        primary = parts[0]
        self.parts = parts
        self.path = primary.path
        self.embedder = primary.embedder
        self._embed_query = primary._embed_query
        self.reranker = reranker
        self.offsets: list[int] = []
        self.sizes: list[int] = []
        documents: list[DocumentInfo] = []
        offset = 0
        for part in parts:
            size = max((d.last_chunk for d in part.documents), default=-1) + 1
            self.offsets.append(offset)
            self.sizes.append(size)
            documents += [
                replace(d, first_chunk=d.first_chunk + offset, last_chunk=d.last_chunk + offset)
                for d in part.documents
            ]
            offset += size
        self.documents = documents
        self.manifest = replace(
            primary.manifest,
            documents=tuple(d for part in parts for d in part.manifest.documents),
            total_chunks=offset,
        )
        self.router = DocumentRouter((d.doc_id, d.file, d.title, d.manufacturer) for d in documents)
        self.router.set_common(self.document_texts)
        # one bundle without term statistics: no word can be called unprinted
        frequencies: Counter[str] = Counter()
        for part in parts:
            frequencies.update(part._frequencies)
        self._frequencies = dict(frequencies) if all(p._frequencies for p in parts) else {}
        self._vocabulary = frozenset().union(*(part._vocabulary for part in parts))
        self._context = {d.doc_id: f"{d.title} {d.manufacturer}" for d in documents}

    # -- candidates: per bundle, ids shifted into the shared range, merged by score --------

    def _scopes(self, scope: list[tuple[int, int]] | None) -> list[list[tuple[int, int]] | None]:
        """Translate a global id scope into each part's local scope ([] = nothing there)."""
        if scope is None:
            return [None] * len(self.parts)
        out: list[list[tuple[int, int]] | None] = []
        for offset, size in zip(self.offsets, self.sizes, strict=True):
            local = [
                (max(a, offset) - offset, min(b, offset + size - 1) - offset)
                for a, b in scope
                if b >= offset and a < offset + size
            ]
            out.append(local)
        return out

    def _merge(self, lists: list[list[tuple[int, float]]]) -> list[tuple[int, float]]:
        merged = [
            (cid + offset, score)
            for offset, found in zip(self.offsets, lists, strict=True)
            for cid, score in found
        ]
        merged.sort(key=lambda item: -item[1])
        return merged[:CANDIDATES]

    def dense_candidates(
        self, vector: np.ndarray, scope: list[tuple[int, int]] | None
    ) -> list[tuple[int, float]]:
        """Return the nearest chunks of all bundles (cosines are comparable: one embedder)."""
        return self._merge(
            [
                part.dense_candidates(vector, local) if local != [] else []
                for part, local in zip(self.parts, self._scopes(scope), strict=True)
            ]
        )

    def lexical_candidates(
        self, query: str, scope: list[tuple[int, int]] | None, limit: int = CANDIDATES
    ) -> list[tuple[int, float]]:
        """Return the ``limit`` best lexical matches of all bundles, with shared statistics."""
        found = [
            (cid + offset, score)
            for part, local, offset in zip(
                self.parts, self._scopes(scope), self.offsets, strict=True
            )
            if local != []
            for cid, score in part.lexical_candidates(query, local, limit)
        ]
        if not found:
            return []
        words = query_terms(query, vocabulary=self._vocabulary)
        idf = self._idf(words)
        chunks = self.chunks([cid for cid, _ in found])
        scored = []
        for cid, _ in found:
            chunk = chunks[cid]
            tf = Counter(terms(f"{self._context[chunk.doc_id]} {chunk.section}\n{chunk.text}"))
            score = sum(idf[w] * tf[w] * (BM25_K1 + 1) / (tf[w] + BM25_K1) for w in words if tf[w])
            scored.append((cid, score))
        scored.sort(key=lambda item: -item[1])
        return scored[:limit]

    def chunks_with(self, word: str, ranges: list[tuple[int, int]]) -> int:
        """Return the number of chunks of all bundles within ``ranges`` holding ``word``."""
        return sum(
            part.chunks_with(word, local)
            for part, local in zip(self.parts, self._scopes(ranges), strict=True)
            if local
        )

    def _idf(self, words: list[str]) -> dict[str, float]:
        """Return the IDF of each word over the chunks of all bundles."""
        total = sum(self.sizes)
        df = dict.fromkeys(words, 0)
        for part in self.parts:
            marks = ",".join("?" * len(words))
            try:
                rows = part._db.execute(
                    f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})", words
                )
            except Exception:  # a bundle without the vocabulary table: counts as absent
                continue
            for term, count in rows:
                df[term] = df.get(term, 0) + int(count)
        return {w: math.log(1 + (total - n + 0.5) / (n + 0.5)) for w, n in df.items()}

    def _part_of(self, cid: int) -> int:
        for i, (offset, size) in enumerate(zip(self.offsets, self.sizes, strict=True)):
            if offset <= cid < offset + size:
                return i
        raise KeyError(cid)

    def chunks(self, ids: list[int]) -> dict[int, Chunk]:
        """Fetch chunks by (global) id from the bundles that hold them."""
        by_part: dict[int, list[int]] = {}
        for cid in ids:
            by_part.setdefault(self._part_of(cid), []).append(cid)
        out: dict[int, Chunk] = {}
        for i, wanted in by_part.items():
            offset = self.offsets[i]
            found = self.parts[i].chunks([cid - offset for cid in wanted])
            out.update({cid + offset: replace(c, id=cid + offset) for cid, c in found.items()})
        return out

    def page_chunks(self, chunk: Chunk) -> list[Chunk]:
        """Return every chunk starting on ``chunk``'s first page, from the bundle holding it."""
        i = self._part_of(chunk.id)
        offset = self.offsets[i]
        found = self.parts[i].page_chunks(replace(chunk, id=chunk.id - offset))
        return [replace(c, id=c.id + offset) for c in found]

    def document_texts(self) -> dict[str, str]:
        """Return every document's whole text, by doc id, from all bundles."""
        out: dict[str, str] = {}
        for part in self.parts:
            out.update(part.document_texts())
        return out

    def sections(self) -> dict[str, set[str]]:
        """Return every document's section headings, by doc id, from all bundles."""
        out: dict[str, set[str]] = {}
        for part in self.parts:
            out.update(part.sections())
        return out

    def close(self) -> None:
        """Close every bundle."""
        for part in self.parts:
            part.close()
