"""The no-LLM answer on the real corpus: the right line bold, short quotes, honest gaps."""

from __future__ import annotations

import re
from typing import Any

import pytest

from nikdesk.agent import Agent, Settings
from nikdesk.agent.answer_metrics import key_lines
from nikdesk.agent.result import RunResult, collect
from tests.conftest import SHARED

MANUALS = SHARED / "corpus" / "manuals"


@pytest.fixture(scope="module")
def agent(corpus_retriever: Any) -> Agent:
    return Agent(corpus_retriever, Settings(provider="none"))


def answered(agent: Agent, question: str) -> RunResult:
    """Run ``question`` and check that Nik answered it (not asked back, not 'not found')."""
    result = collect(agent.run(question))
    assert result.outcome == "answer", result.answer
    return result


def asked_back(agent: Agent, question: str, *options: str) -> RunResult:
    """Run ``question`` and check that Nik asks which device, offering at least ``options``."""
    result = collect(agent.run(question))
    assert result.outcome == "clarify", result.answer
    assert set(options) <= set(result.options), result.options
    return result


def cited(result: RunResult) -> list[tuple[str, int]]:
    """Return the (file, page) of each source of ``result``, in the answer's order."""
    return [(s.file, s.page) for s in result.sources]


def test_the_stacking_row_is_the_key_line(agent: Agent) -> None:
    result = collect(
        agent.run("Wie viele Batteriemodule kann ich bei der Sungrow SBR maximal stapeln?")
    )
    assert result.outcome == "answer"
    assert "8 Module" in key_lines(result.answer)
    assert any(s.file.startswith("Sungrow_SBR") and s.page == 2 for s in result.sources)


def test_a_page_found_by_its_table_notes_is_quoted_by_its_answering_row(agent: Agent) -> None:
    # the search finds the data sheet page by its notes ("1: Testbedingungen: 25°C … Laden
    # und Entladen"); the row stating the operating temperatures is quoted for it
    result = answered(
        agent,
        "Sungrow SBR Speicher steht in der unbeheizten Garage. In welchem "
        "Temperaturbereich darf er geladen bzw. entladen werden?",
    )
    assert "-20 bis 50 °C" in key_lines(result.answer)
    assert "Testbedingungen" not in result.answer
    assert result.sources[0].file.startswith("Sungrow_SBR") and result.sources[0].page == 2


def test_a_german_setting_name_finds_the_english_register_row(agent: Agent) -> None:
    # "Vorrang" is "priority" in SRNE's English register table (resources/glossary): without
    # it the search quoted only the table's first page
    result = answered(
        agent,
        "SRNE Hybrid-Wechselrichter soll per Modbus auf SBU-Vorrang umgestellt werden. "
        "Welches Register schreibe ich und mit welchem Wert?",
    )
    assert all(s.file.startswith("SRNE") for s in result.sources)
    assert any(s.page == 4 for s in result.sources)


def test_the_baud_rate_is_the_key_line_not_the_paragraph(agent: Agent) -> None:
    result = collect(agent.run("Welche Baudrate nutzt VE.Direct?"))
    assert result.outcome == "answer"
    assert "19200" in key_lines(result.answer)
    assert len(key_lines(result.answer)) < 120
    assert "Table of contents" not in result.answer  # no filler passage


def test_an_api_document_does_not_answer_an_installation_question(agent: Agent) -> None:
    result = collect(agent.run("Welche Sicherung brauche ich für den go-e Charger 22 kW?"))
    assert result.outcome == "not_found"
    assert "Schnittstellen" in result.answer
    # the API document's power registers are no "Siehe auch" for a fuse
    assert not result.sources and "Siehe auch" not in result.answer


def test_see_also_passages_come_from_the_named_devices_manuals_only(agent: Agent) -> None:
    # the Sungrow data sheet states no warranty; the JK balancer manual's warranty page
    # must not stand under the question as if it were Sungrow's
    result = collect(
        agent.run("Wie viele Jahre Garantie gibt Sungrow auf den Hybridwechselrichter SH8.0RT?")
    )
    assert result.outcome == "not_found"
    assert result.sources
    assert all(s.file.startswith("Sungrow") for s in result.sources)


def _squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_quoted_line_is_on_its_cited_page(agent: Agent) -> None:
    import pymupdf

    result = collect(agent.run("Was bedeutet beim Growatt MIC die Warnung 'PV Isolation Low'?"))
    assert result.outcome == "answer"
    assert "PV Isolation Low" in key_lines(result.answer)
    for source in result.sources:
        # the PDF's own text of the cited page(s), not the index's: a wrong page fails
        with pymupdf.open(MANUALS / source.file) as pdf:
            pages = range(source.page - 1, source.page_end)
            page_text = _squashed("".join(pdf[i].get_text() for i in pages))
        for line in source.passage.splitlines():
            if line == "…":
                continue
            for cell in line.split(" | "):  # table rows: cells joined by " | " in the index
                assert _squashed(cell) in page_text, (source.page, cell)


def test_an_error_code_the_manual_does_not_list_is_not_answered(agent: Agent) -> None:
    listed = collect(agent.run("Growatt MIC 3000TL-X zeigt Error 303. Was ist kaputt?"))
    assert listed.outcome == "answer"
    assert "303" in key_lines(listed.answer)
    assert listed.sources[0].page == 22

    unlisted = collect(agent.run("Growatt MIC 3000TL-X zeigt Error 977. Was ist kaputt?"))
    assert unlisted.outcome == "not_found"
    assert "Code 977" in unlisted.answer

    # the Voltronic protocol lists no fault 56; "Default 56.4" (a voltage) does not list it
    decimal = collect(agent.run("Der Axpert MAX zeigt Fehler 56 an. Was ist die Ursache?"))
    assert decimal.outcome == "not_found"

    # VE.Direct lists ERR 33 and 38, not 35; "MPPT 100|35" in a model name only mentions it
    mention = collect(agent.run("SmartSolar MPPT zeigt über VE.Direct ERR 35. Was heißt das?"))
    assert mention.outcome == "not_found"
    # go-e lists "8: NO_GROUND" inside the err key's description
    inline = collect(agent.run("go-e Charger API: err=8 im Status – was bedeutet das?"))
    assert inline.outcome == "answer"


def test_a_breaker_rating_the_datasheet_does_not_state_is_not_answered(agent: Agent) -> None:
    # the Sungrow SH-RT datasheet lists currents, but no breaker for the AC output
    result = collect(
        agent.run("Welchen Leitungsschutzschalter brauche ich am AC-Ausgang des Sungrow SH10RT?")
    )
    assert result.outcome == "not_found"
    fused = collect(agent.run("Wie muss ich eine NIBE S1256-13 absichern?"))
    assert fused.outcome == "answer"  # "Absicherung | A | 16 | 25 | 25" stands on the page


def test_a_register_is_asked_of_a_manual_without_a_register_table(agent: Agent) -> None:
    # the DDSU666-H user manual explains wiring and the display, it lists no Modbus registers
    absent = collect(
        agent.run("Welches Modbus-Register liefert beim Huawei DDSU666-H die Spannung?")
    )
    assert absent.outcome == "not_found"
    assert "Register" in absent.answer
    listed = collect(
        agent.run("Welches Register liefert beim E3/DC die Leistung am Netzanschlusspunkt?")
    )
    assert listed.outcome == "answer"
    assert listed.sources[0].file.startswith("E3DC_Modbus")


def test_a_standby_consumption_is_answered_only_where_a_manual_states_one(agent: Agent) -> None:
    stated = collect(agent.run("Wie viel Strom zieht der Growatt MIC 3000TL-X nachts?"))
    assert stated.outcome == "answer"
    assert "0.5" in key_lines(stated.answer)  # "Eigenverbrauch nachts | <0.5W"
    unstated = collect(
        agent.run("Welche Leistungsaufnahme im Standby hat die Sungrow SBR Batterie?")
    )
    assert unstated.outcome == "not_found"


def test_the_meaning_after_a_restated_led_state_is_quoted_and_bold(agent: Agent) -> None:
    # SMA Schnelleinstieg p. 2: the chunk ends on "Die Performance LED … blinkt rot."; its
    # meaning opens the next passage of the page
    result = collect(
        agent.run("Beim Sunny Home Manager 2.0 blinkt die Performance-LED rot. Was bedeutet das?")
    )
    assert result.outcome == "answer"
    assert "keine Verbindung zum Sunny Portal" in key_lines(result.answer)


def test_default_values_after_a_lead_in_are_quoted(agent: Agent) -> None:
    # Kostal p. 17: "… are used as default values:" ends a passage, the values begin the next
    result = collect(
        agent.run(
            "Kostal Plenticore: welcher TCP-Port und welche Unit-ID sind für Modbus-TCP Standard?"
        )
    )
    assert result.outcome == "answer"
    assert "1502" in result.answer and "71" in result.answer
    assert any(s.file.startswith("Kostal") and s.page == 17 for s in result.sources)


def test_a_hardware_rating_is_not_answered_from_an_interface_document(agent: Agent) -> None:
    # Kostal's only document is its Modbus/SunSpec interface: it reports DC values as
    # registers, it does not rate the inputs
    result = collect(
        agent.run(
            "Welche maximale PV-Leerlaufspannung verträgt der Kostal Plenticore pro MPP-Tracker?"
        )
    )
    assert result.outcome == "not_found"
    assert "Nenndaten" in result.answer
    # the register reporting a DC value is what that document is for
    result = collect(
        agent.run(
            "Welches Modbus-Register liefert beim Kostal Plenticore den DC-Strom von String 1?"
        )
    )
    assert result.outcome == "answer"
    assert any(s.file.startswith("Kostal") for s in result.sources)


def test_an_unknown_brand_is_named_beside_a_generic_product_word(agent: Agent) -> None:
    result = collect(agent.run("Hoymiles HMS-800: maximaler Eingangsstrom pro MPPT?"))
    assert result.outcome == "not_found"
    assert "Hoymiles" in result.answer and not result.sources
    # a heat pump maker the library holds no manual of: not "which device do you mean?"
    heat_pump = collect(agent.run("Wolf Wärmepumpe zeigt Hochdruckstörung, woran liegt das?"))
    assert heat_pump.outcome == "not_found"
    assert "Wolf" in heat_pump.answer


def test_a_question_in_every_makers_words_asks_which_device(agent: Agent) -> None:
    # GoodWe's protocol ranks far ahead of SolaX's, yet both state a factory address: no
    # word of the question is one maker's own
    result = collect(agent.run("Welche Modbus-Adresse hat der Hybridwechselrichter ab Werk?"))
    assert result.outcome == "clarify"
    policy = agent.policy
    assert policy.maker_words("Der Anlagen-Setup-Assistent findet meine Speedwire-Geräte nicht")
    assert not policy.maker_words("Which TCP port do I have to use for Modbus TCP?")


def test_a_protocol_name_in_one_file_name_names_no_device(agent: Agent) -> None:
    # only Kostal's file reads "Modbus-TCP", yet Kostal, SolaX, go-e and E3/DC all state a port
    result = collect(agent.run("Which TCP port do I have to use for Modbus TCP?"))
    assert result.outcome == "clarify"
    named = answered(agent, "Which TCP port does the Kostal Plenticore use for Modbus TCP?")
    assert any(s.file.startswith("Kostal") and s.page == 17 for s in named.sources)


