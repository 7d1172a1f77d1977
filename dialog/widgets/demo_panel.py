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
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label, Markdown, ProgressBar, Static
from textual.worker import get_current_worker

from demos.core import Error, Event, Images, Plot, Progress, Result, Stopped, Text as TextEvent
from dialog.errors import USER_ERRORS
from dialog.widgets.markdown import parser
from dialog.widgets.plots import DemoFigure, DemoImages

FRAME = 1 / 15  # seconds between screen updates: smooth to the eye, cheap for the UI thread
# Seconds between two redraws of one figure. plotext draws in Python: a 100-column plot of
# three curves took 15 ms, so a demo redrawing every frame spent a quarter of the UI's time
# on one plot, which answers to questions asked meanwhile had to wait for.
FIGURE_FRAME = 0.25
MAX_METRICS = 6
MIN_PLOT_WIDTH = 34  # columns: narrower, and axis labels crowd out the points


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


class FigureGate:
    """Lets a figure's first drawing through at once and its redraws at most every `interval`
    seconds (the latest one held back meanwhile); everything else passes untouched."""

    def __init__(self, interval: float = FIGURE_FRAME) -> None:
        self.interval = interval
        self._last: dict[tuple[str, str], float] = {}
        self._held: dict[tuple[str, str], Event] = {}

    def admit(self, events: list[Event], now: float, final: bool = False) -> list[Event]:
        """The events to show now; `final` (the run ended) releases everything held first."""
        out: list[Event] = []
        for ev in events:
            if isinstance(ev, (Plot, Images)):
                key = (type(ev).__name__, ev.name)
                if not final and key in self._last and now - self._last[key] < self.interval:
                    self._held[key] = ev
                    continue
                self._held.pop(key, None)
                self._last[key] = now
            out.append(ev)
        due = [k for k in self._held if final or now - self._last[k] >= self.interval]
        released = [self._held.pop(k) for k in due]
        for key in due:
            self._last[key] = now
        # Held figures are older than this batch: shown before it (and before a terminal event).
        return released + out


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
        self._heard = False  # the run has sent its first event
        self._plots: dict[str, DemoFigure] = {}
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
        yield Markdown("", classes="demo-text", parser_factory=parser)
        yield Grid(classes="demo-plots")
        yield Horizontal(classes="demo-images")
        yield Static("", classes="demo-status", markup=False)

    def on_mount(self) -> None:
        self._watch()

    def on_resize(self) -> None:
        self._fit_plots()

    def _fit_plots(self) -> None:
        """As many plots side by side as the width allows; the rest wrap to further rows."""
        width = self.content_size.width or self.size.width
        columns = max(1, min(len(self._plots) or 1, width // MIN_PLOT_WIDTH))
        grid = self.query_one(".demo-plots", Grid)
        if grid.styles.grid_size_columns != columns:
            grid.styles.grid_size_columns = columns

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
        except USER_ERRORS as exc:
            self.post_message(self.Events([Error(str(exc))]))
            return
        except Exception as exc:  # a broken runner must not take the chat down
            self.post_message(self.Events([Error(f"the {self.demo_id} demo could not start: {exc}")]))
            return
        self.handle = handle
        if self._cancel_requested:
            handle.cancel()
        self.post_message(self.Started(self))
        gate = FigureGate()
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
            if not events and handle.done:  # drained without a terminal event: not in the runner's contract
                events, ended = [Error("the demo ended without a result")], True
            batch = gate.admit(coalesce(events), time.monotonic(), final=ended)
            if batch:
                self.post_message(self.Events(batch))

    # ------------------------------------------------------------ events (UI thread)

    def on_demo_panel_started(self, message: Started) -> None:
        device = getattr(self.handle, "device", "") or "?"
        self.query_one(".demo-device", Label).update(self._t(f"device: {device}", f"设备：{device}"))
        if not self._heard and not self._cancel_requested:
            # A worker process imports PyTorch before it can say anything: seconds, not a hang.
            self.query_one(".demo-status", Static).update(
                Text(self._t("preparing (loading PyTorch in the demo's own process)…", "准备中（演示进程正在加载 PyTorch）…"),
                     style="italic"))

    async def on_demo_panel_events(self, message: Events) -> None:
        message.stop()
        if not self._heard and not self._cancel_requested:
            self._heard = True
            self.query_one(".demo-status", Static).update("")
        for event in message.events:
            await self.apply(event)

    async def apply(self, event: Event) -> None:
        if isinstance(event, Progress):
            bar = self.query_one(ProgressBar)
            bar.update(total=max(1, event.total), progress=min(event.step, max(1, event.total)))
            text = " · ".join(p for p in (event.stage, format_metrics(event.metrics)) if p)
            # One line (CSS): no reflow of the whole conversation for each step.
            self.query_one(".demo-metrics", Label).update(Text(text), layout=False)
        elif isinstance(event, Plot):
            if event.name in self._plots:
                self._plots[event.name].show(event)
            else:
                self._plots[event.name] = plot = DemoFigure(event, classes="demo-plot")
                await self.query_one(".demo-plots").mount(plot)
                self._fit_plots()
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
        bar = self.query_one(ProgressBar)
        if not isinstance(event, Result) and bar.total is None:
            # It never reported progress: an endlessly pulsing bar would say it is still busy.
            self.query_one(".demo-progress").display = False
            if self.handle is None:
                self.query_one(".demo-device", Label).update(self._t("did not start", "未能启动"))
        if isinstance(event, Result):
            self.outcome = "finished"
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
