"""The coordinates demo: no line in (x, y), a perfect line in (r, θ), a network that learns its own."""
from __future__ import annotations

import pytest
import torch

from demos.core import Plot, Progress, Result, Text
from demos.data import make_rings
from demos.library.coordinates import best_line, segment_in_box


def test_a_reduced_run_shows_the_three_accuracies_the_lesson_needs(run_quick):
    events = run_quick("coordinates")
    metrics = events[-1].metrics
    assert metrics["linear_accuracy_xy"] <= 0.75
    assert metrics["linear_accuracy_polar"] == 1.0
    assert metrics["learned_accuracy"] >= 0.99
    assert metrics["steps_to_99"] is not None and metrics["train_seconds"] > 0
    assert metrics["device"] == "cpu"
    assert "automatic search for better representations" in events[-1].summary


def test_the_event_stream_shows_data_then_polar_then_the_learning_network(run_quick):
    events = run_quick("coordinates")
    plots = [e for e in events if isinstance(e, Plot)]
    names = [p.name for p in plots]
    assert names[:2] == ["xy", "polar"] and set(names[2:]) == {"hidden"}
    assert len(names) >= 4, "the hidden space is redrawn as the network learns"
    for plot in plots:
        inner, outer = plot.series
        assert (inner.color, outer.color) == ("blue", "green")
        assert len(inner.x) + len(outer.x) == 200
        assert plot.lines, f"{plot.name} draws its separating line"
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[-1].step == progress[-1].total == 80
    assert isinstance(events[0], Text) and isinstance(events[-1], Result)


def test_the_summary_speaks_the_runs_language(run_quick):
    result = run_quick("coordinates", lang="zh")[-1]
    assert "自动地搜索更好的表示" in result.summary


def test_networks_only_two_units_wide_cannot_separate_the_rings(run_quick):
    result = run_quick("coordinates", hidden=2)[-1]
    assert result.metrics["learned_accuracy"] < 0.99
    assert result.metrics["steps_to_99"] is None
    assert "third dimension" in result.summary


def test_rings_are_balanced_and_apart_in_radius():
    xy, polar, labels = make_rings(400, 0.1, seed=3)
    assert xy.shape == (400, 2) and int(labels.sum()) == 200
    radius = xy.norm(dim=1)
    assert torch.allclose(radius, polar[:, 0])
    assert radius[labels == 0].max() < radius[labels == 1].min()


def test_the_best_line_in_polar_coordinates_is_close_to_r_equals_c():
    _, polar, labels = make_rings(400, 0.1, seed=0)
    accuracy, (a, b, c) = best_line(polar, labels)
    assert accuracy == 1.0
    assert abs(b) < 0.2 * abs(a), "the angle hardly matters"
    assert 1.0 < -c / a < 1.6, "the threshold on r lies in the gap between the rings"


@pytest.mark.parametrize("line, expected", [
    ((1.0, 0.0, -0.5), ((0.5, -1.0), (0.5, 1.0))),  # x = 0.5
    ((0.0, 1.0, 0.0), ((-1.0, 0.0), (1.0, 0.0))),  # y = 0
    ((1.0, -1.0, 0.0), ((-1.0, -1.0), (1.0, 1.0))),  # the diagonal
    ((1.0, 0.0, -5.0), None),  # x = 5 misses the box
])
def test_a_line_is_clipped_to_the_plot(line, expected):
    segment = segment_in_box(line, (-1.0, 1.0), (-1.0, 1.0))
    if expected is None:
        assert segment is None
    else:
        for got, want in zip(segment, expected):
            assert got == pytest.approx(want)


def test_bad_options_are_refused_before_training(run_events):
    from demos.errors import DemoError

    with pytest.raises(DemoError, match="--noise must be between 0.0 and 0.3"):
        run_events("coordinates", {"noise": 0.9})
