"""A running demo inside the conversation: progress, metrics, live plots, digits, its words.

The panel's worker starts the run and drains it with the one demo driver (demos.driver.drive) at a
screen-friendly rate; a gate holds back figure redraws the screen can't afford, and the batches reach
the panel on the UI thread. How the run ended comes back as the driver's Outcome.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Label, Markdown, ProgressBar, Static
from textual.worker import get_current_worker

from demos.core import Error, Event, Images, Plot, Progress, Result, Stopped, Text as TextEvent
from demos.driver import DemoHandle, Outcome, drive
from dialog.errors import USER_ERRORS
from dialog.lines import say
from dialog.view.markdown import parser
from dialog.tui.plots import DemoFigure, DemoImages
from dialog.view.figures import fit_items, metrics_items, metrics_line
from knowledge.safe_text import clean

FRAME = 1 / 15  # seconds between screen updates: smooth to the eye, cheap for the UI thread
# Seconds between two redraws of one figure. plotext draws in Python: a 100-column plot of
# three curves took 15 ms, so a demo redrawing every frame spent a quarter of the UI's time
# on one plot, which answers to questions asked meanwhile had to wait for.
FIGURE_FRAME = 0.25
MAX_METRICS = 6
BAR_STEPS = 1000
MIN_PLOT_WIDTH = 34  # columns: narrower, and axis labels crowd out the points


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


class ItemsLine(Widget):
    """One line of items ("epoch 3/5 · loss 0.21 · accuracy 93 %") that drops whole items to fit its width,
    never cutting a number in two."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.items: list[str] = []

    def show(self, items: list[str]) -> None:
        self.items = items
        self.refresh(layout=False)  # one line (CSS): no reflow of the whole conversation for each step

    def render(self) -> Text:
        return Text(fit_items(self.items, self.content_size.width or 80))


