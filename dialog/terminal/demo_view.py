"""`msb demo`'s view of a run in the terminal: a live progress bar and plot, digits, a result panel."""
from __future__ import annotations

from dataclasses import replace

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markdown import Markdown
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text as RichText

from demos.core import Error, Event, Images, Plot, Progress, Result, Stopped, Text
from knowledge.safe_text import clean
from dialog.view.figures import (GROUP_PLOT_WIDTH, LABELS, MAX_PLOT_WIDTH, PLOT_HEIGHT, format_metric, images_text,
                                 metric_label, metrics_line, plot_text)


def result_panel(result: Result, title: str, lang: str = "en", summary: bool = True) -> Panel:
    labels = LABELS.get(lang, LABELS["en"])
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
    table.add_column(labels["metric"])
    table.add_column(labels["value"], justify="right")
    for name, value in result.metrics.items():
        if "per_second" in name and isinstance(value, float):
            value = round(value)
        table.add_row(metric_label(name, lang), format_metric(name, value, lang))
    parts: list[RenderableType] = [table]
    if summary and result.summary:
        parts += [RichText(""), Markdown(clean(result.summary))]
    return Panel(Group(*parts), title=f"{title} — {labels['result']}", border_style="green")


class Renderer:
    """Turns a run's events into terminal output, in order.

    The progress bar and the latest version of the plot being animated stay in a live
    region that redraws in place; anything else (text, digits, a different plot) first
    commits that plot to the scrollback, so the output reads top to bottom as it happened.
    Redraws happen only when an event arrives: a refresh thread would compete with
    training that runs in this process.
    """

    def __init__(self, console: Console, *, title: str = "", lang: str = "en",
                 error_console: Console | None = None, summary: bool = True) -> None:
        self.console = console
        self.error_console = error_console or console
        self.title = title
        self.lang = lang
        self.summary = summary  # False where Ms. B says the summary herself (plain chat)
        self.labels = LABELS.get(lang, LABELS["en"])
        # The figures go on a line of their own under the bar: beside it, a narrow terminal squeezed
        # every column into "30… 0…".
        self._bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console)
        self._metrics = ""
        self._task: int | None = None
        self._plot: Plot | None = None
        self._plot_render: RichText | None = None
        self._row: list[Plot] = []  # committed plots of one group, waiting to be drawn side by side
        self._live = Live(console=console, auto_refresh=False, transient=False)
        self._live_started = False
        self._closed = False

    @property
    def width(self) -> int:
        return max(40, min(self.console.width - 2, MAX_PLOT_WIDTH))

    def handle(self, event: Event) -> None:
        if isinstance(event, Progress):
            self._progress(event)
        elif isinstance(event, Plot):
            if self._plot is not None and self._plot.name != event.name:
                self._commit_plot()
            self._plot = event
            self._plot_render = plot_text(event, self.width)
            self._refresh()
        else:
            self._commit_plot()
            if isinstance(event, (Result, Error, Stopped)):
                self.close()
            self._print_event(event)  # text keeps flowing; a group's row is drawn once it is complete

    def close(self) -> None:
        """Commit what is on screen and end the live region (idempotent)."""
        self._commit_plot()
        self._flush_row()
        self._closed = True
        if self._live_started:
            self._live.stop()
            self._live_started = False
            if not self.console.is_terminal:
                self.console.line()  # Live ends a terminal's last line itself, not a file's

    # ------------------------------------------------------------------

    def _progress(self, event: Progress) -> None:
        description = event.stage or self.title
        fields = dict(description=description, completed=event.step, total=event.total or None)
        self._metrics = metrics_line(event.metrics, lang=self.lang)
        if self._task is None:
            self._task = self._bar.add_task(**fields)
        else:
            self._bar.update(self._task, **fields)
        self._refresh()

    def _commit_plot(self) -> None:
        if self._plot is not None and self._plot.group:
            if self._row and self._row[0].group != self._plot.group:
                self._flush_row()
            self._row.append(self._plot)
        else:
            self._flush_row()
            if self._plot_render is not None:
                self._print(self._plot_render)
        self._plot = None
        self._plot_render = None
        self._refresh()

    def _flush_row(self) -> None:
        """Draw the waiting group: as many plots a row as the terminal has room for."""
        row, self._row = self._row, []
        if not row:
            return
        per_row = max(1, min(len(row), (self.console.width - 1) // (GROUP_PLOT_WIDTH + 1)))
        if per_row == 1:
            for plot in row:
                self._print(plot_text(plot, self.width))
            return
        width = (self.console.width - 1) // per_row - 1
        for start in range(0, len(row), per_row):
            grid = Table.grid(padding=(0, 1))
            chunk = row[start:start + per_row]
            for _ in chunk:
                grid.add_column(width=width)
            # plotext drops a title wider than its plot; a caption row keeps every one readable.
            grid.add_row(*(RichText(p.title, style="bold", justify="center") for p in chunk))
            grid.add_row(*(plot_text(replace(p, title=""), width, height=PLOT_HEIGHT - 4) for p in chunk))
            self._print(grid)

    def _print_event(self, event: Event) -> None:
        if isinstance(event, Text):
            self._print(Markdown(clean(event.text)))
        elif isinstance(event, Images):
            self._print(images_text(event, self.width))
        elif isinstance(event, Result):
            self._print(result_panel(event, self.title, self.lang, self.summary))
        elif isinstance(event, Error):
            self.error_console.print(RichText(f"{self.labels['error']}: {clean(event.message)}", style="bold red"))
        elif isinstance(event, Stopped):
            self._print(RichText(self.labels["stopped"], style="yellow"))

    def _print(self, renderable: RenderableType) -> None:
        # Printing through a started Live puts the output above the live region.
        self.console.print(renderable)

    def _live_group(self) -> Group:
        parts: list[RenderableType] = []
        if self._plot_render is not None:
            parts.append(self._plot_render)
        if self._task is not None:
            parts.append(self._bar.get_renderable())
            if self._metrics:
                parts.append(RichText(self._metrics, style="dim"))
        return Group(*parts)

    def _refresh(self) -> None:
        if self._closed or (self._plot_render is None and self._task is None):
            return
        if not self._live_started:
            self._live.start()
            self._live_started = True
        self._live.update(self._live_group(), refresh=True)
