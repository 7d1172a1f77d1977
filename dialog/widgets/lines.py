"""What the app itself says (not the engine): the greeting and the notes about demos, in
English and Chinese. Markdown, like Ms. B's replies."""
from __future__ import annotations


def t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def greeting(lang: str) -> str:
    from dialog.persona import line

    return line("greet", lang) + t(
        lang, "\n\nType a question below — in English or 中文. `/help` lists what I can do; **ctrl+p** opens the "
              "command palette (demos, topics, commands).",
        "\n\n在下面输入问题——中文或 English 都行。`/help` 列出我能做的事；**ctrl+p** 打开命令面板（演示、话题、命令）。")


def loading(lang: str) -> str:
    return t(lang, "one moment — loading my notes…", "稍等——正在加载我的笔记…")


def nothing_to_stop(lang: str) -> str:
    return t(lang, "No demo is running right now.", "现在没有正在运行的演示。")


def stopped(lang: str, title: str) -> str:
    return t(lang, f"Demo stopped: {title}.", f"演示已停止：{title}。")


def _titles(lang: str, titles: list[str]) -> str:
    return t(lang, ", ", "、").join(f"**{title}**" for title in titles)


def busy(lang: str, running: list[str], wanted: str) -> str:
    """One demo at a time: a request that is not an explicit `/demo NAME` waits its turn."""
    names = _titles(lang, running)
    return t(lang,
             f"The {names} demo is still running, so I won't start `{wanted}` yet. Press **Esc** or type "
             f"`/stop` to stop it, then ask again — or type `/demo {wanted}` to run both side by side.",
             f"{names} 演示还在运行，所以暂不启动 `{wanted}`。按 **Esc** 或输入 `/stop` 停止它，然后再叫我；"
             f"或者输入 `/demo {wanted}`，让两个演示并排运行。")


def alongside(lang: str, running: list[str]) -> str:
    """Said when an explicit `/demo NAME` starts beside a running demo."""
    names = _titles(lang, running)
    return t(lang,
             f"You asked for it by name, so it runs beside {names}: they share the processor, so each "
             f"trains more slowly. **Esc** or `/stop` stops them all.",
             f"你点名要了它，所以它和 {names} 并排运行：两者共用处理器，各自都会慢一些。"
             f"按 **Esc** 或输入 `/stop` 会把它们全部停止。")
