"""Key line, quoted window, filler and document types on real passages of the corpus manuals.

The passages are chunk texts as ingest produces them from ../shared/corpus/manuals (copied
verbatim: a table row is "cell | cell", one row per line).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from nikdesk.agent.ask import ask_of, separable_verbs, set_device_names
from nikdesk.agent.codes import lists_code
from nikdesk.agent.coverage import (
    absent_buses,
    absent_colours,
    absent_instances,
    absent_quantities,
    absent_units,
    asks_installation,
    is_protocol_document,
)
from nikdesk.agent.guards import answer_types, asked_types, holds_value
from nikdesk.agent.lines import (
    is_data_row,
    is_register_row,
    line_score,
    names_symptom,
    pieces_of,
    restates,
)
from nikdesk.agent.narrowed import absent_narrowed
from nikdesk.agent.passages import asks_about_maker
from nikdesk.agent.policy import exception_said
from nikdesk.agent.quote import answers_part, key_excerpt, key_line, left_open, quote
from nikdesk.agent.spelling import line_terms
from nikdesk.retrieval.filler import is_filler, is_filler_passage
from nikdesk.retrieval.routing import DocumentRouter
from nikdesk.retrieval.types import Chunk

# Sungrow_SBR096-256_Datenblatt_DE.pdf p. 2
SBR_TABLE = (
    "Typenbezeichnung | SBR096 | SBR128 | SBR160 | SBR192 | SBR224 | SBR256\n"
    "Technische Eigenschaften | 4 Module 5 Module 6 Module 7 Module 8 Module 3 Module\n"
    "Systemdaten\n"
    "Batterietyp | LiFePO4 prismatische Zelle\n"
    "Batteriemodul | 3,2 kWh, 33 kg\n"
    "Energie (nutzbar) 1 | 9,6 kWh | 12,8 kWh | 16 kWh | 19,2 kWh | 22,4 kWh | 25,6 kWh\n"
    "Nennspannung | 192 V | 256 V | 320 V | 384 V | 448 V | 512 V"
)
SBR_CURRENT = (
    "Typenbezeichnung | SBR096 | SBR128 | SBR160 | SBR192 | SBR224 | SBR256\n"
    "DC-Nennleistung | 5,76 kW | 7,68 kW | 9,60 kW | 11,52 kW | 13,44 kW | 15,36 kW\n"
    "Betriebsspannung | 150 - 219 V | 200 - 292 V | 250 - 365 V | 300 - 438 V | 350 - 511 V\n"
    "Maximaler Lade-/Entladestrom: Dauerbetrieb | 30 A\n"
    "Entladungstiefe | Max. 100 % DOD (einstellbar)\n"
    "Kurzschlussstrom | 3500 A"
)
# Growatt_MIC750-3300TL-X_Installations-Bedienungsanleitung_DE.pdf p. 22
GROWATT_WARNINGS = (
    "PV Voltage High Error: 202 | DC-Eingangsspannung überschreitet den Maximalwert | "
    "1. Trennen Sie sofort den DC-Schalter.\n"
    "PV Isolation Low | Isolationsproblem | 1. Überprüfen Sie die Erdung der "
    "Unterkonstruktion.\n"
    "Error: 203 | 4. Überprüfen Sie den Scheinwiderstand vom Plus- und Minus-Pol der PV-Anlage"
)
# Victron_VE.Direct_Protocol_3.33.pdf p. 4 (one run-on line in the PDF's text layer)
VEDIRECT = (
    "Serial port configuration\n"
    "Baud rate: 19200 Data bits: 8 Parity: None Stop bits: 1 Flow control: None Pins to use "
    "when using the VE.Direct to RS232 interface For the communication use the GND, RX and TX "
    "pins: pin 5, 2 and 3 on the DB9 connector. Also the DTR signal (pin 4 on the DB9 "
    "connector) and/or the RTS signal (pin 7 on the DB9 connector) must be driven high to "
    "power the isolated side of the interface."
)


@contextmanager
def library_of(*files: str) -> Iterator[None]:
    """Tell the line selection these files' device names, as an opened index does."""
    set_device_names(DocumentRouter([(f, f, "") for f in files]).specific_names)
    try:
        yield
    finally:
        set_device_names(frozenset())


def test_the_row_stating_the_asked_count_beats_the_header() -> None:
    q = "Wie viele Batteriemodule kann ich bei der Sungrow SBR maximal stapeln?"
    found = quote(SBR_TABLE, q)
    assert "8 Module" in found.key
    assert found.lines[0].startswith("Typenbezeichnung")  # the header stays as context
    assert "Nennspannung" not in "\n".join(found.lines)  # not the whole table


def test_a_header_answering_alone_is_quoted_with_the_rows_under_it() -> None:
    # DDSU666-H p. 21: no row shares a word of the question, the header does ("Energy")
    table = (
        "Sensor | Energy meter grade Class 1 | Power factor\n"
        "Direct connect | 0.004 Ib | 1\n"
        "Via transformer | 0.002 Ib"
    )
    found = quote(table, "from what current does it start counting energy?")
    assert found.key.startswith("Sensor | Energy meter")
    assert found.lines == tuple(table.splitlines())


def test_the_row_denying_what_the_question_denies_is_the_key() -> None:
    # go-e Modbus TCP p. 7: both rows hold "EEPROM"; the question wants the one not saved
    rows = (
        "Register | Bezeichnung | Länge | Beschreibung\n"
        "299 | AMPERE_VOLATILE | 1 | Ampere Wert von 6-32A Wird nicht im EEPROM gespeichert\n"
        "300 | AMPERE_EEPROM | 1 | Ampere Wert von 6-32A Wird im EEPROM gespeichert"
    )
    denied = "go-e Modbus: welches Register für den Ladestrom, das nicht ins EEPROM schreibt?"
    assert key_line(rows, denied).startswith("299 | AMPERE_VOLATILE")
    header, volatile, eeprom = rows.splitlines()
    assert key_line("\n".join((header, eeprom, volatile)), denied) == volatile  # not by order


def test_the_fault_row_naming_the_denied_symptom_is_the_key() -> None:
    # Huawei DDSU666-H p. 18: the troubleshooting table's row for the symptom, not the
    # wiring table's RS485 row nor the text line sharing the question's "check"
    lines = (
        "Comm. cable | RS485A - 24 RS485B - 25 | Two-core outdoor shielded twisted pair\n"
        "The default baud rate is 9600bps with check bit and stop bit to be n.1.\n"
        "Abnormal RS485 communication | 1. The RS485 communication cable is disconnected, "
        "short circuit or reversely connected. | 1. Reconnect or change the cable."
    )
    for question in (
        "huawei ddsu666 no rs485 communication with the inverter, what should i check",
        "DDSU666-H no rs485 comms with the inverter, what should i check",
        "DDSU666-H: keine RS485-Kommunikation mit dem Wechselrichter, was prüfen?",
    ):
        assert key_line(lines, question).startswith("Abnormal RS485 communication"), question
    # the symptom is the phrase after the negation: up to a preposition, without "mehr"; a
    # negated identity ("es ist nicht die RS485-Kommunikation") names none
    assert len(ask_of("no rs485 communication with the inverter").symptom) == 2
    (more,) = ask_of("DDSU: keine Kommunikation mehr über RS485").symptom
    assert "communication" in more
    assert ask_of("kWh ungenau, es ist nicht die RS485 Kommunikation").symptom == ()
    # a row merely naming the interface, or a symptom the question does not deny, is none
    # (the cell holds both words but no failure: a wiring table's row)
    assert not names_symptom(
        "RS485 communication | A+ / B- terminals", ask_of("no rs485 comms").symptom
    )
    assert not names_symptom(
        "Abnormal display | Check the supply", ask_of("no rs485 communication").symptom
    )
    assert not names_symptom(
        "The RS485 communication is abnormal when the cable runs longer than 1000 m | see 3.1",
        ask_of("no rs485 communication").symptom,
    )


def test_a_modbus_exception_reply_is_said_as_the_protocols_print_it() -> None:
    # Growatt p. 7 prints the reply to FC16 as "Response Error: 11 0x80|0x10 Errornum"
    q = "growatt rs485 i send FC16 and get back 0x90 – what kind of reply is that"
    assert exception_said(q) == f"{q} (exception 0x80|0x10)"
    said = exception_said("Kostal antwortet auf FC06 mit Funktionscode 0x86")
    assert said.endswith("(exception 0x80|0x06)")
    q = "kostal modbus: answer comes back with function code 0x83 instead of 0x03, why?"
    assert exception_said(q).endswith("(exception 0x80|0x03)")
    # a register, a reply to another function code, another protocol's code, a code
    # answering no function code: none
    for question in (
        "Modbus: welches Register liefert 0x90?",
        "Kostal: Register 0x90 mit FC 0x03 gelesen – was bekomme ich zurück?",
        "Modbus FC 16: was bedeutet Register 0x90 in der Antwort?",  # an address, FC 16 or not
        "pylontech antwortet mit CID2 0x90?",
        "solax x1 mini antwort mit control code 0x83",
        "Modbus Antwort kommt mit 0x99 zurück",
    ):
        assert exception_said(question) == question, question


def test_a_sentence_saying_this_names_the_title_above_it_too() -> None:
    # NIBE p. 10: the menu's name stands above the sentence calling it "this menu"
    page = (
        "Menü 8 – USB\n"
        "Dieses Menü erscheint, wenn ein USB-Stick angeschlossen wird. Hier können Sie "
        "beispielsweise die Software aktualisieren."
    )
    found = quote(page, "nibe s1256 software update per usb stick, wo im menü?")
    assert "Menü 8 – USB" in found.keys
    # a sentence of its own keeps its key alone
    plain = quote(page.replace("Dieses Menü", "Das Menü"), "software update per usb stick?")
    assert "Menü 8 – USB" not in plain.keys


def test_the_row_with_the_asked_unit_is_the_key() -> None:
    q = "Welchen maximalen Ladestrom verträgt der Sungrow SBR Speicher dauerhaft?"
    assert key_line(SBR_CURRENT, q) == "Maximaler Lade-/Entladestrom: Dauerbetrieb | 30 A"


def test_the_row_whose_unit_cell_is_of_the_asked_kind_answers_in_which_unit() -> None:
    # VE.Direct p. 6/13: "in welcher Einheit?" is answered by the field's unit cell ("mV"),
    # not by a model's name that happens to print a voltage ("… 100/30 12V")
    text = (
        "Label | Units | Description | MPPT\nVPV | mV | Panel voltage | •\n"
        "SmartSolar MPPT 100/30 12V | 0xA07E"
    )
    q = "VE.Direct-Textprotokoll: in welchem Feld kommt die PV-Spannung, in welcher Einheit?"
    with library_of("Victron_VE.Direct_Protocol_3.33.pdf"):
        assert key_line(text, q) == "VPV | mV | Panel voltage | •"
    # BMV p. 8: a compensation per degree is of both kinds ("%CAP/°C")
    rows = (
        "ID | Description | Display | Type | Unit\n"
        "0xEDEC | Temperature (1) | - | Un16 | 0.01 K\n"
        "0xEEF4 | Temperature coefficient (1) | 68 | Un16 | 0..20 | 0 | 0.1 | %CAP/°C"
    )
    q = "BMV-712: which register sets the temperature coefficient, and in what unit?"
    with library_of("Victron_BMV-7xx_HEX_Protocol.pdf"):
        assert key_line(rows, q).startswith("0xEEF4")


@pytest.mark.parametrize(
    ("line", "row"),
    [
        ("0127H | Battery remaining time | R | Belegt 2 Bytes | 1Minute/bit", True),
        ("A120H A121H | Toperror cell temperature difference cluster high | R", True),
        ("VPV | mV | Panel voltage", True),
        ("fwv | String | Firmware Version Example: 020-rc1", True),
        ("153 - 154 | Angesteckt-Dauer | ms", True),
        ("Line Impedance | 901D | The resistance of the connected wires. | milliohm", True),
        ("3.21 | 1 April 2016 | Mention Asynchronous HEX-messages.", False),
        ("2022-01-13 | tangyan chong | Add Read Input Registers 0x011F", False),
        ("2021-9-3 | wangjia nxing | Add safety types", False),
        ("Anzahl der Bytes (2*N) | Länge der wiedergegebenen Daten", False),
        ("From firmware version 030 on it is possible to use a separate MQTT server.", False),
    ],
)
def test_a_register_row_names_its_register_first(line: str, row: bool) -> None:
    assert is_register_row(line) is row


