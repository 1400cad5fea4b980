"""A value a data sheet prints per model: which rows differ by model, and which models they name."""

from __future__ import annotations

import pytest

from nikdesk.agent.variants import (
    asks_across,
    default_columns,
    inline_models,
    listed_models,
    model_options,
    model_rows,
    named_rows,
    names_by_value,
    names_model,
    per_model,
    twin_lines,
)

# the shapes of the corpus' model tables (Sungrow SH-RT and SBR, NIBE S1256, JK BMS, Growatt MIC)
SH_RT = """Typenbezeichnung | SH5.0RT | SH6.0RT | SH8.0RT | SH10RT
Max. PV-Eingangsspannung | 1000 V
Einschaltspannung | 180 V | 250 V | 250 V | 250 V"""
NIBE = """S1256 | -8 | -13 | -18
Max. Anlaufstrom Wärmepumpe Ia | A | <8 | <8 | <8
Absicherung | A | 16 | 25 | 25"""
JK = """Parameters | Product number
BD6A20S10P | B1A24S15P | B2A24S15P | B2A24S20P
Continuous discharge current | 100A | 150A | 150A | 200A"""
MIC = """Modell | MIC | MIC | MIC | MIC
Spezifikationen | 750TL-X | 1000TL-X | 1500TL-X | 2000TL-X
MAX DC-Spannung | 500V
Modell | MIC | MIC | MIC | MIC
Nennspannung | 120V | 180V | 250V | 360V
Max. Ausgangsstrom | 3.6A | 4.7A | 7.1A | 9.5A"""


def test_each_table_shape_names_its_models() -> None:
    assert model_rows(SH_RT) == [(0, ["SH5.0RT", "SH6.0RT", "SH8.0RT", "SH10RT"])]
    assert model_rows(NIBE) == [(0, ["S1256-8", "S1256-13", "S1256-18"])]
    assert model_rows(JK) == [(1, ["BD6A20S10P", "B1A24S15P", "B2A24S15P", "B2A24S20P"])]
    # the series above the model numbers, not above a row of values ("MIC 120V")
    assert model_rows(MIC) == [(1, ["MIC 750TL-X", "MIC 1000TL-X", "MIC 1500TL-X", "MIC 2000TL-X"])]


def test_a_row_differing_by_model_pairs_each_model_with_its_value() -> None:
    assert per_model("Einschaltspannung | 180 V | 250 V | 250 V | 250 V", SH_RT) == [
        ("SH5.0RT", "180 V"),
        ("SH6.0RT", "250 V"),
        ("SH8.0RT", "250 V"),
        ("SH10RT", "250 V"),
    ]
    # the unit column is no model's value
    assert [v for _, v in per_model("Absicherung | A | 16 | 25 | 25", NIBE)] == ["16", "25", "25"]
    assert per_model("Max. Ausgangsstrom | 3.6A | 4.7A | 7.1A | 9.5A", MIC)[0] == (
        "MIC 750TL-X",
        "3.6A",
    )


# p. 25 goes on with the MIC 2500–3300TL-X, whose "Max. DC-Spannung" is another
MIC_ON = """Modell
Spezifikationen | MIC 2500TL-X | MIC 3000TL-X | MIC 3300TL-X
Max. DC-Spannung | 550V
Startspannung | 80V"""


def test_one_value_across_a_tables_columns_differs_from_the_next_tables() -> None:
    # "MAX DC-Spannung | 500V" is each MIC 750–2000TL-X's, "Max. DC-Spannung | 550V" (the
    # same row, spelt otherwise) each MIC 2500–3300TL-X's
    pairs = per_model("Max. DC-Spannung | 550V", MIC_ON, (MIC, ""))
    assert pairs[0] == ("MIC 750TL-X", "500V") and pairs[-1] == ("MIC 3300TL-X", "550V")
    assert len(pairs) == 7
    assert model_options(
        "Growatt MIC max DC Spannung?", "MAX DC-Spannung | 500V", MIC, ("", MIC_ON)
    )
    assert not model_options("MIC 3000TL-X max DC Spannung?", "Max. DC-Spannung | 550V", MIC_ON)


# VE.Direct p. 14: the product IDs, one product per row
PIDS = """Phoenix Inverter 24V 500VA 230V | 0xA252
Phoenix Inverter 12V 800VA 230V | 0xA261
Phoenix Inverter 24V 800VA 230V | 0xA262
Phoenix Inverter 48V 800VA 230V | 0xA264
Phoenix Inverter 12V 800VA 120V | 0xA269
Phoenix Inverter 24V 800VA 120V | 0xA26A
BMV-712 Smart | 0xA381
BMV-710H Smart | 0xA382
BMV-712 Smart Rev2 | 0xA383"""


