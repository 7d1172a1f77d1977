"""What the app itself says (not the engine): the greeting, its state, notes about demos. Markdown, like
Ms. B's replies; the words are in the catalogue (dialog/catalogue/tui.yaml)."""
from __future__ import annotations

from dialog.lines import say

STATES = ("loading", "warming", "ready", "keywords", "failed")


def status(lang: str, state: str) -> str:
    return say(f"status.{state}", lang)


def greeting(lang: str) -> str:
    return say("greet", lang) + "\n\n" + say("greeting_hint", lang)


def loading(lang: str) -> str:
    return say("loading_notes", lang)


def stopped(lang: str, title: str) -> str:
    return say("demo_stopped_note", lang, title=title)


def folded(lang: str, n: int) -> str:
    """The line that stands for the oldest turns of a long conversation, folded away."""
    return say("folded_one", lang) if n == 1 else say("folded_many", lang, n=n)
