"""A question asking for a kind of value needs evidence stating one (answer_types.toml)."""

from __future__ import annotations

import pytest

from nikdesk.agent.guards import answer_types, asked_types, holds_value, safety_rules


def kinds_of(question: str, strict_only: bool = True) -> list[str]:
    """Return the names of the kinds of value ``question`` asks for."""
    return [kind.name for kind in asked_types(question, strict_only=strict_only)]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Wie viele Jahre Garantie gibt es auf den Speicher?", "years"),
        ("Welche IP-Schutzart hat der Zähler?", "ip_rating"),
        ("Welches Kältemittel ist in der Wärmepumpe?", "refrigerant"),
        ("Für wie viele Vollzyklen ist der Akku ausgelegt?", "cycles"),
        ("Welche Baudrate hat RS485?", "baud"),
        ("Wie lange dauert die Umschaltung in den Notstrombetrieb?", "duration"),
        ("Wie lange muss ich nach dem Freischalten warten?", "duration"),
        ("Welchen TCP-Port muss ich in der Firewall freigeben?", "network_port"),
        ("Wie oft darf ich die lokale API maximal abfragen?", "polling_interval"),
        ("Welches Mischungsverhältnis braucht die Sole?", "brine"),
        ("Wie viel Liter fasst der Speicher?", "volume"),
        ("Welche Kapazität in Ah haben die Zellen?", "cell_capacity"),
        ("Auf welcher Frequenz in kHz empfängt er?", "frequency"),
        ("Welche Modbus Unit-ID muss der Energiemanager eintragen?", "modbus_address"),
        ("Wie lang darf die RS485-Leitung zum Zähler höchstens sein?", "cable_length"),
        ("How heavy is the heat pump?", "weight"),
        ("Wie lautet der Bluetooth-PIN ab Werk?", "credential"),
        ("Wie viel Datenvolumen braucht der Datamanager im Monat?", "data_volume"),
        ("bmv-712 smart default bluetooth pin code?", "credential"),
        ("Welches Passwort will das Display für die erweiterten Einstellungen?", "credential"),
        ("Which IP address does the stick use in hotspot mode?", "ip_address"),
        ("Welchen Schallleistungspegel in dB(A) gibt NIBE an?", "sound"),
        ("Wie laut ist der Wechselrichter im Flur?", "sound"),
        ("Welche Lagertemperatur ist laut Datenblatt erlaubt?", "storage_temperature"),
        (
            "I keep a spare balancer on the shelf. What temperature is allowed?",
            "storage_temperature",
        ),
        ("What Bluetooth range can I expect?", "radio_range"),
    ],
)
def test_question_kinds_are_recognised(question: str, kind: str) -> None:
    assert kinds_of(question) == [kind]


def test_a_weight_is_asked_in_either_language() -> None:
    for question in ["Wie schwer ist die Wärmepumpe?", "How heavy is the heat pump?"]:
        assert kinds_of(question, strict_only=False) == ["weight"]


def test_how_long_to_wait_asks_no_length() -> None:
    # "wie lange" is a time; "wie lang" a length
    waiting = "Wie lange muss ich warten, bevor ich das Gehäuse öffne?"
    assert kinds_of(waiting, strict_only=False) == ["duration"]
    assert "length" in kinds_of("Wie lang ist das Kabel?", strict_only=False)