def test_a_name_several_products_of_a_list_share_asks_which() -> None:
    key = "Phoenix Inverter 24V 800VA 230V | 0xA262"
    question = "victron phoenix inverter 24v 800va, which pid does it report on ve.direct?"
    assert named_rows(question, key, PIDS) == (
        "Phoenix Inverter 24V 800VA 230V",
        "Phoenix Inverter 24V 800VA 120V",
    )
    smart = "victron bmv-712 smart, welche product id meldet der über ve.direct?"
    assert named_rows(smart, "BMV-712 Smart | 0xA381", PIDS) == (
        "BMV-712 Smart",
        "BMV-712 Smart Rev2",
    )
    # a word only one name holds picks it, whichever row the key line is
    assert named_rows(question.replace("800va", "800va 120v"), key, PIDS) == ()
    # a footnote's mark makes no other product ("… 230V*": phased out)
    marked = (
        PIDS
        + "\nPhoenix Inverter 12V 250VA 230V* | 0xA201\nPhoenix Inverter 12V 250VA 230V | 0xA231"
    )
    assert named_rows("phoenix inverter 12v 250va 230v - product id?", key, marked) == ()
    # no word with a digit said: the question names no product of the list
    assert named_rows("victron phoenix inverter: which pid?", key, PIDS) == ()
    # a parameter table is no product list
    table = "Max. Eingangsstrom | 13A\nMax. Eingangsstrom pro MPPT | 13A\nMPPT | 2"
    assert named_rows("max eingangsstrom 2 mppt?", "Max. Eingangsstrom | 13A", table) == ()


@pytest.mark.parametrize(
    ("key", "page"),
    [
        ("Max. PV-Eingangsspannung | 1000 V", SH_RT),  # one value for every model
        ("Max. Anlaufstrom Wärmepumpe Ia | A | <8 | <8 | <8", NIBE),  # the same in each column
        ("Einschaltspannung: 180 V", SH_RT),  # no table row
        # register columns are no models
        ("0x0010 | DCI_Limit | W | 20~1000 | 1mA", "Address | Name | R/W | Range | Unit\n"),
    ],
)
def test_a_row_with_one_value_or_without_model_columns_differs_by_nothing(
    key: str, page: str
) -> None:
    assert per_model(key, page) == []


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Sungrow SH RT: Einschaltspannung?", False),
        ("Sungrow SH10RT: Einschaltspannung?", True),
        ("Sungrow SH 10 RT: Einschaltspannung?", True),
        ("Sungrow SH10: Einschaltspannung?", True),
        ("sh5.0rt einschaltspannung", True),
        ("Sungrow SH8 Einschaltspannung?", True),  # as installers write it
        ("SH 5 RT", True),
        ("Sungrow SH, 10 Module am String", False),  # a number after a comma is no model
        ("SH100", False),
    ],
)
def test_a_question_names_a_model_in_its_own_spelling(question: str, named: bool) -> None:
    assert names_model(question, ["SH5.0RT", "SH6.0RT", "SH8.0RT", "SH10RT"]) is named


def test_the_series_alone_names_none_of_its_models() -> None:
    models = ["S1256-8", "S1256-13", "S1256-18"]
    assert not names_model("Mit wieviel Ampere muss ich die NIBE S1256 absichern?", models)
    assert names_model("NIBE S1256-13 absichern?", models)
    assert names_model("NIBE 1256-8 absichern?", models)
    assert not names_model("NIBE S1256, 8 Jahre alt, wie absichern?", models)
    assert not names_model("NIBE S1256-18 absichern?", ["S1256-8"])
    mic = ["MIC 750TL-X", "MIC 1000TL-X"]
    assert names_model("Growatt MIC 1000 Ausgangsstrom?", mic)
    assert names_model("Growatt 1000TL-X Ausgangsstrom?", mic)
    assert not names_model("Growatt MIC Ausgangsstrom?", mic)
    assert not names_model("Growatt MIC, 750 W Module", mic)


