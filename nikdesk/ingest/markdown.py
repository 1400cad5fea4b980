"""Parse Markdown and MDX documentation pages into headings, text blocks and table rows."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from nikdesk.core.errors import BadDocument
from nikdesk.ingest.text import clean_inline, detect_language, meaningful_title, normalize_text
from nikdesk.ingest.types import Block, BlockKind, ParsedDocument

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FM_TITLE = re.compile(r"^title:[ \t]*(.+?)[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# MDX module lines: `import X from "..."` (possibly over several lines) and `export ...`.
_ESM = re.compile(
    r"^import\s[^;'\"]*?\bfrom\s*(['\"])[^'\"\n]*\1;?[ \t]*$"
    r"|^import\s+(['\"])[^'\"\n]*\2;?[ \t]*$|^export\s[^\n]*$",
    re.MULTILINE,
)
# Starlight asides `:::note[Hinweis]` ... `:::`: keep the label, drop the fences.
_ASIDE = re.compile(r"^[ \t]*:::[\w-]*(?:\[([^\]\n]*)\])?[ \t]*$", re.MULTILINE)
_ATTR = r"""[\w:.-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|\{[^{}]*\}|[^\s"'>/=]+))?"""
_TAG = re.compile(rf"<(/?)([A-Za-z][\w.:-]*)((?:\s+{_ATTR})*)\s*(/?)>")
_LABEL_ATTR = re.compile(r"""\b(?:label|title)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ALT_ATTR = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# HTML that plain Markdown pages use; other "<Word>" in a .md page may be prose ("<ENTER>").
_HTML_NAMES = (
    "a abbr b br code details div em i img kbd p pre s small span strong sub summary sup "
    "table tbody td th thead tr u ul ol li hr h1 h2 h3 h4 h5 h6 center font"
)
_HTML_TAGS = frozenset(_HTML_NAMES.split())
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Alt texts that only repeat a file name: "wiring_diagram_3phasev3 1", "image.png", "Bild1".
_IMAGE_NAME = re.compile(
    r"\.(?:png|jpe?g|gif|svg|webp|bmp)\b|^(?:image|img|bild|screenshot)\s*\d*$|^\S*_\S*(?:\s\d+)?$",
    re.IGNORECASE,
)

_MD = MarkdownIt("commonmark").enable("table")


def parse_markdown(path: Path) -> ParsedDocument:
    """Parse a .md/.mdx page; all blocks are on page 1 and carry their nearest heading."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadDocument(path, f"cannot read file: {exc}", "unreadable") from exc
    if not raw:
        raise BadDocument(path, "zero-byte file", "empty")
    source = raw.decode("utf-8-sig", errors="replace")
    fm_title, body = _split_front_matter(source)
    walker = _Walker()
    blocks = tuple(walker.walk(_MD.parse(strip_markup(body, mdx=path.suffix.lower() == ".mdx"))))
    if not blocks:
        raise BadDocument(
            path, "no text: the page holds only markup, images or front matter", "no_text"
        )
    title = meaningful_title(fm_title) or walker.first_h1 or path.stem.replace("_", " ")
    return ParsedDocument(
        path=path,
        title=title,
        language=detect_language(" ".join(b.text for b in blocks)[:100_000]),
        page_count=1,
        blocks=blocks,
    )


def _split_front_matter(source: str) -> tuple[str, str]:
    """Return (front-matter title or "", body without the front matter)."""
    match = _FRONT_MATTER.match(source)
    if not match:
        return "", source
    title = _FM_TITLE.search(match.group(1))
    value = title.group(1).strip().strip("\"'") if title else ""
    return value, source[match.end() :]


def strip_markup(body: str, *, mdx: bool) -> str:
    """Remove comments, MDX imports/exports and HTML/JSX tags outside code fences.

    Container components (``<Tabs>``, ``<TabItem label="x">``) keep their content and
    a label; self-closing ones (``<Screenshot ... />``) disappear.
    """
    out: list[str] = []
    prose: list[str] = []
    fence = ""
    for line in body.splitlines(keepends=True):
        marker = _FENCE.match(line)
        if fence:
            out.append(line)
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = ""
            continue
        if marker:
            out.append(_strip_prose("".join(prose), mdx))
            prose = []
            fence = marker.group(1)
            out.append(line)
            continue
        prose.append(line)
    out.append(_strip_prose("".join(prose), mdx))
    return "".join(out)


def _strip_prose(text: str, mdx: bool) -> str:
    """Strip markup from a stretch of Markdown that holds no code fence."""
    text = _COMMENT.sub("", text)
    if mdx:
        text = _ESM.sub("", text)
        text = _ASIDE.sub(lambda m: f"{m.group(1)}:" if m.group(1) else "", text)

    def replace(match: re.Match[str]) -> str:
        closing, name, attrs, self_closing = match.groups()
        lower = name.lower()
        if lower not in _HTML_TAGS and not (mdx and name[0].isupper()):
            return match.group(0)  # not markup we know: leave the text alone
        if lower == "br":
            return match.group(0)  # markdown-it keeps it inline; it becomes a line break
        if lower == "img":
            alt = _ALT_ATTR.search(attrs)
            return _meaningful_alt(next(filter(None, alt.groups()), "")) if alt else ""
        label = _LABEL_ATTR.search(attrs) if not (closing or self_closing) else None
        if label and name[0].isupper():  # <TabItem label="Linux"> names what follows
            return f"\n\n{next(filter(None, label.groups()), '')}:"  # joins the next line
        return ""

    return _TAG.sub(replace, text)


def _meaningful_alt(alt: str) -> str:
    """Keep image alt text that describes something, not a file name or "image"."""
    alt = clean_inline(alt)
    return alt if sum(c.isalpha() for c in alt) >= 3 and not _IMAGE_NAME.search(alt) else ""


def _inline_text(token: Token) -> str:
    """Render an inline token as plain text: link text kept, targets and images' URLs gone."""
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "image":
            parts.append(_meaningful_alt(child.content))
        elif child.type == "html_inline":
            parts.append("\n" if _BREAK.fullmatch(child.content) else _TAG.sub("", child.content))
    return "\n".join(normalize_text(line).strip() for line in "".join(parts).split("\n")).strip()


class _Walker:
    """Turn markdown-it tokens into blocks, tracking section, lists and tables."""

    def __init__(self) -> None:
        self.section = ""
        self.first_h1 = ""
        self.pending: list[str] = []  # paragraphs and list items of one text block
        self.lists: list[list[int]] = []  # per open list: [is_ordered, next number]
        self.item_prefix = ""
        self.rows: list[list[str]] = []
        self.tables = 0

    def walk(self, tokens: Sequence[Token]) -> Iterator[Block]:
        """Yield the blocks of a parsed page in order."""
        for i, tok in enumerate(tokens):
            kind = tok.type
            if kind == "heading_open":
                yield from self._flush()
                text = clean_inline(_inline_text(tokens[i + 1]))
                if text:
                    self.section = text
                    self.first_h1 = self.first_h1 or (text if tok.tag == "h1" else "")
                    yield self._block(BlockKind.HEADING, text)
            elif kind in ("bullet_list_open", "ordered_list_open"):
                start = int(tok.attrs.get("start", 1) or 1)
                self.lists.append([kind == "ordered_list_open", start])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
                if not self.lists:
                    yield from self._flush()
            elif kind == "list_item_open" and self.lists:
                ordered, number = self.lists[-1]
                self.lists[-1][1] += 1
                indent = "  " * (len(self.lists) - 1)
                self.item_prefix = indent + (f"{number}. " if ordered else "- ")
            elif kind == "inline" and tokens[i - 1].type == "paragraph_open":
                self._add_paragraph(_inline_text(tok))
            elif kind == "paragraph_close" and not self.lists:
                yield from self._flush()
            elif kind in ("fence", "code_block") and tok.content.strip():
                yield from self._flush()
                yield self._block(BlockKind.TEXT, tok.content.rstrip())
            elif kind == "html_block":
                self._add_paragraph(normalize_text(_TAG.sub("", tok.content)).strip())
            else:
                yield from self._table_token(tok, tokens, i)
        yield from self._flush()

    def _table_token(self, tok: Token, tokens: Sequence[Token], i: int) -> Iterator[Block]:
        """Collect table cells; emit header and rows when the table closes."""
        if tok.type == "table_open":
            yield from self._flush()
            self.rows = []
        elif tok.type == "tr_open":
            self.rows.append([])
        elif tok.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            self.rows[-1].append(clean_inline(_inline_text(tok)))
        elif tok.type == "table_close":
            rows = [" | ".join(cell for cell in row if cell) for row in self.rows]
            rows = [row for row in rows if row]
            if rows:
                self.tables += 1
            for n, row in enumerate(rows):
                kind = BlockKind.TABLE_HEADER if n == 0 else BlockKind.TABLE_ROW
                yield self._block(kind, row, self.tables)

    def _add_paragraph(self, text: str) -> None:
        """Queue a paragraph (with its list marker) for the current text block."""
        if text:
            self.pending.append(self.item_prefix + text)
        self.item_prefix = ""

    def _flush(self) -> Iterator[Block]:
        """Emit the queued paragraphs as one TEXT block."""
        text = "\n".join(self.pending).strip()
        self.pending = []
        if text:
            yield self._block(BlockKind.TEXT, text)

    def _block(self, kind: BlockKind, text: str, table_id: int | None = None) -> Block:
        """Make a page-1 block in the current section."""
        return Block(page=1, kind=kind, text=text, section=self.section, table_id=table_id)
