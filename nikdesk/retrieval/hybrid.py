"""Hybrid retrieval: dense + lexical candidates, fused, collapsed per page, optionally reranked."""

from __future__ import annotations

import difflib
import math
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from nikdesk.core.errors import IndexMismatch
from nikdesk.core.text import fold, is_english, raw_tokens
from nikdesk.retrieval.bundle import IndexManifest, open_sqlite_readonly, read_manifest
from nikdesk.retrieval.dense import DenseIndex
from nikdesk.retrieval.embedders import Embedder
from nikdesk.retrieval.filler import is_filler_passage
from nikdesk.retrieval.lexical import (
    lexical_search,
    load_frequencies,
    load_vocabulary,
    query_terms,
)
from nikdesk.retrieval.rerank import Reranker
from nikdesk.retrieval.routing import DocumentRouter
from nikdesk.retrieval.types import Chunk, Hit, SearchFilters, SearchOptions

CANDIDATES = 40  # per retriever and scope, before fusion
CODE_CANDIDATES = 200  # passages of the named manuals quoting the question's codes
# Fusion and boosts were measured on the dev + team question sets (70 questions); every score
# below is in units of "the best hit of one retriever list" (1.0).
FUSION = "relative"  # "relative" (normalised scores) or "rrf"
RRF_K = 10  # only for FUSION = "rrf"
DENSE_WEIGHT = 0.6  # lexical lists weigh 1.0 (dense 0.6-0.75 measured best on 70 questions)
RERANK_DEPTH = 30
QUERY_VECTORS = 32  # recent questions whose embedding is kept
PER_DOC_CAP = 3  # pages per document in the top k for questions that name no device
ROUTE_SHARE = 0.5  # documents scoring at least this share of the best-named one are "routed"
CODE_BOOST = 0.3  # chunk defining all exact codes of the question (E050, 40069)
ERROR_BOOST = 3.0  # chunk defining all error codes the question names ("Error 303")
ROUTE_BOOST = 0.5  # chunks of the documents the question names
MIN_WEIGHT = 0.15  # the weight of a word on every page (see Retriever.term_weights)
# a filler passage (title page, caption, table notes: see filler.py) that shares the question's
# words says nothing of it: its score is scaled by this (tuning sets: hit@5 0.941 -> 0.945)
FILLER_SEARCH_WEIGHT = 0.7
# a noun this long counts as printed when it begins or ends a compound the index holds
# whose other part (COMPOUND_REST letters or more) is an index term too
NOUN_PART = 4
COMPOUND_REST = 3
TYPO_MIN = 6  # a noun this long counts as printed one letter off an index term
NEAR_SPELLING = 0.85  # difflib ratio: "batterei" ~ "batteri"
_WORD_EDGE = re.compile(r"^\W+|\W+$")


@dataclass(frozen=True)
class DocumentInfo:
    """A document of the open bundle, with the range of its chunk ids."""

    doc_id: str
    file: str
    title: str
    manufacturer: str
    first_chunk: int
    last_chunk: int


