"""The chat: it owns the thread of messages, the input, the answering worker and the demo panels.

Slow work runs in Textual workers, each of which tells the pane how it went with a message of the pane's
own (Loaded, Warmed, Answered, each with the error when it failed): loading the knowledge base,
warming up the model, answering (one line at a time, in the order typed), running
demos. The session (engine + transcript) is touched only from the answering worker or, between
answers, from the UI thread — never from two threads at once.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

from textual import on, work
from textual.binding import Binding
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.worker import get_current_worker

from dialog.actions import Clear, Quit, Save, StartDemo, StopDemo
from dialog.content import QUOTED, clip
from dialog.lines import say
from dialog.reply import Reply
from dialog.session import Session
from dialog.transcript import Transcript
from dialog.tui import lines, speech
from dialog.tui.chat import ChatView, StatusLine
from dialog.tui.demo_panel import DemoPanel
from dialog.tui.messages import BotMessage, NoteMessage, UserMessage
from dialog.tui.prompt import ChatInput
from dialog.tui.runtime import prime, settle_gc
from dialog.view.figures import fit_items

READY_DEMOS_AFTER = 1.0  # seconds after the model is warm before a demo worker is made ready
STATUS_FOLLOW = 0.5  # seconds between the status line's updates while a demo runs (one line, no layout)


@dataclass
class Services:
    """What the pane is wired to: the real loaders and runner, or fakes in tests."""

    load_kb: Callable[[], Any]
    make_conversation: Callable[[Any], Any]
    start_demo: Callable[..., Any]
    warm_up: bool = True
    settle_gc: bool = True  # off in tests: many apps share one process there
    # once the app is up: have a demo worker ready, so "show me" starts training at once (None: no such thing)
    ready_demos: Callable[[], None] | None = None


@dataclass
class Pending:
    """A line Ms. B owes an answer to, and the bubble the answer goes in."""

    job: Callable[[Session], Reply]
    bubble: BotMessage | None  # None: the engine hears of something, nothing new is shown


STATUS_PADDING = 6  # the status line's padding (2 a side) and its spinner ("⠋ ")


def running_line(items: list[str], lang: str, width: int) -> str:
    """"demo running: cnn 45% · loss 0.31 — Esc stops it, a click shows it", in `width` cells: whole items
    dropped from the end (the hint first) rather than a number cut in two."""
    from rich.cells import cell_len

    lead = say("demo_running_lead", lang)
    hint = say("demo_running_hint", lang)
    whole = lead + " · ".join(items) + hint
    if cell_len(whole) <= width:
        return whole
    body = fit_items(items, width - cell_len(lead))  # the numbers matter more than the hint
    return lead + body if body else (fit_items(items, width) or items[0])


QUESTIONS_AT_ONCE = 5  # lines of a message answered one by one; a longer paste is one text to read
LONGEST_QUESTION = 300


def questions_in(message: str) -> list[str]:
    """A message of a few short lines ("what does deep mean" / "and why do layers help?" / "show me") is as
    many questions, each answered in turn; anything else — one line, a long paste, a paragraph broken
    over lines — is one."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    few = 1 < len(lines) <= QUESTIONS_AT_ONCE and all(len(line) <= LONGEST_QUESTION for line in lines)
    return lines if few and not any(map(_runs_on, lines, lines[1:])) else [message]


def _runs_on(line: str, next_line: str) -> bool:
    """A long line that stops mid-sentence and goes on in lower case: prose wrapped by its writer."""
    return len(line) > 60 and line[-1].isascii() and line[-1].isalnum() and next_line[:1].islower()


