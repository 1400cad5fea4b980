"""German/English lexical normalisation: umlauts, ß, decimal commas, codes."""

from nikdesk.core.text import fold, raw_tokens, terms


def test_fold_umlauts_sharp_s_and_case() -> None:
    assert fold("Größe STRASSE Straße Übertemperatur") == "groesse strasse strasse uebertemperatur"


def test_umlaut_and_transliteration_meet() -> None:
    assert terms("Isolationswiderstände") == terms("Isolationswiderstaende")
    assert terms("Anschlußklemme") == terms("Anschlussklemme")


def test_decimal_comma_equals_decimal_point() -> None:
    assert terms("97,6 %") == terms("97.6 %")
    assert "97p6" in raw_tokens("Wirkungsgrad 97,6 %")


def test_codes_match_with_and_without_separator() -> None:
    # "F-012" in a manual and "F012" in a question (or the reverse) share the joined token
    assert "f012" in raw_tokens("F-012") and "f012" in raw_tokens("F012")
    assert "ddsu666h" in raw_tokens("DDSU666-H") and "ddsu666" in raw_tokens("DDSU666-H")
    assert "0x1a2b" in raw_tokens("Adresse 0x1A2B")
    assert {"30001", "40069"} <= set(raw_tokens("Register 30001 und 40069"))
    assert "e050" in raw_tokens("Fehler E050")


def test_stopwords_dropped_only_when_asked() -> None:
    assert "und" in terms("Fehler und Warnung")
    assert "und" not in terms("Fehler und Warnung", drop_stopwords=True)


def test_a_camel_case_field_name_yields_its_abbreviations() -> None:
    # SolaX prints "BMS_UserSOH"; a technician asks for "den SOH"
    assert "soh" in raw_tokens("0x00BF | BMS_UserSOH | R | 1%")
    assert {"bat", "soc"} & set(raw_tokens("BatSOC")) == {"soc"}
    # its words stay whole: "GridFreqRecoverTime" is no "grid" row; short units stay units
    assert "grid" not in raw_tokens("058E | GridFreqRecoverTime | 0.02S")
    assert raw_tokens("kWh SoC") == ["kwh", "soc"]
