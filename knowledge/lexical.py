"""BM25 over tokenised texts, plus an IDF-weighted coverage score used as a confidence."""
from __future__ import annotations

import math
from collections import Counter
from typing import Callable, Iterable, Sequence

import numpy as np


class LexicalIndex:
    """BM25 (bm25s) over units of one language; `owners[i]` says which entry/passage unit i belongs to."""

    def __init__(self, unit_tokens: Sequence[Sequence[str]], owners: Sequence[str],
                 weight: Callable[[str], float] | None = None, synonyms: dict[str, str] | None = None) -> None:
        """`synonyms`: a word the units never use → one they do, read in its place (knowledge/synonyms.yaml)."""
        bm25s = _bm25s()
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
        self._spelling = Spelling((w for w in self.idf if w.isascii() and w.isalpha()), df)
        self._synonyms = {k: v for k, v in (synonyms or {}).items() if k not in self.idf and v in self.idf}

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        if not query_tokens or not self.owners:
            return np.zeros(len(self.owners), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(list(query_tokens)), dtype=np.float32)[: len(self.owners)]

    def correct(self, query_tokens: Sequence[str]) -> list[str]:
        """The query's words with misspellings of the knowledge base's own words put right ("dropuot")."""
        return [t if t in self.idf else self._synonyms.get(t) or self._spelling.fix(t) for t in query_tokens]

    def known(self, token: str) -> bool:
        """A word the units use, or a hyphenated one all of whose parts they use ("big-data")."""
        return token in self.idf or ("-" in token and all(p in self.idf for p in token.split("-") if p))

    def unknown(self, query_tokens: Sequence[str]) -> float:
        """Share of the query's information in words the knowledge base never uses at all, 0..1."""
        q = set(query_tokens)
        weight = self._weight or (lambda t: self.idf.get(t, self.unknown_idf))
        total = sum(weight(t) for t in q)
        return sum(weight(t) for t in q if not self.known(t)) / total if total else 0.0

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


def _bm25s():
    """bm25s, imported without SciPy: it takes SciPy's sparse matrices where SciPy is importable (~0.12 s
    on every start, most of it never used) and its own NumPy ones otherwise, which score the same."""
    import sys

    if "bm25s" in sys.modules or "scipy" in sys.modules:
        import bm25s

        return bm25s
    sys.modules["scipy"] = None  # import scipy raises ImportError while this stands
    try:
        import bm25s
    finally:
        if sys.modules.get("scipy", 0) is None:
            del sys.modules["scipy"]
    return bm25s


def best_by_owner(scores: np.ndarray, owners: Sequence[str]) -> dict[str, float]:
    """Max score per owner: an entry matches as well as its best-matching phrasing."""
    best: dict[str, float] = {}
    for s, o in zip(scores.tolist(), owners):
        if s > best.get(o, -math.inf):
            best[o] = s
    return best


class Spelling:
    """Misspelling → known word, by symmetric deletion (SymSpell's idea): two words within two edits
    share a form with up to two letters deleted, so a lookup costs a few dict probes, not a scan.

    Only words of 5+ letters are corrected (short ones have too many neighbours), at most one edit
    below 8 letters and two from 8; the closest known word wins, then the more common one. A word that
    only adds or drops letters at the end ("transformer" / "transform") is another word, not a typo.
    """

    def __init__(self, words: Iterable[str], frequency: dict[str, int] | None = None) -> None:
        self._forms: dict[str, set[str]] = {}
        self._frequency = frequency or {}
        for w in words:
            for form in _deletions(w, _edits(w)):
                self._forms.setdefault(form, set()).add(w)

    def fix(self, word: str) -> str:
        if len(word) < 5 or not word.isascii() or not word.isalpha():
            return word
        limit = _edits(word)
        found = {w for form in _deletions(word, limit) for w in self._forms.get(form, ())}
        close = [(_distance(word, w), -self._frequency.get(w, 0), w) for w in found
                 if not w.startswith(word) and not word.startswith(w)]
        close = [c for c in close if c[0] <= min(limit, _edits(c[2]))]
        return min(close)[2] if close else word


def _edits(word: str) -> int:
    return 1 if len(word) < 8 else 2


def _deletions(word: str, depth: int) -> set[str]:
    forms, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {f[:i] + f[i + 1:] for f in frontier for i in range(len(f)) if len(f) > 3}
        forms |= frontier
    return forms


def _distance(a: str, b: str) -> int:
    """Damerau–Levenshtein distance (adjacent swaps count one edit: "wieght" → "weight")."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]
