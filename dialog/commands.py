"""Slash commands: /help, /topics, /demos, /demo, /stop, /sources, /tour, /lang, /save, /clear, /quit."""
from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from demos.core import all_demos, get_demo
from dialog.actions import Clear, Quit, Save, StopDemo
from dialog.errors import UserError
from dialog.reply import Reply
from dialog.state import ConversationState
from knowledge.documents import section_label
from knowledge.lang import pick

HELP = {
    "en": """**Talk to me** in English or Chinese: ask anything about deep learning, then *tell me more*, *why?*,
*an example?*, *who came up with it?* — or say *show me* to watch it run.

- `/topics` what I can talk about · `/demos` the live demos · `/tour` replay the original conversation
- `/quiz` check what you remember · `/progress` your map so far · `/lang en|zh|auto` my language

**Keys:** Enter sends · ↑/↓ earlier lines · Esc stops a demo · ctrl+l lessons · ctrl+p palette ·
PageUp/PageDown scroll · Tab onto a message, ctrl+y copies it · ctrl+q quits

`/help more` lists every command.""",
    "zh": """**用中文或英文和我聊**：关于深度学习什么都可以问，然后说「继续」「为什么」「举个例子」「是谁提出的」，
或者说「演示一下」现场看。

- `/topics` 我能聊的话题 · `/demos` 现场演示 · `/tour` 重演原来的对话
- `/quiz` 检查你记住了多少 · `/progress` 你的学习地图 · `/lang en|zh|auto` 回答语言

**按键：** 回车发送 · ↑/↓ 翻看输入过的内容 · Esc 停止演示 · ctrl+l 课程列表 · ctrl+p 命令面板 ·
PageUp/PageDown 滚动 · Tab 选中一条消息，ctrl+y 复制 · ctrl+q 退出

`/help more` 列出所有命令。""",
}

HELP_MORE = {
    "en": """| command | what it does |
| --- | --- |
| `/help [more]` | the short help, or this table |
| `/topics` | everything I can talk about |
| `/demos` | the live demos |
| `/demo NAME [--option value]` | run a demo beside the chat (e.g. `/demo cnn --epochs 5`; `--help` lists options) |
| `/stop` | stop the running demo (or press Esc) |
| `/sources` | where my last answer comes from |
| `/tour` | replay the original conversation, step by step (`/tour stop` leaves it) |
| `/quiz` | a few questions on what we talked about, scheduled for review |
| `/progress` | the map of topics: explored, watched, remembered |
| `/lang en\\|zh\\|auto` | pin my language, or follow yours |
| `/save PATH` | save this conversation as Markdown |
| `/clear` | start a new conversation on a clear screen |
| `/quit` | leave |""",
    "zh": """| 命令 | 作用 |
| --- | --- |
| `/help [more]` | 简短帮助，或本表 |
| `/topics` | 我能聊的所有话题 |
| `/demos` | 现场演示列表 |
| `/demo 名称 [--选项 值]` | 在聊天旁运行一个演示（如 `/demo cnn --epochs 5`；`--help` 列出选项） |
| `/stop` | 停止正在运行的演示（或按 Esc） |
| `/sources` | 我上一个回答的出处 |
| `/tour` | 一步步重演原来的对话（`/tour stop` 结束） |
| `/quiz` | 就聊过的内容出几道题，并安排复习 |
| `/progress` | 话题地图：探索过、看过、记住了什么 |
| `/lang en\\|zh\\|auto` | 固定回答语言，或跟随你的语言 |
| `/save 路径` | 把对话保存为 Markdown |
| `/clear` | 清屏并开始新的对话 |
| `/quit` | 退出 |""",
}


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)


class Commanded(Protocol):
    """What the commands need of the conversation."""

    state: ConversationState
    kb: Any
    demos: Any
    tour: Any
    quiz: Any
    progress: Any

    def named_topic(self, text: str, lang: str) -> Any: ...


def parse(text: str) -> Command:
    """"/demo cnn --epochs 5 --fast" → Command("demo", ("cnn",), {"epochs": "5", "fast": "true"})."""
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


def run(conv: Commanded, text: str, lang: str) -> Reply:
    command = parse(text)
    handler = HANDLERS.get(command.name)
    if handler is None:
        names = " ".join(f"/{n}" for n in HANDLERS)
        safe = command.name.replace("`", "'")[:40]
        return Reply("error", pick(lang, f"I don't know the command `/{safe}`. Try one of: {names}",
                                   f"我不认识命令 `/{safe}`。可以试试：{names}"), lang)
    return handler(conv, command, lang)


def _help(conv: Commanded, cmd: Command, lang: str) -> Reply:
    if cmd.args and cmd.args[0].lower() in ("more", "all", "commands", "全部"):
        return Reply("command", HELP_MORE[lang], lang)
    return Reply("command", HELP[lang], lang)