class Retriever:
    """Search one index bundle. Load once, query many times (thread-safe for reads)."""

    def __init__(
        self,
        bundle: Path,
        embedder: Embedder | None,
        reranker: Reranker | None = None,
        manifest: IndexManifest | None = None,
    ):
        self.path = bundle
        self.manifest: IndexManifest = manifest or read_manifest(bundle)
        if embedder is not None and (
            embedder.name != self.manifest.embedder.name
            or embedder.dim != self.manifest.embedder.dim
        ):
            built, wanted = self.manifest.embedder, embedder
            raise IndexMismatch(
                en=f"The index at {bundle} was built with embedder '{built.name}' "
                f"({built.dim} dims) but '{wanted.name}' ({wanted.dim} dims) "
                f"is configured. Use --embedder {built.name} or rebuild the index.",
                de=f"Der Index unter {bundle} wurde mit dem Modell „{built.name}“ gebaut, "
                f"eingestellt ist „{wanted.name}“. Bitte den Index in der Bibliothek neu aufbauen "
                "oder das passende Modell wählen.",
            )
        self.embedder = embedder
        # the policy asks again about the question just searched (best_cosine): embed it once
        self._embed_query = (
            lru_cache(maxsize=QUERY_VECTORS)(embedder.embed_query) if embedder else None
        )
        self.reranker = reranker
        self._db = open_sqlite_readonly(bundle / "chunks.sqlite")
        try:
            self._dense = DenseIndex(bundle / "vectors.faiss")
        except BaseException:
            self._db.close()
            raise
        self.documents = [
            DocumentInfo(**dict(r))
            for r in self._db.execute(
                "SELECT doc_id, file, title, manufacturer, first_chunk, last_chunk FROM documents"
            )
        ]
        self._frequencies = load_frequencies(self._db)
        self._vocabulary = load_vocabulary(self._frequencies)
        self.router = DocumentRouter(
            (d.doc_id, d.file, d.title, d.manufacturer) for d in self.documents
        )
        self.router.set_common(self.document_texts)

    def search(self, query: str, options: SearchOptions | None = None) -> list[Hit]:
        """Return the best hits for ``query``, at most one per page, best first."""
        options = options or SearchOptions()
        ranges = self._id_ranges(options.filters)
        if ranges == []:
            return []  # filters matched no document
        use_dense = options.mode != "lexical" and self.embedder is not None
        use_lexical = options.mode != "dense" or self.embedder is None
        vector = self._embed_query(query) if use_dense and self._embed_query else None
        routed = self._routed_ranges(query, ranges)
        dense: list[list[tuple[int, float]]] = []  # whole library first, then named documents
        lexical: list[list[tuple[int, float]]] = []
        for scope in [ranges] + ([routed] if routed else []):
            if vector is not None:
                dense.append(self.dense_candidates(vector, scope))
            if use_lexical:
                # within the named device's manuals its name is no evidence for a page
                words = self.without_names(query) if scope is routed else query
                lexical.append(self.lexical_candidates(words or query, scope))
        lists = [(DENSE_WEIGHT, found) for found in dense] + [(1.0, found) for found in lexical]
        fusion = "rrf" if options.mode == "hybrid-rrf" else FUSION
        fused = _rrf(lists) if fusion == "rrf" else _relative(lists)
        # model numbers ("3000TL-X", "DDSU666") are routing's business, not codes to quote
        codes = pinning_codes(code_tokens(query) - self.router.names) | field_names(query)
        if codes and routed and use_lexical:
            # "ERR 20": the row "Bulk time limit exceeded | 20" shares no other word with the
            # question, and "20" stands in many rows; every passage of the named manuals
            # quoting the code is a candidate, for the boost below to judge
            known = {cid for cid, _ in fused}
            scan = self.lexical_candidates(" ".join(sorted(codes)), routed, CODE_CANDIDATES)
            fused += [(cid, 0.0) for cid, _ in scan if cid not in known]
        chunks = self.chunks([cid for cid, _ in fused])
        fused = _boost(fused, chunks, routed, codes, error_codes(query) & codes)
        hits = self._collapse_pages(fused, chunks, dense, lexical, codes)
        if options.rerank and self.reranker is not None and hits:
            head = self.reranker.rerank(query, hits[:RERANK_DEPTH])
            hits = head + hits[RERANK_DEPTH:]
        if not routed and not options.filters.active:
            hits = _spread(hits, options.k)
        return hits[: options.k]

    def best_cosine(self, query: str, filters: SearchFilters | None = None) -> float | None:
        """Return the best cosine of ``query`` over the library or the ``filters``' documents
        (None: no embedder).

        The hits of :meth:`search` carry a cosine only when the dense search found them too;
        when all of them came from the lexical search, this is how close the library gets.
        """
        if self._embed_query is None:
            return None
        scope = self._id_ranges(filters or SearchFilters())
        if scope == []:
            return 0.0
        found = self.dense_candidates(self._embed_query(query), scope)
        return max((cosine for _, cosine in found), default=0.0)

    def known_share(self, query: str) -> tuple[float, list[str]]:
        """Return how much of what ``query`` names the library prints, and the nouns it never does.

        Only words that name a topic count: a noun written with a capital ("Brot", "Lüfter",
        "Munich"), not a sentence's first word, a verb or filler ("riecht", "meckert",
        "lautet"), an abbreviation in capitals ("CEE", "8N1") or a code. Each weighs by its
        rarity over all chunks (a word on most pages says little); a noun printed in no
        chunk, in no form, no translation, not inside a longer word ("Lampe" ending "Statuslampe")
        and not one letter off ("Batterei"), weighs fully. "Wie backe ich ein Brot?": share
        0, unknown ["Brot"]. 1.0 when a bundle keeps no term statistics (it cannot tell).
        """
        if not self._frequencies:
            return 1.0, []
        chunk_count = sum(d.last_chunk - d.first_chunk + 1 for d in self.documents)
        top = math.log(chunk_count + 1)
        known = total = 0.0
        unknown: list[str] = []
        for word in _topic_words(query):
            found = query_terms(word, vocabulary=self._vocabulary)
            if not found:
                continue  # a stopword
            chunks = max(self._frequencies.get(term, 0) for term in found)
            if chunks:
                weight = math.log((chunk_count + 1) / (chunks + 0.5)) / top
                known += weight
                total += weight
            elif self._inside_vocabulary(found):
                known += 1.0
                total += 1.0
            else:
                total += 1.0
                unknown.append(word)
        return (known / total if total else 1.0), list(dict.fromkeys(unknown))

    def _inside_vocabulary(self, found: list[str]) -> bool:
        """Tell whether a term ends or begins a compound the index holds, or is a typo of one.

        The compound's other part must be an index term too (a linking "s" allowed):
        "statuslamp" holds "lamp", "anschlusskast" holds "kast", "hitzeableit" holds "hitz";
        "abschaltautomat" holds no "tomat". A typo: one letter off a term of about the same
        length, for terms of TYPO_MIN letters ("batterei" ~ "batteri"; "brot" is no "rot").
        """
        known = self._frequencies
        for term in (t for t in found if len(t) >= NOUN_PART):
            for other in known:
                rest = _compound_rest(other, term)
                if rest and (rest in known or rest[:-1] in known or rest[1:] in known):
                    return True
            if len(term) >= TYPO_MIN:
                near = [t for t in known if abs(len(t) - len(term)) <= 1]
                if difflib.get_close_matches(term, near, n=1, cutoff=NEAR_SPELLING):
                    return True
        return False

    def dense_candidates(
        self, vector: np.ndarray, scope: list[tuple[int, int]] | None
    ) -> list[tuple[int, float]]:
        """Return (chunk id, cosine) of the nearest chunks within ``scope``."""
        return self._dense.search(vector, CANDIDATES, scope)

    def lexical_candidates(
        self, query: str, scope: list[tuple[int, int]] | None, limit: int = CANDIDATES
    ) -> list[tuple[int, float]]:
        """Return (chunk id, bm25) of the ``limit`` best lexical matches within ``scope``."""
        return lexical_search(self._db, query, limit, scope, self._vocabulary)

    def without_names(self, query: str) -> str:
        """Return ``query`` without the words naming a device ("Growatt", "MIC", "3000TL-X")."""
        codes = code_tokens(query)
        models = codes - pinning_codes(codes)
        names = self.router.names | models
        # a word whose joined form is a name ("3000TL-X" -> "3000tlx") goes with its pieces
        kept = [
            w
            for w in query.split()
            if not (tokens := raw_tokens(w)) or not (tokens[0] in names or set(tokens) <= names)
        ]
        return " ".join(kept)

    def term_weights(self, words: Iterable[str], query: str) -> dict[str, float]:
        """Return index term -> weight in (0, 1]: how much a line sharing it says.

        Counted within the documents ``query`` names (the whole library when it names
        none): a word on most pages of the named manual ("MIC", "3000TL", "Datamanager")
        says which manual, not which line; a word on one page ("303", "Baudrate") pins the
        line down. An inverse document frequency over those documents' chunks, scaled so a
        word in one chunk weighs 1.
        """
        ranges = self._routed_ranges(query, None) or [
            (d.first_chunk, d.last_chunk) for d in self.documents
        ]
        total = sum(last - first + 1 for first, last in ranges)
        top = math.log((total + 1) / 1.5)
        weights: dict[str, float] = {}
        for word in dict.fromkeys(words):
            if not word or '"' in word:
                continue
            found = self.chunks_with(word, ranges)
            weights[word] = min(1.0, max(MIN_WEIGHT, math.log((total + 1) / (found + 0.5)) / top))
        return weights

    def chunk_frequency(self, term: str) -> int:
        """Return the number of the library's chunks holding index term ``term``."""
        return self._frequencies.get(term, 0)

    def chunks_with(self, word: str, ranges: list[tuple[int, int]]) -> int:
        """Return the number of chunks within ``ranges`` (chunk ids) holding index term ``word``."""
        where = " OR ".join("rowid BETWEEN ? AND ?" for _ in ranges)
        bounds = [b for pair in ranges for b in pair]
        sql = f"SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ? AND ({where})"
        try:
            return int(self._db.execute(sql, ['"' + word + '"', *bounds]).fetchone()[0])
        except sqlite3.OperationalError:  # a word FTS5 cannot parse weighs fully
            return 0

    def _routed_ranges(
        self, query: str, allowed: list[tuple[int, int]] | None
    ) -> list[tuple[int, int]]:
        """Return the chunk id ranges of the documents the question names (within filters)."""
        scores = self.router.scores(query)
        if not scores:
            return []
        best = max(scores.values())
        allowed_set = set(allowed) if allowed is not None else None
        return [
            (d.first_chunk, d.last_chunk)
            for d in self.documents
            if scores.get(d.doc_id, 0) >= ROUTE_SHARE * best
            and (allowed_set is None or (d.first_chunk, d.last_chunk) in allowed_set)
        ]

    def _id_ranges(self, filters: SearchFilters) -> list[tuple[int, int]] | None:
        if not filters.active:
            return None
        files = {f.lower() for f in filters.files}
        makers = {m.lower() for m in filters.manufacturers}
        products = [p.lower() for p in filters.products]
        ranges = []
        for doc in self.documents:
            if files and doc.file.lower() not in files:
                continue
            if makers and doc.manufacturer.lower() not in makers:
                continue
            haystack = f"{doc.title} {doc.file}".lower()
            if products and not any(p in haystack for p in products):
                continue
            ranges.append((doc.first_chunk, doc.last_chunk))
        return ranges

    def _collapse_pages(
        self,
        fused: list[tuple[int, float]],
        chunks: dict[int, Chunk],
        dense: list[list[tuple[int, float]]],
        lexical: list[list[tuple[int, float]]],
        codes: set[str],
    ) -> list[Hit]:
        """Return one hit per (document, page): a page is what a citation points at.

        The page ranks by its best chunk; the chunk shown is the one quoting the question's
        codes if any (the "Error: 203" row rather than its neighbour on the same page).
        """
        dense_rank, lexical_rank = _ranks(dense), _ranks(lexical)
        pages: dict[tuple[str, int], list[tuple[int, float]]] = {}
        for cid, score in fused:
            chunk = chunks[cid]
            pages.setdefault((chunk.doc_id, chunk.page_start), []).append((cid, score))
        hits = []
        for members in pages.values():  # dicts keep insertion order: best page first
            best_score = members[0][1]
            cid = members[0][0]
            if codes and len(members) > 1:
                cid = max(members, key=lambda m: (_code_match(chunks[m[0]].text, codes), m[1]))[0]
            d_rank, d_score = dense_rank.get(cid, (None, None))
            l_rank, l_score = lexical_rank.get(cid, (None, None))
            hits.append(
                Hit(
                    chunks[cid],
                    best_score,
                    d_rank,
                    l_rank,
                    dense_score=d_score,
                    lexical_score=l_score,
                )
            )
        return hits

    def chunks(self, ids: list[int]) -> dict[int, Chunk]:
        """Fetch chunks by id."""
        if not ids:
            return {}
        files = {d.doc_id: d.file for d in self.documents}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            "SELECT id, doc_id, page_start, page_end, section, kind, text FROM chunks "
            f"WHERE id IN ({marks})",
            ids,
        )
        return {r["id"]: Chunk(file=files[r["doc_id"]], **dict(r)) for r in rows}

    def document_texts(self) -> dict[str, str]:
        """Return each document's whole text (chunks in reading order), by doc id."""
        out: dict[str, list[str]] = {}
        for row in self._db.execute("SELECT doc_id, text FROM chunks ORDER BY id"):
            out.setdefault(row["doc_id"], []).append(row["text"])
        return {doc: "\n".join(texts) for doc, texts in out.items()}

    def sections(self) -> dict[str, set[str]]:
        """Return each document's section headings, by doc id."""
        out: dict[str, set[str]] = {}
        for row in self._db.execute("SELECT DISTINCT doc_id, section FROM chunks"):
            out.setdefault(row["doc_id"], set()).add(row["section"] or "")
        return out

    def page_text(self, chunk: Chunk) -> str:
        """Return the text of every chunk starting on ``chunk``'s first page, in reading order.

        A page is often cut into several chunks; the hit is one of them, the value asked
        for may stand in another ("Absicherung | A | 16 | 25" beside "FI-Schutzschalter").
        """
        return "\n".join(c.text for c in self.page_chunks(chunk))

    def page_chunks(self, chunk: Chunk) -> list[Chunk]:
        """Return every chunk starting on ``chunk``'s first page, in reading order."""
        rows = self._db.execute(
            "SELECT id, doc_id, page_start, page_end, section, kind, text FROM chunks "
            "WHERE doc_id = ? AND page_start = ? ORDER BY id",
            (chunk.doc_id, chunk.page_start),
        )
        return [Chunk(file=chunk.file, **dict(r)) for r in rows] or [chunk]

    def close(self) -> None:
        """Release the chunk store."""
        self._db.close()


