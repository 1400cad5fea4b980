"""Tests for the reranking stage (no network: Cohere through httpx.MockTransport)."""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from nikdesk.core.errors import ModelMissing, NeedsKey, NikDeskError, Offline
from nikdesk.retrieval.rerank import (
    RERANKERS,
    CohereReranker,
    FallbackReranker,
    LocalCrossEncoderReranker,
    NoReranker,
    Reranker,
    create_reranker,
)
from nikdesk.retrieval.types import Chunk, Hit
from tests.fakes import write_random_cross_encoder

KEY = "test-key-123"
QUERY = "inverter error code after firmware update"
TEXTS = [
    "battery voltage display",
    "wallbox charger manual",
    "inverter error code reset after firmware update",
    "grid fault",
]


def make_hits(texts: Sequence[str] = TEXTS) -> list[Hit]:
    return [
        Hit(
            chunk=Chunk(
                id=i,
                doc_id=f"doc{i}",
                file=f"manual{i}.pdf",
                page_start=i + 1,
                page_end=i + 1,
                section="",
                kind="text",
                text=text,
            ),
            score=1.0 - i / 10,
            dense_rank=i + 1,
        )
        for i, text in enumerate(texts)
    ]


class FixedScores(Reranker):
    """Score by a lookup table, to test the base class's ordering code."""

    name = "fixed"

    def __init__(self, table: dict[str, float]) -> None:
        self.table = table
        self.calls = 0

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        self.calls += 1
        return [self.table[t] for t in texts]


# --- base class and NoReranker ---------------------------------------------------------


def test_rerank_sorts_by_score_sets_rerank_score_and_is_stable_for_ties() -> None:
    hits = make_hits()
    ranker = FixedScores({TEXTS[0]: 0.1, TEXTS[1]: 0.5, TEXTS[2]: 0.9, TEXTS[3]: 0.5})

    ranked = ranker.rerank(QUERY, hits)

    assert ranker.calls == 1
    assert [h.chunk.id for h in ranked] == [2, 1, 3, 0]  # 1 before 3: tie keeps input order
    assert [h.score for h in ranked] == [0.9, 0.5, 0.5, 0.1]
    assert [h.rerank_score for h in ranked] == [0.9, 0.5, 0.5, 0.1]
    assert ranked[0].dense_rank == 3  # other fields survive
    assert [h.chunk.id for h in ranker.rerank(QUERY, hits, top_n=2)] == [2, 1]
    assert ranker.rerank(QUERY, []) == []


def test_no_reranker_keeps_hits_unchanged() -> None:
    hits = make_hits()
    ranker = NoReranker()

    assert ranker.rerank(QUERY, hits) == hits
    assert ranker.rerank(QUERY, hits, top_n=2) == hits[:2]
    assert ranker.score(QUERY, TEXTS) == [0.0] * len(TEXTS)


# --- Cohere through an injected httpx transport ----------------------------------------


def cohere_reranker(handler: Callable[[httpx.Request], httpx.Response]) -> CohereReranker:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return CohereReranker(KEY, http_client=client)


def test_cohere_request_and_reordering() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.url.path.endswith("/v2/rerank")
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        body = json.loads(request.content)
        seen.append(body)
        assert body["query"] == QUERY
        assert body["documents"] == TEXTS
        assert body["model"] == "rerank-v3.5"
        assert body["top_n"] == len(TEXTS)
        # Cohere returns results sorted by relevance, each pointing back at an input index.
        return httpx.Response(
            200,
            json={
                "id": "07734bd2-2473-4f07-94e1-0d9f0e6843cf",
                "results": [
                    {"index": 2, "relevance_score": 0.91},
                    {"index": 0, "relevance_score": 0.42},
                    {"index": 3, "relevance_score": 0.07},
                    {"index": 1, "relevance_score": 0.003},
                ],
                "meta": {"api_version": {"version": "2"}, "billed_units": {"search_units": 1}},
            },
        )

    ranker = cohere_reranker(handler)
    assert ranker.needs_network

    assert ranker.score(QUERY, TEXTS) == [0.42, 0.003, 0.91, 0.07]  # back in input order
    ranked = ranker.rerank(QUERY, make_hits(), top_n=3)

    assert len(seen) == 2
    assert [h.chunk.id for h in ranked] == [2, 0, 3]
    assert [h.rerank_score for h in ranked] == [0.91, 0.42, 0.07]


