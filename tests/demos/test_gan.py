"""The GAN demo: a generator that only hears the discriminator's verdict learns the ring's modes."""
from __future__ import annotations

import math

import pytest
import torch

from demos.core import Plot, Progress, Result, Text
from demos.data import mode_centres, ring_samples
from demos.library.gan import NEAR, SHOWN, grade


def test_generated_points_end_much_closer_to_the_modes_than_at_the_start_and_cover_several(run_quick):
    metrics = run_quick("gan")[-1].metrics
    assert set(metrics) == {"modes_covered", "modes", "mean_distance_to_mode_start", "mean_distance_to_mode",
                            "near_mode_fraction", "final_d_loss", "final_g_loss", "steps", "train_seconds",
                            "seconds", "device"}
    # At the start the generator's points sit in a blob near the centre, ~1.9 from every mode.
    assert metrics["mean_distance_to_mode_start"] > 1.5
    assert metrics["mean_distance_to_mode"] < 0.35 * metrics["mean_distance_to_mode_start"]
    assert metrics["modes_covered"] >= 4 and metrics["modes"] == 8
    assert metrics["near_mode_fraction"] > 0.2
    assert metrics["device"] == "cpu" and metrics["train_seconds"] > 0


def test_the_scatter_redraws_the_same_points_as_training_goes_and_ends_with_the_losses(run_quick):
    events = run_quick("gan", steps=60)
    plots = [e for e in events if isinstance(e, Plot)]
    samples = [p for p in plots if p.name == "samples"]
    assert [p.name for p in plots] == ["samples"] * len(samples) + ["losses"]
    assert 20 <= len(samples) <= 40, "about thirty looks at the generated points"
    for plot in samples:
        real, fake = plot.series
        assert plot.kind == "scatter" and (real.color, fake.color) == ("blue", "red")
        assert len(real.x) == len(fake.x) == SHOWN
    assert samples[0].series[0] == samples[-1].series[0], "the real points stay put"
    assert samples[0].series[1] != samples[-1].series[1], "the generated points move"
    losses = plots[-1]
    assert losses.kind == "line" and len(losses.series) == 2 and len(losses.series[0].x) == 60
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[-1].step == progress[-1].total == 60
    assert set(progress[-1].metrics) == {"d_loss", "g_loss"}
    assert isinstance(events[0], Text)


def test_the_summary_speaks_the_runs_language(run_quick):
    events = run_quick("gan", steps=20, lang="zh")
    assert isinstance(events[-1], Result) and "生成对抗网络" in events[-1].summary
    assert "判别器" in next(e for e in events if isinstance(e, Text)).text


def test_real_samples_lie_on_the_ring_around_their_modes():
    points = ring_samples(4000, mode_centres(8), torch.Generator().manual_seed(0))
    radius = points.norm(dim=1)
    assert abs(radius.mean().item() - 2.0) < 0.01 and radius.std().item() < 0.1
    assert grade(points, 8)["modes_covered"] == 8 and grade(points, 8)["near_fraction"] > 0.99


def test_a_mode_counts_as_covered_only_when_enough_points_land_on_it():
    centres = mode_centres(8)
    on_three = centres[torch.arange(300) % 3]  # every point exactly on one of three modes
    assert grade(on_three, 8) == {"mean_distance": 0.0, "near_fraction": 1.0, "modes_covered": 3}
    blob = torch.zeros(100, 2)  # the untrained generator's blob at the centre
    graded = grade(blob, 8)
    assert graded["modes_covered"] == 0 and graded["mean_distance"] == pytest.approx(2.0)
    one_straggler = torch.cat([centres[:1].repeat(99, 1), centres[1:2] + NEAR / 2])
    assert grade(one_straggler, 8)["modes_covered"] == 1, "one point is not a mode"


def test_modes_are_evenly_spaced_on_a_circle_of_radius_two():
    centres = mode_centres(8)
    assert torch.allclose(centres.norm(dim=1), torch.full((8,), 2.0))
    gaps = (centres - centres.roll(1, 0)).norm(dim=1)
    assert torch.allclose(gaps, torch.full((8,), 4 * math.sin(math.pi / 8)), atol=1e-5)
