"""MsBApp: the chat screen. Slow work (loading, answering, demos) runs in workers that post
messages back; the UI thread only mounts widgets and routes replies' actions."""
from __future__ import annotations

import time
from collections import deque
from functools import partial
from pathlib import Path
from typing import Any, Callable

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, Input

from dialog.errors import UserError
from dialog.reply import Reply
from dialog.transcript import Transcript, Turn, data_dir as resolve_data_dir, export_markdown
from dialog.widgets.chat import ChatView, StatusLine
from dialog.widgets.demo_panel import DemoPanel
from dialog.widgets.messages import BotMessage, NoteMessage, UserMessage
from dialog.widgets.palette import MsBCommands
from dialog.widgets.prompt import ChatInput

TYPING_SECONDS = 0.8  # a reply is typed in within about this long, then shown whole
Job = Callable[[Any], Reply]  # conv -> Reply, run on the answering thread


def _t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def greeting(lang: str) -> str:
    from dialog.persona import line

    return line("greet", lang) + _t(
        lang, "\n\nType a question below — in English or 中文. `/help` lists what I can do; **ctrl+p** opens the "
              "command palette (demos, topics, commands).",
        "\n\n在下面输入问题——中文或 English 都行。`/help` 列出我能做的事；**ctrl+p** 打开命令面板（演示、话题、命令）。")