def test_cohere_missing_documents_rank_last() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"id": "x", "results": [{"index": 1, "relevance_score": 0.5}]}
        )

    scores = cohere_reranker(handler).score(QUERY, TEXTS)

    assert scores[1] == 0.5
    assert all(s == -math.inf for i, s in enumerate(scores) if i != 1)


def test_cohere_empty_input_makes_no_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    assert cohere_reranker(handler).rerank(QUERY, []) == []


def test_cohere_connect_error_is_offline() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Name or service not known", request=request)

    with pytest.raises(Offline, match="Cohere could not be reached"):
        cohere_reranker(handler).score(QUERY, TEXTS)


def test_cohere_timeout_is_offline() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(Offline):
        cohere_reranker(handler).score(QUERY, TEXTS)


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (401, NeedsKey, "rejected the API key"),
        (403, NeedsKey, "rejected the API key"),
        (429, Offline, "Try again later"),
        (503, Offline, "Try again later"),
        (400, NikDeskError, "invalid request: documents must not be empty"),
    ],
)
def test_cohere_http_errors_are_typed(status: int, error: type[NikDeskError], text: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        message = "invalid request: documents must not be empty" if status == 400 else "nope"
        return httpx.Response(status, json={"id": "x", "message": message})

    with pytest.raises(error, match=text) as info:
        cohere_reranker(handler).score(QUERY, TEXTS)
    assert KEY not in str(info.value)


@pytest.mark.parametrize("key", [None, ""])
def test_cohere_missing_key_needs_key(key: str | None) -> None:
    with pytest.raises(NeedsKey, match="COHERE_API_KEY"):
        CohereReranker(key)


def test_fallback_uses_fallback_when_primary_offline(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("offline", request=request)

    fallback = FixedScores({TEXTS[0]: 3.0, TEXTS[1]: 2.0, TEXTS[2]: 1.0, TEXTS[3]: 0.0})
    ranker = FallbackReranker(cohere_reranker(handler), fallback)

    with caplog.at_level(logging.WARNING, logger="nikdesk.retrieval.rerank"):
        ranked = ranker.rerank(QUERY, make_hits())

    assert [h.chunk.id for h in ranked] == [0, 1, 2, 3]
    assert [h.rerank_score for h in ranked] == [3.0, 2.0, 1.0, 0.0]
    assert fallback.calls == 1
    assert "offline" in caplog.text
    assert KEY not in caplog.text


def test_fallback_to_none_keeps_hits_and_prefers_primary_when_online() -> None:
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("offline", request=request)

    def online(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"id": "x", "results": [{"index": 3, "relevance_score": 0.8}]}
        )

    hits = make_hits()
    assert FallbackReranker(cohere_reranker(offline), NoReranker()).rerank(QUERY, hits) == hits
    ranked = FallbackReranker(cohere_reranker(online), NoReranker()).rerank(QUERY, hits)
    assert ranked[0].chunk.id == 3


def test_fallback_does_not_hide_a_rejected_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": "invalid api token"})

    with pytest.raises(NeedsKey):
        FallbackReranker(cohere_reranker(handler), NoReranker()).rerank(QUERY, make_hits())


# --- local cross-encoder (tiny random-weight model built here) -------------------------

WORDS = sorted({w for t in [QUERY, *TEXTS] for w in t.split()})


def build_tiny_cross_encoder(model_dir: Path) -> None:
    """Write a 1-layer BERT cross-encoder with RANDOM weights (see tests/fakes.py)."""
    write_random_cross_encoder(model_dir, WORDS)


@pytest.fixture(scope="module")
def local_ranker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCrossEncoderReranker]:
    pytest.importorskip("rerankers")
    pytest.importorskip("transformers")
    model_dir = tmp_path_factory.mktemp("tiny-cross-encoder")
    build_tiny_cross_encoder(model_dir)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "0")  # restored afterwards; the reranker must set it itself
        ranker = LocalCrossEncoderReranker(model_dir)
        assert os.environ["HF_HUB_OFFLINE"] == "1"
        yield ranker


