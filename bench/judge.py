"""How often the check-answer judge agrees with hand labels, per language, on right-vs-not and on the grade.

    python bench/judge.py [--show]

The labelled answers (tests/data/judge_answers.yaml) were written apart from the judge: right, partial and
wrong answers in both languages, adversarial ones included (negations, copies of the question, keyword
lists with a wrong claim). Also sweeps the similarity threshold with 2-fold cross-validation, so the
number dialog/judge.py uses is chosen on one half and judged on the other.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from dialog.judge import SAME_POINT, Judge  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402

LABELS = ROOT / "tests" / "data" / "judge_answers.yaml"
SWEEP = [round(0.84 + 0.01 * i, 2) for i in range(12)]


def agreement(kb, items, threshold: float, show: bool = False) -> dict[str, tuple[int, int, int]]:
    """Per language: (right-vs-not agreements, grade agreements, count)."""
    judge = Judge(kb, threshold)
    out: dict[str, list[int]] = {}
    for it in items:
        got = judge.judge(kb.checks[it["check"]], it["answer"], it["lang"]).grade
        row = out.setdefault(it["lang"], [0, 0, 0])
        binary = (got == "right") == (it["label"] == "right")
        row[0] += binary
        row[1] += got == it["label"]
        row[2] += 1
        if show and not binary:
            print(f"  {it['lang']} {it['label']:>7} → {got:<7} {it['check']:24} {it['answer'][:90]!r}")
    return {k: tuple(v) for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true")
    a = ap.parse_args()
    items = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["answers"]
    kb = KnowledgeBase.load()
    kb.warm_up()
    for t in SWEEP:
        row = agreement(kb, items, t)
        print(f"similarity {t}: " + ", ".join(f"{lang} {b}/{n} ({b / n:.1%})" for lang, (b, _, n) in sorted(row.items())))
    for lang, (binary, grade, n) in sorted(agreement(kb, items, SAME_POINT, a.show).items()):
        print(f"{lang}: right-vs-not {binary}/{n} ({binary / n:.1%}), grade {grade}/{n} ({grade / n:.1%}) "
              f"at similarity {SAME_POINT}")
    halves = [items[0::2], items[1::2]]
    cv = 0
    for k in (0, 1):
        best = max(SWEEP, key=lambda t: sum(v[0] for v in agreement(kb, halves[k], t).values()))
        cv += sum(v[0] for v in agreement(kb, halves[1 - k], best).values())
        print(f"fold {k}: best threshold {best}")
    print(f"cross-validated right-vs-not agreement: {cv}/{len(items)} ({cv / len(items):.1%})")


if __name__ == "__main__":
    main()