class ChatPane(Vertical):
    # Tab from the prompt goes to the newest message (the one a reader wants to copy or open), and from a
    # message back to the prompt; shift+tab walks on to older ones, as Textual's focus chain does.
    BINDINGS = [Binding("tab", "newest_or_prompt", "Newest message")]

    # What the pane's workers tell it (from their threads; handled on the UI thread), each with the error
    # when the work failed. They are the pane's own business, so they do not bubble.
    @dataclass
    class Loaded(Message, bubble=False):
        session: Session | None  # the conversation, open; None when loading failed
        error: Exception | None = None

    @dataclass
    class Warmed(Message, bubble=False):
        dense: bool  # False: only keyword search answers
        error: Exception | None = None

    @dataclass
    class Answered(Message, bubble=False):
        pending: Pending
        reply: Reply | None  # None: a bug in answering (the session promises a reply; the chat must not freeze)
        error: Exception | None = None

    def __init__(self, services: Services, transcript: Transcript, *, lang: str | None, device: str | None,
                 typing_seconds: float) -> None:
        super().__init__(id="pane")
        self.services = services
        self.transcript = transcript
        self.lang = lang
        self._resumed_lang: str | None = None  # a reopened lesson's language, until its conversation is loaded
        self._status_kind = "loading"
        self.device = device
        self.typing_seconds = typing_seconds
        self.session: Session | None = None
        self.kb: Any = None
        self.panels: list[DemoPanel] = []
        self._jobs: deque[Pending] = deque()
        self._current: Pending | None = None  # the line being answered
        self._kb_error: str | None = None
        self._transcript_warned = False
        self._due = 0  # reviews due when the record was opened (the greeting says so)

    def compose(self) -> ComposeResult:
        yield ChatView(id="chat")
        yield StatusLine(id="status")
        yield ChatInput(placeholder=speech.placeholder(self.lang or "en"), id="prompt")

    @property
    def chat(self) -> ChatView:
        return self.query_one(ChatView)

    def action_newest_or_prompt(self) -> None:
        prompt = self.query_one(ChatInput)
        if self.app.focused is not prompt:
            prompt.focus()
            return
        turns = [w for w in self.chat.query("ChatMessage, PastTurn") if w.focusable]
        if turns:
            turns[-1].focus()  # focusing scrolls it into view

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def conv(self) -> Any:
        return self.session.conv if self.session else None

    @property
    def demo_running(self) -> bool:
        return any(p.running for p in self.panels)

    def current_lang(self) -> str:
        return self.session.lang if self.session else (self.lang or self._resumed_lang or "en")

    # ------------------------------------------------------------------ start-up

    def greet(self) -> None:
        bubble = BotMessage()
        self.chat.mount(bubble)
        bubble.show(Reply("smalltalk", lines.greeting(self.lang or "en"), self.lang or "en"), 0)

    def replay(self, loaded: Any) -> None:
        from dialog import lessons as lesson_store
        from dialog.lines import say

        self.chat.replay(loaded.turns)
        # The lesson's own language until the conversation is loaded and says it (a Chinese lesson reopens
        # in Chinese, placeholder and footer included), unless one was chosen for this run.
        self._resumed_lang = next((t.lang for t in reversed(loaded.turns) if t.role == "ms_b" and t.lang), None)
        lang = self.current_lang()
        self.speak(lang)
        title = lesson_store.title_for(self.transcript.base, self.transcript.path, loaded.turns)
        asked = [t.text for t in loaded.turns if t.role == "user"]
        self.chat.mount(NoteMessage(say("resumed_note", lang, title=title,
                                              turns=lesson_store.counted(len(asked), lang))))
        if loaded.unanswered:  # stopped (killed) before the answer came: the question is not lost
            self.chat.mount(NoteMessage(say("unanswered_note", lang, question=clip(loaded.unanswered, QUOTED))))
        prompt = self.query_one(ChatInput)
        for line in asked:  # ↑ recalls what was asked in the lesson too, as after typing it now
            prompt.remember(line)
        self.chat.anchor()
        self.chat.scroll_end(animate=False)

    async def open_lesson(self, path: Any) -> None:
        """Reopen a past lesson in place of the conversation on screen (running demos stay)."""
        if self._current is not None or self._jobs:
            self.app.notify(say("still_answering", self.current_lang()), markup=False)
            return
        await self.chat.clear(keep=[p for p in self.panels if p.running])
        self.transcript, loaded = Transcript.open(self.transcript.base, path)
        self.replay(loaded)
        if self.kb is not None and self._kb_error is None:
            self.session = Session(self.services.make_conversation(self.kb), self.transcript)
            self.session.resume(loaded)

    def start_loading(self, resumed: Any = None) -> None:
        self._set_status("loading")
        self._load(resumed)

    def _tell(self, message: Message) -> None:
        """A worker's outcome, posted from its thread; a cancelled worker's is dropped (nobody waits for it)."""
        if not get_current_worker().is_cancelled:
            self.post_message(message)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self, resumed: Any) -> None:
        try:
            session = self._open(resumed)
        except Exception as exc:  # noqa: BLE001 — told to the reader, and the chat says it can't answer
            self._tell(self.Loaded(None, exc))
        else:
            self._tell(self.Loaded(session))

    def _open(self, resumed: Any) -> Session:
        kb = self.services.load_kb()
        self.kb = kb
        session = Session(self.services.make_conversation(kb), self.transcript)
        if resumed is not None:
            session.resume(resumed)
        progress = getattr(session.conv, "progress", None)  # read here, in the worker: it is a file
        self._due = progress.due_count() if progress is not None else 0
        return session

    @work(thread=True, exclusive=True, group="warm", exit_on_error=False)
    def _warm(self) -> None:
        try:
            dense = self._warm_up()
        except Exception as exc:  # noqa: BLE001 — keyword search still answers
            self._tell(self.Warmed(False, exc))
        else:
            self._tell(self.Warmed(dense))

    def _warm_up(self) -> bool:
        # Load the Chinese word segmenter now, while nothing else competes for the interpreter.
        prime(self.kb)
        self.kb.warm_up()
        prime(self.kb)  # the first dense query pays the model's first forward pass
        if self.services.settle_gc:
            settle_gc()
        return bool(getattr(self.kb, "dense_ready", True))

    def on_chat_pane_loaded(self, message: Loaded) -> None:
        if message.error is not None:
            self._kb_error = str(message.error)
            self._set_status("failed")
            self.app.notify(self._kb_error, title=say("notice_kb_title", self.current_lang()), severity="error",
                            timeout=30, markup=False)
            self._pump()
            return
        self.session = message.session
        self.app.timings["knowledge_loaded"] = time.perf_counter()
        self.speak(self.current_lang())  # a resumed lesson's language, now that its conversation says it
        self._announce_reviews()
        if self.services.warm_up and hasattr(self.kb, "warm_up"):
            self._set_status("warming")
            self._warm()
        else:
            self._set_status("ready")
        self._pump()

    def _announce_reviews(self) -> None:
        """The greeting's second line, once the learner's record is open: the reviews due, if any."""
        if self._due:
            from dialog.progress_map import due_line

            lang = self.current_lang()
            bubble = BotMessage()
            self.chat.mount(bubble)
            bubble.show(Reply("smalltalk", due_line(self._due, lang), lang), 0)

    def on_chat_pane_warmed(self, message: Warmed) -> None:
        self.app.timings["warm"] = time.perf_counter()
        if self.services.ready_demos is not None:
            self.set_timer(READY_DEMOS_AFTER, self.services.ready_demos)
        if message.error is not None:
            self.app.notify(say("keywords_only", self.current_lang(), why=message.error), severity="warning",
                            markup=False)
        self._set_status("ready" if message.dense else "keywords")

    # ------------------------------------------------------------------ talking

    @on(ChatInput.Submitted, "#prompt")
    def _submitted(self, event: ChatInput.Submitted) -> None:
        event.stop()
        self.submit_line(event.value)

    def submit_line(self, line: str) -> None:
        """Show Mr. A's line and have Ms. B answer it, in order (queued while she is still loading)."""
        if not line.strip():
            return
        self.query_one(ChatInput).remember(line)
        self.chat.mount(UserMessage(line))
        for question in questions_in(line):
            self.ask(lambda session, q=question: session.respond(q))

    def ask(self, job: Callable[[Session], Reply]) -> BotMessage:
        bubble = BotMessage()
        self.chat.mount(bubble)
        self.chat.anchor()
        self.call_later(self._fold)
        self._jobs.append(Pending(job, bubble))
        self._pump()
        return bubble

    async def _fold(self) -> None:
        """Fold the oldest turns of a long conversation; a demo panel folded away is let go of too."""
        await self.chat.fold_oldest()
        self.panels = [p for p in self.panels if p.running or p.is_attached]

    def _pump(self) -> None:
        """Answer queued lines one at a time (the engine takes one caller at a time), in order."""
        if self._kb_error is not None:
            while self._jobs:
                bubble = self._jobs.popleft().bubble
                if bubble is not None:
                    bubble.show(Reply("error", "I can't answer: my knowledge base failed to load (see the notice).",
                                      "en"), 0)
            return
        if self.session is None:
            for pending in self._jobs:
                if pending.bubble is not None:
                    pending.bubble.wait_with(lines.loading(self.lang or "en"))
            return
        if self._current is not None or not self._jobs:
            return
        self._current = self._jobs.popleft()
        self._answer(self._current)

    @work(thread=True, group="answer", exit_on_error=False)
    def _answer(self, pending: Pending) -> None:
        try:
            reply = pending.job(self.session)
        except Exception as exc:  # noqa: BLE001 — answered with an apology and a notice, below
            self._tell(self.Answered(pending, None, exc))
        else:
            self._tell(self.Answered(pending, reply))

    def on_chat_pane_answered(self, message: Answered) -> None:
        pending, reply, self._current = message.pending, message.reply, None
        if reply is None:
            failure: str | None = f"{type(message.error).__name__}: {message.error}"
            reply = Reply("error", say("answer_failed", self.current_lang()), self.current_lang())
        else:
            failure, self.session.failure = self.session.failure, None
        if failure:
            self.app.notify(failure, title=say("could_not_answer_title", self.current_lang()), severity="error",
                            markup=False)
        self.app.timings.setdefault("first_reply", time.perf_counter())
        self._warn_if_unsaved()
        if pending is not None and pending.bubble is not None:
            self._show(pending.bubble, reply)
        self._pump()

    def _show(self, bubble: BotMessage, reply: Reply) -> None:
        action = reply.action
        if isinstance(action, Clear):
            self.run_worker(self._clear(bubble, reply), group="clear")
            return
        bubble.show(reply, self.typing_seconds)
        handler = ACTIONS.get(type(action))
        if handler is not None:
            handler(self, action, reply)
        self._show_running()  # the status line speaks the language of the conversation now
        self.speak(reply.lang)

    def speak(self, lang: str) -> None:
        """The placeholder and the footer's key names in the conversation's language."""
        prompt = self.query_one(ChatInput)
        prompt.placeholder = speech.placeholder(lang)
        self.chat.speak(lang)
        if any([speech.name_keys(self.app, lang), speech.name_keys(prompt, lang), speech.name_keys(self, lang)]):
            self.app.refresh_bindings()

    async def _clear(self, bubble: BotMessage, reply: Reply) -> None:
        await self.chat.clear(keep=[p for p in self.panels if p.running])
        self.panels = [p for p in self.panels if p.running]
        self.session.clear()
        fresh = BotMessage()
        await self.chat.mount(fresh)
        fresh.show(reply, self.typing_seconds)

    def _warn_if_unsaved(self) -> None:
        if self.transcript.error and not self._transcript_warned:
            self._transcript_warned = True
            self.app.notify(say("transcript_unsaved", self.current_lang(), why=self.transcript.error),
                            severity="warning", markup=False)
        elif self._transcript_warned and not self.transcript.error:  # what was held is on disk now
            self._transcript_warned = False
            self.app.notify(say("transcript_saved_again", self.current_lang()), markup=False)

    # ------------------------------------------------------------------ actions

    def start_demo(self, action: StartDemo, reply: Reply) -> None:
        device = action.device or self.device
        start = partial(self.services.start_demo, action.request, device=device, lang=reply.lang)
        title = action.request.demo.title.get(reply.lang) or action.request.demo.title.get("en") or action.demo
        panel = DemoPanel(action.demo, title, start, lang=reply.lang)
        self.panels.append(panel)
        self.session.demo_started(action.demo)
        self.chat.mount(panel)
        self.chat.anchor()
        self.app.refresh_bindings()
        self._show_running()

    def on_mount(self) -> None:
        self.speak(self.current_lang())  # a language pinned from the start (--lang zh) is the footer's too
        # While a demo runs, the status line follows it (its panel may have scrolled out of view).
        self.set_interval(STATUS_FOLLOW, self._follow_demos)

    def _follow_demos(self) -> None:
        if any(p.running for p in self.panels):
            self._show_running()

    def on_status_line_clicked(self, _: StatusLine.Clicked) -> None:
        """A click on the status line brings the running demo's panel back into view."""
        running = next((p for p in self.panels if p.running), None)
        if running is not None:
            self.chat.scroll_to_widget(running, animate=False, top=True)

    def _show_running(self) -> None:
        """The status line says what runs and how far it got (a panel may have scrolled out of view), or
        that all is ready."""
        items = [item for p in self.panels if p.running for item in p.summary_items]
        lang = self.current_lang()
        if items:
            self.status.show(running_line(items, lang, (self.status.size.width or 80) - STATUS_PADDING), busy=True)
        elif self.session is not None and self._kb_error is None:
            self._set_status(self._status_kind)

    def _set_status(self, kind: str) -> None:
        """Say how the knowledge stands ("loading", "warming", "ready", "keywords", "failed"), in the language
        of the conversation; kept, so that a change of language or a demo's end says it again rightly."""
        self._status_kind = kind
        self.status.show(lines.status(self.current_lang(), kind), busy=kind in ("loading", "warming"))

    def stop_demos(self, *_: Any) -> None:
        for panel in self.panels:
            if panel.running:
                panel.cancel()

    def save(self, action: Save, reply: Reply) -> None:
        ok, what = self.session.save(action.path)
        if ok:
            self.app.notify(say("saved_to", reply.lang, path=what), title=say("saved_title", reply.lang), markup=False)
        else:
            self.app.notify(what, title=say("not_saved_title", reply.lang), severity="error", markup=False)

    def quit(self, *_: Any) -> None:
        self.set_timer(0.3, self.app.exit)

    @on(DemoPanel.Ended)
    def _demo_ended(self, message: DemoPanel.Ended) -> None:
        self.app.refresh_bindings()
        self._show_running()
        outcome = message.outcome
        if outcome.status == "stopped":
            note = lines.stopped(message.panel.lang, message.panel.title)
            self.chat.mount(NoteMessage(note))
            self.chat.anchor()
            self._jobs.append(Pending(lambda session: _noted(session, outcome, note), None))
            self._pump()
            return
        if outcome.status == "failed":
            self.app.notify(outcome.message, title=say("demo_failed_title", self.current_lang()), severity="error",
                            markup=False)
        self.ask(lambda session: _ended(session, outcome))

    @on(BotMessage.DemoRequested)
    def _demo_requested(self, message: BotMessage.DemoRequested) -> None:
        self.submit_line(f"/demo {message.demo_id}")


def _ended(session: Session, outcome: Any) -> Reply:
    """A finished demo: its figures kept with the conversation (as text, to show again on --resume), then
    Ms. B's words on it."""
    if outcome.status == "finished" and outcome.figures:
        from dialog.view.figures import figures_text

        session.note(figures_text(outcome.figures), kind="figures")
    return session.demo_ended(outcome)


def _noted(session: Session, outcome: Any, note: str) -> Reply:
    """A stopped demo: the engine hears of it; the chat shows the note, not another bubble."""
    session.note(note)
    return session.conv.demo_ended(outcome)


ACTIONS: dict[type, Callable[[ChatPane, Any, Reply], None]] = {
    StartDemo: ChatPane.start_demo,
    StopDemo: ChatPane.stop_demos,
    Save: ChatPane.save,
    Quit: ChatPane.quit,
}