def test_an_api_call_is_asked_by_its_url_or_call() -> None:
    # not strict: a question for a call needs no URL to be "in the manuals"
    for question in (
        "apsystems ez1 max leistung über die lokale api setzen – wie sieht der aufruf aus?",
        "apsystems ez1 über die local api ausschalten – welche url?",
        "which endpoint gives me the lifetime energy?",
    ):
        assert "api_call" in kinds_of(question, strict_only=False), question
        assert "api_call" not in kinds_of(question), question
    for other in (
        "Welche Baudrate hat RS485?",
        "go-e mqtt: welche url hat der broker?",  # a topic, not a URL
        "NIBE: wie kann ich den Hilfetext aufrufen?",  # opening a menu
        "E3DC: wie sieht der Modbus-Aufruf zum Auslesen der Batterieleistung aus?",
    ):
        assert "api_call" not in kinds_of(other, strict_only=False), other
    # the call's URL states one, not the heading naming it
    (call,) = [k for k in answer_types() if k.name == "api_call"]
    assert holds_value(call, "• URL http://{ip}:8050/setMaxPower?p=600")
    assert not holds_value(call, "3.4 Set Max Power of EZ1 Inverter Device")
    assert not holds_value(call, "Modbus: https://de.wikipedia.org/wiki/Modbus")  # a reference


def test_a_connector_pin_or_changing_a_password_asks_no_credential() -> None:
    for question in (
        "Welcher Pin am Balancerstecker ist B-?",
        "Which pins are TX and RX on the 4-pin connector?",
        "Wie ändere ich das Bluetooth-Passwort in der App?",
        "Can I read its IP address over Modbus?",
        "Wie lautet die Seriennummer?",  # "wie lautet" is no "wie laut"
        "Welches Register speichert die Energie der Batterie?",  # storing energy is no storage
    ):
        assert asked_types(question) == [], question


def test_a_kind_named_only_as_the_purpose_is_not_asked() -> None:
    # the short-circuit current is asked; the fuse is what it is needed for
    purpose = "Welchen Kurzschlussstrom muss ich für die DC-Absicherung annehmen?"
    assert "protection_device" not in kinds_of(purpose)
    assert kinds_of("Welche Absicherung für den Speicher?") == ["protection_device"]


def test_plain_questions_ask_for_no_particular_kind() -> None:
    assert asked_types("Der Wechselrichter zeigt E050 an. Was tun?") == []


def test_an_offset_in_a_register_map_asks_for_a_register() -> None:
    # E3/DC prints its Simple Mode registers by offset ("24 | Phasen-Frequenz in Hertz L1")
    by_offset = "E3/DC Register des Wechselrichters: an welchem Offset steht die Netzfrequenz?"
    assert "register" in kinds_of(by_offset)
    # a technician names the block, not the word "Register"
    block = "e3dc simple mode wechselrichter block: bei welchem offset steht die netzfrequenz L1?"
    assert "register" in kinds_of(block)
    # the heating curve's offset is a setting, no register
    assert asked_types("Wo stelle ich an der NIBE den Offset der Heizkurve ein?") == []


def test_asking_whether_a_protocol_has_a_register_asks_for_a_register() -> None:
    # the register row answers; it states no number of cycles, nor need it
    question = "Growatt SPH per Modbus: gibt's ein Input-Register mit der Zyklenzahl vom BMS?"
    assert "register" in kinds_of(question)
    assert "register" in kinds_of("Is there a Modbus register for cycles?")
    # a protocol's ID for it: the row "0x0303 | Number of cycles" answers
    question = "bmv-712 hex protocol: which id gives the number of charge cycles?"
    assert "register" in kinds_of(question)
    # the ID a device or card has is its address or number, no register
    for address in [
        "Welche Modbus Unit-ID hat der Zähler?",
        "which slave id has the meter?",
        "SolaX: welche Geräte-ID hat der Wechselrichter für Modbus?",
        "DDSU666: which meter ID is set at delivery for modbus?",
    ]:
        assert "register" not in kinds_of(address), address
    # no data interface: a tab of an app, no register
    assert asked_types("Gibt es in der App ein Register für Ereignisse?") == []
    # a technician's shorthand, without a question word
    for shorthand in (
        "ddsu666-h: modbus register address for active power?",
        "shm 2.0 modbus tcp registerliste – netzbezug auslesen?",
    ):
        assert "register" in kinds_of(shorthand), shorthand
    defaults = kinds_of("simple evse wifi – standard passwort bzw. default ip?")
    assert defaults == ["credential", "ip_address"]
    relay = "ek893 – wie viel strom dürfen die relaiskontakte schalten?"
    assert kinds_of(relay) == ["relay_rating"]
    assert asked_types("Wie schalte ich die Relais von Hand?") == []
    # "register für …" also names a setting
    assert asked_types("SmartEVSE: register for the EV meter address?") == []


