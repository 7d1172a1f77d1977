"""Better initialisation: the starting weights must match the activation function.

The same deep network (15 layers of 64 units) starts four ways: all zeros, too small (std 0.01),
too large (std 1.0), and scaled to its activation: He (std √(2/fan_in)) for ReLU, Xavier
(std √(2/(fan_in+fan_out)) with tanh's gain 5/3) for tanh. Before any training, the spread of
each layer's output shows the signal's fate; then plain SGD (momentum 0.9, full batch, so a
vanished gradient stays vanished) trains each for the same steps on the two spirals.
Measured on CPU (seeds 0-5, 100 steps, lr 0.01, ~2-4 s): with ReLU the std per layer stays
within a factor 1.4-3.8 across the 15 layers with He, falls to ~1e-20 by the last layer when too
small and grows to ~1e10 when too large (its loss is NaN after one step); with tanh Xavier keeps
it within a factor ~2.2 (0.3-0.65), too small falls to ~1e-18 and too large saturates ~70 % of
the units. Zeros never break the symmetry: every unit stays identical and the loss stays at
ln 2 ≈ 0.69, as it does when too small and (tanh) too large; the matched start reaches ~0.001.
Plain Xavier (gain 1) with tanh lets the std sink slowly (0.2 → 0.08 over 15 layers).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from demos.core import Demo, DemoContext, Plot, Result, Text, check_cancelled, option
from demos.data import spirals
from demos.kit import (curve, descend, due, generator, linear_stack, loss_plot, report_every, seed_option, through,
                       training)

SCHEMES = ("zeros", "small", "large", "matched")
COLORS = {"zeros": "magenta", "small": "cyan", "large": "red", "matched": "green"}
LOSS_CAP = 1.5  # the loss plot's ceiling: an exploding start's loss of 1e10 would flatten the rest
SATURATED = 0.99  # |tanh| above this passes back less than 2 % of the gradient


@dataclass(frozen=True)
class InitConfig:
    activation: str = option("relu", choices=("relu", "tanh"), help="the activation the matched start is scaled for")
    layers: int = option(15, low=2, high=40, help="hidden layers; a bad start compounds with each one")
    width: int = option(64, low=4, high=256, help="units per hidden layer")
    small_std: float = option(0.01, low=0.0, high=10.0, help="std of the too-small start")
    large_std: float = option(1.0, low=0.0, high=10.0, help="std of the too-large start")
    steps: int = option(100, low=5, high=5000, help="SGD steps for each start; the matched one needs ~60")
    lr: float = option(0.01, low=1e-5, high=1.0, help="SGD learning rate (momentum 0.9), the same for all")
    points: int = option(384, low=64, high=10000, help="points on the two spirals")
    seed: int = seed_option("seed for the data and the weights")


def matched_std(activation: str, fan_in: int, fan_out: int) -> float:
    if activation == "relu":
        return math.sqrt(2.0 / fan_in)  # He: ReLU zeroes half the signal, so double the variance
    return 5.0 / 3.0 * math.sqrt(2.0 / (fan_in + fan_out))  # Xavier, with tanh's gain


def build(config: InitConfig, scheme: str):
    """The network with normal weights of the scheme's std (the same draws for every scheme)."""
    import torch

    net = linear_stack([2] + [config.width] * config.layers + [2])
    gen = generator(config.seed)
    with torch.no_grad():
        for layer in net:
            fan_out, fan_in = layer.weight.shape
            std = {"zeros": 0.0, "small": config.small_std, "large": config.large_std,
                   "matched": matched_std(config.activation, fan_in, fan_out)}[scheme]
            layer.weight.copy_(std * torch.randn(layer.weight.shape, generator=gen))
            layer.bias.zero_()
    return net


def forward(net, x, activation: str, keep: list | None = None):
    import torch

    return through(net, x, torch.relu if activation == "relu" else torch.tanh, keep)


def layer_stats(net, x, activation: str) -> tuple[list[float], list[float]]:
    """Per hidden layer: the std of its output, and the share of saturated units (tanh)."""
    import torch

    hidden: list = []
    with torch.no_grad():
        forward(net, x, activation, hidden)
    stds = [h.std().item() for h in hidden]
    saturated = [(h.abs() > SATURATED).float().mean().item() for h in hidden]
    return stds, saturated