class DemoPanel(Vertical):
    class Started(Message):
        def __init__(self, panel: "DemoPanel") -> None:
            super().__init__()
            self.panel = panel

    class Ended(Message):
        """The run ended (finished, stopped or failed, as the driver decided), its end shown."""

        def __init__(self, panel: "DemoPanel", outcome: Outcome) -> None:
            super().__init__()
            self.panel = panel
            self.outcome = outcome

    class Events(Message):
        """A frame's worth of events, from the worker to the panel itself."""

        def __init__(self, events: list[Event]) -> None:
            super().__init__()
            self.events = events

    def __init__(self, demo_id: str, title: str, start: Callable[[], DemoHandle], *, lang: str = "en") -> None:
        super().__init__(classes="demo-panel")
        self.demo_id = demo_id
        self.title = title
        self.lang = lang
        self._start = start
        self.handle: DemoHandle | None = None
        self.running = True  # from mount until the terminal event is shown
        self.outcome: str | None = None  # "finished" | "failed" | "stopped"
        self.folded_text = ""  # set when it ends (see _end)
        self._cancel_requested = False
        self._heard = False  # the run has sent its first event
        self._plots: dict[str, DemoFigure] = {}
        self._images: dict[str, DemoImages] = {}
        self.texts: list[str] = []
        self._done = 0.0  # the share of the run the bar shows, only ever growing
        self.latest: list[str] = []  # the last metrics reported, for the status line while the panel is out of view
        self._stage = ""  # what the demo said it is doing (preparing data…), shown before any step is done
        self.border_title = f"▶ {title}"

    def compose(self) -> ComposeResult:
        with Horizontal(classes="demo-head"):
            yield Label(say("panel.starting", self.lang), classes="demo-device")
            yield Button(say("panel.stop_button", self.lang), classes="demo-stop", compact=True)
        with Horizontal(classes="demo-progress"):
            yield ProgressBar(total=None, show_eta=False)
            yield ItemsLine(classes="demo-metrics")
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

    @property
    def summary_items(self) -> list[str]:
        """["cnn 45%", "test accuracy 93.1%"]: how the run stands, item by item, so that a short status
        line can drop whole items; before the first step, what it is preparing rather than "0%"."""
        if not self._heard:
            return [f"{self.demo_id} ({say('panel.starting_short', self.lang)})"]
        if self._done <= 0:
            return [f"{self.demo_id} ({self._stage or say('panel.preparing', self.lang)})", *self.latest]
        return [f"{self.demo_id} {round(self._done * 100)}%", *self.latest]

    @property
    def summary(self) -> str:
        return " · ".join(self.summary_items)

    # ------------------------------------------------------------ control (UI thread)

    def cancel(self) -> None:
        """Stop the run; the runner guarantees it has stopped within about a second."""
        if not self.running or self._cancel_requested:
            return
        self._cancel_requested = True
        self.query_one(".demo-status", Static).update(Text(say("panel.stopping", self.lang), style="italic"))
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
            self.post_message(self.Closed(Outcome(self.demo_id, "failed", message=str(exc))))
            return
        except Exception as exc:  # a broken runner must not take the chat down
            self.post_message(self.Closed(Outcome(self.demo_id, "failed",
                                                  message=f"the {self.demo_id} demo could not start: {exc}")))
            return
        self.handle = handle
        if self._cancel_requested:
            handle.cancel()
        self.post_message(self.Started(self))
        gate = FigureGate()

        def show(events: list[Event]) -> None:
            ended = any(isinstance(e, (Result, Error, Stopped)) for e in events)
            batch = gate.admit(events, time.monotonic(), final=ended)
            if batch:
                self.post_message(self.Events(batch))

        outcome = drive(handle, show, frame=FRAME, stop=lambda: worker.is_cancelled)
        self.post_message(self.Closed(outcome))

    class Closed(Message):
        """From the worker: the driver's verdict on how the run ended."""

        def __init__(self, outcome: Outcome) -> None:
            super().__init__()
            self.outcome = outcome

    # ------------------------------------------------------------ events (UI thread)

    def _show_device(self) -> None:
        device = getattr(self.handle, "device", "") or "?"
        if device == "auto":  # the worker is choosing (its first message says which)
            device = say("panel.choosing_device", self.lang)
        self.query_one(".demo-device", Label).update(say("panel.device", self.lang, device=device))

    def on_demo_panel_started(self, message: Started) -> None:
        self._show_device()
        if not self._heard and not self._cancel_requested:
            # A worker process imports PyTorch before it can say anything: seconds, not a hang.
            self.query_one(".demo-status", Static).update(
                Text(say("panel.loading_torch", self.lang),
                     style="italic"))

    async def on_demo_panel_events(self, message: Events) -> None:
        message.stop()
        if not self._heard and not self._cancel_requested:
            self._heard = True
            self.query_one(".demo-status", Static).update("")
            self._show_device()  # chosen by the worker by now
        for event in message.events:
            await self.apply(event)

    async def _show_named(self, shown: dict, event: Plot | Images, make: Callable[[], Widget], where: str) -> bool:
        """A later figure of the same name replaces what the earlier one drew; a new name gets a widget of its
        own, mounted in `where` (True then)."""
        if event.name in shown:
            shown[event.name].show(event)
            return False
        shown[event.name] = widget = make()
        await self.query_one(where).mount(widget)
        return True

    async def apply(self, event: Event) -> None:
        if isinstance(event, Progress):
            # One bar for the whole run that never runs backwards, though a demo with several phases
            # (three networks, one after another) counts each from zero.
            bar = self.query_one(ProgressBar)
            if event.total:
                self._done = max(self._done, min(1.0, event.step / event.total))
            bar.update(total=BAR_STEPS, progress=round(self._done * BAR_STEPS))
            self.latest = metrics_items(event.metrics, MAX_METRICS, self.lang)
            self.query_one(".demo-metrics", ItemsLine).show(([clean(event.stage)] if event.stage else []) + self.latest)
            self._stage = clean(event.stage or "")
        elif isinstance(event, Plot):
            if await self._show_named(self._plots, event, lambda: DemoFigure(event, classes="demo-plot"), ".demo-plots"):
                self._fit_plots()
        elif isinstance(event, Images):
            await self._show_named(self._images, event, lambda: DemoImages(event, classes="demo-digits"), ".demo-images")
        elif isinstance(event, TextEvent):
            self.texts.append(clean(event.text))
            await self.query_one(".demo-text", Markdown).update("\n\n".join(self.texts))

    def on_demo_panel_closed(self, message: Closed) -> None:
        message.stop()
        self._end(message.outcome)

    def _end(self, outcome: Outcome) -> None:
        self.running = False
        self.outcome = outcome.status
        for button in self.query(".demo-stop"):
            button.display = False
        status = self.query_one(".demo-status", Static)
        bar = self.query_one(ProgressBar)
        if outcome.status != "finished" and bar.total is None:
            # It never reported progress: an endlessly pulsing bar would say it is still busy.
            self.query_one(".demo-progress").display = False
            if self.handle is None:
                self.query_one(".demo-device", Label).update(say("panel.did_not_start", self.lang))
        if outcome.status == "finished":
            bar.update(total=bar.total or 1, progress=bar.total or 1)
            metrics = outcome.result.metrics if outcome.result else {}
            line = "✓ " + say("panel.finished", self.lang) + "  " + metrics_line(metrics, MAX_METRICS, self.lang)
        elif outcome.status == "failed":
            line = "✗ " + clean(outcome.message)
        else:
            line = "■ " + say("panel.stopped", self.lang)
        status.update(Text(line, style="bold"))
        self.add_class(f"-{outcome.status}")
        # What stays of it once a long conversation folds it away: its title, how it ended, its figures.
        self.folded_text = f"{self.title}\n{line}"
        if outcome.status == "finished" and outcome.figures:
            from dialog.view.figures import figures_text

            self.folded_text += "\n" + figures_text(outcome.figures)
        self.post_message(self.Ended(self, outcome))