def test_the_models_are_asked_only_when_the_question_names_none() -> None:
    key = "Absicherung | A | 16 | 25 | 25"
    assert model_options("NIBE S1256 absichern?", key, NIBE) == (
        "S1256-8",
        "S1256-13",
        "S1256-18",
    )
    assert model_options("NIBE S1256-8 absichern?", key, NIBE) == ()


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("Welche Größen gibt es bei der SBR?", "Energie (nutzbar) 1 | 9,6 kWh | 12,8 kWh"),
        ("SBR: wie schwer sind die Varianten?", "Gewicht | 114 kg | 147 kg"),
        ("Wie viel Energie speichert die SBR maximal?", "Energie (nutzbar) 1 | 9,6 kWh | 12,8 kWh"),
        ("What is the lowest start voltage of the SH-RT?", "Einschaltspannung | 180 V | 250 V"),
    ],
)
def test_a_question_about_the_whole_series_is_answered_by_the_row(question: str, key: str) -> None:
    assert asks_across(question, key)


@pytest.mark.parametrize(
    ("question", "key"),
    [
        # the extreme is the row's own name
        ("growatt mic max ausgangsstrom?", "Max. Ausgangsstrom | 3.6A | 4.7A"),
        ("SH-RT: maximale Ladeleistung?", "Max. Lade-/Entladeleistung | 7500 W / 6000 W | 9000 W"),
        ("Welche Absicherung nach 5 Minuten?", "Absicherung | A | 16 | 25"),  # no "min"
        ("SH-RT: Einschaltspannung bei 5 min Betrieb?", "Einschaltspannung | 180 V | 250 V"),
    ],
)
def test_a_question_for_one_models_value_is_asked_back(question: str, key: str) -> None:
    assert not asks_across(question, key)


def test_a_value_only_one_column_prints_names_that_model() -> None:
    sbr = """Typenbezeichnung | SBR096 | SBR128 | SBR160
Energie (nutzbar) 1 | 9,6 kWh | 12,8 kWh | 16 kWh
Gewicht | 114 kg | 147 kg | 180 kg"""
    assert names_by_value("SBR mit 12,8 kWh: wie schwer ist der Turm?", sbr)
    assert names_by_value("SBR 12.8kWh Gewicht?", sbr)
    assert (
        model_options("SBR mit 12,8 kWh: wie schwer?", "Gewicht | 114 kg | 147 kg | 180 kg", sbr)
        == ()
    )
    assert not names_by_value("SBR: wie schwer ist der Turm bei 5 °C?", sbr)
    assert model_options("SBR: wie schwer?", "Gewicht | 114 kg | 147 kg | 180 kg", sbr)


@pytest.mark.parametrize(
    "row",
    [
        "Phase | L1 | L2 | L3",  # numbered members of one thing are no models
        "Eingang | MPPT1 | MPPT2",
        "MPPT 1 | MPPT 2",
        "Schraube | M4 | M5 | M6",
        "Stecker | Typ 1 | Typ 2",
        "Port | CH1 | CH2 | CH3",
        "Protokoll | V1.0 | V2.0",
        "Bit | B7 | B6 | B5 | B4",
    ],
)
def test_a_row_of_numbered_parts_names_no_models(row: str) -> None:
    assert model_rows(row) == []


def test_pipes_at_the_row_ends_and_a_dash_cell_keep_the_columns() -> None:
    assert model_rows("| S1256 | -8 | -13 | -18 |") == [(0, ["S1256-8", "S1256-13", "S1256-18"])]
    # a dash is a value (none), not the unit column: the row has four values for three models
    page = "Typenbezeichnung | SBR096 | SBR128 | SBR160\nNotstrom | - | 5 kW | 5 kW | 6 kW"
    assert per_model("Notstrom | - | 5 kW | 5 kW | 6 kW", page) == []


JK_BALANCER = frozenset({"b1a", "b1a24s", "b2a", "b2a24s", "24s"})  # its file name's models
SOLAX_G4 = frozenset({"x1", "x3", "g4"})


@pytest.mark.parametrize(
    ("line", "names", "models"),
    [
        (
            "The balancer operates with a constant balance-current of 1A(JK-B1A24S) or "
            "2A(JK-B2A24S) for energy transfer.",
            JK_BALANCER,
            ("JK-B1A24S", "JK-B2A24S"),
        ),
        (
            "The maximum balance current can be set for JK-B1A24S is 1A, and the maximum "
            "balance current can be set for JK-B2A24S is 2A.",
            JK_BALANCER,
            ("JK-B1A24S", "JK-B2A24S"),
        ),
        (
            "0x0022 | Charge_floatVolt | W | Lead-acid battery charge float voltage "
            "(X1:850~4000 X3:1600~6500) | 0.1V",
            SOLAX_G4,
            ("X1", "X3"),
        ),
        # each value on the same side of its model, whichever is the larger
        ("float voltage (X1:1600~6500 X3:850~4000)", SOLAX_G4, ("X1", "X3")),
        ("Export limit X1: 5000 X3: 10000", SOLAX_G4, ("X1", "X3")),
    ],
)
def test_a_text_line_giving_each_model_its_value_asks_which(
    line: str, names: frozenset[str], models: tuple[str, ...]
) -> None:
    assert inline_models("jk balancer balance current?", line, names) == models