_DECIMAL_TOKEN = re.compile(r"^\d+p\d+$")
# the words calling a number an error ("ERR 33", "Fehler 03", "Warning 203")
ERROR_WORDS = r"err(?:or)?|fehler(?:code)?|code|alarm|warn(?:ing|ung)?|fault|st(?:oe|ö)rung"
# "ERR 33", "Fehler: 2"; and a code with a word naming its number between ("fault code wert
# 26", "Fehlercode Nr. 26", "error number 26"): a word apart, after a word for the code only
# ("Alarmwert 50 %" is a threshold, "fault: no 230 V grid" no error 230)
_NUMBER_WORD = r"(?:wert|value|nummer|number|nr\.|no\.)"
_ERROR_WORD = re.compile(
    rf"\b(?:{ERROR_WORDS})\s*[:#=]?\s*(\d{{1,4}})\b"
    rf"|\b(?:err(?:or)?|fehler(?:code)?|code|fault)\s+{_NUMBER_WORD}\s*[:#=]?\s*(\d{{1,4}})\b"
    r"(?!\s?(?:%|°|grad))",
    re.IGNORECASE,
)


def _ranks(lists: list[list[tuple[int, float]]]) -> dict[int, tuple[int, float]]:
    """Map chunk id -> (1-based rank, raw score) from the first list that holds it."""
    out: dict[int, tuple[int, float]] = {}
    for found in lists:
        for rank, (cid, value) in enumerate(found, 1):
            out.setdefault(cid, (rank, value))
    return out


