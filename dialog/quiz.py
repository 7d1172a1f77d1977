"""Ms. B checks what Mr. A remembers: a few questions, one at a time, each answer judged and the card
scheduled for review (FSRS); a map of progress through the documents' arc of topics."""
from __future__ import annotations

from typing import Any

from dialog import events as ev
from dialog.compose import Context, Outcome
from dialog.judge import Judge, Judgement
from dialog.lines import say
from dialog.reply import Reply
from knowledge.checks import Check

ROUND = 3  # questions in one round: a check, not an exam
# The arc of the documents, in the order the conversation walks it; /progress draws it.
ARC = (
    ("what-deep-means", "what-is-learning", "what-is-representation"),
    ("line-puzzle", "coordinate-change", "same-data", "automatic-search"),
    ("dl-representation-learning", "dl-subset-ml", "why-neural-networks"),
    ("why-now", "where-advances-came-from", "timeline", "just-more-layers", "hype", "black-box"),
    ("breakthroughs", "backpropagation", "initialization", "activation-functions", "dropout", "cnn", "resnet",
     "region-cnn", "rnn-lstm", "gan", "capsules"),
    ("getting-started", "python-and-r", "andrew-ng-course", "chollet-books", "frameworks", "tensorflow", "tensors",
     "distributed-deep-learning", "spark", "future-automl-gui"),
)
STAGES = {"en": ("What “deep” means", "Coordinates", "Deep learning is representation learning", "Why now",
                 "The breakthroughs", "Getting started"),
          "zh": ("「深度」是什么意思", "坐标变换", "深度学习即表征学习", "为什么是现在", "突破性成果", "如何入门")}


