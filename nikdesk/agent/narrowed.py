"""A quantity the question narrows that no row of the named manuals prints narrowed.

"Die höchste Zellspannung", "der PV-Ertrag von heute", "die maximale DC-Eingangsspannung",
"Eigenverbrauch nachts": a map or data sheet answering it prints the narrowing beside the
quantity in one row ("Max cell voltage", "E_Today", "PV input max voltage", "Eigenverbrauch
bei Nacht | <0.5W"). A manual printing the quantity only unnarrowed ("Battery voltage", "Total
yield") reports no such value.
"""

from __future__ import annotations

import re

from nikdesk.agent.coverage import Table, table
from nikdesk.core.text import STOPWORDS, fold

# a range states its ends: "-25 bis 60 °C", "210 V – 850 V", "-20~+60℃" give the highest and
# the lowest temperature or voltage (not an address range: "0x102-0x11E")
_RANGE = (
    r"(?<![x\w.,])[+-]?\d+([.,]\d+)?\s*(°\s?c|℃|k?v|m?a|k?w|%)?"
    r"(\s*(bis|to|–|~|…|\.\.\.)|\s+-)\s*[+-]?\d"  # "200 - 292 V", not "0x102-0x11e"
)

# the energies a period narrows: any, and the energy fed into or drawn from the grid
_PERIOD_HEADS = ("Energie", "Einspeisung", "Netzbezug")
# quantities only the qualifiers naming them narrow ("maximale Einspeisung" is a limit)
_NAMED_ONLY = frozenset({"Einspeisung", "Netzbezug", "Frequenz"})

