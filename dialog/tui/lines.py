"""What the app itself says (not the engine): the greeting, its state, notes about demos. Markdown, like
Ms. B's replies, in English and Chinese."""
from __future__ import annotations

from knowledge.lang import pick

STATUS = {
    "loading": ("loading the knowledge base…", "正在加载知识库……"),
    "warming": ("warming up the search model (about a second; questions are answered meanwhile)…",
                "正在加载搜索模型（约一秒；期间照样回答问题）……"),
    "ready": ("ready", "就绪"),
    "keywords": ("ready (keyword search)", "就绪（关键词搜索）"),
    "failed": ("the knowledge base could not be loaded", "知识库加载失败"),
}


def status(lang: str, state: str) -> str:
    en, zh = STATUS[state]
    return pick(lang, en, zh)


def greeting(lang: str) -> str:
    from dialog.lines import say

    return say("greet", lang) + pick(
        lang, "\n\nType a question below — in English or 中文. `/help` lists what I can do; **ctrl+p** opens the "
              "command palette (demos, topics, commands).",
        "\n\n在下面输入问题——中文或 English 都行。`/help` 列出我能做的事；**ctrl+p** 打开命令面板（演示、话题、命令）。")


def loading(lang: str) -> str:
    return pick(lang, "one moment — loading my notes…", "稍等——正在加载我的笔记…")


def stopped(lang: str, title: str) -> str:
    return pick(lang, f"Demo stopped: {title}.", f"演示已停止：{title}。")


def folded(lang: str, n: int) -> str:
    """The line that stands for the oldest turns of a long conversation, folded away."""
    if n == 1:
        return pick(lang, "⋯ 1 earlier message folded away — Enter or a click shows it",
                    "⋯ 收起了 1 条较早的消息——按回车或点击展开")
    return pick(lang, f"⋯ {n} earlier messages folded away (the app stays light) — Enter or a click shows them",
                f"⋯ 收起了 {n} 条较早的消息（让应用保持轻快）——按回车或点击展开")
