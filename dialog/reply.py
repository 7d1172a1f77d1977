"""The Reply: what Ms. B says back, handed to whichever front end renders it."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from dialog.actions import Action

Kind = Literal["answer", "fallback", "demo", "smalltalk", "command", "error"]
Lang = Literal["en", "zh"]


@dataclass(frozen=True)
class Source:
    document: str  # document id, e.g. "conversation"
    section: str  # the heading the passage sits under
    excerpt: str  # the passage itself (short), quoted as is
    title: str = ""  # the document's title, for display


@dataclass(frozen=True)
class Reply:
    kind: Kind
    text: str  # Markdown, in Ms. B's words
    lang: Lang
    topic: str | None = None  # entry id the reply is about
    sources: tuple[Source, ...] = ()
    demo: str | None = None  # demo id offered or requested
    suggestions: tuple[str, ...] = ()  # follow-ups the user might type
    score: float = 0.0
    # What a front end should do besides showing the text (start a demo, clear the screen…); None for
    # plain replies. A front end ignores actions it cannot perform.
    action: Action | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON contract of `msb ask --json`: `reply` first, then the fields."""
        return {
            "reply": self.text,
            "kind": self.kind,
            "lang": self.lang,
            "topic": self.topic,
            "sources": [asdict(s) for s in self.sources],
            "demo": self.demo,
            "suggestions": list(self.suggestions),
            "score": round(float(self.score), 4),
        }
