"""Dense search over the learner's own passages, kept apart from the knowledge's entries so that a large
library never crowds the entries out of the nearest candidates, and stays fast as it grows.

Below ANN_FROM passages the index is flat (exact). From there it is an inverted-file index with 8-bit
scalar-quantised vectors (faiss IVF-SQ8: NLIST_PER_ROOT·√n lists, NPROBE of them read per query): measured
by bench/scale.py, a flat search over 100,000 passages cost ~36 ms a query on 2 cores and its vectors
150 MiB in memory; IVF-SQ8 costs ~1 ms and a quarter of the memory, recall@10 against flat printed there.
Training it takes seconds, so it is written to the cache under a key of the model and the passages' texts
and mapped back from there at the next start; one that can't be read, or doesn't hold what the key says, is
rebuilt from the passages' vectors, never trusted.
"""
from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from knowledge import storage
from knowledge.embedder import Embedder, Progress
from knowledge.vectors import text_key, vectors_for

ANN_FROM = 20_000  # passages: below this a flat search costs under ~7 ms a query on 2 cores
NLIST_PER_ROOT = 4  # faiss's guideline: between 4·√n and 16·√n lists
NPROBE = 24
TRAIN_PER_LIST = 40  # training points per list (faiss warns below 39)
CANDIDATES = 50  # nearest passages read per query


class LibraryIndex:
    """The dense index of the learner's passages: `search` gives (owner, cosine) best first."""

    def __init__(self, index, owners: Sequence[str], kind: str) -> None:
        self.index, self.owners, self.kind = index, list(owners), kind

    def __len__(self) -> int:
        return len(self.owners)

    def search(self, query: np.ndarray, k: int = CANDIDATES) -> list[tuple[str, float]]:
        if self.index is None or not self.index.ntotal:
            return []
        sims, ids = self.index.search(np.asarray(query, np.float32).reshape(1, -1), min(k, self.index.ntotal))
        return [(self.owners[i], s) for s, i in zip(sims[0].tolist(), ids[0].tolist()) if i >= 0]


def key(model: str, texts: Sequence[str]) -> str:
    """What the index holds: the model and every text, in order (a row's place is its passage)."""
    h = hashlib.sha256(model.encode())
    for t in texts:
        h.update(text_key(t))
    return h.hexdigest()[:20]


def path_for(model: str, texts: Sequence[str]) -> Path:
    return storage.cache_dir() / f"library-{model}-{key(model, texts)}.faiss"


def build(texts: Sequence[str], owners: Sequence[str], embedder: Embedder, *, progress: Progress | None = None,
          notice: Callable[[str], None] | None = None) -> LibraryIndex:
    """The index for these passages (their dense texts and owners, in the same order)."""
    if not texts:
        return LibraryIndex(None, (), "flat")
    import faiss

    if len(texts) < ANN_FROM:
        index = faiss.IndexFlatIP(embedder.dim)  # inner product on unit vectors = cosine
        index.add(vectors_for(texts, embedder, progress=progress, notice=notice))
        return LibraryIndex(index, owners, "flat")
    path = path_for(embedder.name, texts)
    index = read(path, len(texts), embedder.dim)
    if index is None:
        index = ivf(vectors_for(texts, embedder, progress=progress, notice=notice))
        try:
            storage.write_atomic(path, lambda tmp: faiss.write_index(index, str(tmp)))
            for old in path.parent.glob(f"library-{embedder.name}-*.faiss"):
                if old != path:
                    old.unlink(missing_ok=True)
        except (OSError, RuntimeError) as exc:  # an unwritable cache: built again next time
            storage.cache_unwritable(notice, path.parent, exc)
    return LibraryIndex(index, owners, "ivf")


def ivf(vecs: np.ndarray):
    """An IVF-SQ8 index of unit vectors, searched by inner product."""
    import faiss

    n, dim = vecs.shape
    nlist = max(1, int(NLIST_PER_ROOT * math.sqrt(n)))
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                          faiss.METRIC_INNER_PRODUCT)
    sample = vecs if n <= nlist * TRAIN_PER_LIST else \
        vecs[np.random.default_rng(0).choice(n, nlist * TRAIN_PER_LIST, replace=False)]
    index.train(sample)
    index.add(vecs)
    index.nprobe = NPROBE
    return index


def read(path: Path, n: int, dim: int):
    """The index written at `path` if it holds `n` vectors of `dim` as an IVF index; None otherwise."""
    import faiss

    if not path.is_file():
        return None
    try:
        index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP)
        ivf_part = faiss.extract_index_ivf(index)
    except (RuntimeError, OSError):
        return None
    if index.ntotal != n or index.d != dim or index.metric_type != faiss.METRIC_INNER_PRODUCT:
        return None
    ivf_part.nprobe = NPROBE
    return index