def test_a_fault_code_the_register_map_does_not_list_is_not_in_the_manuals(agent: Agent) -> None:
    # SRNE's map lists no fault table: its "current fault code" register gives 01 (battery
    # undervoltage) and 14 (inverter overload) as an example; addresses ("e007"), lengths
    # ("f810 | 16 | fault record 1"), alarm bits ("b26") and counts ("64 bits") are no codes
    for code in ["07", "16", "26", "64"]:
        result = collect(agent.run(f"SRNE: Was bedeutet Fehlercode {code}?"))
        assert result.outcome == "not_found", code
    for code in ["01", "14"]:
        answered(agent, f"SRNE Hybrid-Wechselrichter: Was bedeutet Fehlercode {code}?")
    # a map without a switch-over time: its "1s/bit" scale and "0411H" address are none
    alpha = collect(agent.run("AlphaESS SMILE-T30: Wie lange dauert die Umschaltung auf Notstrom?"))
    assert alpha.outcome == "not_found"


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        # GoodWe's map counts Vpv1-Vpv3, Kostal's DC1-DC3
        ("goodwe et register für pv4 spannung?", "PV4"),
        ("plenticore modbus register für dc4 spannung?", "DC4"),
        # the X1 Mini's protocol has an isolation fault bit, no resistance
        ("solax x1 mini protocol: how do I read the isolation resistance value?", "Isolation"),
        # GoodWe's map prints a cell voltage difference alarm, no highest cell voltage
        ("GoodWe ET/EM Modbus: welches Register liefert die höchste Einzelzellspannung?", "max."),
        # the go-e API reads phase flags; nothing switches the phases
        ("go-e api v1 – parameter zum umschalten 1-phasig / 3-phasig?", "Phasen"),
        # the balancer's manual speaks of Bluetooth only
        ("jk balancer b2a24s per rs485 oder can an den wr anbinden – welches protokoll?", "RS485"),
        # a smart meter's manual with no register map, asked in shorthand
        ("ddsu666-h: modbus register address for active power?", "Register"),
        # the data sheet states efficiency and power, no consumption at night
        ("sungrow sh8.0rt – eigenverbrauch nachts im standby?", "Standby"),
        # a price, an update, a size or a range the manuals do not state
        ("was kostet eine schrack cion home wallbox?", "Preis"),
        ("go-e charger firmware update durchführen, schritte?", "Firmware-Update"),
        ("simpleevse wifi abmessungen der platine?", "Abmessungen"),
        ("bmv-712 operating temperature range?", "Betriebstemperaturbereich"),
        # the manual prints "Preis" as the electricity tariff and "0 Euro/kWh", no price
        ("Was kostet der Sunny Home Manager 2.0?", "Preis"),
        ("Wie teuer ist eine Schrack CION Wallbox?", "Preis"),
        ("Welche Maße hat der SmartEVSE?", "Abmessungen"),
    ],
)
def test_a_value_the_named_manual_does_not_print_is_not_in_the_manuals(
    agent: Agent, question: str, missing: str
) -> None:
    result = collect(agent.run(question))
    assert result.outcome == "not_found", result.answer
    assert missing in result.answer


def test_values_the_manual_prints_in_its_own_words_are_answered(agent: Agent) -> None:
    # AlphaESS's "Topbmu insulated resistance", Growatt's "PV ISO value", GoodWe's Vpv3
    for question, file in [
        ("Storion T30: wo seh ich per Modbus den Isolationswiderstand?", "AlphaESS"),
        ("Growatt Modbus RTU: Input-Register mit dem PV-Isolationswiderstand?", "Growatt_Inverter"),
        ("goodwe et register für pv3 spannung?", "GoodWe"),
    ]:
        result = answered(agent, question)
        assert any(s.file.startswith(file) for s in result.sources), question
    # a data sheet's range states the highest and the lowest temperature
    for question in (
        "Sungrow SH10RT: maximale Umgebungstemperatur im Betrieb?",
        "Sungrow SBR: minimale Ladetemperatur?",
        "Fronius Datamanager: maximale Umgebungstemperatur?",
    ):
        answered(agent, question)
    # "Axpert" names Voltronic's protocol, which prints RS232, beside Pylontech's, which does not
    answered(
        agent, "Axpert MAX an einer Pylontech-Bank: welcher RS232-Befehl setzt den Batterietyp?"
    )


@pytest.mark.parametrize(
    "question",
    [
        # a consumer the Home Manager switches, a TV beside the inverter, the phone's display
        "Sunny Home Manager 2.0: Wie stelle ich für meine Waschmaschine an der Funksteckdose die "
        "maximale Programmlaufzeit ein?",
        "Growatt MIC 3000TL-X: Darf ich den Wechselrichter neben einem Fernseher montieren?",
        "go-e Charger: Auf dem Handy-Display finde ich den Hotspot nicht - welche IP hat der "
        "Charger im Hotspot?",
        # "Eigenverbrauch nachts | <0.5W"; "200 - 292 V"; "Nominal" is no minimum
        "Growatt MIC 3000TL-X: Wie hoch ist die Standby-Leistung nachts?",
        "Sungrow SBR128: Wie hoch ist die maximale Betriebsspannung?",
        "Sungrow SBR128: Wie hoch ist die Nominalspannung?",
        # "seit heute" dates a symptom; "Nachtstrom" is a tariff
        "Growatt MIC 3000TL-X: Seit heute PV-Spannung hoch im Display - was tun?",
        "NIBE S-Serie: Welche Relais empfiehlt NIBE für die Tarifsteuerung bei Nachtstrom?",
        # a plant's size is no PV input 8; "can be written" is no CAN bus; "ohne OCPP" asks none
        "GoodWe ET mit PV 8 kWp: welches Register liefert die PV1-Spannung?",
        "Victron BMV HEX protocol: which register holds the relay mode and can be written?",
        "go-e charger ohne ocpp: mit welchem modbus-register setze ich den ladestrom?",
        # (the revision named: "SmartSolar MPPT VE.Can 250/100" and "… rev2" have their own IDs)
        "Victron VE.Direct: Welche Product-ID hat der SmartSolar MPPT 250/100 rev2 mit CAN-Bus "
        "(VE.Can)?",
        # a default value is no reset; Voltronic's "PF" sets the parameters to default values
        "Kostal Plenticore Modbus: Welche Unit-ID ist per Default vom Hersteller eingestellt?",
        "Voltronic PI30: Mit welchem Befehl setze ich alle Parameter auf Werkseinstellungen "
        "zurück?",
        # the cell voltage is the setting, not what is asked; which phases, not switching them
        "EPEver Tracer mit LiFePO4 (Zellspannung 3,65 V x 4): welches Register setzt die Charging "
        "limit voltage?",
        "Growatt Modbus: Welches Register zeigt an, ob der Wechselrichter einphasig oder "
        "dreiphasig ist?",
    ],
)
def test_a_word_of_the_rules_in_a_question_the_manual_answers_is_answered(
    agent: Agent, question: str
) -> None:
    # a reviewer's questions that the not-in-the-manuals rules refused at first
    answered(agent, question)


def test_an_everyday_appliance_is_no_device_of_the_library(agent: Agent) -> None:
    result = collect(agent.run("Der Geschirrspüler zeigt Fehler E15 an, was bedeutet das?"))
    assert result.outcome == "not_found"
    assert "Geschirrspüler" in result.answer
    assert not result.options


def test_a_general_question_is_not_asked_back_about_a_device(agent: Agent) -> None:
    question = "How do I calculate the voltage drop on a 30 m run of 10 mm² copper carrying 40 A?"
    result = collect(agent.run(question))
    assert result.outcome == "not_found"
    assert "Spannungsfall-Berechnung" in result.answer
    assert not result.options
    # a router is no device of the library either: not "which device?"
    fritz = collect(agent.run("How do I set up port forwarding on a FRITZ!Box for my inverter?"))
    assert fritz.outcome == "not_found"
    assert not fritz.options


def test_a_reply_naming_no_device_is_asked_for_the_device_by_name(agent: Agent) -> None:
    question = "Sungrow: welche Schutzart hat das Gerät?"
    first = collect(agent.run(question))
    assert first.outcome == "clarify"
    # "weiß nicht" names neither device: Nik asks for it by name instead of picking one
    unclear = collect(agent.resume(first.run_id, "weiß nicht"))
    assert unclear.outcome == "clarify"
    assert not unclear.options
    named = collect(agent.resume(unclear.run_id, "SH10RT"))
    assert named.outcome == "answer"
    assert "IP65" in named.answer
    # a reply in the technician's words that says which device is taken as it is
    again = collect(agent.run(question))
    storage = collect(agent.resume(again.run_id, "der Speicher"))
    assert storage.outcome == "answer"
    assert {s.file for s in storage.sources} == {"Sungrow_SBR096-256_Datenblatt_DE.pdf"}


def test_the_devices_offered_are_those_whose_manuals_state_the_value(agent: Agent) -> None:
    # the search finds register maps (E3/DC, EPEver, Deye) that print no IP rating; a
    # technician asking for the storage's IP rating is offered the devices that state one
    result = collect(agent.run("Welche Schutzart hat der Speicher?"))
    assert result.outcome == "clarify"
    assert "Sungrow SBR096-256" in result.options
    assert not {"E3DC", "EPEver Tracer", "Deye SUN Inverter"} & set(result.options)


def test_a_brand_with_two_devices_in_the_library_asks_which_one(agent: Agent) -> None:
    # Sungrow's SH-RT inverter is IP65, its SBR battery IP55: "the Sungrow" is either
    result = asked_back(
        agent,
        "Sungrow: welche Schutzart hat das Gerät?",
        "Sungrow SBR096-256",
        "Sungrow SH5.0-10RT",
    )
    resumed = collect(agent.resume(result.run_id, "Sungrow SH5.0-10RT"))
    assert resumed.outcome == "answer"
    assert {s.file for s in resumed.sources} == {"Sungrow_SH5.0-10RT_Datenblatt_DE.pdf"}
    assert "IP65" in resumed.answer
    asked_back(
        agent, "JK: wie lautet das Standard-Bluetooth-Passwort?", "JK BMS", "JK Active Balancer"
    )
    # both manuals print the balance current, the balancer's alone also "balancing": a
    # translation the BMS's manual prints in all its words pins neither
    asked_back(agent, "jk – wie hoch ist der max ausgleichsstrom?")
    # named no device at all: the JK BMS and the JK balancer are two options, not one maker
    asked_back(agent, "Wie lautet das Standard-Bluetooth-Passwort?", "JK BMS", "JK Active Balancer")
    # the X1 Mini's short protocol ranks below the G4's long map, yet states a baud rate too
    asked_back(agent, "SolaX: welche Baudrate am RS485?", "SolaX Hybrid X1-X3", "SolaX X1 Mini")
    # Victron: the BMV's HEX map and the VE.Direct text protocol both carry the SOC, in
    # other units; a SmartSolar MPPT speaks the text protocol, a register is the HEX map's
    asked_back(
        agent,
        "victron soc auslesen – in welcher einheit kommt der wert?",
        "Victron VE.Direct HEX-Protokoll",
        "Victron VE.Direct Text-Protokoll",
    )
    answered(agent, "Victron SmartSolar MPPT: welche Baudrate hat VE.Direct?")
    bmv = answered(agent, "Victron BMV: in welchem Register steht der SOC?")
    assert {s.file for s in bmv.sources} == {"Victron_BMV-7xx_HEX_Protocol.pdf"}
    # a BMV speaks both protocols: its product id stands in each
    asked_back(
        agent,
        "victron bmv product id value?",
        "Victron VE.Direct HEX-Protokoll",
        "Victron VE.Direct Text-Protokoll",
    )


def test_a_name_two_products_of_a_brand_share_asks_which_one(agent: Agent) -> None:
    # the JK balancer weighs 360 g, the JK BMS JK-B2A24S-15P/-20P 550 g: "B2A24S" is both
    first = asked_back(agent, "jk b2a24s weight?", "JK Active Balancer", "JK BMS")
    bms = collect(agent.resume(first.run_id, "JK BMS"))
    assert bms.outcome == "answer", bms.answer
    assert {s.file for s in bms.sources} == {"JK_Smart_BMS_Instructions_EN.pdf"}
    assert "550g" in bms.answer
    # the variant or the kind of device says which
    variant = answered(agent, "JK-B2A24S-20P gewicht")
    assert {s.file for s in variant.sources} == {"JK_Smart_BMS_Instructions_EN.pdf"}
    balancer = answered(agent, "JK Aktivbalancer B2A24S gewicht")
    assert "360g" in balancer.answer


def test_a_kind_of_device_named_instead_of_a_maker_offers_the_library_s_devices_of_it(
    agent: Agent,
) -> None:
    # "Ladestrom" stands in battery inverters' maps too; a wallbox is one of the chargers
    wallbox = asked_back(agent, "Wallbox: wie stelle ich den Ladestrom ein?", "SmartEVSE")
    assert not {"Deye SUN Inverter", "GoodWe Hybrid ET-EM", "JK BMS"} & set(wallbox.options)
    charger = asked_back(agent, "ev charger over temperature – at what temp does it stop?")
    assert not {"GoodWe Hybrid ET-EM", "JK BMS", "Victron VE.Direct"} & set(charger.options)
    # the library's one heat pump is meant: its manuals answer, no other maker's pages
    pump = answered(agent, "Wärmepumpe: wo schließe ich das EVU-Signal an?")
    assert {s.file.split("_")[0] for s in pump.sources} == {"NIBE"}
    asked_back(agent, "Laderegler: Ausgleichsladung einstellen?", "EPEver Tracer")
    # every charge controller found is offered, the ones stating a baud rate of that kind only
    asked_back(
        agent,
        "offgrid charge controller / inverter-charger serial baud rate?",
        "EPEver Tracer",
        "SRNE Charge Inverter",
        "Victron VE.Direct",
    )


