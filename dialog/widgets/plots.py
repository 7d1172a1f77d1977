"""A demo's figures: plotext plots (scatter with separating lines, curves) and small images."""
from __future__ import annotations

import unicodedata

from rich.color import Color, ColorParseError
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from demos.core import Images, Plot

LINE_COLORS = ("red", "magenta", "orange", "cyan")
IMAGE_GAP = 2  # columns between two images of a strip
# plotext colour names that are not also Rich's
RICH_COLORS = {"orange": "dark_orange", "gray": "grey50", "grey": "grey50"}


def narrow(text: str) -> bool:
    """True when every character takes one cell. plotext counts characters, the terminal
    draws Chinese two cells wide, so wide text inside a plot pushes its frame out of line."""
    return all(unicodedata.east_asian_width(ch) not in ("W", "F") for ch in text)


def _style(color: str) -> str:
    name = color.rstrip("+")
    name = RICH_COLORS.get(name, ("bright_" + name) if color.endswith("+") else name)
    try:
        Color.parse(name)
    except ColorParseError:
        return ""
    return name


def legend(plot: Plot) -> Text:
    """The key to the plot's series and lines, drawn under it in the series' colours."""
    out = Text()
    entries = [(s.label, s.marker if len(s.marker) == 1 else ("●" if plot.kind == "scatter" else "━"), s.color)
               for s in plot.series if s.label]
    entries += [(label, "━", LINE_COLORS[i % len(LINE_COLORS)]) for i, (_, _, label) in enumerate(plot.lines) if label]
    for i, (label, mark, color) in enumerate(entries):
        if i:
            out.append("  ")
        out.append(mark, style=_style(color))
        out.append(label)  # no space: the key mark must not be left alone when the line wraps
    return out


def caption(plot: Plot) -> Text:
    """Title, key, and any axis name too wide to sit inside the plot."""
    parts = [Text(plot.title, style="bold")] if plot.title else []
    key = legend(plot)
    if key.plain:
        parts.append(key)
    axes = [f"{axis}: {label}" for axis, label in (("→", plot.x_label), ("↑", plot.y_label))
            if label and not narrow(label)]
    if axes:
        parts.append(Text("  ".join(axes), style="italic"))
    return Text("\n").join(parts)


class DemoPlot(PlotextPlot):
    """One named plot of a demo; a later Plot of the same name redraws it in place."""

    def __init__(self, plot: Plot, **kwargs) -> None:
        super().__init__(**kwargs)
        self.plot = plot

    def on_mount(self) -> None:
        super().on_mount()
        self.show(self.plot)

    def show(self, plot: Plot) -> None:
        self.plot = plot
        plt = self.plt
        plt.clear_data()
        # Title and key are drawn by DemoFigure under the plot: plotext drops a title wider
        # than the plot, its key covers points, and both break the frame with Chinese text.
        plt.title("")
        plt.xlabel(plot.x_label if narrow(plot.x_label) else "")
        plt.ylabel(plot.y_label if narrow(plot.y_label) else "")
        for s in plot.series:
            style = {"color": s.color or None, "marker": s.marker or None}
            style = {k: v for k, v in style.items() if v is not None}
            if plot.kind == "scatter":
                plt.scatter(list(s.x), list(s.y), **style)
            else:
                plt.plot(list(s.x), list(s.y), **style)
        for i, ((x0, y0), (x1, y1), label) in enumerate(plot.lines):
            # Two points joined: plotext draws a straight segment, e.g. a decision boundary.
            plt.plot([x0, x1], [y0, y1], color=LINE_COLORS[i % len(LINE_COLORS)])
        if plot.x_lim:
            plt.xlim(*plot.x_lim)
        if plot.y_lim:
            plt.ylim(*plot.y_lim)
        self.refresh()


class DemoFigure(Vertical):
    """A plot with its title as a caption under it: the caption wraps rather than disappear
    when the plot is narrow, and plots side by side keep their axes level however long
    each caption is."""

    def __init__(self, plot: Plot, **kwargs) -> None:
        super().__init__(**kwargs)
        self.plot = plot

    def compose(self) -> ComposeResult:
        yield DemoPlot(self.plot, classes="plot-body")
        yield Static(caption(self.plot), classes="plot-title", markup=False)

    def show(self, plot: Plot) -> None:
        self.plot = plot
        self.query_one(".plot-title", Static).update(caption(plot))
        self.query_one(DemoPlot).show(plot)


SHADES = " ░▒▓█"


def _shade(value: float) -> str:
    # Ink in the theme's text colour, so a digit reads on light and dark backgrounds alike.
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


def render_images(images: Images, *, per_row: int = 8) -> Text:
    """Grayscale images drawn with shade blocks, two cells per pixel so pixels look square,
    with each image's caption under it."""
    out = Text()
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


class DemoImages(Static):
    """A demo's named image strip (e.g. test digits with their predicted labels), wrapped
    to as many images per row as the panel is wide enough for."""

    def __init__(self, images: Images, **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.images = images
        self._per_row = 0

    def on_mount(self) -> None:
        self.show(self.images)

    def on_resize(self) -> None:
        if per_row_for(self.images, self.size.width) != self._per_row:
            self.show(self.images)

    def show(self, images: Images) -> None:
        self.images = images
        width = self.size.width or (self.parent.size.width if self.parent else 0) or 80
        self._per_row = per_row_for(images, width)
        strip = render_images(images, per_row=self._per_row)
        self.update(Text("\n").join([Text(images.title, style="bold"), strip]) if images.title else strip)
