"""The residual demo: same depth, same starting weights, same batches; only the skips differ."""
from __future__ import annotations

import pytest

from demos.core import Plot, Progress, Result
from demos.errors import DemoError


def test_the_residual_stack_trains_where_the_plain_one_stalls(run_quick):
    m = run_quick("resnet")[-1].metrics
    assert m["final_loss_residual"] < 0.5 * m["final_loss_plain"]
    assert m["accuracy_residual"] >= 0.9
    assert m["accuracy_plain"] <= 0.75  # the plain stack is still near a coin flip on the spirals


def test_the_first_layer_of_the_plain_stack_gets_a_far_smaller_gradient(run_quick):
    m = run_quick("resnet")[-1].metrics
    assert m["first_layer_grad_plain"] * 10 < m["first_layer_grad_residual"]


def test_the_loss_plot_follows_both_stacks_and_progress_counts_the_steps(run_quick):
    events = run_quick("resnet", steps=60)
    plots = [e for e in events if isinstance(e, Plot)]
    assert plots and {s.label for s in plots[-1].series} == {"plain", "residual"}
    steps = [e.step for e in events if isinstance(e, Progress)]
    assert steps == sorted(steps) and steps[-1] == 60


def test_the_summary_speaks_the_runs_language(run_quick):
    result = run_quick("resnet", steps=30, lang="zh")[-1]
    assert isinstance(result, Result) and "残差" in result.summary


def test_a_shallow_stack_is_refused_below_two_layers(run_events):
    with pytest.raises(DemoError, match="--depth must be between 2 and 60"):
        run_events("resnet", {"depth": "1"})
