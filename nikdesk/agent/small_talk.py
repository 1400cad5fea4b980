"""Messages with nothing to look up: thanks, greetings, "ok", "Wie geht's dir?", "Was ist 2+2?".

Nik answers them with a short reply instead of asking which device is meant; the words are
in ``resources/agent/small_talk.toml`` so the field team can extend them without a release.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nikdesk.core.paths import resources_dir
from nikdesk.core.text import STOPWORDS, fold

KINDS = ("thanks", "goodbye", "greeting", "other")  # the order in which a reply's kind wins
# a whole sum ("2+2", "3 * 4 ="), no code ("P1=2", "L1+N") nor a voltage ("230/400")
_SUM = re.compile(r"(?<![\w=+*×])\d+(\s*[+*×]\s*\d+)+(\s*=\s*\d*)?(?![\w=+*×])")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class SmallTalk:
    """Per kind of reply its words and phrases, and the words that make a complaint."""

    words: tuple[tuple[str, frozenset[str]], ...]
    phrases: tuple[tuple[str, re.Pattern[str]], ...]
    negation: frozenset[str]
    # the words a message may hold besides them: those words and the stopwords that ask
    # nothing ("ich", "das", "du", "was", "ist"; not "wie", "kann", "einstellen")
    allowed: frozenset[str]

    @classmethod
    def load(cls, path: Path | None = None) -> SmallTalk:
        """Read ``resources/agent/small_talk.toml``."""
        path = path or resources_dir() / "agent" / "small_talk.toml"
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        words = tuple((k, frozenset(raw[k].get("words", []))) for k in KINDS)
        return cls(
            words,
            tuple(
                (k, re.compile(r"\b(" + "|".join(raw[k]["phrases"]) + r")\b"))
                for k in KINDS
                if raw[k].get("phrases")
            ),
            frozenset(raw.get("negation", [])),
            (STOPWORDS - frozenset(raw.get("asking", []))).union(*(w for _, w in words)),
        )

    def kind(self, message: str) -> str:
        """Return the kind of reply ``message`` gets, "" when it holds something to look up.

        "Danke!" -> "thanks", "Tschüss" -> "goodbye", "Hallo Nik" -> "greeting", "ok",
        "Wie geht's dir?", "Was ist 2+2?" -> "other". "203" or "E 8" (a code?), "Es riecht
        verbrannt", "Kann ich das einstellen?", "Nein, hat nicht geholfen" (a complaint) -> "".
        """
        text, sums = _SUM.subn(" ", fold(message))
        found: set[str] = set()
        for k, pattern in self.phrases:
            text, n = pattern.subn(" ", text)
            if n:
                found.add(k)
        words = set(_WORD.findall(text))
        if words & self.negation or any(c.isdigit() for w in words for c in w):
            return ""
        found |= {k for k, own in self.words if words & own}
        if not (found or sums) or any(len(w) >= 2 and w not in self.allowed for w in words):
            return ""
        return next((k for k in KINDS if k in found), "other")


@lru_cache(maxsize=1)
def small_talk() -> SmallTalk:
    """Return the bundled small-talk words (read once)."""
    return SmallTalk.load()
