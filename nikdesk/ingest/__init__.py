"""Document parsers: source files in, page-exact typed blocks out.

The parsers (pymupdf pulls in its layout model and onnxruntime, ~110 MB) are imported on
first use, so searching an index never pays for them.
"""

from __future__ import annotations

from pathlib import Path

from nikdesk.core.errors import BadDocument
from nikdesk.ingest.types import ParsedDocument

SUPPORTED_SUFFIXES = frozenset({".pdf", ".md", ".mdx", ".markdown"})

__all__ = ["SUPPORTED_SUFFIXES", "parse_document"]


def parse_document(path: Path) -> ParsedDocument:
    """Parse a supported document by its file suffix; raise BadDocument otherwise."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from nikdesk.ingest.pdf import parse_pdf

        return parse_pdf(path)
    if suffix in SUPPORTED_SUFFIXES:
        from nikdesk.ingest.markdown import parse_markdown

        return parse_markdown(path)
    supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
    reason = f"unsupported file type '{suffix or path.name}' (supported: {supported})"
    raise BadDocument(path, reason, "unsupported")
