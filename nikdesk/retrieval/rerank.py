"""Rerank search hits: one small interface, a local cross-encoder, Cohere, and a registry.

Heavy dependencies (``rerankers``/``torch``/``transformers``, ``cohere``, ``httpx``) are
imported only when a reranker that needs them is constructed or called.
"""

from __future__ import annotations

import logging
import math
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nikdesk.core.errors import MissingExtra, ModelMissing, NeedsKey, NikDeskError, Offline
from nikdesk.core.registry import Factory, Registry
from nikdesk.retrieval.types import Hit

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

LOCAL_MODEL_EXAMPLE = "cross-encoder/mmarco-mMiniLMv2-L12-H384-v1"
COHERE_DEFAULT_MODEL = "rerank-v3.5"


class Reranker(ABC):
    """Score (query, text) pairs; everything else derives from :meth:`score`."""

    name: str
    needs_network: bool = False

    @abstractmethod
    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        """Return one relevance score per text, in input order (higher = more relevant)."""

    def rerank(self, query: str, hits: Sequence[Hit], top_n: int | None = None) -> list[Hit]:
        """Return the hits sorted by rerank score (stable for ties), cut to ``top_n``."""
        if not hits:
            return []
        scores = self.score(query, [hit.chunk.text for hit in hits])
        if len(scores) != len(hits):
            raise RuntimeError(
                f"{type(self).__name__}.score returned {len(scores)} scores for {len(hits)} texts"
            )
        # NaN would make the sort order undefined; treat it as "least relevant".
        keys = [-math.inf if math.isnan(s) else s for s in scores]
        order = sorted(range(len(hits)), key=lambda i: keys[i], reverse=True)  # sorted() is stable
        ranked = [hits[i].with_score(scores[i], rerank_score=scores[i]) for i in order]
        return ranked if top_n is None else ranked[:top_n]


class NoReranker(Reranker):
    """Keep the retrieval order: the reranker for "no reranking"."""

    name = "none"

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        """Return a zero for every text."""
        return [0.0] * len(texts)

    def rerank(self, query: str, hits: Sequence[Hit], top_n: int | None = None) -> list[Hit]:
        """Return the hits unchanged (cut to ``top_n``)."""
        return list(hits) if top_n is None else list(hits)[:top_n]


class LocalCrossEncoderReranker(Reranker):
    """Score with a Hugging Face cross-encoder loaded from a local directory (never the hub)."""

    name = "local"

    def __init__(self, model_dir: str | os.PathLike[str], *, batch_size: int = 16) -> None:
        path = Path(model_dir).expanduser().resolve()
        if not (path / "config.json").is_file():
            raise ModelMissing(_local_model_hint(path, "is missing or has no config.json"))
        # The bundled app runs offline; a hub lookup would only stall or leak the query.
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:
            from rerankers import Reranker as load_ranker
        except ImportError as err:
            raise MissingExtra("rerankers", "rerank", "The local reranker") from err
        offline_only = {"local_files_only": True}
        try:
            ranker = load_ranker(
                str(path),
                model_type="cross-encoder",
                verbose=0,
                device="cpu",
                batch_size=batch_size,
                model_kwargs=offline_only,
                tokenizer_kwargs=offline_only,
            )
        except (OSError, ValueError) as err:
            raise ModelMissing(_local_model_hint(path, f"could not be loaded ({err})")) from err
        if ranker is None:
            # rerankers prints and returns None when transformers/torch are not importable.
            raise MissingExtra("transformers", "rerank", "The local reranker")
        num_labels = getattr(
            getattr(getattr(ranker, "model", None), "config", None), "num_labels", 1
        )
        if num_labels != 1:
            raise ModelMissing(
                _local_model_hint(path, f"has {num_labels} output labels, not one relevance score")
            )
        self.model_dir = path
        self._ranker = ranker

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        """Return the cross-encoder logit per text, in input order."""
        if not texts:
            return []  # rerankers indexes docs[0] and would fail on an empty list
        results = self._ranker.rank(query=query, docs=list(texts), doc_ids=list(range(len(texts))))
        scores: list[float | None] = [None] * len(texts)
        for result in results:
            scores[int(result.document.doc_id)] = float(result.score)
        if any(s is None for s in scores):
            raise RuntimeError("rerankers returned fewer results than documents")
        return [s for s in scores if s is not None]


