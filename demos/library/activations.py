"""Better activation functions: one deep network, three non-linearities, the same starting weights.

A 10-layer network of 32 units learns the two spirals three times: with sigmoid, tanh and ReLU
after each layer. The weights are drawn once (He scaling) and copied into all three; the data,
the optimiser (plain SGD with momentum, full batch) and its steps are the same. Plain SGD on
purpose: Adam rescales each gradient and hides how small it got (with Adam, sigmoid crawls to a
loss of ~0.53 in 300 steps). He scaling because PyTorch's default (std ≈ 1/√(3·fan_in)) starves
ReLU too: a first-layer gradient of ~1e-4 and no progress in 300 steps — the init demo's lesson.
Measured on CPU (seeds 0-5, 300 steps, lr 0.02, ~1-2 s): sigmoid stays at 0.691-0.693 (ln 2, a
coin flip) while tanh and ReLU fall below 0.01; at the first step the gradient reaching the first
layer is 3e-7 to 2e-6 with sigmoid against 0.03-0.3 with tanh and ReLU. A sigmoid's slope is at
most 1/4, so ten of them shrink the signal travelling back by up to 4^10 ≈ 10^6.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass

from demos.core import Demo, DemoContext, Plot, Result, check_cancelled, option
from demos.data import spirals
from demos.kit import (curve, due, generator, hit_rate, linear_stack, loss_plot, report_every, seed_option,
                       through, training)

ACTIVATIONS = (("sigmoid", "red"), ("tanh", "blue"), ("relu", "green"))


@dataclass(frozen=True)
class ActivationsConfig:
    layers: int = option(10, low=2, high=40, help="hidden layers; sigmoid's trouble grows with each one")
    width: int = option(32, low=4, high=256, help="units per hidden layer")
    steps: int = option(300, low=10, high=5000, help="SGD steps, each on all points")
    lr: float = option(0.02, low=1e-5, high=1.0, help="SGD learning rate (momentum 0.9), the same for all three")
    points: int = option(512, low=64, high=10000, help="points on the two spirals")
    seed: int = seed_option("seed for the data and the shared initial weights")


def build(layers: int, width: int):
    """Linear layers only: the activation is applied in forward(), so all three share the weights."""
    from torch import nn

    net = linear_stack([2] + [width] * layers + [2])
    for layer in net:
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        nn.init.zeros_(layer.bias)
    return net


def forward(net, x, name: str):
    import torch

    return through(net, x, {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[name])


def run(config: ActivationsConfig, ctx: DemoContext) -> None:
    started = time.perf_counter()
    x, y = spirals(config.points, 1.5, generator(config.seed), device=ctx.device)
    ctx.say(f"One network, **{config.layers} layers** of {config.width} units, learns the two spirals three "
            "times: with **sigmoid**, **tanh** and **ReLU** after each layer. Same starting weights, same data, "
            "same optimiser (plain SGD), same steps. Only the activation function differs.",
            f"同一个网络，**{config.layers} 层**、每层 {config.width} 个单元，学习两条螺旋线，学三遍："
            "每层之后分别用 **sigmoid**、**tanh** 和 **ReLU**。初始权重、数据、优化器（普通 SGD）、步数全都相同，"
            "只有激活函数不同。")
    ctx.pause(1.5)
    nets, layer_grads = _train(config, ctx, x, y)
    check_cancelled(ctx)
    first = {name: grads[0] for name, grads in layer_grads.items()}
    _show_first_gradients(first, layer_grads, ctx)
    metrics = _final_metrics(nets, x, y, first)
    metrics.update(layers=config.layers, steps=config.steps,
                   seconds=round(time.perf_counter() - started, 2), device=ctx.device)
    ctx.emit(Result(metrics, _summary(metrics, config, ctx)))


def _train(config: ActivationsConfig, ctx: DemoContext, x, y) -> tuple[dict, dict[str, list[float]]]:
    """The three networks from one shared start, trained step by step; also the first step's gradients."""
    import torch
    import torch.nn.functional as F

    torch.manual_seed(config.seed)
    shared = build(config.layers, config.width)
    nets = {name: copy.deepcopy(shared).to(ctx.device) for name, _ in ACTIVATIONS}
    opts = {name: torch.optim.SGD(net.parameters(), lr=config.lr, momentum=0.9) for name, net in nets.items()}
    history: dict[str, list[float]] = {name: [] for name in nets}
    layer_grads: dict[str, list[float]] = {}
    every = report_every(config.steps)
    for step in range(1, config.steps + 1):
        check_cancelled(ctx)
        for name, net in nets.items():
            loss = F.cross_entropy(forward(net, x, name), y)
            opts[name].zero_grad(set_to_none=True)
            loss.backward()
            if step == 1:  # the gradient each weight matrix gets before anything has been learned
                layer_grads[name] = [layer.weight.grad.norm().item() for layer in net[:-1]]
            opts[name].step()
            history[name].append(loss.item())
        if due(step, every, config.steps):
            ctx.emit(_loss_plot(history, ctx))
            ctx.emit(training(ctx, step, config.steps, {f"loss_{n}": h[-1] for n, h in history.items()}))
            ctx.pause(0.2)
    return nets, layer_grads