class Quiz:
    """Rounds of check questions over the context's state; every method returns the reply and its events."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._judge: Judge | None = None

    @property
    def judge(self) -> Judge:
        if self._judge is None:
            self._judge = Judge(self.ctx.kb)
        return self._judge

    # ------------------------------------------------------------------ asking

    def start(self, lang: str, topic: str | None = None) -> Outcome:
        """A round: what is due for review first, else the topics just talked about, else ones explored."""
        picks = self._pick(topic)
        if not picks:
            return Outcome(Reply("smalltalk", say("quiz_nothing", lang), lang))  # type: ignore[arg-type]
        checks = self.ctx.kb.checks
        lead = say("quiz_lead_one", lang) if len(picks) == 1 else say("quiz_lead", lang, n=len(picks))
        asked = self._ask(picks[0], lang, tuple(picks[1:]), lead)
        return Outcome(asked.reply, tuple(ev.TopicChecked(checks[c].entry) for c in picks) + asked.events)

    def _pick(self, topic: str | None) -> list[str]:
        checks, state, progress = self.ctx.kb.checks, self.ctx.state, self.ctx.progress
        if topic is not None:
            return [c.id for c in checks.values() if c.entry == topic][:ROUND]
        out = [c for c in progress.due(ROUND) if c in checks]
        reviewed = {check_id for check_id, _, _ in progress.reviews()}
        # Only topics Mr. A really met: one reached by a guess at what he meant is not one he learned.
        met = [t for t in reversed(list(state.said)) if t not in state.unsure and state.has_said(t, "answer")]
        topics = list(dict.fromkeys([*met, *reversed(list(progress.topics()))]))
        for per_topic in (1, ROUND):  # one question a topic first; then more from the same topics
            for entry in topics:
                fresh = [c.id for c in checks.values() if c.entry == entry and c.id not in reviewed and c.id not in out]
                out += fresh[:per_topic - sum(checks[c].entry == entry for c in out)]
                if len(out) >= ROUND:
                    return out[:ROUND]
        return out[:ROUND]

    def _ask(self, check_id: str, lang: str, remaining: tuple[str, ...], lead: str = "") -> Outcome:
        check = self.ctx.kb.checks[check_id]
        question = f"**{check.question[lang]}**"
        reply = Reply("answer", f"{lead}\n\n{question}" if lead else question, lang, topic=check.entry,  # type: ignore[arg-type]
                      score=1.0)
        return Outcome(reply, (ev.QuizAsked(check_id, remaining, lang), ev.Spoke(check.entry, "check")))

    # ------------------------------------------------------------------ answering

    def answer(self, text: str, lang: str) -> Outcome:
        state = self.ctx.state
        check = self.ctx.kb.checks[state.asking]
        verdict = self.judge.judge(check, text, lang)
        card = self.ctx.progress.review(check.id, check.entry, verdict.rating, verdict.grade, lang, text)
        words = _feedback(check, verdict, lang)
        answered = ev.QuizAnswered(check.id, verdict.grade)
        if state.quiz:
            nxt = self._ask(state.quiz[0], lang, tuple(state.quiz[1:]))
            reply = Reply("answer", f"{words}\n\n{nxt.reply.text}", lang, topic=check.entry, score=1.0)  # type: ignore[arg-type]
            return Outcome(reply, (answered, *nxt.events))
        when = card.due.astimezone().strftime("%Y-%m-%d %H:%M")
        reply = Reply("answer", f"{words}\n\n{say('quiz_round_end', lang, when=when)}", lang,  # type: ignore[arg-type]
                      topic=check.entry, score=1.0)
        return Outcome(reply, (answered, ev.QuizEnded()))

    def stop(self, lang: str) -> Outcome:
        return Outcome(Reply("command", say("quiz_stopped", lang), lang), (ev.QuizEnded(),))  # type: ignore[arg-type]

    def offer(self, topic: str | None, lang: str) -> tuple[str, tuple[ev.Event, ...]]:
        """After a topic has been explained and its demo watched: a check, once per topic a session."""
        state = self.ctx.state
        if topic is None or topic in state.checked or not any(c.entry == topic for c in self.ctx.kb.checks.values()):
            return "", ()
        return say("quiz_offer", lang), (ev.QuizOffered(topic),)


def _feedback(check: Check, verdict: Judgement, lang: str) -> str:
    made = [kp.point[lang] for kp, ok in zip(check.key_points, verdict.points) if ok]
    missed = [kp.point[lang] for kp, ok in zip(check.key_points, verdict.points) if not ok]
    sep = say("quiz_points_sep", lang)
    if verdict.grade == "right":
        head = say("quiz_right", lang)
    elif verdict.grade == "partial":
        head = say("quiz_partly", lang, made=sep.join(made), missed=sep.join(missed))
    else:
        # The answer below holds every key point: naming them first as well would say it twice.
        head = say("quiz_wrong", lang)
    return f"{head}\n\n" + say("quiz_my_answer", lang, answer=check.answer[lang])


def progress_map(kb: Any, progress: Any, lang: str) -> tuple[str, str | None]:
    """The documents' arc with what was explored (○ → ●), watched (▶) and remembered (%), and the next step."""
    seen, watched = progress.topics(), progress.demos_watched()
    memory: dict[str, list[float]] = {}
    for card in progress.cards():
        memory.setdefault(card.topic, []).append(card.retrievability)
    lines, suggestion = [], None
    for stage, topics in zip(STAGES[lang], ARC):
        cells = []
        for topic in topics:
            entry = kb.entries.get(topic)
            if entry is None:
                continue
            mark = "●" if topic in seen else "○"
            extra = " ▶" if entry.demo and entry.demo in watched else ""
            if topic in memory:
                extra += f" {sum(memory[topic]) / len(memory[topic]):.0%}"
            cells.append(f"{mark} {entry.title[lang]}{extra}")
            if suggestion is None and topic not in seen:
                suggestion = topic
        lines.append(f"**{stage}**\n\n" + "\n".join(f"- {c}" for c in cells))
    explored = sum(1 for stage in ARC for t in stage if t in seen)
    total = sum(len(stage) for stage in ARC)
    head = say("progress_head", lang, explored=explored, total=total)
    text = head + "\n\n" + "\n\n".join(lines)
    if suggestion is not None:
        text += "\n\n" + say("progress_next", lang, title=kb.entries[suggestion].title[lang])
    return text, suggestion