@pytest.mark.parametrize(
    ("question", "line"),
    [
        # the question names one of the models
        ("jk b2a24s balance current?", "balance-current of 1A(JK-B1A24S) or 2A(JK-B2A24S)"),
        # both models, one value
        ("jk balancer: cell voltage range?", "JK-B1A24S and JK-B2A24S: 1 V ~ 5V"),
        # the models named without values
        ("jk balancer: display?", "JK-B1A24S/JK-B2A24S Balancer does not have this function"),
        # one model and a further number
        ("jk balancer: current?", "The JK-B2A24S balances at 2A with 24 cells"),
        # the whole series asked, or the models compared
        ("jk balancer: balance current of each model?", "1A(JK-B1A24S) or 2A(JK-B2A24S)"),
        ("jk balancer: difference in balance current?", "1A(JK-B1A24S) or 2A(JK-B2A24S)"),
        # a shorter name of one of them, run together or not
        ("jk b2a balancer current?", "balance-current of 1A(JK-B1A24S) or 2A(JK-B2A24S)"),
        ("jk-b2a balancer current?", "balance-current of 1A(JK-B1A24S) or 2A(JK-B2A24S)"),
    ],
)
def test_a_text_line_asks_nothing_when_the_model_is_named_or_the_value_one(
    question: str, line: str
) -> None:
    assert inline_models(question, line, JK_BALANCER) == ()


def test_a_code_list_or_a_name_inside_a_field_name_names_no_models() -> None:
    # "1:X1 3:X3" says what the codes mean; "MachineType_X1orX3" is a field's name
    row = "0x0105 | MachineType_X1orX3 | R | 1:X1 3:X3 | 1"
    assert inline_models("solax g4 machine type?", row, SOLAX_G4) == ()


def test_a_question_s_letters_run_together_name_no_model() -> None:
    # "solax 10kw g4" squeezed holds "x1", but no word of it is "X1"
    line = "(X1:850~4000 X3:1600~6500)"
    assert inline_models("solax 10kw g4: float voltage range?", line, SOLAX_G4) == ("X1", "X3")


# Growatt MIC p. 12: the AC breaker per model, one row each (read from aligned cells)
MIC_BREAKERS = """Wir empfehlen Ihnen, den Nennstrom des AC-Schalters in dieser Tabelle zu wählen:
MIC 750TL-X | 10A/230V
MIC 1000TL-X | 10A/230V
MIC 1500TL-X | 10A/230V
MIC 2000TL-X | 16A/230V
MIC 2500TL-X | 16A/230V"""


def test_a_list_giving_each_model_its_row_asks_which_model() -> None:
    question = "growatt mic welchen nennstrom für den ac leitungsschutzschalter?"
    models, rows = listed_models(question, "MIC 750TL-X | 10A/230V", MIC_BREAKERS)
    assert models == ("MIC 750TL-X", "MIC 1000TL-X", "MIC 1500TL-X", "MIC 2000TL-X", "MIC 2500TL-X")
    assert rows == MIC_BREAKERS.splitlines()[1:]
    # named, asked about all of them, or one value for all: nothing to ask
    named = "growatt mic 2000 welchen LS?"
    assert listed_models(named, "MIC 2000TL-X | 16A/230V", MIC_BREAKERS) == ((), [])
    across = "growatt mic: LS für die verschiedenen Modelle?"
    assert listed_models(across, "MIC 750TL-X | 10A/230V", MIC_BREAKERS) == ((), [])
    same = "\n".join(row.replace("16A", "10A") for row in MIC_BREAKERS.splitlines())
    assert listed_models(question, "MIC 750TL-X | 10A/230V", same) == ((), [])
    # a value of the list asked about names its models: the rows answer
    by_value = "Growatt MIC: which inverter needs a 10A/230V breaker?"
    assert listed_models(by_value, "MIC 750TL-X | 10A/230V", MIC_BREAKERS) == ((), [])