def _show_first_gradients(first: dict[str, float], layer_grads: dict[str, list[float]], ctx: DemoContext) -> None:
    ctx.say(f"Why does sigmoid stall? Look at the gradient each layer received at the very first step. "
            f"The first layer got {first['sigmoid']:.1e} with sigmoid, {first['tanh']:.1e} with tanh and "
            f"{first['relu']:.1e} with ReLU. A sigmoid's slope is at most 1/4, so each layer the error "
            "signal passes back through shrinks it again.",
            f"为什么 sigmoid 学不动？看看第一步时每一层收到的梯度。第一层收到的梯度：sigmoid 是 "
            f"{first['sigmoid']:.1e}，tanh 是 {first['tanh']:.1e}，ReLU 是 {first['relu']:.1e}。"
            "sigmoid 的斜率最大只有 1/4，误差信号每往回穿过一层，就又被缩小一次。")
    ctx.emit(_gradient_plot(layer_grads, ctx))
    ctx.pause(3.0)


def _final_metrics(nets: dict, x, y, first: dict[str, float]) -> dict[str, object]:
    import torch
    import torch.nn.functional as F

    metrics: dict[str, object] = {}
    with torch.no_grad():
        for name, net in nets.items():
            metrics[f"final_loss_{name}"] = round(F.cross_entropy(forward(net, x, name), y).item(), 4)
            metrics[f"accuracy_{name}"] = round(hit_rate(forward(net, x, name), y), 4)
    for name, grad in first.items():
        metrics[f"first_layer_grad_{name}"] = float(f"{grad:.3g}")
    # The headline in one number: how many times more gradient reaches the first layer with ReLU.
    metrics["first_layer_grad_relu_over_sigmoid"] = float(f"{first['relu'] / max(first['sigmoid'], 1e-30):.3g}")
    return metrics


def _loss_plot(history: dict[str, list[float]], ctx: DemoContext) -> Plot:
    return loss_plot(ctx, ctx.pick("Training loss: sigmoid vs tanh vs ReLU", "训练损失：sigmoid、tanh 与 ReLU"),
                     (curve(name, history[name], color) for name, color in ACTIVATIONS))


def _gradient_plot(layer_grads: dict[str, list[float]], ctx: DemoContext) -> Plot:
    # log10, because the three differ by orders of magnitude; a zero gradient is drawn at -12.
    series = tuple(curve(name, (math.log10(max(g, 1e-12)) for g in layer_grads[name]), color, "dot")
                   for name, color in ACTIVATIONS)
    return Plot("gradients", ctx.pick("Gradient size per layer at the first step (log10)",
                                      "第一步时各层的梯度大小（log10）"),
                "line", series, ctx.pick("layer (1 = first)", "层（1 = 第一层）"), "log10 ‖grad‖")


def _summary(m: dict, config: ActivationsConfig, ctx: DemoContext) -> str:
    return ctx.pick(
        f"Same network, same starting weights, same {config.steps} steps: with sigmoid the loss ended at "
        f"{m['final_loss_sigmoid']:.3f} (ln 2 = 0.693 is a coin flip, {m['accuracy_sigmoid']:.0%} accuracy), "
        f"with tanh at {m['final_loss_tanh']:.3f} ({m['accuracy_tanh']:.0%}) and with ReLU at "
        f"{m['final_loss_relu']:.3f} ({m['accuracy_relu']:.0%}). The gradient reaching the first layer was "
        f"{m['first_layer_grad_relu_over_sigmoid']:.3g} times larger with ReLU than with sigmoid. That is what "
        "the documents mean by better activation functions: the network can **approximate the function "
        "faster, and so train faster** — and in a deep network, sometimes train at all.",
        f"同样的网络、同样的初始权重、同样的 {config.steps} 步：用 sigmoid，损失最后是 "
        f"{m['final_loss_sigmoid']:.3f}（0.693 即 ln 2 相当于抛硬币，准确率 {m['accuracy_sigmoid']:.0%}）；"
        f"用 tanh 是 {m['final_loss_tanh']:.3f}（{m['accuracy_tanh']:.0%}）；用 ReLU 是 "
        f"{m['final_loss_relu']:.3f}（{m['accuracy_relu']:.0%}）。传到第一层的梯度，ReLU 是 sigmoid 的 "
        f"{m['first_layer_grad_relu_over_sigmoid']:.3g} 倍。这就是文中说的更好的激活函数："
        "网络可以**更快地逼近函数，从而实现更快的训练**——在很深的网络里，甚至决定了能不能训练。")


DEMO = Demo(
    id="activations",
    title={"en": "Better activation functions: sigmoid, tanh and ReLU",
           "zh": "更好的激活函数：sigmoid、tanh 与 ReLU"},
    description={"en": "The same deep network trained with sigmoid, tanh and ReLU: which one learns, and why.",
                 "zh": "同一个深层网络分别用 sigmoid、tanh、ReLU 训练：谁学得动，为什么。"},
    config=ActivationsConfig,
    run=run,
    quick={"steps": 150, "points": 256},
    keywords={"en": ("activation", "activations", "activation function", "activation functions", "relu",
                     "sigmoid", "tanh"),
              "zh": ("激活函数", "激活", "ReLU", "sigmoid", "tanh")},
)