def test_a_tariff_word_the_named_manual_uses_is_a_function_of_the_device() -> None:
    rules = safety_rules()
    question = "go-e Charger im Modus Strompreis automatisch: welche Parameter setze ich?"
    assert rules.out_of_scope(question)  # no manual named: a question about tariffs
    api = 'afi | uint8_t | stunde (uhrzeit) in der mit "strompreis - automatisch" die ladung'
    assert not rules.out_of_scope(question, (api,))
    # the manual of the named device says nothing about the tax asked
    tax = "Muss ich für den go-e Charger Umsatzsteuer zahlen?"
    assert rules.out_of_scope(tax, (api,))
    # the Home Manager asks for the tariff to enter: which tariff pays is still no question
    # for its manual
    setup = "geben sie im sunny portal ihren stromtarif ein (arbeitspreis in euro/kwh)"
    assert rules.out_of_scope("Welcher Stromtarif lohnt sich mit dem Home Manager?", (setup,))


def test_the_own_consumption_is_asked_in_either_word_order() -> None:
    for question in [
        "Wie viel zieht der Zähler nachts selbst?",
        "How much current does the battery monitor itself draw?",
    ]:
        assert "standby" in kinds_of(question), question


def test_a_pressure_is_a_kind_of_value_a_key_line_states() -> None:
    (kind,) = asked_types("Ab welchem Druck muss ich die Sole nachfüllen?", strict_only=False)
    assert kind.name == "pressure"
    assert holds_value(kind, "Der Druck muss mindestens 0,5 bar betragen.")
    assert not holds_value(kind, "Der Druck kann durch die Temperatur leicht schwanken.")
    assert asked_types("Welche Taste drücke ich für den Tastendruck?", strict_only=False) == []


