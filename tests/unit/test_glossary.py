"""German query terms expand to English manual vocabulary."""

from nikdesk.core.text import terms
from nikdesk.retrieval.glossary import expand

GLOSSARY = {
    "querschnitt": ("cross section",),
    "leistung": ("power",),
    "fehlerstromschutzschalter": ("residual current device", "rcd"),
}


def test_exact_word_expands() -> None:
    assert set(terms("cross section")) <= set(expand("Welcher Querschnitt?", GLOSSARY))


def test_compound_expands_through_its_head_noun() -> None:
    assert set(terms("power")) <= set(expand("maximale Ladeleistung", GLOSSARY))


def test_unknown_words_add_nothing() -> None:
    assert expand("Hallo Welt", GLOSSARY) == []


def test_bundled_glossary_loads() -> None:
    from nikdesk.retrieval.glossary import load_glossary

    table = load_glossary()
    assert len(table) > 100, "resources/glossary/de_en.tsv missing or nearly empty"
    assert "wechselrichter" in table


def test_the_english_terms_follow_the_question_order() -> None:
    # the lexical search keeps the first terms of a long question: no set order may decide
    found = expand("Zellspannung gesperrt Entladung")
    assert found.index("cell") < found.index("blocked") < found.index("discharg")


def test_cold_is_the_manuals_low_temperature() -> None:
    # "ab wieviel Grad Kälte sperrt der das Laden": the JK table says "low temperature"
    assert set(terms("low temperature")) <= set(expand("ab wieviel Grad Kälte sperrt der?"))
    assert set(terms("low temperature")) <= set(expand("Laden bei Frost?"))


def test_a_technicians_shorthand_names_the_part() -> None:
    # "welchen LS setz ich vor den WR": the manual says "Leistungsschalter"; "FI": "Fehlerstrom"
    assert set(terms("leitungsschutzschalter leistungsschalter")) <= set(expand("welchen LS?"))
    assert set(terms("circuit breaker")) <= set(expand("welchen LS vor den WR?"))
    assert set(terms("fehlerstrom")) <= set(expand("FI vorschalten?"))


def test_a_compound_s_qualifier_is_not_lost() -> None:
    # "Dauerentladestrom" is the JK table's "Continuous discharge current", not its maximum
    assert set(terms("continuous discharge current")) <= set(expand("jk dauerentladestrom?"))
    assert set(terms("start-up voltage")) <= set(expand("Einschaltspannung SH RT"))


def test_an_english_phrase_names_the_german_manuals_word() -> None:
    from nikdesk.retrieval.glossary import german_terms

    # "start-up voltage" is the Sungrow data sheet's "Einschaltspannung"
    (found,) = german_terms("sungrow SH RT pv start-up voltage?")
    assert "einschaltspannung" in found
    assert german_terms("what is the switchover time of the SH10RT") == [["umschaltzeit"]]
    # one English word stands for too many German compounds
    assert german_terms("which voltage?") == []
    # whole words only: no stem ("sicher" of "Sicherung" is in "Stellen Sie sicher"), no
    # short word ("fi" is in "Wi-Fi")
    (breaker,) = german_terms("Growatt MIC AC circuit breaker rating?")
    assert "sicherung" in breaker and "sicher" not in breaker
    assert all(
        len(word) >= 4 for words in german_terms("rcd: residual current device?") for word in words
    )
    # the German manual's word is the phrase itself: nothing to add
    assert german_terms("SH10RT anzahl mpp tracker?") == []


def test_hyphenated_keys_and_plural_abbreviations_are_met() -> None:
    from nikdesk.retrieval.glossary import expand

    # the question's "MPP-Tracker" is the token "mpptracker", never "mpp-tracker"
    assert "mppt" in expand("Wie viele MPP-Tracker hat der SH10RT?")
    assert "emergency" in expand("Wo ist der Not-Aus?")
    assert "rcd" in expand("Welcher FI-Schalter?")
    # the stemmer keeps the "s" of a word with no vowel
    assert "mppt" in expand("Wie viele MPPTs?")
    assert "led" not in expand("LEDs")  # the stemmer's own business


def test_an_english_question_meets_a_register_maps_words() -> None:
    # Deye p. 24: "521 | Electricity sold by the grid on the day Day_GridSell_Power"
    found = set(expand("which register holds today's energy sold to the grid?"))
    assert {"day", "sell"} <= found
    assert "purchas" in set(expand("energy bought from the grid today"))
    assert "communication" in set(expand("no rs485 comms"))


def test_a_compounds_first_part_is_translated_too() -> None:
    # "Akkuspannung" is the battery's voltage (EPEver "Maximum battery volt today"), not any
    # voltage; the first part with its linking "s" or lost "e" ("Kommunikations-", "Zell-")
    table = {
        "akku": ("battery",),
        "spannung": ("voltage",),
        "kommunikation": ("communication",),
        "kabel": ("cable",),
        "zelle": ("cell",),
        "temperatur": ("temperature",),
    }
    assert set(terms("battery voltage")) <= set(expand("Akkuspannung", table))
    assert set(terms("communication cable")) <= set(expand("Kommunikationskabel", table))
    assert set(terms("cell temperature")) <= set(expand("Zelltemperatur", table))
    # a first part the glossary does not know adds nothing of its own
    assert set(expand("Xyzspannung", table)) == set(terms("voltage"))


def test_a_german_phrase_expands_when_its_words_stand_in_a_row() -> None:
    # "ab Werk" is the English manuals' "default" ("Inverter Address … 247 is the default")
    assert "default" in expand("GoodWe ET: welche Slave-Adresse hat der ab Werk?")
    assert "default" in expand("Baudrate werkseitig?")
    # its words apart say no such thing: "ab dem Werk", "Werk … ab"
    assert "default" not in expand("Wie weit ist es ab dem Werk?")
    assert "default" not in expand("Kraftwerk schaltet ab")
    # a symptom in two words: the manuals' "offline", "communication lost"
    assert set(terms("offline")) <= set(expand("Wechselrichter nicht erreichbar"))
    assert set(terms("offline")) <= set(expand("Zähler hat keine Verbindung"))


def test_a_technicians_everyday_verbs_name_the_manuals_words() -> None:
    assert set(terms("curtail")) <= set(expand("Kann ich den WR auf 70 % abregeln?"))
    assert set(terms("polarity")) <= set(expand("Batterie verpolt angeschlossen"))
    assert set(terms("din rail")) <= set(expand("Passt der Zähler auf die Hutschiene?"))


def test_a_separable_verb_said_apart_is_its_infinitive() -> None:
    # "läuft nicht an" is "anlaufen", "stell ich … um" is "umstellen": the particle ends the
    # clause, however far from its verb
    assert "start" in expand("NIBE: Verdichter läuft nicht an, obwohl Heizbedarf da ist")
    assert "start" in expand("verdichter laeuft nicht an obwohl heizbedarf da ist")
    assert set(terms("switch off")) <= set(expand("Steca schaltet mittags ab – warum?"))
    assert set(terms("change")) <= set(expand("Wie stell ich den Batterietyp auf Lithium um?"))
    assert set(terms("enable")) <= set(expand("Wo schalte ich Modbus frei?"))
    # a particle inside its clause is a preposition: "geht an der Wallbox nicht"
    assert "switch" not in expand("Die Ladung geht an der Wallbox nicht")
    assert "start" not in expand("Der Verdichter läuft an der Grenze")
