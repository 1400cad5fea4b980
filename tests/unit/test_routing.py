"""Which documents a question names: file-name words, model numbers, model families."""

from __future__ import annotations

from nikdesk.agent.guards import catalog
from nikdesk.retrieval.routing import DocumentRouter

LIBRARY = [
    ("bmv", "Victron_BMV-7xx_HEX_Protocol.pdf", "BMV700 Series Hex Protocol"),
    ("vedirect", "Victron_VE.Direct_Protocol_3.33.pdf", "VE.Direct Protocol"),
    ("mic", "Growatt_MIC750-3300TL-X_Installations-Bedienungsanleitung_DE.pdf", ""),
]


def test_a_model_of_a_family_names_the_family_document() -> None:
    router = DocumentRouter(LIBRARY)
    # "BMV-7xx" in the file name stands for the BMV-702, -712 ... a technician names
    for question in ["BMV-712 Smart: Bluetooth abschalten?", "bmv702 alarm relay"]:
        scores = router.scores(question)
        assert scores["bmv"] > 0, question
    # the family's digits must all be there: "BMV-7123" is a BMV, but no BMV-7xx
    family = router.scores("BMV-712 Anschluss")["bmv"]
    assert router.scores("BMV-7123 Anschluss")["bmv"] < family
    assert router.scores("BMV Anschluss")["bmv"] < family


def test_a_family_beside_the_protocol_name_keeps_both_documents_in_play() -> None:
    scores = DocumentRouter(LIBRARY).scores("BMV-712: Bluetooth über das VE.Direct HEX-Protokoll?")
    assert scores["bmv"] >= 0.5 * scores["vedirect"]


def test_a_makers_document_of_the_type_the_question_says_stays_named() -> None:
    router = DocumentRouter(
        [
            ("mic", "Growatt_MIC750-3300TL-X_Installations-Bedienungsanleitung_DE.pdf", ""),
            ("modbus", "Growatt_Inverter_Modbus_RTU_Protocol_II_V1.20.pdf", ""),
            ("deye", "Deye_SUN_Inverter_Modbus_EN.pdf", ""),
        ]
    )
    # "TL-X" names the installation manual; "über Modbus" the maker's Modbus protocol too
    scores = router.scores("Growatt TL-X über Modbus ausgelesen: Warning-Bit 0x0080?")
    assert scores["modbus"] >= 0.5 * scores["mic"]
    assert "deye" not in scores  # the document type alone names no maker's document
    plain = router.scores("Growatt TL-X: Warnung 0x0080?")
    assert plain.get("modbus", 0.0) < 0.5 * plain["mic"]
    # a register asked for says the protocol's type, though its file name says "Modbus"
    for question in (
        "growatt MIN TL-X (3000 range) input register for output power Pac?",
        "Growatt TL-X: welches Register zeigt die PV-Spannung?",
    ):
        scores = router.scores(question)
        assert scores["modbus"] >= 0.5 * scores["mic"], question


# (doc_id, file name, title, maker), as the index lists them
FLEET = [
    ("pylon", "Pylontech_LV_RS485_Protocol_V3.3.pdf", "", "Pylontech"),
    ("growatt", "Growatt_Inverter_Modbus_RTU_Protocol_II_V1.20.pdf", "", "Growatt"),
    ("srne", "SRNE_Charge_Inverter_Modbus_v1.3.pdf", "", "SRNE"),
    ("goodwe", "GoodWe_Hybrid_Modbus_Protocol_ET-EM.pdf", "", "GoodWe"),
    ("axpert", "Voltronic_PI30MAX_Communication_Protocol.pdf", "", "Voltronic"),
    ("mini", "SolaX_X1_Mini_Communication_Protocol_V1.8.pdf", "", "SolaX"),
    ("hybrid", "SolaX_Hybrid_X1-X3_G4_Modbus_TCP-RTU_V3.21.pdf", "", "SolaX"),
    ("nibe_user", "NIBE_S1156-S1256_Benutzerhandbuch_DE.pdf", "", "NIBE"),
    ("nibe_inst", "NIBE_S1256_Installationshilfe_DE.pdf", "", "NIBE"),
]