@pytest.mark.parametrize(
    ("kind", "passage", "expected"),
    [
        ("years", "Gewährleistung: 10 Jahre ab Kaufdatum", True),
        ("years", "Wärmepumpe für das ganze Jahr", False),
        ("years", "Warranty period: One Year", True),
        ("years", "Kein Jahr ohne Wartung", False),
        ("ip_rating", "Schutzart IP65 (Außenbereich)", True),
        ("ip_rating", "IP-Adresse 192.168.0.10", False),
        ("ip_rating", "Schutzart | IP2X", True),  # Home Manager: the code with its X
        ("ip_rating", "Spritzwasserschutz IPX4", True),
        ("ip_rating", "Schutzart IP-65 / IPXXB", True),
        ("refrigerant", "Kältemittel R407C, Füllmenge 1,2 kg", True),
        ("refrigerant", "Kältemittel: R-32", True),
        # a relay's type (NIBE Tarifschaltung: "ELTAKO R12-110") is no refrigerant
        ("refrigerant", "Beispiel an ELTAKO R12-110 Relais.", False),
        ("baud", "Baudrate: 9600 bps, 8N1", True),
        ("baud", "Modbus-Adresse 1", False),
        ("duration", "Umschaltzeit auf Notbetrieb < 20 ms", True),
        ("torque", "Sicherheitsschrauben 12kgf.cm", True),  # Growatt MIC datasheet
        ("torque", "Klemmen mit 1,2 Nm anziehen", True),
        ("torque", "Kabelverschraubung M25", False),
        # a TCP/UDP port, not a date, a standard's year or a baud rate after a colon
        ("network_port", "Für Modbus/TCP ist der TCP-Port 502 reserviert.", True),
        ("network_port", "send data to port 49049/UDP", True),
        ("network_port", "http://192.168.0.10:8050/getDeviceInfo", True),
        ("network_port", "IEC 62109-1/-2, EN 50549-1:2020", False),
        ("network_port", "Baudrate:9600", False),
        ("polling_interval", "Hard Limit: 180 requests per 15 minutes", True),
        ("polling_interval", "Lokale API über HTTP, JSON-Antwort", False),
        ("brine", "Frostschutz bis -15 °C (Ethanol 28 %)", True),
        ("brine", "Letzte Änderung 14:44", False),
        ("volume", "Speichervolumen 180 l", True),
        ("volume", "Volumenstrom 12 l/min", False),
        ("cell_capacity", "LiFePO4, 3,2 V / 100 Ah", True),
        ("frequency", "Trägerfrequenz 129,1 kHz", True),
        ("modbus_address", "Unit-ID | 71", True),
        ("modbus_address", "ist 1 ~ 247. Die Standardadresse ist 0x55.", True),
        ("modbus_address", "Registeradresse 40001 (Holding)", False),
        ("cable_length", "RS485: max. 1000 m, geschirmt", True),
        ("cable_length", "AC-Leitung 5,2 mm²", False),
        ("weight", "Gewicht | 26 kg", True),
        ("weight", "Abmessungen 460 × 540 × 170 mm", False),
        ("credential", 'The default password of the device is\n"1234".', True),
        ("credential", "Das Passwort der erweiterten Einstellungen ist 123", True),
        ("credential", "Pin 1 | GND, Pin 2 | TX (5 V)", False),
        ("credential", "Updated charger error code table (ERR) 3.6", False),
        ("ip_address", "IP-Schalter Position A: 169.254.0.180", True),
        ("ip_address", "Firmware 1.2.3", False),
        ("sound", "Geräuschemission | ≤25 dB(A)", True),  # Growatt MIC p. 25
        ("sound", "Lautsprecher", False),
        # Growatt MIC p. 24; JK balancer p. 16 (the page wraps the sentence)
        (
            "storage_temperature",
            "an einem trockenen Ort mit Temperaturen zwischen -25°C und +60°C gelagert",
            True,
        ),
        (
            "storage_temperature",
            "for storage, the\ntemperature of the warehouse is 0°C ~ 35°C",
            True,
        ),
        ("storage_temperature", "Betriebstemperatur -25 bis +60 °C", False),
        ("operating_temperature", "Umgebungstemperatur im Betrieb | -25 °C bis +40 °C", True),
        ("operating_temperature", "Operating temperature: -20~60℃", True),
        ("operating_temperature", "Betriebstemperatur -20ºC ~ 60ºC", True),  # ordinal sign
        ("operating_temperature", "Umgebungstemperatur [°C] | -25 ... +60", True),
        ("operating_temperature", "Neigung 15 Grad", False),
        ("operating_temperature", "Nicht in der Nähe von Wärmequellen montieren", False),
        ("radio_range", "Bluetooth range: up to 10 m in open air", True),
        ("radio_range", "Bluetooth 4.2, 2,4 GHz", False),
    ],
)
def test_values_are_found_in_passages(kind: str, passage: str, expected: bool) -> None:
    (answer_type,) = [t for t in asked_types(kind_question(kind))]
    assert holds_value(answer_type, passage) is expected


def kind_question(kind: str) -> str:
    return {
        "years": "Garantie?",
        "ip_rating": "Schutzart?",
        "refrigerant": "Kältemittel?",
        "baud": "Baudrate?",
        "duration": "Wie lange dauert das?",
        "torque": "Mit welchem Drehmoment?",
        "network_port": "Welcher TCP-Port?",
        "polling_interval": "Wie oft darf ich abfragen?",
        "brine": "Welcher Gefrierpunkt?",
        "volume": "Wie viel Liter?",
        "cell_capacity": "Welche Kapazität in Ah?",
        "frequency": "Welche Frequenz?",
        "modbus_address": "Welche Slave-Adresse?",
        "cable_length": "Wie lang darf das Kabel sein?",
        "weight": "Wie schwer?",
        "credential": "Welches Passwort?",
        "ip_address": "Welche IP-Adresse?",
        "sound": "Wie laut ist er?",
        "storage_temperature": "Welche Lagertemperatur?",
        "operating_temperature": "In welchem Temperaturbereich darf er betrieben werden?",
        "radio_range": "Welche Bluetooth-Reichweite?",
    }[kind]


