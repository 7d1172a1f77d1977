"""How often the check-answer judge agrees with hand labels, per language: right-vs-not, the three grades and
their confusion, on answers the judge was never fitted on.

    python bench/judge.py [--show]

Two labelled sets, both written apart from the judge: tests/data/judge_answers.yaml, on which the similarity
threshold is chosen (swept here), and tests/data/judge_heldout.yaml, a later and larger set (right, partial
and wrong answers with paraphrases, negations, bare keywords, copies, "no idea", answers to another check,
answers in the other language) that nothing is fitted on: its figures are the judge's real ones.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from dialog.judge import GRADES, SAME_POINT, Judge  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402

FIT = ROOT / "tests" / "data" / "judge_answers.yaml"
HELDOUT = ROOT / "tests" / "data" / "judge_heldout.yaml"
SWEEP = [round(0.86 + 0.01 * i, 2) for i in range(10)]


def graded(kb, items, threshold: float) -> list[tuple[dict, str]]:
    judge = Judge(kb, threshold)
    return [(it, judge.judge(kb.checks[it["check"]], it["answer"], it["lang"]).grade) for it in items]


def binary_agreement(rows) -> int:
    return sum((got == "right") == (it["label"] == "right") for it, got in rows)


def report(rows, title: str, show: bool) -> None:
    print(f"\n{title}")
    for lang in sorted({it["lang"] for it, _ in rows}):
        mine = [(it, got) for it, got in rows if it["lang"] == lang]
        n = len(mine)
        binary = binary_agreement(mine)
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true", help="print every misgraded held-out answer")
    a = ap.parse_args()
    fit = yaml.safe_load(FIT.read_text(encoding="utf-8"))["answers"]
    held = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["answers"]
    kb = KnowledgeBase.load()
    kb.warm_up()
    print(f"threshold sweep on the fit set ({len(fit)} answers), right-vs-not:")
    for t in SWEEP:
        rows = graded(kb, fit, t)
        mark = "  ← dialog/judge.py" if t == SAME_POINT else ""
        print(f"  similarity {t}: {binary_agreement(rows)}/{len(rows)}{mark}")
    report(graded(kb, fit, SAME_POINT), f"fit set ({len(fit)} answers) at similarity {SAME_POINT}", False)
    report(graded(kb, held, SAME_POINT), f"held-out set ({len(held)} answers) at similarity {SAME_POINT}", a.show)


if __name__ == "__main__":
    main()