def test_the_maker_named_says_whose_documents_are_meant() -> None:
    router = DocumentRouter(FLEET)
    # Pylontech's file name says "RS485", GoodWe's "Hybrid": words of the question, yet the
    # maker it names is Growatt or SRNE
    assert set(router.scores("Growatt-Wechselrichter per RS485 pollen: Mindestabstand?")) == {
        "growatt"
    }
    assert set(router.scores("SRNE Hybrid-WR: Register für den PV-Ertrag?")) == {"srne"}
    # a model number names its document beside another maker's name
    both = router.scores("Axpert / PI30 MAX protocol: battery type Pylontech?")
    assert {"axpert", "pylon"} <= set(both)
    # no maker named: the file-name words still route ("US2000 über RS485")
    assert "pylon" in router.scores("US2000 über RS485: welche Baudrate?")


def test_a_document_named_by_fewer_of_the_questions_names_is_not_meant() -> None:
    router = DocumentRouter(FLEET)
    assert set(router.scores("SolaX X1 Mini am RS485: welche Baudrate?")) == {"mini"}
    assert set(router.scores("SolaX X1 Hybrid G4: Modbus-Adresse?")) == {"hybrid"}
    assert set(router.scores("SolaX X1: welche Baudrate?")) == {"mini", "hybrid"}
    # both NIBE documents name the S1256: both are meant
    assert set(router.scores("NIBE S1256: Sole rein, Sole raus?")) == {"nibe_user", "nibe_inst"}


def test_a_product_the_title_prints_in_capitals_names_the_document() -> None:
    kostal = ("kostal", "Kostal_Modbus-TCP_SunSpec_Interface.pdf", "PIKO IQ/PLENTICORE")
    srne = ("srne", "SRNE_Charge_Inverter_Modbus_v1.3.pdf", "SRNE Charge Inverter Modbus")
    router = DocumentRouter([kostal, srne])
    assert set(router.scores("Plenticore G3: Register der Wirkleistung?")) == {"kostal"}
    # the file name's "Pylontech" already holds the title's "PYLON": it does not count twice
    pylon = "Pylontech_LV_RS485_Protocol_V3.3.pdf"
    question = "Pylontech US3000C: welche Baudrate?"
    titled = DocumentRouter([("p", pylon, "PYLON low voltage Protocol"), srne]).scores(question)
    plain = DocumentRouter([("p", pylon, ""), srne]).scores(question)
    assert titled == plain


def test_a_roman_numeral_of_a_title_names_no_document() -> None:
    router = DocumentRouter([("modbus", "Growatt_Inverter_Modbus_RTU_Protocol_II_V1.20.pdf", "")])
    # "Protocol II" is the document's edition, not a word a question names it by
    assert router.scores("When did World War II end?") == {}
    assert router.scores("Growatt: Modbus register 3000?")["modbus"] > 0


def test_a_name_inside_a_longer_name_said_is_not_said() -> None:
    router = DocumentRouter(
        [
            ("fronius", "Fronius_Datamanager_Manual_EN.pdf", ""),
            ("shm", "SMA_SunnyHomeManager20_Betriebsanleitung_DE.pdf", ""),
        ]
    )
    # "Datamanager" holds the Home Manager's "manager": it names the Fronius card only
    assert set(router.scores("datamanager WLAN LED blinkt grün")) == {"fronius"}
    assert set(router.scores("Datamanager-Karte: IP-Schalter auf A?")) == {"fronius"}
    # said as a word of its own, it names the Home Manager
    assert "shm" in router.scores("Home Manager: welche LED?")


def test_a_makers_other_name_names_its_documents() -> None:
    router = DocumentRouter(
        [
            ("epever", "EPEver_Tracer_Modbus_Protocol_1733.pdf", "", "EPEver"),
            ("pylon", "Pylontech_LV_RS485_Protocol_V3.3.pdf", "", "Pylontech"),
        ]
    )
    # "Epsolar" is EPEver's former name; the "RS485" of Pylontech's file name names nothing
    assert set(router.scores("Which pins on the Epsolar LS-B RJ45 jack are RS485 A and B?")) == {
        "epever"
    }


def test_a_long_word_names_the_compound_name_it_ends_a_short_one_not() -> None:
    router = DocumentRouter(
        [("ek893", "NetzeBW_EK893-Funkrundsteuerempfaenger_Montageanleitung_DE.pdf", "")]
    )
    assert "ek893" in router.scores("Absetzantenne vom Rundsteuerempfänger zu kurz?")
    # "Empfänger" alone is any device's receiver
    assert router.scores("Der WLAN-Empfänger verliert ständig die Verbindung") == {}


