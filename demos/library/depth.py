"""What "deep" means: successive layers of representations, each a little less tangled.

A narrow network (6 tanh layers of 8 units) learns two interleaved spirals. After training,
each layer's representation of the data is examined on its own: a logistic regression (a
straight line, or a flat plane in 8-D) is fitted to it and scored, and the layer is drawn from
the angle where that line does best (the line's own direction across, the main remaining
direction up), so the line is vertical and what it separates is what the score counts.
Measured on CPU (seeds 0-7, 600 points, Adam 0.02, 600 steps, ~1-2 s of training): a line gets
60-68 % on the input and 48-67 % after layer 1, then the score climbs layer by layer to 100 %
by the last layer in all eight; the network itself reaches 100 %. At 400 steps all eight still
get there, at 300 steps two of eight stop at 86-91 %. Wider layers spoil the lesson (at 16 units
one layer already gets ~95 %), and layers 2 units wide often never untangle the spirals at all.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from demos.core import Demo, DemoContext, Plot, Progress, Result, Series, check_cancelled, option
from demos.data import spirals
from demos.kit import (curve, descend, due, generator, hit_rate, logistic_fit, loss_plot, report_every,
                       seed_option, standardise, training)


@dataclass(frozen=True)
class DepthConfig:
    layers: int = option(6, low=1, high=12, help="hidden layers; each one re-represents the last")
    # 8 units: wide enough to untangle the spirals in a few layers, narrow enough that the first
    # layers cannot do it alone (at 16 units one layer already gets ~95 %).
    width: int = option(8, low=2, high=64, help="units per hidden layer")
    turns: float = option(1.5, low=0.5, high=3.0, help="how far the two spirals wind around each other")
    points: int = option(600, low=100, high=5000, help="points on the two spirals")
    steps: int = option(600, low=10, high=5000, help="Adam steps, each on all points")
    lr: float = option(0.02, low=1e-4, high=1.0, help="Adam learning rate")
    seed: int = seed_option("seed for the data and the network")


def linear_probe(features, labels):
    """The best straight line (hyperplane) on these features: (accuracy, u, v, threshold).

    u is each point's coordinate along the line's normal, v along the main direction left once
    that one is removed; in (u, v) the line is u = threshold.
    """
    import torch

    features = features.detach().double().cpu()
    labels = labels.cpu()
    z, _, _ = standardise(features, 1e-9)
    w, b = logistic_fit(z, labels)
    with torch.no_grad():
        accuracy = ((z @ w + b > 0).long() == labels).double().mean().item()
        norm = w.norm().clamp_min(1e-12)
        direction = w / norm
        u = z @ direction
        rest = z - u[:, None] * direction
        if z.shape[1] > 1:  # the main direction of what is left, so the picture keeps its shape
            _, _, vh = torch.linalg.svd(rest - rest.mean(0), full_matrices=False)
            v = rest @ vh[0]
        else:
            v = torch.zeros_like(u)
        return accuracy, u.float(), v.float(), (-b / norm).item()


def build(layers: int, width: int):
    from torch import nn

    dims = [2] + [width] * layers
    return nn.ModuleList(nn.Sequential(nn.Linear(a, b), nn.Tanh()) for a, b in zip(dims, dims[1:]))


def representations(stack, x) -> list:
    """The data as each layer hands it on: the input first, then every hidden layer's output."""
    out = [x]
    for layer in stack:
        out.append(layer(out[-1]))
    return out


