"""BM25 over tokenised texts, plus an IDF-weighted coverage score used as a confidence."""
from __future__ import annotations

import json
import math
import zipfile
import zlib
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np


PLACEHOLDER = "\x00"  # stands in for a unit without words: bm25s rejects empty documents
MASKS = 64  # words whose owner masks are kept (a few lines' worth)


class LexicalIndex:
    """BM25 (bm25s) over units of one language; `owners[i]` says which entry/passage unit i belongs to.

    Built from the units' tokens once (`build`), written to the cache (`save`) and mapped back from there
    at the next start (`load`): a library of 100,000 passages took ~17 s and ~1 GiB to index at every start.
    Which owners use a word is read from the index itself, not kept as a set of words per owner."""

    def __init__(self, bm25, owners: Sequence[str], weight: Callable[[str], float] | None = None,
                 synonyms: "dict[str, str] | Callable[[], dict[str, str]] | None" = None,
                 spelling: "Spelling | None" = None) -> None:
        """`synonyms`: a word the units never use → one they do, read in its place (knowledge/synonyms.yaml);
        given as a function, it is called the first time a word is not found (tokenising them loads jieba)."""
        self._bm25 = bm25
        self.owners = list(owners)
        self.owner_names = list(dict.fromkeys(self.owners))
        at = {o: i for i, o in enumerate(self.owner_names)}
        self._owner_at = at
        ids = np.fromiter((at[o] for o in self.owners), np.int64, len(self.owners))
        self._unit_owner = ids
        # Each owner's units, gathered once: a unit's score is folded into its owner's best in one NumPy step
        # (a loop over 100,000 passages' scores cost ~25 ms a search).
        self._order = np.argsort(ids, kind="stable")
        grouped = ids[self._order]
        self._starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if len(ids) else ids
        self.is_passage = np.array([o.startswith("passage:") for o in self.owner_names], dtype=bool)
        scores = bm25.scores
        self._indptr, self._indices = scores["indptr"], scores["indices"]
        self._vocab: dict[str, int] = {t: i for t, i in bm25.vocab_dict.items() if t not in ("", PLACEHOLDER)}
        df = np.diff(np.asarray(self._indptr))
        n = max(len(self.owners), 1)
        self.idf = {t: math.log(1 + (n - int(df[i]) + 0.5) / (int(df[i]) + 0.5))
                    for t, i in self._vocab.items() if i < len(df) and df[i] > 0}
        # A word the knowledge base never uses is the strongest sign a question is off-topic.
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self._weight = weight
        self._spelling = spelling if spelling is not None else Spelling(
            (w for w in self.idf if w.isascii() and w.isalpha()), {t: int(df[i]) for t, i in self._vocab.items()})
        self._synonym_source = synonyms
        self._synonyms: dict[str, str] | None = None
        self._masks: dict[str, np.ndarray] = {}

    @classmethod
    def build(cls, unit_tokens: Sequence[Sequence[str]], owners: Sequence[str], **kwargs) -> "LexicalIndex":
        bm25 = _bm25s().BM25()
        corpus = [list(t) or [PLACEHOLDER] for t in unit_tokens] or [[PLACEHOLDER]]
        bm25.index(corpus, show_progress=False)
        return cls(bm25, owners, **kwargs)

    def save(self, folder: Path) -> None:
        """Write the index under `folder` (which must not exist yet: the caller renames it into place)."""
        self._bm25.save(str(folder), show_progress=False)
        self._spelling.save(folder / "spelling.npz")

    @classmethod
    def load(cls, folder: Path, owners: Sequence[str], **kwargs) -> "LexicalIndex":
        """The index saved in `folder`, mapped rather than read. Raises ValueError when it isn't whole or
        doesn't hold `owners`' units (OSError when it can't be read)."""
        try:
            bm25 = SavedBM25.load(folder)
            spelling = Spelling.load(folder / "spelling.npz")
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"not a whole index: {exc}") from None
        scores = bm25.scores
        indptr, indices, data = scores["indptr"], scores["indices"], scores["data"]
        units = max(len(owners), 1)
        if scores.get("num_docs") != units or len(indices) != len(data) or not len(indptr) \
                or int(indptr[-1]) != len(indices) or (len(indices) and int(np.max(indices)) >= units):
            raise ValueError("the index doesn't hold these units")
        return cls(bm25, owners, spelling=spelling, **kwargs)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        if not query_tokens or not self.owners:
            return np.zeros(len(self.owners), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(list(query_tokens)), dtype=np.float32)[: len(self.owners)]

    def best(self, scores: np.ndarray) -> np.ndarray:
        """Each owner's best unit score, in `owner_names` order: an entry matches as well as its best phrasing."""
        if not len(self._starts):
            return np.zeros(0, dtype=np.float32)
        return np.maximum.reduceat(scores[self._order], self._starts)

    def correct(self, query_tokens: Sequence[str]) -> list[str]:
        """The query's words with misspellings of the knowledge base's own words put right ("dropuot")."""
        return [t if t in self.idf else self.synonyms().get(t) or self._spelling.fix(t) for t in query_tokens]

    def synonyms(self) -> dict[str, str]:
        if self._synonyms is None:
            source = self._synonym_source
            found = (source() if callable(source) else source) or {}
            self._synonyms = {k: v for k, v in found.items() if k not in self.idf and v in self.idf}
        return self._synonyms

    def known(self, token: str) -> bool:
        """A word the units use, or a hyphenated one all of whose parts they use ("big-data")."""
        return token in self.idf or ("-" in token and all(p in self.idf for p in token.split("-") if p))

    def unknown(self, query_tokens: Sequence[str]) -> float:
        """Share of the query's information in words the knowledge base never uses at all, 0..1."""
        q = set(query_tokens)
        weight = self._weight or (lambda t: self.idf.get(t, self.unknown_idf))
        total = sum(weight(t) for t in q)
        return sum(weight(t) for t in q if not self.known(t)) / total if total else 0.0

    def _users(self, token: str) -> np.ndarray | None:
        """Which owners' texts use the word (a mask over owner_names), or None when none does."""
        if token not in self._masks:
            tid = self._vocab.get(token)
            if tid is None:
                return None
            docs = np.asarray(self._indices[int(self._indptr[tid]):int(self._indptr[tid + 1])])
            mask = np.zeros(len(self.owner_names), dtype=bool)
            mask[self._unit_owner[docs[docs < len(self._unit_owner)]]] = True
            while len(self._masks) >= MASKS:
                self._masks.pop(next(iter(self._masks)))
            self._masks[token] = mask
        return self._masks[token]

    def coverage(self, query_tokens: Sequence[str], owner: str) -> float:
        """Share of the query's information (IDF mass, or `weight`) found in the owner's texts, 0..1."""
        q = set(query_tokens)
        if not q:
            return 0.0
        at = self._owner_at.get(owner)
        weight = self._weight or (lambda t: self.idf.get(t, self.unknown_idf))
        total = sum(weight(t) for t in q)
        hit = 0.0
        for t in q:
            users = self._users(t) if at is not None else None
            if users is not None and users[at]:
                hit += weight(t)
        return hit / total if total else 0.0


