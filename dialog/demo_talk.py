"""How Ms. B talks about demos: offering one when it helps, starting one when asked in words or by name,
and saying what happened when it ends — never offering one that runs or was just watched."""
from __future__ import annotations

import re
from typing import Any, Protocol

from demos.core import Demo, all_demos, get_demo, prepare
from demos.driver import Outcome
from dialog import persona
from dialog.actions import StartDemo
from dialog.reply import Reply
from dialog.state import ConversationState, Said
from knowledge.entries import Entry
from knowledge.lang import pick


class Talk(Protocol):
    """What demo talk needs of the conversation it belongs to."""

    state: ConversationState
    can_run_demos: bool
    kb: Any
    progress: Any
    quiz: Any

    def named_topic(self, text: str, lang: str) -> Entry | None: ...

    def current(self, named: Entry | None = None) -> Entry | None: ...

    def topic_words(self, text: str, lang: str) -> list[str]: ...

    def answer_question(self, text: str, lang: str) -> Any: ...

# "deep learning" names the field, not the depth demo.
_FIELD = re.compile(r"deep[- ]learning|machine learning|深度学习|机器学习", re.I)


def demo_mentioned(text: str, demos: list[Demo]) -> str | None:
    """The demo whose keywords the text names, preferring the longest keyword match."""
    low = _FIELD.sub(" ", text.lower())
    best, best_len = None, 0
    for d in demos:
        for kw in (*d.keywords.get("en", ()), *d.keywords.get("zh", ()), d.id):
            k = kw.lower()
            found = k and (re.search(rf"(?<![a-z]){re.escape(k)}(?![a-z])", low) if k.isascii() else k in low)
            if found and len(k) > best_len:
                best, best_len = d.id, len(k)
    return best


def title(demo_id: str, lang: str) -> str:
    demo = get_demo(demo_id)
    return demo.title.get(lang) or demo.title["en"]