def test_an_interface_of_one_device_is_asked_for_when_the_question_names_none(
    agent: Agent,
) -> None:
    # go-e documents its charger's HTTP API and its Modbus TCP map apart: both set the LED
    # brightness, by a key or by a register
    first = asked_back(
        agent, "go-e led helligkeit einstellen", "go-e Charger HTTP-API", "go-e Charger Modbus TCP"
    )
    modbus = collect(agent.resume(first.run_id, "go-e Charger Modbus TCP"))
    assert modbus.outcome == "answer", modbus.answer
    assert {s.file for s in modbus.sources} == {"go-e_Charger_Modbus_TCP_API.pdf"}
    assert "Schnittstelle" in (first.clarification or "")
    # the interface's words name it
    api = answered(agent, "go-e http api: led helligkeit einstellen")
    assert "go-e_Charger_Modbus_TCP_API.pdf" not in {s.file for s in api.sources}
    # where to read a count over "the interface": the text protocol's field H4 and the HEX
    # protocol's register 0x0303 — a field of each, no rating the interfaces fail to state
    asked_back(
        agent,
        "Victron: wie viele Ladezyklen hat der Akku schon – wo lese ich das über die "
        "Schnittstelle aus?",
        "Victron VE.Direct HEX-Protokoll",
        "Victron VE.Direct Text-Protokoll",
    )
    # what an error code or a mode means is the device's, whichever interface reports it
    answered(agent, "go-e charger reports err 8 – what does that mean?")
    answered(agent, "Was macht der Norwegen-Modus beim go-eCharger?")
    # the serial port both Victron protocols share; "what is the unit" is each one's own
    answered(agent, "What serial settings do I need to read a Victron VE.Direct port?")
    asked_back(agent, "Victron BMV: what is the unit of the SOC value?")
    # the kind of device, a model or what only one of them has says which is meant
    battery = answered(agent, "Welche Schutzart hat der Sungrow Speicher?")
    assert {s.file for s in battery.sources} == {"Sungrow_SBR096-256_Datenblatt_DE.pdf"}
    assert "IP55" in battery.answer
    # a model, the kind of device or a word only one line's manuals print says which
    for question, file in [
        ("Sungrow SH10RT: welche Schutzart?", "Sungrow_SH5.0-10RT_Datenblatt_DE.pdf"),
        ("Sungrow SH10: welche Schutzart?", "Sungrow_SH5.0-10RT_Datenblatt_DE.pdf"),
        (
            "Sungrow Hybrid-WR: wie schnell schaltet der auf Notstrom um?",
            "Sungrow_SH5.0-10RT_Datenblatt_DE.pdf",
        ),
        ("Sungrow: wie viele MPP-Tracker hat das Gerät?", "Sungrow_SH5.0-10RT_Datenblatt_DE.pdf"),
        (
            "Sungrow: Welche Entladungstiefe ist einstellbar?",
            "Sungrow_SBR096-256_Datenblatt_DE.pdf",
        ),
        ("SolaX: welchen Port nimmt Modbus TCP?", "SolaX_Hybrid_X1-X3_G4_Modbus_TCP-RTU_V3.21.pdf"),
        (
            "SolaX: Welches Register liefert den Batterie-SOC?",
            "SolaX_Hybrid_X1-X3_G4_Modbus_TCP-RTU_V3.21.pdf",
        ),
        ("SolaX X3: welche Baudrate?", "SolaX_Hybrid_X1-X3_G4_Modbus_TCP-RTU_V3.21.pdf"),
        ("JKBMS: wie lautet das Standard-Bluetooth-Passwort?", "JK_Smart_BMS_Instructions_EN.pdf"),
        # a retry time both SolaX protocols state; "AA55", the Mini's frame header, says which
        (
            "SolaX X1 protocol (AA55): how long does the master wait before it retries?",
            "SolaX_X1_Mini_Communication_Protocol_V1.8.pdf",
        ),
    ]:
        result = answered(agent, question)
        assert file in {s.file for s in result.sources}, question
    # a value both datasheets state is asked back even beside a word of one of them; one
    # only the inverter's states says which is meant
    outdoors = collect(agent.run("Sungrow: Welche Schutzart für den Außenbereich?"))
    assert outdoors.outcome == "clarify"
    grid = answered(agent, "Sungrow: Welche Netzfrequenz?")
    assert {s.file for s in grid.sources} == {"Sungrow_SH5.0-10RT_Datenblatt_DE.pdf"}
    # "Batterie" opening a compound names no battery: the inverter's range stays quoted
    voltage = answered(agent, "Sungrow: welcher Batteriespannungsbereich ist zulässig?")
    assert "Sungrow_SH5.0-10RT_Datenblatt_DE.pdf" in {s.file for s in voltage.sources}


def test_a_value_the_data_sheet_gives_per_model_asks_which_model(agent: Agent) -> None:
    # NIBE S1256 p. 4: "Absicherung | A | 16 | 25 | 25" under "S1256 | -8 | -13 | -18"
    result = asked_back(
        agent,
        "Mit wieviel Ampere muss ich die NIBE S1256 absichern?",
        "S1256-8",
        "S1256-13",
        "S1256-18",
    )
    assert "Modell" in result.answer  # the question asked says why: the value is per model
    assert "Anderes Modell" in result.options
    # "Anderes Modell" asks for the type designation, not for a maker and device
    other = collect(agent.run("nibe s1256 vorsicherung?"))
    assert other.outcome == "clarify"
    typed = collect(agent.resume(other.run_id, "Anderes Modell"))
    assert typed.outcome == "clarify" and "Typbezeichnung" in typed.answer
    resumed = collect(agent.resume(result.run_id, "S1256-13"))
    assert resumed.outcome == "answer"
    assert "Absicherung | A | 16 | 25 | 25" in key_lines(resumed.answer)
    # the Growatt MIC's data sheet runs over two pages: the models of both are offered
    mic = asked_back(
        agent, "growatt mic max ausgangsstrom? will den LS auslegen", "MIC 750TL-X", "MIC 3300TL-X"
    )
    resumed = collect(agent.resume(mic.run_id, "MIC 3000TL-X"))
    assert resumed.outcome == "answer"
    assert "Max. Ausgangsstrom | 11.9A | 14.3A | 14.3A" in key_lines(resumed.answer)
    # p. 25's data sheet; beside it p. 12's breaker list ("LS"), whose row is the model's
    assert {s.page for s in resumed.sources} <= {12, 25}
    assert 25 in {s.page for s in resumed.sources}
    # a model named, or a row with one value for all of them, is answered at once
    named = answered(agent, "Sungrow SH10RT: ab welcher PV-Spannung speist er ein?")
    assert "Einschaltspannung | 180 V | 250 V | 250 V | 250 V" in key_lines(named.answer)
    answered(agent, "NIBE S1256-8: wie muss ich die absichern?")
    answered(agent, "Sungrow SBR: welche Schutzart?")
    # a model the page's own columns do not hold, by name or by a value only it prints:
    # its data sheet page is answered (p. 25 holds the 2500–3300TL-X)
    for question in (
        "Growatt MIC 3000 max Ausgangsstrom?",
        "Growatt MIC mit 3000 W: Ausgangsstrom?",
    ):
        answered(agent, question)


def test_an_abbreviation_the_named_manual_never_uses_is_not_answered(agent: Agent) -> None:
    result = collect(agent.run("Unterstützt die SmartEVSE v3 OCPP für die Abrechnung?"))
    assert result.outcome == "not_found"
    assert "OCPP" in result.answer
    # shouting, a protocol's name and an abbreviation the manual spells out in words
    # ("LCD" is its "Display", "RSE" its "ripple control signal receiver") ask for nothing new
    for question in [
        "DRINGEND: Growatt MIC zeigt Error 200, BITTE SCHNELL",
        "SmartEVSE v3: Welche Modbus RTU Adresse hat der Zähler?",
        "Growatt MIC 3300TL-X: Das LCD zeigt nichts an. Was tun?",
    ]:
        assert collect(agent.run(question)).outcome != "not_found", question
    rse = answered(agent, "Fronius Datamanager: Wie schließe ich den RSE an?")
    assert any(s.file.startswith("Fronius") for s in rse.sources)
    # "WLAN": the EZ1's API document names the network only by its "SSID"
    wlan = answered(agent, "APsystems EZ1 lokale API: in welchem WLAN hängt das Gerät?")
    assert "SSID" in wlan.answer


def test_a_value_in_a_unit_the_named_manual_never_prints_is_not_answered(agent: Agent) -> None:
    # the E3/DC register map prints watts and percent, never kWh; Deye's never a speed
    for question in [
        "E3/DC Hauskraftwerk per Modbus: welches Register liefert den Tagesertrag in kWh?",
        "Deye SUN Hybrid per Modbus: welches Register liefert die Lüfterdrehzahl in U/min?",
    ]:
        result = collect(agent.run(question))
        assert result.outcome == "not_found", question
        assert "Werte in" in result.answer
    # a unit it prints answers as before
    soc = answered(
        agent, "E3/DC Simple Mode: in welchem Register steht der Batterie-SOC in Prozent?"
    )
    assert "40083" in key_lines(soc.answer)


def test_a_quantity_the_named_manual_never_prints_is_not_answered(agent: Agent) -> None:
    # Kostal's register map prints temperatures of its boards, no fan and no speed; the
    # AlphaESS map a system time, no operating hours
    for question in [
        "Kostal Plenticore per Modbus TCP: welches Register liefert die Lüfterdrehzahl?",
        "AlphaESS SMILE per Modbus: in welchem Register stehen die Betriebsstunden des WR?",
    ]:
        result = collect(agent.run(question))
        assert result.outcome == "not_found", question
    # a quantity the question mentions but does not ask for counts for nothing
    soc = answered(
        agent,
        "E3/DC S10 steht in der kalten Garage, Temperatur um 0 Grad: welches Register liefert "
        "den Batterie-SOC?",
    )
    assert "40083" in key_lines(soc.answer)
    # a quantity it prints in its own words ("Worktime") answers as before
    work = answered(
        agent, "Kostal Plenticore per Modbus TCP: welches Register liefert die Betriebszeit?"
    )
    assert work.sources[0].file.startswith("Kostal")


def test_an_operating_temperature_needs_a_page_printing_degrees(agent: Agent) -> None:
    # the EK893 mounting guide says where to mount the receiver, never at what temperature
    result = collect(
        agent.run("Netze BW EK893: welche Umgebungstemperatur verträgt der Empfänger im Betrieb?")
    )
    assert result.outcome == "not_found"
    assert "Betriebstemperaturbereich" in result.answer
    # the Home Manager's data page prints it (and its "IP2X" is an IP code)
    found = answered(agent, "Sunny Home Manager 2.0: in welchem Temperaturbereich darf er laufen?")
    assert "-25 °C bis +40 °C" in key_lines(found.answer)


def test_a_question_found_only_by_its_words_still_asks_which_device(agent: Agent) -> None:
    # the fused hits all come from the lexical search and carry no cosine: the dense index
    # itself says the library is close, and several makers' defaults differ
    result = collect(agent.run("Welche Modbus-Slave-Adresse ist bei Auslieferung voreingestellt?"))
    assert result.outcome == "clarify"


def test_a_question_about_something_else_is_not_asked_back(agent: Agent) -> None:
    # e5 puts a manual passage at cosine 0.82 to "Brot", close enough to ask "which
    # device?"; but no manual prints the word, and the question names no device
    for question in ("Wie backe ich ein Brot?", "Wer hat die Fußball-WM 2014 gewonnen?"):
        result = collect(agent.run(question))
        assert result.outcome == "not_found", question
        assert not result.sources
    bread = collect(agent.run("Wie backe ich ein Brot?"))
    assert "erwähnt „Brot“" in bread.answer
    # a device-less question in a technician's everyday words still asks which device,
    # an error code in words no manual uses too ("heißt")
    assert collect(agent.run("Was heißt Fehlercode 8?")).outcome == "clarify"
    # found by a review: symptoms in verbs, a noun inside a compound the manuals print
    # ("Statuslampe"), a register number, the library's nearest passage beyond the hits'
    for question in (
        "Kunde meckert, Anlage bringt zu wenig Ertrag",
        "Es riecht verbrannt",
        "Die Lampe blinkt grün",
        "Das Display ist tot",
        "Was bedeutet Register 30775?",
    ):
        assert collect(agent.run(question)).outcome != "not_found", question
    result = collect(
        agent.run("Welche Schutzart hat das Gerät eigentlich? Kann ich das draußen hinhängen?")
    )
    assert result.outcome == "clarify"


