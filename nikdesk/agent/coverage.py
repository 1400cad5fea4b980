"""Tell documents by their type, and questions a type of document cannot answer.

Document types: an API or register/protocol document describes a device's data interface,
not its installation. A question about fuses, breakers, RCDs, cable cross-sections or
mounting clearances that names a device whose only documents are of that type is not
answered by the library, whatever the search finds in them.
"""

from __future__ import annotations

import re

from nikdesk.core.text import fold

PROTOCOL_DOC = re.compile(
    r"modbus|protocol|protokoll|\bapi\b|register|communication|kommunikation|\bhex\b|sunspec"
    r"|interface|schnittstelle",
)
# electrical installation: protection devices, cables, mounting — what interface docs never state
INSTALLATION_TOPIC = re.compile(
    r"sicherung|absicher|leitungsschutz|\bls-?schalter|\bfi\b|\brcd\b|fehlerstrom|rcbo"
    r"|querschnitt|kabelquerschnitt|leitungslaenge|montage|montier|wandmontage|installationsort"
    r"|aufstellort|einbauort|breaker|\bfuse|cross[- ]section|clearance|mounting|\bmount\b"
    r"|wire gauge|\bawg\b"
)
# the hardware's ratings and siting, which a data sheet or installation manual states: the
# string voltage a PV input withstands, the current per tracker, units on a circuit, distances
HARDWARE_TOPIC = re.compile(
    r"leerlaufspannung|open[- ]circuit voltage|\bvoc\b|(max\w*|hoechst\w*) (dc[- ])?eingangs"
    r"|(max\w*) (dc )?input (voltage|current)|(strings?|module) (pro|per) (mpp|eingang|input)"
    r"|(pro|per) (mppt?|mpp-tracker|eingang|input)\b|an einem [\w-]* ?stromkreis|per circuit"
    r"|umgebungstemperatur|ambient temperature|mindestabst|abst(and|aende) zu|aufstell"
)
# ... unless the question asks for the data the device reports ("Welches Register liefert die
# PV-Eingangsspannung?", "Mindestabstand zwischen zwei Modbus-Anfragen"): that is what an
# interface document is for
DATA_QUESTION = re.compile(
    r"register|modbus|\bapi\b|auslesen|ausles|abfrag|\blese|\bread|\bquery|\bpoll|liefert"
    r"|json|payload|\bwert\b|\bvalue\b|skalier|scal|protokoll|protocol|\bbit\b|anfrage"
)

# a question about a value the device reports, whatever it is about ("fuse state"); narrower
# than DATA_QUESTION, since "Kabelquerschnitt für die Modbus-Leitung" still asks for a cable
READING = re.compile(r"register|liefert|auslesen|\bread\b|\breturns?\b|0x[0-9a-f]|\bbits?\b")


def is_protocol_document(file: str, title: str) -> bool:
    """Tell whether a document describes a data interface (API, Modbus, protocol)."""
    return bool(PROTOCOL_DOC.search(fold(f"{file} {title}").replace("_", " ")))


def asks_installation(question: str) -> bool:
    """Tell whether ``question`` asks about installation, mounting or the hardware's ratings."""
    folded = fold(question)
    if INSTALLATION_TOPIC.search(folded):
        # "das Register PSSB fuse state liefert 0x00": a reading, not the fuse to fit
        return not READING.search(folded)
    return bool(HARDWARE_TOPIC.search(folded)) and not DATA_QUESTION.search(folded)


# a unit the question wants the value in ("in welchem Register steht der PV-Ertrag in kWh",
# "fan speed in rpm"), and how a manual prints a value of it. A manual that never prints
# the unit states no such value, whatever its pages about neighbouring values say.
# (label, what a question asks, what a manual prints)
Table = tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]

UNITS: Table = tuple(
    (
        label,
        re.compile(rf"\b(?:in|wie ?viele?|how many|how much)\s+(?:{asked})(?![\w/-])"),
        re.compile(printed),
    )
    for label, asked, printed in (
        (
            "kWh",
            r"[km]?wh|kilowattstunden?|kilowatt[- ]hours?",
            r"(?<![a-z])[km]?wh\b|k?w\s?[.·]\s?h\b|wattstunde|watt[- ]hour",
        ),
        (
            "U/min",
            r"rpm|u/min|umdrehungen pro minute",
            r"\brpm\b|u/min|1/min|min\s?[-−]\s?1|umdrehung|revolution",
        ),
        ("Ohm", r"[km]?ω|[km]?ohms?|megaohms?", r"ω|\b[km]?ohm|megaohm"),
        ("°C", r"°\s?c|grad celsius|celsius", r"°\s?c|℃|celsius|\d\s?grad\b|\bdeg(rees?)?\s?c\b"),
        ("Hz", r"hz|hertz", r"\d\s?hz\b|hertz|\bhz\b"),
        ("Prozent", r"prozent|percent|%", r"%|prozent|percent"),
        ("Watt", r"k?watts?|k?w", r"\d\s?k?wp?\b|\bk?watts?|\bk?w\b"),
        # asked: not a bare "a" ("in a three-phase system" is the article); printed: a bare
        # "A" counts, as the unit cell of a table ("Absicherung | A | 16 | 25")
        ("Ampere", r"ampere|amps?|ma", r"\d\s?m?a(c|dc)?\b|ampere|\bamps?\b|\bm?a\b"),
        ("Volt", r"volts?|m?v", r"\d\s?[mk]?v(ac|dc)?\b|\bvolt|\bm?v\b"),
    )
)


