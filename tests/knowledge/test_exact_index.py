"""The entries' exact index finds what faiss's flat index finds, in the same order."""
from __future__ import annotations

import numpy as np

from knowledge.exact_index import ExactIndex


def test_the_exact_index_ranks_as_faiss_flat_inner_product_does():
    import faiss

    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(700, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    queries = vecs[:5] + 0.1 * rng.normal(size=(5, 32)).astype(np.float32)
    ours, theirs = ExactIndex(32), faiss.IndexFlatIP(32)
    ours.add(vecs[:400])
    ours.add(vecs[400:])  # added in two goes, as one
    theirs.add(vecs)
    s1, i1 = ours.search(queries, 50)
    s2, i2 = theirs.search(queries, 50)
    assert (i1 == i2).all() and np.allclose(s1, s2, atol=1e-5)
    assert ours.ntotal == 700 and np.allclose(ours.reconstruct(3), vecs[3])
    assert ours.search(queries[:1], 5000)[1].shape == (1, 700)  # never more than it holds


def test_an_empty_exact_index_finds_nothing():
    sims, rows = ExactIndex(8).search(np.ones((1, 8), np.float32), 5)
    assert sims.shape == (1, 0) and rows.shape == (1, 0)
