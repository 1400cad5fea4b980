"""Refusal guards that do not depend on a model: unsafe requests and devices we have no manual for.

Both read their patterns from ``resources/agent/`` (``safety.toml``, ``catalog.toml``) so the
field team can extend them without a release of the code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path

from nikdesk.core.paths import resources_dir
from nikdesk.core.text import fold

# degree signs that folding would lose: "-20ºC ~ 60ºC" (the ordinal sign), "60˚C" (a ring)
_DEGREES = str.maketrans({"\u00ba": "°", "\u02da": "°"})


def _fold_text(text: str) -> str:
    # normalize.fold also strips punctuation in places; keep spaces and hyphens for the regexes
    return fold(text.translate(_DEGREES)).replace("\u00a0", " ").replace("_", " ")


@dataclass(frozen=True)
class SafetyRules:
    """Patterns of requests that ask to defeat a protective function."""

    defeat: tuple[re.Pattern[str], ...]
    protection: tuple[re.Pattern[str], ...]
    always: tuple[re.Pattern[str], ...]
    off_topic: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def load(cls, path: Path | None = None) -> SafetyRules:
        """Read ``resources/agent/safety.toml``."""
        path = path or resources_dir() / "agent" / "safety.toml"
        raw = tomllib.loads(path.read_text(encoding="utf-8"))

        def compiled(key: str) -> tuple[re.Pattern[str], ...]:
            return tuple(re.compile(p) for p in raw.get(key, []))

        return cls(
            compiled("defeat"), compiled("protection"), compiled("always"), compiled("off_topic")
        )

    def is_unsafe(self, question: str) -> bool:
        """Tell whether ``question`` asks how to defeat a protection or work on live parts.

        The protection may be named in an earlier sentence ("Der FI fliegt raus. Kann ich den
        überbrücken?"), so it is looked for in the whole question.
        """
        text = _fold_text(question)
        if any(p.search(text) for p in self.always):
            return True
        names_protection = any(p.search(text) for p in self.protection)
        return names_protection and any(p.search(text) for p in self.defeat)

    def out_of_scope(self, question: str, manuals: tuple[str, ...] = ()) -> bool:
        """Tell whether ``question`` is about tax, tariffs or paperwork rather than devices.

        ``manuals``: the folded texts of the device the question names. A tariff word the
        question uses as such a manual does, with the word after it ("Strompreis
        automatisch": the go-e Charger's charging mode "Strompreis - automatisch"), names a
        function of the device. The word alone does not: the Home Manager manual asks for
        the "Stromtarif", which makes "Welcher Stromtarif lohnt sich?" no question for it.
        """
        text = _fold_text(question)
        return any(
            not any(_device_function(found, text, m) for m in manuals)
            for p in self.off_topic
            for found in [p.search(text)]
            if found
        )


_NEXT_WORD = re.compile(r"\W*(\w{3,})")


def _device_function(found: re.Match[str], question: str, manual: str) -> bool:
    # the manual prints the tariff word with the question's next word ("strompreis -
    # automatisch"), at most a few marks between them
    following = _NEXT_WORD.match(question, found.end())
    if following is None:
        return False
    phrase = rf"{re.escape(found.group())}\W{{1,5}}{re.escape(following.group(1))}"
    return re.search(phrase, manual) is not None


@dataclass(frozen=True)
class Catalog:
    """Brands and product lines of the trade, and which of them the library covers."""

    brands: dict[str, re.Pattern[str]]
    products: dict[str, re.Pattern[str]]
    # brand -> its device lines beyond [products] ("JK BMS", "JK Active Balancer"), and the
    # words for the kind of device that name a line in a question ("der Sungrow Speicher")
    devices: dict[str, dict[str, re.Pattern[str]]] = field(default_factory=dict)
    kinds: dict[str, dict[str, re.Pattern[str]]] = field(default_factory=dict)
    # everyday devices outside the trade ("Kaffeevollautomat", "printer"): no manual of the
    # library is about them, whatever it mentions
    appliances: dict[str, re.Pattern[str]] = field(default_factory=dict)
    # general practice and knowledge ("Leitungsbemessung nach Norm"): no manual is about it
    general: dict[str, re.Pattern[str]] = field(default_factory=dict)
    # the brands whose lines are interfaces of one device (go-e's HTTP API and Modbus TCP):
    # a question names one only by the interface's words (its ``kinds``), never by the
    # device the documents share a name with
    interfaces: frozenset[str] = frozenset()
    # kinds of device a question may name instead of a maker ("Wallbox: …"): the words
    # naming one in a question, and the documents' labels of the library's devices of it
    classes: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = field(default_factory=dict)
    # everyday devices around the trade ("Laptop-Akku", "WLAN-Repeater", "AdBlue"), which count
    # only when the question names none of the trade's own devices or words (``trade``)
    surroundings: dict[str, re.Pattern[str]] = field(default_factory=dict)
    trade: re.Pattern[str] | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> Catalog:
        """Read ``resources/agent/catalog.toml``."""
        path = path or resources_dir() / "agent" / "catalog.toml"
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        interfaces = raw.get("interfaces", {})
        return cls(
            {k: re.compile(v) for k, v in raw.get("brands", {}).items()},
            {k: re.compile(v) for k, v in raw.get("products", {}).items()},
            _by_brand(
                {
                    brand: {**raw.get("devices", {}).get(brand, {}), **interfaces.get(brand, {})}
                    for brand in {*raw.get("devices", {}), *interfaces}
                }
            ),
            _by_brand(raw.get("device_kinds", {})),
            {k: re.compile(v) for k, v in raw.get("appliances", {}).items()},
            {k: re.compile(v) for k, v in raw.get("general", {}).items()},
            frozenset(interfaces),
            {
                name: (re.compile(c["asks"]), re.compile(c["documents"]))
                for name, c in raw.get("device_classes", {}).items()
            },
            {k: re.compile(v) for k, v in raw.get("surroundings", {}).items()},
            re.compile(raw["trade"]["words"]) if "trade" in raw else None,
        )

    def class_documents(self, question: str, labels: dict[str, str]) -> set[str]:
        """Return the documents of the kinds of device ``question`` names ("Wallbox").

        ``labels``: doc id -> its folded file name and title. Empty when it names no kind.
        """
        text = _fold_text(question)
        named = [docs for asks, docs in self.classes.values() if asks.search(text)]
        return {d for d, label in labels.items() if any(p.search(label) for p in named)}

    def names_device(self, question: str) -> bool:
        """Tell whether ``question`` names a brand or product line of the catalogue."""
        text = _fold_text(question)
        return any(p.search(text) for p in (*self.brands.values(), *self.products.values()))

    def products_named(self, question: str) -> list[re.Pattern[str]]:
        """Return the patterns of the product lines ``question`` names ("VVM S320": NIBE's)."""
        text = _fold_text(question)
        return [p for p in self.products.values() if p.search(text)]

    def general_topics(self, question: str) -> list[str]:
        """Return the general topics ``question`` asks about when it names no device.

        "How do I calculate the voltage drop on a 30 m run of 10 mm²?", "Strombelastbarkeit
        nach DIN VDE 0298-4": general practice, not what a device's manual says. Empty when
        the question names a brand or product line of the catalogue.
        """
        if self.names_device(question):
            return []
        text = _fold_text(question)
        return [name for name, pattern in self.general.items() if pattern.search(text)]

    def uncovered(self, question: str, library: list[tuple[str, str]]) -> list[str]:
        """Return the devices ``question`` names when the library has a manual for none of them.

        ``library`` holds per document its label (file name, title, manufacturer) and its
        text, both folded with :func:`fold_library` (once per index: folding is the slow
        part). A label match covers a device. A mention in the text covers it only when the
        label names no other product line of the catalogue: the Home Manager manual lists
        "Sunny Boy" among compatible devices, yet it is no Sunny Boy manual.
        Products are checked before brands: "SMA Sunny Tripower" is uncovered even though the
        library has an SMA manual. An everyday appliance ("Mein Drucker hat einen Papierstau")
        is never covered, when the question names no device of the trade beside it; one
        around the trade ("Laptop-Akku", "WLAN-Repeater") only when it names none of the
        trade's words either ("Rauchmelder beim Batteriespeicher" is the trade's question).
        """
        text = _fold_text(question)
        products = [name for name, pattern in self.products.items() if pattern.search(text)]
        brands = [name for name, pattern in self.brands.items() if pattern.search(text)]
        everyday = dict(self.appliances)
        if not self.names_trade(question):
            everyday |= self.surroundings
        if not (products or brands) and (
            appliances := [name for name, p in everyday.items() if p.search(text)]
        ):
            # the appliance is what the question is about, not a consumer the Home Manager
            # switches or a TV beside the inverter ("Sunny Home Manager … Waschmaschine")
            return appliances
        holders = [doc for doc in library if self._holds_any(products, doc)]
        if products and not holders:
            return products
        if brands and not any(
            self._brand_covered(self.brands[n], library, holders) for n in brands
        ):
            return brands
        return []

    def names_trade(self, question: str) -> bool:
        """Tell whether ``question`` says a word of the trade ("Wechselrichter", "Modbus", "PV")."""
        return self.trade is not None and bool(self.trade.search(_fold_text(question)))

    def _brand_covered(
        self,
        pattern: re.Pattern[str],
        library: list[tuple[str, str]],
        holders: list[tuple[str, str]],
    ) -> bool:
        # a manual of the brand, or the maker of a covered product named beside it ("SMA Sunny
        # Boy"); a covered product line ("MPPT") does not cover another brand ("Hoymiles")
        return any(self._holds(pattern, doc) for doc in library) or any(
            pattern.search(text) for _label, text in holders
        )

    def _holds_any(self, products: list[str], doc: tuple[str, str]) -> bool:
        return any(self._holds(self.products[name], doc) for name in products)

    def _holds(self, pattern: re.Pattern[str], doc: tuple[str, str]) -> bool:
        """Tell whether ``doc`` (label, text) covers the device ``pattern`` names."""
        label, text_of_doc = doc
        if pattern.search(label):
            return True
        return bool(pattern.search(text_of_doc)) and not self._names_product(label)

    def makers_of_products(self, question: str) -> list[re.Pattern[str]]:
        """Return the patterns of the brands whose product lines ``question`` names.

        "smartshunt 1000a": Victron's, as the catalogue files it ("Victron SmartShunt"). Only
        a line named by words: a model number is another maker's part as well ("TOP90-S10/SP4",
        a Growatt current transformer, is no E3/DC S10).
        """
        text = _fold_text(question)
        return [
            self.brands[brand]
            for name, pattern in self.products.items()
            if (m := pattern.search(text)) and not any(ch.isdigit() for ch in m.group())
            for brand in self.brands
            if name.startswith(f"{brand} ")
        ]

    def brands_named(self, question: str) -> list[re.Pattern[str]]:
        """Return the patterns of the brands ``question`` names."""
        return [self.brands[name] for name in self.brand_names(question)]

    def brand_names(self, text: str) -> list[str]:
        """Return the brands folded ``text`` (a question or a document's label) names."""
        folded = _fold_text(text)
        return [name for name, pattern in self.brands.items() if pattern.search(folded)]

    def device_line(self, label: str, brand: str) -> str | None:
        """Return the line of ``brand`` a document's folded ``label`` names (None: all).

        A maker's protocol for all its inverters names no line: it applies to each.
        """
        for name, pattern in self._lines(brand).items():
            if pattern.search(label):
                return name
        return None

    def lines_named(self, question: str, brand: str, lines: set[str]) -> set[str]:
        """Return the ``lines`` of ``brand`` that ``question`` names, by name or by the kind
        of device ("der Sungrow Speicher" is the SBR)."""
        text = _fold_text(question)
        # "Victron BMV" names the device both the HEX and the text protocol speak
        named = {} if brand in self.interfaces else self._lines(brand)
        kinds = self.kinds.get(brand, {})
        return {
            line
            for line in lines
            if any(p.search(text) for p in (named.get(line), kinds.get(line)) if p is not None)
        }

    def one_name(self, question: str, brand: str, lines: set[str]) -> bool:
        """Tell whether ``question`` names all ``lines`` of ``brand`` by one word.

        JK calls a balancer and a BMS family "B2A24S": "jk b2a24s weight?" names both lines
        and means one of them, where "SBR mit dem Wechselrichter" names two, each by its word.
        """
        # "SH10RT/SBR128", "SH10RT+SBR" name two; a kind of device ("Batterie-Wechselrichter")
        # names no product
        words = re.findall(r"[^\s,;!?()/+&]+", _fold_text(question))
        named = self._lines(brand)
        naming = [{w for w in words if (p := named.get(line)) and p.search(w)} for line in lines]
        return (
            len(naming) >= 2 and all(len(n) == 1 for n in naming) and len(set.union(*naming)) == 1
        )

    def interfaces_called(self, question: str, brand: str) -> set[str]:
        """Return the interface lines of ``brand`` the question calls by name ("over Modbus
        TCP", "the HEX protocol"), not only by the words of one ("cloud", "register")."""
        if brand not in self.interfaces:
            return set()
        text = _fold_text(question)
        return {line for line, p in self.devices.get(brand, {}).items() if p.search(text)}

    @property
    def interface_lines(self) -> frozenset[str]:
        """Return the names of the interface lines of all brands ("go-e Charger Modbus TCP")."""
        return frozenset(line for b in self.interfaces for line in self.devices.get(b, {}))

    def _lines(self, brand: str) -> dict[str, re.Pattern[str]]:
        # the brand's own device lines first, then its product lines
        own = {n: p for n, p in self.products.items() if n.startswith(f"{brand} ")}
        return {**self.devices.get(brand, {}), **own}

    def _names_product(self, label: str) -> bool:
        return any(p.search(label) for p in self.products.values())


def _by_brand(raw: dict[str, dict[str, str]]) -> dict[str, dict[str, re.Pattern[str]]]:
    return {b: {k: re.compile(v) for k, v in lines.items()} for b, lines in raw.items()}


def fold_library(library: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return (label, text) pairs folded the way :meth:`Catalog.uncovered` matches them."""
    return [(_fold_text(label), _fold_text(text)) for label, text in library]


@dataclass(frozen=True)
class AnswerType:
    """A kind of value a question asks for, and how such a value looks in a manual."""

    name: str
    label: str
    asks: re.Pattern[str]
    value: re.Pattern[str]
    strict: bool = True  # no passage stating such a value -> "not in the manuals"
    interface_documents: bool = False  # any passage of an API/protocol document states one
    # a property of the whole device (its weight, IP rating), and how a manual's line names it
    # ("Gewicht", "Schutzart"): its data sheet states it once, for no part the question may
    # name (a torque or a cross-section belongs to a part); None for the others
    whole_device: re.Pattern[str] | None = None
    # a value of it answers only a line sharing the question's words: a count is of something
    # ("maximal 2 Wechselrichter" says nothing of "wie viele MPP-Tracker")
    of_topic: bool = False


def load_answer_types(path: Path | None = None) -> tuple[AnswerType, ...]:
    """Read ``resources/agent/answer_types.toml``."""
    path = path or resources_dir() / "agent" / "answer_types.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return tuple(
        AnswerType(
            name,
            str(v["label"]),
            re.compile(v["asks"]),
            re.compile(v["value"]),
            bool(v.get("strict", True)),
            bool(v.get("interface_documents", False)),
            re.compile(v["whole_device"]) if "whole_device" in v else None,
            bool(v.get("of_topic", False)),
        )
        for name, v in raw.items()
    )


def asked_types(question: str, strict_only: bool = True) -> list[AnswerType]:
    """Return the kinds of value ``question`` asks for (usually none).

    ``strict_only``: only the kinds whose absence means "not in the manuals"; the others
    (currents, voltages, …) only help to find the line stating the value.
    """
    text = _fold_text(question)
    return [t for t in answer_types() if (t.strict or not strict_only) and _asks(t, text)]


# "welchen Kurzschlussstrom … für die DC-Absicherung": the fuse is what the value is for
_PURPOSE = re.compile(r"\b(fuer|for)\s+((die|den|das|dem|der|eine[nmr]?|the|a|an)\s+)?$")


def _asks(kind: AnswerType, text: str) -> bool:
    # asked unless every mention stands in a purpose phrase ("für die DC-Absicherung")
    before = (re.sub(r"\S*$", "", text[: m.start()]) for m in kind.asks.finditer(text))
    return any(not _PURPOSE.search(words) for words in before)


def holds_value(kind: AnswerType, passage: str) -> bool:
    """Tell whether ``passage`` states a value of ``kind`` (e.g. "IP65", "10 Jahre").

    A table states it in a row under a column its header names: "Verbindung | Port" over
    "WLAN | 502" states the port 502 as "Port 502" would.
    """
    text = _fold_text(passage)
    if kind.value.search(text):
        return True
    return " | " in text and any(
        kind.value.search(cell)
        for cell in chain(_under_header(text), _with_unit_cell(text), _with_said_unit(text))
    )


# a row's unit cell: "Single undervoltage protection | 2.9 | 2.6 | 1.8 | V" (a data sheet's
# "Unit" column); folded. Not "w": a register map's last cell "w" is its access (Schrack's
# "1000 | … | Reset - Gesamter EVCC | 0: kein Reset, 1234: Reset | w" holds no 1000 watts)
_UNITS = "v|mv|kv|a|ma|ka|kw|kva|va|wh|kwh|ah|mah|hz|khz|s|ms|min|h|°c|℃|%|mm|cm|m|kg|bar"
_UNIT_CELL = re.compile(rf"^({_UNITS})$")
_PLAIN_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")
# ... and a header's unit in brackets ("Spannung [V]"); not a lone letter but "V" ("Address
# (h)" is hexadecimal, "Zugriff (S)" and "Anschluss (A)" name no unit)
_HEADER_UNITS = "|".join(u for u in _UNITS.split("|") if u == "v" or not u.isalpha() or len(u) > 1)
_HEADER_UNIT = re.compile(rf"[\[(]\s?({_HEADER_UNITS})\s?[\])]\s*$")


# a row's unit said in words and its default: "C | CC.C | AC output frequency | … The units is
# Hz. | Default 50.0 for HV models 60.0 for LV models" (Voltronic PI30's QDI)
_SAID_UNIT = re.compile(rf"\bunits? (?:is|are|in|:)\s*({_UNITS})\b")
_DEFAULT_NUMBER = re.compile(r"\bdefault(?: value)?\s*:?\s*(-?\d+(?:[.,]\d+)?)\b")


def _with_said_unit(text: str) -> Iterator[str]:
    # each default of a row that says its unit in words, with that unit ("50.0 hz")
    for line in text.splitlines():
        if " | " not in line or not (unit := _SAID_UNIT.search(line)):
            continue
        yield from (f"{n} {unit.group(1)}" for n in _DEFAULT_NUMBER.findall(line))


def _with_unit_cell(text: str) -> Iterator[str]:
    # each number of a row ending in a unit cell, with that unit: "2.9 v" from "1 | Single
    # undervoltage protection | 2.9 | 2.6 | 1.8 | V" (a data sheet's "Unit" column). Two
    # numbers at least: a register row's "… | W | 0:Meter 1:CT | 1" holds an access cell, not
    # watts. (The unit after the row's name, "Absicherung | A | 16 | 25", was tried: it made
    # "beim Warmwasser Strom sparen" a question about NIBE's fuse sizes, +1/-1 on tuning sets)
    for line in text.splitlines():
        cells = [c.strip() for c in line.split(" | ")]
        if len(cells) < 3 or not _UNIT_CELL.match(cells[-1]):
            continue
        numbers = [c for c in cells[:-1] if _PLAIN_NUMBER.match(c)]
        if len(numbers) >= 2:
            yield from (f"{n} {cells[-1]}" for n in numbers)


def _under_header(text: str) -> Iterator[str]:
    # each cell of a table's rows with its column's name before it: "port 502". The header is
    # the first row of a table and names columns: it holds no digit ("0500 | Vpv1 | 0.1V"
    # over "0515 | Meter status" is a data row, and "vpv1 meter" no cable length)
    header: list[str] | None = None
    first = True
    for line in text.splitlines():
        cells = [c.strip() for c in line.split(" | ")]
        if len(cells) < 2:
            header, first = None, True
        elif first:
            header = None if any(ch.isdigit() for ch in line) else cells
            first = False
        elif header is not None and len(cells) == len(header):
            for h, c in zip(header, cells, strict=True):
                yield f"{h} {c}"
                # "Spannung [V]" over "230": the header's unit is the cell's
                if (unit := _HEADER_UNIT.search(h)) and _PLAIN_NUMBER.match(c):
                    yield f"{c} {unit.group(1)}"


@lru_cache(maxsize=1)
def answer_types() -> tuple[AnswerType, ...]:
    """Return the bundled answer types (read once)."""
    return load_answer_types()


@lru_cache(maxsize=1)
def safety_rules() -> SafetyRules:
    """Return the bundled safety rules (read once)."""
    return SafetyRules.load()


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """Return the bundled device catalogue (read once)."""
    return Catalog.load()
