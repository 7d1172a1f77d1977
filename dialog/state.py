"""What the conversation remembers between two lines: the thread a reply can refer back to."""
from __future__ import annotations

from dataclasses import dataclass, field

from dialog.reply import Source

STACK = 5  # recent topics kept: enough for "back to that…", short enough to stay relevant


@dataclass(frozen=True)
class Said:
    """What the last reply said, so it can be said again in the other language ("用中文说")."""

    topic: str | None  # entry id
    part: str  # "answer", a layer ("more", "why"…), a fact ("who"…), "source", "fallback", "smalltalk:<line>"…


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
    offered_demo: str | None = None  # a demo Ms. B proposed; "yes" / "show me" starts it
    running: list[str] = field(default_factory=list)  # demos running now
    watched: list[str] = field(default_factory=list)  # demos that finished in this conversation
    last: Said | None = None
    last_sources: tuple[Source, ...] = ()
    tour_step: int | None = None  # index into the tour while it runs
    asking: str | None = None  # the check question Ms. B asked and awaits an answer to
    quiz: list[str] = field(default_factory=list)  # check questions still to ask in this round
    checked: set[str] = field(default_factory=set)  # topics a check was offered or asked on in this session
    offered_quiz: str | None = None  # a topic Ms. B offered a check on; "yes" starts it

    def enter(self, topic: str) -> None:
        """Make `topic` current, keeping the one it replaces among the recent ones."""
        if self.topic and self.topic != topic:
            self.recent = [t for t in self.recent if t != self.topic][-(STACK - 1):] + [self.topic]
            self.offered_demo = self.offered_quiz = None  # an offer belongs to the topic it was made on
        self.topic = topic

    def mark(self, topic: str, part: str) -> None:
        parts = self.said.setdefault(topic, [])
        if part not in parts:
            parts.append(part)

    def has_said(self, topic: str, part: str) -> bool:
        return part in self.said.get(topic, ())