def test_other_names_are_read_from_the_resource_table() -> None:
    from nikdesk.agent.guards import catalog
    from nikdesk.retrieval.routing import other_names

    assert other_names()["epsolar"] == "epever"
    assert all(" " not in other for other in other_names())  # matched as one word
    assert catalog().brand_names("Epsolar LS-B: welche Pins?") == ["EPEver"]


def test_a_word_most_manuals_print_names_no_document_alone() -> None:
    # "max" is a piece of "PI30MAX", "RS485" of Pylontech's file name; five of six manuals
    # print them, so "wie lang max?" or "Baudrate auf RS485?" names neither maker's device
    documents = [
        ("pi30", "Voltronic_PI30MAX_Communication_Protocol.pdf", "MAX Communication Protocol"),
        ("pylon", "Pylontech_LV_RS485_Protocol_V3.3.pdf", ""),
        *((f"d{n}", f"Maker{n}_Manual.pdf", "") for n in range(4)),
    ]
    router = DocumentRouter(documents)
    router.set_common(
        {d: f"Max. Strom {n} A über RS485, max. 100 m" for n, (d, *_) in enumerate(documents)}
        | {"d3": "Nur über CAN"}
    )
    assert {"max", "rs485", "rs"} <= router.common
    assert router.scores("Wie lang darf die Leitung max. sein?") == {}
    assert router.scores("Mit welcher Baudrate redet der Speicher auf RS485?") == {}
    # beside another name of the same document the word still counts
    assert set(router.scores("Pylontech über RS485: Baudrate?")) == {"pylon"}
    assert router.scores("PI30 MAX: Fehler 72")["pi30"] > router.scores("PI30: Fehler 72")["pi30"]
    # a maker's other name routes to its documents ("Axpert MAX" is Voltronic's)
    assert set(router.scores("Axpert MAX meldet Fehler 72")) == {"pi30"}


def test_a_small_library_learns_no_words_of_the_trade() -> None:
    router = DocumentRouter(LIBRARY)
    router.set_common({d: "max. 100 m über RS485, BMV und MIC" for d, *_ in LIBRARY})
    assert router.common == frozenset()


def test_a_name_is_said_from_a_words_start_to_a_words_end() -> None:
    router = DocumentRouter(
        [
            ("goe", "go-e_Charger_Modbus_TCP_API.pdf", ""),
            ("fronius", "Fronius_Datamanager_Manual_EN.pdf", ""),
            ("shm", "SMA_SunnyHomeManager20_Betriebsanleitung_DE.pdf", ""),
        ]
    )
    assert "goe" not in router.scores("How do I take away the charge release via Modbus?")
    assert "goe" in router.scores("go-e Charger per Modbus")
    assert "fronius" in router.scores("Datamanager-Karte tauschen")
    assert "shm" in router.scores("Sunny Home Manager 2.0 zurücksetzen")
    # glued onto another word as a compound's first part (found by review); as its last
    # part a name says what kind of thing, not whose: "Energiemanager"
    assert "fronius" in router.scores("Datamanagerkarte einbauen")
    assert "shm" not in router.scores("Welcher Energiemanager passt?")


def test_two_words_of_the_trade_of_one_document_name_its_product() -> None:
    documents = [
        ("jk", "JK_Smart_BMS_Instructions_EN.pdf", ""),
        ("pylon", "Pylontech_LV_RS485_Protocol_V3.3.pdf", ""),
        *((f"d{n}", f"Maker{n}_Manual.pdf", "") for n in range(5)),
    ]
    router = DocumentRouter(documents)
    router.set_common({d: "Smart BMS über RS485" for d, *_ in documents})
    assert {"smart", "bms", "rs485", "rs"} <= router.common
    assert set(router.scores("Smart BMS: SOC kalibrieren")) == {"jk"}
    assert router.scores("Welches BMS?") == {}
    # a name and its own piece are one name: "RS485" alone still names nothing
    assert router.scores("Baudrate auf RS485?") == {}


def test_the_words_of_the_trade_are_read_once_and_only_when_a_question_needs_them() -> None:
    reads: list[int] = []

    def texts() -> dict[str, str]:
        reads.append(1)
        return {d: "max. 100 m über RS485" for d, *_ in LIBRARY}

    router = DocumentRouter(LIBRARY)
    router.set_common(texts)
    assert reads == []  # a bundle's router inside a combined index never reads them
    router.scores("Wie lang darf die Leitung max sein?")
    router.scores("Pylontech über RS485?")
    assert reads == [1]


