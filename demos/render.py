"""Demo events drawn in a terminal with rich: a live progress bar and plot, digits, a result panel.

`draw_plot` puts a Plot on any plotext-like object (the plotext module here, a
textual-plotext widget's `plt` in the app), so both front ends draw the same picture.
"""
from __future__ import annotations

from dataclasses import replace
import unicodedata
from typing import Any

from rich.color import Color, ColorParseError
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markdown import Markdown
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text as RichText

from demos.core import Error, Event, Images, Plot, Progress, Result, Stopped, Text

PLOT_HEIGHT = 18
# Lines drawn over a plot (separating lines): red first, over the blue and green classes.
LINE_COLORS = ("red", "magenta", "orange", "cyan")
# plotext colour names that are not also Rich's
RICH_COLORS = {"orange": "dark_orange", "gray": "grey50", "grey": "grey50"}
IMAGE_GAP = 2  # columns between two images of a strip
MAX_PLOT_WIDTH = 100
GROUP_PLOT_WIDTH = 38  # a grouped plot's columns: narrower, and the axis labels crowd out the points
# Grayscale from paper to ink; each pixel is two characters wide because a terminal cell is
# about twice as tall as it is wide, so an 8×8 digit comes out roughly square.
SHADES = " ░▒▓█"
LABELS = {
    "en": {"result": "Result", "metric": "metric", "value": "value", "stopped": "stopped",
           "error": "error"},
    "zh": {"result": "结果", "metric": "指标", "value": "数值", "stopped": "已停止", "error": "出错"},
}


def narrow(text: str) -> bool:
    """True when every character takes one cell. plotext counts characters, the terminal
    draws Chinese two cells wide, so wide text inside a plot pushes its frame out of line."""
    return all(unicodedata.east_asian_width(ch) not in ("W", "F") for ch in text)


def draw_plot(plt: Any, plot: Plot, *, legend: bool = True, title: bool = True, wide_labels: bool = True) -> None:
    """Draw a Plot on a cleared plotext figure (series in their colours, lines on top, limits).

    plotext draws its legend over the top-left corner of the data; with legend=False the
    caller shows `legend_text(plot)` beside the plot instead. With title=False the caller
    captions the plot itself (plotext drops a title wider than the plot); wide_labels=False
    leaves out axis names in wide (Chinese) characters, which would bend a plot's frame.
    Title and axis names are always set, so a figure redrawn in place loses the old ones.
    """
    for s in plot.series:
        style: dict[str, Any] = {"label": s.label if legend else None}
        if s.color:
            style["color"] = s.color
        if s.marker:
            style["marker"] = s.marker
        draw = plt.scatter if plot.kind == "scatter" else plt.plot
        draw(list(s.x), list(s.y), **style)
    for i, ((x0, y0), (x1, y1), label) in enumerate(plot.lines):
        # Two points joined: plotext draws a straight segment, e.g. a decision boundary.
        plt.plot([x0, x1], [y0, y1], color=LINE_COLORS[i % len(LINE_COLORS)],
                 label=(label or None) if legend else None)
    if plot.x_lim:
        plt.xlim(*plot.x_lim)
    if plot.y_lim:
        plt.ylim(*plot.y_lim)
    plt.title(plot.title if title else "")
    plt.xlabel(plot.x_label if wide_labels or narrow(plot.x_label) else "")
    plt.ylabel(plot.y_label if wide_labels or narrow(plot.y_label) else "")


def legend_text(plot: Plot) -> RichText:
    """One line naming each series in its colour and marker, and the lines drawn over it."""
    out = RichText()
    for s in plot.series:
        marker = s.marker if len(s.marker) == 1 else ("•" if plot.kind == "scatter" else "━")
        out.append(f"{marker} ", style=rich_style(s.color))
        out.append(f"{s.label}   ")
    for i, (_, _, label) in enumerate(plot.lines):
        if label:
            out.append("━ ", style=LINE_COLORS[i % len(LINE_COLORS)])
            out.append(f"{label}   ")
    out.rstrip()
    return out


def rich_style(color: str) -> str:
    """The Rich style for a plotext colour name ("blue", "orange", "red+" for bright); "" if none."""
    name = color.rstrip("+")
    name = RICH_COLORS.get(name, ("bright_" + name) if color.endswith("+") else name)
    try:
        Color.parse(name)
    except ColorParseError:
        return ""
    return name


