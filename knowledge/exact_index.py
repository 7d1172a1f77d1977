"""The entries' dense index: exact inner product over their unit vectors (cosine), in NumPy.

The shipped knowledge is a few thousand vectors at most, where an exact search is a single matrix product
well under a millisecond; faiss's flat index computes the same, but importing faiss costs ~30 ms of every
start. The learner's own library, which can grow to 100,000 passages, has its faiss index
(knowledge.library_index). Same interface as faiss's flat index, as far as it is used: add, search, ntotal,
reconstruct.
"""
from __future__ import annotations

import numpy as np


class ExactIndex:
    def __init__(self, dim: int) -> None:
        self.d = dim
        self._vectors = np.zeros((0, dim), dtype=np.float32)

    @property
    def ntotal(self) -> int:
        return len(self._vectors)

    def add(self, vectors: np.ndarray) -> None:
        self._vectors = np.vstack([self._vectors, np.asarray(vectors, dtype=np.float32).reshape(-1, self.d)])

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, rows) of the k nearest for each query, best first; equal ones in row order."""
        sims = np.asarray(queries, dtype=np.float32).reshape(-1, self.d) @ self._vectors.T
        k = min(k, self.ntotal)
        order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(sims, order, axis=1), order.astype(np.int64)

    def reconstruct(self, row: int) -> np.ndarray:
        return self._vectors[row].copy()