def test_a_question_naming_nothing_of_the_trade_is_not_asked_back(agent: Agent) -> None:
    # e5 puts them close to a manual (cosine 0.84), a share of their words is printed; but
    # two of their topic words no manual prints, and they name no device, kind of device or
    # word of the trade
    for question in (
        "whats the best way to get red wine out of a carpet",
        "what's a good retirement gift for a colleague, budget around 50 euro?",
    ):
        result = collect(agent.run(question))
        assert result.outcome == "not_found", question
        assert not result.sources
    # a word of the trade beside them is the trade's question
    result = collect(agent.run("Kabel vom Wechselrichter durch den Teppich ins Carport legen?"))
    assert result.outcome != "not_found"


def test_an_abbreviation_that_is_also_a_word_is_checked_as_printed(agent: Agent) -> None:
    # "CAN" is also the verb "can" (in every English manual): only "CAN" as printed counts.
    # Pylontech's library document is its RS485 protocol; it never prints "CAN"
    result = collect(agent.run("Pylontech US3000 am CAN Bus: welche ID sendet die Ladegrenzen?"))
    assert result.outcome == "not_found"
    assert "CAN" in result.answer
    # the Sungrow SBR data sheet prints it: "Kommunikationsschnittstelle | CAN"
    sbr = answered(agent, "Sungrow SBR Batterie: spricht die mit dem Wechselrichter über CAN?")
    assert any(s.file.startswith("Sungrow_SBR") for s in sbr.sources)


def test_storage_temperature_sound_and_radio_range_need_such_a_value(agent: Agent) -> None:
    # the data sheet states the operating temperature, not one for storing the device
    for question in [
        "Sungrow SH8.0RT soll ein paar Wochen im Container stehen: welche Lagertemperatur gilt?",
        "Welchen Schallleistungspegel in dB(A) hat die NIBE S1156?",
        "Victron BMV-712: what Bluetooth range can I expect from the battery monitor?",
    ]:
        assert collect(agent.run(question)).outcome == "not_found", question
    # Growatt MIC p. 24: "… zwischen -25°C und +60°C gelagert werden"; p. 25 "≤25 dB(A)"
    stored = answered(agent, "Growatt MIC 3000TL-X: bei welcher Temperatur darf ich ihn lagern?")
    assert "-25°C" in stored.answer
    loud = answered(agent, "Wie laut ist der Growatt MIC 3000TL-X im Betrieb?")
    assert "dB(A)" in loud.answer


def test_the_page_passage_that_answers_is_quoted_beside_the_one_the_search_found(
    agent: Agent,
) -> None:
    # the search finds VE.Direct p. 15 by a passage of its error table without code 21; the
    # page's passage with the row "Current sensor issue … | 21" is quoted beside it
    result = answered(
        agent,
        "Mein Victron MPPT meldet über VE.Direct kurz ERR 21 beim Hochfahren. "
        "Muss ich mir Sorgen machen?",
    )
    assert any(s.page == 15 for s in result.sources)
    assert "Current sensor issue" in key_lines(result.answer)


def test_the_open_part_of_a_question_is_answered_from_the_same_page(agent: Agent) -> None:
    # BMV p. 7 is cut into passages: the search quotes the one with "Charge Efficiency … 90";
    # the row "Peukert Coefficient … 1.25" stands in the next one and is quoted under it,
    # alone with the table header
    result = answered(
        agent,
        "Welchen Peukert-Exponenten und welchen Ladewirkungsgrad hat ein Victron BMV-700 "
        "ab Werk eingestellt?",
    )
    keys = key_lines(result.answer)
    assert "Peukert Coefficient" in keys and "Charge Efficiency" in keys
    peukert = next(s for s in result.sources if "Peukert" in s.passage)
    assert peukert.page == 7 and peukert.passage.count("\n") == 1
    assert peukert.highlight.startswith("0x1005")


@pytest.mark.parametrize(
    ("question", "wrong"),
    [
        # the open part "over"/"meldet" matched rows of other codes on the same page
        ("Victron SmartSolar reports ERR 38 over VE.Direct. What is the cause?", "| 18"),
        ("AlphaESS Batteriefehler-Register meldet Bit 21. Was heißt das?", "Bit 2 |"),
    ],
)
def test_no_row_of_another_code_completes_a_code_question(
    agent: Agent, question: str, wrong: str
) -> None:
    assert wrong not in answered(agent, question).answer


def test_a_part_already_quoted_through_the_sequel_is_not_quoted_again(agent: Agent) -> None:
    # Kostal p. 17: the lead-in "… are used as default values:" is continued by its rows
    result = answered(
        agent,
        "Kostal Plenticore antwortet nicht auf Modbus TCP an Port 502 mit Unit-ID 1. Welche "
        "Werte sind ab Werk eingestellt?",
    )
    assert result.answer.count("Unit-ID1 | 71 (dec)") == 1


def test_a_key_naming_a_topic_at_a_passage_end_is_followed_by_its_values(agent: Agent) -> None:
    # JK BMS p. 25: one passage ends in the appendix title "Default parameters of
    # 'One-click Lithium Iron' …", the table of values is the next passage
    result = answered(
        agent,
        "JK-BMS: Welche Zell-Unterspannungs- und Überladespannung stellt 'One-click lithium "
        "iron' standardmäßig ein?",
    )
    first = result.sources[0]
    assert first.file.startswith("JK_Smart_BMS") and first.page == 25
    assert "Single undervoltage protection | 2.9 | 2.6" in first.passage


@pytest.mark.parametrize(
    ("question", "file", "page"),
    [
        (
            "Growatt-Wechselrichter per Modbus RTU: In welchem Holding-Register aktiviere ich "
            "die Exportbegrenzung über CT, und wo stelle ich die Leistung ein?",
            "Growatt_Inverter_Modbus_RTU_Protocol_II_V1.20.pdf",
            15,
        ),
        (
            "go-eCharger über Modbus für PV-Überschussladen regeln: In welches Register "
            "schreibe ich den Ladestrom, ohne den EEPROM zu verschleißen?",
            "go-e_Charger_Modbus_TCP_API.pdf",
            7,
        ),
    ],
)
def test_a_register_question_quotes_the_page_whose_row_names_it(
    agent: Agent, question: str, file: str, page: int
) -> None:
    # the page's passage shares fewer words with the question than the table's other pages
    # (Modbus, holding, register …); its row names the register: the line counts double
    result = answered(agent, question)
    assert any(s.file == file and s.page == page for s in result.sources)


def test_a_register_row_the_search_ranks_low_is_found_by_reading_the_map(agent: Agent) -> None:
    # the Deye map's passage with "586 | battery temperature" ranks 19th: the passages above
    # share "battery", "register" and "temperature" over many rows
    result = answered(
        agent,
        "Deye SUN three-phase hybrid over Modbus: which register gives the battery temperature?",
    )
    assert result.sources[0].file.startswith("Deye_SUN") and result.sources[0].page == 26
    assert "586 | battery temperature" in key_lines(result.answer)


def test_the_devices_with_only_interface_documents_are_named_in_a_stable_order(
    agent: Agent,
) -> None:
    # the named documents are a set: their labels came in hash order, which differs from one
    # process to the next (the same question read "SolaX X1 Mini, SolaX Hybrid X1-X3" once)
    result = collect(
        agent.run(
            "Welchen AC-Leitungsquerschnitt und welchen LS-Schalter brauche ich für einen SolaX X1?"
        )
    )
    assert result.outcome == "not_found"
    assert result.answer.startswith("Für SolaX Hybrid X1-X3, SolaX X1 Mini liegen nur")
    # "X1 Mini" names the Mini's protocol by one name more than the Hybrid's: only the Mini
    mini = collect(agent.run("Welchen LS-Schalter brauche ich für einen SolaX X1 Mini 3.3?"))
    assert mini.answer.startswith("Für SolaX X1 Mini liegen nur")


def test_the_passages_of_one_page_are_quoted_in_its_reading_order(agent: Agent) -> None:
    # Kostal p. 17: the search ranks the rows' passage first; under the page's one heading the
    # lead-in "… are used as default values:" stands above the rows, as on the page
    result = answered(
        agent,
        "Der Kostal Plenticore antwortet nicht auf Port 502. Welchen Port und welche Unit-ID "
        "brauche ich für Modbus TCP?",
    )
    text = result.answer
    assert text.count("PIKO IQ/PLENTICORE, S. 17**") == 1
    assert text.index("default values:") < text.index("TCP-Port | 1502 (dec)")
    assert text.count("Unit-ID1 | 71 (dec)") == 1


def test_a_hex_register_finds_its_row_where_the_table_prints_no_0x(agent: Agent) -> None:
    # SRNE Charge Inverter Modbus p. 2 prints addresses in hex without "0x": "210" is 0x0210
    result = answered(agent, "SRNE inverter Modbus: what does a value of 4 in register 0x210 mean?")
    assert result.sources[0].highlight.startswith("210 | 1 | Current state of the machine")


def test_an_abbreviation_the_manual_writes_out_is_answered(agent: Agent) -> None:
    # NIBE S1256 Installationshilfe p. 4 says "Leistungszahl ε", never "COP"
    result = answered(agent, "Welchen COP hat die NIBE S1256-8 bei S0/W35?")
    assert "5,05" in result.answer


def test_a_port_is_answered_only_where_a_manual_states_one(agent: Agent) -> None:
    # APsystems EZ1 Local API p. 5: "the Port is 8050"; the Sungrow data sheet names no
    # firewall port
    stated = answered(agent, "Auf welchem Port läuft die lokale API des APsystems EZ1?")
    assert "8050" in key_lines(stated.answer)
    question = "Welche Ports muss die Firewall für den Sungrow SH10RT freigeben?"
    assert collect(agent.run(question)).outcome == "not_found"


def test_each_kind_of_value_asked_needs_a_page_stating_one(agent: Agent) -> None:
    # Huawei DDSU666-H: p. 14 states a voltage, not the operating temperatures; the
    # technical data on p. 20 state both, found by the follow-up search
    result = answered(
        agent,
        "In welchem Versorgungsspannungs- und Temperaturbereich arbeitet der Huawei DDSU666-H "
        "spezifikationsgemäß?",
    )
    assert ("Huawei_DDSU666-H_Smart_Power_Sensor_User_Manual_EN.pdf", 20) in cited(result)


def test_a_volume_capacity_or_frequency_no_manual_states_is_not_answered(agent: Agent) -> None:
    # the NIBE manuals give no tank volume in litres, the SBR data sheet no cell capacity in
    # Ah, the EK893 instructions no carrier frequency
    for question in (
        "NIBE S1256: wie groß ist das Volumen des integrierten Warmwasserspeichers in Litern?",
        "Sungrow SBR: welche Kapazität in Ah hat ein Batteriemodul?",
        "Auf welcher Frequenz empfängt der Netze BW EK893 die Schaltbefehle?",
    ):
        assert collect(agent.run(question)).outcome == "not_found", question


def test_a_bus_address_or_weight_no_manual_states_is_not_answered(agent: Agent) -> None:
    # the SmartEVSE manual gives no preset meter address, the NIBE manuals no weight
    for question in (
        "SmartEVSE v3: which Modbus address is preset for an Eastron EV meter?",
        "How heavy is a NIBE S1256-8 ground source heat pump?",
    ):
        assert collect(agent.run(question)).outcome == "not_found", question


def test_a_password_or_ip_address_no_manual_prints_is_not_answered(agent: Agent) -> None:
    # the VE.Direct/HEX documents print no pairing PIN; the SolaX X1 Mini protocol no
    # address of a WiFi stick; the Growatt MIC manual prints the password "123"
    for question in (
        "Welchen Bluetooth-PIN hat ein Victron BMV-712 Smart ab Werk?",
        "SolaX X1 Mini: unter welcher IP-Adresse erreiche ich den Pocket-WiFi-Stick im"
        " Hotspot-Modus?",
    ):
        assert collect(agent.run(question)).outcome == "not_found", question
    result = answered(
        agent, "Welches Passwort will der Growatt MIC für die erweiterten Einstellungen?"
    )
    assert "123" in key_lines(result.answer)


def test_a_stated_bus_address_is_answered(agent: Agent) -> None:
    # "Die Standardadresse ist 0x55" (AlphaESS p. 6)
    result = answered(agent, "AlphaESS SMILE5 per Modbus RTU: Welche Slave-Adresse hat er ab Werk?")
    assert ("AlphaESS_SMILE-T30_Modbus_RTU_Handbuch_V123_DE.pdf", 6) in cited(result)