@pytest.mark.parametrize(
    "page",
    [
        # error codes are no models: no series of two letters, and their meaning is words
        "E01 | 16 | Netzüberspannung\nE02 | 17 | Netzunterspannung\nE03 | 18 | Inselbildung",
        "E01 | Netzüberspannung\nE02 | Netzunterspannung\nE03 | Inselbildung",
        # numbered parts of one thing
        "MPPT1 | 12.5A\nMPPT2 | 12.5A\nMPPT3 | 16A",
    ],
)
def test_a_list_of_codes_or_parts_names_no_models(page: str) -> None:
    key = page.splitlines()[0]
    assert listed_models("welcher wert?", key, page) == ((), [])


def test_key_lines_giving_each_variant_its_value_ask_which() -> None:
    from nikdesk.agent.variants import variant_values

    # Voltronic PI30 MAX p. 22: one line per variant
    voltronic = [
        "Set inverter output rating voltage to 220V/230V/240V for HV models.",
        "Set inverter output rating voltage to 127V/120V/110V for LV models.",
    ]
    question = "Voltronic MAX: which output voltages can I set with the V command?"
    assert variant_values(question, voltronic) == ("HV", "LV")
    assert variant_values("Voltronic MAX HV model: output voltages?", voltronic) == ()
    # whole words only: "which voltage" holds no "HV", "soll volt" no "LV"
    assert variant_values("which voltage can I set?", voltronic) == ("HV", "LV")
    assert variant_values("welche soll volt?", voltronic) == ("HV", "LV")
    # a German question meets an English row's cells through the glossary ("Werkseinstellung
    # Ausgangsfrequenz": "Default …", "AC output frequency")
    qdi = ["C | CC.C | AC output frequency | Default 50.0 for HV models 60.0 for LV models"]
    assert variant_values("Axpert MAX: Werkseinstellung Ausgangsfrequenz?", qdi) == ("HV", "LV")
    # a value only one variant prints names it: "230V" is an HV model's; "Doku 2.7" no value
    assert variant_values("Axpert MAX Ausgangsspannung auf 230V stellen?", voltronic) == ()
    assert variant_values("Voltronic Doku 2.7: Ausgangsspannung?", voltronic) == ("HV", "LV")
    # SRNE E001: both in one line, each value after its variant
    srne = ["PV charge current limit. 1st generation machine 50A, 2nd generation machine 70A."]
    assert variant_values("SRNE PV charge current limit?", srne) == (
        "1st generation",
        "2nd generation",
    )
    for named in ("SRNE 2nd gen: limit?", "srne zweite Generation: limit?", "second generation?"):
        assert variant_values(named, srne) == (), named
    # Kostal: a generation and its firmware
    kostal = ["1 Valid from version PLENTICORE G2: SW 02.12.xxxxx PLENTICORE G3: SW 3.04.01.xxxxx"]
    assert variant_values("kostal ab welcher firmware sunspec?", kostal) == (
        "PLENTICORE G2",
        "PLENTICORE G3",
    )
    assert variant_values("Kostal G3: ab welcher Firmware?", kostal) == ()
    # one variant, or the same value for each, asks nothing; nor a question about all of them
    assert variant_values("output voltage?", voltronic[:1]) == ()
    same = ["230V for HV models, 230V for LV models"]
    assert variant_values("output voltage?", same) == ()
    assert variant_values("Voltronic: output voltages of both variants?", voltronic) == ()
    # a document's revision history names no variants of the device
    history = ["02-10-2018 – rev 5: Bluetooth mode added", "01-06-2017 – rev 4: rev 3 fixes"]
    assert variant_values("seit welcher Revision ist Bluetooth mode beschrieben?", history) == ()
    # Pylontech p. 21: a model number gives each its own SOC, over two lines
    pylontech = [
        "Bit 5: for US2000B, it is SOC 15~19%,",
        "for US2000B-Plus/US3000B, it is SOC 5~9% (design for inverter which has active battery",
    ]
    assert variant_values("pylontech zwangsladung bei welchem soc?", pylontech) == (
        "US2000B",
        "US3000B",
    )
    for named in ("pylontech us3000: soc?", "US2000B zwangsladung bei welchem soc?"):
        assert variant_values(named, pylontech) == (), named
    # a model of the series that is none of the lines' is not asked for among them
    assert variant_values("pylontech US5000: bei welchem SOC zwangsladung?", pylontech) == ()
    # a standard's number, an interface's terminals, a code list's entries are no models
    # (after "for", where a model number would count)
    codes = ["for EN50549 it trips at 51.5 Hz, for IEC62116 at 52 Hz"]
    assert variant_values("at which frequency does it trip?", codes) == ()
    pins = ["for RS485A use pin 24, for RS485B pin 25"]
    assert variant_values("DDSU666-H: which pin for the bus?", pins) == ()
    ddsu = ["Comm. cable | RS485A - 24 RS485B - 25 | Two-core shielded twisted pair | 0.20-1 mm2"]
    assert variant_values("DDSU666-H: Querschnitt fürs Comm-Kabel?", ddsu) == ()
    alpha = ["A018H | Topbmu BMU version | R | 15:BMU- HV900112/ 26:BMU- HV50056/ 38:BMU- HV900105"]
    assert variant_values("AlphaESS: Topbmu BMU version zeigt 26, welche BMU?", alpha) == ()


