"""What the demos share: the seed option, seeded starts, training steps, smoothing, accuracy and
the line plots most of them draw.

torch is imported inside the functions, never here: importing a demo module stays cheap.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from demos.core import DemoContext, Plot, Progress, Series, option

# ---------------------------------------------------------------- options and seeds


def seed_option(help: str) -> Any:
    """The `seed` option every demo config ends with; only what it seeds differs."""
    return option(0, low=0, high=2**31 - 1, help=help)


def generator(seed: int):
    """A seeded generator on the CPU: what is drawn from it is the same on every device."""
    import torch

    return torch.Generator().manual_seed(seed)


def same_start(seed: int, builders: dict[str, Callable[[], Any]], device: str, lr: float) -> tuple[dict, dict]:
    """Networks built after the same torch.manual_seed, so with the same initial weights, each with its Adam."""
    import torch

    nets, opts = {}, {}
    for name, build in builders.items():
        torch.manual_seed(seed)
        nets[name] = build().to(device)
        opts[name] = torch.optim.Adam(nets[name].parameters(), lr=lr)
    return nets, opts

# ---------------------------------------------------------------- networks and steps


def linear_stack(dims: list[int]):
    """Linear layers between consecutive sizes, without activations: the caller applies them."""
    from torch import nn

    return nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:]))


def through(net, x, act: Callable, keep: list | None = None):
    """x through a linear stack: `act` after every layer but the last; `keep` collects the hidden outputs."""
    h = x
    for layer in net[:-1]:
        h = act(layer(h))
        if keep is not None:
            keep.append(h)
    return net[-1](h)


def descend(opt, loss) -> None:
    """One optimiser step on this loss."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def report_every(steps: int, updates: int = 40) -> int:
    """Steps between two looks (plot, progress), so a run shows about `updates` whatever its length."""
    return max(1, steps // updates)


def due(step: int, every: int, steps: int) -> bool:
    """Whether this step is one to show: every `every` steps, and always the last."""
    return step % every == 0 or step == steps


def training(ctx: DemoContext, step: int, total: int, metrics: dict[str, float]) -> Progress:
    return Progress(step, total, metrics, ctx.pick("training", "训练中"))

# ---------------------------------------------------------------- numbers


def smooth(values: list[float], keep: float, digits: int | None = None) -> list[float]:
    """An exponential moving average, so minibatch noise does not hide the trend."""
    out, avg = [], values[0] if values else 0.0
    for v in values:
        avg = keep * avg + (1 - keep) * v
        out.append(avg if digits is None else round(avg, digits))
    return out


def hit_rate(scores, labels) -> float:
    """The share of rows whose highest score is at the label."""
    return (scores.argmax(1) == labels).float().mean().item()


def accuracy(net, x, y) -> float:
    """The network's accuracy in eval mode (dropout off: the whole network answers), then back to training."""
    import torch

    net.eval()
    with torch.no_grad():
        value = hit_rate(net(x), y)
    net.train()
    return value


def standardise(features, floor: float):
    """Each column to mean 0 and std 1 (std at least `floor`), so LBFGS converges in a few
    iterations: the scaled features, the means and the stds."""
    mean, std = features.mean(0), features.std(0).clamp_min(floor)
    return (features - mean) / std, mean, std


def logistic_fit(z, labels):
    """Logistic regression on z fitted to convergence: the weights w and the bias b (z @ w + b > 0 is class 1)."""
    import torch
    import torch.nn.functional as F

    w = torch.zeros(z.shape[1], dtype=z.dtype, requires_grad=True)
    b = torch.zeros(1, dtype=z.dtype, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=100, line_search_fn="strong_wolfe")
    target = labels.to(z.dtype)

    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(z @ w + b, target)
        loss.backward()
        return loss

    opt.step(closure)
    return w, b

# ---------------------------------------------------------------- plots


def curve(label: str, ys: Iterable[float], color: str = "", marker: str = "", start: int = 1) -> Series:
    """A line over x = start, start + 1, ...: one value per step, per layer, per epoch."""
    ys = tuple(ys)
    return Series(label, tuple(float(i) for i in range(start, start + len(ys))), ys, color, marker)


def scatter_series(label: str, points, color: str, marker: str, digits: int | None = None) -> Series:
    """Points of shape (n, 2) as one series, their coordinates rounded to `digits` if given."""
    xs, ys = points[:, 0].tolist(), points[:, 1].tolist()
    if digits is not None:
        xs, ys = [round(v, digits) for v in xs], [round(v, digits) for v in ys]
    return Series(label, tuple(xs), tuple(ys), color, marker)


def loss_plot(ctx: DemoContext, title: str, series: Iterable[Series], name: str = "loss", **limits: Any) -> Plot:
    """Losses against steps; `title` is already in the run's language, `limits` are Plot's x_lim/y_lim."""
    return Plot(name, title, "line", tuple(series), ctx.pick("step", "步数"), ctx.pick("loss", "损失"), **limits)