def run(config: DepthConfig, ctx: DemoContext) -> None:
    started = time.perf_counter()
    x, y = spirals(config.points, config.turns, generator(config.seed), device=ctx.device)
    ctx.say(f"Two spirals wound into each other, {config.points} points. A network of **{config.layers} "
            f"layers**, {config.width} units each, learns to tell them apart. Then we look inside: "
            "what does the data look like after each layer?",
            f"两条互相缠绕的螺旋线，{config.points} 个点。一个 **{config.layers} 层**的网络（每层 "
            f"{config.width} 个单元）学习把它们分开。然后我们看看网络内部：数据每经过一层，变成了什么样子？")
    ctx.pause(1.5)
    stack, head, losses, train_seconds = _train(config, ctx, x, y)
    reps, network_accuracy = _look_inside(stack, head, x, y, ctx)
    accuracies = _probe_layers(config, ctx, reps, y)
    ctx.emit(_by_layer_plot(accuracies, ctx))
    metrics: dict[str, object] = {"linear_accuracy_input": round(accuracies[0], 4)}
    for k, accuracy in enumerate(accuracies[1:], 1):
        metrics[f"linear_accuracy_layer_{k}"] = round(accuracy, 4)
    metrics.update(network_accuracy=round(network_accuracy, 4), layers=config.layers, width=config.width,
                   final_loss=round(losses[-1], 4), train_seconds=round(train_seconds, 2),
                   seconds=round(time.perf_counter() - started, 2), device=ctx.device)
    ctx.emit(Result(metrics, _summary(accuracies, ctx)))


def _train(config: DepthConfig, ctx: DemoContext, x, y) -> tuple:
    """The stack and its final straight line (the head), trained together on all points."""
    import torch
    import torch.nn.functional as F

    torch.manual_seed(config.seed)
    stack = build(config.layers, config.width).to(ctx.device)
    head = torch.nn.Linear(config.width, 2).to(ctx.device)  # the final straight line
    opt = torch.optim.Adam([*stack.parameters(), *head.parameters()], lr=config.lr)
    losses: list[float] = []
    every = report_every(config.steps)
    train_started = time.perf_counter()
    for step in range(1, config.steps + 1):
        check_cancelled(ctx)
        loss = F.cross_entropy(head(representations(stack, x)[-1]), y)
        descend(opt, loss)
        losses.append(loss.item())
        if due(step, every, config.steps):
            ctx.emit(loss_plot(ctx, ctx.pick("Training loss", "训练损失"),
                               (curve(ctx.pick("loss", "损失"), losses, "cyan"),)))
            ctx.emit(training(ctx, step, config.steps, {"loss": losses[-1]}))
            ctx.pause(0.04)
    return stack, head, losses, time.perf_counter() - train_started


def _look_inside(stack, head, x, y, ctx: DemoContext) -> tuple[list, float]:
    """Every layer's representation of the data, and how well the trained network itself does."""
    import torch

    with torch.no_grad():
        stack.eval()
        reps = representations(stack, x)
        network_accuracy = hit_rate(head(reps[-1]), y)
    ctx.say("Trained. Now each layer's representation on its own: the best straight line we can fit to "
            "it, and the picture seen from that line's angle (the line is the red vertical).",
            "训练好了。现在逐层单独看每一层的表示：对它拟合一条最好的直线，并从这条直线的角度去看"
            "（红色竖线就是那条直线）。")
    ctx.pause(1.5)
    return reps, network_accuracy


def _probe_layers(config: DepthConfig, ctx: DemoContext, reps: list, y) -> list[float]:
    """The best straight line on each layer in turn, drawn from its own angle and narrated."""
    accuracies: list[float] = []
    for k, rep in enumerate(reps):
        check_cancelled(ctx)
        accuracy, u, v, threshold = linear_probe(rep, y)
        accuracies.append(accuracy)
        name = ctx.pick("input (x, y)", "输入 (x, y)") if k == 0 else ctx.pick(f"after layer {k}", f"第 {k} 层之后")
        ctx.emit(_layer_plot(ctx, k, name, accuracy, u, v, threshold, y))
        ctx.emit(Progress(k, config.layers, {"linear_accuracy": accuracy}, ctx.pick("layers", "逐层")))
        if k == 1 and accuracy < 0.9:
            ctx.say(f"After one layer the spirals are still tangled: a line gets {accuracy:.0%} "
                    f"(on the raw input: {accuracies[0]:.0%}). The untangling is left to the layers that follow.",
                    f"经过一层之后，两条螺旋线仍然缠在一起：直线分对 {accuracy:.0%}"
                    f"（原始输入上是 {accuracies[0]:.0%}）。解开缠绕的工作留给了后面的层。")
        elif k > 1 and accuracy >= 0.99 > accuracies[k - 1]:
            ctx.say(f"Layer {k}: now a straight line separates them.",
                    f"第 {k} 层：现在一条直线就能把它们分开了。")
        ctx.pause(2.0)
    return accuracies