def run(config: InitConfig, ctx: DemoContext) -> None:
    started = time.perf_counter()
    act = config.activation
    matched_name = "He" if act == "relu" else "Xavier"
    labels = {"zeros": ctx.pick("zeros", "全零"),
              "small": ctx.pick(f"small (std {config.small_std:g})", f"太小（{config.small_std:g}）"),
              "large": ctx.pick(f"large (std {config.large_std:g})", f"太大（{config.large_std:g}）"),
              "matched": matched_name}
    x, y = spirals(config.points, 1.0, generator(config.seed), device=ctx.device)
    ctx.say(f"One network, **{config.layers} layers** of {config.width} units with **{act}**, started four ways: "
            f"all zeros, too small (std {config.small_std:g}), too large (std {config.large_std:g}), and "
            f"**{matched_name}** scaling, chosen for {act}. First, before any training: how spread out is each "
            "layer's output?",
            f"同一个网络，**{config.layers} 层**、每层 {config.width} 个单元、激活函数 **{act}**，用四种方式初始化："
            f"全零、太小（标准差 {config.small_std:g}）、太大（标准差 {config.large_std:g}），以及为 {act} 选的 "
            f"**{matched_name}** 初始化。先不训练，看看每一层输出的分散程度（标准差）。")
    ctx.pause(1.5)
    nets = {s: build(config, s).to(ctx.device) for s in SCHEMES}
    stats = _show_the_start(config, ctx, nets, x, labels, matched_name)
    check_cancelled(ctx)
    diverged = _train(config, ctx, nets, x, y, labels)
    metrics = _metrics(nets, x, y, act, stats, diverged)
    metrics.update(activation=act, layers=config.layers, width=config.width, steps=config.steps,
                   seconds=round(time.perf_counter() - started, 2), device=ctx.device)
    ctx.emit(Result(metrics, _summary(metrics, diverged, labels, matched_name, ctx)))


def _show_the_start(config: InitConfig, ctx: DemoContext, nets: dict, x, labels: dict[str, str],
                    matched_name: str) -> dict[str, tuple[list[float], list[float]]]:
    """Before any training: each layer's spread per start (and with tanh, its saturation)."""
    stats = {s: layer_stats(net, x, config.activation) for s, net in nets.items()}
    stds = {s: v[0] for s, v in stats.items()}
    ctx.emit(_std_plot(stds, labels, ctx))
    ctx.emit(Text(_std_story(stds, config, matched_name, ctx)))
    ctx.pause(3.0)
    if config.activation == "tanh":
        ctx.emit(_saturation_plot({s: v[1] for s, v in stats.items()}, labels, ctx))
        ctx.say(f"Too large a start pins tanh at ±1: {stats['large'][1][-1]:.0%} of the last layer's units are "
                "saturated, where the slope — and so the gradient passed back — is almost zero.",
                f"初始值太大会把 tanh 顶在 ±1：最后一层有 {stats['large'][1][-1]:.0%} 的单元饱和了，"
                "那里斜率几乎为零，传回去的梯度也几乎为零。")
        ctx.pause(2.5)
    return stats


def _train(config: InitConfig, ctx: DemoContext, nets: dict, x, y, labels: dict[str, str]) -> dict[str, int]:
    """The four starts, step for step; the step at which each diverged start's loss stopped being finite."""
    import torch
    import torch.nn.functional as F

    ctx.say("Now the first training steps, the same for all four.", "现在开始训练，四个网络的步骤完全相同。")
    opts = {s: torch.optim.SGD(net.parameters(), lr=config.lr, momentum=0.9) for s, net in nets.items()}
    history: dict[str, list[float]] = {s: [] for s in SCHEMES}
    diverged: dict[str, int] = {}
    every = report_every(config.steps)
    for step in range(1, config.steps + 1):
        check_cancelled(ctx)
        for s, net in nets.items():
            if s in diverged:
                continue
            loss = F.cross_entropy(forward(net, x, config.activation), y)
            if not math.isfinite(loss.item()):
                diverged[s] = step  # NaN from here on: stop rather than train on garbage
                continue
            descend(opts[s], loss)
            history[s].append(loss.item())
        if due(step, every, config.steps):
            ctx.emit(_loss_plot(history, labels, ctx))
            ctx.emit(training(ctx, step, config.steps, {f"loss_{s}": h[-1] for s, h in history.items()
                                                        if h and s not in diverged}))
            ctx.pause(0.15)
    return diverged