def _local_model_hint(path: Path, problem: str) -> str:
    return (
        f"The local reranker model directory {path} {problem}. "
        f"Put a Hugging Face cross-encoder model directory there (for example a copy of "
        f"{LOCAL_MODEL_EXAMPLE}) containing config.json, the tokenizer files and the weights."
    )


class CohereReranker(Reranker):
    """Score with Cohere's hosted rerank API (v2)."""

    name = "cohere"
    needs_network = True

    def __init__(
        self,
        api_key: str | None,
        model: str = COHERE_DEFAULT_MODEL,
        http_client: httpx.Client | None = None,
        timeout: float = 10.0,
        *,
        max_retries: int = 0,
    ) -> None:
        if not api_key:
            raise NeedsKey(
                "The Cohere reranker needs an API key. Store it in the OS keyring "
                "or set the environment variable COHERE_API_KEY."
            )
        try:
            import cohere
        except ImportError as err:
            raise MissingExtra("cohere", "cloud", "The Cohere reranker") from err
        self.model = model
        # No retries by default: when offline, falling back quickly beats waiting on backoff.
        self._client = cohere.ClientV2(
            api_key=api_key, httpx_client=http_client, timeout=timeout, max_retries=max_retries
        )

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        """Return Cohere's relevance score per text, in input order."""
        if not texts:
            return []
        import httpx
        from cohere.core.api_error import ApiError

        try:
            response = self._client.rerank(
                model=self.model, query=query, documents=list(texts), top_n=len(texts)
            )
        except httpx.TransportError as err:  # connect errors, timeouts, DNS, proxy, resets
            raise Offline(
                f"Cohere could not be reached ({type(err).__name__}). "
                "Check the internet connection."
            ) from err
        except ApiError as err:
            raise _cohere_api_error(err) from err
        scores = [-math.inf] * len(texts)
        for result in response.results:
            if not 0 <= result.index < len(texts):
                raise NikDeskError(
                    f"Cohere returned an unexpected answer (document index {result.index})."
                )
            scores[result.index] = float(result.relevance_score)
        return scores


def _cohere_api_error(err: Any) -> NikDeskError:
    status = getattr(err, "status_code", None)
    if status in (401, 403, 498):
        return NeedsKey(
            f"Cohere rejected the API key (HTTP {status}). Check the key in the OS keyring "
            "or in the environment variable COHERE_API_KEY."
        )
    if status is not None and (status in (408, 429, 499) or status >= 500):
        return Offline(f"Cohere is busy or unavailable (HTTP {status}). Try again later.")
    return NikDeskError(f"Cohere rejected the rerank request (HTTP {status}): {_api_message(err)}")


def _api_message(err: Any) -> str:
    body = getattr(err, "body", None)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return str(body)[:200]


class FallbackReranker(Reranker):
    """Use ``primary``; when it is offline, log a warning and use ``fallback`` instead."""

    def __init__(self, primary: Reranker, fallback: Reranker) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = f"{primary.name}|{fallback.name}"
        self.needs_network = primary.needs_network and fallback.needs_network

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        """Return the primary's scores, or the fallback's when the primary is offline."""
        try:
            return self.primary.score(query, texts)
        except Offline as err:
            log.warning(
                "Reranker %r offline, using %r: %s", self.primary.name, self.fallback.name, err
            )
            return self.fallback.score(query, texts)

    def rerank(self, query: str, hits: Sequence[Hit], top_n: int | None = None) -> list[Hit]:
        """Rerank with the primary, or with the fallback when the primary is offline."""
        # Delegate rerank (not only score) so a NoReranker fallback keeps hits untouched.
        try:
            return self.primary.rerank(query, hits, top_n)
        except Offline as err:
            log.warning(
                "Reranker %r offline, using %r: %s", self.primary.name, self.fallback.name, err
            )
            return self.fallback.rerank(query, hits, top_n)


def _builtins() -> dict[str, Factory[Reranker]]:
    return {
        NoReranker.name: NoReranker,
        LocalCrossEncoderReranker.name: LocalCrossEncoderReranker,
        CohereReranker.name: CohereReranker,
    }


RERANKERS: Registry[Reranker] = Registry("Reranker", _builtins)


def create_reranker(name: str, **kwargs: Any) -> Reranker:
    """Build the reranker registered under ``name`` with the given constructor arguments."""
    return RERANKERS.create(name, **kwargs)