def _by_layer_plot(accuracies: list[float], ctx: DemoContext) -> Plot:
    by_layer = curve(ctx.pick("linear accuracy", "线性准确率"), accuracies, "green", "dot", start=0)
    return Plot("by_layer", ctx.pick("How well a straight line separates each layer", "每一层上直线能分对多少"),
                "line", (by_layer,), ctx.pick("layer (0 = input)", "层（0 = 输入）"), ctx.pick("accuracy", "准确率"),
                y_lim=(0.4, 1.02))


def _layer_plot(ctx, k, name, accuracy, u, v, threshold, labels) -> Plot:
    lab = labels.cpu()
    series = tuple(Series(label, tuple(u[lab == c].tolist()), tuple(v[lab == c].tolist()), color, "●")
                   for c, label, color in ((0, ctx.pick("spiral A", "螺旋 A"), "blue"),
                                           (1, ctx.pick("spiral B", "螺旋 B"), "green")))
    x_lim = (float(u.min()) - 0.1, float(u.max()) + 0.1)
    y_lim = (float(v.min()) - 0.1, float(v.max()) + 0.1)
    lines = ()
    if x_lim[0] <= threshold <= x_lim[1]:
        lines = (((threshold, y_lim[0]), (threshold, y_lim[1]), ctx.pick("best line", "最好的直线")),)
    return Plot(f"layer_{k}", ctx.pick(f"{name}: a straight line gets {accuracy:.0%}",
                                       f"{name}：一条直线分对 {accuracy:.0%}"),
                "scatter", series, ctx.pick("across the line", "垂直于直线"),
                ctx.pick("along it", "沿着直线"), lines=lines, x_lim=x_lim, y_lim=y_lim, group="layers")


def _summary(accuracies: list[float], ctx: DemoContext) -> str:
    steps = " → ".join(f"{a:.0%}" for a in accuracies)
    last = len(accuracies) - 1
    en = f"How well a straight line separates the spirals, from the input through layer {last}: {steps}. "
    zh = f"从输入到第 {last} 层，一条直线能分对的比例：{steps}。"
    if accuracies[-1] >= 0.97:
        en += ("No single layer does the job; each one re-represents what the one before it produced, and "
               "the tangle comes apart step by step until a line splits it. ")
        zh += "没有哪一层单独完成任务；每一层都在重新表示上一层的结果，缠绕一步步被解开，直到一条直线就能把它分开。"
    else:
        en += ("This time the last layer is still tangled: give the network more steps (--steps) or "
               "layers (--layers). ")
        zh += "这一次最后一层仍然没有完全解开：多给网络一些步数（--steps）或层数（--layers）。"
    return ctx.pick(
        en + "That is the *deep* in deep learning: not a deeper understanding, but **successive layers of "
        "representations** — and the *learning* is the automatic search for them.",
        zh + "这就是深度学习中的「深度」：不是什么更深入的理解，而是**连续的多层表示**——"
        "而「学习」就是自动寻找这些表示的搜索过程。")


DEMO = Demo(
    id="depth",
    title={"en": "What \"deep\" means: layer after layer of representations",
           "zh": "「深度」是什么意思：一层又一层的表示"},
    description={"en": "Two tangled spirals, untangled layer by layer until a straight line separates them.",
                 "zh": "两条缠绕的螺旋线，一层一层被解开，直到一条直线就能把它们分开。"},
    config=DepthConfig,
    run=run,
    quick={"steps": 400},
    # Not "deep" or "深度" alone: they name the field in questions ("why are deep networks hard to train").
    keywords={"en": ("deep mean", "deep means", '"deep" mean', '"deep" means', "successive layers",
                     "layers of representation", "untangle", "spirals"),
              "zh": ("深度是什么意思", "深度的意思", "「深度」", "连续的多层表示", "多层表示", "螺旋线", "逐层")},
)