def test_the_variant_named_keeps_its_key_lines_only() -> None:
    from nikdesk.agent.variants import of_said_variant

    lines = [
        "Set inverter output rating voltage to 220V/230V/240V for HV models.",
        "Set inverter output rating voltage to 127V/120V/110V for LV models.",
        "Computer: V<nnn><CRC><cr>",
    ]
    assert of_said_variant(lines, "output voltages? HV") == [0, 2]
    assert of_said_variant(lines, "output voltages? LV") == [1, 2]
    assert of_said_variant(lines, "output voltages?") == [0, 1, 2]


def test_a_model_named_whole_is_not_the_longer_model_it_begins() -> None:
    from nikdesk.agent.quote import quote
    from nikdesk.agent.variants import said_variants

    models = ["US2000B", "US2000B-Plus", "US3000B"]
    assert said_variants("US2000B: ab welchem SOC?", models) == ["US2000B"]
    assert said_variants("US2000B-Plus: ab welchem SOC?", models) == ["US2000B-Plus"]
    assert said_variants("us2000b plus soc?", models) == ["US2000B-Plus"]
    assert said_variants("US2000B: soc?", ["US2000B-Plus", "US3000B"]) == []
    assert said_variants("pylontech soc?", models) == []
    # a word no other variant has still says one; a name of several words by all of them
    assert said_variants("kostal g3 sunspec?", ["PLENTICORE G3", "PLENTICORE G2"]) == [
        "PLENTICORE G3"
    ]
    assert said_variants("x1 g4 wert?", ["X1 G4", "X3 G4", "X1 Mini"]) == ["X1 G4"]
    # Pylontech p. 21: the line of the model named is the key, though the other scores better
    page = (
        "Bit 5: for US2000B, it is SOC 15~19%,\n"
        "for US2000B-Plus/US3000B, it is SOC 5~9% (design for inverter which has active battery"
        " by given DC voltage function)\n"
        "Bit 4: for US2000B-Plus/US3000B, it is SOC 9~13%(design for inverter doesn`t have"
        " active function or inverter doesn`t want battery shut down)"
    )
    found = quote(page, "US2000B: ab welchem SOC fordert der Akku sofortiges Laden an?")
    assert found.key == "Bit 5: for US2000B, it is SOC 15~19%,"
    plus = quote(page, "US2000B-Plus: ab welchem SOC fordert der Akku sofortiges Laden an?")
    assert "US2000B-Plus" in plus.key


# JK smart BMS p. 25: the one-click presets, one column of defaults per cell chemistry
PRESETS = (
    "No. | Parameter | Ternary default | Lithium iron default | Lithium titanate default | Unit\n"
    "1 | Single undervoltage protection | 2.9 | 2.6 | 1.8 | V\n"
    "5 | Trigger equalizing pressure difference | 0.01 | 0.01 | 0.01 | V"
)
UNDER = "1 | Single undervoltage protection | 2.9 | 2.6 | 1.8 | V"


def test_a_column_of_defaults_per_variant_asks_which_unless_named() -> None:
    assert default_columns(UNDER, PRESETS) == [
        ("Ternary", "2.9"),
        ("Lithium iron", "2.6"),
        ("Lithium titanate", "1.8"),
    ]
    asked = "jk bms werkseinstellung unterspannung pro zelle?"
    assert model_options(asked, UNDER, PRESETS) == ("Ternary", "Lithium iron", "Lithium titanate")
    # named by the chemistry's other names (the glossary's): LiFePO4 is the lithium iron column
    for named in ("jk bms lifepo4: default zell-unterspannung?", "jk nmc cell undervoltage"):
        assert model_options(named, UNDER, PRESETS) == ()
    # the same default for every chemistry: nothing to ask
    same = "5 | Trigger equalizing pressure difference | 0.01 | 0.01 | 0.01 | V"
    assert default_columns(same, PRESETS) == []
    # columns of extremes are no variants ("Min value | Max value | Default value", SRNE)
    srne = "Address | Name | Min value | Max value | Default value\nE001 | PV limit | 0 | 70 | 50"
    assert default_columns("E001 | PV limit | 0 | 70 | 50", srne) == []


