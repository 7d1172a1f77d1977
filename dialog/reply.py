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
    # Two short lines that may follow the words: where they come from, and the invitation to watch the
    # demo. Kept apart so the app can show them as its own controls (a sources block, a button).
    citation: str = ""
    offer: str = ""

    @property
    def full_text(self) -> str:
        """The words with their citation and offer lines, as a text-only front end shows them."""
        return "\n\n".join(p for p in (self.text, self.citation, self.offer) if p)

    def to_json(self) -> dict[str, Any]:
        """The JSON contract of `msb ask --json`: `reply` first, then the fields."""
        return {
            "reply": self.full_text,
            "kind": self.kind,
            "lang": self.lang,
            "topic": self.topic,
            "sources": [asdict(s) for s in self.sources],
            "demo": self.demo,
            "suggestions": list(self.suggestions),
            "score": round(float(self.score), 4),
        }
