"""Show the fallback calibration: confidence of in-scope vs out-of-scope questions, per language and mode.

    python bench/calibrate.py [--set tests/data/calibration.yaml]

For each language and retrieval mode (lexical only, as before the model is loaded; and hybrid) it prints
the confidence distribution of both labels, the threshold that best separates them, and the threshold in
use (dialog.engine.threshold) with its accuracy and top-1 topic accuracy.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from dialog.engine import threshold  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402


def evaluate(kb: KnowledgeBase, items: list[dict], lang: str, dense: bool) -> None:
    rows = []
    for it in items:
        hits = kb.search(it["q"], lang, k=3)
        top = hits[0] if hits else None
        rows.append((it, top.score if top else 0.0, top.owner[6:] if top else None))
    ins = sorted(s for it, s, _ in rows if it["label"] == "in")
    outs = sorted(s for it, s, _ in rows if it["label"] == "out")
    mode = "hybrid" if dense else "lexical"
    print(f"\n== {lang} / {mode}: {len(ins)} in, {len(outs)} out")
    if not ins or not outs:
        return
    q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))]  # noqa: E731
    print(f"   in : min {ins[0]:.3f}  p10 {q(ins, .1):.3f}  median {statistics.median(ins):.3f}")
    print(f"   out: median {statistics.median(outs):.3f}  p90 {q(outs, .9):.3f}  max {outs[-1]:.3f}")
    best = max((sum(s >= t for s in ins) + sum(s < t for s in outs), t) for t in [i / 100 for i in range(5, 100)])
    print(f"   best separating threshold {best[1]:.2f}: {best[0]}/{len(rows)} correct")
    sweep = [t / 100 for t in range(20, 61, 4)]
    print("   threshold      " + " ".join(f"{t:5.2f}" for t in sweep))
    print("   in answered    " + " ".join(f"{sum(s >= t for s in ins):5d}" for t in sweep))
    print("   out declined   " + " ".join(f"{sum(s < t for s in outs):5d}" for t in sweep))
    t = threshold(lang, dense)
    ok = sum((s >= t) == (it["label"] == "in") for it, s, _ in rows)
    topic_ok = sum(1 for it, s, top in rows if it["label"] == "in" and s >= t and top == it.get("topic"))
    print(f"   threshold in use {t:.2f}: {ok}/{len(rows)} correct; top-1 topic right for {topic_ok}/{len(ins)} in-scope")
    for it, s, top in rows:
        wrong = (s >= t) != (it["label"] == "in") or (it["label"] == "in" and top != it.get("topic"))
        if wrong:
            print(f"     {it['label']:3} {s:.3f} {top or '-':28} {it['q']!r} (want {it.get('topic', 'fallback')})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default=str(Path(__file__).resolve().parents[1] / "tests/data/calibration.yaml"))
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    items = yaml.safe_load(Path(a.set).read_text(encoding="utf-8"))["items"]
    kb = KnowledgeBase.load()
    for lang in ("en", "zh"):
        evaluate(kb, [i for i in items if i["lang"] == lang], lang, dense=False)
    kb.warm_up()
    evaluate(kb, [i for i in items if i["lang"] == "en"], "en", dense=True)


if __name__ == "__main__":
    main()