def test_a_register_question_is_answered_by_a_row_not_a_line_with_a_number() -> None:
    # every line with a digit "states an address"; for a register question only a row does
    q = "AlphaESS Storion T30 per Modbus: gibt es ein Register mit der Anzahl der Neustarts?"
    ask = ask_of(q)
    row = "A01CH | Topbmu restarts number | R | Belegt 2 Bytes | unsigned short"
    prose = "Anzahl der Bytes (2*N) | Länge der wiedergegebenen Daten"
    assert line_score(row, ask) > line_score(prose, ask)


def test_a_quoted_display_text_finds_its_row() -> None:
    q = "Was bedeutet beim Growatt MIC die Warnung 'PV Isolation Low'?"
    assert key_line(GROWATT_WARNINGS, q).startswith("PV Isolation Low | Isolationsproblem")


def test_a_code_finds_the_row_defining_it() -> None:
    q = "Growatt MIC zeigt Error 202, was tun?"
    assert key_line(GROWATT_WARNINGS, q).startswith("PV Voltage High Error: 202")


def test_under_a_heading_key_the_value_line_is_bold_too() -> None:
    with library_of("Victron_VE.Direct_Protocol_3.33.pdf", "Victron_BMV-7xx_HEX_Protocol.pdf"):
        found = quote(VEDIRECT, "What serial settings do I need to read a VE.Direct port?")
    assert "Baud rate: 19200" in (found.key, *found.also)


def test_a_run_on_line_is_cut_and_the_asked_field_is_the_key() -> None:
    assert key_line(VEDIRECT, "Welche Baudrate nutzt VE.Direct?") == "Baud rate: 19200"
    quoted = quote(VEDIRECT, "Welche Baudrate nutzt VE.Direct?")
    assert len("\n".join(quoted.lines)) < 200
    assert all(part in VEDIRECT for part in quoted.lines if part != "…")  # verbatim


def test_flattened_register_table_is_cut_at_each_register() -> None:
    line = (
        "ID Description Display Type Range Default Step Unit Battery settings "
        "0x1000 Battery Capacity Capacity uint16 0..9999 200 1 Ah "
        "0x1001 Battery Type Type enum 0..3 0 1 - "
        "0x1002 Charge Voltage Boost uint16 100..160 144 1 0.1 V "
        "0x1003 Float Voltage Float uint16 100..160 138 1 0.1 V"
    )
    parts = pieces_of(line)
    assert any(p.startswith("0x1002 Charge Voltage") for p in parts)
    assert key_line(line, "Welches Register hat die Float Voltage?").startswith("0x1003")


@pytest.mark.parametrize(
    "text",
    [
        "VE.Direct Protocol",  # title page
        "SMA Solar Technology AG Sonnenallee 1 34266 Niestetal Tel. +49 561 9522-0 www.SMA.de",
        "100.00% 98.00% 96.00% Vdc=380 V Vdc=600 V 0 2000 4000 6000 8000 10000",
        "Introduction ............................ 2 Physical interface .................. 2",
        # a table of contents by page numbers first (Netze BW EK893 p. 1)
        "A Inhaltsverzeichnis\nSeite 1 Technische Spezifikation zum Einspeisemanagement\n"
        "Seite 2 Allgemeine Hinweise zur Ausrichtung der Empfangsantenne\n"
        "Seite 4 Montagehinweise EK893 / EK893A\nSeite 7 Ausrichtung der Antenne",
        # a data sheet's numbered notes cut off from its table (Sungrow SBR p. 2)
        "1: Testbedingungen: 25°C, 100 % Entladungstiefe (DOD), 0,2C Laden und Entladen "
        "2: Siehe Batterie-Garantieerklärung für bedingte Anwendung.\n"
        "© 2022 Sungrow Power Supply Co., Ltd. Alle Rechte vorbehalten. Version 14",
        # a legal notice (AlphaESS Modbus RTU p. 2, Huawei DDSU666-H p. 2)
        "Aufgrund des Produkt-Designs und technischer Spezifikations-Updates, behält sich unsere "
        "Firma jedoch das Recht auf Änderungen zu jeder Zeit ohne vorherige Ankündigung vor. "
        "Dieses Installationshandbuch dient lediglich Referenzzwecken. © Alpha ESS Europe GmbH",
        "The information in this document is subject to change without notice. All statements "
        "in this document do not constitute a warranty of any kind, express or implied.",
        # a longer one under the document's version (AlphaESS Modbus RTU p. 2)
        "V1.23\nUrheberrechts-Erklärung\nDieses Installationshandbuch unterliegt dem "
        "Urheberrecht von Alpha ESS Europe GmbH, wobei alle Rechte vorbehalten werden.\n"
        "Haftungsbeschränkung\nAlpha ESS übernimmt keinerlei Haftung für Personenschäden, "
        "Sachschäden, am Produkt entstandene Schäden sowie Folgeschäden, die durch eine "
        "Installation oder einen Betrieb entstehen, die nicht dem Handbuch entsprechen. Bitte "
        "lesen Sie das Handbuch vor der Installation sorgfältig durch und beachten Sie alle "
        "Hinweise, die Sicherheitsvorschriften und die örtlichen Normen und Richtlinien.",
        # a manual's closing words (AlphaESS Modbus RTU p. 70)
        "Vielen Dank für das Lesen des Alpha ESS Handbuchs Modbus – Storion SMILE + T30. Falls "
        "Sie Probleme haben, senden Sie uns einfach eine E-Mail an service@alpha-ess.de.",
    ],
)
def test_filler_is_recognised(text: str) -> None:
    assert is_filler(text)


def test_passages_with_content_are_no_filler() -> None:
    # a value list is no set of notes: one "1:" without a "2:" note after it
    assert not is_filler("1: Netzbetrieb aktiv, die Anlage speist ins Netz ein und lädt.")
    assert not is_filler(
        "1: Netzbetrieb, die Anlage speist ins Netz ein und lädt den Speicher "
        "2: Inselbetrieb, die Anlage versorgt das Haus ohne Netz"
    )
    assert not is_filler(SBR_CURRENT)
    assert not is_filler(VEDIRECT)
    assert not is_filler(GROWATT_WARNINGS)
    # one legal sign is content: go-e's parameters may grow "ohne vorherige Ankündigung"; a
    # warranty term is what a question asks for (JK BMS p. 2)
    assert not is_filler(
        "Zusätzlich zu diesen Parametern können auch ohne vorherige Ankündigung und je nach "
        "Verbindungsart weitere Parameter dazu kommen. Alle Parameter werden im JSON Objekt "
        "als String gesendet."
    )
    # a number beside the legal words is content: a warranty term, a value before the footer
    assert not is_filler(
        "Warranty: 10 years. The maker is not liable for damage from misuse. Subject to "
        "change without notice."
    )
    assert not is_filler("Default baud rate is 9600 bit/s with 8 data bits. Thank you for reading.")
    # page footers ("Seite 4 von 70") are no table of contents
    assert not is_filler(
        "Seite 4 von 70\nModbus RTU Schnittstelle: Baudrate 9600, Anschluss LAN2 oder CAN.\n"
        "Seite 5 von 70\nSeite 6 von 70\nModbus muss im Display aktiviert werden."
    )
    assert not is_filler(
        "Warranty period: One Year. First of all, thank you for purchasing the Battery "
        "Active-Balancer. Chengdu Jikong technology co., LTD. provides quality warranty for "
        "the hardware products and accessories sold by our company."
    )
    # SolaX X1 Mini p. 9: a fault word's bits as C bit fields, not a chart's axis labels
    assert not is_filler(
        "Uint16 PvVoltFault:1;//10\nUint16 Ac10Mins_Voltage_Fault:1;//11\n"
        "Uint16 IsolationFault:1;//12\nUint16 TemperatureOverFault:1;//13"
    )


def test_a_unit_asked_for_must_be_printed_by_the_named_manual() -> None:
    register_map = "40067 | pv-leistung in watt | 2 | int32 | r 40083 | batterie-soc in prozent"
    question = "Welches Register liefert den PV-Ertrag in kWh?"
    assert absent_units(question, [register_map]) == ["kWh"]
    assert absent_units(question, [register_map, "tagesertrag | 0.1kwh"]) == []
    assert absent_units("Which register gives the fan speed in rpm?", [register_map]) == ["U/min"]
    assert absent_units("Wie viele Ohm hat der Shunt?", ["shunt 500 a/50 mv"]) == ["Ohm"]
    # a unit the map prints, a unit only mentioned as a purpose, or no device named
    assert absent_units("Welches Register liefert den SOC in Prozent?", [register_map]) == []
    assert (
        absent_units("Welches Register liefert den SOC für die kWh-Abrechnung?", [register_map])
        == []
    )
    assert absent_units(question, []) == []
    # the article, a hyphenated word and a manual's own spellings of a unit
    assert absent_units("Max charge current in a three-phase system?", [register_map]) == []
    assert absent_units("Wie viele W-LAN Netze kennt er?", ["wlan"]) == []
    assert absent_units("Welche Spannung in Volt?", ["eingang 230 vac"]) == []
    # a tightening torque: a data sheet without "Nm" states none
    sheet = "gewicht | 27 kg \n schutzart | ip65"
    assert absent_units("Mit wieviel Nm werden die AC-Stecker angezogen?", [sheet]) == ["Nm"]
    assert absent_units("Mit wieviel Nm?", [sheet + "\n anzugsmoment 2,5 nm"]) == []
    nibe = "absicherung \na \n16 \n25"  # the unit in a cell of its own
    assert absent_units("Mit wie viel Ampere wird sie abgesichert?", [nibe]) == []


def test_a_quantity_asked_for_must_be_printed_by_the_named_manual() -> None:
    register_map = "0x62 | controller pcb temperature | °c \n0x142 | daily yield | wh"
    assert absent_quantities("Which register gives the fan speed?", [register_map]) == ["Drehzahl"]
    assert absent_quantities("Gibt es ein Register mit der Lüfterdrehzahl?", [register_map]) == [
        "Drehzahl"
    ]
    assert absent_quantities("Wo steht der PV-Ertrag von gestern?", [register_map]) == ["Vortag"]
    wifi = "In welchem Register steht die WLAN-Signalstärke vom WiFi-Stick?"
    assert absent_quantities(wifi, [register_map]) == ["Signalstärke"]
    assert absent_quantities(wifi, [register_map + "\n0x1a | wifi rssi | dbm"]) == []
    backup = "Wie schnell schaltet der bei Netzausfall auf Notstrom um, in ms?"
    assert absent_quantities(backup, [register_map]) == ["Umschaltzeit"]
    assert absent_quantities(backup, ["umschaltzeit | < 10 ms"]) == []
    parallel = "Über welches Register aktiviere ich den Parallelbetrieb?"
    assert absent_quantities(parallel, [register_map]) == ["Parallelbetrieb"]
    assert absent_quantities(parallel, [register_map + "\n0x2105 | parallel mode | rw"]) == []
    assert absent_quantities("Which register holds the operating hours?", [register_map]) == [
        "Betriebsstunden"
    ]
    # printed in the manual's own words: "working hours", "On-gridRunTime", "SOH", "cycle"
    assert (
        absent_quantities(
            "Wo lese ich die Betriebsstunden aus?", ["f04a | accumulated working hours of inverter"]
        )
        == []
    )
    assert absent_quantities("on-grid run time?", ["0x0088 | on-gridruntime | 0.1h"]) == []
    assert absent_quantities("Which register gives the SOH?", ["0x00bf | bms_usersoh"]) == []
    # a battery's "Restlaufzeit" is its time to go, not the device's operating hours
    assert absent_quantities("Wie heißt die ID für die Restlaufzeit?", [register_map]) == []
    e3dc = "40067 | pv-leistung in watt | 2 | int32 | r 40083 | batterie-soc in prozent"
    assert absent_quantities("In welchem Register steht die Batterietemperatur?", [e3dc]) == [
        "Temperatur"
    ]
    # no device named, or a quantity outside the table
    assert absent_quantities("Which register gives the fan speed?", []) == []
    assert absent_quantities("Which register gives the daily yield?", [register_map]) == []


