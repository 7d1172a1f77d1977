"""Conversation: one line of Mr. A's in, Ms. B's Reply out. The same engine serves the app, `ask` and
`chat --plain`; it imports no UI library and does no I/O.

A line is read once (dialog.reading: its language, what it does, what the knowledge says of it alone and
with the thread); the policies propose what Ms. B could say (dialog.policies); one scorer with fitted
weights picks (dialog.scorer); the chosen reply's events update the state (dialog.state), and the learner's
record hears of what was learned. Commands, a running quiz and the tour are modes that come first.
"""
from __future__ import annotations

import random
from dataclasses import replace
from typing import Any, Iterable

from demos.driver import Outcome as RunOutcome
from dialog import commands, compose, demo_talk, policies
from dialog import events as ev
from dialog.acts import ActClassifier
from dialog.commands import Desk
from dialog.compose import Context, Outcome
from dialog import exemplars
from dialog.errors import USER_ERRORS
from dialog.exemplars import Exemplars
from dialog.lines import say
from dialog.progress import Progress
from dialog.quiz import Quiz
from dialog.reading import Reading, language, read
from dialog.reply import Reply
from dialog.scorer import Decision, Scorer, hedge_below, weights_for
from dialog.state import ConversationState
from dialog.tour import Tour
from knowledge import script
from knowledge.base import KnowledgeBase
from knowledge.lang import detect_lang
from knowledge.safe_text import clean_line

MAX_INPUT = 2000  # longer input is answered from its beginning; retrieval gains nothing from more