class MsBApp(App):
    TITLE = "Ms. B — a deep-learning tutor"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {MsBCommands}
    AUTO_FOCUS = "ChatInput"
    BINDINGS = [
        Binding("escape", "stop_demo", "Stop demo"),
        Binding("f1", "send('/help')", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("pageup", "scroll_chat(-1)", "Scroll up", show=False),
        Binding("pagedown", "scroll_chat(1)", "Scroll down", show=False),
    ]

    class KnowledgeLoaded(Message):
        def __init__(self, kb: Any, conv: Any, demos: list, seconds: float) -> None:
            super().__init__()
            self.kb, self.conv, self.demos, self.seconds = kb, conv, demos, seconds

    class KnowledgeFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class WarmUpComplete(Message):
        def __init__(self, dense: bool, error: str = "") -> None:
            super().__init__()
            self.dense, self.error = dense, error

    class DeviceResolved(Message):
        def __init__(self, device: str, error: str = "") -> None:
            super().__init__()
            self.device, self.error = device, error

    class ReplyReady(Message):
        def __init__(self, bubble: BotMessage, reply: Reply, seconds: float) -> None:
            super().__init__()
            self.bubble, self.reply, self.seconds = bubble, reply, seconds

    class ReplyFailed(Message):
        def __init__(self, bubble: BotMessage, error: str) -> None:
            super().__init__()
            self.bubble, self.error = bubble, error

    def __init__(self, *, resume: bool = False, data_dir: Path | str | None = None, device: str | None = None,
                 lang: str | None = None, conversation_factory: Callable[[Any], Any] | None = None,
                 runner: Callable[..., Any] | None = None, kb_loader: Callable[[], Any] | None = None,
                 device_resolver: Callable[[str | None], str] | None = None, warm_up: bool = True,
                 typing_seconds: float = TYPING_SECONDS) -> None:
        super().__init__()
        self.resume = resume
        self.data_dir = resolve_data_dir(data_dir)
        self.device_request = device
        self.lang = lang if lang in ("en", "zh") else None
        self._factory = conversation_factory
        self._runner = runner
        self._kb_loader = kb_loader
        self._device_resolver = device_resolver
        self._warm_up = warm_up
        self.typing_seconds = typing_seconds
        self.kb: Any = None
        self.conv: Any = None
        self.demos: list = []
        self.device: str | None = None
        self.transcript = Transcript(self.data_dir)
        self.panel: DemoPanel | None = None  # the latest demo; at most one runs at a time
        self._jobs: deque[tuple[Job, BotMessage]] = deque()
        self._answering = False
        self._transcript_warned = False
        self.timings: dict[str, float] = {}  # launch milestones (perf_counter), read by bench/tui.py
        self.sub_title = "device: …"

    # ------------------------------------------------------------------ layout and start-up

    def compose(self) -> ComposeResult:
        yield Header()
        yield ChatView(id="chat")
        yield StatusLine(id="status")
        yield ChatInput(placeholder="Ask Ms. B… (/help for commands, ctrl+p for the palette)", id="prompt")
        yield Footer()

    @property
    def chat(self) -> ChatView:
        return self.query_one(ChatView)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        self.timings["mounted"] = time.perf_counter()
        resumed = self._resume() if self.resume else False
        if not resumed:
            hello = Reply("smalltalk", greeting(self.lang or "en"), self.lang or "en")
            bubble = BotMessage()
            self.chat.mount(bubble)
            bubble.show(hello, 0)
        self.status.show("loading the knowledge base…", busy=True)
        self._load()

    def _resume(self) -> bool:
        self.transcript, loaded = Transcript.resume(self.data_dir)
        if loaded.skipped:
            self.notify(f"Skipped {loaded.skipped} damaged line(s) in {self.transcript.path}.",
                        severity="warning", markup=False)
        if self.transcript.path is None:
            self.notify("No earlier conversation to resume; starting a new one.", markup=False)
            return False
        for turn in loaded.turns:
            if turn.role == "user":
                self.chat.mount(UserMessage(turn.text))
            elif turn.role == "ms_b":
                bubble = BotMessage()
                self.chat.mount(bubble)
                bubble.show(Reply(turn.kind or "answer", turn.text, turn.lang or "en",  # type: ignore[arg-type]
                                  sources=turn.sources, demo=turn.demo), 0)
            else:
                self.chat.mount(NoteMessage(turn.text))
        self.chat.mount(NoteMessage(f"Resumed the conversation of {self.transcript.path.name} "
                                    f"({len(loaded.turns)} turns)."))
        self.chat.anchor()
        return True

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        start = time.perf_counter()
        try:
            if self._kb_loader is not None:
                kb = self._kb_loader()
            else:
                from knowledge.base import KnowledgeBase

                kb = KnowledgeBase.load()
            from demos.core import all_demos

            demos = all_demos()
            if self._factory is not None:
                conv = self._factory(kb)
            else:
                from dialog.engine import Conversation

                conv = Conversation(kb, lang=self.lang, can_run_demos=True)
            turns = self.transcript.conversation()
            if turns:
                conv.restore(turns)
        except Exception as exc:  # a broken entry file names itself; the screen stays usable
            self.post_message(self.KnowledgeFailed(str(exc)))
            return
        self.post_message(self.KnowledgeLoaded(kb, conv, demos, time.perf_counter() - start))
        if self._warm_up and hasattr(kb, "warm_up"):
            try:
                kb.warm_up()
                self.post_message(self.WarmUpComplete(bool(getattr(kb, "dense_ready", True))))
            except Exception as exc:  # no model on disk: keyword search still answers
                self.post_message(self.WarmUpComplete(False, str(exc)))
        self._resolve_device()

    def _resolve_device(self) -> None:
        # After warm-up: both import torch, and one import at a time keeps the screen responsive.
        resolver = self._device_resolver
        if resolver is None:
            from demos.device import resolve_device as resolver
        try:
            self.post_message(self.DeviceResolved(resolver(self.device_request)))
        except UserError as exc:
            self.post_message(self.DeviceResolved(resolver(None), str(exc)))
        except Exception as exc:
            self.post_message(self.DeviceResolved("cpu", f"could not detect a device: {exc}"))

    @on(KnowledgeLoaded)
    def _knowledge_loaded(self, message: KnowledgeLoaded) -> None:
        self.kb, self.conv, self.demos = message.kb, message.conv, message.demos
        self.timings["knowledge_loaded"] = time.perf_counter()
        if self._warm_up and hasattr(self.kb, "warm_up"):
            self.status.show("warming up the search model… (questions are answered meanwhile)", busy=True)
        else:
            self.status.show("ready")
        self._pump()

    @on(KnowledgeFailed)
    def _knowledge_failed(self, message: KnowledgeFailed) -> None:
        self.status.show("the knowledge base could not be loaded")
        self.notify(message.error, title="Knowledge base", severity="error", timeout=30, markup=False)
        while self._jobs:
            _, bubble = self._jobs.popleft()
            bubble.show(Reply("error", "I can't answer: my knowledge base failed to load (see the notice).", "en"), 0)

    @on(WarmUpComplete)
    def _warmed_up(self, message: WarmUpComplete) -> None:
        self.timings["warm"] = time.perf_counter()
        if message.error:
            self.notify(f"Searching by keywords only: {message.error}", severity="warning", markup=False)
        self.status.show("ready" if message.dense else "ready (keyword search)")

    @on(DeviceResolved)
    def _device_resolved(self, message: DeviceResolved) -> None:
        self.device = message.device
        self.sub_title = f"device: {message.device}"
        if message.error:
            self.device_request = None  # demos fall back to the automatic choice
            self.notify(f"{message.error}; demos will use {message.device}.", severity="error", markup=False)

    # ------------------------------------------------------------------ talking

    def current_lang(self) -> str:
        state = getattr(self.conv, "state", None)
        return getattr(state, "lang", None) or self.lang or "en"

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        prompt = self.query_one(ChatInput)
        prompt.remember(event.value)
        prompt.clear()
        self.submit_line(event.value)

    def submit_line(self, line: str) -> None:
        """Show Mr. A's line and have Ms. B answer it (queued while she is still loading)."""
        if not line.strip():
            return
        self._record(Turn("user", line, time.time()))
        self.chat.mount(UserMessage(line))
        self._ask(lambda conv: conv.respond(line))

    def prefill(self, line: str) -> None:
        prompt = self.query_one(ChatInput)
        prompt.value = line
        prompt.cursor_position = len(line)
        prompt.focus()

    def _ask(self, job: Job) -> BotMessage:
        bubble = BotMessage()
        self.chat.mount(bubble)
        self.chat.anchor()
        self._jobs.append((job, bubble))
        self._pump()
        return bubble

    def _pump(self) -> None:
        """Answer queued jobs one at a time (the engine takes one caller at a time), in order."""
        if self.conv is None:
            for _, bubble in self._jobs:
                bubble.wait_with(_t(self.lang or "en", "one moment — loading my notes…", "稍等——正在加载我的笔记…"))
            return
        if self._answering or not self._jobs:
            return
        job, bubble = self._jobs.popleft()
        self._answering = True
        self._answer(job, bubble)

    @work(thread=True, group="answer")
    def _answer(self, job: Job, bubble: BotMessage) -> None:
        start = time.perf_counter()
        try:
            reply = job(self.conv)
        except Exception as exc:  # the engine promises never to raise; a bug still must not freeze the chat
            self.post_message(self.ReplyFailed(bubble, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.ReplyReady(bubble, reply, time.perf_counter() - start))

    @on(ReplyFailed)
    def _reply_failed(self, message: ReplyFailed) -> None:
        self._answering = False
        self.notify(message.error, title="Ms. B could not answer", severity="error", markup=False)
        message.bubble.show(Reply("error", "Sorry — something went wrong on my side (see the notice). "
                                           "Ask me again, or something else.", self.current_lang()), 0)
        self._pump()

    @on(ReplyReady)
    async def _reply_ready(self, message: ReplyReady) -> None:
        self._answering = False
        self.timings.setdefault("first_reply", time.perf_counter())
        reply, bubble = message.reply, message.bubble
        text = reply.text
        action = reply.action
        if action == "start_demo" and self.demo_running:
            text = self._busy_text(reply)
            action = None
        elif action == "stop_demo" and not self.demo_running:
            text = _t(reply.lang, "No demo is running right now.", "现在没有正在运行的演示。")
            action = None
        self._record(Turn.from_reply(reply) if text == reply.text else
                     Turn("ms_b", text, time.time(), reply.kind, reply.lang, reply.sources, reply.demo))
        if action == "clear":
            await self.chat.clear(keep=self.panel if self.demo_running else None)
            self.transcript.restart()
            bubble = BotMessage()
            await self.chat.mount(bubble)
        bubble.show(reply, self.typing_seconds, text=text)
        if action == "start_demo":
            self._start_demo(reply.args, reply.lang)
        elif action == "stop_demo":
            self.action_stop_demo()
        elif action == "save":
            self._save(str(reply.args.get("path", "")))
        elif action == "quit":
            self.set_timer(0.3, self.exit)
        self._pump()

    def _busy_text(self, reply: Reply) -> str:
        running = self.panel.title if self.panel else ""
        wanted = reply.args.get("demo", "")
        return _t(reply.lang,
                  f"The **{running}** demo is still running, so I won't start `{wanted}` now. "
                  f"Press **Esc** or type `/stop` to stop it, then ask again.",
                  f"**{running}** 演示还在运行，所以现在不启动 `{wanted}`。按 **Esc** 或输入 `/stop` 停止它，然后再叫我。")

    def _record(self, turn: Turn) -> None:
        self.transcript.append(turn)
        if self.transcript.error and not self._transcript_warned:
            self._transcript_warned = True
            self.notify(f"The transcript cannot be written ({self.transcript.error}); the chat goes on unsaved.",
                        severity="warning", markup=False)

    def _save(self, path: str) -> None:
        try:
            target = export_markdown(self.transcript.turns, path)
        except UserError as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False)
            return
        self.notify(f"Saved the conversation to {target}", title="Saved", markup=False)

    # ------------------------------------------------------------------ demos

    @property
    def demo_running(self) -> bool:
        return self.panel is not None and self.panel.running

    def _demo_title(self, demo_id: str, lang: str) -> str:
        demo = next((d for d in self.demos if d.id == demo_id), None)
        return (demo.title.get(lang) or demo.title.get("en") or demo_id) if demo else demo_id

    def _start_demo(self, args: dict[str, Any], lang: str) -> None:
        demo_id = str(args.get("demo", ""))
        options = dict(args.get("options") or {})
        device = args.get("device") or self.device_request
        runner = self._runner
        if runner is None:
            from demos.runner import start_demo

            runner = partial(start_demo, in_process=False)
        start = partial(runner, demo_id, options, device=device, lang=lang)
        self.panel = DemoPanel(demo_id, self._demo_title(demo_id, lang), start, lang=lang)
        self.chat.mount(self.panel)
        self.chat.anchor()
        self.refresh_bindings()

    @on(DemoPanel.Finished)
    def _demo_finished(self, message: DemoPanel.Finished) -> None:
        self.refresh_bindings()
        result = message.result
        demo_id = message.panel.demo_id
        self._ask(lambda conv: conv.demo_finished(demo_id, dict(result.metrics), result.summary))

    @on(DemoPanel.Failed)
    def _demo_failed(self, message: DemoPanel.Failed) -> None:
        self.refresh_bindings()
        self.notify(message.message, title="The demo failed", severity="error", markup=False)
        demo_id = message.panel.demo_id
        self._ask(lambda conv: conv.demo_failed(demo_id, message.message))

    @on(DemoPanel.Stopped)
    def _demo_stopped(self, message: DemoPanel.Stopped) -> None:
        self.refresh_bindings()
        note = _t(message.panel.lang, f"The {message.panel.title} demo was stopped.",
                  f"{message.panel.title} 演示已停止。")
        self._record(Turn("event", note, time.time()))
        self.chat.mount(NoteMessage(note))
        self.chat.anchor()

    @on(BotMessage.DemoRequested)
    def _demo_requested(self, message: BotMessage.DemoRequested) -> None:
        self.submit_line(f"/demo {message.demo_id}")

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_demo":
            return True if self.demo_running else None  # shown dimmed while nothing runs
        return True

    def action_stop_demo(self) -> None:
        if self.demo_running and self.panel is not None:
            self.panel.cancel()

    def action_send(self, line: str) -> None:
        self.submit_line(line)

    def action_scroll_chat(self, direction: int) -> None:
        chat = self.chat
        if direction < 0:
            chat.scroll_page_up()
        else:
            chat.scroll_page_down()