def test_a_battery_cycle_count_phase_switching_or_factory_reset_must_be_printed() -> None:
    # EPEver's equalization interval and SolaX's "query cycle" count no battery cycles;
    # Deye's "cycle number", Growatt's "BMS CycleCnt" and Kostal's row do
    epever = "equalization charging cycle | 9016 | interval days of auto equalization charging"
    solax = "since it is used for external expansion, the query cycle is expected"
    question = "Welches Register zählt die Lade-/Entladezyklen der Batterie?"
    assert absent_quantities(question, [epever, solax]) == ["Zyklenzahl"]
    for row in (
        "611 | cycle number | 1",
        "1095. | bms cyclecnt | cycle count from bms",
        "0xc2 | 194 | number of battery cycles | - | float",
    ):
        assert absent_quantities(question, [row]) == []
    # an EEPROM's write cycles or a measuring cycle are no battery's
    assert absent_quantities("Wie viele Schreibzyklen verträgt das EEPROM?", [epever]) == []
    assert absent_quantities("Wie viele Vollzyklen hat die Batterie?", [epever]) == ["Zyklenzahl"]
    # the go-e maps print phase flags and the CION map an LED's blink phase: no switching
    go_e = "205 | phases | 1 | phasen vor und nach dem schuetz binary flags"
    cion = "109 | - | uint16 t | 250 | 1 | 1 | ms | rgb-blinkphase 1 laenge"
    switching = "Mit welchem Register schalte ich zwischen 1-phasigem und 3-phasigem Laden um?"
    assert absent_quantities(switching, [go_e, cion]) == ["Phasenumschaltung"]
    assert absent_quantities("switch between single-phase and three-phase?", [go_e]) == [
        "Phasenumschaltung"
    ]
    assert absent_quantities(switching, ["psm | phase switch mode"]) == []
    # E3/DC's writable wallbox bit names one phase and three in one row
    e3dc = "bit 12 | eine phase aktiv drei phasen aktiv | (1) (0) | (0) (0) | r/w"
    assert absent_quantities("zwischen ein- und dreiphasigem Laden umschalten?", [e3dc]) == []
    assert absent_quantities("zwischen ein- und dreiphasigem Laden umschalten?", [go_e]) == [
        "Phasenumschaltung"
    ]
    reset = "Über welches Register setze ich die Box auf Werkseinstellungen zurück?"
    assert absent_quantities(reset, [go_e]) == ["Werkseinstellungen"]
    assert absent_quantities(reset, ["restore factory settings | coil 0x3"]) == []
    # a value set at the factory is not a reset to it
    assert absent_quantities("Welche Baudrate ist in der Werkseinstellung gesetzt?", [go_e]) == []
    # the EZ1's API reports power and energy per channel, no voltage
    ez1 = "getoutputdata | p1 | w | e1 | kwh | te1 | kwh"
    assert absent_quantities("Welcher Key liefert die DC-Spannung von Modul 1?", [ez1]) == [
        "Spannung"
    ]
    assert absent_quantities("Welcher Key liefert die Leistung von Modul 1?", [ez1]) == []
    # a protocol without a cell in any row reports no cell voltages
    voltronic = "qpigs | battery voltage | bb.bb"
    cells = "which query command returns the individual cell voltages of the BMS?"
    assert absent_quantities(cells, [voltronic]) == ["Zellspannung"]
    # ... nor cell temperatures without a row naming a cell beside a temperature
    growatt = "1089 | bms_batterytemp | battery temperature | 0.1c\n1108 | cell1 voltage | mv"
    hot = "Growatt SPH: which input registers give the individual cell temperatures?"
    assert absent_quantities(hot, [growatt]) == ["Zelltemperatur"]
    assert absent_quantities("temperatur der einzelnen zellen?", [growatt]) == ["Zelltemperatur"]
    alpha = "0110h | max cell temperature max. zelltemperatur | 0.1°c/bit"
    assert absent_quantities(hot, [alpha]) == []


def test_a_numbered_input_beyond_those_the_map_counts_is_not_in_it() -> None:
    # GoodWe's map: Vpv1, Vpv2, Vpv3 (and a feature "EnableMPPT4Shadow")
    goodwe = "0500 | vpv1 | 0.1v\n0503 | vpv2 | 0.1v\n0539 | vpv3 | 0.1v\n0558 | enablemppt4shadow"
    assert absent_instances("GoodWe ET: Register für die PV4-Spannung?", [goodwe]) == ["PV4"]
    assert absent_instances("GoodWe ET: Register für die PV3-Spannung?", [goodwe]) == []
    assert absent_instances("which register gives the voltage of PV input 4?", [goodwe]) == ["PV4"]
    assert absent_instances("Spannung am PV-Eingang 3?", [goodwe]) == []
    kostal = "0x102 | current dc1\n0x10c | voltage dc2\n0x116 | voltage dc3"
    assert absent_instances("Plenticore: Spannung am DC4?", [kostal]) == ["DC4"]
    solax = "0x0003 | pvvoltage1 | v\n0x0004 | pvvoltage2 | v"
    assert absent_instances("SolaX G4 register for PV 3 voltage?", [solax]) == ["PV3"]
    # a manual not counting that kind of input from 1 to 2 says nothing of a third
    victron = "smartsolar mppt 75/15 | mppt 1"
    assert absent_instances("Victron MPPT 2 voltage?", [victron]) == []
    assert absent_instances("SolaX G4 register for PV 3 voltage?", ["pv voltage | v"]) == []
    assert absent_instances("SolaX G4 register for PV 3 voltage?", []) == []


def test_a_bus_the_named_manual_never_prints_is_not_in_it() -> None:
    balancer = "the balancer can be connected to the phone via bluetooth"
    question = "jk balancer per rs485 oder can an den wr anbinden?"
    assert absent_buses(question, [balancer], frozenset()) == ["RS485", "CAN"]
    assert absent_buses("JK Balancer per RS 485?", [balancer], frozenset()) == ["RS485"]
    # a Modbus RTU map runs on RS485; "CAN" printed in capitals or as "VE.Can"
    assert absent_buses("GoodWe per RS485?", ["modbus rtu protocol"], frozenset()) == []
    assert absent_buses("per CAN?", ["can bus"], frozenset()) == []
    assert absent_buses("per CAN?", ["x"], frozenset({"CAN"})) == []
    assert absent_buses("MPPT mit CAN-Bus?", ["smartsolar mppt ve.can 150/70"], frozenset()) == []
    # English "can" is a verb; "ohne OCPP" asks for none
    assert absent_buses("which register can be written?", [balancer], frozenset()) == []
    assert absent_buses("go-e ohne ocpp: welches register?", [balancer], frozenset()) == []


def test_a_narrowed_quantity_must_stand_narrowed_in_one_row() -> None:
    # GoodWe's map: the battery voltage and a cell voltage difference alarm, no highest cell
    goodwe = "0x0506 | battery voltage | 0.1 v\nbit2 | battery cell voltage differences | na"
    question = "GoodWe ET Modbus: welches Register liefert die höchste Einzelzellspannung?"
    assert absent_narrowed(question, [goodwe]) == ["max. Zellspannung"]
    assert absent_narrowed(question, [goodwe + "\n0x0512 | max cell voltage | mv"]) == []
    totals = "31 | e total | total generate energy | 0.1kwh"
    today = "PV-Ertrag von heute, in welchem Register?"
    assert absent_narrowed(today, [totals]) == ["Tages-Energie"]
    assert absent_narrowed("Wo steht der Tagesertrag?", [totals]) == ["Tages-Energie"]
    assert absent_narrowed(today, [totals + "\n53 | e_today | today generate energy"]) == []
    # a limit row narrows too ("Max. charge current" = "charge current limit")
    deye = "108 | battery max charge current limit | r/w | a"
    assert absent_narrowed("Welches Register begrenzt den maximalen Ladestrom?", [deye]) == []
    # a data sheet's rows too: power ratings and efficiency, no consumption at night
    sheet = "max. ausgangsleistung | 10000 w\nmax. wirkungsgrad | 98,4 %\neigenverbrauch | < 2 w"
    standby = "Sungrow SH8.0RT: Eigenverbrauch nachts im Standby?"
    assert absent_narrowed(standby, [sheet]) == ["Standby-Eigenverbrauch"]
    assert absent_narrowed(standby, [sheet + "\nnachtverbrauch | < 2 w"]) == []
    # a range states its ends: the highest and lowest operating temperature
    ranges = "umgebungstemperaturbereich | -25 bis 60 °c\nmpp-spannungsbereich | 210 v – 850 v"
    assert absent_narrowed("maximale Umgebungstemperatur im Betrieb?", [ranges]) == []
    assert absent_narrowed("höchste Leistungsaufnahme?", ["power consumption | ≤ 2 w"]) == []
    assert absent_narrowed("minimale Umgebungstemperatur?", [ranges]) == []
    assert absent_narrowed("höchste MPP-Spannung?", [ranges]) == []
    # ... an address range does not ("0x102-0x11e | voltage dc1-dc3")
    assert absent_narrowed("maximale DC-Spannung?", ["0x102 – 0x11e | voltage dc1"]) == [
        "max. Spannung"
    ]
    # open-circuit voltage is no voltage at night ("Leerlaufspannung")
    assert absent_narrowed("Welche Leerlaufspannung verträgt er?", [sheet]) == []
    # a maker's model name ("Axpert MAX") beside no quantity narrows nothing
    assert absent_narrowed("Axpert MAX zeigt Fehlercode 56", [goodwe]) == []
    assert absent_narrowed(question, []) == []


def test_a_period_or_the_grid_narrows_an_energy_counter() -> None:
    # AlphaESS counts the feed-in only in total; its day counters are the PV's
    alpha = (
        "0010h | gesamte netzeinspeisung | 0.01kwh/bit\n0012h | gesamter netzbezug | 0.01kwh/bit"
        "\n0090h | pv-tagesertrag | 0.1kwh"
    )
    today = "alpha ess smile5: register für die heutige netzeinspeisung (tageswert kwh)?"
    assert absent_narrowed(today, [alpha]) == ["Tages-Einspeisung"]
    assert absent_narrowed("Kostal: register für den heutigen netzbezug?", [alpha]) == [
        "Tages-Netzbezug"
    ]
    growatt = alpha + "\n3071 | etogrid today h | today energy to grid | 0.1kwh"
    assert absent_narrowed(today, [growatt]) == []
    # the day a word further ahead: "heute ins Netz eingespeiste Energie"
    ahead = "Kostal: in welchem Register steht die heute ins Netz eingespeiste Energie?"
    assert absent_narrowed(ahead, [alpha]) == ["Tages-Einspeisung"]
    assert absent_narrowed(ahead, [growatt]) == []
    assert absent_narrowed("welches register hat die pv energie von heute?", [alpha]) == []
    # a month's, a year's, yesterday's yield
    solax = "e-today | 0.1kwh | yield today\ne-total | 0.1kwh | yield total"
    assert absent_narrowed("solax x1 mini: ertrag des aktuellen monats?", [solax]) == [
        "Monats-Energie"
    ]
    assert absent_narrowed("which register holds yesterday's generated energy?", [solax]) == [
        "Vortags-Energie"
    ]
    epever = solax + "\ngenerated energy this month l | 330e | kwh"
    assert absent_narrowed("solax x1 mini: ertrag des aktuellen monats?", [epever]) == []
    # "maximale Einspeisung" is a limit, no counter a map narrows
    assert absent_narrowed("maximale Einspeisung?", [alpha]) == []


