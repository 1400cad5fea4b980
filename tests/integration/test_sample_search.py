"""Search behaviour on the generated sample library (fast, no shared corpus needed)."""

from __future__ import annotations

import pytest

from nikdesk.app.sample import ensure_sample_library
from nikdesk.retrieval.build import build_index
from nikdesk.retrieval.excerpt import excerpt
from nikdesk.retrieval.hybrid import Retriever
from nikdesk.retrieval.types import Hit, SearchFilters, SearchOptions
from tests.conftest import e5_or_skip

MANUAL = "Nordlicht_NX-Hybrid_Installations-und_Servicehandbuch_DE.pdf"
BULLETIN = "Nordlicht_Servicemitteilung_SM-2026-04_NX-Hybrid_Firmware.md"


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    docs = ensure_sample_library(lambda _msg: None)
    out = tmp_path_factory.mktemp("sample") / "index"
    embedder = e5_or_skip()
    build_index(docs, out, embedder)
    return Retriever(out, embedder)


def search(r: Retriever, q: str, mode: str = "hybrid", **filters: tuple[str, ...]) -> list[Hit]:
    return r.search(q, SearchOptions(k=5, mode=mode, filters=SearchFilters(**filters)))


def where(hits: list[Hit]) -> list[tuple[str, int]]:
    return [(h.file, h.page) for h in hits]


def test_error_code_definition_ranks_first(retriever: Retriever) -> None:
    hits = search(retriever, "Der Wechselrichter zeigt E050 an. Was tun?")
    assert where(hits)[0] == (MANUAL, 12)
    assert "Isolationsfehler PV" in excerpt(hits[0].chunk, "E050")


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("Register 40069", 9),  # register number
        ("0x0044", 9),  # hex address
        ("Kuehlrippen reinigen", 13),  # ae/oe/ue spelling finds umlauts
        ("Wirkungsgrad 97.8", 15),  # decimal point finds decimal comma
    ],
)
def test_exact_tokens_match_lexically(retriever: Retriever, query: str, page: int) -> None:
    assert (MANUAL, page) in where(search(retriever, query, mode="lexical"))


def test_markdown_bulletin_is_searchable(retriever: Retriever) -> None:
    hits = search(retriever, "W-103 nach dem Aufwachen der Batterie – gibt es ein Firmware-Update?")
    assert BULLETIN in [h.file for h in hits[:2]]
    assert all(h.page == 1 for h in hits if h.file == BULLETIN)


def test_document_filter_restricts_hits(retriever: Retriever) -> None:
    hits = search(retriever, "Firmware", files=(BULLETIN,))
    assert hits and {h.file for h in hits} == {BULLETIN}


def test_hits_carry_raw_evidence_for_not_found_decisions(retriever: Retriever) -> None:
    hits = search(retriever, "Isolationsfehler PV E050")
    assert hits
    hit = hits[0]
    assert hit.dense_score is not None and 0.5 < hit.dense_score <= 1.0
    assert hit.lexical_score is not None and hit.lexical_score > 0
    off_topic = search(retriever, "Rezept für Apfelkuchen mit Zimt", mode="dense")
    assert off_topic and off_topic[0].dense_score is not None
    assert off_topic[0].dense_score < hit.dense_score


def test_the_share_of_known_words_tells_a_question_about_something_else(
    retriever: Retriever,
) -> None:
    share, unknown = retriever.known_share("Was bedeutet der Isolationsfehler E050?")
    assert share == 1.0 and unknown == []
    share, unknown = retriever.known_share("Wie backe ich ein Brot mit Zimt?")
    assert share < 0.5
    assert {"Brot", "Zimt"} <= set(unknown)  # quoted back as typed, without the "?"