class SavedBM25:
    """An index bm25s saved, read back with NumPy alone: the same files, vocabulary and scores as
    `bm25s.BM25.load(mmap=True)`, without importing bm25s (and the progress bars and asyncio it pulls in,
    ~20 ms on every start). Only methods without a non-occurrence array are written here (lucene)."""

    def __init__(self, scores: dict, vocab_dict: dict[str, int], dtype: str) -> None:
        self.scores, self.vocab_dict, self._dtype = scores, vocab_dict, np.dtype(dtype)

    @classmethod
    def load(cls, folder: Path) -> "SavedBM25":
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") not in ("lucene", "robertson", "atire"):  # these need no non-occurrence array
            raise ValueError(f"an index of method {params.get('method')!r}")
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        if not isinstance(vocab, dict) or not all(isinstance(v, int) for v in vocab.values()):
            raise ValueError("a vocabulary that isn't words to ids")
        scores = {name: np.load(folder / f"{name}.csc.index.npy", allow_pickle=False, mmap_mode="r")
                  for name in ("data", "indices", "indptr")}
        vocab.pop("", None)  # bm25s lists the empty word beside the others, without a column of its own
        if vocab and not 0 <= min(vocab.values()) <= max(vocab.values()) < len(scores["indptr"]) - 1:
            raise ValueError("a vocabulary of words the index doesn't hold")
        scores["num_docs"] = params.get("num_docs")
        return cls(scores, vocab, params.get("dtype", "float32"))

    def get_scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """bm25s' own sum: each query word's column of precomputed scores added into the documents'."""
        data, indices, indptr = self.scores["data"], self.scores["indices"], self.scores["indptr"]
        out = np.zeros(self.scores["num_docs"], dtype=self._dtype)
        for tid in (self.vocab_dict[t] for t in query_tokens if t in self.vocab_dict):
            start, end = int(indptr[tid]), int(indptr[tid + 1])
            np.add.at(out, indices[start:end], data[start:end])
        return out


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


