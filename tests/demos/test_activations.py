"""The activations demo: from the same start, ReLU and tanh learn while sigmoid's gradient fades away."""
from __future__ import annotations

import math

import pytest
import torch

from demos.core import Plot, Progress, Result, Text
from demos.library.activations import build, forward


@pytest.fixture(scope="module")
def quick_run() -> list:
    """One reduced run, shared by the tests below (three networks train for a second or two)."""
    from demos.core import get_demo
    from demos.runner import start_demo

    handle = start_demo("activations", get_demo("activations").quick, device="cpu", fast=True, in_process=True)
    events: list = []
    while not handle.done:
        events += handle.events(timeout=0.2)
    assert isinstance(events[-1], Result), events[-1]
    return events


def test_relu_ends_far_below_sigmoid_which_stays_at_a_coin_flip(quick_run):
    m = quick_run[-1].metrics
    assert m["final_loss_sigmoid"] > 0.65, "ln 2 ≈ 0.693: sigmoid has learned nothing"
    assert m["final_loss_relu"] < m["final_loss_sigmoid"] - 0.3
    assert m["final_loss_tanh"] < m["final_loss_sigmoid"] - 0.3
    assert m["accuracy_relu"] >= 0.9 and m["accuracy_sigmoid"] <= 0.65


def test_the_gradient_reaching_sigmoids_first_layer_is_orders_of_magnitude_smaller(quick_run):
    m = quick_run[-1].metrics
    assert m["first_layer_grad_sigmoid"] * 1000 < m["first_layer_grad_relu"]
    assert m["first_layer_grad_sigmoid"] * 1000 < m["first_layer_grad_tanh"]
    assert m["first_layer_grad_relu_over_sigmoid"] == pytest.approx(
        m["first_layer_grad_relu"] / m["first_layer_grad_sigmoid"], rel=0.01)


def test_the_loss_curves_share_one_plot_in_three_colours(quick_run):
    loss_plots = [e for e in quick_run if isinstance(e, Plot) and e.name == "loss"]
    assert len(loss_plots) >= 10, "the curves are redrawn as the networks learn"
    last = loss_plots[-1]
    assert last.kind == "line"
    assert [(s.label, s.color) for s in last.series] == [("sigmoid", "red"), ("tanh", "blue"), ("relu", "green")]
    assert all(len(s.y) == quick_run[-1].metrics["steps"] for s in last.series)
    progress = [e for e in quick_run if isinstance(e, Progress)]
    assert progress[-1].step == progress[-1].total and set(progress[-1].metrics) == {
        "loss_sigmoid", "loss_tanh", "loss_relu"}


def test_the_gradient_plot_shows_sigmoids_signal_fading_towards_the_first_layer(quick_run):
    plot = next(e for e in quick_run if isinstance(e, Plot) and e.name == "gradients")
    sigmoid = next(s for s in plot.series if s.label == "sigmoid")
    assert len(sigmoid.y) == quick_run[-1].metrics["layers"]
    assert sigmoid.y[0] < sigmoid.y[-1] - 3, "log10: over a thousandfold smaller at the first layer"


def test_the_summary_speaks_the_runs_language(run_quick):
    events = run_quick("activations", lang="zh", steps=10, layers=3, points=64)
    assert isinstance(events[0], Text) and "激活函数" in events[0].text
    assert "更快地逼近函数" in events[-1].summary
    english = run_quick("activations", steps=10, layers=3, points=64)[-1]
    assert "approximate the function faster" in english.summary


def test_the_shared_start_is_he_scaled_with_zero_biases():
    torch.manual_seed(0)
    net = build(layers=4, width=256)
    hidden = net[1].weight
    assert hidden.detach().std().item() == pytest.approx(math.sqrt(2 / 256), rel=0.05)
    assert all(not layer.bias.detach().any() for layer in net)
    assert [tuple(layer.weight.shape) for layer in net] == [(256, 2), (256, 256), (256, 256), (256, 256), (2, 256)]


def test_only_the_activation_differs_between_the_three_forward_passes():
    torch.manual_seed(0)
    net = build(layers=3, width=8)
    x = torch.randn(5, 2)
    outputs = {name: forward(net, x, name) for name in ("sigmoid", "tanh", "relu")}
    assert all(o.shape == (5, 2) for o in outputs.values())
    assert not torch.allclose(outputs["sigmoid"], outputs["relu"])
    h = x
    for layer in net[:-1]:
        h = torch.relu(layer(h))
    assert torch.equal(outputs["relu"], net[-1](h))
