"""How a line of a manual spells what a question asks: register addresses, German act nouns,
compound parts. Used by :mod:`nikdesk.agent.lines` to match lines against a question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nikdesk.core.text import raw_tokens, terms
from nikdesk.retrieval.glossary import singulars

# a hex register written "0x0886", "0886H" or "080fh": one address. The H-form has four
# digits and a leading 0 or a hex letter ("1000h" are hours, "100Ah" amp-hours)
_HEX = re.compile(r"^(?:0x([0-9a-f]{2,6})|((?=[0-9a-f]{4}h$)(?:0|\d*[a-f])[0-9a-f]*)h)$")
_AMP_HOURS = re.compile(r"^\d+ah$")


def hex_spelling(token: str) -> str | None:
    """Return a hex register token in the one spelling "0x0886" (None: no register)."""
    found = None if _AMP_HOURS.match(token) else _HEX.match(token)
    return f"0x{int(found.group(1) or found.group(2), 16):04x}" if found else None


def with_hex(tokens: Iterable[str]) -> frozenset[str]:
    """Return ``tokens`` with each hex register also in one spelling ("0886h" -> "0x0886")."""
    tokens = set(tokens)
    return frozenset(tokens | {h for t in tokens if (h := hex_spelling(t))})


def one_spelling(codes: Iterable[str]) -> frozenset[str]:
    """Return the question's codes, a hex register in the one spelling only (counted once)."""
    return frozenset(hex_spelling(c) or c for c in codes)


# German nouns in -ung name the verb's act: "Ladung" answers "laden", "Entladung" "entladen"
_UNG = re.compile(r"^(?!achtung$)([a-z]{3,})ung(en)?$")  # "Achtung!" is no act of "achten"


# a separable verb's infinitive with "zu" inside: "aufzulegen" is "auflegen", "einzustellen"
# "einstellen" (the question says "wo leg ich … auf", "auflegen"; the manual "… aufzulegen").
# The verb after "zu" starts as German words do (not "Anzugsmoment": "an-zu-gsmoment"), and
# "hinzu" is one prefix ("hinzufuegen" is no "hin-zu-fuegen")
_ZU = re.compile(
    r"^(ab|an|auf|aus|bei|dar|durch|ein|fest|frei|her|heraus|herunter|hinein|hinzu|hoch|mit"
    r"|nach|um|vor|weg|weiter|wieder|wiederher|zurueck|zusammen)zu"
    r"((?:sch|[bcdfgkpt][lr]|st|sp|zw|[bcdfghjklmnpqrstvwz](?:[aeiouy]|ae|oe|ue))[a-z]*(en|ern|eln))$"
)


# German nouns naming a verb's act by its changed stem: "Ladestromvorgabe" answers "Ladestrom
# vorgeben", "Leistungsaufnahme" "aufnehmen", "Anschluss" "anschließen", "Zugriff" "zugreifen".
# The noun's prefix joins the verb ("vor" + "geben")
_ABLAUT = re.compile(
    r"(ab|an|auf|aus|bei|ein|frei|her|rueck|vor|weiter|zu|ueber|um|wieder)"
    r"(gabe|nahme|schluss|schluess|griff)(n|e|es)?$"
)
_ABLAUT_VERBS = {
    "gabe": "geben",
    "nahme": "nehmen",
    "schluss": "schliessen",
    "schluess": "schliessen",
    "griff": "greifen",
}


def line_terms(line: str) -> set[str]:
    """Return the search terms of ``line``, with each "-ung" noun's verb ("Ladung" -> "laden"),
    each changed-stem noun's ("Ladestromvorgabe" -> "vorgeben"), each "zu" infinitive's plain
    one ("aufzulegen" -> "auflegen") and each abbreviation's singular ("Anzahl der MPPTs"
    answers "MPP-Tracker", searched as "mppt")."""
    found = set(terms(line))
    found |= set(singulars(line))
    tokens = raw_tokens(line)
    found |= {t for m in map(_UNG.match, tokens) if m for t in terms(m.group(1) + "en")}
    found |= {t for m in map(_ZU.match, tokens) if m for t in terms(m.group(1) + m.group(2))}
    found |= {
        t
        for m in map(_ABLAUT.search, tokens)
        if m
        for t in terms(m.group(1) + _ABLAUT_VERBS[m.group(2)])
    }
    return found


def shares_part(word: str, token: str, size: int = 7) -> bool:
    """Tell whether two compounds share a part ("temperaturbereich" ~ "umgebungstemperatur")."""
    parts = (word[i : i + size] for i in range(len(word) - size + 1))
    return len(token) >= size and any(part in token for part in parts)
