"""The depth demo: layer after layer the spirals untangle, until a straight line separates them."""
from __future__ import annotations

import pytest
import torch

from demos.core import Plot, Progress, Result, Text
from demos.data import spirals
from demos.library.depth import build, linear_probe, representations


@pytest.fixture(scope="module")
def zh_run() -> list:
    """One reduced run narrated in Chinese, shared by the tests below (training takes a second or two)."""
    from demos.core import get_demo
    from demos.runner import start_demo

    handle = start_demo("depth", get_demo("depth").quick, device="cpu", lang="zh", fast=True, in_process=True)
    events: list = []
    while not handle.done:
        events += handle.events(timeout=0.2)
    assert isinstance(events[-1], Result), events[-1]
    return events


def test_the_last_layer_is_separated_by_a_line_where_the_input_is_not(zh_run):
    m = zh_run[-1].metrics
    layers = m["layers"]
    assert m[f"linear_accuracy_layer_{layers}"] >= 0.97
    assert m["linear_accuracy_input"] <= 0.75, "no straight line separates two interleaved spirals"
    assert m[f"linear_accuracy_layer_{layers}"] >= m["linear_accuracy_input"] + 0.25
    assert m["linear_accuracy_layer_1"] <= 0.8, "one layer alone has not untangled them"
    assert m["network_accuracy"] >= 0.97


def test_the_result_names_a_linear_accuracy_for_the_input_and_every_layer(zh_run):
    m = zh_run[-1].metrics
    expected = {"linear_accuracy_input"} | {f"linear_accuracy_layer_{k}" for k in range(1, m["layers"] + 1)}
    assert expected <= set(m)
    assert {"network_accuracy", "final_loss", "train_seconds", "seconds", "device"} <= set(m)
    assert m["device"] == "cpu" and m["train_seconds"] > 0


def test_each_layer_is_drawn_as_two_coloured_classes_with_its_best_line(zh_run):
    layer_plots = [e for e in zh_run if isinstance(e, Plot) and e.name.startswith("layer_")]
    layers = zh_run[-1].metrics["layers"]
    assert [p.name for p in layer_plots] == [f"layer_{k}" for k in range(layers + 1)]
    for plot in layer_plots:
        assert plot.kind == "scatter"
        a, b = plot.series
        assert (a.color, b.color) == ("blue", "green")
        assert len(a.x) + len(b.x) == 600
    last = layer_plots[-1]
    assert last.lines, "the separating line is drawn where it exists"
    (x0, _), (x1, _), _ = last.lines[0]
    a, b = last.series
    assert x0 == x1, "seen from the line's angle, the line is vertical"
    assert max(a.x) < x0 < min(b.x) or max(b.x) < x0 < min(a.x)


def test_the_run_plots_the_loss_then_the_accuracy_by_layer(zh_run):
    plots = [e for e in zh_run if isinstance(e, Plot)]
    assert plots[0].name == "loss" and plots[0].kind == "line"
    by_layer = plots[-1]
    assert by_layer.name == "by_layer" and len(by_layer.series[0].y) == zh_run[-1].metrics["layers"] + 1
    training = [e for e in zh_run if isinstance(e, Progress) and e.stage == "训练中"]
    assert training[-1].step == training[-1].total == 400


def test_the_chinese_run_narrates_and_sums_up_in_chinese(zh_run):
    assert isinstance(zh_run[0], Text) and "螺旋线" in zh_run[0].text
    assert "连续的多层表示" in zh_run[-1].summary


def test_a_run_too_short_to_untangle_says_so_and_still_names_successive_layers(run_quick):
    result = run_quick("depth", layers=2, steps=30)[-1]
    assert result.metrics["linear_accuracy_layer_2"] < 0.97
    assert "--steps" in result.summary
    assert "successive layers of representations" in result.summary


def test_the_probe_finds_a_perfect_line_when_one_exists_and_puts_it_between_the_classes():
    gen = torch.Generator().manual_seed(0)
    features = torch.randn(200, 5, generator=gen)
    labels = (features[:, 0] - 0.5 * features[:, 3] > 0.2).long()
    accuracy, u, v, threshold = linear_probe(features, labels)
    assert accuracy == 1.0 and u.shape == v.shape == (200,)
    assert bool(((u > threshold).long() == labels).all())


def test_no_line_separates_the_raw_spirals():
    x, y = spirals(600, 1.5, torch.Generator().manual_seed(0))
    accuracy, *_ = linear_probe(x, y)
    assert accuracy < 0.75
    assert 250 < int(y.sum()) < 350, "the two spirals are about equally full"
    assert torch.equal(x, spirals(600, 1.5, torch.Generator().manual_seed(0))[0])


def test_representations_start_with_the_input_and_keep_the_layer_width():
    stack = build(layers=3, width=5)
    reps = representations(stack, torch.zeros(7, 2))
    assert [tuple(r.shape) for r in reps] == [(7, 2), (7, 5), (7, 5), (7, 5)]
