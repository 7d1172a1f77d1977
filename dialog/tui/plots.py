"""A demo's figures: plotext plots (scatter with separating lines, curves) and small images."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from demos.core import Images, Plot
from dialog.view.figures import caption, draw_plot, per_row_for, render_images


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
        draw_plot(plt, plot, legend=False, title=False, wide_labels=False, height=self.size.height or None)
        self.refresh()

    def on_resize(self) -> None:
        self.show(self.plot)  # the ticks a plot's rows can hold, for the rows it has now


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
