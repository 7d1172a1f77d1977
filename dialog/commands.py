"""Slash commands, one registry: each command's name, usage, help in both languages (dialog/catalogue/),
handler and palette entries. `/help`, `/help more`, the command palette and the unknown-command hint are
all made from it, and a test holds the README's table to it."""
from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Callable

from demos.core import all_demos, get_demo
from dialog import demo_talk
from dialog import events as ev
from dialog.actions import Clear, Quit, Save, StopDemo
from dialog.compose import Context, Outcome
from dialog.errors import UserError
from dialog.lines import say
from dialog.progress_map import progress_map
from dialog.quiz import Quiz
from dialog.reply import Reply
from dialog.tour import Tour
from knowledge.documents import section_label


@dataclass(frozen=True)
class Command:
    """A parsed command line: "/demo cnn --epochs 5 --fast" → ("demo", ("cnn",), {"epochs": "5", "fast": "true"})."""

    name: str
    args: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Desk:
    """What a command works with: the conversation's context and the helpers that own a mode."""

    ctx: Context
    quiz: Quiz
    tour: Tour


@dataclass(frozen=True)
class PaletteEntry:
    label: str  # a key of the catalogue (dialog/lines.py)
    line: str  # what choosing it sends
    edit: bool = False  # put the line in the input for the user to finish, rather than send it


@dataclass(frozen=True)
class Spec:
    name: str
    handler: Callable[[Desk, Command, str], Outcome]
    short: bool = False  # listed in the short /help
    palette: tuple[PaletteEntry, ...] = ()

    def usage(self, lang: str) -> str:
        return say(f"cmd.{self.name}.usage", lang)

    def help(self, lang: str) -> str:
        return say(f"cmd.{self.name}.help", lang)


def parse(text: str) -> Command:
    body = text.strip()[1:]
    try:
        parts = shlex.split(body)
    except ValueError:  # an unbalanced quote: fall back to plain splitting
        parts = body.split()
    if not parts:
        return Command("help")
    name, rest = parts[0].lower(), parts[1:]
    args: list[str] = []
    options: dict[str, str] = {}
    i = 0
    while i < len(rest):
        tok = rest[i]
        if tok.startswith("--") and len(tok) > 2:
            key, eq, val = tok[2:].partition("=")
            if not eq:
                if i + 1 < len(rest) and not rest[i + 1].startswith("--"):
                    val = rest[i + 1]
                    i += 1
                else:
                    val = "true"
            options[key] = val
        else:
            args.append(tok)
        i += 1
    return Command(name, tuple(args), options)


def run(desk: Desk, text: str, lang: str) -> Outcome:
    command = parse(text)
    spec = REGISTRY.get(command.name)
    if spec is None:
        names = " ".join(f"/{n}" for n in REGISTRY)
        safe = command.name.replace("`", "'")[:40]
        return _reply(say("cmd_unknown", lang, name=safe, names=names), lang, "error")
    return spec.handler(desk, command, lang)


def _reply(text: str, lang: str, kind: str = "command", **kw) -> Outcome:
    return Outcome(Reply(kind, text, lang, **kw))  # type: ignore[arg-type]


def help_text(lang: str, more: bool = False) -> str:
    """The short help (the commands marked short, then the keys) or the table of every command."""
    if more:
        # A literal | in a usage (/lang en|zh|auto) is escaped so the table keeps its cells.
        rows = [f"| `{s.usage(lang).replace('|', chr(92) + '|')}` | {s.help(lang)} |" for s in REGISTRY.values()]
        return "\n".join([say("help_table_head", lang), "| --- | --- |", *rows])
    short = [f"`/{s.name}` {s.help(lang)}" for s in REGISTRY.values() if s.short]
    bullets = [" · ".join(short[i:i + 3]) for i in range(0, len(short), 3)]
    return "\n\n".join([say("help_intro", lang), "\n".join(f"- {b}" for b in bullets), say("help_keys", lang),
                        say("help_more_hint", lang)])


def _help(desk: Desk, cmd: Command, lang: str) -> Outcome:
    more = bool(cmd.args) and cmd.args[0].lower() in ("more", "all", "commands", "全部")
    return _reply(help_text(lang, more), lang)


def _launch(desk: Desk) -> str:
    """How a demo is started where this conversation is read: `msb ask` can't run one, the command line can."""
    return "/demo" if desk.ctx.can_run_demos else "msb demo"


def _topics(desk: Desk, cmd: Command, lang: str) -> Outcome:
    launch = _launch(desk)
    lines = [f"- **{e.title[lang]}**" + (f" — `{launch} {e.demo}`" if e.demo else "")
             for e in sorted(desk.ctx.kb.entries.values(), key=lambda e: e.title["en"].lower())]
    return _reply(say("topics_head", lang) + "\n\n" + "\n".join(lines), lang)


def _demos(desk: Desk, cmd: Command, lang: str) -> Outcome:
    launch = _launch(desk)
    lines = [f"- **{d.title[lang]}** (`{launch} {d.id}`) — {d.description[lang]}" for d in all_demos()]
    return _reply(say("demos_head", lang) + "\n\n" + "\n".join(lines), lang)