def test_a_reading_about_a_part_or_a_register_for_a_value_is_answered(agent: Agent) -> None:
    # a fuse's state read over Modbus is no question of which fuse to fit; a register for
    # the cycle count states no number of cycles, nor need it; "One Year" is a warranty
    for question, page in (
        (
            "Kostal Plenticore über Modbus: das Register 'PSSB fuse state' zeigt 0x00 –"
            " was heißt das?",
            ("Kostal_Modbus-TCP_SunSpec_Interface_with_Control.pdf", 22),
        ),
        (
            "Which Modbus register of the Kostal Plenticore holds the battery cycle count?",
            ("Kostal_Modbus-TCP_SunSpec_Interface_with_Control.pdf", 18),
        ),
        (
            "Wie lange gilt die Garantie auf das JK Smart BMS?",
            ("JK_Smart_BMS_Instructions_EN.pdf", 2),
        ),
    ):
        result = answered(agent, question)
        assert page in cited(result), question


def test_the_first_page_adds_the_key_lines_of_its_other_passage(agent: Agent) -> None:
    # PI30 p. 10: the passage found holds "QPIGS2 … (Only 48V model)" in its heading; the
    # PV2 current and voltage rows stand in the page's next passage
    result = answered(
        agent,
        "Voltronic Axpert MAX with two PV inputs: which command gives me the PV2"
        " current/voltage, and does it work on all models?",
    )
    assert "QPIGS2" in result.answer and "Only 48V model" in result.answer


def test_a_short_table_ranked_first_with_the_best_line_is_no_filler(agent: Agent) -> None:
    # AlphaESS p. 9: "Fehlerbetrieb – Slave Return: / Daten Erklärung Geräteadresse
    # Funktionscode + 0x80 Fehlercode" has the shape of a heading, yet it is the answer;
    # Growatt p. 3: the register ranges per type, more digits than words
    for question, page, line in (
        (
            "AlphaESS Storion SMILE per Modbus RTU: die Antwort hat Funktionscode + 0x80 –"
            " was bedeutet das?",
            ("AlphaESS_SMILE-T30_Modbus_RTU_Handbuch_V123_DE.pdf", 9),
            "Funktionscode + 0x80",
        ),
        (
            "Growatt MIN TL-X über Modbus RTU: welche Registerbereiche lese ich mit Funktion 04?",
            ("Growatt_Inverter_Modbus_RTU_Protocol_II_V1.20.pdf", 3),
            "3000~3124,3125~3249",
        ),
    ):
        result = answered(agent, question)
        assert cited(result)[0] == page, question
        assert line in key_lines(result.answer), question


def test_a_tariff_word_the_named_device_uses_is_answered_from_its_manual(agent: Agent) -> None:
    # go-e API p. 8: "afi | … in der mit "Strompreis - automatisch" die Ladung …": a
    # charging mode, not a question about electricity tariffs
    result = answered(
        agent,
        "go-e Charger API: welcher Parameter legt bei Strompreis automatisch die Uhrzeit"
        " fest, bis zu der geladen sein muss?",
    )
    assert ("go-e_Charger_API_v1_DE.pdf", 8) in cited(result)
    assert "afi" in key_lines(result.answer)


def test_an_abbreviation_the_manual_says_in_other_words_is_answered(agent: Agent) -> None:
    # NIBE's Tarifschaltung never prints "EVU"; it says "Netzbetreiber" (p. 4)
    result = answered(
        agent,
        "NIBE S-Serie mit Luft-Wasser-Außengerät: die Tarifsteuerung vom EVU – wo lege ich"
        " die laut NIBE am besten auf?",
    )
    assert result.sources[0].file == "NIBE_S-Serie_Tarifschaltung_Installationshilfe_DE.pdf"


def test_an_abbreviation_ending_a_field_name_is_printed(agent: Agent) -> None:
    # SolaX names the register "BMS_UserSOH": the SOH is printed, and its row is found
    soh = answered(
        agent,
        "SolaX X1/X3 Hybrid G4 per Modbus: in welchem Input-Register steht der SOH vom "
        "Batterie-BMS?",
    )
    assert "BMS_UserSOH" in key_lines(soh.answer)  # key_lines drops Markdown escapes
    assert any(s.page == 24 for s in soh.sources if s.file.startswith("SolaX_Hybrid"))
    # the row named "Battery SOC" answers "der Batterie-SOC", not one mentioning both words
    epever = answered(
        agent, "EPEver Tracer Laderegler per Modbus: welche Registeradresse hat der Batterie-SOC?"
    )
    assert "311A" in key_lines(epever.answer)


def test_a_code_of_another_list_is_no_error_code(agent: Agent) -> None:
    # VE.Direct lists ERR 2, 17 … 119 and a history field "H14", no ERR 14
    result = collect(agent.run("SmartSolar MPPT meldet über VE.Direct ERR 14 – was heißt das?"))
    assert result.outcome == "not_found"
    assert "Code 14" in result.answer


def test_an_everyday_question_without_capital_nouns_is_not_asked_back(agent: Agent) -> None:
    # English marks no noun with a capital, nor German typed in lower case: every word
    # counts, and "descale", "espresso", "egg", "yolk" are printed in no manual
    for question in (
        "How do I descale my espresso machine?",
        "How many minutes do I boil an egg for a runny yolk?",
        "wass kann man gegen wespen auf der terasse machen??",
    ):
        result = collect(agent.run(question))
        assert result.outcome == "not_found", question
        assert not result.sources
    # a device-less technical question in English still asks which device
    blink = "What does it mean when the status light blinks green three times?"
    assert collect(agent.run(blink)).outcome == "clarify"


def test_two_passages_of_one_page_take_one_place_among_the_pages_quoted(agent: Agent) -> None:
    # page 5 of the JK manual comes in two passages; counted as two of the four places they
    # crowded out the default parameters of page 25, which answer the question
    result = collect(
        agent.run(
            "Ich stelle das JK-BMS per 'Ein-Klick LiFePO4' ein. Bei welcher Zellspannung wird"
            " dann standardmäßig die Entladung gesperrt und ab wann wieder freigegeben?"
        )
    )
    pages = cited(result)
    assert ("JK_Smart_BMS_Instructions_EN.pdf", 25) in pages


def test_an_installation_value_no_manual_of_the_device_states_is_not_in_the_manuals(
    agent: Agent,
) -> None:
    # humidity, strip length, a relay's switching capacity, an RCD type, a mounting clearance:
    # kinds of value a manual prints beside the word for them; these manuals do not,
    # whatever else their pages hold
    for question, what in (
        ("Fronius Datamanager card: what's the max permissible relative humidity?", "Luftfeuchte"),
        (
            "Sunny Home Manager 2.0: wie weit muss ich die Adern für die Schraubklemmen"
            " abisolieren?",
            "Abisolierlänge",
        ),
        (
            "EK893 Rundsteuerempfänger: welche Schaltleistung haben die Relaiskontakte?",
            "Schaltleistung",
        ),
        ("Growatt MIC 3000TL-X: reicht ein FI Typ A oder muss es Typ B sein?", "FI-Typ"),
        (
            "Welche Mindestabstände zu Decke, Boden und Nachbargeräten muss ich beim Sungrow"
            " SH8.0RT an der Wand einhalten?",
            "Mindestabstand",
        ),
    ):
        result = collect(agent.run(question))
        assert result.outcome == "not_found", question
        assert what in result.answer
    # the data sheets that print them still answer
    result = collect(
        agent.run(
            "Sungrow SBR soll in einen eher feuchten Keller, das Haus steht auf gut 1800 m."
            " Welche Luftfeuchte und welche Aufstellhöhe sind zulässig?"
        )
    )
    assert result.outcome == "answer"
    assert ("Sungrow_SBR096-256_Datenblatt_DE.pdf", 2) in cited(result)
    assert "95 %" in result.answer and "4000 m" in result.answer
    rcd = collect(agent.run("Welchen FI-Typ verlangt NIBE für die S1256 Sole/Wasser?"))
    assert ("NIBE_S1256_Installationshilfe_DE.pdf", 4) in cited(rcd)
    humidity = "What storage temperature and humidity does JK specify for a spare JK-B2A24S?"
    # "JK-B2A24S" is a balancer and a BMS family: which one is asked, then answered
    asked = collect(agent.run(humidity))
    assert asked.outcome == "clarify", asked.answer
    assert "80%" in collect(agent.resume(asked.run_id, "JK Active Balancer")).answer


def test_a_whole_device_value_the_search_misses_is_found_by_reading_the_manual(
    agent: Agent,
) -> None:
    # the noise level stands on the data sheet's second page among forty rows the question
    # shares no word with; neither search ranks that page
    result = answered(agent, "how loud is a growatt MIC 1500TL-X, noise emission?")
    assert ("Growatt_MIC750-3300TL-X_Installations-Bedienungsanleitung_DE.pdf", 25) in cited(result)
    assert "25 dB" in key_lines(result.answer)
    # a torque table found so would answer for a part it does not list: not read for a torque
    torque = collect(agent.run("growatt mic 3000tl-x anzugsdrehmoment für die pv stecker?"))
    assert torque.outcome == "not_found"
    # a line read so must name the kind: a figure's "(16g)" is no weight, a heat pump's
    # "auf etwa 0°C" no operating range (found by review)
    for question in (
        "Wie schwer ist der Fronius Datamanager?",
        "Welchen Betriebstemperaturbereich hat der NIBE S1256?",
    ):
        assert collect(agent.run(question)).outcome == "not_found", question


def test_a_stated_size_update_or_data_cost_is_answered(agent: Agent) -> None:
    size = answered(agent, "Welche Abmessungen hat der Sungrow SH10RT?")
    assert "460 x 540 x 170 mm" in size.answer
    answered(agent, "Wie mache ich ein Firmware-Update am Sunny Home Manager 2.0?")
    # "cost" of data volume is no price
    answered(
        agent,
        "Fronius Datamanager on a metered mobile data contract: how much data does each "
        "service message or error cost when it is sent immediately?",
    )
    # a tariff's "price zone" is a setting, no price asked
    zone = "go-eCharger with an aWATTar tariff: which API v1 parameter sets the price zone?"
    assert answered(agent, zone).sources[0].file.startswith("go-e_Charger_API_v1")
    data = answered(agent, "How much does the Fronius Datamanager cost in mobile data per month?")
    assert ("Fronius_Datamanager_Manual_EN.pdf", 16) in cited(data)


def test_a_row_named_by_the_asked_compound_beats_one_sharing_its_kind_word(agent: Agent) -> None:
    # "Einschaltspannung | 180 V | 250 V | …" answers, not "Max. PV-Eingangsspannung | 1000 V"
    # (two voltages that share the word "spannung"): the start-up voltage differs by model
    asked_back(agent, "sungrow sh rt einschaltspannung pv?", "SH5.0RT", "SH10RT")


def test_max_in_a_question_names_no_voltronic(agent: Agent) -> None:
    result = collect(agent.run("wallbox ladestrom einstellbereich min/max?"))
    assert not any(s.file.startswith("Voltronic") for s in result.sources), result.answer


def test_a_port_under_its_column_header_is_quoted_from_the_named_interface(agent: Agent) -> None:
    # go-e Modbus TCP p. 2: "Verbindung | Port" over "WLAN | 502"; "modbus tcp" says which
    # of go-e's interface documents is meant, so the HTTP API's MQTT port is not quoted
    result = answered(agent, "go-e modbus tcp - how do i switch it on and which port?")
    assert "WLAN | 502" in key_lines(result.answer)
    assert {s.file for s in result.sources} == {"go-e_Charger_Modbus_TCP_API.pdf"}
    # the device line first: "SolaX X1 Mini modbus" is the Mini's protocol, though "Modbus"
    # is the type word of the G4's file name
    mini = answered(agent, "solax x1 mini modbus baud rate?")
    assert {s.file for s in mini.sources} == {"SolaX_X1_Mini_Communication_Protocol_V1.8.pdf"}


def test_a_list_giving_each_model_its_row_asks_which_model(agent: Agent) -> None:
    # Growatt MIC p. 12: "Wir empfehlen Ihnen, den Nennstrom des AC-Schalters in dieser Tabelle
    # zu wählen:" over "MIC 750TL-X | 10A/230V" … "MIC 3300TL-X | 16A/230V" (aligned cells)
    for question in (
        "growatt mic welchen nennstrom für den ac leitungsschutzschalter?",
        "Welchen Leitungsschutzschalter (Nennstrom) soll ich vor den Growatt MIC setzen?",
        # the key line "Sie müssen … einen separaten einphasigen Leistungsschalter …
        # installieren" stands right above the list's lead-in
        "growatt mic welchen LS auf der ac seite?",
        # "LS" alone is the breaker: its rating ("16A/230V") answers, not the data sheet's
        # "Max. Ausgangsstrom" of p. 24, which the search ranks first
        "growatt mic – welchen LS für den AC ausgang nehmen?",
        "growatt mic welcher LS auf der AC seite?",
    ):
        result = asked_back(agent, question, "MIC 750TL-X", "MIC 2000TL-X", "MIC 3300TL-X")
    resumed = collect(agent.resume(result.run_id, "MIC 2500TL-X"))
    assert resumed.outcome == "answer"
    assert "MIC 2500TL-X | 16A/230V" in key_lines(resumed.answer)
    assert 12 in {s.page for s in resumed.sources}