class DemoTalk:
    def __init__(self, conv: Talk) -> None:
        self.conv = conv
        self.state = conv.state
        self.all = all_demos()

    def offer(self, entry: Any, lang: str) -> str:
        """The line inviting Mr. A to watch the entry's demo, or "" when it runs or was watched already."""
        demo = entry.demo
        if not demo or demo in self.state.running or demo in self.state.watched:
            return ""
        self.state.offered_demo = demo
        self.state.offered_quiz = None  # the latest offer is the one a "yes" accepts
        if self.conv.can_run_demos:
            return pick(lang, f"Want to see it happen? Say **show me** (or `/demo {demo}`).",
                        f"想亲眼看看吗？说 **演示一下**（或输入 `/demo {demo}`）。")
        return pick(lang, f"You can watch it live: `msb demo {demo}`.", f"可以现场看看：`msb demo {demo}`。")

    def accept(self, lang: str) -> Reply:
        """"yes" to an offer."""
        if self.state.offered_demo:
            return self.request(self.state.offered_demo, {}, lang)
        self.state.last = Said(None, "persona:nothing_offered")
        return Reply("smalltalk", persona.line("nothing_offered", lang), lang)

    def in_words(self, text: str, lang: str) -> Reply:
        """"show me", "能跑给我看吗": the demo named, else the topic's, else the one offered, else that of a
        topic just before, else ask which."""
        named = demo_mentioned(text, self.all)
        entry = self.conv.named_topic(text, lang) if named is None else None
        demo = named or (entry.demo if entry else None) or self.state.offered_demo or \
            self._nearest(self.conv.current()) or self._recent()
        if demo is None and self.conv.topic_words(text, lang):
            return self.conv.answer_question(text, lang)  # "can I build models visually in a browser?": asked, not a demo
        if demo is None:
            lines = "\n".join(f"- **{d.title[lang]}** — `/demo {d.id}`" for d in self.all)
            self.state.last = Said(None, "persona:which_demo")
            return Reply("smalltalk", f"{persona.line('which_demo', lang)}\n\n{lines}", lang)
        return self.request(demo, {}, lang)

    def _recent(self) -> str | None:
        """The demo of the latest topic talked about that has one ("CNNs… then a detour… show me one")."""
        entries = self.conv.kb.entries
        return next((entries[t].demo for t in reversed(self.state.recent) if t in entries and entries[t].demo), None)

    def _nearest(self, entry: Any) -> str | None:
        """The current topic's demo, else the demo of the closest related topic that has one."""
        if entry is None:
            return None
        kb = self.conv.kb
        return entry.demo or next((kb.entries[r].demo for r in entry.related if r in kb.entries and kb.entries[r].demo),
                                  None)

    def request(self, demo_id: str, options: dict[str, Any], lang: str, *, device: str | None = None,
                explicit: bool = False) -> Reply:
        """Start a demo (DemoError for an unknown one or a bad option): by name (`/demo NAME`, explicit) it
        may run beside another; asked in words, it waits for the one running."""
        req = prepare(demo_id, options)
        name = req.demo.title.get(lang) or req.demo.title["en"]
        self.state.offered_demo = None
        self.state.last = Said(None, f"demo:{demo_id}")
        if not self.conv.can_run_demos:
            flags = "".join(f" --{k} {v}" for k, v in options.items())
            text = pick(lang, f"That's the **{name}** demo: {req.demo.description['en']}\n\nRun it in your terminal: "
                              f"`msb demo {demo_id}{flags}` (or `/demo {demo_id}` in the chat).",
                        f"这是 **{name}** 演示：{req.demo.description['zh']}\n\n在终端里运行："
                        f"`msb demo {demo_id}{flags}`（或在聊天中输入 `/demo {demo_id}`）。")
            return Reply("demo", text, lang, demo=demo_id, score=1.0)
        if demo_id in self.state.running:
            return Reply("demo", pick(lang, f"The **{name}** demo is running right now — it's in the panel above.",
                                      f"**{name}** 演示正在运行——就在上面的面板里。"), lang, demo=demo_id, score=1.0)
        running = [title(d, lang) for d in self.state.running]
        if running and not explicit:
            return Reply("demo", _busy(lang, running, demo_id), lang, demo=demo_id, score=1.0)
        if getattr(self.conv, "runs_beside", True):
            text = pick(lang, f"Let's watch it: **{name}**. It runs beside our chat — keep asking, or `/stop` it.",
                        f"我们来看看：**{name}**。它在聊天旁边运行——你可以继续提问，或输入 `/stop` 停止。")
        else:
            text = pick(lang, f"Let's watch it: **{name}**. It runs until it's done (Ctrl-C stops it), then we carry on.",
                        f"我们来看看：**{name}**。它会一直运行到结束（按 Ctrl-C 可以停止），然后我们接着聊。")
        if running:
            text += "\n\n" + _alongside(lang, running)
        return Reply("demo", text, lang, demo=demo_id, score=1.0,
                     action=StartDemo(req, device=device, alongside=bool(running)))

    # ------------------------------------------------------------------ what the front end reports

    def started(self, demo_id: str) -> None:
        if demo_id not in self.state.running:
            self.state.running.append(demo_id)

    def ended(self, outcome: Outcome) -> Reply:
        """Ms. B's words once a demo ended: its result tied back to the topic, or what went wrong."""
        demo_id, lang = outcome.demo, self.state.lang
        if demo_id in self.state.running:
            self.state.running.remove(demo_id)
        if outcome.status == "stopped":
            return Reply("command", pick(lang, "Demo stopped.", "演示已停止。"), lang, demo=demo_id)
        if outcome.status == "failed":
            return Reply("error", pick(lang, f"The **{demo_id}** demo stopped with a problem: {outcome.message}\n\n"
                                             "Our conversation goes on.",
                                       f"**{demo_id}** 演示出了问题：{outcome.message}\n\n我们的对话继续。"), lang,
                         demo=demo_id)
        self.state.watched.append(demo_id)
        self.conv.progress.watched(demo_id)
        linked = self.conv.current() if (self.conv.current() and self.conv.current().demo == demo_id) else next(
            (e for e in self.conv.kb.entries.values() if e.demo == demo_id), None)
        if linked is not None:
            self.state.enter(linked.id)
        more = pick(lang, "Ask me *why?* or *tell me more* to dig in.", "想深入的话，问我「为什么」或「继续」。")
        summary = outcome.result.summary if outcome.result else ""
        explained = linked is not None and self.state.has_said(linked.id, "answer")
        check = self.conv.quiz.offer(linked.id, lang) if explained and not self.state.running else ""
        return Reply("demo", f"{summary}\n\n{more}".strip(), lang, topic=linked.id if linked else None,
                     demo=demo_id, score=1.0, offer=check)


def _busy(lang: str, running: list[str], wanted: str) -> str:
    names = pick(lang, ", ", "、").join(f"**{t}**" for t in running)
    return pick(lang, f"The {names} demo is still running, so I won't start `{wanted}` yet. Press **Esc** or type "
                      f"`/stop` to stop it, then ask again — or type `/demo {wanted}` to run both side by side.",
                f"{names} 演示还在运行，所以暂不启动 `{wanted}`。按 **Esc** 或输入 `/stop` 停止它，然后再叫我；"
                f"或者输入 `/demo {wanted}`，让两个演示并排运行。")


def _alongside(lang: str, running: list[str]) -> str:
    names = pick(lang, ", ", "、").join(f"**{t}**" for t in running)
    return pick(lang, f"You asked for it by name, so it runs beside {names}: they share the processor, so each "
                      "trains more slowly. **Esc** or `/stop` stops them all.",
                f"你点名要了它，所以它和 {names} 并排运行：两者共用处理器，各自都会慢一些。"
                "按 **Esc** 或输入 `/stop` 会把它们全部停止。")
