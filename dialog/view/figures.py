"""A demo's figures as text, once for every front end: plots (plotext), digit strips, legends, numbers.

`draw_plot` puts a Plot on any plotext-like object (the plotext module for the terminal, a
textual-plotext widget's `plt` in the app), so both front ends draw the same picture; `format_metric`
is the one way a number is written, in the panel, the terminal and the JSON-free summaries alike.
"""
from __future__ import annotations

import math
import unicodedata
from typing import Any

from rich.color import Color, ColorParseError
from rich.text import Text as RichText

from demos.core import Images, Plot
from knowledge.safe_text import clean

PLOT_HEIGHT = 18
# Lines drawn over a plot (separating lines): red first, over the blue and green classes.
LINE_COLORS = ("red", "magenta", "orange", "cyan")
# Every colour a demo names, as the colour itself: a name alone ("blue") is an ANSI colour whose shade is
# the terminal's or the theme's to choose (Textual's default theme draws ANSI blue as a purple, #9d65ff),
# and the demo's words ("blue circles inside") must match what is drawn in every front end.
RGB = {
    "blue": (52, 120, 246), "green": (46, 170, 80), "red": (226, 60, 50), "orange": (255, 145, 20),
    "magenta": (210, 70, 200), "cyan": (30, 180, 210), "yellow": (230, 200, 30), "gray": (140, 140, 140),
    "grey": (140, 140, 140), "white": (235, 235, 235), "black": (20, 20, 20),
}
PERCENT_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
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


def draw_plot(plt: Any, plot: Plot, *, legend: bool = True, title: bool = True, wide_labels: bool = True,
              height: int | None = None) -> None:
    """Draw a Plot on a cleared plotext figure (series in their colours, lines on top, limits).

    plotext draws its legend over the top-left corner of the data; with legend=False the
    caller shows `legend_text(plot)` beside the plot instead. With title=False the caller
    captions the plot itself (plotext drops a title wider than the plot); wide_labels=False
    leaves out axis names in wide (Chinese) characters, which would bend a plot's frame.
    Title and axis names are always set, so a figure redrawn in place loses the old ones. `height`: the
    figure's rows, where known (a short one gets fewer ticks, each on a row of its own).
    """
    for s in plot.series:
        style: dict[str, Any] = {"label": s.label if legend else None}
        if s.color:
            style["color"] = RGB.get(s.color.rstrip("+"), s.color)
        if s.marker:
            style["marker"] = s.marker
        if s.axis == "right":
            style["yside"] = "right"
        draw = plt.scatter if plot.kind == "scatter" else plt.plot
        draw(list(s.x), list(s.y), **style)
    for i, ((x0, y0), (x1, y1), label) in enumerate(plot.lines):
        # Two points joined: plotext draws a straight segment, e.g. a decision boundary.
        plt.plot([x0, x1], [y0, y1], color=RGB[LINE_COLORS[i % len(LINE_COLORS)]],
                 label=(label or None) if legend else None)
    if plot.x_lim:
        plt.xlim(*plot.x_lim)
    if plot.y_lim:
        plt.ylim(*plot.y_lim)
    if plot.y2_lim:
        plt.ylim(*plot.y2_lim, yside="right")
    _ticks(plt, plot, height)
    plt.title(clean(plot.title) if title else "")
    plt.xlabel(clean(plot.x_label) if wide_labels or narrow(plot.x_label) else "")
    plt.ylabel(clean(plot.y_label) if wide_labels or narrow(plot.y_label) else "")
    if any(s.axis == "right" for s in plot.series):
        plt.ylabel(clean(plot.y2_label) if wide_labels or narrow(plot.y2_label) else "", yside="right")


def is_fraction(plot: Plot) -> bool:
    """An accuracy plot: shown on a fixed 0–100 % axis, so runs and moments compare at a glance."""
    ys = [y for s in plot.series if s.axis != "right" for y in s.y]  # the left axis: the right has its own
    named = f"{plot.name} {plot.title} {plot.y_label}".lower()
    return bool(ys) and ("accura" in named or "准确" in named) and all(0.0 <= y <= 1.0 for y in ys)


