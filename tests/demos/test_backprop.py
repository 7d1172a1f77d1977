"""The backprop demo: chain-rule gradients equal finite differences, and following them lowers the loss."""
from __future__ import annotations

import pytest
import torch

from demos.core import Plot, Progress, Result, Text
from demos.library.backprop import (BackpropConfig, agreeing_digits, autograd, backward, finite_differences,
                                    forward, init_params, max_abs_diff)


def test_backprop_gradients_agree_with_finite_differences_and_the_loss_falls(run_quick):
    metrics = run_quick("backprop")[-1].metrics
    assert metrics["max_abs_diff_backprop_vs_fd"] < 1e-4
    assert metrics["max_abs_diff_backprop_vs_fd"] < 1e-8, "float64 central differences agree far tighter"
    assert metrics["agreeing_digits_fd"] >= 8
    assert metrics["max_abs_diff_backprop_vs_autograd"] < 1e-12
    assert metrics["loss_end"] < 0.5 * metrics["loss_start"]
    assert metrics["weights"] == 3 * 4 + 4 + 4 + 1 and metrics["device"] == "cpu"


def test_float32_finite_differences_are_visibly_coarser_than_float64(run_quick):
    metrics = run_quick("backprop")[-1].metrics
    assert metrics["max_abs_diff_fd_float32"] > 100 * metrics["max_abs_diff_backprop_vs_fd"]


def test_the_run_shows_tables_then_a_falling_loss_curve(run_quick):
    events = run_quick("backprop", steps=12)
    tables = [e.text for e in events if isinstance(e, Text) and e.text.startswith("|")]
    assert len(tables) == 2
    assert "tanh(z)" in tables[0] and "finite difference" in tables[1]
    plots = [e for e in events if isinstance(e, Plot)]
    assert plots and {p.name for p in plots} == {"descent"} and plots[-1].kind == "line"
    losses = plots[-1].series[0].y
    assert len(losses) == 13 and all(b < a for a, b in zip(losses, losses[1:])), "every step lowers the loss"
    assert [p.step for p in events if isinstance(p, Progress)][:2] == [1, 2]


def test_a_chinese_run_speaks_chinese(run_quick):
    events = run_quick("backprop", lang="zh")
    assert isinstance(events[-1], Result) and "链式法则" in events[-1].summary
    assert any(isinstance(e, Text) and "有限差分" in e.text for e in events)


@pytest.mark.parametrize("inputs, hidden, seed", [(1, 1, 0), (5, 7, 3), (16, 2, 11)])
def test_hand_written_backprop_matches_autograd_for_any_shape(inputs, hidden, seed):
    params, x, target = init_params(BackpropConfig(inputs=inputs, hidden=hidden, seed=seed))
    by_hand = backward(params, forward(params, x, target), target)
    by_autograd = autograd(params, x, target)
    assert {k: v.shape for k, v in by_hand.items()} == {k: v.shape for k, v in params.items()}
    assert max_abs_diff(by_hand, by_autograd) < 1e-12


def test_finite_differences_leave_the_weights_untouched():
    params, x, target = init_params(BackpropConfig())
    before = {k: v.clone() for k, v in params.items()}
    finite_differences(params, x, target, 1e-6)
    assert all(torch.equal(before[k], params[k]) for k in params)


def test_a_wrong_gradient_is_caught_by_the_check():
    params, x, target = init_params(BackpropConfig())
    by_hand = backward(params, forward(params, x, target), target)
    broken = dict(by_hand, b1=by_hand["b1"] * 1.01)  # a 1 % slip in one layer's gradient
    by_nudging = finite_differences(params, x, target, 1e-6)
    assert agreeing_digits(by_hand, by_nudging) >= 8
    assert agreeing_digits(broken, by_nudging) <= 3
