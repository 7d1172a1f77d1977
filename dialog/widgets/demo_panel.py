"""A running demo inside the conversation: progress, metrics, live plots, digits, its words.

The panel's worker is the one place where a demo's events become UI messages: it starts
the run, drains the handle at a screen-friendly rate, coalesces what a frame would
overwrite anyway, and posts the batch to the panel on the UI thread.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label, Markdown, ProgressBar, Static
from textual.worker import get_current_worker

from demos.core import Error, Event, Images, Plot, Progress, Result, Stopped, Text as TextEvent
from dialog.errors import UserError
from dialog.widgets.plots import DemoImages, DemoPlot

FRAME = 1 / 15  # seconds between screen updates: smooth to the eye, cheap for the UI thread
MAX_METRICS = 6


def coalesce(events: list[Event]) -> list[Event]:
    """Keep what a frame shows: every Text, the last Progress, the last Plot / Images of each
    name, and the terminal event; order is kept (by each kept event's last position)."""
    keep: dict[Any, tuple[int, Event]] = {}
    for i, ev in enumerate(events):
        if isinstance(ev, Progress):
            key: Any = "progress"
        elif isinstance(ev, (Plot, Images)):
            key = (type(ev).__name__, ev.name)
        else:
            key = i
        keep[key] = (i, ev)
    return [ev for _, ev in sorted(keep.values(), key=lambda p: p[0])]


def format_metrics(metrics: dict[str, Any], limit: int = MAX_METRICS) -> str:
    parts = []
    for key, value in metrics.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        shown = f"{value:.3g}" if isinstance(value, float) else str(value)
        parts.append(f"{key.replace('_', ' ')} {shown}")
        if len(parts) == limit:
            break
    return " · ".join(parts)


class DemoPanel(Vertical):
    class Started(Message):
        def __init__(self, panel: "DemoPanel") -> None:
            super().__init__()
            self.panel = panel

    class Finished(Message):
        def __init__(self, panel: "DemoPanel", result: Result) -> None:
            super().__init__()
            self.panel = panel
            self.result = result

    class Failed(Message):
        """The run could not start (a bad option, no such device) or broke on the way."""

        def __init__(self, panel: "DemoPanel", message: str, detail: str = "") -> None:
            super().__init__()
            self.panel = panel
            self.message = message
            self.detail = detail

    class Stopped(Message):
        def __init__(self, panel: "DemoPanel") -> None:
            super().__init__()
            self.panel = panel

    class Events(Message):
        """A frame's worth of events, from the worker to the panel itself."""

        def __init__(self, events: list[Event]) -> None:
            super().__init__()
            self.events = events

    def __init__(self, demo_id: str, title: str, start: Callable[[], Any], *, lang: str = "en") -> None:
        super().__init__(classes="demo-panel")
        self.demo_id = demo_id
        self.title = title
        self.lang = lang
        self._start = start
        self.handle: Any = None
        self.running = True  # from mount until the terminal event is shown
        self.outcome: str | None = None  # "finished" | "failed" | "stopped"
        self._cancel_requested = False
        self._plots: dict[str, DemoPlot] = {}
        self._images: dict[str, DemoImages] = {}
        self.texts: list[str] = []
        self.border_title = f"▶ {title}"

    def compose(self) -> ComposeResult:
        with Horizontal(classes="demo-head"):
            yield Label(self._t("starting…", "正在启动…"), classes="demo-device")
            yield Button(self._t("■ Stop (esc)", "■ 停止（esc）"), classes="demo-stop", compact=True)
        with Horizontal(classes="demo-progress"):
            yield ProgressBar(total=None, show_eta=False)
            yield Label("", classes="demo-metrics")
        yield Markdown("", classes="demo-text")
        yield Horizontal(classes="demo-plots")
        yield Horizontal(classes="demo-images")
        yield Static("", classes="demo-status", markup=False)

    def on_mount(self) -> None:
        self._watch()

    def _t(self, en: str, zh: str) -> str:
        return zh if self.lang == "zh" else en

    # ------------------------------------------------------------ control (UI thread)

    def cancel(self) -> None:
        """Stop the run; the runner guarantees it has stopped within about a second."""
        if not self.running or self._cancel_requested:
            return
        self._cancel_requested = True
        self.query_one(".demo-status", Static).update(Text(self._t("stopping…", "正在停止…"), style="italic"))
        if self.handle is not None:
            self.handle.cancel()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.has_class("demo-stop"):
            event.stop()
            self.cancel()

    def on_unmount(self) -> None:
        if self.running and self.handle is not None:
            self.handle.cancel()

    # ------------------------------------------------------------ the worker

    @work(thread=True, exclusive=True, group="demo")
    def _watch(self) -> None:
        worker = get_current_worker()
        try:
            handle = self._start()
        except UserError as exc:
            self.post_message(self.Events([Error(str(exc))]))
            return
        except Exception as exc:  # a broken runner must not take the chat down
            self.post_message(self.Events([Error(f"the {self.demo_id} demo could not start: {exc}")]))
            return
        self.handle = handle
        if self._cancel_requested:
            handle.cancel()
        self.post_message(self.Started(self))
        ended = False
        while not ended:
            if worker.is_cancelled:  # the panel left the screen (the app is closing)
                handle.cancel()
                return
            frame_end = time.monotonic() + FRAME
            events = handle.events(timeout=FRAME)
            ended = any(isinstance(e, (Result, Error, Stopped)) for e in events)
            if events and not ended:
                # Gather the rest of this frame's events so a fast demo costs one repaint per frame.
                time.sleep(max(0.0, frame_end - time.monotonic()))
                events += handle.events()
                ended = any(isinstance(e, (Result, Error, Stopped)) for e in events)
            if events:
                self.post_message(self.Events(coalesce(events)))
            elif handle.done:  # drained without a terminal event: cannot happen with the runner's contract
                self.post_message(self.Events([Error("the demo ended without a result")]))
                ended = True

    # ------------------------------------------------------------ events (UI thread)

    def on_demo_panel_started(self, message: Started) -> None:
        device = getattr(self.handle, "device", "") or "?"
        self.query_one(".demo-device", Label).update(self._t(f"device: {device}", f"设备：{device}"))

    async def on_demo_panel_events(self, message: Events) -> None:
        message.stop()
        for event in message.events:
            await self.apply(event)

    async def apply(self, event: Event) -> None:
        if isinstance(event, Progress):
            bar = self.query_one(ProgressBar)
            bar.update(total=max(1, event.total), progress=min(event.step, max(1, event.total)))
            text = " · ".join(p for p in (event.stage, format_metrics(event.metrics)) if p)
            self.query_one(".demo-metrics", Label).update(Text(text))
        elif isinstance(event, Plot):
            if event.name in self._plots:
                self._plots[event.name].show(event)
            else:
                self._plots[event.name] = plot = DemoPlot(event, classes="demo-plot")
                await self.query_one(".demo-plots").mount(plot)
        elif isinstance(event, Images):
            if event.name in self._images:
                self._images[event.name].show(event)
            else:
                self._images[event.name] = images = DemoImages(event, classes="demo-digits")
                await self.query_one(".demo-images").mount(images)
        elif isinstance(event, TextEvent):
            self.texts.append(event.text)
            await self.query_one(".demo-text", Markdown).update("\n\n".join(self.texts))
        elif isinstance(event, (Result, Error, Stopped)):
            self._end(event)

    def _end(self, event: Event) -> None:
        self.running = False
        for button in self.query(".demo-stop"):
            button.display = False
        status = self.query_one(".demo-status", Static)
        if isinstance(event, Result):
            self.outcome = "finished"
            bar = self.query_one(ProgressBar)
            if bar.total is None:
                bar.update(total=1, progress=1)
            else:
                bar.update(progress=bar.total)
            status.update(Text("✓ " + self._t("finished", "完成") + "  " + format_metrics(event.metrics),
                               style="bold"))
            self.add_class("-finished")
            self.post_message(self.Finished(self, event))
        elif isinstance(event, Error):
            self.outcome = "failed"
            status.update(Text("✗ " + event.message, style="bold"))
            self.add_class("-failed")
            self.post_message(self.Failed(self, event.message, event.detail))
        else:
            self.outcome = "stopped"
            status.update(Text("■ " + self._t("stopped", "已停止"), style="bold"))
            self.add_class("-stopped")
            self.post_message(self.Stopped(self))
