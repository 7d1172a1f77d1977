"""What the conversation remembers between two lines: the thread a reply can refer back to.

The state changes only by applying events (dialog.events), here: the helpers that compose replies read it
and say what their reply implies; nothing else writes it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from dialog import events as ev
from dialog.reply import Source

STACK = 5  # recent topics kept: enough for "back to that…", short enough to stay relevant


@dataclass(frozen=True)
class Said:
    """What the last reply said, so it can be said again in the other language ("用中文说")."""

    topic: str | None  # entry id
    part: str  # a part of the topic, or "fallback", "smalltalk", "demo:<id>", "passage", "check"…
    detail: str = ""  # the small-talk line's key


@dataclass
class ConversationState:
    lang: str = "en"  # language of the last reply
    pinned: str | None = None  # set by /lang: every reply in this language
    # Asked for in words ("answer in Chinese"): kept while Mr. A writes in the language he asked in.
    preferred: str | None = None
    preferred_from: str | None = None  # the language of the line that asked for it
    topic: str | None = None  # entry id of the current topic
    recent: list[str] = field(default_factory=list)  # earlier topics, newest last
    said: dict[str, list[str]] = field(default_factory=dict)  # topic → parts said, in order
    unsure: set[str] = field(default_factory=set)  # topics reached only by a guess at what was meant
    offered_demo: str | None = None  # a demo Ms. B proposed; "yes" / "show me" starts it
    running: list[str] = field(default_factory=list)  # demos running now
    watched: list[str] = field(default_factory=list)  # demos that finished in this conversation
    last: Said | None = None
    last_sources: tuple[Source, ...] = ()
    tour_step: int | None = None  # index into the tour while it runs
    asking: str | None = None  # the check question Ms. B asked and awaits an answer to
    quiz: list[str] = field(default_factory=list)  # check questions still to ask in this round
    quiz_lang: str | None = None  # the language the round runs in
    quiz_at: tuple[int, int] = (0, 0)  # the question asked is number .. of the round
    quiz_answers: list[tuple[str, str]] = field(default_factory=list)  # (check, grade) so far in this round
    checked: set[str] = field(default_factory=set)  # topics a check was offered or asked on in this session
    offered_quiz: str | None = None  # a topic Ms. B offered a check on; "yes" starts it
    turns: int = 0  # replies given in this conversation

    def has_said(self, topic: str, part: str) -> bool:
        return part in self.said.get(topic, ())

    def apply(self, events: Iterable[ev.Event]) -> None:
        for event in events:
            self._apply(event)

    def _apply(self, e: ev.Event) -> None:  # noqa: C901 — one branch per event, on purpose in one place
        if isinstance(e, ev.TopicEntered):
            if self.topic and self.topic != e.topic:
                self.recent = [t for t in self.recent if t != self.topic][-(STACK - 1):] + [self.topic]
                self.offered_demo = self.offered_quiz = None  # an offer belongs to the topic it was made on
            self.topic = e.topic
        elif isinstance(e, ev.PartSaid):
            parts = self.said.setdefault(e.topic, [])
            if e.part not in parts:
                parts.append(e.part)
            if e.part == "answer":
                (self.unsure.discard if e.sure else self.unsure.add)(e.topic)
        elif isinstance(e, ev.Spoke):
            self.last = Said(e.topic, e.part, e.detail)
        elif isinstance(e, ev.DemoOffered):
            self.offered_demo, self.offered_quiz = e.demo, None  # the latest offer is the one a "yes" accepts
        elif isinstance(e, ev.QuizOffered):
            self.offered_quiz, self.offered_demo = e.topic, None
            self.checked.add(e.topic)
        elif isinstance(e, ev.OffersWithdrawn):
            self.offered_demo = self.offered_quiz = None
        elif isinstance(e, ev.DemoStarted):
            self.offered_demo = None
            if e.demo not in self.running:
                self.running.append(e.demo)
        elif isinstance(e, ev.DemoEnded):
            if e.demo in self.running:
                self.running.remove(e.demo)
            if e.status == "finished":
                self.watched.append(e.demo)
        elif isinstance(e, ev.LanguagePreferred):
            self.preferred, self.preferred_from = e.lang, e.written_in
        elif isinstance(e, ev.LanguagePinned):
            self.pinned = e.lang
            if e.lang is None:
                self.preferred = self.preferred_from = None
        elif isinstance(e, ev.Replied):
            self.lang = e.lang
            self.turns += 1
            if e.sources:
                self.last_sources = e.sources
        elif isinstance(e, ev.QuizAsked):
            if e.number == 1 and self.asking is None:
                self.quiz_answers = []  # a new round
            self.asking, self.quiz, self.quiz_lang = e.check, list(e.remaining), e.lang
            self.quiz_at = (e.number, e.of)
            self.offered_quiz = None
        elif isinstance(e, ev.QuizAnswered):
            if self.asking is not None:
                self.quiz_answers.append((e.check, e.grade))
            self.asking = None
        elif isinstance(e, ev.QuizEnded):
            self.asking, self.quiz, self.quiz_lang, self.quiz_at, self.quiz_answers = None, [], None, (0, 0), []
        elif isinstance(e, ev.TopicChecked):
            self.checked.add(e.topic)
        elif isinstance(e, ev.TourAt):
            self.tour_step = e.step

    def settle(self) -> None:
        """After replaying a transcript: nothing is running or being asked any more (that process is gone)."""
        self.running.clear()
        self.asking, self.quiz, self.quiz_lang, self.quiz_at, self.quiz_answers = None, [], None, (0, 0), []