def _demo(desk: Desk, cmd: Command, lang: str) -> Outcome:
    if not cmd.args:
        return _demos(desk, cmd, lang)
    demo = get_demo(cmd.args[0])
    opts = dict(cmd.options)
    if "help" in opts:
        lines = [f"- `{spec.describe()}`" for spec in demo.options()]
        return _reply(f"**{demo.title[lang]}** — {demo.description[lang]}\n\n" + "\n".join(lines), lang, demo=demo.id)
    device = opts.pop("device", None)
    return demo_talk.request(desk.ctx, demo.id, opts, lang, device=device, explicit=True)


def _stop(desk: Desk, cmd: Command, lang: str) -> Outcome:
    if not desk.ctx.state.running:
        return _reply(say("stop_nothing", lang), lang)
    return _reply(say("stop_stopping", lang), lang, action=StopDemo())


def _sources(desk: Desk, cmd: Command, lang: str) -> Outcome:
    found = desk.ctx.state.last_sources
    if not found:
        return _reply(say("sources_none", lang), lang)
    lines = []
    for s in found:
        lines.append(f"- *{s.title}* — {section_label(s.section, lang)}\n\n  > {s.excerpt}")
        if s.original:  # the excerpt is Ms. B's rendering: the passage as the document has it, for who wants it
            lines.append(f"  {say('sources_original', lang)}\n\n  > {s.original}")
    return _reply(say("sources_head", lang) + "\n\n" + "\n".join(lines), lang, sources=found)


def _tour(desk: Desk, cmd: Command, lang: str) -> Outcome:
    if cmd.args and cmd.args[0] in ("stop", "end", "quit"):
        return desk.tour.stop(lang)
    return desk.tour.start(lang)


def _quiz(desk: Desk, cmd: Command, lang: str) -> Outcome:
    topic = None
    if cmd.args:
        kb = desk.ctx.kb
        hits = kb.search(" ".join(cmd.args), lang, k=1)
        topic = hits[0].entry.id if hits and hits[0].entry and hits[0].score >= kb.threshold(lang) else None
    return desk.quiz.start(lang, topic)


def _review(desk: Desk, cmd: Command, lang: str) -> Outcome:
    return desk.quiz.review(lang)


def _progress(desk: Desk, cmd: Command, lang: str) -> Outcome:
    kb = desk.ctx.kb
    text, nxt = progress_map(kb, desk.ctx.progress, lang)
    return _reply(text, lang, suggestions=(kb.entries[nxt].questions[lang][0],) if nxt else ())


def _lang(desk: Desk, cmd: Command, lang: str) -> Outcome:
    choice = cmd.args[0].lower() if cmd.args else ""
    if choice in ("en", "zh"):
        return Outcome(Reply("command", say("lang_pinned", choice), choice), (ev.LanguagePinned(choice),))  # type: ignore[arg-type]
    if choice == "auto":
        return Outcome(Reply("command", say("lang_auto", lang), lang), (ev.LanguagePinned(None),))  # type: ignore[arg-type]
    raise UserError(say("lang_usage", lang))


def _save(desk: Desk, cmd: Command, lang: str) -> Outcome:
    if not cmd.args:
        raise UserError(say("save_usage", lang))
    path = " ".join(cmd.args)
    return _reply(say("saving", lang, path=path), lang, action=Save(path))


def _clear(desk: Desk, cmd: Command, lang: str) -> Outcome:
    return _reply(say("cleared", lang), lang, action=Clear())


def _quit(desk: Desk, cmd: Command, lang: str) -> Outcome:
    return _reply(say("goodbye", lang), lang, action=Quit())


REGISTRY: dict[str, Spec] = {s.name: s for s in (
    Spec("help", _help, palette=(PaletteEntry("palette.help", "/help"),)),
    Spec("topics", _topics, short=True, palette=(PaletteEntry("palette.topics", "/topics"),)),
    Spec("demos", _demos, short=True, palette=(PaletteEntry("palette.demos", "/demos"),)),
    Spec("demo", _demo),
    Spec("stop", _stop, palette=(PaletteEntry("palette.stop", "/stop"),)),
    Spec("sources", _sources, palette=(PaletteEntry("palette.sources", "/sources"),)),
    Spec("tour", _tour, short=True, palette=(PaletteEntry("palette.tour", "/tour"),)),
    Spec("quiz", _quiz, short=True),
    Spec("review", _review, short=True),
    Spec("progress", _progress, short=True),
    Spec("lang", _lang, short=True, palette=(PaletteEntry("palette.lang_en", "/lang en"),
                                             PaletteEntry("palette.lang_zh", "/lang zh"),
                                             PaletteEntry("palette.lang_auto", "/lang auto"))),
    Spec("save", _save, palette=(PaletteEntry("palette.save", "/save ~/ms-b-conversation.md", edit=True),)),
    Spec("clear", _clear, palette=(PaletteEntry("palette.clear", "/clear"),)),
    Spec("quit", _quit, palette=(PaletteEntry("palette.quit", "/quit"),)),
)}