def _ticks(plt: Any, plot: Plot, height: int | None = None) -> None:
    """Whole-number ticks where x counts something (epochs, layers, steps); percentages for accuracies."""
    xs = [x for s in plot.series for x in s.x]
    if xs and all(float(x).is_integer() for x in xs):
        lo, hi = (math.ceil(plot.x_lim[0]), math.floor(plot.x_lim[1])) if plot.x_lim else (int(min(xs)), int(max(xs)))
        step = max(1, -(-(hi - lo) // 5))
        ticks = list(range(lo, hi + 1, step))
        plt.xticks(ticks, [str(t) for t in ticks])
    if is_fraction(plot) and not plot.y_lim:
        # Five ticks need nine rows of data to sit a row apart (the frame, title and axis names take five);
        # fewer rows, or rows unknown, get three, so both axes keep every label on its own row.
        ticks = PERCENT_TICKS if height is not None and height - 5 >= 9 else PERCENT_TICKS[::2]
        plt.ylim(0.0, 1.0)
        plt.yticks(list(ticks), [f"{t:.0%}" for t in ticks])
        right = [y for s in plot.series if s.axis == "right" for y in s.y]
        if right:
            # The right axis's labels on the rows of the left one's: plotext's own ticks for it fall between
            # rows on a short plot and read a row off (1.71 beside 75 % where the curve is at 1.55).
            lo, hi = plot.y2_lim or (min(0.0, min(right)), max(right) or 1.0)
            values = [lo + t * (hi - lo) for t in ticks]
            plt.ylim(lo, hi, yside="right")
            digits = 2 if hi - lo < 10 else 0
            plt.yticks(values, [f"{v:.{digits}f}" for v in values], yside="right")


def legend_text(plot: Plot) -> RichText:
    """The key to a plot, the same in every front end: each series' marker in its colour, then its label,
    then the lines drawn over it; the mark stays with its label when the key wraps."""
    out = RichText()
    entries = [(clean(s.label), s.marker if len(s.marker) == 1 else ("●" if plot.kind == "scatter" else "━"),
                rich_style(s.color)) for s in plot.series if s.label]
    entries += [(clean(label), "━", rich_style(LINE_COLORS[i % len(LINE_COLORS)]))
                for i, (_, _, label) in enumerate(plot.lines) if label]
    for i, (label, mark, style) in enumerate(entries):
        if i:
            out.append("  ")
        out.append(mark, style=style)
        out.append(f"\u00a0{label}")  # a no-break space: the mark is never left alone at a line's end
    return out


def caption(plot: Plot) -> RichText:
    """Title, key, and any axis name too wide to sit inside the plot (Chinese ones)."""
    parts = [RichText(clean(plot.title), style="bold")] if plot.title else []
    key = legend_text(plot)
    if key.plain:
        parts.append(key)
    axes = [f"{axis}: {clean(label)}" for axis, label in (("→", plot.x_label), ("↑", plot.y_label),
                                                          ("↑₂", plot.y2_label))  # the second (right) axis
            if label and not narrow(label)]
    if axes:
        parts.append(RichText("  ".join(axes), style="italic"))
    return RichText("\n").join(parts)


def rich_style(color: str) -> str:
    """The Rich style for a demo's colour name ("blue", "orange"): the same RGB as the plot; "" if none."""
    rgb = RGB.get(color.rstrip("+"))
    if rgb is not None:
        return "rgb({},{},{})".format(*rgb)
    name = color.rstrip("+")
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
    draw_plot(plt, plot, legend=False, height=height)
    text = RichText.from_ansi(plt.build())
    text.rstrip()
    return RichText("\n").join([text, legend_text(plot)])


def images_text(images: Images, width: int) -> RichText:
    """The images' title, then the images side by side, as many per row as fit."""
    out = RichText(clean(images.title) + "\n", style="bold")
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
            caption = clean(images.captions[i]) if i < len(images.captions) else ""
            out.append(caption[:width].ljust(width))
    return out


def format_metric(name: str, value: Any, lang: str = "en") -> str:
    """The one way a number is written wherever a person reads it: accuracies as percentages,
    seconds with their unit, throughputs with thousands separators, the rest to four digits; a goal the
    run never reached ("epochs_to_97" of None) says so in words."""
    if value is None:
        from dialog.lines import say

        return say("metric.not_reached" if "_to_" in name else "metric.none", lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if ("accuracy" in name or "gap" in name) and -1.0 <= value <= 1.0:
            return f"{value:.1%}"
        if "seconds" in name:
            return f"{value:.3g} s"
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}" if "per_second" in name else str(value)
    return str(value)


# A metric's name is its words joined by "_"; these say them in Chinese. The last word, when it names
# which of the compared runs a number belongs to, goes in brackets: "final loss (plain)", "最终损失（普通）".
_ZH_WORDS = {
    "final": "最终", "loss": "损失", "accuracy": "准确率", "test": "测试", "train": "训练", "first": "第一",
    "layer": "层", "grad": "梯度", "seconds": "用时", "steps": "步数", "step": "步", "epochs": "轮数",
    "epoch": "轮", "to": "到", "depth": "深度", "device": "设备", "max": "最大", "abs": "绝对", "diff": "差值",
    "vs": "对比", "autograd": "自动求导", "fd": "有限差分", "between": "之间", "workers": "进程", "worker": "进程",
    "per": "每", "second": "秒", "samples": "样本", "images": "图像", "ms": "毫秒", "mean": "平均",
    "distance": "距离", "mode": "模式", "modes": "模式", "covered": "覆盖", "near": "靠近", "fraction": "比例",
    "linear": "线性", "input": "输入", "polar": "极坐标", "learned": "学到的", "start": "开始", "end": "结束",
    "weights": "权重", "weight": "权重", "threads": "线程", "cores": "核心", "agreeing": "一致", "digits": "位数",
    "matched": "匹配", "hidden": "隐藏", "width": "宽度", "layers": "层数", "target": "目标", "gap": "差距",
    "plain": "普通", "residual": "残差", "distributed": "分布式", "single": "单进程", "large": "大", "small": "小",
    "zeros": "全零", "dropout": "Dropout", "d": "判别器", "g": "生成器", "backprop": "反向传播", "allreduce": "AllReduce",
}
# English words a name abbreviates: "train_seconds_to_97" is read "training time to 97 %".
_EN_WORDS = {"seconds": "time", "train": "training", "ms": "time in ms", "grad": "gradient", "abs": "absolute",
             "diff": "difference", "fd": "finite differences", "d": "discriminator", "g": "generator"}
_VARIANTS = {"plain", "dropout", "residual", "rnn", "lstm", "distributed", "single", "xy", "polar", "input", "small",
             "large", "sigmoid", "tanh", "relu", "zeros", "matched"}


def metric_label(name: str, lang: str = "en") -> str:
    """How a metric is named to a reader: "final_loss_plain" → "final loss (plain)" / "最终损失（普通）"."""
    words = [w for w in name.split("_") if w]
    variant = words.pop() if len(words) > 1 and words[-1] in _VARIANTS else None
    if lang != "zh":
        if len(words) > 2 and words[-2] == "to" and words[-1].isdigit():  # "epochs_to_97": a goal in percent
            words[-1] += " %"
        said = " ".join(_EN_WORDS.get(w, w) for w in words)
        return said + (f" ({variant})" if variant else "")
    if len(words) > 2 and words[-2] == "to" and (words[-1].isdigit() or words[-1] == "target"):
        goal = f" {words[-1]}% " if words[-1].isdigit() else "目标"  # "epochs_to_97": 达到 97% 的轮数
        return f"达到{goal}的{metric_label('_'.join(words[:-2]), lang)}".replace("  ", " ")
    said = [_ZH_WORDS.get(w, w.upper() if w in _VARIANTS else w) for w in words]
    text = "".join(f" {w} " if w.isascii() else w for w in said).replace("  ", " ").strip()
    return text + (f"（{_ZH_WORDS.get(variant, variant.upper())}）" if variant else "")


def metrics_items(metrics: dict[str, Any], limit: int | None = None, lang: str = "en") -> list[str]:
    """["loss 0.312", "accuracy 97.3%"]: each number of a progress report or a result with its name."""
    parts = [_pair(metric_label(k, lang), format_metric(k, v, lang)) for k, v in metrics.items()
             if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return parts[:limit]


def metrics_line(metrics: dict[str, Any], limit: int | None = None, lang: str = "en") -> str:
    """"loss 0.312 · accuracy 97.3 %": the numbers of a progress report or a result, on one line."""
    return " · ".join(metrics_items(metrics, limit, lang))


def _pair(label: str, value: str) -> str:
    """A name and its number; after a name ending in a number ("epochs to 97 %") a colon keeps them apart."""
    ends_in_number = label.rstrip().endswith(("%", "％")) or label[-1:].isdigit()
    return f"{label}: {value}" if ends_in_number else f"{label} {value}"


def fit_items(items: list[str], width: int, sep: str = " · ", more: str = " …") -> str:
    """As many whole items as fit in `width` cells, then "…": a status line never cuts a number in two."""
    from rich.cells import cell_len

    out = ""
    for i, item in enumerate(items):
        candidate = item if not out else out + sep + item
        tail = more if i + 1 < len(items) else ""
        if cell_len(candidate + tail) > width:
            return out + more if out else ""
        out = candidate
    return out


def figures_text(figures: tuple, width: int = 96) -> str:
    """A run's last figures as plain text (no colour codes): what a saved conversation keeps of a demo."""
    parts = []
    for fig in figures:
        if isinstance(fig, Plot):
            parts.append(plot_text(fig, width, height=14).plain.rstrip())
        elif isinstance(fig, Images):
            parts.append(images_text(fig, width).plain.rstrip())
    return "\n\n".join(p for p in parts if p.strip())