class Spelling:
    """Misspelling → known word, by symmetric deletion (SymSpell's idea): two words within two edits
    share a form with up to two letters deleted, so a lookup costs a few probes, not a scan.

    Only words of 5+ letters are corrected (short ones have too many neighbours), keeping the first letter,
    at most one edit below 8 letters and two from 8; the closest known word wins, then the more common one. A word that
    only adds or drops letters at the end ("transformer" / "transform") is another word, not a typo.
    The forms are kept as sorted 32-bit hashes beside the word each comes from (a dict of sets held
    ~80 MiB for a 10,000-passage library); a hash shared by chance only adds a word the distance rejects.
    """

    def __init__(self, words: Iterable[str], frequency: dict[str, int] | None = None) -> None:
        frequency = frequency or {}
        self.words = sorted(set(words))
        self.frequency = np.array([frequency.get(w, 0) for w in self.words], dtype=np.int64)
        hashes: list[int] = []
        owners: list[int] = []
        for i, w in enumerate(self.words):
            forms = _deletions(w, _edits(w))
            hashes += [_hash(f) for f in forms]
            owners += [i] * len(forms)
        order = np.argsort(np.array(hashes, dtype=np.uint32), kind="stable")
        self._hashes = np.array(hashes, dtype=np.uint32)[order]
        self._owners = np.array(owners, dtype=np.int32)[order]

    def save(self, path: Path) -> None:
        with open(path, "wb") as f:
            np.savez(f, words=np.array("\n".join(self.words)), frequency=self.frequency, hashes=self._hashes,
                     owners=self._owners)

    @classmethod
    def load(cls, path: Path) -> "Spelling":
        out = cls.__new__(cls)
        with np.load(path, allow_pickle=False) as data:
            text = str(data["words"])
            out.words = text.split("\n") if text else []
            out.frequency, out._hashes, out._owners = data["frequency"], data["hashes"], data["owners"]
        if len(out.frequency) != len(out.words) or len(out._hashes) != len(out._owners) \
                or (len(out._owners) and int(out._owners.max()) >= len(out.words)):
            raise ValueError("a spelling table that doesn't add up")
        return out

    def fix(self, word: str) -> str:
        if len(word) < 5 or not word.isascii() or not word.isalpha() or not len(self._hashes):
            return word
        limit = _edits(word)
        probes = np.array([_hash(f) for f in _deletions(word, limit)], dtype=np.uint32)
        lo, hi = np.searchsorted(self._hashes, probes, "left"), np.searchsorted(self._hashes, probes, "right")
        found = {int(i) for a, b in zip(lo.tolist(), hi.tolist()) for i in self._owners[a:b]}
        close = [(_distance(word, self.words[i]), -int(self.frequency[i]), self.words[i]) for i in found
                 if not self.words[i].startswith(word) and not word.startswith(self.words[i])]
        # A typo rarely touches the first letter ("nueral", "dropuot"), and a word that differs there is most
        # often another word ("batch" is not "watch"); the first two letters swapped still count ("enural").
        close = [c for c in close if c[0] <= min(limit, _edits(c[2]))
                 and (c[2][0] == word[0] or c[2][:2] == word[1::-1])]
        return min(close)[2] if close else word


def _hash(form: str) -> int:
    return zlib.crc32(form.encode())


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