def test_a_row_under_the_questions_own_condition_asks_which_model(agent: Agent) -> None:
    # NIBE S1256 p. 4: "Leistungsangaben. DIN | S0 / W35" restates the question's condition;
    # "Heizleistung QWP | kW | 2,85 | 5,12 | 6,80" under "S1256 | -8 | -13 | -18" answers
    asked_back(agent, "nibe s1256 heizleistung bei s0/w35?", "S1256-8", "S1256-13", "S1256-18")
    result = answered(agent, "nibe s1256-13, heizleistung bei s0/w35?")
    assert "5,12" in key_lines(result.answer)


def test_variants_a_wrapped_sentence_names_ask_which(agent: Agent) -> None:
    # Voltronic p. 23: "Set output mode to 00/01/02/03/04 for HV models. Set output mode to
    # 00/01/02/03/04/05/06/07 for" / "LV models. nn: …" (the page wraps the sentence)
    asked_back(
        agent, "voltronic axpert max POPM command – which output mode values can i set?", "HV", "LV"
    )


def test_a_name_several_products_share_asks_which_product(agent: Agent) -> None:
    # VE.Direct p. 14: "Phoenix Inverter 24V 800VA 230V | 0xA262" … "… 120V | 0xA26A"
    question = "victron phoenix inverter 24v 800va, which pid does it report on ve.direct?"
    options = ("Phoenix Inverter 24V 800VA 230V", "Phoenix Inverter 24V 800VA 120V")
    first = asked_back(agent, question, *options)
    resumed = collect(agent.resume(first.run_id, "Phoenix Inverter 24V 800VA 120V"))
    assert "Phoenix Inverter 24V 800VA 120V | 0xA26A" in key_lines(resumed.answer)
    named = answered(agent, "victron phoenix inverter 24v 800va 120v, what pid should i see?")
    assert "0xA26A" in key_lines(named.answer)
    # the SmartSolar MPPT VE.Can 250/100 has a second revision with its own ID
    asked_back(
        agent,
        "Victron VE.Direct: Welche Product-ID hat der SmartSolar MPPT 250/100 mit CAN-Bus?",
        "SmartSolar MPPT VE.Can 250/100",
        "SmartSolar MPPT VE.Can 250/100 rev2",
    )


def test_a_product_named_without_its_maker_is_the_makers(agent: Agent) -> None:
    # "SmartShunt" stands only in Victron's protocols (VE.Direct p. 14: "SmartShunt
    # 1000A/50mV | 0xA38A"); no file name says it, and the question names no maker
    result = answered(agent, "smartshunt 1000a, welche pid meldet der?")
    assert "SmartShunt 1000A/50mV | 0xA38A" in key_lines(result.answer)
    assert {s.file for s in result.sources} == {"Victron_VE.Direct_Protocol_3.33.pdf"}


def test_a_product_line_outweighs_a_name_read_in_another_word(agent: Agent) -> None:
    # "seriennummer" routed to NIBE's "S-Serie"; the SmartShunt is Victron's (VE.Direct p. 8:
    # "SER# | Serial number")
    result = answered(agent, "smartshunt seriennummer auslesen über die schnittstelle")
    assert {s.file for s in result.sources} == {"Victron_VE.Direct_Protocol_3.33.pdf"}
    assert "Serial number" in result.answer


def test_a_product_lines_maker_is_searched_when_no_hit_is_its(agent: Agent) -> None:
    # the search found relays of the Home Manager and the Netze BW receiver; the SmartShunt
    # is Victron's, whose VE.Direct p. 7 lists the "Relay | Relay state" field
    result = answered(agent, "smartshunt: relais fernschalten geht das?")
    assert {s.file for s in result.sources} == {"Victron_VE.Direct_Protocol_3.33.pdf"}


def test_a_flow_named_in_another_sense_still_answers(agent: Agent) -> None:
    # NIBE p. 14 lists "Ungleichmäßiger Volumenstrom in den Heizkörpern" as a cause: no
    # flow rate is asked
    question = "NIBE S1156: ungleichmäßiger Volumenstrom in den Heizkörpern – was soll ich machen?"
    result = answered(agent, question)
    assert any(s.page == 14 for s in result.sources)


def test_how_tall_a_stack_is_asks_which_size(agent: Agent) -> None:
    # Sungrow SBR p. 2: "Abmessungen (B*H*T) | 625 x 545 x 330 mm | … | 625 x 1195 x 330 mm"
    asked_back(
        agent,
        "sungrow sbr batterieturm, wie hoch ist der? muss unter ne dachschräge",
        "SBR096",
        "SBR256",
    )


def test_a_value_a_manual_line_gives_per_model_asks_which_model(agent: Agent) -> None:
    # JK balancer p. 4/15: "1A(JK-B1A24S) or 2A(JK-B2A24S)"
    asked_back(agent, "jk active balancer max balance current?", "JK-B1A24S", "JK-B2A24S")
    result = answered(agent, "jk b2a24s balancer max balance current?")
    assert "2A" in key_lines(result.answer)


def test_a_row_each_model_prints_in_its_own_table_asks_which_model(agent: Agent) -> None:
    # SolaX G4: "Table 2-3 Inverter error code(X3)" and "Table 2-4 … (X1)" give BIT15 each
    # its own fault; "G4" names both
    first = asked_back(agent, "solax g4 inverter error code BIT15 meaning?", "X1", "X3")
    x3 = collect(agent.resume(first.run_id, "X3"))
    assert x3.outcome == "answer", x3.answer
    assert "Off-grid Overload" in key_lines(x3.answer)
    # the model named in the question says which table
    named = answered(agent, "solax x1 g4 inverter error code BIT15 meaning?")
    assert "Missed CT Fault" in key_lines(named.answer)
    # both tables say "TZ Protect Fault" for BIT0 (one of them beside its byte): no question;
    # "BMS Lost" stands at BIT18 in one, BIT23 in the other: a question
    answered(agent, "solax g4 inverter error code BIT0 meaning?")
    asked_back(agent, "solax g4 modbus fehlercode, welches bit ist BMS Lost?", "X1", "X3")


def test_variants_a_key_line_gives_their_own_values_are_asked_for(agent: Agent) -> None:
    # Voltronic p. 22: "… 220V/230V/240V for HV models." / "… 127V/120V/110V for LV models."
    first = asked_back(
        agent, "Voltronic MAX inverter: which output voltages can I set with the V command?", "HV"
    )
    assert "LV" in first.options
    hv = collect(agent.resume(first.run_id, "HV"))
    assert hv.outcome == "answer", hv.answer
    # the chosen variant's line is the key line; the other's is none
    assert "220V/230V/240V" in key_lines(hv.answer)
    assert "127V/120V/110V" not in key_lines(hv.answer)
    again = asked_back(
        agent, "Voltronic MAX inverter: which output voltages can I set with the V command?", "LV"
    )
    lv = collect(agent.resume(again.run_id, "LV"))
    assert "127V/120V/110V" in key_lines(lv.answer)
    assert "220V/230V/240V" not in key_lines(lv.answer)
    # SRNE E001 "… 1st generation machine 50A, 2nd generation machine 70A."
    asked_back(agent, "SRNE hybrid default PV charge current limit?", "1st generation")
    # a register's address is no error code: "E001" is the map's row, not "not in the manuals";
    # nor are the variants asked for when the register is (its address is every variant's)
    for question in ("srne E001 register pv charge current?", "srne modbus e001?"):
        assert answered(agent, question).sources[0].file == "SRNE_Charge_Inverter_Modbus_v1.3.pdf"
    # "2nd gen" says the second generation
    answered(agent, "SRNE 2nd gen: default PV charge current limit?")
    # a code the question calls no error is the map row's address; called an error, the
    # manuals print no such error
    asked_back(
        agent,
        "srne hybrid wr: PV ladestrom limit (E001) – bis wie viel A kann ich das stellen?",
        "2nd generation",
    )
    assert collect(agent.run("srne fehler E001?")).outcome == "not_found"
    # "per Modbus" asks no register: the firmware differs by generation
    asked_back(
        agent,
        "kostal plenticore ab welcher firmware geht modbus sunspec mit control?",
        "PLENTICORE G2",
    )


def test_the_line_a_model_names_brings_its_manual_when_routing_found_another(
    agent: Agent,
) -> None:
    # "B2A24S20P" starts with the balancer's file name "B2A24S", yet is a JK BMS model
    result = answered(agent, "JK-B2A24S20P dauer entladestrom und max?")
    assert {s.file for s in result.sources} == {"JK_Smart_BMS_Instructions_EN.pdf"}
    balancer = answered(agent, "jk b2a24s balancer max balance current?")
    assert {s.file for s in balancer.sources} == {
        "JK_Active_Balancer_B1A24S_B2A24S_Manual_V4.1.pdf"
    }


def test_a_register_asked_brings_the_protocol_when_a_manual_is_named_by_its_model(
    agent: Agent,
) -> None:
    # "TL-X" is in the MIC manual's file name; the register is in Growatt's Modbus protocol
    result = answered(
        agent, "growatt MIN tl-x / tl-xh: input register für den pv-isolationswiderstand (iso)?"
    )
    assert "3087 | ISO | PV ISO value" in key_lines(result.answer)
    assert result.sources[0].file == "Growatt_Inverter_Modbus_RTU_Protocol_II_V1.20.pdf"


def test_a_register_row_not_every_device_type_reads_asks_which_type(agent: Agent) -> None:
    # Growatt's protocol p. 3: "TL-X(MIN Type):03 register range:0~124,3000~3124;04 register
    # range:3000~3124,3125~3249", and other ranges for TL3-X and the storage types: the first
    # group's "35. | Pac H" is no TL-X's register, "3023 | Pac H" is
    question = "growatt modbus register for today's energy exported to grid?"
    first = asked_back(agent, question, "TL-X (MIN)", "Storage (MIX, SPH)", "Storage (SPA)")
    assert "Registerbereiche" in first.answer
    tlx = collect(agent.resume(first.run_id, "TL-X (MIN)"))
    assert tlx.outcome == "answer", tlx.answer
    assert "3071 | Etogrid_today H" in key_lines(tlx.answer).replace("\\_", "_")
    assert "1048." not in key_lines(tlx.answer)
    again = asked_back(agent, question, "Storage (MIX, SPH)")
    storage = collect(agent.resume(again.run_id, "Storage (MIX, SPH)"))
    assert "1048. | Etogrid_today H" in key_lines(storage.answer).replace("\\_", "_")
    # a type named: its rows answer ("MIC" is a MIC750-3300TL-X: the TL-X type)
    answered(agent, "Growatt TL-X modbus register for today's energy exported to grid?")
    mic = answered(agent, "growatt mic modbus register today energy to grid?")
    assert all(s.page >= 48 for s in mic.sources if s.file.startswith("Growatt_Inverter")), cited(
        mic
    )
    # a holding register every type reads (0~124) asks nothing
    answered(agent, "growatt modbus register com adresse?")
    # "max" is a word, not the MAX type: every type is offered
    asked_back(agent, "growatt max charge current holding register?", "TL3-X (MAX, MID, MAC)")


def test_the_register_ranges_asked_for_ask_which_type(agent: Agent) -> None:
    first = asked_back(
        agent, "growatt modbus - welche registerbereiche kann ich überhaupt abfragen?", "TL-X (MIN)"
    )
    spa = collect(agent.resume(first.run_id, "Storage (SPA)"))
    assert spa.outcome == "answer", spa.answer
    assert "Storage(SPA Type)" in key_lines(spa.answer)
    assert spa.sources[0].page == 3


def test_a_page_giving_each_model_its_own_paragraph_asks_which_model(agent: Agent) -> None:
    # NIBE p. 12: "S1156" / "… am Eingangsrohr (Kaltwasser) des Brauchwasserspeichers." beside
    # "S1256" / "… am Eingangsrohr (Kaltwasser) des S1256."
    first = asked_back(agent, "nibe wo sitzt das sicherheitsventil?", "S1156", "S1256")
    s1156 = collect(agent.resume(first.run_id, "S1156"))
    assert s1156.outcome == "answer", s1156.answer
    assert "des Brauchwasserspeichers" in key_lines(s1156.answer)
    assert "des S1256" not in key_lines(s1156.answer)
    named = answered(agent, "nibe s1256 wo sitzt das sicherheitsventil?")
    assert "des S1256" in key_lines(named.answer)