def absent_units(question: str, texts: list[str]) -> list[str]:
    """Return the units ``question`` wants a value in that none of ``texts`` prints.

    ``texts``: the folded texts of the named device's documents (empty: names none, and
    no unit is absent). "E3/DC Simple Mode: in welchem Register steht die nutzbare
    Batteriekapazität in kWh?" — the register map prints watts and percent, never kWh.
    """
    return _absent(UNITS, question, texts)


# a quantity the question asks the device for ("gibt's ein Register mit der Lüfterdrehzahl?",
# "the battery's state of health", "der PV-Ertrag von gestern"), and how a manual prints it.
# A manual that never prints the quantity, in any of its words, reports no such value, however
# close its rows about neighbouring quantities ("Inverter Grid Frequency" under "Lüfterdrehzahl").
# Printed forms are wide on purpose: a manual printing "speed" anywhere may report a fan speed.
QUANTITIES: Table = tuple(
    (label, re.compile(asked), re.compile(printed))
    for label, asked, printed in (
        (
            "Drehzahl",
            r"drehzahl|\bfan speed|speed of the fan|\brpm\b|umdrehungen",
            r"drehzahl|\bspeed\b|\brpm\b|u/min|umdrehung|revolution",
        ),
        (
            "Betriebsstunden",
            # not the "Restlaufzeit" (time to go) of a battery
            r"betriebsstunden|betriebszeit|(?<!rest)laufzeit|operating (hours|time)"
            r"|run(ning)? ?time|work(ing)? ?time|hours of operation",
            r"betriebsstunde|betriebszeit|laufzeit|operat\w* (hours?|time)|run(ning)? ?time"
            r"|work(ing)? ?(time|hours?)|\bhours\b|stunden",  # "Total feeding hours"
        ),
        (
            "State of Health",
            r"\bsoh\b|state of health|gesundheitszustand",
            r"soh\b|state of health|gesundheit",  # "BMS_UserSOH"
        ),
        ("Zyklenzahl", r"zyklen|zyklus|\bcycles?\b|cycle count", r"zykl|cycle"),
        (
            "Isolationswiderstand",
            r"isolationswiderstand|insulation resistance|isolation resistance|\briso\b",
            r"isolation|insulation|\briso\b",
        ),
        (
            "Innenwiderstand",
            r"innenwiderstand|internal resistance",
            r"innenwiderstand|resistance|widerstand|impedan",
        ),
        (
            "Fehlerstrom",
            r"fehlerstrom|differenzstrom|residual current|leakage current|ableitstrom",
            r"fehlerstrom|differenzstrom|residual|leakage|ableitstrom|\brcm|\brcd\b|\bfi\b",
        ),
        # a map printing no temperature at all (E3/DC's) reports no battery temperature
        ("Temperatur", r"temperatur|temperature", r"temperat|\btemp|°\s?c|℃|celsius"),
        ("Frequenz", r"frequenz|frequency", r"frequen|\bhz\b|hertz"),
        ("Vortag", r"\bgestern\b|yesterday|\bvortag", r"gestern|yesterday|vortag|previous day"),
        (
            "Leistungsfaktor",
            r"leistungsfaktor|power factor|cos ?(phi|φ)",
            r"leistungsfaktor|power ?factor|cos ?(phi|φ)|\bpf\b",
        ),
        (
            "Blindleistung",
            r"blindleistung|reactive power",
            r"blindleistung|reactive|\bk?var\b",
        ),
        (
            "Firmware-Version",
            r"firmware|software-?version|\bfw-?version",
            r"firmware|software|\bfw\b|\bsw\b",
        ),
        ("Luftfeuchte", r"luftfeuchte|feuchtigkeit|humidity", r"feuchte|feuchtigkeit|humidity"),
    )
)


def absent_quantities(question: str, texts: list[str]) -> list[str]:
    """Return the quantities ``question`` asks for that none of ``texts`` prints in any word.

    ``texts``: the folded texts of the named device's documents (empty: names none). "Kostal
    Plenticore over Modbus TCP: which register gives the fan speed?" — the register map
    never prints a speed, a fan speed or rpm.
    """
    return _absent(QUANTITIES, question, texts)


def _absent(table: Table, question: str, texts: list[str]) -> list[str]:
    # the labels of the table's entries the question asks for and no text prints
    if not texts:
        return []
    folded = fold(question)
    return [
        label
        for label, asked, printed in table
        if asked.search(folded) and not any(printed.search(t) for t in texts)
    ]