def test_a_period_setting_the_scene_narrows_nothing() -> None:
    # the reviewer's questions: the day is the symptom's, the register asked is another
    alpha = "0010h | gesamte netzeinspeisung | 0.01kwh/bit\n0038h | inverter state"
    for scene in (
        "kostal plenticore: heute keine einspeisung – über welches register lese ich den status?",
        "solax g4: no feed-in since yesterday – which register shows the inverter run mode?",
        "e3dc: heute ungewöhnlich hoher netzbezug – welches register liefert die hausleistung?",
        "deye: the annual yield doesn't match the portal – which register holds the total yield?",
        "fronius datamanager: täglicher export der logdaten per ftp – wo richte ich das ein?",
        "sungrow sbr: usable energy warranty in years?",
    ):
        assert absent_narrowed(scene, [alpha], maps=True) == [], scene
    # ... while a question asking the counter in a clause of its own is read whole
    whole = "alpha ess smile: jährliche pv-erzeugung (jahresertrag) per modbus – welches register?"
    assert absent_narrowed(whole, [alpha]) == ["Jahres-Energie"]
    # Growatt's grid import is energy "to user"; a lead-in's list item prints yesterday
    growatt = "1044. | etouser_today h | energy to user today high | 0.1kwh"
    assert absent_narrowed("growatt: register für den heutigen netzbezug?", [growatt]) == []
    shm = "gesamtertrag folgender zeitraeume:\n– heute\n– vortag"
    assert absent_narrowed("wo sehe ich den gesamtertrag vom vortag?", [shm]) == []


def test_a_backup_reading_is_narrowed_in_a_map_only() -> None:
    alpha = "040eh | backup voltage l1 | 0.1v\n0414h | backup power l1 | w\n041ch | grid frequency"
    question = "alphaess smile modbus: welches register zeigt die frequenz am backup-ausgang?"
    assert absent_narrowed(question, [alpha], maps=True) == ["Notstrom-Frequenz"]
    growatt = "1067. | eps fac | upsfrequency | 0.01hz"
    assert absent_narrowed(question, [growatt], maps=True) == []
    # "Back-Up Load" is the backup output's power; an access cell "r/w" is no watt
    goodwe = "0530 | back-up load | w\n0556 | backupenable | r/w"
    assert absent_narrowed("goodwe: notstrom-leistung register?", [goodwe], maps=True) == []
    assert absent_narrowed(
        "goodwe: notstrom-leistung register?", ["0556 | backupenable | r/w"], maps=True
    ) == ["Notstrom-Leistung"]
    # a device whose manuals name no backup output has only the one (Victron Phoenix)
    phoenix = "ac_out_v | 0.01 v | ac output voltage"
    assert absent_narrowed("phoenix als notstrom: ausgangsspannung?", [phoenix], maps=True) == []
    assert absent_narrowed("spannung am notstromausgang?", [alpha], maps=True) == []
    # a data sheet states them under its "Notstromdaten" heading, not in each row
    sheet = "notstromdaten\nnennausgangsfrequenz | 50 / 60 hz"
    assert absent_narrowed("Sungrow: Frequenz im Backup-Betrieb?", [sheet]) == []
    # "Notstrom" is no current ("Notstrom- bzw. Backup-Ausgang einschalten")
    assert (
        absent_narrowed(
            "Wie schalte ich den Notstrom- bzw. Backup-Ausgang ein?", [alpha], maps=True
        )
        == []
    )


def test_document_types_and_installation_questions() -> None:
    assert is_protocol_document("go-e_Charger_API_v1_DE.pdf", "")
    assert is_protocol_document("Kostal_Modbus-TCP_SunSpec_Interface_with_Control.pdf", "")
    assert not is_protocol_document(
        "Growatt_MIC750-3300TL-X_Installations-Bedienungsanleitung_DE.pdf", ""
    )
    assert not is_protocol_document("Huawei_DDSU666-H_Smart_Power_Sensor_User_Manual_EN.pdf", "")
    assert asks_installation("Welche Sicherung brauche ich für den go-e Charger 22 kW?")
    assert asks_installation("What type of RCD do I need upstream of the inverter?")
    assert not asks_installation("Welches Register liefert die Ladeleistung beim go-e Charger?")
    # the hardware's ratings and siting stand in data sheets, not in interface documents
    assert asks_installation("Welche Mindestabstände gelten beim Aufstellen des Speichers?")
    assert asks_installation("Max. DC input voltage per MPPT of the Plenticore?")
    assert asks_installation("Welchen PV-Kurzschlussstrom darf ich an den Regler anschließen?")
    assert asks_installation("Wie viele Geräte darf ich an einem 16-A-Stromkreis betreiben?")
    assert asks_installation("Wieviel Ampere Dauerladestrom darf ich in einen Pylontech US3000?")
    assert asks_installation("US5000: rated continuous charge and discharge current per module?")
    assert not asks_installation("Pylontech: welcher Befehl liefert den Dauerladestrom-Grenzwert?")
    # a command, an address or a setting reads or sets it
    assert not asks_installation(
        "pylontech us3000c: mit welchem kommando bekomme ich den dauerladestrom?"
    )
    assert not asks_installation("epever tracer: unter welcher adresse steht der nennladestrom?")
    assert not asks_installation(
        "go-e: welchen maximalen dauerladestrom kann ich über amp einstellen?"
    )
    # ... but the data a device reports about them is what an interface document is for
    assert not asks_installation("Welches Register liefert die Leerlaufspannung von String 1?")
    assert not asks_installation(
        "Growatt per RS485 pollen: welcher Mindestabstand zwischen Anfragen?"
    )
    # a fuse or cable stays an installation question, whatever else the question says
    assert asks_installation("Welchen Wert muss die Sicherung vor dem go-e Charger haben?")
    assert asks_installation("Kabelquerschnitt für die Modbus-Leitung?")
    # ... unless the question is about what the device reports of it
    assert not asks_installation("Das Register PSSB fuse state liefert 0x00. Gut oder schlecht?")


def test_a_document_history_is_filler() -> None:
    # SolaX_Hybrid_X1-X3_G4_Modbus_TCP-RTU_V3.21.pdf p. 5
    history = (
        "2022-01-13 | tangyan chong | Add Read Holding Register(BMS Info) Add Read Input "
        "Registers 0x011F wBatteryForceChargeFlag | V3.18\n"
        "2022-1-29 | wangjia nxing | Add Read Holding Registers 0x0103 CtType(X3) | V3.19"
    )
    assert is_filler(history)


def test_a_short_first_page_passage_is_the_cover() -> None:
    # Kostal_Modbus-TCP_SunSpec_Interface_with_Control.pdf p. 1: a title with sentence words
    title = (
        "PIKO IQ/PLENTICORE\nKOSTAL Interface description MODBUS (TCP) & SunSpec\n"
        "with control information"
    )
    cover = Chunk(1, "k", "Kostal.pdf", 1, 1, "", "text", title)
    assert not is_filler(title)
    assert is_filler_passage(cover)
    # the same words inside the manual are a heading of content; a first-page table is content
    assert not is_filler_passage(replace(cover, page_start=2, page_end=2))
    assert not is_filler_passage(replace(cover, text="Version | 2.7\nValid from | SW 3.06"))


def test_a_heading_yields_to_the_line_stating_the_fact() -> None:
    # as in production: the library's device names say which manual, not which line
    # NIBE_S1256_Installationshilfe_DE.pdf p. 10
    passage = (
        "7. Detail zweischieniger Stromversorgung\n"
        "!ACHTUNG! Bei der zweischienigen Stromversorgung mit Tarifsteuerung/-blockierung "
        "MÜSSEN die Kabelbrücken auf der AA2 Platine entfernt werden!\n"
        "S1256 (AA2-Platine)"
    )
    q = "S1256 mit zweischieniger Stromversorgung und EVU-Sperre: Was muss ich ändern?"
    with library_of(
        "NIBE_S1256_Installationshilfe_DE.pdf", "NIBE_S1156-S1256_Benutzerhandbuch_DE.pdf"
    ):
        assert key_line(passage, q).startswith("!ACHTUNG!")


def test_a_second_part_of_the_question_gets_a_second_key_line() -> None:
    q = "Welche Nennspannung und welche nutzbare Energie hat der Sungrow SBR128?"
    found = quote(SBR_TABLE, q)
    keys = {found.key, *found.also}
    assert any("Nennspannung" in k for k in keys)
    assert any("Energie (nutzbar)" in k for k in keys)


# AlphaESS_SMILE-T30_Modbus_RTU_Handbuch_V123_DE.pdf p. 20, as the excerpt quoted in an answer
# (the chunk's section line dropped: the first row is a data row, no header)
ALPHA_DISPATCH = (
    "0886H | Dispatch SOC | R/W | Belegt 2 Bytes | unsigned short | 0.4%/bit example: "
    "Send SOC=95, correspon ding to the SOC of 38%.\n"
    "0887H 0888H | Dispatch Time | R/W | Belegt 4 Bytes | unsigned int | 1S/bit"
)


def test_a_register_is_found_in_any_hex_spelling() -> None:
    # "0x0886" in the question is the row "0886H" of the manual, even as the excerpt's first row
    question = "Welchen Wert schreibe ich in Dispatch SOC (0x0886) für 38 %?"
    assert key_line(ALPHA_DISPATCH, question).startswith("0886H")
    assert key_line(ALPHA_DISPATCH, "Was steht in Register 0887H?").startswith("0887H")
    # hours and amp-hours are no register
    assert "0x0024" not in ask_of("Was passiert nach 24h Betrieb?").codes
    assert not {"0x1000", "0x100a"} & ask_of("Akku 100Ah, Fehler nach 1000h Betrieb?").codes
    assert key_line("Batterie 100Ah LiFePO4\nWartung alle 1000h", "Register 0x100A?") == ""


def test_german_act_nouns_and_compound_parts_meet_the_question() -> None:
    # Sungrow_SBR096-256_Datenblatt_DE.pdf p. 2: "Ladung"/"Entladung" answer "laden"/"entladen",
    # "Umgebungstemperatur" shares its part with "Temperaturbereich"
    passage = (
        "Typenbezeichnung | SBR096 | SBR128 | SBR160 | SBR192 | SBR224 | SBR256\n"
        "Gewicht | 114 kg | 147 kg | 180 kg | 213 kg | 246 kg | 279 kg\n"
        "Standort | Innenbereich/Außenbereich\n"
        "Lagertemperatur | -20 bis 60 °C\n"
        "Umgebungstemperatur zum Betrieb | Ladung: 0 bis 50 °C Entladung: -20 bis 50 °C"
    )
    found = quote(passage, "In welchem Temperaturbereich darf der Speicher laden und entladen?")
    assert found.key.startswith("Umgebungstemperatur zum Betrieb")
    # "laden" alone meets only "Ladung" (the stemmer keeps it whole), not the storage row
    found = quote(passage, "Bei welcher Temperatur darf der Speicher laden?")
    assert found.key.startswith("Umgebungstemperatur zum Betrieb")


def test_a_line_restating_the_question_yields_the_line_after_it() -> None:
    # SMA_SunnyHomeManager20_Betriebsanleitung_DE.pdf p. 123
    passage = (
        "• Nach 24 Stunden erneut prüfen, ob die Wettervorhersage angezeigt wird.\n"
        "Die animierte Grafik auf der Seite Aktueller Status und Prognose zeigt keine aktuellen "
        "Daten an.\n"
        "Der Empfang aktueller Daten des Sunny Home Managers ist nur möglich, wenn als "
        "Datenabfrageintervall automatisch eingestellt ist."
    )
    question = "Die Grafik 'Aktueller Status und Prognose' zeigt keine aktuellen Daten. Was tun?"
    found = quote(passage, question)
    assert found.key.startswith("Die animierte Grafik")
    assert any("Datenabfrageintervall automatisch" in line for line in found.also)
    # a line stating a fact of its own is no restatement, nor is a "no" to a yes/no question
    assert not restates(
        "Der Empfang ist nur mit Datenabfrageintervall automatisch möglich.", question
    )
    assert not restates(
        "Der Speicher darf nicht im Freien aufgestellt werden.",
        "Darf der Speicher im Freien aufgestellt werden?",
    )


