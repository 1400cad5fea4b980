"""Document parsers: source files in, page-exact typed blocks out."""

from __future__ import annotations

from pathlib import Path

from nikdesk.errors import BadDocument
from nikdesk.ingest.markdown import parse_markdown
from nikdesk.ingest.pdf import parse_pdf
from nikdesk.ingest.types import ParsedDocument

SUPPORTED_SUFFIXES = frozenset({".pdf", ".md", ".mdx", ".markdown"})

__all__ = ["SUPPORTED_SUFFIXES", "parse_document", "parse_markdown", "parse_pdf"]


def parse_document(path: Path) -> ParsedDocument:
    """Parse a supported document by its file suffix; raise BadDocument otherwise."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return parse_pdf(path)
    if suffix in SUPPORTED_SUFFIXES:
        return parse_markdown(path)
    supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
    reason = f"unsupported file type '{suffix or path.name}' (supported: {supported})"
    raise BadDocument(path, reason)
