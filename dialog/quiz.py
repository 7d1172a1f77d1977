"""Ms. B checks what Mr. A remembers: a few questions, one at a time, each answer judged and the card
scheduled for review (FSRS); `/review` runs every card that is due. What she says of each answer and of
a round is dialog.verdict's."""
from __future__ import annotations

from typing import TYPE_CHECKING

from dialog import events as ev
from dialog.compose import Context, Outcome
from dialog import verdict
from dialog.lines import say
from dialog.reply import Reply

if TYPE_CHECKING:  # imported when the first answer is judged: answering never needs it
    from dialog.judge import Judge

ROUND = 3  # questions in one round: a check, not an exam
REVIEW_LIMIT = 50  # /review runs every due card; past this many, the rest wait for the next one


class Quiz:
    """Rounds of check questions over the context's state; every method returns the reply and its events."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._judge: Judge | None = None

    @property
    def judge(self) -> Judge:
        if self._judge is None:
            from dialog.judge import Judge

            self._judge = Judge(self.ctx.kb)
        return self._judge

    # ------------------------------------------------------------------ asking

    def start(self, lang: str, topic: str | None = None) -> Outcome:
        """A round: what is due for review first, else the topics just talked about, else ones explored."""
        picks = self._pick(topic)
        if not picks:
            return Outcome(Reply("smalltalk", say("quiz_nothing", lang), lang))  # type: ignore[arg-type]
        lead = say("quiz_lead_one", lang) if len(picks) == 1 else say("quiz_lead", lang, n=len(picks))
        return self._round(picks, lang, lead)

    def review(self, lang: str) -> Outcome:
        """Every card that is due, across topics, the most overdue first; else when the next one is."""
        picks = [c for c in self.ctx.progress.due(REVIEW_LIMIT) if c in self.ctx.kb.checks]
        if not picks:
            return Outcome(Reply("smalltalk", verdict.nothing_due(self.ctx.kb, self.ctx.progress, lang), lang))  # type: ignore[arg-type]
        lead = say("review_lead_one", lang) if len(picks) == 1 else say("review_lead", lang, n=len(picks))
        return self._round(picks, lang, lead)

    def _round(self, picks: list[str], lang: str, lead: str) -> Outcome:
        checks = self.ctx.kb.checks
        asked = self._ask(picks[0], lang, tuple(picks[1:]), 1, len(picks), lead)
        topics = dict.fromkeys(checks[c].entry for c in picks)
        # A round started in the middle of another (`/quiz`, `/review`) ends that one first: its answers
        # belong to its own summary, not to this one's.
        ended = (ev.QuizEnded(),) if self.ctx.state.asking is not None else ()
        return Outcome(asked.reply, ended + tuple(ev.TopicChecked(t) for t in topics) + asked.events)

    def _pick(self, topic: str | None) -> list[str]:
        checks = self.ctx.kb.checks
        ideas = [c for c in checks.values() if c.kind != "fact"]
        # Questions about ideas first; one asking for a name, a title or a price only when none is left.
        return self._pick_from(ideas, topic) or self._pick_from(list(checks.values()), topic)

    def _pick_from(self, pool: list, topic: str | None) -> list[str]:
        checks, state, progress = self.ctx.kb.checks, self.ctx.state, self.ctx.progress
        if topic is not None:
            return [c.id for c in pool if c.entry == topic][:ROUND]
        out = [c for c in progress.due(ROUND) if c in checks]
        reviewed = {check_id for check_id, _, _ in progress.reviews()}
        # Only topics Mr. A really met: one reached by a guess at what he meant is not one he learned.
        met = [t for t in reversed(list(state.said)) if t not in state.unsure and state.has_said(t, "answer")]
        topics = list(dict.fromkeys([*met, *reversed(list(progress.topics()))]))
        for per_topic in (1, ROUND):  # one question a topic first; then more from the same topics
            for entry in topics:
                fresh = [c.id for c in pool if c.entry == entry and c.id not in reviewed and c.id not in out]
                out += fresh[:per_topic - sum(checks[c].entry == entry for c in out)]
                if len(out) >= ROUND:
                    return out[:ROUND]
        return out[:ROUND]

    def _ask(self, check_id: str, lang: str, remaining: tuple[str, ...], number: int, of: int,
             lead: str = "") -> Outcome:
        check = self.ctx.kb.checks[check_id]
        question = f"**{check.question[lang]}**"
        if of > 1:
            question = say("quiz_number", lang, n=number, of=of) + question  # the line ends as its language does
        reply = Reply("answer", f"{lead}\n\n{question}" if lead else question, lang, topic=check.entry,  # type: ignore[arg-type]
                      score=1.0)
        return Outcome(reply, (ev.QuizAsked(check_id, remaining, lang, number, of), ev.Spoke(check.entry, "check")))

    def ask_again(self, lang: str) -> Outcome:
        """The question being asked, again, in `lang` (Mr. A asked for the other language)."""
        state = self.ctx.state
        number, of = state.quiz_at
        asked = self._ask(state.asking, lang, tuple(state.quiz), number or 1, of or 1)
        return Outcome(asked.reply, asked.events[:1])

    # ------------------------------------------------------------------ answering

    def answer(self, text: str, lang: str) -> Outcome:
        state = self.ctx.state
        check = self.ctx.kb.checks[state.asking]
        judged = self.judge.judge(check, text, lang)
        self.ctx.progress.review(check.id, check.entry, judged.rating, judged.grade, lang, text)
        words = verdict.feedback(check, judged, lang)
        answered = ev.QuizAnswered(check.id, judged.grade)
        if state.quiz:
            number, of = state.quiz_at
            nxt = self._ask(state.quiz[0], lang, tuple(state.quiz[1:]), number + 1, max(of, number + 1))
            reply = Reply("answer", f"{words}\n\n{nxt.reply.text}", lang, topic=check.entry, score=1.0)  # type: ignore[arg-type]
            return Outcome(reply, (answered, *nxt.events))
        answers = [*state.quiz_answers, (check.id, judged.grade)]
        summary = verdict.round_summary(self.ctx.kb, self.ctx.progress, answers, lang)
        reply = Reply("answer", f"{words}\n\n{summary}", lang, topic=check.entry, score=1.0)  # type: ignore[arg-type]
        return Outcome(reply, (answered, ev.QuizEnded()))

    def stop(self, lang: str) -> Outcome:
        return Outcome(Reply("command", say("quiz_stopped", lang), lang), (ev.QuizEnded(),))  # type: ignore[arg-type]

    def offer(self, topic: str | None, lang: str) -> tuple[str, tuple[ev.Event, ...]]:
        """After a topic has been explained and its demo watched: a check, once per topic a session."""
        state = self.ctx.state
        if topic is None or topic in state.checked or not any(c.entry == topic for c in self.ctx.kb.checks.values()):
            return "", ()
        return say("quiz_offer", lang), (ev.QuizOffered(topic),)