def _spread(hits: list[Hit], k: int) -> list[Hit]:
    """Cap pages per document in the top k when the question names no device.

    "Where do I set the feed-in limit?" fits several manuals; the technician should see
    candidates from more than one of them rather than five pages of the first.
    """
    if PER_DOC_CAP <= 0:
        return hits
    top: list[Hit] = []
    rest: list[Hit] = []
    per_doc: dict[str, int] = {}
    for hit in hits:
        n = per_doc.get(hit.chunk.doc_id, 0)
        if len(top) < k and n < PER_DOC_CAP:
            top.append(hit)
            per_doc[hit.chunk.doc_id] = n + 1
        else:
            rest.append(hit)
    return top + rest


def code_tokens(query: str) -> set[str]:
    """Return the exact identifiers in a question: error codes, registers, model numbers."""
    codes = {
        t
        for t in raw_tokens(query)
        if (_has_digit(t) and any(ch.isalpha() for ch in t)) or (t.isdigit() and len(t) >= 3)
    }
    codes.update(_called_errors(query))  # "ERR 33", "Fehler 2", "fault code Nr. 26"
    return codes


# a register's or a field's name as a map prints it: "wAcPowerLimit", "ExternalGenMaxCharge",
# "BMS_UserSOH" (three humps, or words joined by an underscore); not "SmartShunt"
_FIELD = re.compile(
    r"(?<![\w-])(?:[a-z]*(?:[A-Z][a-z0-9]+){3,}|[A-Za-z]+[a-z0-9]*(?:_[A-Za-z0-9]+)+)(?![\w-])"
)


