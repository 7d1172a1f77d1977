"""What a line does in the conversation (asks a question, wants more, asks who, wants to see it run…),
recognised from labelled examples rather than fixed sentences.

The examples (acts/examples.yaml, ~450 per language) train a softmax classifier over the line's
multilingual sentence embedding (centred, as the embedding's shared direction says nothing about
function), so paraphrases in either language land near the examples they mean. Before the model is
loaded, or with a model that can't embed Chinese, a classifier over word and character n-grams
stands in. Measured on tests/data/acts_test.yaml (written apart): see bench/acts.py.

The trained weights ship (acts/weights.npz, keyed by the examples' hash and the model); with other
examples or another model they are trained once and cached.
"""
from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from knowledge import storage
from knowledge import safe_yaml

ACTS = ("question", "more", "why", "example", "simpler", "source", "who", "paper", "link", "when", "demo",
        "yes", "no", "next", "lang_en", "lang_zh", "thanks", "thanks_question", "greet", "bye", "how_are_you",
        "correction")
EXAMPLES_FILE = Path(__file__).parent / "acts" / "examples.yaml"
CUES_FILE = Path(__file__).parent / "acts" / "cues.yaml"
SHIPPED = Path(__file__).parent / "acts" / "weights.npz"
LEXICAL = "lexical"
HASH_DIM = 2048
L2 = 1e-5  # weight decay, chosen on bench/acts.py (cross-validated on the training examples)


class Embeds(Protocol):
    """What the classifier needs of the knowledge base: the model in use and its query vectors."""

    @property
    def model(self) -> str | None: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray | None: ...

    def query_vectors(self, texts: Sequence[str], progress=None) -> np.ndarray: ...


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    act: str


@dataclass(frozen=True)
class Act:
    name: str
    confidence: float  # the classifier's probability for it (1.0 for a rule)


@dataclass(frozen=True)
class Weights:
    W: np.ndarray  # features × acts
    b: np.ndarray
    mu: np.ndarray | None  # the mean embedding removed before classifying (dense models)




def load_examples(path: Path = EXAMPLES_FILE) -> list[Example]:
    data = safe_yaml.load(path.read_text(encoding="utf-8"))
    out = []
    for i, item in enumerate(data.get("examples") or []):
        act = str(item.get("act"))
        if act not in ACTS or not str(item.get("text", "")).strip():
            raise ValueError(f"{path}: example {i + 1} has an unknown act {act!r} or no text")
        out.append(Example(str(item["text"]), str(item.get("lang", "en")), act))
    return out


def examples_key(path: Path = EXAMPLES_FILE) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


# ---------------------------------------------------------------- features

_GRAMS = re.compile(r"[a-z0-9']+|[\u3400-\u9fff]|[?？!！]")
_QUESTION = re.compile(r"[?？]\s*$|[吗呢]\s*[?？]?\s*$")


