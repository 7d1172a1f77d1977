"""A demo's figures: plotext plots (scatter with separating lines, curves) and small images."""
from __future__ import annotations

from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.widgets import Static
from textual_plotext import PlotextPlot

from demos.core import Images, Plot

LINE_COLORS = ("red", "magenta", "orange", "cyan")


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
        plt.title(plot.title)
        plt.xlabel(plot.x_label)
        plt.ylabel(plot.y_label)
        for s in plot.series:
            style = {"label": s.label or None, "color": s.color or None, "marker": s.marker or None}
            style = {k: v for k, v in style.items() if v is not None}
            if plot.kind == "scatter":
                plt.scatter(list(s.x), list(s.y), **style)
            else:
                plt.plot(list(s.x), list(s.y), **style)
        for i, ((x0, y0), (x1, y1), label) in enumerate(plot.lines):
            # Two points joined: plotext draws a straight segment, e.g. a decision boundary.
            plt.plot([x0, x1], [y0, y1], color=LINE_COLORS[i % len(LINE_COLORS)], label=label or None)
        if plot.x_lim:
            plt.xlim(*plot.x_lim)
        if plot.y_lim:
            plt.ylim(*plot.y_lim)
        self.refresh()


def render_images(images: Images, *, per_row: int = 8) -> Text:
    """Grayscale images as coloured blocks, two cells per pixel so pixels look square,
    with each image's caption under it."""
    out = Text()
    count = len(images.pixels)
    for start in range(0, count, per_row):
        group = range(start, min(count, start + per_row))
        widths = [2 * max((len(r) for r in images.pixels[i]), default=0) for i in group]
        height = max((len(images.pixels[i]) for i in group), default=0)
        if start:
            out.append("\n\n")
        for row in range(height):
            for n, i in enumerate(group):
                if n:
                    out.append("  ")
                rows = images.pixels[i]
                cells = rows[row] if row < len(rows) else ()
                for v in cells:
                    level = int(round(255 * min(1.0, max(0.0, float(v)))))
                    out.append("  ", Style(bgcolor=Color.from_rgb(level, level, level)))
                out.append(" " * (widths[n] - 2 * len(cells)))
            out.append("\n")
        for n, i in enumerate(group):
            if n:
                out.append("  ")
            caption = images.captions[i] if i < len(images.captions) else ""
            out.append(caption[: widths[n]].ljust(widths[n]))
    return out


class DemoImages(Static):
    """A demo's named image strip (e.g. test digits with their predicted labels)."""

    def __init__(self, images: Images, **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.show(images)

    def show(self, images: Images) -> None:
        self.images = images
        title = Text(images.title, style="bold")
        self.update(Text("\n").join([title, render_images(images)]) if images.title else render_images(images))
