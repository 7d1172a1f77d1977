"""Small stand-ins for the knowledge base, the conversation engine and the demo runner, so
most screen tests run in well under a second without torch or the embedding model."""
from __future__ import annotations

import queue
import re
import threading
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

from demos.core import Error, Images, Plot, Progress, Result, Series, Stopped, Text
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


@dataclass
class FakeConversation:
    """Echoes questions as answers and maps slash commands to the engine's actions."""

    kb: object = None
    delay: float = 0.0
    history: list = field(default_factory=list)
    state: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(lang="en"))
    restored: list | None = None
    finished: list = field(default_factory=list)
    failed: list = field(default_factory=list)

    def respond(self, text: str) -> Reply:
        time.sleep(self.delay)
        lang = "zh" if CJK.search(text) else "en"
        words = text.split()
        cmd = words[0] if words and words[0].startswith("/") else ""
        if cmd == "/demo" or text.startswith("show me "):
            name = words[1] if cmd else words[2]  # "show me ok": a request in words, not a command
            options = dict(zip((w.lstrip("-") for w in words[2::2]), words[3::2])) if cmd else {}
            reply = Reply("demo", f"Starting **{name}**.", lang, demo=name, action="start_demo",
                          args={"demo": name, "options": options, "device": None})
        elif cmd in ("/stop", "/clear", "/quit"):
            reply = Reply("command", f"ok {cmd}", lang, action={"/stop": "stop_demo", "/clear": "clear",
                                                                 "/quit": "quit"}[cmd])
        elif cmd == "/save":
            reply = Reply("command", "Saving.", lang, action="save", args={"path": " ".join(words[1:])})
        elif "boom" in text:
            raise RuntimeError("engine bug")
        else:
            prefix = "你问的是：" if lang == "zh" else "You asked: "
            source = Source("conversation", "第一节", "深度学习中的深度指的是层数。", "A Conversation")
            offer = "coordinates" if "offer" in text else None
            reply = Reply("answer", f"{prefix}{text}\n\n- point one\n- point two\n\n```\ncode()\n```", lang,
                          sources=(source,), demo=offer)
        self.history += [("user", text), ("ms_b", reply.text)]
        self.state.lang = reply.lang
        return reply

    def demo_finished(self, demo_id: str, metrics: dict, summary: str) -> Reply:
        self.finished.append((demo_id, metrics, summary))
        return Reply("demo", f"{summary}\n\nThe {demo_id} demo is done.", self.state.lang, demo=demo_id)

    def demo_failed(self, demo_id: str, message: str) -> Reply:
        self.failed.append((demo_id, message))
        return Reply("error", f"The **{demo_id}** demo stopped with a problem: {message}", self.state.lang)

    def restore(self, turns: list) -> None:
        self.restored = list(turns)
        self.history = list(turns)


def _scatter(step: int) -> Plot:
    inner = Series("inner", (0.1, -0.2, 0.0), (0.0, 0.1, -0.1), color="blue")
    outer = Series("outer", (1.0, -1.1, 0.0), (0.0, 0.2, 1.0), color="green")
    return Plot("space", f"hidden space, step {step}", "scatter", (inner, outer),
                lines=(((-1.0, 0.5), (1.0, 0.5), "boundary"),))


def script(kind: str, steps: int = 5) -> list:
    """The events a fake demo emits: "ok" ends with a Result, "fail" with an Error,
    "endless" keeps going until it is cancelled."""
    events: list = [Text("Watch the **loss** fall.")]
    losses = tuple(1.0 / (j + 1) for j in range(steps))
    for i in range(1, steps + 1):
        events += [Progress(i, steps, {"loss": 1.0 / i, "accuracy": i / steps}, f"epoch {i}/{steps}"),
                   _scatter(i), Plot("loss", "loss", "line", (Series("loss", tuple(range(i)), losses[:i]),))]
    digit = tuple(tuple((r * c % 5) / 4 for c in range(8)) for r in range(8))
    events.append(Images("digits", "test digits", (digit,) * 3, ("7 ✓", "1 ✓", "3 ✗ (8)")))
    if kind == "fail":
        return events[:3] + [Error("the fake demo ran out of memory on cpu")]
    if kind == "ok":
        return events + [Result({"test_accuracy": 0.97, "seconds": 0.5}, "The network learned the digits.")]
    return events


class FakeHandle:
    def __init__(self, demo_id: str, device: str, events: list, endless: bool, interval: float,
                 release: threading.Event) -> None:
        self.demo_id, self.device = demo_id, device
        self.release = release  # the run ends (Result or Error) only once this is set
        self.cancelled = threading.Event()
        self._queue: queue.Queue = queue.Queue()
        self._ended = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(events, endless, interval), daemon=True)
        self._thread.start()

    def _run(self, events: list, endless: bool, interval: float) -> None:
        i = 0
        while True:
            if self.cancelled.is_set():
                self._finish(Stopped())
                return
            if i < len(events):
                ev = events[i]
                i += 1
                if isinstance(ev, (Result, Error)):
                    while not self.release.wait(0.01):
                        if self.cancelled.is_set():
                            self._finish(Stopped())
                            return
                    self._finish(ev)
                    return
                self._queue.put(ev)
            elif not endless:
                self._finish(Error("script ended without a result"))
                return
            else:
                self._queue.put(Progress(i, 0, {"loss": 0.5}))
                i += 1
            time.sleep(interval)

    def _finish(self, ev) -> None:
        self._queue.put(ev)
        self._ended.set()

    def events(self, timeout: float = 0.0) -> list:
        out = []
        try:
            out.append(self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait())
            while True:
                out.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        return out

    def cancel(self) -> None:
        self.cancelled.set()

    @property
    def done(self) -> bool:
        return self._ended.is_set() and self._queue.empty()

    def join(self, timeout: float | None = None) -> None:
        self._ended.wait(timeout)


class FakeRunner:
    """start_demo's signature; demo ids "ok", "fail", "endless"; "bad" raises like a bad option.
    With hold=True, runs end only after release() (a test can act while they are running)."""

    def __init__(self, interval: float = 0.01, hold: bool = False) -> None:
        self.interval = interval
        self.released = threading.Event()
        if not hold:
            self.released.set()
        self.calls: list = []
        self.handles: list[FakeHandle] = []

    def __call__(self, demo_id: str, options: dict, *, device=None, lang="en", **kwargs) -> FakeHandle:
        from dialog.errors import UserError

        self.calls.append((demo_id, dict(options), device, lang))
        if demo_id == "bad":
            raise UserError("--epochs must be between 1 and 50, got '99'")
        handle = FakeHandle(demo_id, device or "cpu", script(demo_id), demo_id == "endless", self.interval,
                            self.released)
        self.handles.append(handle)
        return handle

    def release(self) -> None:
        self.released.set()