def lexical_features(texts: Sequence[str]) -> np.ndarray:
    """Hashed words, word pairs, Chinese characters and character pairs, and the first and last token."""
    out = np.zeros((len(texts), HASH_DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        toks = _GRAMS.findall(text.lower())
        grams = set(toks) | {f"{a} {b}" for a, b in zip(toks, toks[1:])} | {f"len{min(len(toks), 8)}"}
        if toks:
            grams |= {f"first:{toks[0]}", f"last:{toks[-1]}"}
        for g in grams:
            out[i, int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little") % HASH_DIM] = 1.0
    return out


def centred(vecs: np.ndarray, mu: np.ndarray) -> np.ndarray:
    x = vecs - mu
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)


# ---------------------------------------------------------------- training


def train(x: np.ndarray, labels: Sequence[str], l2: float = L2) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression with L2, fitted by L-BFGS: deterministic, ~0.2 s for a thousand examples."""
    from scipy.optimize import minimize

    y = np.array([ACTS.index(a) for a in labels])
    n, d = x.shape
    k = len(ACTS)
    onehot = np.eye(k)[y]

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[: d * k].reshape(d, k), params[d * k:]
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        value = -np.log(p[np.arange(n), y] + 1e-12).mean() + l2 * (w * w).sum()
        g = (p - onehot) / n
        return value, np.concatenate([(x.T @ g + 2 * l2 * w).ravel(), g.sum(axis=0)])

    fit = minimize(loss, np.zeros(d * k + k), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return fit.x[: d * k].reshape(d, k).astype(np.float32), fit.x[d * k:].astype(np.float32)


def fit_weights(examples: Sequence[Example], vectors: np.ndarray | None) -> Weights:
    labels = [e.act for e in examples]
    if vectors is None:
        w, b = train(lexical_features([e.text for e in examples]), labels)
        return Weights(w, b, None)
    mu = vectors.mean(axis=0)
    w, b = train(centred(vectors, mu), labels)
    return Weights(w, b, mu.astype(np.float32))


def read_weights(path: Path, key: str, model: str) -> Weights | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key or f"{model}/W" not in data.files:
                return None
            mu = data[f"{model}/mu"] if f"{model}/mu" in data.files else None
            w, b = data[f"{model}/W"], data[f"{model}/b"]
            if w.shape[1] != len(ACTS) or b.shape != (len(ACTS),):
                return None
            return Weights(w, b, mu)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def write_weights(path: Path, key: str, table: dict[str, Weights]) -> None:
    arrays: dict[str, np.ndarray] = {"key": np.array(key), "acts": np.array(ACTS)}
    for model, w in table.items():
        arrays[f"{model}/W"], arrays[f"{model}/b"] = w.W, w.b
        if w.mu is not None:
            arrays[f"{model}/mu"] = w.mu

    def save(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)

    storage.write_atomic(path, save)


# ---------------------------------------------------------------- classifying


class ActClassifier:
    """Classifies one line; the dense classifier once the knowledge base's model is ready."""

    def __init__(self, kb: Embeds, examples: Sequence[Example] | None = None,
                 notice: Callable[[str], None] | None = None) -> None:
        self.kb = kb
        self._examples = list(examples) if examples is not None else None  # read only when training
        self.key = examples_key() if examples is None else hashlib.sha256(
            repr([(e.text, e.act) for e in examples]).encode()).hexdigest()[:16]
        self._notice = notice
        self._weights: dict[str, Weights] = {}

    @property
    def examples(self) -> list[Example]:
        if self._examples is None:
            self._examples = load_examples()
        return self._examples

    def weights(self, model: str | None) -> Weights:
        name = model or LEXICAL
        if name not in self._weights:
            self._weights[name] = self._load(name)
        return self._weights[name]

    def _load(self, name: str) -> Weights:
        found = read_weights(SHIPPED, self.key, name) or read_weights(self._cached(name), self.key, name)
        if found is not None:
            return found
        if name != LEXICAL and self._notice is not None:
            self._notice("Learning the conversation's cues for this search model (once)…")
        vectors = None if name == LEXICAL else self.kb.query_vectors([e.text for e in self.examples])
        fitted = fit_weights(self.examples, vectors)
        try:
            write_weights(self._cached(name), self.key, {name: fitted})
        except OSError:
            pass  # an unwritable cache: trained again next time, nothing lost
        return fitted

    def _cached(self, name: str) -> Path:
        return storage.cache_dir() / f"acts-{name}.npz"

    def _cue_data(self) -> dict:
        if not hasattr(self, "_raw_cues"):
            self._raw_cues = safe_yaml.load(CUES_FILE.read_text(encoding="utf-8"))
        return self._raw_cues

    def cues(self, lang: str) -> frozenset[str]:
        """Words that say what a line does rather than what it is about, tokenised as the knowledge base does."""
        lang = "zh" if lang == "zh" else "en"
        if not hasattr(self, "_cues"):
            self._cues: dict[str, frozenset[str]] = {}
        if lang not in self._cues:  # one language at a time: Chinese ones are cut by jieba, which English skips
            from knowledge.tokenize import tokens

            raw = self._cue_data()
            self._cues[lang] = frozenset(w for word in str(raw.get(lang, "")).split() for w in tokens(word, lang))
        return self._cues[lang]

    def asks_to_watch(self, text: str) -> bool:
        """Whether the line holds a phrase that asks to see something run ("show me", "演示")."""
        low = text.lower()
        raw = self._cue_data()
        return any(p in low for p in (*raw.get("demo_en", ()), *raw.get("demo_zh", ())))

    def asks_for(self, text: str) -> frozenset[str]:
        """The follow-up kinds the line holds a cue phrase for ("why does the plain one forget?" → {"why"})."""
        low = f" {text.lower()} "
        found = set()
        for kind, phrases in (self._cue_data().get("asks_for") or {}).items():
            for p in phrases:
                p = str(p).lower()
                hit = (p in low) if not p.isascii() else bool(re.search(rf"(?<![a-z]){re.escape(p)}(?![a-z])", low))
                if hit:
                    found.add(kind)
                    break
        return frozenset(found)

    def declines(self, text: str) -> bool:
        """Whether the line turns something down ("nah, skip the demo", "演示就不用了")."""
        return self._holds(text, "declining")

    def meant(self, text: str) -> str:
        """What a correction says was meant: the words after "I meant" / "问的是", up to a "not" / "不是"
        ("sorry, i meant recurrent, not residual" → "recurrent"); "" when the line says no such thing."""
        raw = self._cue_data()
        low = text.lower()
        start = -1
        for p in (*raw.get("meant_en", ()), *raw.get("meant_zh", ())):
            p = str(p).lower()
            m = re.search(rf"(?<![a-z]){re.escape(p)}(?![a-z])" if p.isascii() else re.escape(p), low)
            if m and m.end() > start:
                start = m.end()
        if start < 0:
            return ""
        rest = text[start:]
        cut = len(rest)
        for p in (*raw.get("not_en", ()), *raw.get("not_zh", ())):
            p = str(p).lower()
            m = re.search(rf"(?<![a-z]){re.escape(p)}(?![a-z])" if p.isascii() else re.escape(p), rest.lower())
            if m and m.start() > 0:
                cut = min(cut, m.start())
        return rest[:cut].strip(" ,，、。.!！?？:：;；的")

    def _holds(self, text: str, kind: str) -> bool:
        raw = self._cue_data()
        low = text.lower()
        for p in (*raw.get(f"{kind}_en", ()), *raw.get(f"{kind}_zh", ())):
            p = str(p).lower()
            if p.startswith("re:"):  # a cue that is a word only in some company ("别" but not "别的")
                if re.search(p[3:], low):
                    return True
            elif (re.search(rf"(?<![a-z']){re.escape(p)}(?![a-z])", low) if p.isascii() else p in low):
                return True
        return False

    def points_back(self, text: str) -> bool:
        """Whether the line holds a word pointing back at what was just said ("it", "this", "它", "那…呢")."""
        raw = self._cue_data()
        words = set(re.findall(r"[a-z']+", text.lower()))
        return bool(words & set(raw.get("thread_en", ()))) or any(p in text for p in raw.get("thread_zh", ()))

    def says(self, kind: str, text: str) -> bool:
        """Whether the line holds one of the cue phrases of `kind` ("quiz", "quiz_stop")."""
        low = text.lower().strip()
        raw = self._cue_data()
        phrases = (*raw.get(f"{kind}_en", ()), *raw.get(f"{kind}_zh", ()))
        if kind == "quiz_stop":  # said alone, not inside an answer
            return any(low.rstrip(".!！。 ") == p for p in phrases)
        return any(p in low for p in phrases)

    def classify(self, text: str, probs: np.ndarray | None = None) -> Act:
        """The act, with two checks the examples can't teach well: a line asking something is not a "yes",
        "thanks" or greeting, and a "show me" inside another act makes it a demo request."""
        probs = self.probabilities(text) if probs is None else probs
        best = int(np.argmax(probs))
        act = Act(ACTS[best], float(probs[best]))
        if act.name in ("yes", "no", "thanks", "greet", "bye") and _QUESTION.search(text):
            return Act("question", act.confidence)
        if act.name in ("more", "next", "yes", "example") and self.asks_to_watch(text):
            return Act("demo", act.confidence)
        return act

    def probabilities(self, text: str) -> np.ndarray:
        model = self.kb.model
        vec = self.kb.embed_queries([text]) if model else None
        if vec is None:
            w = self.weights(None)
            x = lexical_features([text])
        else:
            w = self.weights(model)
            x = centred(vec, w.mu) if w.mu is not None else vec
        z = (x @ w.W + w.b)[0]
        p = np.exp(z - z.max())
        return p / p.sum()
