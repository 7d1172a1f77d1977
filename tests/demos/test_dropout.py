"""The dropout demo: the same network memorises noisy labels without dropout and generalises with it."""
from __future__ import annotations

import pytest
import torch

from demos.core import Plot, Progress, Result, Text
from demos.data import noisy_moons
from demos.library.dropout import build

_RUNS: dict[str, list] = {}


@pytest.fixture
def quick_events(run_quick):
    """One reduced English run shared by the tests that only read it (it takes a couple of seconds)."""
    if "en" not in _RUNS:
        _RUNS["en"] = run_quick("dropout")
    return _RUNS["en"]


def test_dropout_narrows_the_train_test_gap_without_costing_test_accuracy(quick_events):
    m = quick_events[-1].metrics
    assert m["train_accuracy_plain"] >= 0.85, "the plain network memorises most of its noisy training set"
    assert m["gap_plain"] >= 0.1
    assert m["gap_dropout"] < m["gap_plain"] - 0.08
    assert m["test_accuracy_dropout"] >= m["test_accuracy_plain"] - 0.02


def test_the_result_names_both_networks_accuracies_and_gaps(quick_events):
    m = quick_events[-1].metrics
    for name in ("plain", "dropout"):
        assert m[f"gap_{name}"] == pytest.approx(m[f"train_accuracy_{name}"] - m[f"test_accuracy_{name}"])
    assert m["training_points"] == 150 and 0 < m["wrong_labels"] < 150 * 0.3
    assert m["steps"] == 300 and m["device"] == "cpu"


def test_the_run_shows_the_noisy_data_then_live_accuracy_curves(quick_events):
    plots = [e for e in quick_events if isinstance(e, Plot)]
    data, curves = plots[0], plots[1:]
    assert data.name == "data" and data.kind == "scatter"
    assert sum(len(s.x) for s in data.series) == 150 and data.series[-1].color == "red"
    assert {p.name for p in curves} == {"accuracy"} and len(curves) >= 20
    assert [len(s.x) for s in curves[-1].series] == [len(curves)] * 4
    assert curves[-1].series[0].x[-1] == 300.0
    progress = [e for e in quick_events if isinstance(e, Progress)]
    assert progress[-1].step == progress[-1].total == 300
    assert set(progress[-1].metrics) == {"gap_plain", "gap_dropout"}
    assert isinstance(quick_events[0], Text) and isinstance(quick_events[-1], Result)
    assert "memorised the noise" in quick_events[-1].summary


def test_a_chinese_run_speaks_chinese(run_quick):
    events = run_quick("dropout", lang="zh", steps=20)
    assert "dropout" in events[-1].summary and "差距" in events[-1].summary
    assert any(isinstance(e, Text) and "训练集" in e.text for e in events)


def test_with_nothing_to_memorise_the_summary_says_the_gaps_came_out_close(run_quick):
    result = run_quick("dropout", flip=0.0, points=800, steps=40)[-1]
    assert abs(result.metrics["gap_plain"]) < 0.05
    assert "gaps came out close" in result.summary


def test_both_networks_start_from_the_same_weights():
    torch.manual_seed(3)
    plain = [p.detach().clone() for p in build(32, 0.0).parameters()]
    torch.manual_seed(3)
    dropped = build(32, 0.5)
    assert any(isinstance(m, torch.nn.Dropout) for m in dropped)
    assert all(torch.equal(a, b) for a, b in zip(plain, dropped.parameters(), strict=True))


def test_noisy_moons_swap_about_the_requested_fraction_of_labels():
    points, labels, swapped = noisy_moons(4000, 0.2, torch.Generator().manual_seed(0))
    assert points.shape == (4000, 2) and set(labels.tolist()) == {0, 1}
    assert 0.17 < swapped.float().mean().item() < 0.23
    again = noisy_moons(4000, 0.2, torch.Generator().manual_seed(0))
    assert torch.equal(points, again[0]) and torch.equal(labels, again[1])