def test_a_temperature_range_is_asked_only_as_a_value() -> None:
    asked = "In welchem Temperaturbereich darf der Speicher betrieben werden?"
    assert "operating_temperature" in kinds_of(asked)
    # a symptom, an error text or a setting mentions the temperature without asking a range
    for question in [
        "Der Wechselrichter reduziert bei hoher Umgebungstemperatur die Leistung – was tun?",
        "Fehler 'Ambient temperature too high' – was bedeutet das?",
        "Kann ich den Temperaturbereich der Heizkurve ändern?",
    ]:
        assert "operating_temperature" not in kinds_of(question), question


def test_a_capacity_given_in_the_question_is_not_asked() -> None:
    # "an einem 280-Ah-Akku" describes the customer's pack; the question asks a voltage
    question = "JK Balancer an einem 280-Ah-Akku: welche Auslöse-Differenzspannung?"
    assert "cell_capacity" not in kinds_of(question)


def test_how_to_change_the_bus_address_asks_no_address() -> None:
    # a procedure ("Wie ändere ich …"), answered by the steps, not by a number
    question = "Wie ändere ich am Zähler die Modbus-Adresse direkt am Gerät?"
    assert "modbus_address" not in kinds_of(question)


def test_a_question_mentioning_an_installation_value_does_not_ask_for_it() -> None:
    # found by a review: each of these was answered before the kinds came, and must stay
    kinds = {"humidity", "strip_length", "relay_rating", "rcd_type", "mounting_clearance"}
    for question in (
        "Growatt MIC 3000TL-X: AC-Kabel abisolieren und anschließen – wie ist die Reihenfolge?",
        "BMV-712 relay: how do I set it to disconnect the load at 50% SOC?",
        "NIBE S1256: wo schließe ich den Raumluftfeuchtesensor an?",
        "NIBE: Alarm Luftfeuchte zu hoch – was tun?",
        "Growatt MIC: der FI fliegt immer raus, Typ A ist verbaut – woran liegt das?",
        "Welcher WiFi-Typ ist das?",
        "SolaX per RS485: welcher Mindestabstand zwischen zwei Befehlen, siehe Seite 12?",
    ):
        assert not kinds & {k.name for k in asked_types(question)}, question
    assert "rcd_type" in kinds_of("Reicht ein FI Typ A oder Typ B?")


def test_an_installation_value_counts_only_beside_the_word_for_it() -> None:
    kinds = {k.name: k for k in asked_types("Welche Luftfeuchte und Aufstellhöhe, welcher FI-Typ?")}
    assert holds_value(kinds["humidity"], "Relative Luftfeuchtigkeit | 5 % bis 95 %")
    assert holds_value(kinds["humidity"], "≤ 95 % r. F.")
    assert not holds_value(kinds["humidity"], "Ladezustand 20 %")
    assert holds_value(kinds["altitude"], "Aufstellhöhe | max. 4000 m")
    assert holds_value(kinds["altitude"], "bis 2000 m ü. NN")
    assert not holds_value(kinds["altitude"], "kann die Antennenleitung bis ca. 100 m verlängern")
    assert holds_value(kinds["rcd_type"], "FI-Schutzschalter | Typ A (RCD-A)")
    assert not holds_value(kinds["rcd_type"], "Konformität | TOR Erzeuger Typ A")
    assert not holds_value(kinds["rcd_type"], "Leitungsschutzschalter Typ B 16 A")