def test_a_brand_without_manual_is_named_even_beside_a_covered_product_word() -> None:
    from nikdesk.agent.guards import catalog

    library = [("victron ve.direct protocol", "smartsolar mppt 100/30 … ve.direct")]
    question = "Max input current per MPPT of a Hoymiles HMS-800-2T?"
    assert catalog().uncovered(question, library) == ["Hoymiles"]
    assert catalog().uncovered("Victron MPPT 100/30: welche Baudrate?", library) == []
    assert catalog().uncovered("myenergi zappi: wo kommt der CT hin?", library) == ["myenergi"]
    # the maker of a covered product is covered, even when the manual's label omits it
    sunny_boy = [("sunny boy 5.0 handbuch", "wechselrichter von sma solar technology")]
    assert catalog().uncovered("SMA Sunny Boy 5.0: welche Sicherung?", sunny_boy) == []
    # plain German words are no brand ("Anker" = anchor)
    assert catalog().uncovered("Welche Anker für die Wandmontage?", library) == []
    # rack batteries technicians name: no manual, no question back about which device
    rack = "BSLBATT B-LFP48-100E: wie stelle ich die DIP-Schalter am Master-Modul?"
    assert catalog().uncovered(rack, library) == ["BSLBATT"]
    # the home router, a monitoring logger, another maker's heat pump
    fritz = "Portfreigabe auf der FRITZ!Box für das Webinterface vom WR?"
    assert catalog().uncovered(fritz, library) == ["AVM"]
    assert catalog().uncovered("Solar-Log Base 15: Modbus TCP aktivieren?", library) == [
        "Solar-Log"
    ]
    assert catalog().uncovered("LG Therma V zeigt CH 10", library) == ["LG"]
    assert catalog().uncovered("Ohme Home Pro: LED ring flashing red?", library) == ["Ohme"]
    # a car model is no device of the library; a charger named beside it is
    assert catalog().uncovered("Kann der VW ID.3 bidirektional laden?", library) == ["Elektroautos"]
    assert catalog().uncovered("Does the app work on all models?", library) == []


def test_general_practice_is_no_question_for_a_device_manual() -> None:
    from nikdesk.agent.guards import catalog

    for question, topic in (
        (
            "How do I calculate the voltage drop on a 30 m run of 10 mm² copper carrying 40 A?",
            "Spannungsfall-Berechnung",
        ),
        (
            "Strombelastbarkeit von NYM 5x6 nach DIN VDE 0298-4, Verlegeart C?",
            "Leitungsbemessung nach Norm",
        ),
        (
            "Wie viel Strom verbraucht ein durchschnittlicher 4-Personen-Haushalt im Jahr?",
            "Durchschnittswerte von Haushalten",
        ),
        ("Portfreigabe einrichten für den Fernzugriff?", "Router und Portfreigaben"),
        ("Was kostet ein 10-kWh-Speicher gerade so?", "Preise und Kosten"),
        ("Which tests does IEC 62446-1 require?", "Normen und Prüfprotokolle"),
        ("Ab welcher Windgeschwindigkeit vom Dach runter?", "Wetter und Arbeitsschutz"),
        (
            "Muss ich eine 11 kW Wallbox beim Netzbetreiber anmelden oder genehmigen lassen?",
            "Anmeldung beim Netzbetreiber",
        ),
        (
            "Muss die Wärmepumpe beim Netzbetreiber angemeldet werden?",
            "Anmeldung beim Netzbetreiber",
        ),
    ):
        assert catalog().general_topics(question) == [topic], question
    # the same words about a device are the manual's business
    for question in (
        "Growatt MIC: wie groß darf der Spannungsfall auf der AC-Leitung sein?",
        "Kostal Plenticore: soll ich eine Portweiterleitung für Modbus einrichten?",
        "Welchen Querschnitt brauche ich für die AC-Leitung?",
        "Wie hoch ist der Spannungsfall?",
        "Der Netzbetreiber will eine langsame Leistungsrampe: welches Register?",
        "The grid operator wants a slow power ramp: which register sets it?",
        "Ich kann mich nicht anmelden, der Netzbetreiber hat mir die Zugangsdaten geschickt",
    ):
        assert catalog().general_topics(question) == [], question


def test_an_everyday_appliance_has_no_manual_whatever_the_library_mentions() -> None:
    from nikdesk.agent.guards import catalog

    # a manual printing "Drucker" (as a word for a pressure gauge, say) covers no printer
    library = [("smartevse v3 installation manual", "drucker printer tv fahrrad")]
    assert catalog().uncovered("Mein Drucker hat einen Papierstau", library) == ["Drucker"]
    assert catalog().uncovered("How do I descale my espresso machine?", library) == [
        "Kaffeemaschinen"
    ]
    dishwasher = "Der Geschirrspüler zeigt Fehler E15 an und pumpt nicht ab"
    assert catalog().uncovered(dishwasher, library) == ["Geschirrspüler"]
    assert catalog().uncovered("Ab wann muss ich auf Winterreifen wechseln?", library) == [
        "Autoreifen"
    ]
    # the trade's own words: RS485 pins to tap ("abgreifen"), the phone app, the car
    for question in (
        "Am Laderegler will ich RS485 über die RJ45-Buchse abgreifen: welche Pins?",
        "Kann ich die Wallbox per Handy-App auf 16 A stellen?",
        "the car stops charging after a few minutes, any idea why?",
        "Welchen Druck braucht das Ausdehnungsgefäß?",
    ):
        assert catalog().uncovered(question, library) == []


def test_the_trades_everyday_surroundings_have_no_manual() -> None:
    from nikdesk.agent.guards import catalog

    library = [("smartevse v3 installation manual", "wallbox rfid"), ("go-e charger api", "")]
    for question, kind in [
        ("Laptop Akku lädt nur bis 80 %, Defekt?", "Smartphones, Tablets und Laptops"),
        (
            "Handy wird beim Laden heiß und der Akku ist schnell leer",
            "Smartphones, Tablets und Laptops",
        ),
        ("mein WLAN repeater verliert die verbindung zum router", "Router, Repeater und Heimnetz"),
        ("Im Transporter leuchtet die AdBlue Warnung", "Autos und Transporter"),
        ("Ladegerät vom Akkuschrauber blinkt rot grün", "Elektrowerkzeug"),
        ("smoke detector chirps every 30 seconds", "Haushalts- und Gartengeräte"),
        ("Wie mach ich in Excel einen SVERWEIS?", "Bürosoftware"),
        ("wie setz ich den Fritz Repeater 1200 zurück?", "Router, Repeater und Heimnetz"),
        ("Synology NAS piept dauernd", "Computer und Netzwerkspeicher"),
        ("vpn keeps disconnecting on my work laptop", "Computer und Netzwerkspeicher"),
        ("Dyson V11 Akku blinkt rot", "Haushalts- und Gartengeräte"),
        ("Philips Hue Bridge Reset wie geht das", "Haushalts- und Gartengeräte"),
        ("Alarmanlage piept nachts", "Unterhaltungs- und Sicherheitstechnik"),
        ("Bluetooth Box koppelt nicht", "Unterhaltungs- und Sicherheitstechnik"),
    ]:
        assert catalog().uncovered(question, library) == [kind], question
    assert catalog().general_topics("Ab welcher Höhe ist ein Gerüst Pflicht?") == [
        "Leitern und Gerüste"
    ]
    assert catalog().general_topics("wie oft muss ich nach DGUV V3 so ne pv anlage prüfen?") == [
        "Prüffristen und Wiederholungsprüfungen"
    ]
    assert catalog().general_topics("Growatt MIC: recheck the DC wiring?") == []
    # the trade's own: the charger app on the phone, a router the Home Manager hangs on, the
    # car at the wallbox, a conductor ("Leiter"), a named device beside an appliance word
    for question in (
        "Wallbox per Handy-App einrichten, welche IP?",
        "Der Energiezähler hängt am Router, welche IGMP-Version?",
        "Auto lädt an der Wallbox nur einphasig",
        "Welcher Querschnitt für den Schutzleiter?",
        "go-e Charger: Auf dem Handy-Display finde ich den Hotspot nicht",
        # the trade's own devices beside an everyday one (a review's false positives)
        "Rauchmelder im Aufstellraum vom Batteriespeicher, Pflicht?",
        "E-Bike mit PV-Überschuss laden, geht das?",
        "Kühlbox am Lastausgang vom Laderegler, wie viel Strom darf die ziehen?",
        "App auf dem Handy zeigt der Akku nur 3 % SOC",
        "RS485 zum Zähler ist 300 m lang, brauche ich einen Repeater?",
        "Wallbox bidirektional: kann ich die Autobatterie ins Haus einspeisen?",
        "DC und AC auf derselben cable ladder verlegen?",
    ):
        assert catalog().uncovered(question, library) == [], question
        assert catalog().general_topics(question) == [], question


def test_makers_the_library_holds_no_manual_of_are_named() -> None:
    from nikdesk.agent.guards import catalog

    # heat pumps, inverters, wallboxes and batteries of makers with no manual in the library
    library = [("smartevse v3 installation manual", "eastron sdm630 modbus kwh meter")]
    for question, maker in [
        ("Dimplex LA 12S-TU: welche Vorlauftemperatur schafft sie?", "Dimplex"),
        ("Steca coolcept3 schaltet mit 'Netzspannung zu hoch' ab", "Steca"),
        ("Samsung EHS Mono shows error E911", "Samsung"),
        ("Hardy Barth cPH2: Modbus TCP freischalten?", "Hardy Barth"),
        ("Tesvolt TS HV 70: wie viele Module?", "Tesvolt"),
        # a product line said without its maker
        ("vitocal 250-a zeigt fehler f.160, was tun?", "Viessmann Vitocal/Vitocharge"),
        ("Altherma Heizkurve einstellen?", "Daikin Altherma"),
    ]:
        assert catalog().uncovered(question, library) == [maker]
    # a meter the covered charger's manual names beside it is no other device's question
    assert catalog().uncovered("SmartEVSE v3: Modbus-Adresse des Eastron SDM630?", library) == []
    # plain words are no maker: a "Delta" voltage, a "Lambda" value
    for question in ["Delta-Spannung zwischen den Zellen?", "Welcher Lambda-Wert?"]:
        assert catalog().uncovered(question, library) == []


def test_no_further_key_line_for_the_device_name_and_a_number_alone() -> None:
    # Victron_VE.Direct_Protocol_3.33.pdf p. 4: "nutzt" is left open, yet the flow-control
    # line only shares "VE.Direct" and "RS232" with the question; "Baud rate: 19200" states a
    # value, it does not restate the question
    passage = (
        "Serial port configuration\nBaud rate: 19200\nData bits: 8\nParity: None\nStop bits: 1\n"
        "Flow control: None Pins to use when using the VE.Direct to RS232 interface"
    )
    set_device_names(frozenset({"ve", "direct", "vedirect"}))
    try:
        found = quote(passage, "Welche Baudrate nutzt VE.Direct?")
    finally:
        set_device_names(frozenset())
    assert found.key == "Baud rate: 19200" and found.also == ()


def test_the_rows_under_a_bold_lead_in_are_bold() -> None:
    # Kostal Modbus-TCP p. 17: both default values answer "Welche Standardwerte gelten?"
    passage = (
        "3.1 TCP-Port and Unit-ID\n"
        "To access the inverter via MODBUS / TCP, the following TCP-Port and MODBUS-Unit-ID "
        "are used as default values:\n"
        "TCP-Port | 1502 (dec)\n"
        "Unit-ID1 | 71 (dec)"
    )
    found = quote(passage, "Kostal Plenticore: Welche Standardwerte gelten für Modbus TCP?")
    bold = {found.key, *found.also}
    assert {"TCP-Port | 1502 (dec)", "Unit-ID1 | 71 (dec)"} <= bold
    assert "3.1 TCP-Port and Unit-ID" not in bold  # a heading is no lead-in


def test_protocol_and_document_words_name_no_device() -> None:
    from nikdesk.retrieval.routing import is_generic

    router = DocumentRouter(
        [
            ("kostal", "Kostal_Modbus-TCP_SunSpec_Interface_with_Control.pdf", ""),
            ("solax", "SolaX_Hybrid_X1-X3_G4_Modbus_TCP-RTU_V3.21.pdf", ""),
            ("goe", "go-e_Charger_Modbus_TCP_API.pdf", ""),
        ]
    )
    assert router.scores("Which TCP port do I have to use for Modbus TCP?") == {}
    assert set(router.scores("Kostal Modbus-TCP: welcher Port?")) == {"kostal"}
    assert is_generic("modbustcp") and is_generic("tcprtu") and not is_generic("kostal")


