"""Judge the conversation engine end to end on the labelled conversations, per skill and per language.

    python bench/dialogs.py            # each writer judged with weights fitted on the other writers
    python bench/dialogs.py --shipped  # every conversation with the shipped weights (fitted on all: a check, not a figure)

Each conversation is one engine, as `chat --plain` runs it (demos end before the next line); a turn passes
when the reply does what its label says (kind, topic, the part asked for, the demo, the language) and is
whole (bench/corpus.py); a conversation passes when every turn does. The figure per writer is on wordings
the scorer never saw (bench/policy.py fits it on the others).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.corpus import Dialog, load_dialogs, load_edges, reply_problems, whole_problems  # noqa: E402
from bench.policy import extract_all, fit, folds, load_kb, neighbours, weights_table  # noqa: E402


def run(kb, dialogs: list[Dialog], weights, index=None) -> dict:
    """Every conversation through a fresh engine: per-turn verdicts."""
    from demos.core import Result
    from demos.driver import Outcome
    from dialog.actions import StartDemo
    from dialog.engine import Conversation
    from dialog.scorer import Scorer, weights_for
    from dialog.startup import classifier_for

    scorer = Scorer(weights if weights is not None else weights_for(kb.model))
    stats: dict = {"turns": defaultdict(lambda: [0, 0]), "dialogs": defaultdict(lambda: [0, 0]), "fails": []}
    for d in dialogs:
        conv = Conversation(kb, can_run_demos=True, runs_beside=False, classifier=classifier_for(kb), seed=0,
                            scorer=scorer, neighbours=index)
        ok_all = True
        for turn in d.turns:
            said = {k: list(v) for k, v in conv.state.said.items()}
            reply = conv.respond(turn.say)
            part = reply.decision.won.part if reply.decision is not None else None
            problems = reply_problems(turn, reply, part) + whole_problems(reply, said)
            if isinstance(reply.action, StartDemo):
                conv.demo_started(reply.action.demo)
                conv.demo_ended(Outcome(reply.action.demo, "finished", result=Result({}, "")))
            ok = not problems
            ok_all &= ok
            for key in ("all", f"lang:{turn.lang}", f"skill:{turn.skill}"):
                stats["turns"][key][0] += ok
                stats["turns"][key][1] += 1
            if not ok:
                stats["fails"].append((d.id, turn.say, problems))
        for key in ("all", f"lang:{_lang_of(d)}"):
            stats["dialogs"][key][0] += ok_all
            stats["dialogs"][key][1] += 1
    return stats


def _lang_of(d: Dialog) -> str:
    langs = {t.lang for t in d.turns}
    return next(iter(langs)) if len(langs) == 1 else "mixed"


def merge(into: dict, more: dict) -> None:
    for part in ("turns", "dialogs"):
        for k, v in more[part].items():
            into[part][k][0] += v[0]
            into[part][k][1] += v[1]
    into["fails"] += more["fails"]


def show(stats: dict, fails: int) -> None:
    t, d = stats["turns"], stats["dialogs"]
    pct = lambda v: f"{v[0]:>5}/{v[1]:<5} {100 * v[0] / max(v[1], 1):5.1f} %"
    print(f"turns          {pct(t['all'])}")
    print(f"conversations  {pct(d['all'])}")
    for k in sorted(d):
        if k != "all":
            print(f"  conversations {k:<12} {pct(d[k])}")
    for k in sorted(t):
        if k != "all":
            print(f"  turns {k:<20} {pct(t[k])}")
    for did, say, problems in stats["fails"][:fails]:
        print(f"FAIL {did}: {say!r} -> {'; '.join(problems)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="multilingual-e5-small-q4")
    ap.add_argument("--shipped", action="store_true", help="judge with the shipped weights instead")
    ap.add_argument("--fails", type=int, default=0, help="print this many failing turns")
    a = ap.parse_args()
    t0 = time.perf_counter()
    kb = load_kb(a.model)
    dialogs = load_dialogs()
    total: dict = {"turns": defaultdict(lambda: [0, 0]), "dialogs": defaultdict(lambda: [0, 0]), "fails": []}
    if a.shipped:
        merge(total, run(kb, dialogs, None))
    else:
        by_fold = folds(extract_all(a.model, kb))
        index = neighbours(kb, dialogs + load_edges())
        for held in by_fold:
            design, w = fit([r for f, rs in by_fold.items() if f != held for r in rs])
            if index is not None:
                index.exclude = held  # the writer judged is judged on the others' questions only
            stats = run(kb, [d for d in dialogs if d.writer == held], weights_table(design, w), index)
            print(f"held out {held}: turns {stats['turns']['all'][0]}/{stats['turns']['all'][1]}, "
                  f"conversations {stats['dialogs']['all'][0]}/{stats['dialogs']['all'][1]}")
            merge(total, stats)
    show(total, a.fails)
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
