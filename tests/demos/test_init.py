"""The init demo: only a start scaled for the activation keeps the signal alive and trains."""
from __future__ import annotations

import math

import pytest
import torch

from demos.core import Plot, Progress, Result, Text
from demos.library.init import InitConfig, build, forward, layer_stats, matched_std


def _run(activation: str, lang: str = "en") -> list:
    from demos.core import get_demo
    from demos.runner import start_demo

    options = {**get_demo("init").quick, "activation": activation}
    handle = start_demo("init", options, device="cpu", lang=lang, fast=True, in_process=True)
    events: list = []
    while not handle.done:
        events += handle.events(timeout=0.2)
    assert isinstance(events[-1], Result), events[-1]
    return events


@pytest.fixture(scope="module")
def relu_run() -> list:
    return _run("relu")


@pytest.fixture(scope="module")
def tanh_run() -> list:
    return _run("tanh", lang="zh")


@pytest.mark.parametrize("run", ["relu_run", "tanh_run"])
def test_the_matched_start_ends_with_the_lowest_loss(run, request):
    m = request.getfixturevalue(run)[-1].metrics
    others = [m[f"final_loss_{s}"] for s in ("zeros", "small", "large")]
    finite = [v for v in others if not isinstance(v, str)]
    assert m["final_loss_matched"] < min(finite) - 0.3
    assert m["final_loss_zeros"] > 0.68 and m["final_loss_small"] > 0.68, "ln 2 ≈ 0.693: nothing learned"


@pytest.mark.parametrize("run", ["relu_run", "tanh_run"])
def test_the_matched_start_keeps_each_layers_spread_within_a_band_while_too_small_collapses(run, request):
    events = request.getfixturevalue(run)
    m = events[-1].metrics
    assert m["std_spread_matched"] < 4, "largest over smallest std across layers"
    assert 0.1 < m["std_last_layer_matched"] < 2
    assert m["std_last_layer_small"] < 1e-6
    std_plot = next(e for e in events if isinstance(e, Plot) and e.name == "std")
    matched = std_plot.series[-1]
    assert len(matched.y) == m["layers"] and max(matched.y) - min(matched.y) < math.log10(4)


def test_too_large_explodes_with_relu_and_its_loss_diverges(relu_run):
    m = relu_run[-1].metrics
    assert m["std_last_layer_large"] > 1e3
    assert m["final_loss_large"] == "diverged"
    assert "NaN" in relu_run[-1].summary


def test_too_large_saturates_tanh(tanh_run):
    m = tanh_run[-1].metrics
    assert m["saturated_last_layer_large"] > 0.5
    assert 0.8 < m["std_last_layer_large"] <= 1.0, "pinned near ±1"
    saturation = next(e for e in tanh_run if isinstance(e, Plot) and e.name == "saturated")
    assert [s.y[-1] for s in saturation.series][:2] == [0.0, 0.0], "zeros and too small never get there"


@pytest.mark.parametrize("run", ["relu_run", "tanh_run"])
def test_zeros_never_break_the_symmetry(run, request):
    m = request.getfixturevalue(run)[-1].metrics
    assert m["distinct_units_zeros"] == 1
    assert m["distinct_units_matched"] == m["width"]
    assert m["std_last_layer_zeros"] == 0.0


def test_the_run_plots_the_std_per_layer_then_the_loss_of_every_start(relu_run):
    plots = [e for e in relu_run if isinstance(e, Plot)]
    assert plots[0].name == "std" and plots[-1].name == "loss"
    assert [s.color for s in plots[0].series] == ["magenta", "cyan", "red", "green"]
    assert plots[0].series[-1].label == "He"
    loss = plots[-1]
    assert loss.kind == "line" and all(max(s.y) <= 1.5 for s in loss.series), "capped so the plot stays readable"
    assert len(next(s for s in loss.series if s.label == "He").y) == relu_run[-1].metrics["steps"]
    progress = [e for e in relu_run if isinstance(e, Progress)]
    assert progress[-1].step == progress[-1].total and "loss_large" not in progress[-1].metrics


def test_the_chinese_run_narrates_and_sums_up_in_chinese(tanh_run):
    assert isinstance(tanh_run[0], Text) and "初始化" in tanh_run[0].text
    summary = tanh_run[-1].summary
    assert "初始化策略需要根据所使用的激活函数来选择" in summary and "Xavier" in summary


def test_a_run_too_short_for_any_start_to_learn_does_not_claim_a_winner(run_quick):
    summary = run_quick("init", steps=5, layers=2, width=4, points=64)[-1].summary
    assert "has not pulled ahead" in summary and "only He" not in summary


def test_matched_scaling_follows_the_activation():
    assert matched_std("relu", 64, 64) == pytest.approx(math.sqrt(2 / 64))
    assert matched_std("tanh", 64, 64) == pytest.approx(5 / 3 * math.sqrt(2 / 128))


def test_every_scheme_draws_the_same_weights_at_its_own_scale():
    config = InitConfig(layers=3, width=16)
    small, large = build(config, "small"), build(config, "large")
    assert torch.allclose(small[1].weight * 100, large[1].weight)
    assert not any(p.detach().any() for p in build(config, "zeros").parameters())


def test_a_zero_start_makes_every_unit_compute_the_same_thing():
    config = InitConfig(layers=4, width=16, activation="tanh")
    x = torch.randn(32, 2)
    hidden: list = []
    forward(build(config, "zeros"), x, "tanh", hidden)
    assert all(bool((h == h[:, :1]).all()) for h in hidden)
    stds, saturated = layer_stats(build(config, "matched"), x, "tanh")
    assert len(stds) == len(saturated) == 4 and all(s > 0.1 for s in stds)