def test_headings_that_are_model_names_ask_which_model(agent: Agent) -> None:
    # AlphaESS pp. 4-5: "1.1 SMILE5" … "1.4 Storion T30", each over its own "BT | 9600" or
    # "BT | 19200" ("BT": the baud rate)
    first = asked_back(
        agent, "alpha ess modbus rtu baudrate?", "SMILE5", "SMILE-B3", "SMILE-T10", "Storion T30"
    )
    assert first.options[:4] == ("SMILE5", "SMILE-B3", "SMILE-T10", "Storion T30")
    t30 = collect(agent.resume(first.run_id, "Storion T30"))
    assert t30.outcome == "answer", t30.answer
    assert "BT | 19200" in key_lines(t30.answer)
    assert "9600" not in t30.answer  # the SMILE-T10's row on the same page
    b3 = collect(
        agent.resume(asked_back(agent, "alpha ess modbus rtu, welche baudrate?").run_id, "SMILE-B3")
    )
    assert "CAN/RS485" in key_lines(b3.answer)
    assert "LAN2" not in b3.answer  # the SMILE5's table on the same page
    # the model named in the question, also typed with a space
    for said in ("alpha smile5 baudrate?", "alpha smile 5 baudrate?"):
        smile5 = answered(agent, said)
        assert "BT | 9600" in key_lines(smile5.answer)
    # a second part of the question does not bring another model's row of the page back
    t30 = answered(agent, "AlphaESS: welche Modbus-Variante hat der T30 und welche Baudrate?")
    assert "19200" in t30.answer and "9600" not in t30.answer
    # all models asked for: no question which
    answered(agent, "alpha ess baudrate für alle Modelle?")
    # two devices, each by its name: both answered
    both = answered(agent, "SH10RT/SBR128: Schutzart?")
    assert "IP65" in both.answer and "IP55" in both.answer


def test_a_data_sheet_row_quoted_after_an_error_table_asks_which_model(agent: Agent) -> None:
    # Growatt MIC: the error table's "PV Voltage High Error | … weniger als 550V" (p. 22)
    # comes first; the data sheets give "Max. DC-Spannung" 500V for the 750-2000TL-X (p. 24)
    # and 550V for the 2500-3300TL-X (p. 25)
    first = asked_back(
        agent, "growatt mic max dc eingangsspannung für stringauslegung?", "MIC 3000TL-X"
    )
    mic = collect(agent.resume(first.run_id, "MIC 3000TL-X"))
    assert "Max. DC-Spannung | 550V" in mic.answer
    assert "MAX DC-Spannung | 500V" not in mic.answer  # the 750-2000TL-X's row
    answered(agent, "growatt mic 1000tl-x max dc eingangsspannung?")


def test_a_bit_written_into_its_word_is_the_bit_asked(agent: Agent) -> None:
    # SolaX G4: BIT18 is "BMS Lost" on the X3, "PV ConnDir Fault" on the X1
    first = asked_back(agent, "Solax G4 fehlerbit 18 gesetzt was bedeutet das", "X1", "X3")
    x3 = collect(agent.resume(first.run_id, "X3"))
    assert "BMS Lost" in x3.answer and "PV ConnDir" not in x3.answer
    # the X1's rows start with the bit asked: it is the bold line, not a later bit's
    again = asked_back(agent, "Solax G4 fehlerbit 18 gesetzt was bedeutet das", "X1")
    x1 = collect(agent.resume(again.run_id, "X1"))
    assert "**BIT18 | PV ConnDir Fault**" in x1.answer and "**BIT20" not in x1.answer


def test_the_row_counting_the_thing_asked_is_the_key(agent: Agent) -> None:
    # Sungrow SH-RT p. 2: "Anzahl der MPPTs | 2", not the footnote's "maximal 2 Wechselrichter"
    sungrow = answered(agent, "Sungrow: wie viele MPP-Tracker hat das Gerät?")
    assert "**Anzahl der MPPTs | 2**" in sungrow.answer
    assert "**\\*: In Deutschland" not in sungrow.answer


def test_mppt_alone_is_the_kind_of_charge_controller_not_victrons(agent: Agent) -> None:
    # "MPPT-Laderegler" is a kind of device (EPEver, SRNE and Victron make one); "MPPT
    # 150/35" or "SmartSolar MPPT" is Victron's
    asked_back(
        agent,
        "mppt laderegler: ausgleichsladung dauer per modbus einstellen, welches register",
        "EPEver Tracer",
        "SRNE Charge Inverter",
    )
    pid = answered(agent, "mppt 150/35 pid?")
    assert pid.sources[0].file == "Victron_VE.Direct_Protocol_3.33.pdf"


def test_a_model_name_typed_apart_is_read_as_one(agent: Agent) -> None:
    spelled = agent.policy.spelled
    assert spelled("alpha smile 5 baudrate?") == "alpha smile5 baudrate?"
    assert spelled("EK 893 Antenne ausrichten") == "EK893 Antenne ausrichten"
    # no model of the library, or a cable's cross-section: left as typed
    for typed in ("Seite 12 lesen", "Fehler 5 am Display", "3 x 1,5 mm² Kabel", "x 1"):
        assert spelled(typed) == typed
    # "x 1,5" is a cable's cross-section, not the SolaX X1
    asked_back(
        agent, "Solax G4 Fehler BIT15, Zuleitung 3 x 1,5 mm² – was bedeutet der Fehler?", "X1", "X3"
    )


def test_closing_words_naming_the_device_do_not_hide_its_connection_rows(agent: Agent) -> None:
    # AlphaESS p. 70 "Vielen Dank für das Lesen des Alpha ESS Handbuchs Modbus …" shares the
    # question's words; pp. 4-5 give each model its "Anschluss" row
    first = asked_back(agent, "alpha ess wo klemm ich den modbus an?", "SMILE5", "Storion T30")
    t30 = collect(agent.resume(first.run_id, "Storion T30"))
    assert t30.outcome == "answer", t30.answer
    assert [s.page for s in t30.sources] == [5]  # the T30's table, not pp. 2 or 70
    # asked for the maker's address, its contact page answers
    address = answered(agent, "E3DC Adresse Osnabrück?")
    assert "Karlstraße 5 49074 Osnabrück" in key_lines(address.answer)


def test_the_model_said_in_reply_drops_the_other_models_table(agent: Agent) -> None:
    first = asked_back(agent, "solax g4 inverter error code BIT15 meaning?", "X1", "X3")
    x1 = collect(agent.resume(first.run_id, "X1"))
    assert "Missed CT Fault" in key_lines(x1.answer)
    assert "Off-grid Overload" not in x1.answer


def test_interfaces_are_told_apart_by_identifiers_not_by_their_words(agent: Agent) -> None:
    # go-e's German HTTP API prints "Ladestrom", its Modbus map "AMPERE_VOLATILE": a word
    # says no interface; "which register/field?" names both
    asked_back(agent, "go-e ladestrom setzen?", "go-e Charger HTTP-API", "go-e Charger Modbus TCP")
    asked_back(
        agent,
        "victron bmv read state of charge, which register/field?",
        "Victron VE.Direct HEX-Protokoll",
        "Victron VE.Direct Text-Protokoll",
    )
    # one called by name: "cloud" is what is switched, not the HTTP API
    result = answered(
        agent,
        "go-eCharger over Modbus TCP: can I switch off its cloud connection, and which "
        "register does that?",
    )
    assert result.sources[0].file == "go-e_Charger_Modbus_TCP_API.pdf"


def test_a_type_asked_for_is_answered_from_the_protocol_and_a_row_asked_by_address_asks_none(
    agent: Agent,
) -> None:
    # the reply "TL-X (MIN)" names the MIC750-3300TL-X's manual too: a register is the map's
    first = asked_back(agent, "growatt input register for AC output power?", "TL-X (MIN)")
    tlx = collect(agent.resume(first.run_id, "TL-X (MIN)"))
    assert {s.file for s in tlx.sources} == {"Growatt_Inverter_Modbus_RTU_Protocol_II_V1.20.pdf"}
    assert all(s.page >= 48 for s in tlx.sources), [s.page for s in tlx.sources]
    # the address asked for says the row; a question about no register asks no type
    answered(agent, "Growatt Register 3071?")
    answered(agent, "Growatt MOD 10KTL3-X register for today's energy exported to grid?")
    answered(
        agent,
        "Growatt Wechselrichter über Modbus RTU: wie viele Geräte kann ich maximal an einen "
        "RS485-Port hängen?",
    )


def test_a_code_the_display_shows_is_no_register_address(agent: Agent) -> None:
    for question in ("SRNE display shows E001, what now?", "SRNE code E001 on the screen?"):
        assert collect(agent.run(question)).outcome == "not_found", question


def test_an_interface_called_closest_by_name_or_a_word_only_its_documents_print_is_meant(
    agent: Agent,
) -> None:
    # "Modbus TCP API" is the Modbus map's file name, "API" alone the HTTP API's
    result = answered(agent, "go-e Modbus TCP API: which register shows the cloud connection?")
    assert result.sources[0].file == "go-e_Charger_Modbus_TCP_API.pdf"
    # "Timestamp": the text protocol prints "time" and "date stamp" pages apart
    stamp = answered(agent, "Victron BMV timestamp?")
    assert stamp.sources[0].file == "Victron_BMV-7xx_HEX_Protocol.pdf"


def test_a_sentence_giving_the_series_maximum_does_not_answer_for_one_model(agent: Agent) -> None:
    # JK BMS p. 4: "… can achieve a maximum continuous current of 2A" above "Balance current |
    # 0.6 A | 1 A | 2 A | 2 A": how many amps depends on the model
    asked_back(agent, "jk bms active balance current, how many amps?", "B1A24S15P")


def test_closing_words_and_a_legal_notice_are_no_answer(agent: Agent) -> None:
    # AlphaESS p. 70 "Vielen Dank für das Lesen …" and p. 2's copyright were all it found
    result = collect(agent.run("alpha ess wo klemm ich den modbus an?"))
    assert result.outcome != "answer" or not any(s.page in (2, 70) for s in result.sources)


def test_a_counter_for_a_period_the_map_does_not_keep_is_not_in_the_manuals(agent: Agent) -> None:
    # AlphaESS counts the feed-in only in total, Deye per day and in total, the X1 Mini today
    # and in total: a day's, a month's feed-in or a month's yield is no register of theirs
    for question in (
        "alpha ess smile5: gibts ein register für die heutige netzeinspeisung (tageswert kwh)?",
        "deye sun hybrid: register für die netzeinspeisung des aktuellen monats?",
        "solax x1 mini: wie frage ich den ertrag des aktuellen monats ab?",
        "alphaess smile modbus: welches register zeigt die frequenz am backup-ausgang an?",
    ):
        result = collect(agent.run(question))
        assert result.outcome == "not_found", (question, result.answer)
    # ... while the counters the maps keep are answered
    solax = answered(agent, "solax g4 hybrid: input register für die heutige einspeisung?")
    assert "0x0098" in solax.answer
    epever = answered(agent, "epever tracer: which registers give the generated energy this month?")
    assert "330E" in epever.answer.upper()
    alpha = answered(agent, "alpha ess smile: register für die gesamte netzeinspeisung?")
    assert "0010" in alpha.answer


def test_a_period_setting_the_scene_leaves_the_register_asked(agent: Agent) -> None:
    # the day is the symptom's ("heute keine Einspeisung"), the register asked another
    kostal = answered(
        agent,
        "kostal plenticore: heute keine einspeisung – über welches register lese ich den "
        "inverter state aus?",
    )
    assert "Inverter state" in kostal.answer
    # "how fast does it switch over" asks the switch-over time ("Umschaltzeit … < 20 ms")
    sungrow = answered(agent, "SH10RT how fast does it switch over to backup?")
    assert "**Umschaltzeit auf Notbetrieb | < 20 ms**" in sungrow.answer


def test_the_passage_answering_best_is_quoted_however_low_it_is_found(agent: Agent) -> None:
    # Growatt MIC: the error table's "Residual I High Error" (p. 22) ranks first in the
    # search; the rated residual current stands on p. 12, in the line answering best
    result = answered(agent, "growatt mic: FI vorschalten, welcher bemessungsfehlerstrom?")
    assert result.sources[0].page == 12  # it answers best: quoted first
    assert (
        "**Wechselstromschutzschalter mit einem Nennfehlerstrom von mehr als 300 mA wählen.**"
        in (result.answer)
    )


