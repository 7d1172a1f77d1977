"""Residual connections: a deep plain stack stalls where the same stack with skips trains.

Two networks of the same depth and width, with the same initial weights, learn the same
two-spirals task on the same minibatches. The only difference is `h = h + f(h)` instead of
`h = f(h)`. Measured on CPU (20 tanh layers of 32 units, Adam 3e-3): the plain stack sits at
the coin-flip loss ln 2 ≈ 0.693 even after 1,500 steps, while the residual one is near zero
loss and 100 % test accuracy within ~150 steps. The plain stack's first layer receives a
gradient orders of magnitude smaller: the signal fades as it travels back through each layer.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from demos.core import Demo, DemoContext, Plot, Result, check_cancelled, option
from demos.data import spirals
from demos.kit import (curve, due, generator, hit_rate, loss_plot, report_every, same_start, seed_option, smooth,
                       training)


@dataclass(frozen=True)
class ResNetConfig:
    depth: int = option(20, low=2, high=60, help="hidden layers in each stack; deep enough that the plain one stalls")
    width: int = option(32, low=4, high=256, help="units per hidden layer; small keeps a step cheap on CPU")
    steps: int = option(300, low=10, high=5000, help="training steps; the residual stack needs ~150 here")
    lr: float = option(0.003, low=1e-5, high=1.0, help="Adam learning rate, the same for both stacks")
    batch: int = option(128, low=8, high=4096, help="points per minibatch; both stacks see the same ones")
    points: int = option(1024, low=64, high=20000, help="training points on the two spirals")
    seed: int = seed_option("seed for data, initial weights and batches")


def build(depth: int, width: int, residual: bool):
    import torch
    from torch import nn

    class Stack(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inp = nn.Linear(2, width)
            self.hidden = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
            self.out = nn.Linear(width, 2)

        def forward(self, x):
            h = torch.tanh(self.inp(x))
            for layer in self.hidden:
                # The whole idea: each layer adds a correction to h instead of replacing it,
                # so the gradient has a path back to the first layer that skips every tanh.
                h = h + torch.tanh(layer(h)) if residual else torch.tanh(layer(h))
            return self.out(h)

    return Stack()


def run(config: ResNetConfig, ctx: DemoContext) -> None:
    started = time.perf_counter()
    gen = generator(config.seed)
    # One and a half turns, as in the depth demo: no shallow trick separates them.
    x, y = spirals(config.points, 1.5, gen, device=ctx.device)
    x_test, y_test = spirals(1024, 1.5, gen, device=ctx.device)
    ctx.say(f"Two spirals, {config.points} points. Two stacks of **{config.depth} layers** "
            f"({config.width} units, tanh), the same starting weights: one plain, one with "
            "skip connections `h + f(h)`. Same data, same batches, same optimiser.",
            f"两条交错的螺旋线，{config.points} 个点。两个 **{config.depth} 层**的网络"
            f"（每层 {config.width} 个单元，tanh），初始权重完全相同：一个是普通的堆叠，"
            "另一个加了跳跃连接 `h + f(h)`。同样的数据、同样的批次、同样的优化器。")
    ctx.pause(1.5)
    nets, first_grad = _train(config, ctx, x, y)
    metrics = _final_metrics(nets, x, y, x_test, y_test)
    for name in nets:
        metrics[f"first_layer_grad_{name}"] = float(f"{first_grad[name]:.3g}")
    metrics.update(depth=config.depth, steps=config.steps,
                   seconds=round(time.perf_counter() - started, 2), device=ctx.device)
    ctx.emit(Result(metrics, _summary(metrics, config, ctx)))


def _train(config: ResNetConfig, ctx: DemoContext, x, y) -> tuple[dict, dict[str, float]]:
    """Both stacks from the same start on the same minibatches; the gradient each first layer got at step 1."""
    import torch
    import torch.nn.functional as F

    nets, opts = same_start(config.seed, {"plain": lambda: build(config.depth, config.width, False),
                                          "residual": lambda: build(config.depth, config.width, True)},
                            ctx.device, config.lr)
    batch_gen = generator(config.seed + 1)
    history: dict[str, list[float]] = {"plain": [], "residual": []}
    first_grad: dict[str, float] = {}
    every = report_every(config.steps)
    for step in range(1, config.steps + 1):
        check_cancelled(ctx)
        idx = torch.randint(0, config.points, (min(config.batch, config.points),), generator=batch_gen).to(ctx.device)
        for name, net in nets.items():
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opts[name].zero_grad(set_to_none=True)
            loss.backward()
            if step == 1:
                first_grad[name] = net.inp.weight.grad.norm().item()
            opts[name].step()
            history[name].append(loss.item())
        if due(step, every, config.steps):
            ctx.emit(_loss_plot(history, ctx))
            ctx.emit(training(ctx, step, config.steps, {"loss_plain": history["plain"][-1],
                                                        "loss_residual": history["residual"][-1]}))
            if step == every:
                ctx.say(f"At the first step the gradient reaching the first layer is "
                        f"{first_grad['plain']:.2g} in the plain stack and "
                        f"{first_grad['residual']:.2g} in the residual one.",
                        f"第一步时，传到第一层的梯度：普通网络是 {first_grad['plain']:.2g}，"
                        f"残差网络是 {first_grad['residual']:.2g}。")
            ctx.pause(0.05)
    return nets, first_grad


def _final_metrics(nets: dict, x, y, x_test, y_test) -> dict[str, object]:
    import torch
    import torch.nn.functional as F

    metrics: dict[str, object] = {}
    with torch.no_grad():
        for name, net in nets.items():
            net.eval()
            metrics[f"final_loss_{name}"] = round(F.cross_entropy(net(x), y).item(), 4)
            metrics[f"accuracy_{name}"] = round(hit_rate(net(x_test), y_test), 4)
            net.train()
    return metrics


def _loss_plot(history: dict[str, list[float]], ctx: DemoContext) -> Plot:
    # Smoothed, so minibatch noise does not hide the trend.
    return loss_plot(ctx, ctx.pick("Training loss: plain vs residual", "训练损失：普通 vs 残差"),
                     (curve(label, smooth(history[name], 0.8, digits=4), color)
                      for name, color, label in (("plain", "red", ctx.pick("plain", "普通")),
                                                 ("residual", "green", ctx.pick("residual", "残差")))))


def _summary(m: dict, config: ResNetConfig, ctx: DemoContext) -> str:
    return ctx.pick(
        f"Same depth, same weights at the start, same data: the plain {config.depth}-layer stack "
        f"ended at loss {m['final_loss_plain']:.3f} ({m['accuracy_plain']:.0%} test accuracy, "
        f"ln 2 = 0.693 is a coin flip), the residual one at {m['final_loss_residual']:.3f} "
        f"({m['accuracy_residual']:.0%}). The only change was letting each layer add to its input "
        "instead of replacing it. That is why residual networks are on the list of advances that "
        "made *very deep* networks trainable — depth alone was never enough.",
        f"同样的深度、同样的初始权重、同样的数据：{config.depth} 层的普通网络最后损失是 "
        f"{m['final_loss_plain']:.3f}（测试准确率 {m['accuracy_plain']:.0%}，0.693 即 ln 2 "
        f"相当于抛硬币），残差网络是 {m['final_loss_residual']:.3f}（{m['accuracy_residual']:.0%}）。"
        "唯一的区别是让每一层在输入上“加”一个修正，而不是把它替换掉。这就是为什么残差网络"
        "被列为让*非常深*的网络变得可训练的重要进展之一——光有深度从来都不够。")


DEMO = Demo(
    id="resnet",
    title={"en": "Residual connections: training a very deep stack",
           "zh": "残差连接：训练很深的网络"},
    description={"en": "A deep plain network stalls; the same network with skip connections learns the spirals.",
                 "zh": "很深的普通网络学不动；加上跳跃连接的同一个网络学会了螺旋线分类。"},
    config=ResNetConfig,
    run=run,
    quick={"steps": 150},
    keywords={"en": ("resnet", "residual", "skip connection", "residual network"),
              "zh": ("残差", "残差网络", "ResNet", "跳跃连接")},
)
