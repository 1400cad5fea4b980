"""German -> English term expansion for lexical search over English manuals."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from nikdesk.core.paths import resources_dir
from nikdesk.core.text import fold, raw_tokens, terms

MIN_SUFFIX = 5  # shortest glossary key matched as the head of a German compound


@lru_cache(maxsize=4)
def load_glossary(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Read resources/glossary/de_en.tsv into folded German term -> English phrases."""
    path = path or resources_dir() / "glossary" / "de_en.tsv"
    if not path.is_file():
        return {}
    table: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if "\t" not in line:
            continue
        german, english = line.split("\t", 1)
        key = fold(german.strip())
        table[key] = tuple(e.strip() for e in english.split("|") if e.strip())
    return table


def expand(query: str, glossary: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """Return extra lexical terms: English equivalents of the German words in ``query``."""
    glossary = load_glossary() if glossary is None else glossary
    if not glossary:
        return []
    keys_by_len = sorted(glossary, key=len, reverse=True)
    extra: list[str] = []
    # in the question's order, each token once: the lexical search keeps the first MAX_TERMS
    # terms, so a set's order (it changes with the process's hash seed) changed the answer
    for token in dict.fromkeys(raw_tokens(query)):
        phrases = glossary.get(token)
        if phrases is None and token.isalpha() and len(token) > MIN_SUFFIX:
            # German compounds end in their head noun: "Ladeleistung" -> "leistung"
            head = next(
                (k for k in keys_by_len if len(k) >= MIN_SUFFIX and token.endswith(k)), None
            )
            phrases = glossary.get(head) if head else None
        for phrase in phrases or ():
            extra.extend(terms(phrase, drop_stopwords=True))
    return extra