def test_the_line_after_a_condition_restating_the_symptom_is_bold() -> None:
    # Growatt MIC p. 17: the "Wenn …" line restates the display and LED; its next line answers
    passage = (
        "Wenn der Fehler “Error 200” im Display angezeigt wird, die rote LED dauerhaft "
        "leuchtet und der Signaltongeber dauerhaft summt, ist ein Lichtbogen im System "
        "aufgetreten.\n"
        "Der AFCI hat ausgelöst und der Wechselrichter ist permanent heruntergefahren.\n"
        "Testen Sie den AFCI nur in der unten beschriebenen Reihenfolge."
    )
    question = (
        "Growatt MIC: Display zeigt Error 200, rote LED leuchtet dauerhaft. Was ist passiert?"
    )
    found = quote(passage, question)
    assert found.key.startswith("Wenn der Fehler")
    assert found.also[:1] == (
        "Der AFCI hat ausgelöst und der Wechselrichter ist permanent heruntergefahren.",
    )
    # a condition sharing only half its words with the question restates nothing
    assert not restates(
        "Wenn die rote LED leuchtet und der Akku tief entladen ist, laden Sie ihn.", question
    )


PEUKERT_ROW = "0x1005 | Peukert Coefficient | 05 | Un16 | 1..1.5 | 1.25 | 0.01 | -"


def test_a_model_number_is_no_code_that_pins_a_line() -> None:
    # "BMV-702" names the device; its "702" is no error number: the notes naming the model
    # must not outrank the register row (Victron BMV-7xx HEX protocol p. 7)
    with library_of("Victron_BMV-7xx_HEX_Protocol.pdf", "Victron_VE.Direct_Protocol_3.33.pdf"):
        passage = f"Note 1: only available on BMV-702 and BMV-712\n{PEUKERT_ROW}"
        question = "Victron BMV-702: Unter welcher ID steht der Peukert-Koeffizient?"
        assert "702" not in ask_of(question).codes
        assert key_line(passage, question).startswith("0x1005")
        # a code the question calls an error stays one, model number or not
        assert "21" in ask_of("Victron BMV-702 meldet Error 21").codes


# Victron_BMV-7xx_HEX_Protocol.pdf p. 7, two passages of the page (the chunker cut the table)
BMV_HEADER = "ID | Description | Display | Type | Range | Default | Step | Unit"
BMV_EFFICIENCY = "\n".join(
    [
        BMV_HEADER,
        "0x1003 | Charged Detection Time | 04 | Un16 | 1..50 | 3 | 1 | min.",
        "0x1004 | Charge Efficiency | 06 | Un16 | 50..99 | 90 | 1 | %",
    ]
)
BMV_PEUKERT_ROWS = [
    PEUKERT_ROW,
    "0x1006 | Current Threshold | 07 | Un16 | 0..2 | 0.1 | 0.01 | A",
]
BMV_PEUKERT = "\n".join([BMV_HEADER, *BMV_PEUKERT_ROWS])


def test_the_part_a_passage_leaves_open_is_answered_by_another() -> None:
    q = "Welchen Peukert-Exponenten und welchen Ladewirkungsgrad hat der BMV-700 ab Werk?"
    found = quote(BMV_EFFICIENCY, q)
    assert "Charge Efficiency" in found.key
    part = left_open([found.key, *found.also], q)
    assert part is not None
    answer = answers_part(BMV_PEUKERT, part)
    assert answer is not None and answer.score >= 0.8
    assert answer.line == PEUKERT_ROW
    # the header names the columns; the other rows answer nothing asked
    assert answer.lines == (BMV_HEADER, PEUKERT_ROW)
    assert left_open([], q) is None  # no key line: nothing to complete
    # a chunk cut from the middle of a table starts with a data row: no header is quoted
    cut = answers_part("\n".join(BMV_PEUKERT_ROWS), part)
    assert cut is not None and cut.lines == (PEUKERT_ROW,)
    # the efficiency passage does not answer the open part
    assert answers_part(BMV_EFFICIENCY, part) is None


def test_a_key_excerpt_is_the_row_under_its_header_or_the_line_with_its_sequel() -> None:
    # what a page's further passage adds under the first: its key lines, not all of it
    excerpt = key_excerpt(BMV_PEUKERT, "Welchen Peukert-Exponenten hat der BMV-700 ab Werk?")
    assert excerpt is not None
    assert excerpt.lines == (BMV_HEADER, PEUKERT_ROW)
    text = (
        "Bit 3: Reason: when battery is not full charged for long time, the SOC drifts.\n"
        "Logic: if SOC never higher than 97% in 30 days, will set this flag to 1.\n"
        "How to: we suggest inverter to charge the battery by grid when this flag is 1.\n"
        "Bit 4: for US2000B-Plus/US3000B, it is SOC 9~13%.\n"
        "Bit 5: reserved."
    )
    excerpt = key_excerpt(text, "Wann setzt der Akku das Bit 3 (full charge request)?")
    assert excerpt is not None and excerpt.line.startswith("Bit 3")
    assert excerpt.lines[1].startswith("Logic") and "Bit 5: reserved." not in excerpt.lines


def test_a_value_of_the_asked_kind_alone_answers_no_open_part() -> None:
    # go-e Modbus TCP API: the quoted row names the EEPROM register, "Ladestrom" is open; a
    # row holding some current ("12,3A") of another register does not answer it
    q = "Welches Modbus-Register stellt den Ladestrom ein, ohne den EEPROM zu verschleißen?"
    part = left_open(["300 | MOD_AMPERE_EEPROM | Holding Register"], q)
    assert part is not None
    header = "Register | Name | Anzahl | Beschreibung"
    other = f"{header}\n118 | AMP_L3 | 2 | Ampere auf L3 in 0.1A (123 entspricht 12,3A)"
    assert answers_part(other, part) is None
    volatile = "299 | AMPERE_VOLATILE | 1 | Ladestrom in A, wird nicht im EEPROM gespeichert"
    answer = answers_part(f"{header}\n{volatile}", part)
    assert answer is not None and answer.line == volatile


def test_a_key_sentence_wrapped_onto_the_next_line_is_bold_to_its_end() -> None:
    # JK Smart BMS instructions p. 22: the sentence holding both temperatures wraps
    passage = (
        "MOS (MOS over temperature protection value is 75°C, MOS over temperature recovery\n"
        "value 65°C, these two values are factory default values and cannot be modified).\n"
        "Note:"
    )
    found = quote(passage, "JK-BMS: Kann ich die Schwelle für MOS over temperature ändern?")
    assert found.key.startswith("MOS (MOS over temperature protection value is 75°C")
    assert found.also == (
        "value 65°C, these two values are factory default values and cannot be modified).",
    )
    # a finished sentence, a heading or a table row after the key line stays plain
    ended = quote(
        "Die Standardadresse ist 0x55 und kann im Menü geändert werden.\n"
        "das Menü zeigt sie unter Kommunikation an",
        "Welche Standardadresse hat der Umrichter?",
    )
    assert ended.also == ()
    # a short line ending in a comma goes on too (Pylontech p. 21: one model's SOC, then the
    # others')
    short = quote(
        "Bit 5: for US2000B, it is SOC 15~19%,\n"
        "for US2000B-Plus/US3000B, it is SOC 5~9% (design for inverter which has active battery)",
        "Pylontech: bei welchem SOC kommt die Anforderung zum Zwangsladen (Bit 5)?",
    )
    assert short.key == "Bit 5: for US2000B, it is SOC 15~19%,"
    assert short.rest == (
        "for US2000B-Plus/US3000B, it is SOC 5~9% (design for inverter which has active battery)",
    )


# GoodWe_Hybrid_Modbus_Protocol_ET_EM.pdf p. 8 and p. 9 (two passages, one row each side)
GOODWE_BACKUP = (
    "0530 | Back-Up Load | 1w | INT16U | R | Load Power of Back-Up\n"
    "0531 | MeterPowerFactor | 1% | INT16U | R\n"
    "0555 | BatDisPowerSet | 1% | INT16U | R/W | 0-100 | Discharge power set\n"
    "0556 | BackUpEnable | NA | INT16U | R/W | 0-1 | Backup Output on(1 :on 0 :off)\n"
)


def test_a_question_that_sets_a_value_wants_a_writable_register() -> None:
    # "schalte ich … ein": the master writes; the read-only row measuring the backup load
    # shares the word "Backup" but cannot switch anything
    switch = "GoodWe ET per Modbus: Mit welchem Register schalte ich den Backup-Ausgang ein?"
    assert ask_of(switch).writes
    assert key_line(GOODWE_BACKUP, switch).startswith("0556 | BackUpEnable")
    assert ask_of("Über welche Holding-Register gebe ich die Einspeiseleistung vor?").writes
    # reading a value is no write, not even a value someone set ("eingestellte") or the
    # state of a setting (a noun: "Einspeisebegrenzung", "Einstellungen")
    for read in (
        "GoodWe ET per Modbus: welches Register liefert die Back-Up Last?",
        "Welches Modbus-Register zeigt die eingestellte Leistung?",
        "Welches Register liefert den Status der Einspeisebegrenzung?",
        "Welche Modbus-Register geben die Einstellungen der Steuerung aus?",
    ):
        assert not ask_of(read).writes
    load = key_line(GOODWE_BACKUP, "GoodWe ET: welches Register liefert die Back-Up Last?")
    assert load.startswith("0530")


# SolaX G4 prints the same setting twice: read in the input registers, written in the holding
SOLAX_METER_CT = (
    "0x00AA | Meter/CT_Select | W | 0:Meter 1:CT | 1\n"
    "0x0115 | Meter/CT select | R | 0:Meter 1:CT | 1 | uint16 | 1\n"
)


def test_a_question_that_reads_a_value_wants_a_readable_register() -> None:
    # "woran seh ich … eingestellt ist": the master reads; a write-only row cannot tell it
    read = "SolaX X3-Hybrid G4: woran seh ich per Modbus, ob der auf Zähler- oder CT-Messung steht?"
    assert ask_of(read).reads and not ask_of(read).writes
    assert key_line(SOLAX_METER_CT, read).startswith("0x0115")
    write = "SolaX X3-Hybrid G4: mit welchem Modbus-Register stelle ich Zähler oder CT ein?"
    assert ask_of(write).writes and not ask_of(write).reads
    assert key_line(SOLAX_METER_CT, write).startswith("0x00AA")
    # a bare "W" is the access cell only in a register row; elsewhere it may be the watt
    watt = "Welche Leistung liest das Modbus-Register?"
    assert key_line("Leistung | W | 3000\nSpannung | V | 230\n", watt).startswith("Leistung")


# Growatt_Inverter_Modbus_RTU_Protocol_II_V1.20.pdf: rows of pp. 31 and 57 under the table's header
GROWATT_BATTERY_ROWS = (
    "Register NO. | Variable Name | Description | Write or not | Value\n"
    "3070 | BatteryType | Battery type choose of buck-boost input | R/W | Battery type 0:Lithium"
    " 1:Lead-acid 2:other\n"
    "3071 | BatMdlSeria/ ParalNum | BatMdlSeria/ParalNum | R/W | BatMdlSeria/Paral Num; SPH4-11K"
    " used\n"
    "3221 | BMS_CycleCnt | Cycle Count from BMS | R | 1\n"
    "3222 | BMS_SOH | SOH from BMS | R | 1"
)


def test_what_a_register_question_asks_for_outweighs_the_setup_it_describes() -> None:
    # "mit Lithium-Akku" says which setup; "mit der Zyklenzahl" is what the register holds
    question = (
        "Growatt SPH mit Lithium-Akku per Modbus: gibt's ein Input-Register mit der Zyklenzahl,"
        " die das BMS meldet?"
    )
    assert key_line(GROWATT_BATTERY_ROWS, question).startswith("3221 | BMS_CycleCnt")


EPEVER_ROWS = (
    "Management modes of battery charging and discharging | 9070 | Management modes of battery"
    " charge and discharge, voltage compensation : 0 and SOC : 1.\n"
    "Battery SOC | 311A | The percentage of battery's remaining capacity | 100"
)


