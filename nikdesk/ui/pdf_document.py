"""Open a cited manual with pymupdf for the viewer and find the cited passage on its page.

pymupdf yields the page's words in the very coordinates ingest read the chunk from, which is
what :mod:`nikdesk.ui.highlight` needs to find a passage whose text ingest normalised
(ligatures, hyphenation, table cells joined by " | ") — QtPdf's search only knows the raw text.

pymupdf is imported when a document is opened, never at import time: a laptop that only
searches does not pay its ~110 MB (``tests/unit/test_architecture.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nikdesk.ingest.text import meaningful_title
from nikdesk.ui.highlight import Rect, find_highlight, words_from

if TYPE_CHECKING:
    import pymupdf


class Unviewable(Exception):
    """A manual the viewer cannot show as pages; ``str()`` is the German reason for the user."""


def open_document(path: Path, quote: str = "") -> pymupdf.Document:
    """Open ``path`` as a PDF with at least one page.

    Raise :class:`Unviewable` when the file is missing, no PDF (the message then shows
    ``quote``, the cited text, instead), damaged or locked.
    """
    if not path.is_file():
        raise Unviewable(
            f"Das Handbuch „{path.name}“ liegt auf diesem Laptop nicht vor.\n\n"
            f"Erwartet unter:\n{path}\n\n"
            "Bitte die Datei dorthin kopieren oder unter Datei → Bibliothek… den Ordner mit "
            "den Handbüchern hinzufügen."
        )
    if path.suffix.lower() != ".pdf":  # a Markdown service bulletin, say: no pages to show
        raise Unviewable(
            f"„{path.name}“ ist kein PDF und wird hier nicht als Seite angezeigt.\n\n"
            f"Zitierter Abschnitt:\n{quote}"
        )
    import pymupdf  # here, not at module level: searching must not load the PDF stack

    try:
        doc = pymupdf.open(path, filetype="pdf")
    except (RuntimeError, ValueError) as exc:  # FileDataError is a RuntimeError
        raise Unviewable(damaged(path, exc)) from exc
    if doc.needs_pass:
        doc.close()
        raise Unviewable(
            f"Das Handbuch „{path.name}“ ist passwortgeschützt und kann hier nicht "
            f"angezeigt werden.\n\nDatei:\n{path}"
        )
    if doc.page_count == 0:
        doc.close()
        raise Unviewable(damaged(path, "keine Seiten"))
    return doc


def document_title(doc: pymupdf.Document, path: Path) -> str:
    """Return the manual's title from its metadata, else one made from the file name."""
    meta_title = meaningful_title((doc.metadata or {}).get("title") or "")
    return meta_title or path.stem.replace("_", " ")


def find_passage(page: pymupdf.Page, highlight: str, passage: str) -> list[Rect]:
    """Return the boxes of ``highlight`` (else ``passage``) on ``page``, in unrotated points."""
    words = words_from(page.get_text("words"))
    return find_highlight(words, highlight, passage)


def damaged(path: Path, reason: object, page: int = 0) -> str:
    """Return the German message for a damaged file (or a damaged ``page`` of it)."""
    where = f"Seite {page} des Handbuchs" if page else "Das Handbuch"
    return (
        f"{where} „{path.name}“ lässt sich nicht anzeigen – die Datei ist beschädigt oder "
        f"kein PDF ({reason}).\n\nDatei:\n{path}\n\n"
        "Bitte die Datei neu in die Handbuch-Bibliothek kopieren."
    )


def preload() -> None:
    """Import pymupdf ahead of the first citation (~0.6 s: it pulls in its layout model).

    Safe to run on a worker after the main window is shown; opening a viewer without it works
    too, the first page just takes that much longer.
    """
    import pymupdf  # noqa: F401
