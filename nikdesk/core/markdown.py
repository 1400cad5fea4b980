"""Markdown text that shows what it quotes."""

from __future__ import annotations

import re

# a "<" that Markdown takes for the start of an HTML tag ("<cr>", "</b>", "<!--") and drops
# with the rest of the line; "< 1 MΩ", "<0.5W" and an escaped "\<" open none
_TAG_START = re.compile(r"(?<!\\)<(?=[A-Za-z/!?])")


def escape_tags(markdown: str) -> str:
    """Escape each "<" of ``markdown`` that would open an HTML tag ("QPIGS2<cr>: Device …")."""
    return _TAG_START.sub(r"\\<", markdown)
