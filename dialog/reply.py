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
    excerpt: str  # the passage (short, plain text) in the reader's language: Ms. B's rendering of a Chinese one
    title: str = ""  # the document's title, for display
    original: str = ""  # the passage as the document words it, where the excerpt is a rendering (/sources shows it)


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
    # What the reply changed in the conversation (dialog.events), kept with it in the transcript, and which
    # policy chose it (dialog.scorer.Decision, shown by --debug). Neither is part of the JSON reply.
    events: tuple[Any, ...] = ()
    decision: Any = None

    @property
    def full_text(self) -> str:
        """The words with their citation and offer lines, as a text-only front end shows them."""
        return "\n\n".join(p for p in (self.text, self.citation, self.offer) if p)

    def to_json(self, debug: bool = False) -> dict[str, Any]:
        """The JSON contract of `msb ask --json`: `reply` first, then the fields (with `debug`, the policy that
        won and the runner-up)."""
        out = {
            "reply": self.full_text,
            "kind": self.kind,
            "lang": self.lang,
            "topic": self.topic,
            "sources": [asdict(s) for s in self.sources],
            "demo": self.demo,
            "suggestions": list(self.suggestions),
            "score": round(float(self.score), 4),
        }
        if debug and self.decision is not None:
            out["policy"] = self.decision.to_json()
        return out