def field_names(query: str) -> set[str]:
    """Return the register or field names ``query`` spells as a map does ("wAcPowerLimit").

    Such a name pins its row down as a code does: the rows of a protocol's revision history
    sharing "Read Holding Registers" with the question outweigh one rare name in a lexical
    search.
    """
    return {fold(m.group()).replace("_", "") for m in _FIELD.finditer(query)}


def _called_errors(text: str) -> set[str]:
    # the numbers ``text`` calls an error, fault or alarm (see _ERROR_WORD's two forms)
    return {m.group(1) or m.group(2) for m in _ERROR_WORD.finditer(text)}


_PIN = re.compile(r"^(\d{1,5}|[a-z]{1,2}\d{2,4}|0x[0-9a-f]+|\d{3,5}h)$")


def error_codes(query: str) -> set[str]:
    """Return the codes a question calls an error, fault or alarm ("ERR 33", "Fehler 03", "F64")."""
    named = _called_errors(query)
    lettered = {t for t in raw_tokens(query) if _ERROR_LETTERED.match(t)}
    return named | lettered


_ERROR_LETTERED = re.compile(r"^[ef]\d{2,3}$")  # "E050", "F64": error/fault numbers by shape


def is_pinning(code: str) -> bool:
    """Tell whether ``code`` has the shape of an error number or register, not a model number."""
    return bool(_PIN.match(code))


