"""Slash commands: /help, /topics, /demos, /demo, /stop, /sources, /tour, /lang, /save, /clear, /quit."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from demos.core import all_demos
from dialog.errors import UserError
from dialog.intents import Intent
from dialog.persona import pick
from dialog.reply import Reply
from knowledge.documents import section_label

if TYPE_CHECKING:
    from dialog.engine import Conversation

HELP = {
    "en": """**Talk to me** in English or Chinese — ask anything about deep learning. Follow up with *tell me more*, *why?*, *an example?*.

| command | what it does |
| --- | --- |
| `/help` | this list |
| `/topics` | everything I can talk about |
| `/demos` | the live demos |
| `/demo NAME [--option value]` | run a demo beside the chat (e.g. `/demo cnn --epochs 5`) |
| `/stop` | stop the running demo (or press Esc) |
| `/sources` | where my last answer comes from |
| `/tour` | replay the original conversation, step by step |
| `/lang en\\|zh\\|auto` | pin my language, or follow yours |
| `/save PATH` | save this conversation as Markdown |
| `/clear` | clear the screen |
| `/quit` | leave |""",
    "zh": """**用中文或英文和我聊**——关于深度学习什么都可以问。追问可以说「继续」「为什么」「举个例子」。

| 命令 | 作用 |
| --- | --- |
| `/help` | 显示本列表 |
| `/topics` | 我能聊的所有话题 |
| `/demos` | 现场演示列表 |
| `/demo 名称 [--选项 值]` | 在聊天旁运行一个演示（如 `/demo cnn --epochs 5`） |
| `/stop` | 停止正在运行的演示（或按 Esc） |
| `/sources` | 我上一个回答的出处 |
| `/tour` | 一步步重演原来的对话 |
| `/lang en\\|zh\\|auto` | 固定回答语言，或跟随你的语言 |
| `/save 路径` | 把对话保存为 Markdown |
| `/clear` | 清屏 |
| `/quit` | 退出 |""",
}


def run(conv: "Conversation", intent: Intent, lang: str) -> Reply:
    handler = HANDLERS.get(intent.name)
    if handler is None:
        names = " ".join(f"/{n}" for n in HANDLERS)
        return Reply("error", pick(lang, f"I don't know the command `/{_safe(intent.name)}`. Try one of: {names}",
                                   f"我不认识命令 `/{_safe(intent.name)}`。可以试试：{names}"), lang)
    return handler(conv, intent, lang)


def _safe(text: str) -> str:
    return text.replace("`", "'")[:40]


def _help(conv, intent, lang):
    return Reply("command", HELP[lang], lang)


def _topics(conv, intent, lang):
    lines = [f"- **{e.title[lang]}**" + (f" — `/demo {e.demo}`" if e.demo else "")
             for e in sorted(conv.kb.entries.values(), key=lambda e: e.title["en"].lower())]
    head = pick(lang, "Here's everything I can talk about:", "我能聊的话题：")
    return Reply("command", head + "\n\n" + "\n".join(lines), lang)


def _demos(conv, intent, lang):
    lines = [f"- `/demo {d.id}` — **{d.title[lang]}**: {d.description[lang]}" for d in all_demos()]
    head = pick(lang, "Demos I can run for you (add `--help` to see a demo's options):",
                "我可以现场运行的演示（加上 `--help` 查看选项）：")
    return Reply("command", head + "\n\n" + "\n".join(lines), lang)


def _demo(conv, intent, lang):
    if not intent.args:
        return _demos(conv, intent, lang)
    from demos.core import get_demo

    demo = get_demo(intent.args[0])
    opts = dict(intent.options)
    if "help" in opts:
        lines = [f"- `{spec.describe()}`" for spec in demo.options()]
        return Reply("command", f"**{demo.title[lang]}** — {demo.description[lang]}\n\n" + "\n".join(lines), lang,
                     demo=demo.id)
    device = opts.pop("device", None)
    return conv.demo_request(demo.id, opts, lang, device=device)


def _stop(conv, intent, lang):
    return Reply("command", pick(lang, "Stopping the demo.", "正在停止演示。"), lang, action="stop_demo")


def _sources(conv, intent, lang):
    if not conv.state.last_sources:
        return Reply("command", pick(lang, "My last reply didn't rely on a document passage.",
                                     "我上一个回答没有引用文档段落。"), lang)
    lines = [f"- *{s.title}* — {section_label(s.section, lang)}\n\n  > {s.excerpt}" for s in conv.state.last_sources]
    return Reply("command", pick(lang, "Where that comes from:", "出处：") + "\n\n" + "\n".join(lines), lang,
                 sources=conv.state.last_sources)


def _tour(conv, intent, lang):
    if intent.args and intent.args[0] in ("stop", "end", "quit"):
        conv.state.tour_step = None
        return Reply("command", pick(lang, "Tour ended.", "导览已结束。"), lang)
    return conv.tour_start(lang)


def _lang(conv, intent, lang):
    choice = (intent.args[0].lower() if intent.args else "")
    if choice in ("en", "zh"):
        conv.state.pinned = choice
        return Reply("command", pick(choice, "I'll answer in English.", "我会用中文回答。"), choice)
    if choice == "auto":
        conv.state.pinned = None
        return Reply("command", pick(lang, "I'll answer in the language you write in.", "我会用你使用的语言回答。"), lang)
    raise UserError(pick(lang, "Usage: /lang en | zh | auto", "用法：/lang en | zh | auto"))


def _save(conv, intent, lang):
    if not intent.args:
        raise UserError(pick(lang, "Usage: /save PATH (for example /save ~/ms-b.md)", "用法：/save 路径（例如 /save ~/ms-b.md）"))
    path = " ".join(intent.args)
    return Reply("command", pick(lang, f"Saving the conversation to `{path}`.", f"正在把对话保存到 `{path}`。"), lang,
                 action="save", args={"path": path})


def _clear(conv, intent, lang):
    return Reply("command", pick(lang, "Cleared.", "已清屏。"), lang, action="clear")


def _quit(conv, intent, lang):
    return Reply("command", pick(lang, "Goodbye — it was a pleasure.", "再见，很高兴和你聊天。"), lang, action="quit")


HANDLERS: dict[str, Callable[["Conversation", Intent, str], Reply]] = {
    "help": _help, "topics": _topics, "demos": _demos, "demo": _demo, "stop": _stop, "sources": _sources,
    "tour": _tour, "lang": _lang, "save": _save, "clear": _clear, "quit": _quit,
}