def test_a_table_under_its_caption_is_quoted_with_the_caption(agent: Agent) -> None:
    # DDSU666-H p. 21: the passage found ends in "Table 4-4 … the sensor starts and
    # continuously metering"; the values stand in the page's next passage
    result = answered(agent, "DDSU666-H: ab welchem Strom fängt der Zähler an, Energie zu zählen?")
    assert "Direct connect | 0.004 Ib" in result.answer
    assert "Via transformer | 0.002 Ib" in result.answer


def test_a_model_number_giving_each_its_own_soc_asks_which_model(agent: Agent) -> None:
    # Pylontech p. 21: "Bit 5: for US2000B, it is SOC 15~19%," / "for US2000B-Plus/US3000B,
    # it is SOC 5~9%"
    asked_back(agent, "pylontech: die zwangslade anforderung kommt bei welchem soc?")
    result = answered(agent, "pylontech us2000b: die zwangslade anforderung kommt bei welchem soc?")
    assert "SOC 15~19%" in key_lines(result.answer)
    # "US2000B" alone names the Pylontech (catalog), and its line is the key, not the
    # better-scoring "Bit 4: for US2000B-Plus/US3000B, it is SOC 9~13%"
    alone = answered(agent, "US2000B: ab welchem SOC fordert der Akku sofortiges Laden an?")
    assert "Bit 5: for US2000B, it is SOC 15~19%" in key_lines(alone.answer)
    assert "SOC 9~13%" not in key_lines(alone.answer)
    plus = answered(agent, "US2000B-Plus: ab welchem SOC fordert der Akku sofortiges Laden an?")
    assert "SOC 15~19%" not in key_lines(plus.answer)


def test_a_wizard_opened_again_is_found_by_its_german_words(agent: Agent) -> None:
    # "Inbetriebnahme-Assistent nochmal starten": Fronius p. 56 "The Commissioning Wizard can
    # be opened again and run under "Open Wizards.""
    result = answered(agent, "Fronius Datamanager: Inbetriebnahme-Assistent nochmal starten, wo?")
    assert ("Fronius_Datamanager_Manual_EN.pdf", 56) in cited(result)
    assert "Open Wizards" in key_lines(result.answer)


def test_a_register_of_a_device_named_by_its_manual_is_searched_in_the_makers_protocol(
    agent: Agent,
) -> None:
    # "MIC 750TL-X" names the installation manual, which holds no register map; Growatt's
    # Modbus protocol, routed beside it, does
    result = answered(agent, "growatt mic 750tl-x: in welchem register steht die seriennummer?")
    assert any(s.file.startswith("Growatt_Inverter_Modbus") for s in result.sources)
    assert "Serial NO" in key_lines(result.answer)


def test_a_default_in_a_row_saying_its_unit_in_words_is_a_value_of_that_unit(
    agent: Agent,
) -> None:
    # PI30 MAX p. 15: "C | CC.C | AC output frequency | … The units is Hz. | Default 50.0 for
    # HV models 60.0 for LV models" states the frequency: asked back, then answered
    asked_back(agent, "axpert max: QDI default ausgangsfrequenz?", "HV", "LV")
    result = answered(agent, "axpert max hv modell: QDI default ausgangsfrequenz?")
    assert "Default 50.0 for HV models" in key_lines(result.answer)


def test_the_url_of_an_api_call_is_the_key_line(agent: Agent) -> None:
    # APsystems EZ1 p. 8: the heading "3.4 Set Max Power of EZ1 Inverter Device" names the
    # call; the line under it is the call
    result = answered(
        agent, "apsystems ez1 max leistung über die lokale api setzen – wie sieht der aufruf aus?"
    )
    assert "http://{ip}:8050/setMaxPower?p=600" in key_lines(result.answer)


def test_a_fault_row_naming_the_symptom_is_quoted_first(agent: Agent) -> None:
    # DDSU666-H p. 18: "Abnormal RS485 communication | 1. The RS485 communication cable is
    # disconnected, short circuit or reversely connected. …"
    result = answered(
        agent, "huawei ddsu666 no rs485 communication with the inverter, what should i check"
    )
    assert cited(result)[0] == (
        "Huawei_DDSU666-H_Smart_Power_Sensor_User_Manual_EN.pdf",
        18,
    )
    assert "reversely connected" in key_lines(result.answer)


def test_a_modbus_exception_reply_finds_the_protocols_error_response(agent: Agent) -> None:
    # Growatt p. 7: "Response Error: 11 0x80|0x10 ErrornumCRC" is the reply to FC16 ("0x90")
    result = answered(
        agent, "growatt rs485 i send FC16 and get back 0x90 – what kind of reply is that"
    )
    assert ("Growatt_Inverter_Modbus_RTU_Protocol_II_V1.20.pdf", 7) in cited(result)
    assert "0x80|0x10" in key_lines(result.answer)


def test_the_named_manuals_line_answering_best_joins_the_hits(agent: Agent) -> None:
    # Growatt MIC p. 22: the error table's "No AC connection Error: 302 | Keine AC-Verbindung |
    # 1.Überprüfen Sie die AC-Verkabelung …" ranks below the fused search's first pages;
    # reading the named manual's passages nearest the question finds it
    result = answered(
        agent,
        "growatt mic 3000tl-x: seit gestern keine einspeisung, display zeigt 'no ac connection'"
        " – was soll ich prüfen?",
    )
    assert cited(result)[0] == (
        "Growatt_MIC750-3300TL-X_Installations-Bedienungsanleitung_DE.pdf",
        22,
    )
    assert "No AC connection Error: 302" in key_lines(result.answer)
    # go-e's status key: "err | uint8_t | error: … 8: NO_GROUND (Erdungserkennung)"
    go_e = answered(agent, "go-e charger: status json meldet err=8, was ist das?")
    assert "8: NO_GROUND" in key_lines(go_e.answer)


def test_a_named_manuals_line_stating_only_the_asked_unit_does_not_join(agent: Agent) -> None:
    # NIBE p. 6's "… von etwa –3 auf etwa 0°C" states a temperature but shares no word of the
    # question; p. 2's "Hier können Sie die Temperatur für die Zonen der Anlage einstellen"
    # answers it (the reviewer's r34-055)
    result = answered(agent, "NIBE S1256: wo stelle ich die Innentemperatur ein?")
    assert result.sources[0].page == 2
    assert 6 not in {s.page for s in result.sources}


def test_a_column_of_defaults_per_chemistry_asks_which_chemistry(agent: Agent) -> None:
    # JK p. 25: "No. | Parameter | Ternary default | Lithium iron default | Lithium titanate
    # default | Unit" — the undervoltage default is 2.9, 2.6 or 1.8 V by cell chemistry
    asked_back(
        agent,
        "jk bms werkseinstellung unterspannung pro zelle?",
        "Ternary",
        "Lithium iron",
        "Lithium titanate",
    )
    result = answered(agent, "jk bms lifepo4 one click, unterspannung zelle default")
    assert "1 | Single undervoltage protection | 2.9 | 2.6 | 1.8 | V" in key_lines(result.answer)
    # p. 20's description is found first; the presets on p. 25 are read for a preset asked
    asked_back(agent, "jk bms what is the factory preset cell undervoltage?", "Ternary")


def test_a_line_giving_each_battery_voltage_model_its_bits_asks_which(agent: Agent) -> None:
    # Voltronic p. 15: "24V model: a31, a32 is fault code 48V model: a32, a33 is fault code"
    asked_back(agent, "pi30 qpiws, which bits hold the fault code", "24V", "48V")
    answered(agent, "pi30 qpiws 48v model, which bits hold the fault code")


def test_a_frequent_form_of_a_word_leaves_its_part_of_the_question_open(agent: Agent) -> None:
    # "Spannungsbereich": the key row "Regulated working temperature range" says its "range",
    # a form of many rows; the voltage range row answers that part and is a key line too
    result = answered(
        agent, "huawei ddsu666-h smart meter, in welchem spannungsbereich arbeitet der?"
    )
    assert "Regulated working voltage range | 176–288 VAC" in key_lines(result.answer)


def test_a_tables_header_is_not_the_key_line_for_its_range_alone(agent: Agent) -> None:
    # Deye p. 32's header "Addr | 2000-2999 for lithium battery register | …" names the
    # range of its battery-ID table; it answers no question about the battery's charge
    result = collect(
        agent.run(
            "Deye SUN three-phase hybrid over Modbus RTU – which register do I poll to get "
            "the battery state of charge in percent?"
        )
    )
    assert "2000-2999 for lithium battery register" not in key_lines(result.answer)


def test_a_colloquial_symptom_finds_the_troubleshooting_heading_saying_it(agent: Agent) -> None:
    # NIBE S1156/S1256 Benutzerhandbuch p. 14: "Verdichter startet nicht", then the causes
    # ("… mindestens 30 min …"); "springt nicht an" is how a technician says it
    result = answered(
        agent,
        "NIBE S1256: Verdichter springt nicht an, obwohl Heizbedarf da ist, und es gibt keinen "
        "Alarm im Display. Woran kann das liegen?",
    )
    assert ("NIBE_S1156-S1256_Benutzerhandbuch_DE.pdf", 14) in cited(result)
    assert "Verdichter startet nicht" in key_lines(result.answer)


def test_the_notes_a_key_row_points_to_are_quoted_with_it(agent: Agent) -> None:
    # BMV p. 6: "0xED8C | Current (2, 3)" in one passage, its notes under the table in another
    result = answered(agent, "BMV hex: can I read current in mA via register 0xED8C on my monitor?")
    assert "0xED8C | Current (2, 3)" in result.answer
    assert "available for BMV-712 since version v4.01" in result.answer
    assert {s.page for s in result.sources} == {6}


def test_a_value_listed_line_by_line_per_inverter_asks_which_inverter(agent: Agent) -> None:
    # Fronius Datamanager p. 12: "Fronius IG 15 - 60 V2.9.4 or higher", "Fronius IG 300 - 500
    # V3.6.4.0 or higher", … under "The following inverter software versions must be used …"
    asked_back(
        agent,
        "Which inverter firmware do I need so the Fronius Datamanager shows the daily energy"
        " correctly?",
        "Fronius IG 15 - 60",
        "Fronius IG Plus 35 - 150",
    )
    result = answered(
        agent, "Fronius IG Plus 100 getting a datamanager card – minimum inverter software?"
    )
    assert ("Fronius_Datamanager_Manual_EN.pdf", 12) in cited(result)
    assert "V4.22.00" in result.answer


def test_the_line_after_a_variant_line_naming_another_variant_asks_which(agent: Agent) -> None:
    # Voltronic PI30 MAX p. 22: "… to 220V/230V/240V for HV models." is the key line; "… to
    # 127V/120V/110V for LV models." stands on the line after it
    asked_back(agent, "pi30 ausgangsspannung einstellen welche werte?", "HV", "LV")
    result = answered(agent, "Axpert MAX Ausgangsspannung auf 230V stellen, welcher Befehl?")
    assert ("Voltronic_PI30MAX_Communication_Protocol.pdf", 22) in cited(result)


def test_a_data_sheet_row_continued_on_the_next_page_asks_which_model(agent: Agent) -> None:
    # Growatt MIC p. 25: "Euro-eta | 96.5% | 96.5% 97.0% | 97.0%" goes on from p. 24's table
    # of the MIC 750-2000TL-X, whose model row stays on p. 24
    asked_back(agent, "Growatt MIC Euro-eta Wirkungsgrad?", "MIC 750TL-X", "MIC 2000TL-X")


def test_a_note_giving_each_generation_its_version_asks_which(agent: Agent) -> None:
    # Kostal p. 27: "802 | Battery Base Model" with the note "1 Valid from version
    # PLENTICORE G2: SW 02.12.xxxxx PLENTICORE G3: SW 3.04.01.xxxxx …" in another passage
    asked_back(
        agent,
        "kostal plenticore: from which firmware is the sunspec battery model 802 available?",
        "PLENTICORE G2",
        "PLENTICORE G3",
    )


def test_a_per_model_row_tied_with_a_row_of_one_value_asks_which_model(agent: Agent) -> None:
    # Growatt MIC p. 24: "Nennspannung | 120V | 180V | 250V | 360V" scores as "AC-Nennspannung
    # | 180~280V" does: no row is known to answer better, so the model decides it;
    # "Batteriespannung | 150 – 600 V" beside "MPP-Spannungsbereich | …" (Sungrow) begins as
    # the question's "Batteriespannungsbereich" does and answers
    asked_back(agent, "Growatt MIC Nennspannung DC?", "MIC 750TL-X", "MIC 2000TL-X")
    result = answered(agent, "Sungrow: welcher Batteriespannungsbereich ist zulässig?")
    assert "Sungrow_SH5.0-10RT_Datenblatt_DE.pdf" in {s.file for s in result.sources}