def pinning_codes(codes: set[str]) -> set[str]:
    """Return the codes that pin a line down: error numbers, registers ("303", "E050", "0x0FFF").

    A model number ("3000TL-X", "SBR128") says which device; a page defining error 303 need
    not repeat it. Without such codes, all codes count.
    """
    pins = {c for c in codes if is_pinning(c)}
    # "3000" split from "3000TL-X" is part of the model number, no code of its own
    models = codes - pins
    pins = {p for p in pins if not any(p in m for m in models)}
    return pins or codes


def _has_digit(token: str) -> bool:
    return any(ch.isdigit() for ch in token) and not _DECIMAL_TOKEN.match(token)


def _code_match(text: str, codes: set[str]) -> float:
    """Score 0..1: share of the codes quoted, doubled where a line starts with one.

    A line (or table row) that starts with the code defines it ("E050 | Isolationsfehler"),
    whereas "see E050" only refers to it.
    """
    found: set[str] = set()
    defined = False
    for line in text.splitlines():
        tokens = raw_tokens(line)
        hits = codes.intersection(tokens)
        if hits:
            found |= hits
            cells = [c.strip() for c in line.split(" | ")] if " | " in line else []
            named = _called_errors(line)  # "Error: 203"
            defined = (
                defined
                or tokens[0] in codes
                or any(fold(c).replace("_", "") in codes for c in cells)  # "BMS_UserSOH"
                or bool(named & codes)
            )
    return (len(found) / len(codes)) * (1.0 if defined else 0.5)