def _topics(conv: Commanded, cmd: Command, lang: str) -> Reply:
    lines = [f"- **{e.title[lang]}**" + (f" — `/demo {e.demo}`" if e.demo else "")
             for e in sorted(conv.kb.entries.values(), key=lambda e: e.title["en"].lower())]
    return Reply("command", pick(lang, "Here's everything I can talk about:", "我能聊的话题：") + "\n\n" + "\n".join(lines),
                 lang)


def _demos(conv: Commanded, cmd: Command, lang: str) -> Reply:
    lines = [f"- `/demo {d.id}` — **{d.title[lang]}**: {d.description[lang]}" for d in all_demos()]
    head = pick(lang, "Demos I can run for you (add `--help` to see a demo's options):",
                "我可以现场运行的演示（加上 `--help` 查看选项）：")
    return Reply("command", head + "\n\n" + "\n".join(lines), lang)


def _demo(conv: Commanded, cmd: Command, lang: str) -> Reply:
    if not cmd.args:
        return _demos(conv, cmd, lang)
    demo = get_demo(cmd.args[0])
    opts = dict(cmd.options)
    if "help" in opts:
        lines = [f"- `{spec.describe()}`" for spec in demo.options()]
        return Reply("command", f"**{demo.title[lang]}** — {demo.description[lang]}\n\n" + "\n".join(lines), lang,
                     demo=demo.id)
    device = opts.pop("device", None)
    return conv.demos.request(demo.id, opts, lang, device=device, explicit=True)


def _stop(conv: Commanded, cmd: Command, lang: str) -> Reply:
    if not conv.state.running:
        return Reply("command", pick(lang, "No demo is running right now.", "现在没有正在运行的演示。"), lang)
    return Reply("command", pick(lang, "Stopping the demo.", "正在停止演示。"), lang, action=StopDemo())


def _sources(conv: Commanded, cmd: Command, lang: str) -> Reply:
    if not conv.state.last_sources:
        return Reply("command", pick(lang, "My last reply didn't rely on a document passage.",
                                     "我上一个回答没有引用文档段落。"), lang)
    lines = [f"- *{s.title}* — {section_label(s.section, lang)}\n\n  > {s.excerpt}" for s in conv.state.last_sources]
    return Reply("command", pick(lang, "Where that comes from:", "出处：") + "\n\n" + "\n".join(lines), lang,
                 sources=conv.state.last_sources)


def _tour(conv: Commanded, cmd: Command, lang: str) -> Reply:
    if cmd.args and cmd.args[0] in ("stop", "end", "quit"):
        conv.state.tour_step = None
        return Reply("command", pick(lang, "Tour ended.", "导览已结束。"), lang)
    return conv.tour.start(lang)


def _quiz(conv: Commanded, cmd: Command, lang: str) -> Reply:
    topic = None
    if cmd.args:
        hit = conv.named_topic(" ".join(cmd.args), lang)
        topic = hit.id if hit else None
    return conv.quiz.start(lang, topic)


def _progress(conv: Commanded, cmd: Command, lang: str) -> Reply:
    from dialog.quiz import progress_map

    text, nxt = progress_map(conv.kb, conv.progress, lang)
    suggestions = (conv.kb.entries[nxt].questions[lang][0],) if nxt else ()
    return Reply("command", text, lang, suggestions=suggestions)


def _lang(conv: Commanded, cmd: Command, lang: str) -> Reply:
    choice = cmd.args[0].lower() if cmd.args else ""
    if choice in ("en", "zh"):
        conv.state.pinned = choice
        return Reply("command", pick(choice, "I'll answer in English.", "我会用中文回答。"), choice)
    if choice == "auto":
        conv.state.pinned = conv.state.preferred = None
        return Reply("command", pick(lang, "I'll answer in the language you write in.", "我会用你使用的语言回答。"), lang)
    raise UserError(pick(lang, "Usage: /lang en | zh | auto", "用法：/lang en | zh | auto"))


def _save(conv: Commanded, cmd: Command, lang: str) -> Reply:
    if not cmd.args:
        raise UserError(pick(lang, "Usage: /save PATH (for example /save ~/ms-b.md)", "用法：/save 路径（例如 /save ~/ms-b.md）"))
    path = " ".join(cmd.args)
    return Reply("command", pick(lang, f"Saving the conversation to `{path}`.", f"正在把对话保存到 `{path}`。"), lang,
                 action=Save(path))


def _clear(conv: Commanded, cmd: Command, lang: str) -> Reply:
    return Reply("command", pick(lang, "Cleared.", "已清屏。"), lang, action=Clear())


def _quit(conv: Commanded, cmd: Command, lang: str) -> Reply:
    return Reply("command", pick(lang, "Goodbye — it was a pleasure.", "再见，很高兴和你聊天。"), lang, action=Quit())


HANDLERS: dict[str, Callable[[Commanded, Command, str], Reply]] = {
    "help": _help, "topics": _topics, "demos": _demos, "demo": _demo, "stop": _stop, "sources": _sources,
    "tour": _tour, "quiz": _quiz, "progress": _progress, "lang": _lang, "save": _save, "clear": _clear,
    "quit": _quit,
}