def test_one_word_naming_two_lines_of_a_brand_is_told_apart_from_two_words() -> None:
    lines = {"JK Active Balancer", "JK BMS"}
    # JK sells a balancer "JK-B2A24S" and a BMS family "JK-B2A24S-15P/-20P"
    assert catalog().lines_named("jk b2a24s weight?", "JK", lines) == lines
    assert catalog().one_name("jk b2a24s weight?", "JK", lines)
    assert catalog().one_name("wie schwer ist das JK B1A24S?", "JK", lines)
    # the variant, or the kind of device, says which
    assert catalog().lines_named("JK-B2A24S-20P gewicht", "JK", lines) == {"JK BMS"}
    assert catalog().lines_named("JK Aktivbalancer B2A24S gewicht", "JK", lines) == {
        "JK Active Balancer"
    }
    assert not catalog().one_name("jk bms b2a24s weight", "JK", lines)
    # two lines each by its own word: the question is about both
    sungrow = {"Sungrow SBR096-256", "Sungrow SH5.0-10RT"}
    assert not catalog().one_name("SBR am SH10RT anschließen?", "Sungrow", sungrow)
    assert not catalog().one_name("SH10RT/SBR128: Schutzart?", "Sungrow", sungrow)
    assert not catalog().one_name("SH10RT+SBR160 IP?", "Sungrow", sungrow)
    # a kind of device is no product's name ("Batterie-Wechselrichter")
    assert not catalog().one_name("Sungrow Batterie-Wechselrichter: IP?", "Sungrow", sungrow)


def test_an_older_nibe_unit_is_not_the_s_series() -> None:
    from nikdesk.agent.guards import catalog

    nibe = catalog().products["NIBE S-Serie"]
    assert nibe.search("vvm s320 evu-sperre") and nibe.search("smo s40 tarif")
    assert not nibe.search("vvm 310 evu-sperre") and not nibe.search("smo 20 tarif")


def test_a_product_line_the_catalogue_files_under_its_maker_names_the_maker() -> None:
    from nikdesk.agent.guards import catalog

    makers = catalog().makers_of_products("smartshunt 1000a, welche pid meldet der?")
    assert [p.pattern for p in makers] == [catalog().brands["Victron"].pattern]
    assert catalog().makers_of_products("welche pid meldet der shunt?") == []
    # a model number names no maker: the CT "TOP90-S10/SP4" is no E3/DC S10
    assert catalog().makers_of_products("TOP90-S10/SP4 Wandler, wie lang ist die Leitung?") == []


def test_a_name_the_question_denies_names_no_document() -> None:
    router = DocumentRouter(
        [
            ("balancer", "JK_Active_Balancer_B1A24S_B2A24S_Manual_V4.1.pdf", ""),
            ("bms", "JK_Smart_BMS_Instructions_EN.pdf", ""),
        ]
    )
    assert set(router.scores("JK Balancer B2A24S (nur Balancer, kein BMS): Gewicht?")) == {
        "balancer"
    }
    assert set(router.scores("JK B2A24S, not the BMS: weight?")) == {"balancer"}
    assert "bms" in router.scores("JK BMS: Gewicht?")


def test_a_piece_of_a_joined_name_other_makers_print_as_a_word_names_nothing_alone() -> None:
    documents = [
        ("goodwe", "GoodWe_Hybrid_Modbus_Protocol_ET-EM.pdf", "", "GoodWe"),
        ("shm", "SMA_SunnyHomeManager20_Betriebsanleitung_DE.pdf", "", "SMA"),
        ("pylon", "Pylontech_LV_RS485_Protocol_V3.3.pdf", "", "Pylontech"),
    ]
    router = DocumentRouter(documents)
    router.set_common(
        {
            "goodwe": "GoodWe ET series",
            "shm": "Sunny Portal, Sunny Boy, Sunny Home Manager",
            "pylon": "keep the battery in good condition",  # "good" as a plain word
        }
    )
    # found by an off-topic question answered from GoodWe's register map (offtopic3-tune)
    assert router.scores("what's a good retirement gift for a colleague?") == {}
    assert router.scores("is that a good idea?") == {}
    assert set(router.scores("GoodWe ET über Modbus")) == {"goodwe"}
    # "sunny" only SMA prints: it names SMA's manual alone ("Sunny Portal")
    assert set(router.scores("sunny portal anlagenbild hochladen")) == {"shm"}