class Conversation:
    def __init__(self, kb: KnowledgeBase, *, lang: str | None = None, can_run_demos: bool = True,
                 runs_beside: bool = True, classifier: ActClassifier | None = None, progress: Any = None,
                 seed: int | None = None, scorer: Scorer | None = None, neighbours: Exemplars | None = None) -> None:
        self.kb = kb
        self.state = ConversationState(lang=lang or "en", pinned=lang)
        self.acts = classifier or ActClassifier(kb)
        self.progress = progress if progress is not None else Progress(None)  # in memory unless given a store
        self.ctx = Context(kb, self.state, can_run_demos, runs_beside, self.progress, random.Random(seed))
        self.quiz = Quiz(self.ctx)
        self.tour = Tour(self.ctx)
        self.desk = Desk(self.ctx, self.quiz, self.tour)
        self._scorers: dict[str | None, Scorer] = {}
        self._fixed_scorer = scorer  # weights given (benchmarks); else the shipped ones for the model in use
        self._exemplars: dict[str | None, Exemplars | None] = {}
        self._fixed_exemplars = neighbours
        self.reading: Reading | None = None  # the last line's reading (benchmarks, diagnosis)

    # ------------------------------------------------------------------ entry points

    def respond(self, text: str) -> Reply:
        text, traditional = prepare(text)
        try:
            outcome = self._respond(text)
        except USER_ERRORS as exc:
            outcome = Outcome(Reply("error", str(exc), self._lang_of(text)))  # type: ignore[arg-type]
        reply = self._settle(outcome)
        return _traditional(reply) if traditional and reply.lang == "zh" else reply

    def start_quiz(self, lang: str, topic: str | None = None) -> Reply:
        return self._settle(self.quiz.start(lang, topic))

    def start_review(self, lang: str) -> Reply:
        """Every card that is due, across topics (`msb review`, `/review`)."""
        return self._settle(self.quiz.review(lang))

    def demo_started(self, demo_id: str) -> None:
        self.apply((ev.DemoStarted(demo_id),))

    def demo_ended(self, outcome: RunOutcome) -> Reply:
        return self._settle(demo_talk.ended(self.ctx, outcome, self.quiz.offer), replied=False)

    def restore(self, turns: list[Any]) -> None:
        """Continue a saved conversation by replaying the events its turns carry; an older transcript without
        them gives its last topic and language."""
        replayed = [e for t in turns for e in getattr(t, "events", ()) or ()]
        if replayed:
            self.apply(replayed, learn=False)
        else:
            for turn in reversed(turns):
                if getattr(turn, "role", "") == "ms_b" and getattr(turn, "topic", None) in self.kb.entries:
                    self.apply((ev.TopicEntered(turn.topic), ev.PartSaid(turn.topic, "answer")), learn=False)
                    break
            for turn in reversed(turns):
                if getattr(turn, "role", "") == "user" and turn.text.strip() and not turn.text.startswith("/"):
                    self.apply((ev.Replied(self.state.pinned or detect_lang(turn.text)),), learn=False)
                    break
        self.state.settle()

    def apply(self, events: Iterable[ev.Event], learn: bool = True) -> None:
        """The one way the conversation changes; what was learned reaches the learner's record."""
        events = list(events)
        self.state.apply(events)
        if not learn:
            return
        for e in events:
            if isinstance(e, ev.PartSaid) and e.part == "answer" and e.sure:
                self.progress.saw_topic(e.topic)
            elif isinstance(e, ev.DemoEnded) and e.status == "finished":
                self.progress.watched(e.demo)

    # ------------------------------------------------------------------ one line

    def _settle(self, outcome: Outcome, replied: bool = True) -> Reply:
        reply = outcome.reply
        events = outcome.events + ((ev.Replied(reply.lang, reply.sources),) if replied else ())
        self.apply(events)
        return replace(reply, events=events)

    def _lang_of(self, text: str) -> str:
        return language(self.state, detect_lang(text, default=self.state.lang))

    def _respond(self, text: str) -> Outcome:
        state = self.state
        lang = self._lang_of(text)
        if text.startswith("/"):
            return commands.run(self.desk, text, self._command_lang(text))
        if not text:
            return compose.smalltalk(self.ctx, "empty", lang)
        if state.asking is not None:  # the line answers the check question asked
            return self._in_quiz(text)
        if self.acts.says("quiz", text):
            return self.quiz.start(lang, state.offered_quiz)
        reading = self.reading = read(text, state, self.kb, self.acts, demo_talk.demo_mentioned, self.neighbours(),
                                      demo_talk.demo_described)
        leaving: tuple[ev.Event, ...] = ()
        if state.tour_step is not None:
            if self.tour.continues(reading.act, text):
                return self.tour.advance(reading.lang)
            leaving = (ev.TourAt(None),)  # any other line leaves the tour
        scorer = self.scorer()
        decision = scorer.choose(policies.propose(reading, self.ctx, self.quiz))
        outcome = decision.won.build()
        won = decision.won
        if won.kind == "answer" and won.topic and won.topic != state.topic and won.policy in policies.HEDGED \
                and decision.confidence < scorer.hedge:
            outcome = compose.hedged(self.ctx, outcome, won.topic, reading.lang)
        if reading.lead:
            outcome = outcome.led(say(reading.lead, reading.lang, self.ctx.rng))
        if reading.switch:
            outcome = outcome.then(ev.LanguagePreferred(reading.switch, reading.written))
        return Outcome(replace(outcome.reply, decision=decision), leaving + outcome.events)

    def _command_lang(self, text: str) -> str:
        """A command is written in Latin letters whatever Mr. A speaks: its reply is in the conversation's
        language ("/quiz" after Chinese questions is a Chinese quiz), unless its words are Chinese."""
        _, _, words = text.partition(" ")
        return language(self.state, "zh" if detect_lang(words, default="en") == "zh" else self.state.lang)

    def _in_quiz(self, text: str) -> Outcome:
        state = self.state
        if self.acts.says("quiz_stop", text):
            return self.quiz.stop(state.quiz_lang or state.lang)
        act = self.acts.classify(text)
        if act.name in ("lang_en", "lang_zh") and len(text) < 40:
            # Asked to switch mid-quiz: the same question again, in the other language.
            target = "en" if act.name == "lang_en" else "zh"
            asked = self.quiz.ask_again(target)
            preferred = ev.LanguagePreferred(target, detect_lang(text, default=state.lang))
            return Outcome(asked.reply, asked.events + (preferred,))
        return self.quiz.answer(text, state.quiz_lang or self._lang_of(text))

    def neighbours(self) -> Exemplars | None:
        """The labelled questions for the model in use (given ones in benchmarks; else those shipped)."""
        if self._fixed_exemplars is not None:
            return self._fixed_exemplars
        model = self.kb.model
        if model not in self._exemplars:
            self._exemplars[model] = exemplars.load(model)
        return self._exemplars[model]

    def scorer(self) -> Scorer:
        if self._fixed_scorer is not None:
            return self._fixed_scorer
        model = self.kb.model
        if model not in self._scorers:
            self._scorers[model] = Scorer(weights_for(model), hedge_below(model))
        return self._scorers[model]

    def decide(self, text: str) -> Decision:
        """The candidates for a line and the one the scorer picks, without answering (for diagnosis)."""
        reading = read(clean_line(text), self.state, self.kb, self.acts, demo_talk.demo_mentioned, self.neighbours(),
                       demo_talk.demo_described)
        return self.scorer().choose(policies.propose(reading, self.ctx, self.quiz))


def prepare(text: str) -> tuple[str, bool]:
    """A line as the engine reads it: cleaned, cut to length, in Simplified characters; and whether it was
    written in Traditional ones (the reply is then given back in them)."""
    text = _cut(clean_line(str(text))).strip()
    traditional = script.is_traditional(text)
    return (script.to_simplified(text) if traditional else text), traditional


def _cut(text: str) -> str:
    """At most MAX_INPUT characters, ending between words: a word cut in half ("dee") reads as a new one."""
    if len(text) <= MAX_INPUT:
        return text
    head = text[:MAX_INPUT]
    if text[MAX_INPUT].isalnum() and head[-1].isalnum() and head[-1].isascii():
        space = head.rfind(" ")
        if space > MAX_INPUT // 2:
            return head[:space]
    return head


def _traditional(reply: Reply) -> Reply:
    """The reply in the script the question was written in: its words, citation, offer, suggestions, sources."""
    t = script.to_traditional
    return replace(reply, text=t(reply.text), citation=t(reply.citation), offer=t(reply.offer),
                   suggestions=tuple(t(s) for s in reply.suggestions),
                   sources=tuple(replace(s, excerpt=t(s.excerpt), title=t(s.title), section=t(s.section))
                                 for s in reply.sources))


__all__ = ["Conversation", "ConversationState"]