# a quantity the question narrows ("die höchste Zellspannung", "der PV-Ertrag von heute", "die
# maximale DC-Eingangsspannung"): a map answering it prints the narrowing beside the quantity
# in one row ("Max cell voltage", "E_Today", "PV input max voltage"). A map printing the
# quantity only unnarrowed ("Battery voltage", "Total yield") reports no such value.
# (label, a word the question narrows with, what a row narrowing that way prints, the
# quantities it narrows: empty for all)
_Qualifier = tuple[str, re.Pattern[str], re.Pattern[str], frozenset[str]]
QUALIFIERS: tuple[_Qualifier, ...] = tuple(
    (label, re.compile(asked), re.compile(printed), frozenset(heads))
    for label, asked, printed, heads in (
        (
            "max. ",
            r"^(hoechst|max|maxim|groesst|highest|peak|spitzen)",
            rf"max|hoechst|highest|\bhigh|peak|upper|groesst|spitzen|limit|grenz|obere|{_RANGE}"
            r"|[≤<]|\bbis zu\b|\bup to\b|\bat most\b|nicht mehr als",  # "< 10 W", "bis zu 2 A"
            (),
        ),
        (
            "min. ",
            r"^(?!mini$)(niedrigst|min|minim|kleinst|lowest|tiefst)",  # not the SolaX X1 "Mini"
            rf"\bmin|niedrigst|lowest|\blow|lower|kleinst|tiefst|limit|grenz|untere|{_RANGE}"
            r"|[≥>]|\bmindestens\b|\bat least\b",
            (),
        ),
        (
            "geladene ",  # charged into the car or battery
            r"^(geladene[nr]?|charged)$",
            r"lade|charg|geladen|session|sitzung|vorgang",
            ("Energie",),
        ),
        (
            "Standby-",  # a device's own consumption at night or in standby
            r"^(standby|nachts?|night\w*|idle|ruhezustand)$",
            r"standby|stand-by|nacht|night|idle|ruhe|leerlauf|sleep|schlaf",
            ("Leistung", "Eigenverbrauch", "Strom"),
        ),
    )
)
# a period: a day's yield or peak, a month's, a year's or yesterday's energy. It narrows the
# quantity the question asks for, not the scene it sets ("heute keine Einspeisung – welches
# Register zeigt den Status?", see _asked_clauses and _scene)
PERIODS: tuple[_Qualifier, ...] = tuple(
    (label, re.compile(asked), re.compile(printed), frozenset(heads))
    for label, asked, printed, heads in (
        # a day's yield or peak, not a voltage "seit heute"
        (
            "Tages-",
            r"^(heute|heutige[nmrs]?|today|todays|taeglich\w*|daily|tages)$",
            r"today|heute|\btag|daily|day|\btages",
            ("Energie", "Leistung", "Einspeisung", "Netzbezug"),
        ),
        # a month's, a year's or yesterday's energy ("Ertrag diesen Monat", "yesterday's
        # yield"): a map keeping only today's and the total counter reports none
        (
            "Monats-",
            r"^(monat|monats|monate[ns]?|monatlich\w*|months?|monthly)$",
            r"month|monat",
            _PERIOD_HEADS,
        ),
        (
            "Jahres-",
            r"^(jahr|jahres|jaehrlich\w*|year|yearly|annual)$",  # not "in Jahren", "in years"
            r"year|jahr|annual",
            _PERIOD_HEADS,
        ),
        (
            "Vortags-",
            r"^(gestern|gestrig\w*|yesterdays?|vortag\w*)$",
            r"yesterday|gestern|vortag|previous day|last day",
            _PERIOD_HEADS,
        ),
    )
)
# ... and, in a register map or API only, the backup output's readings: a map labels each
# register ("Backup Voltage", "EPS Fac"), a data sheet states them under a heading
# ("Notstromdaten") its rows do not repeat
MAP_QUALIFIERS: tuple[_Qualifier, ...] = tuple(
    (label, re.compile(asked), re.compile(printed), frozenset(heads))
    for label, asked, printed, heads in (
        (
            "Notstrom-",
            r"^(backup|notstrom\w*|eps|ersatzstrom\w*|emergency|ups)$",
            r"back-?up|notstrom|\beps\b|off-?grid|emergency|ersatzstrom|insel|\bups",
            ("Frequenz", "Spannung", "Strom", "Leistung"),
        ),
    )
)
_PERIOD_LABELS = frozenset(q[0] for q in PERIODS)
_MAP_LABELS = frozenset(q[0] for q in MAP_QUALIFIERS)
# a compound's first part narrows these quantities only: "Tagesertrag", "Nachtverbrauch",
# "Maximalspannung"; "Nachtstrom" is a tariff, "Nominalspannung" no minimum
_COMPOUND_HEADS = frozenset(
    {"Energie", "Leistung", "Eigenverbrauch", "Spannung", "Zellspannung", "Einspeisung", "Frequenz"}
)
# the quantities narrowed: (label, the question's word for it, what a row printing it prints)
HEADS: Table = table(
    (
        (
            "Zellspannung",
            r"zellspannung$|^cell$",  # "cell" only before "voltage" (see _narrowed)
            r"(zell|\bcell).*(spannung|voltage|\bvol)|(spannung|voltage|\bvol).*(zell|\bcell)",
        ),
        ("Spannung", r"spannung$|^voltages?$", r"spannung|voltage|\bvolt|\bv\b|\bvol"),
        ("Strom", r"(?<!not)(?<!ersatz)strom$|^currents?$", r"strom|current|\bamp|\ba\b|\bcurr"),
        # a figure in watts, or a consumption ("Eigenverbrauch nachts | <0.5W")
        (
            "Leistung",
            r"leistung$|^power$",
            # a figure in watts, not an access cell "r/w"
            r"leistung|power|(?<!/)\bw\b|watt|\bpow|\d\s?[mk]?w\b|verbrauch|consumption",
        ),
        (
            "Energie",
            r"energie$|ertrag$|^energy$|^yield$|erzeugung$",
            r"energie|ertrag|energy|yield|kwh|\bwh|\be_|\be\w*today|generat|produc",
        ),
        # the energy fed into the grid, or drawn from it, counted apart from the yield: a map
        # counting "Gesamte Netzeinspeisung" and a daily PV yield holds no day's feed-in
        (
            "Einspeisung",
            # not "export" alone: a data export ("täglicher Export der Logdaten")
            r"einspeisung$|^(feed|feedin|sold|eingespeist\w*)$",
            r"einspeis|eingespeist|feed|export|sell|sold|to ?grid|ongrid|on-grid",
        ),
        (
            "Netzbezug",
            r"^(netz|strom)bezug$|^(import|imported|bought|purchased)$",
            r"bezug|bezogen|import|\bbuy|bought|purchas|from ?grid|to ?user|consum|verbrauch",
        ),
        ("Temperatur", r"temperatur$|^temperatures?$", r"temperat|\btemp|°c"),
        ("Frequenz", r"frequenz$|^frequency$", r"frequen|frequncy|\bhz\b|\bfreq|\bfac\b"),
        (
            "Eigenverbrauch",
            r"verbrauch$|^consumption$|leistungsaufnahme$",
            r"verbrauch|consumption|leistungsaufnahme|\bpower\b|\bw\b|\d\s?m?w\b",
        ),
    )
)


def absent_narrowed(question: str, texts: list[str], maps: bool = False) -> list[str]:
    """Return the narrowed quantities ``question`` asks for that no row of ``texts`` prints.

    "GoodWe ET per Modbus: welches Register liefert die höchste Einzelzellspannung?" — the
    map prints the battery voltage and a cell voltage difference alarm, but no row names a
    maximum beside a cell voltage. ``texts``: the folded texts of the named device's
    documents (empty: names none, and nothing is absent).
    """
    if not texts:
        return []
    folded = fold(question)
    pairs = _narrowed(folded, QUALIFIERS)
    # a period or the backup output narrows the quantity the question asks for, not the
    # scene it sets ("heute keine Einspeisung – welches Register zeigt den Status?")
    scoped = PERIODS + (MAP_QUALIFIERS if maps else ())
    pairs += [p for clause in _asked_clauses(folded) for p in _narrowed(clause, scoped)]
    if not pairs:
        return []  # most questions narrow nothing: the manuals' rows stay unread
    rows = _rows(texts)
    absent = [
        f"{qualifier}{head}"
        for (qualifier, printed_qualifier), (head, printed_head) in pairs
        if not any(printed_qualifier.search(r) and printed_head.search(r) for r in rows)
        # the backup output of a device whose manuals name none is its only output (an
        # off-grid inverter's "AC_OUT_V")
        and (qualifier not in _MAP_LABELS or any(printed_qualifier.search(r) for r in rows))
    ]
    return list(dict.fromkeys(absent))


