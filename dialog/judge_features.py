"""What the judge reads in an answer to a check question: for each key point, how close the answer's
clauses come to it (in either language, plainly or under a negation) and whether its words are there; and of
the answer as a whole, how close it comes to the model answer, to the question itself and to the other
questions of the topic, how it turns (negations, siding with Mr. A), and how long it is.

Cosines of one small model sit in a narrow band whose height depends on the check, so each is also read
against the question's own closeness to the point: an answer is judged by what it says *beyond* the question.
The judge (dialog/judge.py) weighs these with weights fitted on labelled answers (bench/judge.py)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from dialog.acts import Embeds
from knowledge.checks import Check, KeyPoint
from knowledge.lang import LANGS
from knowledge.script import is_traditional, to_simplified

_CLAUSES = re.compile(r"[,，.。;；!！?？:：\n]+|\s*(?:——|—|–|\s-\s)\s*|\s+(?:and|but|so|because|while)\s+|(?:而且|但是|所以|因为|并且)")
# A negation, less the words that only look like one: "not only", 不同 (different), 不仅 (not only), 不断
# (without end), 不少 (many), 不错 (good), 没错 (right) deny nothing.
NEGATION = re.compile(r"\b(not(?!\s+only)|no|never|n't|doesn't|don't|isn't|can't|cannot|won't|without)\b|"
                      r"不(?!同|仅|僅|但|断|斷|少|错|錯|管|久|论|論|止|过|過)|没(?!错)|沒(?!錯)|并非|無法|无法|别|別",
                      re.I)
DONT_KNOW = re.compile(
    r"^\W*(?:(?:sorry|hmm+|um+|well|honestly|uh+)\W+)?"
    r"(i\s+(don'?t|do not)\s+(know|remember)(\s+(it|that|this))?|i\s+have\s+no\s+(idea|clue)|no\s+(idea|clue)"
    r"(\s+at\s+all)?|not\s+a\s+clue|dunno|not\s+sure|i'?m\s+not\s+sure|pass|skip|next|idk|"
    r"我?不知道|不清楚|不会|我?忘了|不记得了?|想不起来|跳过|下一题|没概念|不曉得|不知道耶|不懂)\W*$", re.I)
# Words that say something is kept from happening: one turn, like a negation ("prevents overfitting" is
# "does not overfit").
KEEPS_FROM = re.compile(r"\b(prevent\w*|avoid\w*|stop\w*|reduc\w*|fight\w*|combat\w*|curb\w*|against)\b|"
                        r"防止|避免|减少|降低|抑制|缓解|对抗", re.I)
# A question that asks for a reason (its first word) or for what to tell Mr. A (a misconception): a keyword
# names the idea, it doesn't give it.
ASKS_WHY = re.compile(r"^\W*(why|how)\b", re.I)
# An answer to one of Mr. A's misconceptions that opens by siding with him ("He's right: …", "对，…").
SIDES_WITH_HIM = re.compile(
    r"^\W*(?:(?:honestly|well|i\s+mean|tbh|to\s+be\s+fair|ok(?:ay)?|hmm+)\W+)*"
    r"(?:(?:he|mr\.? a|you|that)(?:'s|'re| is| are|\s+has|\s+have)\s+"
    r"(?:basically\s+|completely\s+|totally\s+|quite\s+|kind\s+of\s+|kinda\s+|sort\s+of\s+|mostly\s+|got\s+)?"
    r"(?:right|correct|a\s+point|not\s+wrong)|(?:kinda\s+|kind\s+of\s+|mostly\s+)?true\b|yes\b|yeah\b|yep\b|"
    r"right\b|exactly\b|agreed\b|indeed\b|fair\s+point)|"
    r"^\W*(?:其实|确实|说实话|嗯)?\W*(?:他|你|A 先生|A先生)?(?:说得|讲得|说的|讲的)?(?:对|没错|有道理|是对的|挺对的|有点道理)"
    r"(?:[，,。！!、；;]|$)|^\W*(?:是的|确实|没错|对啊|对呀)", re.I)
# "You're right that it's old, but that doesn't make it irrelevant" concedes a detail and then pushes back (a
# contrast, then a denial): that is not siding with him. "He's right, though X matters" is.
_CONCEDES = re.compile(r"(?:\b(?:but|however|yet|still)\b|可是|但是|但|不过|然而|可|却).{0,18}?"
                       r"(?:\b(?:not|no|never|doesn't|don't|isn't)\b|n't|不|没|并非|並非)", re.I)
WINDOW = 14  # characters before a term read for what turns it: its own verb, not the clause's start
WHOLE = 300  # characters of the answer read as a whole: the model's cost grows with length, its sense doesn't
LONG = 80  # words; past these an answer reads as long, however long (the weights were fitted on answers this size)
MAX_CLAUSES = 40  # an answer is read from its first clauses: a point buried past these is not one the learner made
BARE = 3  # at most this many words (a CJK character counts as half a word) is a bare keyword
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True)
class Reading:
    """One answer read against one check."""
    gave_up: bool  # "no idea", "skip"
    parrots: bool  # the question given back
    sides: bool  # a misconception check answered by siding with Mr. A
    bare: bool
    asks_why: bool
    point_terms: tuple[bool, ...]  # a point's words said the way the point says them
    point_close: tuple[float, ...]  # best cosine of a clause that denies nothing to each point
    point_lift: tuple[float, ...]  # that, less the question's own closeness to the point
    features: dict[str, float]


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSES.split(text) if c and c.strip()]


def words(text: str) -> float:
    return len(_WORD.findall(text)) + len(_HAN.findall(text)) / 2


# A clause that only pushes back — "No.", "Not really", "不一定哦", "才不是" — denies nothing about the points:
# on one of Mr. A's misconceptions it is the right stance, and what follows says why.
_STANCE = re.compile(
    r"^\W*(?:(?:well|nah|nope|no|not\s+(?:really|true|quite|necessarily|so|at\s+all)|not|wrong|of\s+course\s+not)\W*)+$|"
    r"^\W*(?:当然|其实|也)?(?:不(?:一定|对|是|见得|尽然|会|完全是)?|才不是|并不是|不是这样|没有|并没有)(?:的|吧|哦|呢|啊|呀|嘛|啦|滴)*\W*$",
    re.I)


def denies(clause: str) -> bool:
    """A clause that says something is not so (not one that only pushes back)."""
    return bool(NEGATION.search(clause)) and not _STANCE.match(clause)


def _turns(text: str) -> int:
    """How many times the words before a term turn it around: negations and words of keeping-from."""
    return len(NEGATION.findall(text)) + len(KEEPS_FROM.findall(text))


def _before(text: str, at: int) -> str:
    """The WINDOW characters before `at`, widened to whole words: a window that cuts "doesn't" to "esn't"
    would miss its negation."""
    start = max(0, at - WINDOW)
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "'"):
        start -= 1
    return text[start:at]


def term_made(point: KeyPoint, parts: Sequence[str]) -> tuple[bool, bool]:
    """(said the way the point says it, said at all): a term said plainly ("it generalises"), or turned as
    often as the point turns it, counted in twos — "does not overfit" says "prevents overfitting" (one turn
    each), "光看不够" says "光读不够", while "doesn't prevent overfitting" (two turns to one) does not."""
    seen = False
    for lang in LANGS:
        said = point.point[lang].lower()
        for term in point.terms[lang]:
            where = said.find(term)
            # a term the point doesn't use ("memorise" for "prevents overfitting") is turned as the point is
            turned = _turns(_before(said, where) if where >= 0 else said) % 2
            for part in parts:
                low = part.lower()
                at = low.find(term)
                if at < 0:
                    continue
                seen = True
                before = _before(low, at)
                if not NEGATION.search(before) or _turns(before) % 2 == turned:
                    return True, True
    return False, seen


_STOP = frozenset("the and for are but not you your with that this from into its it's they them their there what when "
                  "which who why how can does did was were has have had will would could should just about than then "
                  "also very more most some any all one out our his her him she because only".split())


def tokens(text: str) -> set[str]:
    """Content words, crudely stemmed (their first five letters), and the character pairs of Chinese text:
    enough to tell how much of a sentence another one repeats, in either language."""
    low = text.lower()
    out = {w[:5] for w in re.findall(r"[a-z][a-z0-9'-]{2,}", low) if w not in _STOP}
    for run in re.findall(r"[\u4e00-\u9fff]+", low):
        out.update(run[i:i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            out.add(run)
    return out


def covered(of: set[str], by: set[str]) -> float:
    return len(of & by) / len(of) if of else 0.0


def parrots(answer: str, question: str) -> bool:
    """True when the answer is (nearly) the question given back: its words add almost nothing. A name or two
    is never that, though the question may hold its letters ("ResNets" in "…residual networks…")."""
    if len(tokens(answer)) < 3:
        return False
    grams = lambda s: {s[i:i + 2] for i in range(len(s) - 1)}  # noqa: E731
    a, q = grams(re.sub(r"\W+", "", answer.lower())), grams(re.sub(r"\W+", "", question.lower()))
    return bool(a) and len(a - q) / len(a) < 0.35


def read(kb: Embeds, check: Check, siblings: Sequence[Check], answer: str, lang: str) -> Reading:
    """The answer read against `check`; `siblings` are the topic's other checks (an answer to one of them
    is not an answer to this one)."""
    # Traditional characters are read as the Simplified the checks are written in
    text = to_simplified(answer.strip()) if is_traditional(answer) else answer.strip()
    parts = (clauses(text) or [text])[:MAX_CLAUSES]
    asks_why = check.kind == "misconception" or bool(ASKS_WHY.match(check.question["en"]))
    terms = [term_made(kp, parts) for kp in check.key_points]
    said = tuple(t for t, _ in terms)
    base = Reading(
        gave_up=not text or bool(DONT_KNOW.match(text)),
        parrots=bool(text) and any(parrots(text, check.question[x]) for x in LANGS),
        sides=check.kind == "misconception" and bool(SIDES_WITH_HIM.match(text)) and not _CONCEDES.search(text),
        bare=words(text) <= BARE, asks_why=asks_why, point_terms=said,
        point_close=tuple(0.0 for _ in check.key_points), point_lift=tuple(0.0 for _ in check.key_points),
        features={})
    if base.gave_up or kb.model is None:
        return base
    return _with_vectors(kb, check, siblings, text, lang, parts, base, terms)


def _with_vectors(kb: Embeds, check: Check, siblings: Sequence[Check], text: str, lang: str, parts: list[str],
                  base: Reading, terms: list[tuple[bool, bool]]) -> Reading:
    n = len(check.key_points)
    statements = [kp.point[x] for kp in check.key_points for x in LANGS]
    others = [kp.point[x] for s in siblings for kp in s.key_points for x in LANGS]
    fixed = statements + [check.answer[x] for x in LANGS] + [check.question[x] for x in LANGS] + others
    vec = kb.query_vectors(fixed)
    points = vec[:2 * n].reshape(n, 2, -1)
    model_answer, question, other = vec[2 * n:2 * n + 2], vec[2 * n + 2:2 * n + 4], vec[2 * n + 4:]
    pieces = list(dict.fromkeys([text[:WHOLE], *parts]))
    emb = kb.embed_queries(pieces)
    whole, clause = emb[:1], emb[1:] if len(pieces) > 1 else emb[:1]
    plain = np.array([not denies(p) for p in (pieces[1:] if len(pieces) > 1 else pieces)])
    # per point: closeness of each clause, of the plain clauses, of the whole; the question's own closeness
    per = np.einsum("cd,npd->ncp", clause, points).max(axis=2)  # (n, clauses)
    close_any = per.max(axis=1)
    close_plain = np.where(plain[None, :], per, -1.0).max(axis=1)
    plain_close = np.maximum(close_plain, 0.0)  # what the rule judge reads: nothing from a denying clause
    close_plain = np.where(close_plain < 0, close_any - 0.05, close_plain)
    close_whole = np.einsum("d,npd->np", whole[0], points).max(axis=1)
    q_close = np.einsum("qd,npd->nqp", question, points).max(axis=(1, 2))
    lift = close_plain - q_close
    to_answer = float((emb @ model_answer.T).max())
    to_question = float((emb @ question.T).max())
    to_other = float((emb @ other.T).max()) if len(other) else 0.0
    best_point = float(close_plain.max())
    said = np.array([t for t, _ in terms], float)
    seen = np.array([s for _, s in terms], float)
    mine = tokens(text)
    point_words = [max(covered(tokens(kp.point[x]), mine) for x in LANGS) for kp in check.key_points]
    known = set().union(*(tokens(check.question[x]) | tokens(check.answer[x]) for x in LANGS),
                        *(tokens(kp.point[x]) for kp in check.key_points for x in LANGS))
    neg_answer = sum(len(NEGATION.findall(p)) for p in parts if denies(p))
    neg_model = min(len(NEGATION.findall(check.answer[x])) for x in LANGS)
    f = {
        "close_min": float(close_plain.min()), "close_max": best_point, "close_mean": float(close_plain.mean()),
        "lift_min": float(lift.min()), "lift_max": float(lift.max()), "lift_mean": float(lift.mean()),
        "whole_min": float(close_whole.min()), "whole_max": float(close_whole.max()),
        "neg_gap_max": float((close_any - close_plain).max()),
        "to_answer": to_answer, "answer_lift": to_answer - to_question,
        "other_gap": best_point - to_other, "to_question": to_question,
        "terms_share": float(said.mean()), "terms_all": float(said.all()), "terms_any": float(said.any()),
        "terms_denied": float(((seen > 0) & (said == 0)).mean()),
        "made_min": float(np.minimum(1.0, said + (lift > 0.03)).min()),
        "words_min": min(point_words), "words_max": max(point_words),
        "answer_words": max(covered(tokens(check.answer[x]), mine) for x in LANGS),
        "new_words": 1.0 - covered(mine, known) if mine else 1.0,
        "negations": float(min(neg_answer, 3)), "more_negations": float(neg_answer > neg_model),
        "sides": float(base.sides), "parrots": float(base.parrots), "bare": float(base.bare),
        "bare_why": float(base.bare and base.asks_why), "asks_why": float(base.asks_why),
        # saying a thing twice adds nothing to its length
        "length": math.log1p(min(words(" ".join(dict.fromkeys(parts))), LONG)),
        "misconception": float(check.kind == "misconception"),
        "other_language": float(bool(_HAN.search(text)) != (lang == "zh")),
    }
    return Reading(base.gave_up, base.parrots, base.sides, base.bare, base.asks_why, base.point_terms,
                   tuple(float(x) for x in plain_close), tuple(float(x) for x in lift), f)


FEATURES = (
    "close_min", "close_max", "close_mean", "lift_min", "lift_max", "lift_mean", "whole_min", "whole_max",
    "neg_gap_max", "to_answer", "answer_lift", "other_gap", "to_question", "terms_share", "terms_all",
    "terms_any", "terms_denied", "made_min", "words_min", "words_max", "answer_words", "new_words", "negations", "more_negations", "sides", "parrots", "bare",
    "bare_why", "asks_why", "length", "misconception", "other_language")
