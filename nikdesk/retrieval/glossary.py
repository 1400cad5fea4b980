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
    extra: list[str] = []
    # in the question's order, each token once: the lexical search keeps the first MAX_TERMS
    # terms, so a set's order (it changes with the process's hash seed) changed the answer
    for token in dict.fromkeys(raw_tokens(query)):
        for phrase in _phrases(token, glossary):
            extra.extend(terms(phrase, drop_stopwords=True))
    return extra


def translations(word: str) -> list[list[list[str]]]:
    """Return the English phrases of the German ``word``, each as the terms of its words.

    "Netzbetreiber" -> [[["grid"], ["oper", "operator"]], [["util", "utility"]], …]: a line
    saying "grid" says one word of "grid operator", not the operator.
    """
    out: list[list[list[str]]] = []
    for token in dict.fromkeys(raw_tokens(word)):
        for phrase in _phrases(token, None):
            words = [found for w in phrase.split() if (found := terms(w, drop_stopwords=True))]
            if words:
                out.append(words)
    return out


def _phrases(token: str, glossary: dict[str, tuple[str, ...]] | None) -> tuple[str, ...]:
    # the glossary's English phrases for a folded token, or for the head of its compound
    glossary = load_glossary() if glossary is None else glossary
    if not glossary:
        return ()
    phrases = glossary.get(token)
    if phrases is None and token.isalpha() and len(token) > MIN_SUFFIX:
        # German compounds end in their head noun: "Ladeleistung" -> "leistung"
        heads = sorted((k for k in glossary if len(k) >= MIN_SUFFIX), key=len, reverse=True)
        head = next((k for k in heads if token.endswith(k)), None)
        phrases = glossary.get(head) if head else None
    return phrases or ()