def test_a_chemistry_named_in_other_words_or_another_battery_asks_nothing() -> None:
    for named in (
        "jk bms ncm akku, default zellunterspannung?",
        "jk bms ternäre zellen werkseinstellung unterspannung?",
        "jk bms lithium eisenphosphat werkseinstellung unterspannung?",
        "jk bms titanat zellen: werkseinstellung unterspannung?",
        "jk bms natrium-ionen akku: werkseinstellung unterspannung?",
    ):
        assert model_options(named, UNDER, PRESETS) == (), named
    # other words for a preset; not a question asking no preset
    for asked in ("jk bms werkseitig eingestellte unterspannung?", "jk auslieferungszustand?"):
        assert model_options(asked, UNDER, PRESETS), asked
    assert model_options("jk bms: was macht der unterspannungsschutz?", UNDER, PRESETS) == ()
    # "minimale" names the parameter, not the lowest preset; "alle" asks for every column
    assert model_options("jk bms minimale unterspannung ab werk?", UNDER, PRESETS)
    assert model_options("jk bms unterspannung ab werk für alle typen?", UNDER, PRESETS) == ()


def test_of_a_row_only_the_cells_the_question_meets_give_variants() -> None:
    from nikdesk.agent.variants import variant_values

    # Voltronic p. 15: the remark gives each model its fault-code bits
    row = [
        "a31 | Battery weak (only 48V model) | 24V model: a31, a32 is fault code 48V model: "
        "a32, a33 is fault code"
    ]
    assert variant_values("pi30 qpiws, which bits hold the fault code", row) == ("24V", "48V")
    assert variant_values("axpert qpiws: which bit is battery weak?", row) == ()
    # the row named by its own code: the remark meets the question by that code alone
    assert variant_values("pi30 qpiws: what is bit a31?", row) == ()
    # … and by more: SRNE p. 3's E001 limit depends on the generation
    srne = [
        "E001 | 1 | PV charge current setup | RW | 1 | A | %dA | No | 0A | 100A | 80A | PV "
        "charge current limit. 1st generation machine 50A, 2nd generation machine 70A."
    ]
    asked = "srne hybrid wr: PV ladestrom limit (E001) – bis wie viel A kann ich das stellen?"
    assert variant_values(asked, srne) == ("1st generation", "2nd generation")


# Fronius Datamanager p. 12 as its text comes out: the lead-in, other text, then the list
FRONIUS_SOFTWARE = """The following inverter software versions must be used in order to correctly \
display the daily energy with Fronius Datamanager:
The relevant inverter software version can be downloaded for free from our homepage.
Inverter required software version according to display (MainControl)
Fronius IG 15 - 60 V2.9.4 or higher
Fronius IG 2000 - 5100 starting from series no. 19153444
Fronius IG 300 - 500 V3.6.4.0 or higher
Fronius IG Plus 35 - 150 V4.22.00 or higher"""
FRONIUS = frozenset({"fronius", "datamanager"})
LEAD = FRONIUS_SOFTWARE.splitlines()[0]


def test_twin_lines_with_each_product_its_value_ask_which_product() -> None:
    question = "Which inverter software does the Fronius Datamanager need for the daily energy?"
    assert twin_lines(question, [LEAD], FRONIUS_SOFTWARE, FRONIUS) == (
        "Fronius IG 15 - 60",
        "Fronius IG 2000 - 5100",
        "Fronius IG 300 - 500",
        "Fronius IG Plus 35 - 150",
    )
    # a product named: its line answers
    named = "Fronius IG Plus 100 with a Datamanager: which inverter software?"
    assert twin_lines(named, [LEAD], FRONIUS_SOFTWARE, FRONIUS) == ()
    assert (
        twin_lines("fronius ig 500 datamanager software?", [LEAD], FRONIUS_SOFTWARE, FRONIUS) == ()
    )
    # a lead-in sharing only the maker's name with the question leads in nothing asked
    other = "Fronius Datamanager: is there a demo mode for testing as Modbus master?"
    assert twin_lines(other, [LEAD], FRONIUS_SOFTWARE, FRONIUS) == ()


