"""What a question names that the named device's manuals never print.

"Kann die SmartEVSE per OCPP …?" (an abbreviation), "Fehler 03" for a device whose manuals
list no code 03, "PV4-Spannung" from a map counting three inputs, "PV-Ertrag in kWh" from a
register map that never prints kWh: whatever the search found, those pages do not say. The
checks read the folded text of whole documents; the kinds of value (``coverage``) and the
error codes (``codes``) know the words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from nikdesk.agent.ask import focused_phrase
from nikdesk.agent.codes import lists_code
from nikdesk.agent.coverage import (
    READING,
    Table,
    absent_buses,
    absent_colours,
    absent_in,
    absent_instances,
    absent_quantities,
    absent_units,
    table,
)
from nikdesk.agent.guards import asked_types
from nikdesk.agent.lines import is_map_row
from nikdesk.agent.narrowed import absent_narrowed
from nikdesk.core.text import STOPWORDS, fold
from nikdesk.retrieval.glossary import load_glossary
from nikdesk.retrieval.hybrid import ERROR_WORDS, error_codes
from nikdesk.retrieval.routing import is_generic

# an abbreviation the question asks about ("OCPP", "MQTT", "KNX"): all capitals, no digits
# (a model number such as "US3000C" or "PI30" is the router's business); one ending a German
# word pair ("AFCI- bzw. Lichtbogenfehler") counts, one starting a compound ("RCD-Typ") not
_ABBREVIATION = re.compile(r"(?<![\w-])[A-Z]{3,5}(?![\w]|-\w)")
# as a manual prints one: alone, or ending a field name ("BMS_UserSOH", "BatSOC")
_CAPITALS = re.compile(r"(?<![A-Z0-9])[A-Z]{3,5}(?![A-Za-z0-9])")
# everyday abbreviations that ask for nothing ("im EFH", "BZW")
_EVERYDAY = frozenset({"efh", "mfh", "zfh", "bzw", "usw", "ggf", "evtl", "inkl", "max", "min"})
SHOUTING = 0.3  # a question with this share of words in capitals shouts: no word is an abbreviation

_SOFTWARE = r"(firmware|software)"
_UPDATE_WORD = r"(updat|upgrad|aktualisier|flash|aufspiel|einspiel)"
# updating it, as a noun or a verb before it ("flash new firmware", "update the firmware"), or
# a German infinitive after it ("die Firmware aktualisieren"); not the firmware updating a
# value ("the firmware updates the SOC") nor a light flashing ("firmware LED flashes")
_UPDATE_NOUN = (
    rf"{_SOFTWARE}[- ]?(update|upgrade|aktualisierung)\b(?!\s+(the|den|die|das|der|alle|every))"
)
_UPDATE_VERB = r"\b(update|upgrade|aktualisier|flash|aufspiel|einspiel)\w*\s+(\w+\s+){0,3}"
_UPDATE_INFINITIVE = r"\w*\s+(\w+\s+){0,3}(aktualisieren|updaten|upgraden|flashen|aufspielen)"
TOPICS: Table = table(
    (
        (
            "Firmware-Update",
            rf"{_UPDATE_NOUN}|{_UPDATE_VERB}{_SOFTWARE}|{_SOFTWARE}{_UPDATE_INFINITIVE}",
            # a manual that tells of updating its firmware says both near each other; an API
            # field "Update available" or a "Parameter aktualisieren" says nothing of it
            rf"{_SOFTWARE}\W{{0,3}}(\w+\W+){{0,4}}?{_UPDATE_WORD}"
            rf"|{_UPDATE_WORD}\w*\W+(\w+\W+){{0,4}}?{_SOFTWARE}",
        ),
        (
            "Garantie",
            # the warranty, not "garantiert" or "guaranteed"
            r"\bgarantie(n|zeit|dauer|bedingungen)?\b|gewaehrleistung|\bwarrant(y|ies)\b"
            r"|\bguarantee\b",
            r"garantie|gewaehrleistung|warrant|guarantee",
        ),
        (
            # what the device costs: manuals print no prices ("Strompreis" is the tariff)
            "Preis",
            # the device's money, not "how much data does each message cost", "mobile data
            # per month" or a tariff's "price zone"
            r"\b(was|wie ?viel) kost(et|en)\b|\bwie teuer\b|\bhow expensive\b|listenpreis"
            r"|\bpreis (des|der|fuer|von|eines|einer)\b|\bprice (of|for) (a|an|the)\b"
            r"|\bwhat('?s| is) the price\b|\bkosten (fuer|des|der|eines|einer)\b"
            r"|\bhow much (is|does|do) (a|an|the|one|it)\b[^?]{0,40}\bcost\b"
            r"(?![^?]{0,30}\b(data|daten|mobile|traffic|volume|volumen)\b)|\bcost of (a|an|the)\b",
            # a price as a manual would print one: an amount of money ("im Preis enthalten" or
            # the tariff's "Preis pro kWh" price nothing)
            r"\d[\d.,]*\s?(€|eur\b|euro\b)(?!\s?/\s?kwh|\s?(pro|per) kwh)|€\s?\d|\$\s?\d"
            r"|listenpreis|preisempfehlung|\buvp\b",
        ),
        (
            "Anzugsmoment",
            r"anzugs?moment|drehmoment|\btorque",
            r"anzugs?moment|drehmoment|torque|\d\s?nm\b",
        ),
    )
)


class Unprinted:
    """Check a question against the whole text of the documents it names."""

    def __init__(
        self,
        texts: Mapping[str, str],
        folded: Mapping[str, str],
        protocol: Mapping[str, bool],
        names: frozenset[str] | set[str],
    ) -> None:
        """``texts``/``folded``: doc id -> its text as printed / folded; ``protocol``: doc id
        -> an API or register document; ``names``: the folded device and maker names."""
        self.folded = folded
        self.protocol = protocol
        self.names = names
        # the words each document prints in capitals: "CAN" the bus is not "can" the verb
        self.capitals = {d: frozenset(_CAPITALS.findall(t)) for d, t in texts.items()}

    def __call__(self, question: str, named: set[str]) -> tuple[str, str] | None:
        """Return (reason, what) when the question names something the named manuals never print.

        None: nothing of the kind (or the question names no device, for most checks).
        """
        if found := self.abbreviations(question, named):
            return "abbreviation not in the named manuals", ", ".join(found)
        if found := self.codes(question, named):
            return "code not in the named manuals", ", ".join(f"Code {c.upper()}" for c in found)
        texts = [self.folded[d] for d in named]
        if found := absent_colours(question, texts):
            return "colour not in the named manuals", ", ".join(f"Leuchte {c}" for c in found)
        if found := absent_instances(question, texts):
            return "input not in the named manuals", ", ".join(found)
        if found := absent_units(question, texts):
            return "unit not in the named manuals", ", ".join(f"Werte in {u}" for u in found)
        # a question reading a value ("which register holds the serial number the warranty
        # registration asks for?") asks no topic of the manual
        if not READING.search(fold(question)) and (found := absent_in(TOPICS, question, texts)):
            return "topic not in the named manuals", ", ".join(found)
        # a register map or API lists the quantities it reports; other manuals name
        # quantities in passing, and a question may mention one while asking another (all
        # manuals: +1 on the tuning sets, and a held-out "cos-φ range … Blindleistung" of a
        # data sheet printing only the power factor refused)
        registers = any(k.interface_documents for k in asked_types(question))
        interface = bool(named) and all(self.protocol[d] for d in named)
        # a narrowed quantity stands narrowed in a data sheet's row as in a map's ("Max.
        # PV-Eingangsspannung", "Eigenverbrauch bei Nacht")
        if found := absent_narrowed(question, texts, maps=interface):
            return "narrowed quantity not in the named manuals", ", ".join(found)
        # the plain electrical quantities and cell voltages only when the question says what
        # it asks for ("welcher Key liefert die DC-Spannung"), not from its setting ("EPEver
        # mit LiFePO4, Zellspannung 3,65 V: welches Register setzt …")
        focus = focused_phrase(question)
        asked = focus or fold(question)
        if (registers or interface) and (
            found := absent_quantities(asked, texts, plain=focus is not None)
        ):
            return "quantity not in the named manuals", ", ".join(found)
        return None

    def abbreviations(self, question: str, named: set[str]) -> list[str]:
        """Return the abbreviations of ``question`` that no manual of the named device uses.

        "Kann der Fronius Datamanager per MQTT senden?": the manual never says "MQTT", so it
        does not answer, whatever its pages about data export say. Names of devices and
        makers do not count, nor an abbreviation whose glossary spelling the manual uses
        ("RSE" is the "ripple control receiver"). Empty when the question names no device.
        """
        if not named:
            return []
        texts = [self.folded[d] for d in named]
        printed = frozenset().union(*(self.capitals.get(d, frozenset()) for d in named))
        absent = absent_buses(question, texts, printed)
        words = re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", question)
        capitals = [w for w in words if w.isupper()]
        if not capitals or len(capitals) >= SHOUTING * len(words):
            return absent  # "DRINGEND: … BITTE SCHNELL"
        glossary = load_glossary()
        buses = {a.casefold() for a in absent}
        for word in dict.fromkeys(_ABBREVIATION.findall(question)):
            if word.casefold() in buses:
                continue
            short = fold(word)
            if (
                short in self.names
                or short in _EVERYDAY
                or is_generic(short)  # "RTU", "TCP", "API": the protocol, not a feature
            ):
                continue
            if any(word in self.capitals.get(d, ()) for d in named):
                continue  # printed in capitals, alone or ending a field name ("BMS_UserSOH")
            if short in STOPWORDS:
                # "CAN", "AND": a word too; only the capitals as printed name the abbreviation
                absent.append(word)
                continue
            forms = [short, *(fold(p) for p in glossary.get(short, ()))]
            if not any(re.search(rf"(?<![a-z0-9]){re.escape(f)}", t) for f in forms for t in texts):
                # printed with a hyphen inside ("TLX" of "TL-X"); not letters spaced out
                # by the text layer ("s t a r t e n"), nor across words ("pe n")
                loose = "-?".join(map(re.escape, short))
                if not any(re.search(rf"(?<![a-z0-9]){loose}(?![a-z0-9])", t) for t in texts):
                    absent.append(word)
        return absent

    def codes(self, question: str, named: set[str]) -> list[str]:
        """Return the error codes ``question`` asks about that no named manual mentions.

        Only codes the question calls an error, fault or alarm ("Fehler 03", "ERR 33",
        "F64"); empty when it names no device or any named manual mentions every code.
        """
        asked = sorted(error_codes(question) - self.names)
        if not named or not asked:
            return []
        texts = [self.folded[d] for d in named]
        # "srne E001 register …", "PV ladestrom limit (E001)": a code the question calls no
        # error, or asks a register by, is the address a map row of the named manuals may
        # start with
        register = asks_register(question) or not _SHOWN.search(fold(question))
        absent = [
            c
            for c in asked
            if not any(lists_code(t, c) or (register and _addresses(t, c)) for t in texts)
        ]
        return absent if len(absent) == len(asked) else []


_REGISTER = re.compile(r"\bregister|\badress|\baddress")
# a code the device shows: an error, warning or alarm, on its display ("SRNE display shows
# E001", "code E001 on the screen")
_SHOWN = re.compile(
    rf"\b(?:{ERROR_WORDS})\b|\b(?:display\w*|anzeig\w*|zeigt|shows?|screen|bildschirm\w*"
    r"|meld\w*|blink\w*)\b"
)
_ERROR = re.compile(r"\b(fehler\w*|error\w*|fault\w*|alarm\w*|err|stoerung\w*|warnung\w*)\b")


def asks_register(question: str) -> bool:
    """Tell whether ``question`` is about a data register, not an error the device shows.

    "srne E001 register …", "srne modbus e001?", "which register holds …"; not "srne modbus
    fehler E001" (an error code, whatever the interface reporting it).
    """
    folded = fold(question)
    if any(k.interface_documents for k in asked_types(question)):
        return True
    if _ERROR.search(folded):
        return False
    # "per Modbus" alone asks no register ("ab welcher Firmware geht Modbus?"); with a code
    # beside it, the code is one
    return bool(_REGISTER.search(folded)) or ("modbus" in folded and bool(error_codes(question)))


def _addresses(text: str, code: str) -> bool:
    """Tell whether a register map row of folded ``text`` starts with ``code`` ("e001 | 1 | …")."""
    row = re.compile(rf"(?m)^{re.escape(code)}h? \|[^\n]*")
    return any(is_map_row(m.group()) for m in row.finditer(text))