def test_hours_and_days_are_durations() -> None:
    def duration(question: str) -> bool:
        return any(k.name == "duration" for k in asked_types(question))

    assert duration("Sunny Home Manager 2.0: wie viele Tage puffert der die Messwerte?")
    assert duration("Wie lange bleibt die Reduzierung höchstens aktiv?")
    assert duration("How long will the unit keep the setpoint after the EMS stops?")
    # a length is no duration ("wie lang"), nor is "how long is the cable", nor a warranty
    assert not duration("Wie lang darf die RS485-Leitung sein?")
    assert not duration("How long is the cable allowed to be?")
    assert not duration("Sungrow Speicher: Wie lange läuft die Garantie?")
    kind = next(k for k in asked_types("Wie lange dauert die Umschaltung?") if k.name == "duration")
    for stated in [
        "spätestens 24 Std. nach Aktivierung",
        "The antenna adhesive needs 24 hours to cure",
        "wait 0.5Sec before the retry",
        "Daten werden 1 Tag gepuffert",
        "nach 1 Stunde",
        "Nachlaufzeit 24 h",
    ]:
        assert holds_value(kind, stated), stated
    # hex addresses and a register's scale are no durations
    for other in [
        "Speicher 10 kWh",
        "0411H | Inverter_Backup_Current_L1",
        "Funktion 03H : READ",
        "| unsigned int | 1s/bit",
    ]:
        assert not holds_value(kind, other), other


def test_the_sunny_home_manager_is_named_by_its_short_name() -> None:
    from nikdesk.agent.guards import catalog

    for question in ("shm 2.0 auf werkseinstellung zurücksetzen", "SHM2 findet den WR nicht"):
        assert catalog().names_device(question), question
    assert not catalog().names_device("wie lange muss ich reset drücken?")
    assert not catalog().names_device("shmoo plot")


def test_an_error_number_is_found_with_a_word_naming_the_number_between() -> None:
    from nikdesk.retrieval.hybrid import code_tokens, error_codes

    for question in ("growatt fault code wert 26?", "Fehlercode Nr. 26", "error number 26"):
        assert error_codes(question) == {"26"}, question
        assert "26" in code_tokens(question)
    assert error_codes("Wert 26 im Register") == set()  # no error word: a value
    # a threshold, a grid voltage, a count: no error numbers
    for question in ("Alarmwert 50 % einstellen", "alarm value 50 %", "fault: no 230 V grid"):
        assert error_codes(question) == set(), question
    assert error_codes("error no. 5") == {"5"}


def test_a_field_name_spelled_as_a_map_prints_it_is_a_code() -> None:
    from nikdesk.retrieval.hybrid import field_names

    assert field_names("welche Einheit hat wAcPowerLimit?") == {"wacpowerlimit"}
    assert field_names("ExternalGenMaxCharge und BMS_UserSOH") == {
        "externalgenmaxcharge",
        "bmsusersoh",
    }
    # a product's name in two humps, a brand, a document's name: no fields
    for question in (
        "SmartShunt 500A",
        "VE.Direct text mode",
        "go-e Charger",
        "Sunny Home Manager",
    ):
        assert field_names(question) == set(), question


def test_an_amount_of_data_is_asked_and_stated_as_such() -> None:
    volume = next(k for k in answer_types() if k.name == "data_volume")
    for question in (
        "Wie viele Daten-Punkte kann der Datenlogger speichern?",
        "how much time until data appears in the portal?",
        "how much is the Data Manager?",
    ):
        assert volume not in asked_types(question), question
    assert volume in asked_types("wie viel daten verbraucht der stick im monat?")
    assert holds_value(volume, "For immediate sending per service message or error 1 KB")
    assert not holds_value(volume, "Function code | 1 byte | 0x03")  # a field's width
    assert not holds_value(volume, "up to 512 kB/s")  # a rate


