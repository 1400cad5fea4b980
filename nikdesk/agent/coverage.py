"""Tell documents by their type, and questions a type of document cannot answer.

Document types: an API or register/protocol document describes a device's data interface,
not its installation. A question about fuses, breakers, RCDs, cable cross-sections or
mounting clearances that names a device whose only documents are of that type is not
answered by the library, whatever the search finds in them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
    # a bare "LS" whose rating is asked ("welchen LS brauche ich davor?")
    r"|\b(welche[nrs]?|which|what)\s+(\w+\s+)?lss?\b(?!-)"
)
# the hardware's ratings and siting, which a data sheet or installation manual states: the
# string voltage a PV input withstands, the current per tracker, units on a circuit, distances
HARDWARE_TOPIC = re.compile(
    r"leerlaufspannung|open[- ]circuit voltage|\bvoc\b|(max\w*|hoechst\w*) (dc[- ])?eingangs"
    r"|(max\w*) (dc )?input (voltage|current)|(strings?|module) (pro|per) (mpp|eingang|input)"
    r"|(pro|per) (mppt?|mpp-tracker|eingang|input)\b|an einem [\w-]* ?stromkreis|per circuit"
    r"|umgebungstemperatur|ambient temperature|mindestabst|abst(and|aende) zu|aufstell"
    r"|kurzschlussstrom|short[- ]circuit current"  # the PV input's rating, not a reading
    # the current a battery or device is rated for ("Dauerladestrom", "rated continuous
    # charge current"), not the charge current it reports
    r"|dauer(lade|entlade)?strom|nenn(lade|entlade)?strom|continuous (charg\w* |discharg\w* )?"
    r"(and discharg\w* )?current|rated (continuous )?(charg\w* |discharg\w* )?current"
)
# ... unless the question asks for the data the device reports ("Welches Register liefert die
# PV-Eingangsspannung?", "Mindestabstand zwischen zwei Modbus-Anfragen"): that is what an
# interface document is for
DATA_QUESTION = re.compile(
    r"register|modbus|\bapi\b|auslesen|ausles|abfrag|\blese|\bread|\bquery|\bpoll|liefert"
    r"|json|payload|\bwert\b|\bvalue\b|skalier|scal|protokoll|protocol|\bbit\b|anfrage"
    # a command or an address that reads or sets it, a setting ("mit welchem Kommando …",
    # "unter welcher Adresse steht der Nennladestrom", "über amp einstellen")
    r"|befehl|kommando|\bcommand|\badress|\baddress|einstell|\bsetting|parameter"
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


def table(rows: Iterable[tuple[str, str, str]]) -> Table:
    """Compile (label, what a question asks, what a manual prints) rows."""
    return tuple((label, re.compile(asked), re.compile(printed)) for label, asked, printed in rows)


UNITS: Table = table(
    (label, rf"\b(?:in|wie ?viele?|how many|how much)\s+(?:{asked})(?![\w/-])", printed)
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
        # a tightening torque ("mit wieviel Nm"): a manual stating one prints Nm
        ("Nm", r"nm|newton ?meter", r"\d\s?nm\b|\bnm\b|newton ?-?meter"),
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
    return absent_in(UNITS, question, texts)


# one phase and three phases, as a question words them ("zwischen 1-phasigem und 3-phasigem")
_ONE, _THREE, _PHASE = r"(\b1|\bein|one|single)", r"(\b3|drei|three)", r"[- ]?(phasig|phase)"
_SWITCH = (
    r"(umschalt|umstell|\b(schalt|stell)\w*\b.{0,50}\bum\b|\bswitch|\btoggl|\bwechsel(n|t|e)?\b"
    r"|\bchange)"
)

# a quantity the question asks the device for ("gibt's ein Register mit der Lüfterdrehzahl?",
# "the battery's state of health", "der PV-Ertrag von gestern"), and how a manual prints it.
# A manual that never prints the quantity, in any of its words, reports no such value, however
# close its rows about neighbouring quantities ("Inverter Grid Frequency" under "Lüfterdrehzahl").
# Printed forms are wide on purpose: a manual printing "speed" anywhere may report a fan speed.
QUANTITIES: Table = table(
    (
        # the radio's signal of a Wi-Fi stick or meter; how fast a backup output takes over
        (
            "Signalstärke",
            r"signalstaerke|signal ?strength|\brssi\b|empfangsstaerke"
            r"|(wlan|wifi|wi-fi)[- ]?(signal|empfang)",
            r"rssi|signal ?strength|signalstaerke|\bdbm\b|empfangsstaerke",
        ),
        (
            "Umschaltzeit",
            r"umschaltzeit|umschaltdauer|switch(ing|-?over) time|transfer time"
            r"|wie schnell schaltet",
            r"umschaltzeit|umschaltdauer|switch(ing|-?over) time|transfer time",
        ),
        # several devices run in parallel: a map that can set it up prints "parallel"
        (
            "Parallelbetrieb",
            r"parallel(betrieb|schaltung|modus|operation|mode)|in parallel",
            r"parallel",
        ),
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
        (
            "Zyklenzahl",
            # a battery's cycles, not a query or measuring cycle ("Messzyklus") nor an
            # EEPROM's write cycles ("Schreibzyklen")
            r"(lade|entlade|batterie|akku|battery|charge|discharge)[- /]*(\w+[- /]*)?"
            r"(zyklen|cycles)"
            r"|zyklenzahl|zykluszahl|zyklenanzahl|cycle ?count|number of (\w+ )?cycles"
            r"|anzahl (der )?(\w+ )?zyklen|(wie ?viele?|how many) (\w+ )?(zyklen|cycles)"
            # "Vollzyklen"; not "Schreibzyklen", "Messzyklen", "Ausgleichszyklen"
            r"|\w(?<!schreib)(?<!mess)(?<!abfrage)(?<!ausgleichs)zyklen\b",
            # a count of them: "cycle number", "BMS CycleCnt", "number of battery cycles";
            # an equalization cycle's interval or a "query cycle" is none
            r"cycle ?(number|count|cnt|times|index)|(number|count|anzahl|zahl) (of |der )?"
            r"(\w+ )?(cycles|zyklen)|(battery|charge|lade|entlade|batterie|akku)[- ]?"
            r"(cycles|zyklen)"
            r"|zyklenzahl|\bcycles\b|\bzyklen\b",
        ),
        # a map without a cell in any row reports no cell voltage ("individual cell voltages
        # reported by the BMS" from an inverter protocol)
        ("Zellspannung", r"zellspannung|\bcell voltages?\b", r"zell|\bcells?\b"),
        # ... and no cell temperature without a row naming a cell and a temperature (a pack's
        # average temperature beside its cell voltages)
        (
            "Zelltemperatur",
            r"zelltemperatur|\bcell temperatures?\b|temperatur\w* (der )?(einzelnen )?zellen?\b"
            r"|temperatures? of (the )?(individual |each )?cells?\b",
            r"(zell|\bcells?\b)[^\n]{0,40}temp|temp[^\n]{0,40}(zell|\bcells?\b)",
        ),
        # the charger switching between one and three phases: a map printing phase flags,
        # the phases' currents or an LED's blink phase does not switch them
        (
            "Phasenumschaltung",
            r"phasenumschalt|phase[- ]?switch|switch\w* (between )?phases"
            # "zwischen 1-phasigem und 3-phasigem Laden umschalten", "1p und 3p": only with a
            # verb switching ("einphasig oder dreiphasig?" may ask which it is)
            rf"|^(?=.*{_SWITCH})(.*({_ONE}{_PHASE}\w*.{{0,30}}{_THREE}{_PHASE}"
            rf"|{_THREE}{_PHASE}\w*.{{0,30}}{_ONE}{_PHASE}"
            rf"|{_ONE}-?\s*(und|oder|or|and|/|bzw\.?|auf|to)\s*{_THREE}{_PHASE}"
            r"|\b1p\b.{0,12}\b3p\b))",
            r"phasenumschalt|phase[- ]?switch|umschalt\w*.{0,30}phas|switch\w*.{0,30}phase"
            r"|\b1p ?/ ?3p\b|\bpsm\b|phasenwechsel"
            # one row naming one phase and three (E3/DC's "Eine Phase aktiv | Drei Phasen aktiv")
            r"|(\b1|\bein\w*|one|single)[- ]?phase\w*.{0,40}(\b3|drei|three)[- ]?phase"
            r"|(\b3|drei|three)[- ]?phase\w*.{0,40}(\b1|\bein\w*|one|single)[- ]?phase",
        ),
        # resetting the device to its factory settings, not a value set at the factory
        # ("Welche Baudrate ist ab Werk eingestellt?")
        (
            "Werkseinstellungen",
            r"werksreset|factory reset|(auf|to) (die |den |the )?(werkseinstellung|werkszustand"
            r"|auslieferungszustand|factory|defaults?)\w*\s+(\w+\s+){0,2}(zurueck\w*|reset\w*"
            r"|restor\w*|setzen|stellen|bringen)\b"
            r"|(zuruecksetz|zurueck ?setz|reset|restor|wiederherstell)\w*\s+(\w+\s+){0,3}"
            r"(auf|to) (die |den |the )?(werkseinstell|werkszustand|auslieferungszustand|factory"
            r"|default)"
            r"|(werkseinstellung|werkszustand|factory settings?|defaults?) (wieder ?)?herstell",
            r"werkseinst|werksreset|werkszustand|auslieferungszustand|factory|restore"
            r"|reset\w*.{0,30}default|default\w*.{0,30}(reset|restor)|load default|defaults? laden"
            r"|to (the )?defaults?\b|default (value|setting|parameter)s?",
        ),
        (
            "Isolationswiderstand",
            r"isolationswiderstand|insulation resistance|isolation resistance|\briso\b",
            # the resistance itself: an "isolation fault" bit or "PV Isolation Low" is none
            r"(isolat|insulat)\w*[ _-]?(resist|widerstand|impedan)|isolationswiderstand"
            r"|\b(pv ?)?iso (value|wert)|\briso\b",
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
        # the plain electrical quantities: nearly every map prints them; one printing none
        # (the EZ1's API: power and energy only; the CION's map: currents, no power) reports
        # none, whatever a neighbouring row says
        (
            "Spannung",
            r"spannung|voltage",
            r"spannung|voltage|\bvolt|\d\s?v\b|\bv\b|\bvac\b|\bvdc\b",
        ),
        (
            "Leistung",
            r"leistung|\bpower\b|wirkleistung",
            # "W" alone only as a unit cell: "r/w" is none
            r"leistung|power|\d\s?k?w\b|\|\s?k?w\s?(\||$)|watt",
        ),
        (
            "Energie",
            r"energie|energy|\bertrag|\byield|kwh",
            r"energie|energy|ertrag|yield|k?wh\b|\bwh",
        ),
    )
)


# quantities nearly every question about a device mentions in passing ("PV 8 kWp", "48-V-Akku",
# "Zellspannung 3,65 V"): they count only where the question says it asks for them
PLAIN = frozenset({"Spannung", "Leistung", "Energie", "Zellspannung"})


def absent_quantities(question: str, texts: list[str], plain: bool = True) -> list[str]:
    """Return the quantities ``question`` asks for that none of ``texts`` prints in any word.

    ``texts``: the folded texts of the named device's documents (empty: names none). "Kostal
    Plenticore over Modbus TCP: which register gives the fan speed?" — the register map
    never prints a speed, a fan speed or rpm.
    """
    absent = absent_in(QUANTITIES, question, texts)
    return absent if plain else [label for label in absent if label not in PLAIN]


def absent_in(table: Table, question: str, texts: list[str]) -> list[str]:
    """Return the labels of ``table`` the question asks for that no text of ``texts`` prints."""
    if not texts:
        return []
    folded = fold(question)
    return [
        label
        for label, asked, printed in table
        if asked.search(folded) and not any(printed.search(t) for t in texts)
    ]


# a numbered PV input, DC input, tracker or string the question asks for ("Register für die
# PV3-Spannung", "DC4", "MPPT 3", "PV input 3"), and how a manual numbers them ("PvVoltage2",
# "Vpv3", "Voltage DC3", "PV6 voltage")
_INSTANCE_ASKED = re.compile(
    r"\b[vip]?(pv|dc|mppt?|string|tracker)(?:-tracker)?(?:[ -]?(?:input|eingang))?[ -]?(\d{1,2})\b"
    r"(?![.,]?\d*\s*(kwp|kw|wp|w|v|a|ah|kwh|mm|%)(?![a-z]))"
)
_INSTANCE_PRINTED = r"{kind}[a-z_ -]{{0,12}}?0?(\d{{1,2}})(?!\d)"


def absent_instances(question: str, texts: list[str]) -> list[str]:
    """Return the numbered inputs ``question`` asks for beyond those the manuals number.

    "GoodWe ET: Register für die PV4-Spannung?" — the map numbers PV1, PV2 and PV3 and
    never a PV4. Only a manual counting that kind of input from 1 to at least 2 decides:
    one printing "MPPT 75/15" (a model) or no numbers at all says nothing of a fourth.
    ``texts``: the folded texts of the named device's documents (empty: names none).
    """
    if not texts:
        return []
    absent: list[str] = []
    asked = [(m.group(1), m.group(2)) for m in _INSTANCE_ASKED.finditer(fold(question))]
    for kind, number in dict.fromkeys(asked):
        printed = re.compile(_INSTANCE_PRINTED.format(kind=kind))
        numbers = {int(n) for text in texts for n in printed.findall(text)}
        counted = 0  # 1, 2, … without a gap: how many the manual counts
        while counted + 1 in numbers:
            counted += 1
        if counted >= 2 and int(number) > counted and int(number) not in numbers:
            absent.append(f"{kind.upper()}{number}")
    return absent


# a bus or protocol a device is wired to, in any case ("per rs485 oder can anbinden"); "can"
# only as the bus, not the English verb ("or can I …")
BUSES = re.compile(
    r"(?i:(?<![\w-])(rs[- ]?485|rs[- ]?232|mqtt|ocpp|knx|eebus)(?![\w-]))"
    r"|(?i:\b(?:per|ueber|über|via|oder|und|mit)\s+)(can)(?:-?bus)?\b"  # German: no verb
    r"|\b(CAN)\b|(?i:\b(can)-?bus\b)",
)
# the CAN bus as a manual prints it in lower case too ("VE.Can", "CAN-Bus", "CANopen")
CAN_SPELLED = re.compile(r"ve\.can|\bcan[- ]?bus|\bcan ?open")
# "ohne OCPP", "without RS485": the question does not ask for it
WITHOUT = re.compile(r"\b(ohne|without|kein\w*|no|not)\s+$", re.IGNORECASE)


def absent_buses(question: str, texts: list[str], capitals: frozenset[str]) -> list[str]:
    """Return the buses ``question`` names (in any case) that no named manual prints.

    "jk balancer per rs485 oder can an den wr anbinden?" — the balancer's manual speaks
    of Bluetooth only. ``texts``: the folded texts of the named device's manuals;
    ``capitals``: the words they print in capitals ("CAN" counts only so, or as "CAN-Bus",
    "VE.Can": "can" is a verb there).
    """
    absent = []
    for found in BUSES.finditer(question):
        bus = next(g for g in found.groups() if g)
        if WITHOUT.search(question[: found.start(found.lastindex or 0)]):
            continue
        if bus.casefold() == "can":
            if "CAN" not in capitals and not any(CAN_SPELLED.search(t) for t in texts):
                absent.append("CAN")
            continue
        letters, digits = re.sub(r"[^a-z]", "", bus.casefold()), re.sub(r"\D", "", bus)
        printed = rf"(?<![a-z0-9]){letters}[- ]?{digits}(?![0-9])"
        if digits == "485":  # Modbus RTU runs on RS485 ("Modbus RTU (for 485)")
            printed += r"|(?<![a-z0-9])485(?![0-9])|\brtu\b"
        if not any(re.search(printed, t) for t in texts):
            absent.append(f"{letters}{digits}".upper())
    return list(dict.fromkeys(absent))


# a light's colour the question asks about ("die SOC-Anzeige blinkt rot", "LED ring flashing
# red"): a manual describing that light's states prints the colour in some language
_INDICATOR = re.compile(
    r"\bled|leuchte|leuchtet|anzeige|blink|lampe|\blights?\b|flash|\bring\b|glow"
)
COLOURS: Table = table(
    (
        ("rot", r"\brot(e[nmrs]?)?\b|\bred\b", r"\brot(e[nmrs]?)?\b|\bred\b"),
        ("grün", r"\bgruen(e[nmrs]?)?\b|\bgreen\b", r"\bgruen|\bgreen\b"),
        ("gelb", r"\bgelb(e[nmrs]?)?\b|\byellow\b", r"\bgelb|\byellow\b|\bamber\b"),
        ("orange", r"\borange\b", r"\borange\b|\bamber\b"),
        ("blau", r"\bblau(e[nmrs]?)?\b|\bblue\b", r"\bblau|\bblue\b"),
        ("weiß", r"\bweiss(e[nmrs]?)?\b|\bwhite\b", r"\bweiss|\bwhite\b"),
    )
)


def absent_colours(question: str, texts: list[str]) -> list[str]:
    """Return the colours of a light ``question`` asks about that no text of ``texts`` prints.

    "Sungrow SBR: die SOC-Anzeige blinkt rot": the data sheet names the SOC display but no
    colour; it does not say what red means. Only when the question speaks of a light or
    display; ``texts``: the folded texts of the named device's documents (empty: none named).
    """
    if not _INDICATOR.search(fold(question)):
        return []
    return absent_in(COLOURS, question, texts)
