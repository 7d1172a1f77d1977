"""What Ms. B says of an answer and of a round: the verdict (right, partly — naming what was missing —,
not quite, or a kind line with the answer when Mr. A didn't know), and the round's summary: how many were
right, where each topic now stands, and which question comes back first."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from dialog.lines import say
from dialog.standing import standings, state_phrase, wait_text
from knowledge.checks import Check

if TYPE_CHECKING:  # the judge and its features are imported when an answer is first judged
    from dialog.judge import Judgement


def feedback(check: Check, judged: Judgement, lang: str) -> str:
    made = [kp.point[lang] for kp, ok in zip(check.key_points, judged.points) if ok]
    missed = [kp.point[lang] for kp, ok in zip(check.key_points, judged.points) if not ok]
    sep = say("quiz_points_sep", lang)
    if judged.gave_up:
        head = say("quiz_gave_up", lang)
    elif judged.grade == "right":
        head = say("quiz_right", lang)
    elif judged.grade == "partial" and not missed:
        head = say("quiz_keyword", lang)  # the right word, but not the idea behind it
    elif judged.grade == "partial":
        head = say("quiz_partly", lang, made=sep.join(made), missed=sep.join(missed))
    else:
        # The answer below holds every key point: naming them first as well would say it twice.
        head = say("quiz_wrong", lang)
    return f"{head}\n\n" + say("quiz_my_answer", lang, answer=check.answer[lang])


def round_summary(kb: Any, progress: Any, answers: Sequence[tuple[str, str]], lang: str) -> str:
    """"2 of 3 right — Dropout: known until Dec 5; ResNet: learning, again in 10 minutes", then the question
    that comes back first, named."""
    now = progress.clock()
    right = sum(grade == "right" for _, grade in answers)
    standing = standings(kb, progress, now)
    topics = dict.fromkeys(kb.checks[c].entry for c, _ in answers if c in kb.checks)
    parts = [say("round_topic", lang, title=kb.entries[t].title[lang],
                 state=state_phrase(standing[t].state, standing[t].due, now, lang)) for t in topics if t in standing]
    text = say("round_summary", lang, right=right, n=len(answers), topics=say("quiz_points_sep", lang).join(parts))
    asked = {c for c, _ in answers}
    soonest = min((c for c in progress.cards() if c.check_id in asked and c.check_id in kb.checks),
                  key=lambda c: c.due, default=None)
    if soonest is not None:
        text += "\n\n" + say("round_next", lang, question=kb.checks[soonest.check_id].question[lang],
                             wait=wait_text(soonest.due - now, lang))
    return text


def nothing_due(kb: Any, progress: Any, lang: str) -> str:
    """No review due: when the next one is, and its question; or that nothing was checked yet."""
    now = progress.clock()
    nxt = min((c for c in progress.cards() if c.check_id in kb.checks), key=lambda c: c.due, default=None)
    if nxt is None:
        return say("review_none", lang)
    return say("review_not_yet", lang, question=kb.checks[nxt.check_id].question[lang],
               wait=wait_text(nxt.due - now, lang))