def _metrics(nets: dict, x, y, act: str, stats: dict, diverged: dict[str, int]) -> dict[str, object]:
    """Each start's final loss, its spread per layer at the start, and how many distinct units it has."""
    import torch
    import torch.nn.functional as F

    metrics: dict[str, object] = {}
    with torch.no_grad():
        for s, net in nets.items():
            loss = F.cross_entropy(forward(net, x, act), y).item() if s not in diverged else math.nan
            metrics[f"final_loss_{s}"] = round(loss, 4) if math.isfinite(loss) else "diverged"
    stds = {s: v[0] for s, v in stats.items()}
    for s in SCHEMES:
        metrics[f"std_last_layer_{s}"] = float(f"{stds[s][-1]:.3g}")
    metrics["std_spread_matched"] = round(max(stds["matched"]) / max(min(stds["matched"]), 1e-30), 2)
    if act == "tanh":
        metrics["saturated_last_layer_large"] = round(stats["large"][1][-1], 4)
    # Distinct rows of the first layer's weights after training: 1 means every unit is the same unit.
    for s in ("zeros", "matched"):
        metrics[f"distinct_units_{s}"] = int(torch.unique(nets[s][0].weight.detach().cpu(), dim=0).shape[0])
    return metrics


def _std_story(stds: dict[str, list[float]], config: InitConfig, matched_name: str, ctx: DemoContext) -> str:
    last = {s: v[-1] for s, v in stds.items()}
    low, high = min(stds["matched"]), max(stds["matched"])
    return ctx.pick(
        f"At layer {config.layers}: zeros give std {last['zeros']:.2g} (every unit outputs the same 0), too small "
        f"{last['small']:.1e} — the signal has faded to nothing — too large {last['large']:.2g}. With "
        f"{matched_name} every layer stays between {low:.2g} and {high:.2g}.",
        f"到第 {config.layers} 层：全零初始化的标准差是 {last['zeros']:.2g}（每个单元都输出同样的 0），太小的是 "
        f"{last['small']:.1e}——信号已经消失——太大的是 {last['large']:.2g}。用 {matched_name}，"
        f"每一层都保持在 {low:.2g} 到 {high:.2g} 之间。")


def _std_plot(stds: dict[str, list[float]], labels: dict[str, str], ctx: DemoContext) -> Plot:
    # log10, because the starts differ by tens of orders of magnitude; a std of exactly 0 (zeros)
    # has no logarithm and is drawn one decade below the lowest other value.
    logs = {s: [math.log10(v) if v > 0 else None for v in vals] for s, vals in stds.items()}
    floor = math.floor(min((v for vals in logs.values() for v in vals if v is not None), default=0.0)) - 1
    series = tuple(curve(labels[s], (floor if v is None else v for v in logs[s]), COLORS[s], "dot") for s in SCHEMES)
    return Plot("std", ctx.pick(f"Std of each layer's output at the start (log10; 0 drawn at {floor})",
                                f"初始时每一层输出的标准差（log10；0 画在 {floor}）"),
                "line", series, ctx.pick("layer", "层"), "log10 std")


def _saturation_plot(saturated: dict[str, list[float]], labels: dict[str, str], ctx: DemoContext) -> Plot:
    series = tuple(curve(labels[s], v, COLORS[s], "dot") for s, v in saturated.items())
    return Plot("saturated", ctx.pick("Share of saturated units (|tanh| > 0.99)", "饱和单元的比例（|tanh| > 0.99）"),
                "line", series, ctx.pick("layer", "层"), ctx.pick("share", "比例"), y_lim=(0.0, 1.0))


