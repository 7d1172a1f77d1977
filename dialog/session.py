"""A Session: the conversation and its one transcript, as every front end drives them.

Each line and each reply is written to the transcript as it happens (with its sources), demo runs are
reported to the engine as they start and end, and /save exports that same transcript — so the app and
`chat --plain` keep, resume and save a conversation the same way.
"""
from __future__ import annotations

import time
from typing import Any, Protocol

from demos.driver import Outcome
from dialog.errors import USER_ERRORS
from dialog.lines import say
from dialog.reply import Reply
from dialog.transcript import Loaded, Transcript, Turn, export_markdown
from knowledge.safe_text import clean


class Engine(Protocol):
    """The conversation as a session drives it (dialog.engine.Conversation)."""

    state: Any

    def respond(self, text: str) -> Reply: ...

    def restore(self, turns: list[Any]) -> None: ...

    def demo_started(self, demo_id: str) -> None: ...

    def demo_ended(self, outcome: Outcome) -> Reply: ...


class Session:
    def __init__(self, conv: Engine, transcript: Transcript) -> None:
        self.conv = conv
        self.transcript = transcript
        self.failure: str | None = None  # the last bug answering met ("RuntimeError: …"), for a notice

    @property
    def lang(self) -> str:
        return getattr(self.conv.state, "lang", "en") or "en"

    def resume(self, loaded: Loaded) -> None:
        """Carry on from a transcript read back: the engine takes up its topic and language."""
        self.conv.restore([t for t in loaded.turns if t.role in ("user", "ms_b")])

    def respond(self, line: str) -> Reply:
        """Mr. A's line and Ms. B's reply, both on record before the reply is shown."""
        self.transcript.append(Turn("user", clean(line), time.time()))
        try:
            reply = self.conv.respond(line)
        except Exception as exc:  # noqa: BLE001 — the promise is one reply per line, whatever happens
            self.failure = f"{type(exc).__name__}: {exc}"
            reply = Reply("error", say("error_internal", self.lang), self.lang)  # type: ignore[arg-type]
        self.transcript.append(Turn.from_reply(reply))
        return reply

    def demo_started(self, demo_id: str) -> None:
        self.conv.demo_started(demo_id)

    def demo_ended(self, outcome: Outcome) -> Reply:
        reply = self.conv.demo_ended(outcome)
        self.transcript.append(Turn.from_reply(reply))
        return reply

    def note(self, text: str, kind: str = "") -> None:
        """Something the app showed that nobody said ("demo stopped"; kind "figures": a finished demo's
        figures as text), kept with the conversation."""
        self.transcript.append(Turn("event", text, time.time(), kind))

    def save(self, path: str) -> tuple[bool, str]:
        """Export the conversation as Markdown: (True, the file written) or (False, why not)."""
        try:
            return True, str(export_markdown(self.transcript.turns, path))
        except USER_ERRORS as exc:
            return False, str(exc)

    def clear(self) -> None:
        """A new conversation from here: the next turn opens a new transcript file."""
        self.transcript.restart()
