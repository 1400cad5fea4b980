"""Lexical search over the chunk store's FTS5 table (BM25 on our normalised terms)."""

from __future__ import annotations

import sqlite3

from nikdesk.core.text import raw_tokens, terms
from nikdesk.retrieval.glossary import expand

MAX_TERMS = 48  # FTS5 cost grows with OR-terms; long questions rarely need more


COMPOUND_MIN = 9  # German compounds at least this long are split against the vocabulary
HEAD_MIN = 5


def load_frequencies(conn: sqlite3.Connection) -> dict[str, int]:
    """Return each index term with the number of chunks it occurs in."""
    try:
        return {r[0]: int(r[1]) for r in conn.execute("SELECT term, doc FROM chunks_vocab")}
    except sqlite3.OperationalError:  # bundle written before the vocabulary table existed
        return {}


def load_vocabulary(frequencies: dict[str, int]) -> frozenset[str]:
    """Return the index terms that occur in at least two chunks."""
    return frozenset(term for term, chunks in frequencies.items() if chunks >= 2)


def compound_heads(query: str, vocabulary: frozenset[str]) -> list[str]:
    """Return index terms that end a long German word of the question.

    "Bemessungsfehlerstrom" finds pages saying "Fehlerstrom", "FI-Schutzschalter" pages
    saying "Schutzschalter": the head of a German compound carries its meaning.
    """
    heads: list[str] = []
    for token in raw_tokens(query):
        if not token.isalpha() or len(token) < COMPOUND_MIN:
            continue
        for start in range(2, len(token) - HEAD_MIN + 1):
            head_terms = terms(token[start:])
            if any(t in vocabulary for t in head_terms):
                heads += [t for t in head_terms if t in vocabulary]
                break
    return heads


def query_terms(
    query: str, *, use_glossary: bool = True, vocabulary: frozenset[str] = frozenset()
) -> list[str]:
    """Return the distinct terms of ``query`` (+ compound heads, English glossary terms)."""
    found = terms(query, drop_stopwords=True)
    if vocabulary:
        found += compound_heads(query, vocabulary)
    if use_glossary:
        found += expand(query)
    return list(dict.fromkeys(found))[:MAX_TERMS]


def lexical_search(
    conn: sqlite3.Connection,
    query: str,
    limit: int,
    id_ranges: list[tuple[int, int]] | None = None,
    vocabulary: frozenset[str] = frozenset(),
) -> list[tuple[int, float]]:
    """Return (chunk id, bm25 score; higher is better) for the best-matching chunks."""
    words = query_terms(query, vocabulary=vocabulary)
    if not words:
        return []
    match = " OR ".join('"' + w.replace('"', "") + '"' for w in words)
    sql = "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ?"
    params: list[object] = [match]
    if id_ranges:
        sql += " AND (" + " OR ".join("rowid BETWEEN ? AND ?" for _ in id_ranges) + ")"
        params += [bound for pair in id_ranges for bound in pair]
    sql += " ORDER BY bm25(chunks_fts) LIMIT ?"
    params.append(limit)
    return [(int(r[0]), float(r[1])) for r in conn.execute(sql, params)]
