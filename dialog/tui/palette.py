"""The command palette's Ms. B entries: demos, topics and commands, each sent as a chat line."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Iterator, Protocol

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from knowledge.lang import pick


class Host(Protocol):
    """What the palette needs of the app it opens in."""

    demos: list
    kb: Any

    def current_lang(self) -> str: ...

    def prefill(self, line: str) -> None: ...

    def submit_line(self, line: str) -> None: ...

# (English label, Chinese label, the line sent, whether it only fills the input for editing)
COMMANDS = (
    ("Help: everything Ms. B can do", "帮助：Ms. B 能做的一切", "/help", False),
    ("Topics: list what Ms. B can talk about", "话题：Ms. B 能聊的内容", "/topics", False),
    ("Demos: list the live demos", "演示：现场演示列表", "/demos", False),
    ("Tour: replay the original conversation", "导览：重演原来的对话", "/tour", False),
    ("Sources of the last answer", "上一个回答的出处", "/sources", False),
    ("Stop the running demo", "停止正在运行的演示", "/stop", False),
    ("Save the conversation as Markdown…", "把对话保存为 Markdown…", "/save ~/ms-b-conversation.md", True),
    ("Answer in English", "用英文回答", "/lang en", False),
    ("Answer in Chinese", "用中文回答", "/lang zh", False),
    ("Answer in my language", "跟随我的语言", "/lang auto", False),
    ("Clear the conversation", "清屏", "/clear", False),
    ("Quit", "退出", "/quit", False),
)


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
        yield Choice(f"{pick(lang, 'Demo', '演示')}: {title}", f"/demo {demo.id}", demo.description.get(lang, ""))
    kb = app.kb
    for entry in (kb.entries.values() if kb is not None else ()):
        question = entry.questions[lang][0] if entry.questions.get(lang) else entry.title[lang]
        yield Choice(f"{pick(lang, 'Topic', '话题')}: {entry.title[lang]}", question, question)
    for en, zh_label, line, edit in COMMANDS:
        yield Choice(pick(lang, en, zh_label), line, line, edit)


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