# a kind of value asked only as a quantity: (questions asking it, questions using its words
# in another sense — a reviewer's —, lines stating one, lines naming it without one)
_QUANTITY_KINDS = {
    "flow_rate": (
        [
            "NIBE S1256: welchen Mindestvolumenstrom braucht der Heizkreis?",
            "what minimum flow does the brine pump need?",
        ],
        [
            "Wie viel Liter fasst der Speicher?",
            "power flow direction register?",
            "ungleichmäßiger Volumenstrom in den Heizkörpern – was soll ich machen?",
            "welcher Durchfluss-Sensor ist als BF1 verbaut?",
            "victron mppt input shutdown wegen stromdurchfluss?",
            "Fronius Datamanager: welchen Durchsatz braucht die Internetverbindung?",
        ],
        ["Min. Volumenstrom Heizkreis | 0,25 l/s", "Nenndurchfluss 1,2 m³/h"],
        ["Ungleichmäßiger Volumenstrom in den Heizkörpern."],
    ),
    "connections": (
        [
            "kostal plenticore: wie viele modbus tcp clients dürfen gleichzeitig verbunden sein?",
            "how many concurrent modbus tcp connections does the E3/DC accept?",
        ],
        [
            # relays, devices or inverters in parallel are no connections of an interface
            "können die Relais gleichzeitig angezogen sein?",
            "Sunny Home Manager 2.0: wie viele Geräte-Verbindungen gleichzeitig kann der max.?",
            "sungrow sh rt: how many inverters in parallel connection?",
            "EK893: können die Relais-Verbindungen gleichzeitig schalten oder sind sie verriegelt?",
        ],
        [
            "Es werden maximal 5 Modbus TCP Verbindungen unterstützt.",
            "up to 4 simultaneous clients",
        ],
        [
            # client/server wording without a number of them, a ratio, a port number
            "a 1:1 connection between master and slave",
            "Ports > 1024 für ausgehende Verbindungen",
            "provides client/server communication between devices connected on port 502",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(_QUANTITY_KINDS))
def test_a_quantity_is_asked_and_stated_as_one(name: str) -> None:
    kind = next(k for k in answer_types() if k.name == name)
    asking, other_sense, stating, naming = _QUANTITY_KINDS[name]
    for question in asking:
        assert kind in asked_types(question), question
    for question in other_sense:
        assert kind not in asked_types(question), question
    for line in stating:
        assert holds_value(kind, line), line
    for line in naming:
        assert not holds_value(kind, line), line


def test_a_row_saying_its_unit_in_words_holds_its_default_of_that_unit() -> None:
    frequency = next(k for k in answer_types() if k.name == "frequency")
    row = (
        "C | CC.C | AC output frequency | C is an Integer ranging from 0 to 9. The units is Hz. "
        "| Default 50.0 for HV models 60.0 for LV models"
    )
    assert holds_value(frequency, row)
    # a digit's range is no default, and without a unit said nothing is a frequency
    assert not holds_value(
        frequency, "C | CC.C | AC output frequency | C is 0 to 9. The units is Hz."
    )
    assert not holds_value(frequency, "C | CC.C | AC output frequency | Default 50.0")


def test_a_data_sheet_states_a_count_on_the_line_under_its_label() -> None:
    # Sunny Home Manager 2.0 manual p. 130: the label, a sub-label, then the value alone
    count = next(k for k in answer_types() if k.name == "count")
    assert holds_value(
        count,
        "Max. Anzahl Geräte in der Anlage (außer SMA Energy Meter)\n"
        "Geräte in der Anlage insgesamt\nbis zu 24\n",
    )
    assert holds_value(count, "Anzahl der MPP-Tracker\n2\n")
    # a number further down belongs to another label; a value with a unit is no count
    assert not holds_value(count, "Anzahl der Eingänge\nsiehe Tabelle\nNennspannung\n230 V\n")
    assert not holds_value(count, "Anzahl Phasen\n230 V / 400 V\n")