def _loss_plot(history: dict[str, list[float]], labels: dict[str, str], ctx: DemoContext) -> Plot:
    series = tuple(curve(labels[s], (min(v, LOSS_CAP) for v in h), COLORS[s]) for s, h in history.items() if h)
    return loss_plot(ctx, ctx.pick(f"Training loss of each start (capped at {LOSS_CAP})",
                                   f"各种初始化的训练损失（上限 {LOSS_CAP}）"), series, y_lim=(0.0, LOSS_CAP))


def _fmt(value, ctx: DemoContext) -> str:
    return ctx.pick("diverged", "发散") if isinstance(value, str) else f"{value:.4f}"


def _summary(m: dict, diverged: dict[str, int], labels: dict[str, str], matched_name: str, ctx: DemoContext) -> str:
    losses = ctx.pick(", ", "，").join(f"{labels[s]} {_fmt(m[f'final_loss_{s}'], ctx)}" for s in SCHEMES)
    blew = ctx.pick(f" The too-large start's loss became NaN at step {diverged['large']}.",
                    f"太大的初始化在第 {diverged['large']} 步损失变成了 NaN。") if "large" in diverged else ""
    n, width = m["distinct_units_zeros"], m["width"]
    same = (ctx.pick(f"all {width} units of its first layer are still identical",
                     f"第一层的 {width} 个单元仍然一模一样") if n == 1 else
            ctx.pick(f"its first layer has only {n} distinct units of {width}",
                     f"第一层的 {width} 个单元里只有 {n} 种不同的"))
    large = ctx.pick("blows it up" if m["activation"] == "relu" else "saturates it",
                     "信号爆炸" if m["activation"] == "relu" else "单元饱和")
    others = [v for s, v in m.items() if s.startswith("final_loss_") and s != "final_loss_matched"
              and not isinstance(v, str)]
    if m["final_loss_matched"] < min(others, default=math.inf) - 0.1:
        verdict = ctx.pick(f"only {matched_name}, scaled for {m['activation']}, carries it through all "
                           f"{m['layers']} layers, and only it trains.",
                           f"只有为 {m['activation']} 选的 {matched_name} 初始化让信号穿过全部 {m['layers']} 层，"
                           "也只有它学得动。")
    else:
        verdict = ctx.pick(f"in {m['steps']} steps even {matched_name} has not pulled ahead: give it more "
                           "(--steps).", f"{m['steps']} 步之内连 {matched_name} 也还没拉开差距：多给它一些步数（--steps）。")
    return ctx.pick(
        f"Loss after {m['steps']} steps: {losses} (ln 2 = 0.693 is a coin flip).{blew} All zeros never breaks "
        f"the symmetry: after training {same}. Too small fades the signal away, too large {large}; {verdict} "
        "As the documents put it: **the initialisation strategy must be chosen according to the activation "
        "function you use.**",
        f"训练 {m['steps']} 步之后的损失：{losses}（0.693 即 ln 2 相当于抛硬币）。{blew}全零初始化永远打破不了对称："
        f"训练之后{same}。太小，信号逐层消失；太大，{large}；{verdict}"
        "正如文中所说：**初始化策略需要根据所使用的激活函数来选择。**")


DEMO = Demo(
    id="init",
    title={"en": "Better initialisation: matched to the activation",
           "zh": "更好的初始化：与激活函数相匹配"},
    description={"en": "Zeros, too small, too large, and Xavier/He starts of one deep network: the signal per "
                       "layer and the first steps' loss.",
                 "zh": "同一个深层网络用全零、太小、太大和 Xavier/He 初始化：逐层的信号和最初几步的损失。"},
    config=InitConfig,
    run=run,
    quick={"steps": 60, "points": 256, "layers": 12, "width": 48},
    # "initialization must match" outranks the activations demo's "activation function" in
    # "show me why the initialization must match the activation function".
    keywords={"en": ("initialization", "initialisation", "weight initialization", "weight initialisation",
                     "initialization must match", "initialisation must match", "xavier", "he init"),
              "zh": ("初始化", "权重初始化", "参数初始化", "Xavier")},
)
