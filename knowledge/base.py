"""KnowledgeBase: the one object callers need. load() is fast and lexical; warm_up() adds dense search."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from knowledge import cache
from knowledge.documents import DOCUMENTS_DIR, Document, Passage, load_documents
from knowledge.embedder import Embedder
from knowledge.entries import ENTRIES_DIR, Entry, load_entries, validate_references
from knowledge.lexical import LexicalIndex, best_by_owner
from knowledge import tokenize as tokenize_module
from knowledge.tokenize import tokens, zh_weight
from knowledge.user_docs import load_user_documents

Notice = Callable[[str], None]


@dataclass(frozen=True)
class Unit:
    owner: str  # "entry:<id>" or "passage:<passage id>"
    lang: str
    text: str


@dataclass(frozen=True)
class Hit:
    owner: str
    entry: Entry | None
    passage: Passage | None  # for hits on a document passage (the user's documents)
    score: float  # confidence, compared with the calibrated thresholds
    dense: float  # best cosine similarity (0 when dense search is not ready or not used)
    coverage: float  # share of the query's words the knowledge behind this hit contains


def _units(entries: list[Entry], user_docs: dict[str, Document]) -> list[Unit]:
    units = []
    for e in entries:
        for lang in ("en", "zh"):
            units += [Unit(f"entry:{e.id}", lang, q) for q in e.questions[lang]]
            units.append(Unit(f"entry:{e.id}", lang, e.title[lang]))
            units.append(Unit(f"entry:{e.id}", lang, e.answer[lang]))
    from knowledge.lang import detect_lang

    for doc in user_docs.values():
        for p in doc.passages:
            units.append(Unit(f"passage:{p.id}", detect_lang(f"{p.section} {p.text}"), f"{p.section}\n{p.text}"))
    return units


class KnowledgeBase:
    def __init__(self, entries: list[Entry], documents: dict[str, Document], user_docs: dict[str, Document],
                 key: str, lexical_tokens: dict[str, list[list[str]]], units: list[Unit]) -> None:
        self.entries = {e.id: e for e in entries}
        self.documents = documents
        self.user_documents = user_docs
        self.passages = {p.id: p for d in [*documents.values(), *user_docs.values()] for p in d.passages}
        self.key = key
        self.units = units
        self._by_lang = {lang: [i for i, u in enumerate(self.units) if u.lang == lang] for lang in ("en", "zh")}
        self._lexical = {
            lang: LexicalIndex(lexical_tokens[lang], [self.units[i].owner for i in idx],
                               weight=zh_weight if lang == "zh" else None)
            for lang, idx in self._by_lang.items()
        }
        self._embedder: Embedder | None = None
        self._dense = None  # faiss index over the English units
        self._dense_owners: list[str] = []
        self._warm_lock = threading.Lock()
        self._passage_of: dict[str, Passage | None] = {}

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, *, entries_dir: Path = ENTRIES_DIR, documents_dir: Path = DOCUMENTS_DIR,
             demo_ids: Iterable[str] | None = None, notice: Notice | None = None) -> "KnowledgeBase":
        """Entries, documents and the lexical index; raises EntryError naming the file and line of a bad entry."""
        documents = load_documents(documents_dir)
        entries = load_entries(entries_dir)
        if demo_ids is None:
            from demos.core import all_demos

            demo_ids = [d.id for d in all_demos()]
        sections = {d.id: set(d.sections) for d in documents.values()}
        validate_references(entries, sections, set(demo_ids))
        user_docs = load_user_documents()
        # The tokenizer's source is part of the key: new stop words must not meet old cached tokens.
        files = [*entries_dir.glob("*.yaml"), *documents_dir.glob("*.md"), *(d.path for d in user_docs.values()),
                 Path(tokenize_module.__file__)]
        key = cache.content_key(files)
        units = _units(entries, user_docs)
        path = cache.cache_dir() / "lexical.json"
        cached = cache.read_json(path, key)
        if not _valid_tokens(cached, units):
            if cached is not None or path.exists():
                (notice or (lambda m: None))("The search cache was stale or damaged; rebuilt it.")
            # jieba's dictionary load is the slow part of a cold start; the cache spares it later.
            cached = {lang: [tokens(u.text, lang) for u in units if u.lang == lang] for lang in ("en", "zh")}
            cache.write_json(path, key, cached)
        return cls(entries, documents, user_docs, key, cached, units)

    @property
    def dense_ready(self) -> bool:
        return self._dense is not None

    def warm_up(self, embedder: Embedder | None = None, notice: Notice | None = None) -> None:
        """Load the embedding model and the dense index (from cache, or build and cache it)."""
        with self._warm_lock:
            if self._dense is not None:
                return
            if embedder is None:
                from knowledge.embedder import SentenceTransformerEmbedder

                embedder = SentenceTransformerEmbedder()
            import faiss

            idx = self._by_lang["en"]
            owners = [self.units[i].owner for i in idx]
            key = f"{self.key}-{embedder.name}"
            path = cache.cache_dir() / f"dense-{embedder.name}.faiss"
            index = None
            if path.exists():
                try:
                    index = faiss.read_index(str(path))
                except Exception:
                    index = None
                meta = cache.read_json(path.with_suffix(".json"), key)
                if index is None or meta != {"count": len(owners), "dim": embedder.dim} \
                        or index.ntotal != len(owners) or index.d != embedder.dim:
                    index = None
                    (notice or (lambda m: None))("The embedding cache was stale or damaged; rebuilt it.")
            if index is None:
                vecs = embedder.embed([self.units[i].text for i in idx]) if idx else np.zeros((0, embedder.dim), "f4")
                index = faiss.IndexFlatIP(embedder.dim)  # inner product on unit vectors = cosine
                index.add(vecs)
                cache.write_atomic(path, lambda p: faiss.write_index(index, str(p)))
                cache.write_json(path.with_suffix(".json"), key, {"count": len(owners), "dim": embedder.dim})
            # _dense last: a search in another thread takes the dense path as soon as it is set.
            self._embedder, self._dense_owners = embedder, owners
            self._dense = index

    # ------------------------------------------------------------------ search

    def search(self, query: str, lang: str, k: int = 5) -> list[Hit]:
        """Entries (and user passages) ranked for the query, best first, each with its confidence."""
        lang = "zh" if lang == "zh" else "en"
        qtok = tokens(query, lang)
        lex = self._lexical[lang]
        lex_best = best_by_owner(lex.scores(qtok), lex.owners)
        dense_best: dict[str, float] = {}
        # The English model scores Chinese text near randomly, so Chinese leans on lexical matching alone.
        if lang == "en" and self._dense is not None and self._dense.ntotal:
            qv = self._embedder.embed([query])
            sims, ids = self._dense.search(qv, min(self._dense.ntotal, 200))
            for s, i in zip(sims[0].tolist(), ids[0].tolist()):
                if i >= 0:
                    o = self._dense_owners[i]
                    dense_best[o] = max(dense_best.get(o, -1.0), s)
        top_bm25 = max(lex_best.values(), default=0.0)
        owners = {o for o, v in lex_best.items() if v > 0} | set(dense_best)
        cov = {o: lex.coverage(qtok, o) for o in owners}
        use_dense = bool(dense_best)
        order = {o: fused_score(dense_best.get(o, 0.0) if use_dense else None,
                                lex_best.get(o, 0.0) / top_bm25 if top_bm25 > 0 else 0.0, cov[o]) for o in owners}
        ranked = sorted(order, key=lambda o: -order[o])[:k]
        hits = []
        for owner in ranked:
            d = dense_best.get(owner, 0.0)
            hits.append(Hit(owner, self.entries.get(owner[6:]) if owner.startswith("entry:") else None,
                            self.passages.get(owner[8:]) if owner.startswith("passage:") else None,
                            confidence(lang, d if use_dense else None, cov[owner]), d, cov[owner]))
        return hits  # in fused order: the ranking; each hit's score is its own confidence

    # ------------------------------------------------------------------ citations

    def best_passage(self, entry: Entry, lang: str) -> Passage | None:
        """The passage of the entry's first cited section that best supports its answer.

        The same for every reply about the entry (and either language: the documents are Chinese),
        so it is worked out once, on first use: segmenting the passages costs more than a search.
        """
        if entry.id not in self._passage_of:
            self._passage_of[entry.id] = self._find_passage(entry)
        return self._passage_of[entry.id]

    def _find_passage(self, entry: Entry) -> Passage | None:
        for ref in entry.sources:
            doc = self.documents.get(ref.document)
            cands = [p for p in (doc.passages if doc else ()) if p.section == ref.section]
            if cands:
                want = set(tokens(entry.answer["zh"], "zh"))
                return max(cands, key=lambda p: len(want & set(tokens(p.text, "zh"))))
        return None


def fused_score(dense: float | None, bm25: float, coverage: float) -> float:
    """The ranking: which entry answers best (bm25 is normalised by the best hit's, so 0..1).

    Weights measured on tests/data/calibration.yaml (top-1 entry right, in-scope questions): English with
    the model, dense alone 87 %, dense + 0.05·coverage + 0.05·bm25 88 %, reciprocal rank fusion of dense
    and bm25 75 % (it lets a weak lexical match outvote a clear dense one); Chinese and lexical-only, bm25
    74 %, bm25 + 0.5·coverage 81 % (coverage favours the entry that explains all of the question).
    """
    if dense is not None:
        return dense + 0.05 * coverage + 0.05 * bm25
    return bm25 + 0.5 * coverage


def confidence(lang: str, dense: float | None, coverage: float) -> float:
    """One number compared with the fallback threshold (bench/calibrate.py shows the calibration).

    English with the model: cosine similarity separates on- from off-topic well (≈0.4–0.6 vs 0–0.15), but a
    question that shares only its *shape* with an entry ("Who is the president of France?" vs "Who is
    François Chollet?") scores high too; those share no topic words, so low lexical coverage damps it.
    Without the model, and for Chinese: the IDF-weighted share of the question's words the entry contains.
    """
    if lang == "en" and dense is not None:
        return dense * (0.6 + 0.4 * min(1.0, coverage / 0.25))
    return coverage


def _valid_tokens(cached, units: list[Unit]) -> bool:
    if not isinstance(cached, dict):
        return False
    for lang in ("en", "zh"):
        toks = cached.get(lang)
        n = sum(1 for u in units if u.lang == lang)
        if not isinstance(toks, list) or len(toks) != n or not all(isinstance(t, list) for t in toks):
            return False
    return True
