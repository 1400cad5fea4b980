"""Lexical search over the chunk store's FTS5 table (BM25 on our normalised terms)."""

from __future__ import annotations

import sqlite3

from nikdesk.retrieval.glossary import expand
from nikdesk.retrieval.normalize import terms

MAX_TERMS = 48  # FTS5 cost grows with OR-terms; long questions rarely need more


def query_terms(query: str, *, use_glossary: bool = True) -> list[str]:
    """Return the distinct terms of ``query`` (+ English glossary terms), in order."""
    found = terms(query, drop_stopwords=True)
    if use_glossary:
        found += expand(query)
    return list(dict.fromkeys(found))[:MAX_TERMS]


def lexical_search(
    conn: sqlite3.Connection,
    query: str,
    limit: int,
    id_ranges: list[tuple[int, int]] | None = None,
) -> list[tuple[int, float]]:
    """Return (chunk id, bm25 score; higher is better) for the best-matching chunks."""
    words = query_terms(query)
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
