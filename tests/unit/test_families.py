"""Register ranges a protocol document declares per device type (Growatt's p. 3)."""

from __future__ import annotations

from nikdesk.agent.families import (
    address_of,
    asks_ranges,
    declares_ranges,
    families_of,
    function_of,
    says_name,
)

# as pymupdf reads it: full-width brackets and colons, lines wrapped inside a declaration
GROWATT = """Instruction：Register range for various types of inverter
TL-X（MIN Type）：03 register range：0~124,3000~3124；04 register
range：3000~3124,3125~3249
TL3-X(MAX、MID、MAC Type)：03 register range：0~124,125~249；
04 register range：0~124,125~249
Storage(MIX Type)：03 register range：0~124,1000~1124；04 register
range：0~124,1000~1124
Storage(SPA Type)：03 register range：0~124,1000~1124；04 register
range：1000~1124,2000~2124
Storage(SPH Type)：03 register range：0~124,1000~1124；04 register
range：0~124,1000~1124
"""


def test_types_with_the_same_ranges_are_one_family() -> None:
    families = families_of(GROWATT)
    assert [f.label for f in families] == [
        "TL-X (MIN)",
        "TL3-X (MAX, MID, MAC)",
        "Storage (MIX, SPH)",
        "Storage (SPA)",
    ]
    tlx, tl3x, mix, spa = families
    assert tlx.names == {"tl-x", "min"}
    # input register 35 (the first group's Pac) is read by TL3-X and MIX/SPH, not by TL-X/SPA
    assert [f.holds("input", 35) for f in families] == [False, True, True, False]
    assert tlx.holds("input", 3023) and tlx.holds("holding", 30)
    assert spa.holds("input", 2035) and not spa.holds("holding", 2035)
    assert not mix.holds("holding", 3000) and tl3x.holds("holding", 200)


def test_a_document_declaring_no_or_one_type_has_no_families() -> None:
    assert families_of("Register map\n35. | Pac H | Output power") == ()
    one = "TL-X(MIN Type):03 register range:0~124;04 register range:3000~3124"
    assert families_of(one) == ()


def test_rows_sections_and_declarations_are_read() -> None:
    assert address_of("35. | Pac H | Output power (high) | 0.1W") == 35
    assert address_of("3071 | Etogrid_today H | Today energy to grid") == 3071
    assert address_of("Pac H | Output power") is None
    assert function_of("4.2 Input Reg") == "input"
    assert function_of("4.1 Holding Reg") == "holding"
    assert function_of("3 Device Message Transmission Mode") is None
    assert declares_ranges("Storage(SPA Type)：03 register range：0~124,1000~1124；04 register")
    assert not declares_ranges("30 | Com Address | Communicate address | W | 1-254 | 1")


def test_a_question_asking_for_ranges_is_told() -> None:
    assert asks_ranges("growatt modbus, which register range do i read with function 04?")
    assert asks_ranges("welche Registerbereiche kann ich abfragen?")
    assert not asks_ranges("which register gives the output power?")


def test_a_type_is_named_as_a_word_and_a_word_of_the_trade_only_as_a_type() -> None:
    assert says_name("tl-x", "growatt TL-X register", trade_word=False)
    assert says_name("tl-x", "growatt tlx register", trade_word=False)
    # a model's name ending in the type
    assert says_name("tl-x", "growatt mic750-3300tl-x", trade_word=False)
    assert says_name("tl3-x", "Growatt MOD 10KTL3-X register", trade_word=False)
    assert not says_name("tl-x", "growatt tl3-x register", trade_word=False)
    # "max", "min": in capitals, after the maker or before a model number
    assert says_name("max", "Growatt MAX register", trade_word=True, maker="growatt")
    assert says_name("max", "MAX 100KTL3-X register", trade_word=True, maker="growatt")
    assert says_name("min", "Growatt MIN TL-X über Modbus", trade_word=True, maker="growatt")
    assert not says_name("max", "growatt max charge current", trade_word=True, maker="growatt")
    # emphasis, a unit, a shouted question
    assert not says_name("max", "Growatt SPH: the MAX charge current?", True, "growatt")
    assert not says_name("min", "AC output power, 10 MIN average?", True, "growatt")
    assert not says_name("max", "GROWATT REGISTER FOR MAX CHARGE CURRENT?", True, "growatt")


def test_a_function_whose_ranges_are_lost_takes_the_other_functions() -> None:
    # the index's text of p. 3 lost TL3-X's "04 register range:0~124,125~249" line
    text = GROWATT.replace("04 register range：0~124,125~249\n", "")
    tl3x = next(f for f in families_of(text) if f.label.startswith("TL3-X"))
    assert [name for name, _ in tl3x.spans] == ["holding"]
    assert tl3x.holds("input", 114) and tl3x.holds("holding", 200)
    assert not tl3x.holds("input", 3071) and not tl3x.holds("holding", 3000)
