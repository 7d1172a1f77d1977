"""BM25 over tokenised texts, plus an IDF-weighted coverage score used as a confidence."""
from __future__ import annotations

import math
from collections import Counter
from typing import Callable, Sequence

import numpy as np


class LexicalIndex:
    """BM25 (bm25s) over units of one language; `owners[i]` says which entry/passage unit i belongs to."""

    def __init__(self, unit_tokens: Sequence[Sequence[str]], owners: Sequence[str],
                 weight: Callable[[str], float] | None = None) -> None:
        import bm25s

        self.owners = list(owners)
        self._bm25 = bm25s.BM25()
        # bm25s rejects an empty corpus and empty documents; a placeholder token keeps indices aligned.
        corpus = [list(t) or ["\x00"] for t in unit_tokens] or [["\x00"]]
        self._bm25.index(corpus, show_progress=False)
        df: Counter[str] = Counter()
        self.owner_vocab: dict[str, set[str]] = {}
        for toks, owner in zip(unit_tokens, owners):
            df.update(set(toks))
            self.owner_vocab.setdefault(owner, set()).update(toks)
        n = max(len(unit_tokens), 1)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        # A word the knowledge base never uses is the strongest sign a question is off-topic.
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self._weight = weight

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        if not query_tokens or not self.owners:
            return np.zeros(len(self.owners), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(list(query_tokens)), dtype=np.float32)[: len(self.owners)]

    def coverage(self, query_tokens: Sequence[str], owner: str) -> float:
        """Share of the query's information (IDF mass, or `weight`) found in the owner's texts, 0..1."""
        q = set(query_tokens)
        if not q:
            return 0.0
        vocab = self.owner_vocab.get(owner, set())
        weight = self._weight or (lambda t: self.idf.get(t, self.unknown_idf))
        total = sum(weight(t) for t in q)
        hit = sum(weight(t) for t in q if t in vocab)
        return hit / total if total else 0.0


def best_by_owner(scores: np.ndarray, owners: Sequence[str]) -> dict[str, float]:
    """Max score per owner: an entry matches as well as its best-matching phrasing."""
    best: dict[str, float] = {}
    for s, o in zip(scores.tolist(), owners):
        if s > best.get(o, -math.inf):
            best[o] = s
    return best
