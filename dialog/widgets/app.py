"""MsBApp: the chat screen. Slow work (loading, answering, demos) runs in workers that post
messages back; the UI thread only mounts widgets and routes replies' actions."""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, Input

from dialog.errors import USER_ERRORS, UserError
from dialog.reply import Reply
from dialog.transcript import Transcript, Turn, data_dir as resolve_data_dir, export_markdown
from dialog.widgets import lines
from dialog.widgets.chat import ChatView, StatusLine
from dialog.widgets.demo_panel import DemoPanel
from dialog.widgets.messages import BotMessage, NoteMessage, UserMessage
from dialog.widgets.palette import MsBCommands
from dialog.widgets.prompt import ChatInput
from dialog.widgets.runtime import prime, settle_gc, single_threaded_torch

TYPING_SECONDS = 0.8  # a reply is typed in within about this long, then shown whole
Job = Callable[[Any], Reply]  # conv -> Reply, run on the answering thread


@dataclass
class Pending:
    """A reply Ms. B owes: how to get it, the bubble it goes in, and whether the line was an
    explicit `/demo NAME` (which may run beside a demo already running)."""

    job: Job
    bubble: BotMessage
    explicit_demo: bool = False


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
        def __init__(self, pending: Pending, reply: Reply, seconds: float) -> None:
            super().__init__()
            self.pending, self.reply, self.seconds = pending, reply, seconds

    class ReplyFailed(Message):
        def __init__(self, bubble: BotMessage, error: str) -> None:
            super().__init__()
            self.bubble, self.error = bubble, error

    def __init__(self, *, resume: bool = False, data_dir: Path | str | None = None, device: str | None = None,
                 lang: str | None = None, conversation_factory: Callable[[Any], Any] | None = None,
                 runner: Callable[..., Any] | None = None, kb_loader: Callable[[], Any] | None = None,
                 device_resolver: Callable[[str | None], str] | None = None, warm_up: bool = True,
                 typing_seconds: float = TYPING_SECONDS, settle_gc: bool = True) -> None:
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
        self._settle_gc = settle_gc  # off in tests: many apps share one process there
        self.typing_seconds = typing_seconds
        self.kb: Any = None
        self.conv: Any = None
        self.demos: list = []
        self.device: str | None = None
        self.transcript = Transcript(self.data_dir)
        self.panels: list[DemoPanel] = []  # every demo shown, oldest first
        self._jobs: deque[Pending] = deque()
        self._answering = False
        self._kb_error: str | None = None
        self._transcript_warned = False
        self.timings: dict[str, float] = {}  # launch milestones (perf_counter), read by bench/tui.py
        self.sub_title = "device: …"

    # ------------------------------------------------------------------ layout and start-up

    def compose(self) -> ComposeResult:
        yield Header()
        yield ChatView(id="chat")
        yield StatusLine(id="status")
        yield ChatInput(placeholder="Ask Ms. B… (/help for commands, ctrl+p for the palette)", id="prompt",
                        select_on_focus=False)  # coming back to a half-typed line must not select it
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
            hello = Reply("smalltalk", lines.greeting(self.lang or "en"), self.lang or "en")
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
        self.chat.replay(loaded.turns)
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
                # The engine guesses the topic from the last question it can match; Ms. B's own
                # last topic (a demo's summing-up, a follow-up) is on record and surer.
                topic, state = self.transcript.last_topic(), getattr(conv, "state", None)
                if topic and state is not None:
                    state.topic = topic
        except Exception as exc:  # a broken entry file names itself; the screen stays usable
            self.post_message(self.KnowledgeFailed(str(exc)))
            self._resolve_device()
            return
        self.post_message(self.KnowledgeLoaded(kb, conv, demos, time.perf_counter() - start))
        # Load the Chinese word segmenter now, while nothing else competes for the interpreter:
        # measured, the first question paid ~0.3 s for it when idle but ~2 s when it ran
        # beside the model's imports below.
        prime(kb)
        # The device imports torch, which the warm-up needs anyway: first, so that the header
        # names the device in seconds rather than after the model has loaded.
        self._resolve_device()
        if self._warm_up and hasattr(kb, "warm_up"):
            try:
                kb.warm_up()
                prime(kb)  # the first dense query pays the model's first forward pass
                if self._settle_gc:
                    settle_gc()
                self.post_message(self.WarmUpComplete(bool(getattr(kb, "dense_ready", True))))
            except Exception as exc:  # no model on disk: keyword search still answers
                self.post_message(self.WarmUpComplete(False, str(exc)))

    def _resolve_device(self) -> None:
        resolver = self._device_resolver
        if resolver is None:
            from demos.device import resolve_device as resolver
        try:
            self.post_message(self.DeviceResolved(resolver(self.device_request)))
        except USER_ERRORS as exc:
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
        self._kb_error = message.error
        self.status.show("the knowledge base could not be loaded")
        self.notify(message.error, title="Knowledge base", severity="error", timeout=30, markup=False)
        self._pump()

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

    def submit_line(self, line: str, *, explicit: bool = True) -> None:
        """Show Mr. A's line and have Ms. B answer it (queued while she is still loading).

        `explicit`: a typed `/demo NAME` is a deliberate request, so it may start beside a
        running demo; the same line sent by a "Show me" button may not."""
        if not line.strip():
            return
        self._record(Turn("user", line, time.time()))
        self.chat.mount(UserMessage(line))
        self._ask(lambda conv: conv.respond(line),
                  explicit_demo=explicit and line.lstrip().lower().startswith("/demo "))

    def prefill(self, line: str) -> None:
        prompt = self.query_one(ChatInput)
        prompt.value = line
        prompt.cursor_position = len(line)
        prompt.focus()

    def _ask(self, job: Job, *, explicit_demo: bool = False) -> BotMessage:
        bubble = BotMessage()
        self.chat.mount(bubble)
        self.chat.anchor()
        self._jobs.append(Pending(job, bubble, explicit_demo))
        self._pump()
        return bubble

    def _pump(self) -> None:
        """Answer queued jobs one at a time (the engine takes one caller at a time), in order."""
        if self._kb_error is not None:
            while self._jobs:
                self._jobs.popleft().bubble.show(Reply(
                    "error", "I can't answer: my knowledge base failed to load (see the notice).", "en"), 0)
            return
        if self.conv is None:
            for pending in self._jobs:
                pending.bubble.wait_with(lines.loading(self.lang or "en"))
            return
        if self._answering or not self._jobs:
            return
        self._answering = True
        self._answer(self._jobs.popleft())

    @work(thread=True, group="answer")
    def _answer(self, pending: Pending) -> None:
        start = time.perf_counter()
        try:
            single_threaded_torch()
            reply = pending.job(self.conv)
        except Exception as exc:  # the engine promises never to raise; a bug still must not freeze the chat
            self.post_message(self.ReplyFailed(pending.bubble, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.ReplyReady(pending, reply, time.perf_counter() - start))

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
        reply, bubble = message.reply, message.pending.bubble
        text = reply.text
        action = reply.action
        if action == "start_demo" and self.demo_running:
            if message.pending.explicit_demo:
                text = f"{reply.text}\n\n{lines.alongside(reply.lang, self._running_titles())}"
            else:
                text, action = lines.busy(reply.lang, self._running_titles(), reply.args.get("demo", "")), None
        elif action == "stop_demo" and not self.demo_running:
            text = lines.nothing_to_stop(reply.lang)
            action = None
        self._record(Turn.from_reply(reply, text))
        if action == "clear":
            await self.chat.clear(keep=[p for p in self.panels if p.running])
            self.panels = [p for p in self.panels if p.running]
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

    def _running_titles(self) -> list[str]:
        return [p.title for p in self.panels if p.running]

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
    def panel(self) -> DemoPanel | None:
        """The latest demo shown."""
        return self.panels[-1] if self.panels else None

    @property
    def demo_running(self) -> bool:
        return any(p.running for p in self.panels)

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
        panel = DemoPanel(demo_id, self._demo_title(demo_id, lang), start, lang=lang)
        self.panels.append(panel)
        self.chat.mount(panel)
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
        note = lines.stopped(message.panel.lang, message.panel.title)
        self._record(Turn("event", note, time.time()))
        self.chat.mount(NoteMessage(note))
        self.chat.anchor()

    @on(BotMessage.DemoRequested)
    def _demo_requested(self, message: BotMessage.DemoRequested) -> None:
        self.submit_line(f"/demo {message.demo_id}", explicit=False)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_demo":
            return True if self.demo_running else None  # shown dimmed while nothing runs
        return True

    def on_key(self, event: events.Key) -> None:
        """Typing while a message or a button has focus goes to the input, as in any chat."""
        prompt = self.query_one(ChatInput)
        if event.is_printable and event.character and not isinstance(self.focused, Input) \
                and event.key not in self.screen.active_bindings:  # "c" on a message copies it
            event.stop()
            prompt.focus()
            prompt.insert_text_at_cursor(event.character)

    def action_stop_demo(self) -> None:
        for panel in self.panels:
            if panel.running:
                panel.cancel()

    def action_send(self, line: str) -> None:
        self.submit_line(line)

    def action_scroll_chat(self, direction: int) -> None:
        chat = self.chat
        if direction < 0:
            chat.scroll_page_up()
        else:
            chat.scroll_page_down()
