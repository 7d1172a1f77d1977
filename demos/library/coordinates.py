"""Same data, different representation: rings no line can split in (x, y), split by r = c in
polar coordinates, and a small network that finds such a representation by itself."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from demos.core import Demo, DemoContext, Plot, Progress, Result, check_cancelled, option
from demos.data import make_rings
from demos.kit import descend, hit_rate, logistic_fit, scatter_series, seed_option, standardise

HIDDEN_SNAPSHOTS = (0, 5, 10, 15, 20, 30, 40, 60, 80, 100)  # steps at which the hidden space is redrawn
PROGRESS_EVERY = 5  # steps between progress events: a human cannot read faster, training can


@dataclass(frozen=True)
class CoordinatesConfig:
    points: int = option(400, low=40, high=20_000, help="points in both rings together")
    # The rings are 0.6 apart in radius; past ~0.2 the noise makes them touch, and then no
    # line separates them even in polar coordinates.
    noise: float = option(0.1, low=0.0, high=0.3, help="radial noise of each point")
    # 8 learns in ~25 steps; 2 (every layer two units wide) never separates the rings: a
    # continuous map of the plane cannot pull the disk out of the ring without a third dimension.
    hidden: int = option(8, low=2, high=64, help="width of the two wide hidden layers")
    steps: int = option(120, low=10, high=5_000, help="Adam steps, each on all points")
    lr: float = option(0.02, low=1e-4, high=1.0, help="Adam learning rate")
    seed: int = seed_option("seed for the data and the network")


def best_line(features, labels):
    """Logistic regression fitted to convergence; returns (accuracy, (a, b, c)) for a·x + b·y + c = 0."""
    import torch

    z, mean, std = standardise(features, 1e-6)
    w, b = logistic_fit(z, labels)
    with torch.no_grad():
        accuracy = ((z @ w + b > 0).long() == labels).float().mean().item()
        a, c = (w / std).tolist()
        return accuracy, (a, c, (b - (w * mean / std).sum()).item())


def segment_in_box(line, x_lim, y_lim):
    """The part of the line a·x + b·y + c = 0 inside the box, or None if it misses it."""
    a, b, c = line
    (x0, x1), (y0, y1) = x_lim, y_lim
    points = []
    if abs(b) > 1e-12:
        points += [(x, -(a * x + c) / b) for x in (x0, x1)]
    if abs(a) > 1e-12:
        points += [(-(b * y + c) / a, y) for y in (y0, y1)]
    eps = 1e-9
    inside = sorted({(round(x, 9), round(y, 9)) for x, y in points
                     if x0 - eps <= x <= x1 + eps and y0 - eps <= y <= y1 + eps})
    return (inside[0], inside[-1]) if len(inside) >= 2 else None


def class_series(ctx: DemoContext, points, labels) -> tuple:
    pts = points.detach().cpu()
    lab = labels.cpu()
    return (scatter_series(ctx.pick("inner: circles", "内圈：圆圈"), pts[lab == 0], "blue", "●"),
            scatter_series(ctx.pick("outer: triangles", "外圈：三角形"), pts[lab == 1], "green", "▲"))


def data_plot(ctx, name, title, points, labels, line, x_lim, y_lim, x_label, y_label, line_label) -> Plot:
    segment = segment_in_box(line, x_lim, y_lim)
    lines = ((segment[0], segment[1], line_label),) if segment else ()
    return Plot(name, title, "scatter", class_series(ctx, points, labels), x_label, y_label,
                lines=lines, x_lim=x_lim, y_lim=y_lim)


def build_network(hidden: int):
    from torch import nn

    # The last hidden layer has 2 units so the representation the network learns can be
    # drawn as is; the final layer is linear, so in that space the classes are split by a line.
    return nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(),
                         nn.Linear(hidden, 2), nn.Tanh(), nn.Linear(2, 2))


def run(cfg: CoordinatesConfig, ctx: DemoContext) -> None:
    started = time.perf_counter()
    xy, polar, labels = make_rings(cfg.points, cfg.noise, cfg.seed)
    ctx.say("Two kinds of points: **blue circles** inside, **green triangles** around them. "
            "First, the best a straight line can do in ordinary (x, y) coordinates.",
            "两类点：里面是**蓝色圆圈**，外面一圈是**绿色三角形**。先看看在普通的 (x, y) 坐标里，一条直线最多能分对多少。")
    xy_accuracy, xy_line = best_line(xy, labels)
    reach = float(xy.abs().max()) * 1.05
    ctx.emit(data_plot(ctx, "xy", ctx.pick(f"(x, y): the best line gets {xy_accuracy:.0%}",
                                           f"(x, y)：最好的直线只分对 {xy_accuracy:.0%}"),
                       xy, labels, xy_line, (-reach, reach), (-reach, reach), "x", "y",
                       ctx.pick("best line", "最好的直线")))
    ctx.pause(2.0)
    check_cancelled(ctx)
    polar_accuracy = _show_polar(ctx, polar, labels)
    check_cancelled(ctx)
    learned = _learn(cfg, ctx, xy, labels)
    ctx.emit(Result(
        {"linear_accuracy_xy": xy_accuracy, "linear_accuracy_polar": polar_accuracy,
         "learned_accuracy": learned["accuracy"], "steps_to_99": learned["steps_to_99"],
         "train_seconds_to_99": learned["seconds_to_99"], "train_seconds": learned["train_seconds"],
         "seconds": time.perf_counter() - started, "device": ctx.device},
        summary(ctx, cfg, xy_accuracy, polar_accuracy, learned["accuracy"], learned["steps_to_99"])))


def _show_polar(ctx: DemoContext, polar, labels) -> float:
    ctx.say("The same points in polar coordinates: r is the distance from the centre, θ the angle.",
            "同样的点换成极坐标：r 是到中心的距离，θ 是角度。")
    polar_accuracy, polar_line = best_line(polar, labels)
    r_max = float(polar[:, 0].max()) * 1.05
    ctx.emit(data_plot(ctx, "polar", ctx.pick(f"(r, θ): a line r = c gets {polar_accuracy:.0%}",
                                              f"(r, θ)：一条直线 r = c 分对 {polar_accuracy:.0%}"),
                       polar, labels, polar_line, (0.0, r_max), (-math.pi, math.pi), "r", "θ",
                       ctx.pick("best line", "最好的直线")))
    ctx.pause(2.0)
    return polar_accuracy


def _learn(cfg: CoordinatesConfig, ctx: DemoContext, xy, labels) -> dict:
    """The network learns from (x, y) alone; its 2-unit hidden space is redrawn as it goes."""
    import torch

    ctx.say("Nobody tells the network about polar coordinates. Watch it search for a representation "
            "of its own: its last hidden layer has two units, drawn below as it learns.",
            "没有人告诉网络极坐标的事。看它自己寻找一种表示：它最后一个隐藏层只有两个单元，下面实时画出来。")
    torch.manual_seed(cfg.seed)
    device = torch.device(ctx.device)
    net = build_network(cfg.hidden).to(device)
    x, y = xy.to(device), labels.to(device)
    learned = _train(cfg, ctx, net, x, y, labels)
    net.eval()
    with torch.no_grad():
        learned["accuracy"] = hit_rate(net(x), y)
    _show_hidden(ctx, net, x, y, labels, cfg.steps)
    return learned


def _train(cfg: CoordinatesConfig, ctx: DemoContext, net, x, y, labels) -> dict:
    """Adam on all points; the clock leaves out the pauses that let a human watch."""
    import torch

    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    paused = 0.0
    train_started = time.perf_counter()
    steps_to_99, seconds_to_99 = None, None
    for step in range(cfg.steps + 1):
        check_cancelled(ctx)
        out = net(x)
        loss_t = torch.nn.functional.cross_entropy(out, y)
        if step:  # step 0 only measures the untrained network
            descend(opt, loss_t)
        accuracy = hit_rate(out, y)  # of the weights before this update
        loss = loss_t.item()
        if steps_to_99 is None and accuracy >= 0.99:
            steps_to_99, seconds_to_99 = step, time.perf_counter() - train_started - paused
        if step % PROGRESS_EVERY == 0 or step == cfg.steps:
            ctx.emit(Progress(step, cfg.steps, {"loss": loss, "accuracy": accuracy},
                              ctx.pick("learning", "学习中")))
        if step in HIDDEN_SNAPSHOTS and step != cfg.steps:
            _show_hidden(ctx, net, x, y, labels, step)
            pause_started = time.perf_counter()
            ctx.pause(0.6)
            paused += time.perf_counter() - pause_started
    train_seconds = time.perf_counter() - train_started - paused
    return {"steps_to_99": steps_to_99, "seconds_to_99": seconds_to_99, "train_seconds": train_seconds}


def _show_hidden(ctx: DemoContext, net, x, y, labels, step: int) -> None:
    """The data in the 2-unit representation, with the line the last layer draws there."""
    import torch

    encoder = net[:-1]  # everything up to the 2-unit representation
    with torch.no_grad():
        hidden = encoder(x)
        accuracy = hit_rate(net[-1](hidden), y)
        w, b = net[-1].weight, net[-1].bias
        line = ((w[1, 0] - w[0, 0]).item(), (w[1, 1] - w[0, 1]).item(), (b[1] - b[0]).item())
    ctx.emit(data_plot(ctx, "hidden", ctx.pick(f"the network's representation, step {step}: {accuracy:.0%}",
                                               f"网络学到的表示，第 {step} 步：{accuracy:.0%}"),
                       hidden, labels, line, (-1.05, 1.05), (-1.05, 1.05), "h1", "h2",
                       ctx.pick("its line", "它的直线")))


def summary(ctx, cfg, xy_accuracy, polar_accuracy, learned_accuracy, steps_to_99) -> str:
    en = (f"In (x, y) the best straight line gets only {xy_accuracy:.0%}, hardly better than a coin. "
          f"In (r, θ) the very same points are split by a line r = c: {polar_accuracy:.0%}. "
          "Nothing about the data changed, only its representation. ")
    zh = (f"在 (x, y) 里，最好的直线也只分对 {xy_accuracy:.0%}，和抛硬币差不多。"
          f"换到 (r, θ)，同样的点被一条直线 r = c 分开：{polar_accuracy:.0%}。"
          "数据一点没变，变的只是表示。")
    if steps_to_99 is not None:
        en += (f"Nobody told the network about polar coordinates, yet in {steps_to_99} steps it found a "
               f"representation of its own where a line separates the classes ({learned_accuracy:.0%}). "
               "That is what learning is: **an automatic search for better representations**.")
        zh += (f"没有人告诉网络极坐标，它却在 {steps_to_99} 步之内自己找到了一种表示，"
               f"在那里一条直线就能把两类分开（{learned_accuracy:.0%}）。"
               "这就是学习：**自动地搜索更好的表示**。")
    else:
        en += (f"This time the network reached only {learned_accuracy:.0%}. ")
        zh += f"这一次网络只达到 {learned_accuracy:.0%}。"
        if cfg.hidden == 2:
            en += ("With every layer only two units wide it cannot pull the inner disk out of the ring: "
                   "that needs a third dimension. Width matters too.")
            zh += "每一层只有两个单元时，它没法把内圈从外圈里“拉”出来：那需要第三个维度。宽度也很重要。"
        else:
            en += "Give it more steps (--steps) or another learning rate (--lr)."
            zh += "多给它一些步数（--steps），或换个学习率（--lr）。"
    return ctx.pick(en, zh)


DEMO = Demo(
    id="coordinates",
    title={"en": "Same data, different representation", "zh": "同样的数据，不同的表示"},
    description={"en": "Circles and triangles no line can separate, until polar coordinates — and a "
                       "network that finds such a representation by itself.",
                 "zh": "圆圈和三角形用直线分不开，换成极坐标就能分开；再看网络自己找到这样的表示。"},
    config=CoordinatesConfig,
    run=run,
    quick={"points": 200, "steps": 80},
    keywords={"en": ("coordinate", "coordinates", "polar", "circles and triangles", "separate", "line"),
              "zh": ("坐标", "极坐标", "坐标变换", "圆圈", "三角形", "分开")},
)