def test_local_cross_encoder_plumbing(local_ranker: LocalCrossEncoderReranker) -> None:
    """Load a tiny cross-encoder from a directory and check score/rerank plumbing.

    The model's weights are RANDOM: this proves loading, input-order mapping and sorting
    through the real ``rerankers``/``transformers`` stack, not ranking quality.
    """
    scores = local_ranker.score(QUERY, TEXTS)
    assert len(scores) == len(TEXTS)
    assert all(math.isfinite(s) for s in scores)
    assert len(set(scores)) == len(TEXTS)  # distinct, so the order checks below mean something

    # rerankers returns results sorted by score; our mapping must put each back on its text.
    shuffled = [TEXTS[i] for i in (3, 1, 0, 2)]
    by_text = dict(zip(TEXTS, scores, strict=True))
    for text, score in zip(shuffled, local_ranker.score(QUERY, shuffled), strict=True):
        assert score == pytest.approx(by_text[text], abs=1e-5)

    ranked = local_ranker.rerank(QUERY, make_hits())
    assert [h.rerank_score for h in ranked] == sorted(scores, reverse=True)
    assert [h.chunk.text for h in ranked] == sorted(TEXTS, key=by_text.__getitem__, reverse=True)


def test_local_cross_encoder_single_and_empty(local_ranker: LocalCrossEncoderReranker) -> None:
    single = local_ranker.score(QUERY, [TEXTS[2]])
    assert len(single) == 1 and math.isfinite(single[0])
    assert local_ranker.score(QUERY, []) == []


def test_local_cross_encoder_more_texts_than_a_batch(
    local_ranker: LocalCrossEncoderReranker,
) -> None:
    texts = [f"{TEXTS[i % 4]} {WORDS[i % len(WORDS)]}" for i in range(17)]  # 16 + a batch of one
    scores = local_ranker.score(QUERY, texts)
    assert len(scores) == 17 and all(math.isfinite(s) for s in scores)


def test_local_missing_dir_is_model_missing(tmp_path: Path) -> None:
    missing = tmp_path / "models" / "reranker"
    with pytest.raises(ModelMissing) as info:
        LocalCrossEncoderReranker(missing)
    message = str(info.value)
    assert str(missing.resolve()) in message
    assert "config.json" in message and "cross-encoder" in message


def test_local_dir_without_config_is_model_missing(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(ModelMissing, match=r"config\.json"):
        LocalCrossEncoderReranker(tmp_path)


def test_local_dir_without_weights_is_model_missing(tmp_path: Path) -> None:
    pytest.importorskip("rerankers")
    from transformers import BertConfig

    BertConfig(num_hidden_layers=1).save_pretrained(tmp_path)
    with pytest.raises(ModelMissing, match="could not be loaded") as info:
        LocalCrossEncoderReranker(tmp_path)
    assert str(tmp_path.resolve()) in str(info.value)


# --- registry --------------------------------------------------------------------------


def test_registry_names_and_create() -> None:
    assert set(RERANKERS.names()) == {"none", "local", "cohere"}
    assert all(RERANKERS.factory(n).name == n for n in RERANKERS.names())  # type: ignore[attr-defined]
    assert isinstance(create_reranker("none"), NoReranker)
    with pytest.raises(NeedsKey):
        create_reranker("cohere", api_key=None)


def test_registry_unknown_name_lists_valid_names() -> None:
    with pytest.raises(NikDeskError, match="cohere, local, none") as info:
        create_reranker("colbert")
    assert "colbert" in str(info.value)


def test_module_import_is_light() -> None:
    code = (
        "import sys\n"
        "import nikdesk.retrieval\n"
        "before = set(sys.modules)\n"
        "import nikdesk.retrieval.rerank\n"
        "heavy = {'rerankers', 'cohere', 'torch', 'transformers', 'httpx'}\n"
        "print(sorted(heavy & (set(sys.modules) - before)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert out.stdout.strip() == "[]"
