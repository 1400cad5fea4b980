"""Dense search over the bundle's FAISS index, memory-mapped rather than loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class DenseIndex:
    """Inner-product search on normalised vectors (row i == chunk id i)."""

    def __init__(self, path: Path) -> None:
        import faiss

        self._faiss = faiss
        # mapped, not copied: a laptop with 100k chunks keeps RSS low and opens instantly
        self._index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)

    @property
    def size(self) -> int:
        """Return the number of vectors."""
        return int(self._index.ntotal)

    def search(
        self,
        vector: np.ndarray,
        limit: int,
        id_ranges: list[tuple[int, int]] | None = None,
    ) -> list[tuple[int, float]]:
        """Return (chunk id, cosine) of the nearest vectors, optionally within id ranges."""
        if self.size == 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        params = None
        if id_ranges:
            ids = np.concatenate([np.arange(a, b + 1, dtype=np.int64) for a, b in id_ranges])
            selector = self._faiss.IDSelectorBatch(ids)
            params = self._faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        scores, ids_out = self._index.search(query, min(limit, self.size), params=params)
        return [(int(i), float(s)) for i, s in zip(ids_out[0], scores[0], strict=True) if i >= 0]
