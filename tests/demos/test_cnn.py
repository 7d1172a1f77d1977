"""The CNN demo: learns the digits, grades on held-out ones, shows a few with its guesses."""
from __future__ import annotations

import pytest
import torch

from demos.core import Images, Plot, Progress, Result
from demos.data import digits_arrays, load_digits_split
from demos.library.cnn import build_network


def test_a_reduced_run_reads_most_held_out_digits(run_quick):
    events = run_quick("cnn")
    metrics = events[-1].metrics
    assert metrics["test_accuracy"] >= 0.9
    assert metrics["epochs"] == 5
    assert metrics["images_per_second"] > 0 and metrics["train_seconds"] > 0
    assert metrics["device"] == "cpu"


def test_each_epoch_reports_progress_and_redraws_the_curves(run_quick):
    events = run_quick("cnn", epochs=3)
    progress = [e for e in events if isinstance(e, Progress)]
    assert [p.step for p in progress] == [1, 2, 3]
    assert set(progress[0].metrics) == {"loss", "train_accuracy", "test_accuracy"}
    curves = [e for e in events if isinstance(e, Plot)]
    assert [len(p.series[0].x) for p in curves] == [1, 2, 3]
    assert {p.name for p in curves} == {"curves"} and curves[0].kind == "line"
    # the loss on its own labelled axis: on the accuracies' 0–100 % it squeezed them into a sliver
    assert [s.axis for s in curves[-1].series] == ["left", "left", "right"]
    assert curves[-1].y2_label == "loss" and curves[-1].y_label == "accuracy"


def test_the_end_shows_held_out_digits_with_predictions(run_quick):
    events = run_quick("cnn", epochs=2, lang="zh")
    images = next(e for e in events if isinstance(e, Images))
    assert len(images.pixels) == len(images.captions) == 8
    assert all(len(img) == 8 and len(img[0]) == 8 for img in images.pixels)
    assert all(0.0 <= v <= 1.0 for img in images.pixels for row in img for v in row)
    assert all(c.startswith("预测 ") and " / 真实 " in c for c in images.captions)
    assert isinstance(events[-1], Result) and "从没见过" in events[-1].summary


def test_the_bundled_csv_reads_the_same_digits_as_scikit_learn():
    from sklearn.datasets import load_digits

    pixels, labels = digits_arrays()
    reference = load_digits()
    assert (pixels == reference.data).all() and (labels == reference.target).all()


def test_the_split_is_seeded_and_holds_out_a_fifth():
    x_train, y_train, x_test, y_test = load_digits_split(seed=0)
    again = load_digits_split(seed=0)
    assert torch.equal(x_test, again[2]) and len(x_test) == 359 and len(x_train) == 1797 - 359
    assert x_train.shape[1:] == (1, 8, 8) and 0.0 <= float(x_train.min()) and float(x_train.max()) <= 1.0
    assert not torch.equal(x_test, load_digits_split(seed=1)[2])


def test_the_network_maps_a_batch_of_digits_to_ten_scores():
    assert build_network()(torch.zeros(4, 1, 8, 8)).shape == (4, 10)


@pytest.mark.parametrize("raw, message", [({"batch": 0}, "--batch must be between 8 and 1024"),
                                          ({"epochs": "x"}, "--epochs must be an int")])
def test_bad_options_name_the_option(run_events, raw, message):
    from demos.errors import DemoError

    with pytest.raises(DemoError, match=message):
        run_events("cnn", raw)
