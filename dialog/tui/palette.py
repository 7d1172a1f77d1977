"""The command palette's Ms. B entries: demos, topics and commands, each sent as a chat line."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Iterator, Protocol

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from dialog.commands import REGISTRY
from dialog.lines import say


class Host(Protocol):
    """What the palette needs of the app it opens in."""

    demos: list
    kb: Any

    def current_lang(self) -> str: ...

    def prefill(self, line: str) -> None: ...

    def submit_line(self, line: str) -> None: ...

@dataclass(frozen=True)
class Choice:
    label: str
    line: str
    help: str = ""
    edit: bool = False  # put the line in the input for the user to finish, rather than send it


def choices(app: Host) -> Iterator[Choice]:
    lang = app.current_lang()
    for demo in app.demos:
        title = demo.title.get(lang) or demo.id
        yield Choice(f"{say('palette.demo', lang)}: {title}", f"/demo {demo.id}", demo.description.get(lang, ""))
    kb = app.kb
    for entry in (kb.entries.values() if kb is not None else ()):
        question = entry.questions[lang][0] if entry.questions.get(lang) else entry.title[lang]
        yield Choice(f"{say('palette.topic', lang)}: {entry.title[lang]}", question, question)
    for spec in REGISTRY.values():  # the commands, as the one registry lists them
        for entry in spec.palette:
            yield Choice(say(entry.label, lang), entry.line, entry.line, entry.edit)


class MsBCommands(Provider):
    def _run(self, choice: Choice) -> None:
        app: Host = self.app  # type: ignore[assignment]
        if choice.edit:
            app.prefill(choice.line)
        else:
            app.submit_line(choice.line)

    async def discover(self) -> Hits:
        for choice in choices(self.app):  # type: ignore[arg-type]
            yield DiscoveryHit(Content(choice.label), partial(self._run, choice), text=choice.label,
                               help=choice.help or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for choice in choices(self.app):  # type: ignore[arg-type]
            score = max(matcher.match(choice.label), matcher.match(choice.line))
            if score > 0:
                # highlight() reads its candidate as markup; a title with brackets is shown plain.
                shown = Content(choice.label) if "[" in choice.label else matcher.highlight(choice.label)
                yield Hit(score, shown, partial(self._run, choice), text=choice.label, help=choice.help or None)