# a clause of the question ("…: heute hoher Netzbezug – welches Register …?") and the words
# of one asking for something
# (a dash or a sentence's end parts them; a comma or a colon does not: "PV-Ertrag von heute,
# in welchem Register?", "Alpha ESS: gibt's ein Register für die heutige Einspeisung?")
_CLAUSE = re.compile(r"\s[–—-]\s|[;.?!]\s")
_ASKING = re.compile(
    r"\b(welche\w*|which|what|was|wo|where|wie|how|gibt\w*|register\w*|adress\w*|address\w*"
    r"|befehl\w*|command\w*|feld|field|key|abfrag\w*|auslesen|lese|read)\b"
)
_LIST_LEAD = 8  # lines under a lead-in ending in ":" read with it ("Gesamtertrag …:", "– Vortag")


def _asked_clauses(folded: str) -> list[str]:
    """Return the clauses of folded ``question`` that ask for something.

    All of them when none does, or when the asking ones name nothing of their own ("jährliche
    PV-Erzeugung per Modbus – welches Register?").
    """
    clauses = [c for c in _CLAUSE.split(f"{folded} ") if c.strip()]
    asking = [c for c in clauses if _ASKING.search(c)]
    own = [
        w
        for c in asking
        for w in re.findall(r"[a-z]{3,}", _ASKING.sub(" ", c))
        if w not in STOPWORDS
    ]
    return asking if len(own) >= 2 else clauses


def _rows(texts: list[str]) -> list[str]:
    # each line, and each line under a lead-in ending in ":" read with it: "Gesamtertrag
    # folgender Zeiträume:" over "– Vortag" prints yesterday's yield
    rows: list[str] = []
    for text in texts:
        lead, since = "", _LIST_LEAD
        for line in text.splitlines():
            rows.append(f"{lead} {line}" if lead and since < _LIST_LEAD else line)
            since += 1
            if line.rstrip().endswith(":"):
                lead, since = line, 0
    return rows


_Pair = tuple[tuple[str, re.Pattern[str]], tuple[str, re.Pattern[str]]]
_SINCE = re.compile(r"^(seit|since)$")
_NONE = re.compile(r"^(kein\w*|no|not|nicht|ohne|without)$")


def _scene(words: list[str], i: int) -> bool:
    # the quantity at ``i`` is a symptom, not a counter asked for: "seit gestern keine
    # Einspeisung", "no feed-in since yesterday"
    around = words[max(0, i - 3) : i + 4]
    return any(_SINCE.match(w) for w in around) or any(
        _NONE.match(w) for w in words[max(0, i - 2) : i]
    )


def _narrowed(folded: str, qualifiers: tuple[_Qualifier, ...] = QUALIFIERS) -> list[_Pair]:
    # the (qualifier, quantity) pairs of the question: a qualifier among the two words before
    # a quantity's word or the three after it ("PV-Ertrag von heute"), or the first part of
    # its compound ("Einzelzellspannung", "Tagesertrag")
    words = re.findall(r"[a-z0-9]+", re.sub(r"['’]s\b", "s", folded))  # "yesterday's" is one
    found: dict[tuple[str, str], _Pair] = {}
    for i, word in enumerate(words):
        for head, asked_head, printed_head in HEADS:
            match = asked_head.search(word)
            if match is None:
                continue
            if word == "cell" and words[i + 1 : i + 2] != ["voltage"]:
                continue
            near = words[max(0, i - 2) : i] + words[i + 1 : i + 4]
            # a period may stand a word further ahead ("heute ins Netz eingespeiste Energie")
            early = words[max(0, i - 3) : i] + words[i + 1 : i + 4]
            prefix = word[: match.start()] if head in _COMPOUND_HEADS else ""
            scene = _scene(words, i)
            for qualifier, asked, printed, heads in qualifiers:
                if (heads and head not in heads) or (not heads and head in _NAMED_ONLY):
                    continue
                period = qualifier in _PERIOD_LABELS
                if period and scene:
                    continue
                # a word near it, or the compound's first part ("tages", "max", "nacht")
                words_near = early if period else near
                if any(asked.search(w) for w in words_near) or (prefix and asked.search(prefix)):
                    found[(qualifier, head)] = ((qualifier, printed), (head, printed_head))
            break  # a word is one quantity
    return list(found.values())
