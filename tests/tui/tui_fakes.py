"""Small stand-ins for the knowledge base, the conversation engine and the demo runner, so
most screen tests run in well under a second without torch or the embedding model."""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

from demos.driver import Outcome
from demos.fake import FakeHandle, FakeRunner, fake_request, script  # noqa: F401 (re-exported for the tests)
from dialog.actions import Clear, Quit, Save, StartDemo, StopDemo
from dialog.lines import say
from dialog.reply import Reply, Source

CJK = re.compile(r"[\u4e00-\u9fff]")


class FakeKB:
    """Entries with titles and questions, a warm-up that can be held back or fail."""

    def __init__(self, warm_gate: threading.Event | None = None, warm_error: str = "") -> None:
        self.entries = {
            "what-deep-means": SimpleNamespace(
                id="what-deep-means", title={"en": "What “deep” means", "zh": "“深度”是什么意思"},
                questions={"en": ("what does deep mean",), "zh": ("深度是什么意思",)}),
        }
        self.dense_ready = False
        self._warm_gate = warm_gate  # warm-up lasts until the test sets it
        self._warm_error = warm_error

    def warm_up(self, notice=None) -> None:
        if self._warm_gate is not None:
            self._warm_gate.wait(10)
        if self._warm_error:
            raise RuntimeError(self._warm_error)
        self.dense_ready = True


class FakeDemos:
    """The engine's demo bookkeeping as the front end reports to it."""

    def __init__(self, conv: "FakeConversation") -> None:
        self.conv = conv
        self.running: list[str] = []

    def started(self, demo_id: str) -> None:
        self.running.append(demo_id)

    def ended(self, outcome: Outcome) -> Reply:
        if outcome.demo in self.running:
            self.running.remove(outcome.demo)
        lang = self.conv.state.lang
        if outcome.status == "finished":
            self.conv.finished.append((outcome.demo, dict(outcome.result.metrics), outcome.result.summary))
            return Reply("demo", f"{outcome.result.summary}\n\nThe {outcome.demo} demo is done.", lang,
                         demo=outcome.demo)
        if outcome.status == "failed":
            self.conv.failed.append((outcome.demo, outcome.message))
            return Reply("error", f"The **{outcome.demo}** demo stopped with a problem: {outcome.message}", lang)
        return Reply("command", "Demo stopped.", lang)


@dataclass
class FakeConversation:
    """Echoes questions as answers and maps slash commands to the engine's actions."""

    kb: object = None
    delay: float = 0.0
    state: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(lang="en", topic=None))
    restored: list | None = None
    finished: list = field(default_factory=list)
    failed: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.demos = FakeDemos(self)

    def respond(self, text: str) -> Reply:
        time.sleep(self.delay)
        lang = "zh" if CJK.search(text) else "en"
        words = text.split()
        cmd = words[0] if words and words[0].startswith("/") else ""
        if cmd == "/demo" or text.startswith("show me "):
            reply = self._demo(words, cmd == "/demo", lang)
        elif cmd in ("/stop", "/clear", "/quit"):
            if cmd == "/stop" and not self.demos.running:
                reply = Reply("command", "No demo is running right now.", lang)
            else:
                reply = Reply("command", f"ok {cmd}", lang, action={"/stop": StopDemo(), "/clear": Clear(),
                                                                     "/quit": Quit()}[cmd])
        elif cmd == "/save":
            reply = Reply("command", "Saving.", lang, action=Save(" ".join(words[1:])))
        elif "boom" in text:
            raise RuntimeError("engine bug")
        else:
            prefix = "你问的是：" if lang == "zh" else "You asked: "
            source = Source("conversation", "第一节", "深度学习中的深度指的是层数。", "A Conversation")
            if "rendered" in text:  # an English answer cites Ms. B's rendering of the Chinese passage
                source = Source("conversation", "第一节", "The deep in deep learning is the number of layers.",
                                "A Conversation", original="深度学习中的深度指的是层数。")
            offer = "coordinates" if "offer" in text else None
            reply = Reply("answer", f"{prefix}{text}\n\n- point one\n- point two\n\n```\ncode()\n```", lang,
                          sources=(source,), demo=offer, offer="Want to see it happen?" if offer else "")
        self.state.lang = reply.lang
        return reply

    def _demo(self, words: list[str], explicit: bool, lang: str) -> Reply:
        name = words[1] if explicit else words[2]  # "show me ok": a request in words, not a command
        options = dict(zip((w.lstrip("-") for w in words[2::2]), words[3::2])) if explicit else {}
        if self.demos.running and not explicit:
            names = ", ".join(f"**{t}**" for t in self.demos.running)
            return Reply("demo", say("demo_busy", lang, names=names, wanted=name), lang, demo=name)
        text = f"Starting **{name}**."
        if self.demos.running:
            text += "\n\n" + say("demo_alongside", lang, names=", ".join(f"**{t}**" for t in self.demos.running))
        return Reply("demo", text, lang, demo=name,
                     action=StartDemo(fake_request(name, options), alongside=bool(self.demos.running)))

    def demo_started(self, demo_id: str) -> None:
        self.demos.started(demo_id)

    def demo_ended(self, outcome: Outcome) -> Reply:
        return self.demos.ended(outcome)

    def restore(self, turns: list) -> None:
        self.restored = [(t.role, t.text) for t in turns]
        self.state.topic = next((t.topic for t in reversed(turns) if t.role == "ms_b" and t.topic), None)
        self.state.lang = next((t.lang for t in reversed(turns) if t.role == "ms_b" and t.lang), self.state.lang)
