"""The demos' datasets, in one place.

Everything random is drawn on the CPU from a seeded generator (or seed), so a seed gives the same
data on every device; torch, numpy and scikit-learn are imported inside the functions.
"""
from __future__ import annotations

import math

from demos.kit import generator

TEST_FRACTION = 0.2  # 360 of the 1,797 digits are held out and never trained on
SPREAD = 0.05  # standard deviation of each real GAN mode: sharp targets make coverage visible

# ---------------------------------------------------------------- points in the plane


def make_rings(n: int, noise: float, seed: int):
    """Inner disk (class 0) and outer ring (class 1), balanced; returns xy, polar, labels."""
    import torch

    g = generator(seed)
    inner = n // 2
    r = torch.cat([0.2 + 0.8 * torch.rand(inner, generator=g), 1.6 + 0.8 * torch.rand(n - inner, generator=g)])
    r = r + noise * torch.randn(n, generator=g)
    theta = (torch.rand(n, generator=g) * 2 - 1) * math.pi
    xy = torch.stack([r * torch.cos(theta), r * torch.sin(theta)], 1)
    polar = torch.stack([xy.norm(dim=1), torch.atan2(xy[:, 1], xy[:, 0])], 1)
    labels = torch.cat([torch.zeros(inner), torch.ones(n - inner)]).long()
    return xy, polar, labels


def spirals(n: int, turns: float, generator, noise: float = 0.03, device: str = "cpu"):
    """Two interleaved spirals, labels 0/1 (balanced on average); no straight line separates them."""
    import torch

    t = torch.rand(n, generator=generator) * turns * 2 * math.pi + 0.5
    label = torch.randint(0, 2, (n,), generator=generator)
    radius = t / (turns * 2 * math.pi + 0.5)
    angle = t + label * math.pi
    xy = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], 1)
    return (2 * xy + noise * torch.randn(n, 2, generator=generator)).to(device), label.to(device)


def noisy_moons(n: int, flip: float, generator):
    """Two interleaved half-moons with jitter; a `flip` fraction of labels is swapped.

    Returns points, the (possibly wrong) labels and which labels were swapped.
    """
    import torch

    label = torch.randint(0, 2, (n,), generator=generator)
    t = torch.rand(n, generator=generator) * math.pi
    x = torch.where(label == 0, torch.cos(t), 1 - torch.cos(t))
    y = torch.where(label == 0, torch.sin(t), 0.5 - torch.sin(t))
    points = torch.stack([x, y], 1) + 0.15 * torch.randn(n, 2, generator=generator)
    swapped = torch.rand(n, generator=generator) < flip
    return points, torch.where(swapped, 1 - label, label), swapped


def mode_centres(modes: int, radius: float = 2.0):
    """The centres of the GAN's real clusters, evenly spaced on a circle."""
    import torch

    angle = torch.arange(modes, dtype=torch.float32) * (2 * math.pi / modes)
    return torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], 1)


def ring_samples(n: int, centres, generator):
    """Real data: n points from sharp Gaussians around the given centres (on the CPU, seeded)."""
    import torch

    which = torch.randint(0, len(centres), (n,), generator=generator)
    return centres[which] + SPREAD * torch.randn(n, 2, generator=generator)

# ---------------------------------------------------------------- handwritten digits


def digits_arrays():
    """scikit-learn's 1,797 digits as (pixels 0..16 of shape (N, 64), labels).

    `import sklearn.datasets` alone costs ~1.6 s, most of the cnn demo's start-up; the data is
    a 27 ms read of the CSV that scikit-learn ships, so that file is read directly when it
    is where load_digits keeps it (checked equal to load_digits' arrays).
    """
    import importlib.util
    import os

    import numpy as np

    spec = importlib.util.find_spec("sklearn")
    if spec is not None and spec.origin:
        path = os.path.join(os.path.dirname(spec.origin), "datasets", "data", "digits.csv.gz")
        if os.path.exists(path):
            table = np.loadtxt(path, delimiter=",")
            return table[:, :-1], table[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.data, digits.target


def load_digits_split(seed: int):
    """Images scaled to 0..1 as (N, 1, 8, 8), labels, and a seeded train/test split."""
    import torch

    pixels, targets = digits_arrays()
    images = torch.tensor(pixels, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0
    labels = torch.tensor(targets, dtype=torch.long)
    order = torch.randperm(len(images), generator=generator(seed))
    n_test = round(len(images) * TEST_FRACTION)
    test, train = order[:n_test], order[n_test:]
    return images[train], labels[train], images[test], labels[test]

# ---------------------------------------------------------------- sequences


def make_batch(n: int, length: int, symbols: int, generator, device: str = "cpu"):
    """Sequences of one-hot random symbols plus a start flag channel; the label is the first symbol."""
    import torch
    import torch.nn.functional as F

    seq = torch.randint(0, symbols, (n, length), generator=generator)
    x = torch.cat([F.one_hot(seq, symbols).float(), torch.zeros(n, length, 1)], 2)
    x[:, 0, symbols] = 1.0  # the start flag
    return x.to(device), seq[:, 0].to(device)
