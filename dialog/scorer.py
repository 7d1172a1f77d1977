"""One scorer picks among the policies' candidates: a linear score per candidate, weights per policy and per
model, fitted by bench/policy.py on the labelled conversations (tests/data/conversations/) and kept as data
in dialog/policy.yaml — beside each model's retrieval threshold, and checked for staleness like the vectors.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence


from dialog.policies import Candidate
from knowledge import safe_yaml

POLICY_FILE = Path(__file__).parent / "policy.yaml"
LEXICAL = "lexical"  # the weights used before a model is loaded
DEFAULT = "default"  # for a model nobody fitted (a user's own sentence-transformers model)

Weights = dict[str, dict[str, float]]  # policy → feature → weight


@dataclass(frozen=True)
class Decision:
    """Which policy won and which came next, with their scores: a wrong turn diagnosed from one line."""

    won: Candidate
    runner_up: Candidate | None
    confidence: float = 1.0  # the winner's share of the candidates' softmax: how sure the choice is

    def to_json(self) -> dict:
        def one(c: Candidate | None) -> dict | None:
            if c is None:
                return None
            return {"policy": c.policy, "score": round(c.score, 3), "topic": c.topic, "part": c.part, "demo": c.demo}
        return {"won": one(self.won), "runner_up": one(self.runner_up), "confidence": round(self.confidence, 3)}


@lru_cache(maxsize=1)
def table() -> dict:
    return safe_yaml.load(POLICY_FILE.read_text(encoding="utf-8")) or {}


def hedge_below(model: str | None) -> float:
    """Below this confidence, a move to another topic says which topic it took the line as (fitted on the
    held-out turns by bench/policy.py: where a wrong guess there is likelier than a right one)."""
    table_ = table().get("hedge_below") or {}
    return float(table_.get(model or LEXICAL, table_.get(DEFAULT, 0.0)))


def weights_for(model: str | None) -> Weights:
    models = table().get("models") or {}
    found = models.get(model or LEXICAL) or models.get(DEFAULT) or {}
    return {policy: {f: float(w) for f, w in feats.items()} for policy, feats in found.items()}


class Scorer:
    def __init__(self, weights: Weights, hedge: float = 0.0) -> None:
        self.weights = weights
        self.hedge = hedge

    def score(self, c: Candidate) -> float:
        w = self.weights.get(c.policy, {})
        return sum(w.get(name, 0.0) * value for name, value in c.features.items())

    def choose(self, candidates: Sequence[Candidate]) -> Decision:
        """The best candidate (ties: the order proposed, so the same line in the same state gets the same reply)."""
        for c in candidates:
            c.score = self.score(c)
        ranked = sorted(enumerate(candidates), key=lambda ic: (-ic[1].score, ic[0]))
        won = ranked[0][1]
        runner = next((c for _, c in ranked[1:] if (c.policy, c.topic, c.demo) != (won.policy, won.topic, won.demo)),
                      None)
        top = won.score
        total = sum(math.exp(c.score - top) for c in candidates)
        return Decision(won, runner, 1.0 / total)