def test_a_register_row_named_in_the_asked_words_outweighs_one_mentioning_them() -> None:
    # the "Laderegler" of the setup is "charge" in the management row; the row named
    # "Battery SOC" is what "der Batterie-SOC" asks for
    question = "EPEver Tracer Laderegler per Modbus: welche Registeradresse hat der Batterie-SOC?"
    assert key_line(EPEVER_ROWS, question).startswith("Battery SOC | 311A")


def test_an_error_code_is_listed_only_under_an_error_letter() -> None:
    # VE.Direct's history field "H14" is no "ERR 14"; "E14", "ERR 14" and a bare "14 |" are
    assert not lists_code("h14 | number of high auxiliary voltage alarms | •", "14")
    assert lists_code("err 14 | battery voltage too low", "14")
    assert lists_code("e14 | battery voltage too low", "14")
    assert lists_code("14 | battery voltage too low", "14")


def test_a_register_maps_row_lists_a_code_only_as_an_error_register() -> None:
    # rows of SRNE's map as pymupdf reads them (folded): an address ("e007"), a length
    # ("| 7 |", "| 16 |"), a state of "current state", a bit of an alarm register ("b26"),
    # counts in a remark ("16 addresses", "64 bits") are no fault codes; its fault code
    # register's example ("0x204: 01 0x205: 14") is
    rows = "\n".join(
        [
            "e007 | 1 | equalizing charge voltage | rw | 0.1 | v | %.1fv | no",
            "f000 | 7 | last 7 days historical data of pv power generation | r | 1",
            "210 | 1 | current state | r | 1 | - | %d | no | 7: mains to inverter",
            "df09 | 3 | manual light up switch | w | 1 | - | %x | no | 3:light-up time",
            "10c | 2 | controller failure, alarm message | r | 1 | - | %x | no | b26:pv panel"
            " counter-current b23:pv input power is too high",
            "200 | 4 | current fault bits | r | 1 | - | %x | no | fault bits, each representing"
            " one fault, for a total of 64 bits.",
            "204 | 4 | current fault code | r | 1 | - | %d | no | two faults, battery undervoltage"
            " and inverter overload: 0x204: 01 0x205: 14 0x206: 00",
            "f800 | 16 | fault record 0 | rw | 1 | %d | no | each fault record takes up 16"
            " addresses, a total of 16 fault records are stored",
            "f810 | 16 | fault record 1 | rw | 1 | %d | no",
        ]
    )
    for code in ["07", "03", "16", "26", "64"]:
        assert not lists_code(rows, code), code
    assert lists_code(rows, "14")
    assert lists_code(rows, "01")
    # outside a register map the row rules stay: an error table's "7 | …" lists code 7
    assert lists_code("7 | mains to inverter failed", "07")
    # a register named "… code" that is no error register lists nothing
    assert not lists_code("0x30 | production site code | r | 1 | 0: shenzhen 1: dongguan", "01")


def test_a_document_describes_one_line_of_its_brand_and_a_question_may_name_it() -> None:
    from nikdesk.agent.guards import catalog

    known = catalog()
    assert known.device_line("sungrow sh5.0-10rt datenblatt de", "Sungrow") == "Sungrow SH-RT"
    assert known.device_line("sungrow sbr096-256 datenblatt de", "Sungrow") == "Sungrow SBR"
    assert known.device_line("solax x1 mini communication protocol", "SolaX") == "SolaX X1 Mini"
    hybrid = "solax hybrid x1-x3 g4 modbus tcp-rtu"
    assert known.device_line(hybrid, "SolaX") == "SolaX X1/X3 Hybrid G4"
    assert known.device_line("jk active balancer b1a24s", "JK") == "JK Active Balancer"
    assert known.device_line("jk smart bms instructions en", "JK") == "JK BMS"
    # a maker's protocol for all its inverters names none: it applies to each; a line is
    # its own brand's ("bms" in a Pylontech title is no JK BMS)
    assert known.device_line("growatt inverter modbus rtu protocol ii", "Growatt") is None
    assert known.device_line("pylontech bms protocol", "Pylontech") is None
    sungrow = {"Sungrow SH-RT", "Sungrow SBR"}
    assert not known.lines_named("Sungrow: welche Schutzart hat das Gerät?", "Sungrow", sungrow)
    for question in ["Sungrow SH10RT: Schutzart?", "Sungrow SH RT hybrid?", "Sungrow SH10: IP?"]:
        assert known.lines_named(question, "Sungrow", sungrow) == {"Sungrow SH-RT"}, question
    # the kind of device, as a word or a compound's head, names a line; a compound's
    # first part does not ("Batteriespannung" is asked of the inverter too)
    for question, line in [
        ("Welche Schutzart hat der Sungrow Speicher?", "Sungrow SBR"),
        ("Sungrow Batteriespeicher: Gewicht?", "Sungrow SBR"),
        ("Sungrow-Akku: Gewicht?", "Sungrow SBR"),
        ("Sungrow WR: Gewicht?", "Sungrow SH-RT"),
    ]:
        assert known.lines_named(question, "Sungrow", sungrow) == {line}, question
    assert not known.lines_named("Sungrow: welcher Batteriespannungsbereich?", "Sungrow", sungrow)
    assert known.brand_names("JKBMS: Passwort?") == ["JK"]
    jk = {"JK BMS", "JK Active Balancer"}
    assert not known.lines_named("JK abmessungen? muss in nen kleinen akkukasten", "JK", jk)
    assert known.lines_named("Sungrow SBR128: Nennspannung?", "Sungrow", sungrow) == {"Sungrow SBR"}


def test_an_interface_is_named_by_its_own_words_not_by_the_device() -> None:
    from nikdesk.agent.guards import catalog

    known = catalog()
    # the documents: first match wins (go-e's Modbus map is a "Modbus TCP API" too)
    modbus, api = "go-e Charger Modbus TCP", "go-e Charger HTTP-API"
    assert known.device_line("go-e charger modbus tcp api", "go-e") == modbus
    assert known.device_line("go-e charger api v1 de", "go-e") == api
    hex_line, text_line = "Victron VE.Direct HEX-Protokoll", "Victron VE.Direct Text-Protokoll"
    assert known.device_line("victron bmv-7xx hex protocol", "Victron") == hex_line
    assert known.device_line("victron ve.direct protocol 3.33", "Victron") == text_line
    # the device both interfaces speak for names neither ("VE.Direct" is the HEX
    # protocol's port too); the interface's words do
    victron = {hex_line, text_line}
    for question in ["Victron BMV: SOC?", "victron ve.direct checksum?"]:
        assert not known.lines_named(question, "Victron", victron), question
    assert known.lines_named("BMV HEX: SOC?", "Victron", victron) == {hex_line}
    assert known.lines_named("Victron MPPT: Feld PPV?", "Victron", victron) == {text_line}
    goe = {modbus, api}
    assert not known.lines_named("go-e Charger: LED-Helligkeit?", "go-e", goe)
    assert known.lines_named("go-e modbus: LED-Helligkeit?", "go-e", goe) == {modbus}
    assert known.lines_named("go-e status json: temperatur?", "go-e", goe) == {api}
    # a device's own lines still name it by the documents' names
    assert known.lines_named("JK B2A24S balancer: strom?", "JK", {"JK BMS", "JK Active Balancer"})


def test_an_abbreviation_ending_a_word_pair_must_be_printed() -> None:
    from nikdesk.agent.unprinted import Unprinted

    texts = {"goodwe": "0x8ab0 | error message | bit0: pv overvoltage"}
    gaps = Unprinted(texts, texts, {"goodwe": True}, frozenset({"goodwe"}))
    afci = "GoodWe: gibt's ein Register, das einen AFCI- bzw. Lichtbogenfehler meldet?"
    assert gaps.abbreviations(afci, {"goodwe"}) == ["AFCI"]
    # the first part of a compound names no feature of its own ("RCD-Typ", "PV-Spannung")
    assert gaps.abbreviations("GoodWe: welcher RCD-Typ gehört davor?", {"goodwe"}) == []


def test_an_abbreviation_printed_with_a_hyphen_inside_is_printed() -> None:
    from nikdesk.agent.unprinted import Unprinted

    texts = {"growatt": "tl-x(min type) input register 3000~3124 | 3023 | pac h"}
    gaps = Unprinted(texts, texts, {"growatt": True}, frozenset({"growatt"}))
    assert gaps.abbreviations("growatt TLX register für Pac?", {"growatt"}) == []
    assert gaps.abbreviations("growatt TLS register für Pac?", {"growatt"}) == ["TLS"]
    # letters the text layer spaced out, or two words, print no abbreviation
    spaced = {"mic": "s t a r t e n s i e den wechselrichter | pe n | l"}
    gaps = Unprinted(spaced, spaced, {"mic": False}, frozenset({"mic"}))
    assert gaps.abbreviations("Hat der Wechselrichter eine integrierte ENS?", {"mic"}) == ["ENS"]
    assert gaps.abbreviations("Wo wird der PEN angeschlossen?", {"mic"}) == ["PEN"]


def test_a_lights_colour_the_manual_never_prints_is_not_in_it() -> None:
    sheet = "soc-anzeige, statusanzeige \n nennspannung | 192 v"
    red = "Sungrow SBR Batterieturm: die SOC-Anzeige blinkt rot – was will mir der sagen?"
    assert absent_colours(red, [sheet]) == ["rot"]
    assert absent_colours(red, [sheet + "\nrot blinkend | fehler"]) == []
    assert absent_colours("LED ring flashing red?", ["led | red: fault"]) == []
    # a colour that is no light's ("rotes Kabel an Klemme 1") asks nothing of a light
    assert absent_colours("Wohin kommt das rote Kabel?", [sheet]) == []


def test_a_firmware_update_warranty_or_torque_the_manual_never_mentions_is_not_in_it() -> None:
    from nikdesk.agent.coverage import absent_in
    from nikdesk.agent.unprinted import TOPICS

    manual = "smartevse v3 \n software version 3.00 \n max current 10-80 a"
    assert absent_in(TOPICS, "How do I flash new firmware onto a SmartEVSE v3?", [manual]) == [
        "Firmware-Update"
    ]
    assert absent_in(TOPICS, "Wie aktualisiere ich die Firmware?", [manual]) == ["Firmware-Update"]
    assert absent_in(TOPICS, "What is the warranty period?", [manual]) == ["Garantie"]
    assert absent_in(TOPICS, "Welches Drehmoment für die Klemmen?", [manual]) == ["Anzugsmoment"]
    # a manual describing it, or a question asking the version only
    assert absent_in(TOPICS, "Wie aktualisiere ich die Firmware?", ["firmware upgrade: usb"]) == []
    assert absent_in(TOPICS, "Welche Firmware-Version ist drauf?", [manual]) == []
    assert absent_in(TOPICS, "Welches Drehmoment?", ["klemmen 1,2 nm"]) == []
    # the firmware updating a value, a light flashing, "guaranteed": no topic asked
    for question in (
        "Pylontech: the BMS firmware updates the SOC how often?",
        "SmartEVSE: does the firmware update the charging current automatically?",
        "SmartEVSE v3: the firmware status LED flashes red, what does it mean?",
        "go-e Charger: Ist garantiert, dass die Ladung nach einem Stromausfall weiterläuft?",
        "Victron BMV-712: is the SOC reading guaranteed to be accurate below 0 °C?",
    ):
        assert absent_in(TOPICS, question, [manual]) == [], question


def test_a_row_states_its_value_under_the_column_its_header_names() -> None:
    # go-e Modbus TCP p. 2: the port stands in the row, its name in the header
    table = "Verbindung | Port\nWLAN | 502"
    port = next(k for k in answer_types() if k.name == "network_port")
    assert holds_value(port, table)
    assert not holds_value(port, "WLAN | 502")  # a row alone states no port
    assert not holds_value(port, "Verbindung | Port")
    # a data row is no header: its cells name no columns
    cable = next(k for k in answer_types() if k.name == "cable_length")
    assert not holds_value(cable, "0500 | Vpv1 | 0.1V\n0515 | Meter status | NA")
    # a header's word counts with its own column's value only
    assert not holds_value(port, "Port | Baud rate\nRS485 | 9600")
    found = quote(table, "go-e modbus tcp: which port?")
    assert found.key == "WLAN | 502"
    assert found.lines == ("Verbindung | Port", "WLAN | 502")