def plot_text(plot: Plot, width: int, height: int = PLOT_HEIGHT) -> RichText:
    import plotext as plt

    if plot.kind == "scatter":
        # Keep a scatter plot's data roughly square on screen (see SHADES on cell shape).
        width = min(width, int(height * 2.6) + 12)
    plt.clf()
    plt.theme("clear")
    plt.plotsize(width, height)
    draw_plot(plt, plot, legend=False)
    text = RichText.from_ansi(plt.build())
    text.rstrip()
    return RichText("\n").join([text, legend_text(plot)])


def images_text(images: Images, width: int) -> RichText:
    """The images' title, then the images side by side, as many per row as fit."""
    out = RichText(images.title + "\n", style="bold")
    if images.pixels:
        out.append_text(render_images(images, per_row=per_row_for(images, width)))
    return out


def _shade(value: float) -> str:
    v = min(1.0, max(0.0, float(value)))
    return SHADES[int(round(v * (len(SHADES) - 1)))]


def image_width(images: Images) -> int:
    """Columns one image (or its caption) takes: two per pixel."""
    pixels = max((2 * len(r) for img in images.pixels for r in img), default=0)
    captions = max((len(c) for c in images.captions), default=0)
    return max(pixels, captions)


def per_row_for(images: Images, width: int) -> int:
    """How many images fit side by side in `width` columns (at least one)."""
    each = image_width(images)
    if each <= 0:
        return max(1, len(images.pixels))
    return max(1, min(len(images.pixels), (width + IMAGE_GAP) // (each + IMAGE_GAP)))


def render_images(images: Images, *, per_row: int = 8) -> RichText:
    """Grayscale images drawn with shade blocks, two cells per pixel so pixels look square,
    with each image's caption under it. Ink is the text colour, readable on light and dark."""
    out = RichText()
    count = len(images.pixels)
    width = image_width(images)
    gap = " " * IMAGE_GAP
    for start in range(0, count, per_row):
        group = range(start, min(count, start + per_row))
        height = max((len(images.pixels[i]) for i in group), default=0)
        if start:
            out.append("\n\n")
        for row in range(height):
            for n, i in enumerate(group):
                if n:
                    out.append(gap)
                rows = images.pixels[i]
                cells = rows[row] if row < len(rows) else ()
                for v in cells:
                    out.append(_shade(v) * 2)
                out.append(" " * (width - 2 * len(cells)))
            out.append("\n")
        for n, i in enumerate(group):
            if n:
                out.append(gap)
            caption = images.captions[i] if i < len(images.captions) else ""
            out.append(caption[:width].ljust(width))
    return out


def format_metric(name: str, value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        if "accuracy" in name and 0.0 <= value <= 1.0:
            return f"{value:.1%}"
        if "seconds" in name:
            return f"{value:.3g} s"
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}" if "per_second" in name else str(value)
    return str(value)


def progress_line(metrics: dict[str, float]) -> str:
    return "  ".join(f"{k} {format_metric(k, v)}" for k, v in metrics.items())


def result_panel(result: Result, title: str, lang: str = "en") -> Panel:
    labels = LABELS.get(lang, LABELS["en"])
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
    table.add_column(labels["metric"])
    table.add_column(labels["value"], justify="right")
    for name, value in result.metrics.items():
        if "per_second" in name and isinstance(value, float):
            value = round(value)
        table.add_row(name, format_metric(name, value))
    parts: list[RenderableType] = [table]
    if result.summary:
        parts += [RichText(""), Markdown(result.summary)]
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
                 error_console: Console | None = None) -> None:
        self.console = console
        self.error_console = error_console or console
        self.title = title
        self.lang = lang
        self.labels = LABELS.get(lang, LABELS["en"])
        self._bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TextColumn("{task.fields[metrics]}"), console=console)
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
        fields = dict(description=description, completed=event.step, total=event.total or None,
                      metrics=progress_line(event.metrics))
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
            self._print(Markdown(event.text))
        elif isinstance(event, Images):
            self._print(images_text(event, self.width))
        elif isinstance(event, Result):
            self._print(result_panel(event, self.title, self.lang))
        elif isinstance(event, Error):
            self.error_console.print(RichText(f"{self.labels['error']}: {event.message}", style="bold red"))
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
        return Group(*parts)

    def _refresh(self) -> None:
        if self._closed or (self._plot_render is None and self._task is None):
            return
        if not self._live_started:
            self._live.start()
            self._live_started = True
        self._live.update(self._live_group(), refresh=True)
