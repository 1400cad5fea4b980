"""The sidebar's chat search: folded text of titles and messages in the ``chat_search`` table.

Folding (case, umlauts, ß, accents) lets ``Schütz`` find ``Schuetz`` and ``Straße`` find
``Strasse``. The table is local and rebuildable, never synced.
"""

from __future__ import annotations

import sqlite_utils

from nikdesk.core.text import fold


def index_text(
    db: sqlite_utils.Database, row_id: str, session_id: str, kind: str, text: str
) -> None:
    """Store the folded ``text`` of a title or message (``kind``) of a session."""
    db.table("chat_search").upsert(
        {"row_id": row_id, "session_id": session_id, "kind": kind, "text": fold(text)},
        pk="row_id",
    )


def session_filter(query: str) -> tuple[list[str], list[str]]:
    """Return SQL conditions on ``sessions`` (and their arguments) for a search ``query``.

    They keep sessions whose title or any message contains every word of the query, folded.
    """
    where: list[str] = []
    args: list[str] = []
    for word in fold(query).split():
        where.append("id IN (SELECT session_id FROM chat_search WHERE text LIKE ? ESCAPE '\\')")
        args.append(f"%{_escape_like(word)}%")
    return where, args


def rebuild_index(db: sqlite_utils.Database) -> None:
    """Recompute the folded text of every title and message (inside the caller's transaction)."""
    db.execute("DELETE FROM chat_search")
    for row in db.query("SELECT id, title FROM sessions"):
        index_text(db, row["id"], row["id"], "title", row["title"])
    for row in db.query("SELECT id, session_id, text FROM messages WHERE deleted = 0"):
        index_text(db, row["id"], row["session_id"], "message", row["text"])


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