def test_the_line_defining_the_asked_bit_is_the_key() -> None:
    # SolaX X1 Mini p. 9: the fault word's bits as C bit fields
    bits = (
        "Uint16 BusVoltFault:1;//5\nUint16 BIT06:1;//6\nUint16 OciFault:1;//7\n"
        "Uint16 Ac10Mins_Voltage_Fault:1;//11\nUint16 IsolationFault:1;//12\n"
        "Uint16 TemperatureOverFault:1;//13"
    )
    q = "SolaX X1 Mini über RS485: im Fehlerwort ist Bit 12 gesetzt. Was für ein Fehler ist das?"
    assert key_line(bits, q) == "Uint16 IsolationFault:1;//12"
    # a register address 12 is no bit 12
    ask = ask_of(q)
    assert line_score("12 | wFacMaxSlowProtect | 0.01Hz | 2Bytes", ask) < line_score(
        "Uint16 IsolationFault:1;//12", ask
    )


def test_a_chunk_of_a_bit_table_starting_at_the_asked_bit_has_no_header() -> None:
    # SolaX G4 p. 29, the X1's part of the fault-bit table after the reply "X1": its first
    # row is the bit asked, not a header naming the columns
    part = (
        "BIT18 | PV ConnDir Fault\nBIT19 | Bat Power Low\nBYTE2\nBIT20 | Low Temp Fault\n"
        "BIT21 | Reserve\nBIT22 | Charger Relay Fault"
    )
    found = quote(part, "Solax G4 fehlerbit 18 gesetzt was bedeutet das")
    assert found.key == "BIT18 | PV ConnDir Fault"
    assert "BIT20 | Low Temp Fault" not in found.keys


def test_a_count_of_something_else_does_not_answer_how_many() -> None:
    # Sungrow SH-RT p. 2: the row labelled as the count answers, not the footnote counting
    # inverters in parallel
    ask = ask_of("Sungrow: wie viele MPP-Tracker hat das Gerät?")
    footnote = (
        "*: In Deutschland können bei Systemen ohne Rundsteuerempfänger maximal 2 "
        "Wechselrichter parallel betrieben werden **: Je nach angeschlossener Batterie"
    )
    assert line_score("Anzahl der MPPTs | 2", ask) > line_score(footnote, ask)
    assert line_score("Anzahl der MPPTs | 2", ask) > line_score(
        "MPP-Spannungsbereich | 150 V – 950 V | 200 V – 950 V", ask
    )
    # ... while a count of the thing asked still states it
    modules = ask_of("Wie viele Batteriemodule kann ich bei der Sungrow SBR maximal stapeln?")
    assert line_score("Batteriemodule | 3 Module … 8 Module", modules) > line_score(
        "Typenbezeichnung | SBR096 | SBR128", modules
    )


def test_a_row_ending_in_a_unit_cell_states_its_numbers_in_that_unit() -> None:
    kinds = {k.name: k for k in answer_types()}
    # JK's presets: one row per parameter, one column per cell chemistry, the unit last
    row = "1 | Single undervoltage protection | 2.9 | 2.6 | 1.8 | V"
    assert holds_value(kinds["voltage"], row)
    assert holds_value(kinds["duration"], "7 | Charge overcurrent protection delay | 30 | 30 | S")
    # a register row's access cell "W" beside one number is no power
    assert not holds_value(kinds["power"], "0x00AA | Meter/CT_Select | W | 0:Meter 1:CT | 1")
    # Victron's register rows end in their unit: "90 %" is the default charge efficiency
    efficiency = "0x1004 | Charge Efficiency | 06 | Un16 | 50..99 | 90 | 1 | %"
    assert holds_value(kinds["percent"], efficiency)
    # a header's unit in brackets is its column's
    assert holds_value(kinds["voltage"], "Name | Spannung [V]\nMPP | 230")
    assert not holds_value(kinds["voltage"], "Name | Spannung\nMPP | 230")
    # Schrack's last cell "w" is the register's access: no 1000 watts in a reset register
    reset = "1000 | - | uint16 t | 1 | 1 | 0 | - | reset - gesamter evcc | 0: kein reset | w"
    assert not holds_value(kinds["power"], reset)
    # a lone letter in brackets is no unit: "Address (h)" is hexadecimal
    assert not holds_value(kinds["duration"], "Address (h) | Description\n3000 | Grid voltage")
    question = "jk bms lifepo4 preset - whats the default cell undervoltage cutoff?"
    prose = '"Single undervoltage protection" refers to the protection of a single cell'
    assert line_score(row, ask_of(question)) > line_score(prose, ask_of(question))


def test_a_zu_infinitive_is_its_plain_verb() -> None:
    question = "NIBE: die Tarifsteuerung – wo soll ich die bevorzugt auflegen, innen oder außen?"
    said = "Es wird empfohlen die Tarifsteuerung an der Inneneinheit aufzulegen."
    other = "Die Tarifsteuerung an der Inneneinheit ist im Menü 7.1 einzustellen."
    assert line_score(said, ask_of(question)) > line_score(other, ask_of(question))
    assert {"durchfuehren", "herunterladen", "hinzufuegen"} <= line_terms(
        "durchzufuehren herunterzuladen hinzuzufuegen"
    )
    # no zu-infinitives: a noun, "hinzu" as one prefix, a verb of its own
    for word, wrong in (("Anzugsmomenten", "angsmoment"), ("hinzufuegen", "hinfuegen")):
        assert wrong not in line_terms(word)


def test_a_changed_stem_noun_is_its_verb() -> None:
    # Schrack: "101 | … | Ladestromvorgabe | Ladestromvorgabe in A" answers "ladestrom
    # vorgeben", not "501 | … | Default-Ladestrom Override | Ladestrom in A"
    question = "Schrack CION ladestrom vorgeben – welches modbus register?"
    said = "101 | - | uint16_t | 1 | 1 | (Konfig.) | A | Ladestromvorgabe | Ladestromvorgabe in A"
    other = "501 | - | uint16_t | 1 | 1 | 16 | A | Default-Ladestrom Override | Ladestrom in A"
    assert line_score(said, ask_of(question)) > line_score(other, ask_of(question))
    assert {"aufnehmen", "anschliessen", "zugreifen", "freigeben"} <= line_terms(
        "Leistungsaufnahme Anschlüsse Zugriff Freigabe"
    )
    # a noun without such a prefix is no verb ("Ausgabe" is, "Gabe" alone is none)
    assert "geben" not in line_terms("Gabe")


def test_a_split_verb_is_its_infinitive() -> None:
    question = "Schrack CION an Modbus RTU: über welches Register geb ich den Ladestrom vor?"
    assert separable_verbs(question) == ["vorgeben"]
    assert separable_verbs("wo les ich den SOC aus, per modbus?") == ["auslesen"]
    assert separable_verbs("was gibt es neues?") == []
    said = "101 | - | uint16_t | 1 | 1 | (Konfig.) | A | Ladestromvorgabe | Ladestromvorgabe in A"
    other = "501 | - | uint16_t | 1 | 1 | 16 | A | Default-Ladestrom Override | Ladestrom in A"
    assert line_score(said, ask_of(question)) > line_score(other, ask_of(question))


def test_ls_is_a_circuit_breaker_but_not_a_model() -> None:
    asked = {k.name for k in asked_types("growatt mic welchen LS auf der AC seite?")}
    assert "protection_device" in asked
    assert "protection_device" in {k.name for k in asked_types("reicht ein LS B16?")}
    # switching the breaker off asks what to do, not for its rating
    assert not asked_types("muss ich vor dem Kartentausch den LS ausschalten?")
    # EPEver's LS-B charge controller is a model, not a breaker
    kinds = {k.name for k in asked_types("EPEver Tracer LS-B modbus baudrate?", strict_only=False)}
    assert kinds == {"baud"}
    assert "protection_device" not in {k.name for k in asked_types("epsolar ls 2024b: baudrate?")}
    # a bare "LS" whose rating is asked is an installation question
    assert asks_installation("go-e charger: welchen LS brauche ich davor?")


def test_an_abbreviations_plural_in_a_line_meets_its_singular() -> None:
    # Sungrow: "Anzahl der MPPTs | 2" answers "Wie viele MPP-Tracker …?" (searched as "mppt")
    assert "mppt" in line_terms("Anzahl der MPPTs | 2")


def test_a_question_about_the_maker_or_its_standards_keeps_the_contact_pages() -> None:
    for about in (
        "E3DC Adresse Osnabrück?",
        "Alpha ESS Service E-Mail bei Problemen?",
        "Growatt MIC: welche Normen erfüllt der?",
        "Which certificates does the DDSU666-H have?",
    ):
        assert asks_about_maker(about), about
    for device in ("alpha ess wo klemm ich den modbus an?", "Wie viele MPPTs hat der SH10RT?"):
        assert not asks_about_maker(device), device


def test_a_header_under_its_first_columns_title_is_no_row_whatever_numbers_it_holds() -> None:
    # Deye p. 32: the header names the register range of the table; no row under it shares a
    # word of the question, so none is the key and the header names only the columns
    part = (
        "Addr | 2000-2999 for lithium battery register | Register meaning battery ID Sacred "
        "Sun Battery | R/W | data range | unit | note\n"
        "500 | 1 number 1 byte 1 number 2 bytes | R | '0'- '9' 'A'- 'Z' | ASCII characters\n"
        "501 | No. 1 3 bytes No. 1 4 bytes | R"
    )
    found = quote(part, "Deye: which register holds the battery state of charge in percent?")
    assert not found.key.startswith("Addr |")
    # a row naming a register with its value is a row, not a header
    assert is_data_row(
        "Register address | 2 Bytes | 0x0000 to 0xFFFF", ask_of("welche register address?")
    )
    # a header naming the asked code is the row to quote (Pylontech p. 10: the CID1 column)
    assert is_data_row("No | Content | CID1 | Note", ask_of("pylontech welcher cid1?"))


def test_a_line_restating_the_symptom_with_the_devices_full_name_is_answered_below() -> None:
    # SMA Schnelleinstieg p. 2: the line naming the device in full restates "shm 2.0 status
    # led blinkt rot"; the line under it is the answer and is bold too
    passage = (
        "FEHLERSUCHE\n"
        "Die Status LED des Sunny Home Managers 2.0 blinkt rot.\n"
        "Möglicherweise ist beim Router DHCP nicht aktiviert. • Beim Router DHCP aktivieren.\n"
        "Die Performance LED des Sunny Home Managers 2.0 blinkt grün.\n"
        "Ein Fehler liegt vor."
    )
    with library_of("SMA_SunnyHomeManager20_Schnelleinstieg_DE.pdf"):
        found = quote(passage, "shm 2.0 status led blinkt rot nach einbau, was is los")
    assert found.key == "Die Status LED des Sunny Home Managers 2.0 blinkt rot."
    answer = "Möglicherweise ist beim Router DHCP nicht aktiviert. • Beim Router DHCP aktivieren."
    assert answer in found.also


def test_a_register_questions_asked_word_is_answered_by_its_strongest_printed_form() -> None:
    from nikdesk.agent.ask import FOCUS_WEIGHT
    from nikdesk.agent.quote import _says_concept

    # "heutigen" of "… die höchste Akkuspannung vom heutigen Tag": the manual prints "today"
    # (0.71) and "day" (0.25), never "heutig" (1.0); a register question's asked words weigh
    # FOCUS_WEIGHT times that. "day" alone ("Consumed energy day") leaves "today" open.
    concept = tuple(
        (f, w * FOCUS_WEIGHT) for f, w in (("day", 0.25), ("heutig", 1.0), ("today", 0.71))
    )
    asked = frozenset({"day", "heutig", "today"})
    assert not _says_concept(concept, {"day"}, asked)
    assert _says_concept(concept, {"today"}, asked)
    # the same forms in a question asking no register: weights as printed
    plain = tuple((f, w / FOCUS_WEIGHT) for f, w in concept)
    assert not _says_concept(plain, {"day"}, frozenset())
    assert _says_concept(plain, {"today"}, frozenset())