def test_twin_lines_above_their_products_offer_those_products() -> None:
    # Fronius p. 13: an item list per inverter group, each above the inverters it ships with
    page = """IC ID: 7738A-WB11NDF1
- 1 x antenna - 1 x 1 m RG58 antenna cable - 1 x mounting bracket
Fronius IG Fronius IG Plus Fronius IG Plus V
- 1 x antenna - 1 x 3 m RG58 antenna cable - 1 x mounting bracket
Fronius IG 300 - 500 Fronius CL Fronius CL - USA"""
    key = page.splitlines()[1]
    question = "Fronius Datamanager WLAN: how long is the antenna cable in the kit?"
    assert twin_lines(question, [key], page, FRONIUS) == (
        "Fronius IG Fronius IG Plus Fronius IG Plus V",
        "Fronius IG 300 - 500 Fronius CL Fronius CL - USA",
    )
    assert twin_lines(question.replace("WLAN", "on an IG 300"), [key], page, FRONIUS) == ()


def test_twin_lines_giving_every_product_the_same_value_ask_nothing() -> None:
    # SMA SHM 2.0 p. 13: the numbers that differ are the models' own ("6.0H-11", "8.0H-11")
    line = "Sunny Island {} mit SMA Speedwire Datenmodul Sunny Island ab Firmware-Version 1.00.00.R"
    page = "\n".join(line.format(model) for model in ("6.0H-11", "8.0H-11"))
    names = frozenset({"sma", "sunny", "home", "manager"})
    question = "Welche Firmware braucht der Sunny Island am Home Manager?"
    assert twin_lines(question, [page.splitlines()[0]], page, names) == ()
    # nor do a procedure's steps printed alike, each with another value, whatever stands
    # beside them: a step's number is no product's line
    steps = "2. Taste 5 s drücken.\nSunny Home Manager\n3. Taste 10 s drücken.\nSunny Portal"
    assert twin_lines("SMA: wie lange Taste drücken?", [steps.splitlines()[0]], steps, names) == ()


def test_a_table_going_on_from_the_page_before_takes_its_models_from_there() -> None:
    # Growatt MIC p. 25 opens with the 750-2000TL-X table's last rows; its model row is on
    # p. 24, and the extraction put two columns' values in one cell
    continued = "Euro-eta | 96.5% | 96.5% 97.0% | 97.0%\nTHDi | <3%\n" + MIC_ON
    pairs = per_model("Euro-eta | 96.5% | 96.5% 97.0% | 97.0%", continued, (MIC, ""))
    assert pairs == [
        ("MIC 750TL-X", "96.5%"),
        ("MIC 1000TL-X", "96.5%"),
        ("MIC 1500TL-X", "97.0%"),
        ("MIC 2000TL-X", "97.0%"),
    ]
    # one value for all four: nothing differs
    assert per_model("THDi | <3%", continued, (MIC, "")) == []
    # without the page before, the row has no models
    assert per_model("Euro-eta | 96.5% | 96.5% 97.0% | 97.0%", continued) == []


def test_twin_lines_read_a_bare_value_under_its_product() -> None:
    # Growatt MIC p. 8: "MIC 750-2000 TL-X 6.0kg", and further down "MIC 2500-3300 TL-X"
    # over "6.2kg"; the best key line counts though it shares no word with the question
    page = "MIC 750-2000 TL-X 6.0kg\n282mm 274mm 138mm IP 65\nMIC 2500-3300 TL-X\n6.2kg"
    names = frozenset({"growatt", "mic", "mic750"})
    key = page.splitlines()[0]
    question = "wie schwer ist der growatt mic?"
    assert twin_lines(question, [key], page, names) == ("MIC 750-2000", "MIC 2500-3300")
    assert twin_lines("growatt mic 3000 wie schwer?", [key], page, names) == ()


def test_the_names_holding_most_of_the_question_fit_when_none_holds_all() -> None:
    # VE.Direct p. 13: "ve" of "VE.Direct" is only in "SmartSolar MPPT VE.Can 150/70"
    page = """BlueSolar MPPT 75/15 rev3 | 0xA07D
BlueSolar MPPT 100/30 rev3 | 0xA076
SmartSolar MPPT 100/30 12V | 0xA07E
All-In-1 SmartSolar MPPT 75/15 12V | 0xA07F
SmartSolar MPPT VE.Can 150/70 | 0xA102
BlueSolar MPPT VE.Can 150/100 rev2 | 0xA117"""
    key = "SmartSolar MPPT 100/30 12V | 0xA07E"
    assert named_rows("VE.Direct PID for an MPPT 100/30?", key, page) == (
        "BlueSolar MPPT 100/30 rev3",
        "SmartSolar MPPT 100/30 12V",
    )
    # ... unless a word with a digit none of them holds names another product (p. 12's rev2;
    # here only the VE.Can's name holds it)
    assert named_rows("VE.Direct PID MPPT 100/30 rev2?", key, page) == ()