def _boost(
    fused: list[tuple[int, float]],
    chunks: dict[int, Chunk],
    routed: list[tuple[int, int]],
    codes: set[str],
    errors: frozenset[str] | set[str] = frozenset(),
) -> list[tuple[int, float]]:
    """Lift chunks of the documents the question names and chunks quoting its exact codes.

    Filler passages (a title page, a caption) sink: they share the device's name, not the fact.

    A chunk defining every error code the question names ("Error 303", "ERR 33") is lifted
    most: the rest of the manual shares the device's name, not the code.
    """
    lifted = []
    for cid, score in fused:
        if any(a <= cid <= b for a, b in routed):
            score += ROUTE_BOOST
        if codes:
            match = _code_match(chunks[cid].text, codes)
            defines_errors = bool(errors) and match >= 1.0
            score += (ERROR_BOOST if defines_errors else CODE_BOOST) * match
        if is_filler_passage(chunks[cid]):
            score *= FILLER_SEARCH_WEIGHT
        lifted.append((cid, score))
    return sorted(lifted, key=lambda item: -item[1])


def _relative(ranked: list[tuple[float, list[tuple[int, float]]]]) -> list[tuple[int, float]]:
    """Fuse by relative score: each list min-max normalised to 0..1, weighted, summed.

    Unlike RRF this keeps how far ahead a list's best hit is; on the dev and team question
    sets it scored hit@5 0.87 vs 0.86 for RRF (k=10) and a higher MRR (see the issue note).
    """
    scores: dict[int, float] = {}
    for weight, results in ranked:
        if not results:
            continue
        values = [v for _, v in results]
        low, span = min(values), max(values) - min(values)
        for cid, value in results:
            # a list's only (or all-equal) hits count fully: they are its best
            norm = (value - low) / span if span else 1.0
            scores[cid] = scores.get(cid, 0.0) + weight * norm
    return sorted(scores.items(), key=lambda item: -item[1])


def _rrf(ranked: list[tuple[float, list[tuple[int, float]]]]) -> list[tuple[int, float]]:
    """Fuse weighted ranked lists with reciprocal rank fusion (scaled: a first rank = 1)."""
    scores: dict[int, float] = {}
    for weight, results in ranked:
        for rank, (cid, _) in enumerate(results, 1):
            scores[cid] = scores.get(cid, 0.0) + weight * (RRF_K + 1) / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def _topic_words(query: str) -> list[str]:
    """Return the words of ``query`` that name a topic: nouns, as capitals mark them.

    Not a sentence's first word (capitalised anyway), not a word in capitals ("CEE",
    "SOC": an abbreviation the manuals may spell out), not a word with a digit (a code).
    Where capitals mark no nouns — English ("how do I descale my espresso machine"), German
    typed all in lower case ("wie flick ich nen platten fahradreifen") — every word but a
    stopword and those, each weighed by its rarity like a noun. ("Es riecht verbrannt" is
    German with no noun: no topic word.)
    """
    words: list[str] = []
    plain: list[str] = []
    initial = True
    for raw in query.split():
        word = _WORD_EDGE.sub("", raw)
        noun = word[:1].isupper() and not word.isupper()
        if word and not word.isupper() and not any(c.isdigit() for c in word):
            plain.append(word)
            if not initial and noun:
                words.append(word)
        initial = raw.endswith((".", "!", "?", ":")) or (initial and not word)
    if is_english(query) or query == query.lower():
        return [w for w in plain if len(w) >= 3]
    return words


def _compound_rest(compound: str, part: str) -> str:
    """Return what ``compound`` holds beside ``part`` at its end or start ("" if neither)."""
    if len(compound) - len(part) < COMPOUND_REST:
        return ""
    if compound.endswith(part):
        return compound[: -len(part)]
    return compound[len(part) :] if compound.startswith(part) else ""
