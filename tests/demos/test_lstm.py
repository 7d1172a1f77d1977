"""The lstm demo: an LSTM remembers the first symbol across a long sequence where a plain RNN cannot."""
from __future__ import annotations

import math

import pytest
import torch

from demos.core import Plot, Progress, Result, Text
from demos.data import make_batch
from demos.library.lstm import LstmConfig, build


def test_at_the_longest_length_the_lstm_remembers_and_the_rnn_does_not(run_quick):
    m = run_quick("lstm")[-1].metrics  # lengths 5 and 40
    assert m["accuracy_rnn_5"] >= 0.95 and m["accuracy_lstm_5"] >= 0.95, "a short gap is easy for both"
    assert m["longest_length"] == 40
    assert m["accuracy_lstm_40"] >= m["accuracy_rnn_40"] + 0.3
    assert m["accuracy_lstm_40"] >= 0.7 and m["accuracy_rnn_40"] < 0.5
    assert m["accuracy_rnn_longest"] == m["accuracy_rnn_40"] and m["chance_accuracy"] == 1 / 8


def test_each_length_gets_a_live_loss_plot_and_the_end_plots_accuracy_against_length(run_quick):
    events = run_quick("lstm", lengths="3,6", steps=20)
    plots = [e for e in events if isinstance(e, Plot)]
    assert {p.name for p in plots[:-1]} == {"loss"} and len(plots) - 1 == 2 * 20
    assert [s.label for s in plots[0].series] == ["RNN", "LSTM"]
    final = plots[-1]
    assert final.name == "accuracy" and final.kind == "line"
    assert [s.x for s in final.series] == [(3.0, 6.0)] * 2
    (start, end, _), = final.lines
    assert start[1] == end[1] == pytest.approx(1 / 8), "a line marks the guessing rate"
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[-1].step == progress[-1].total == 40
    assert isinstance(events[-1], Result) and set(events[-1].metrics) >= {
        "accuracy_rnn_3", "accuracy_lstm_3", "accuracy_rnn_6", "accuracy_lstm_6", "seconds", "device"}


def test_a_chinese_run_speaks_chinese(run_quick):
    events = run_quick("lstm", lang="zh", lengths="4", steps=10)
    assert "长度 4" in events[-1].summary
    assert any(isinstance(e, Text) and "第一个" in e.text for e in events)


def test_a_batch_flags_the_first_position_and_labels_it_with_the_first_symbol():
    x, y = make_batch(16, 7, 5, torch.Generator().manual_seed(0))
    assert x.shape == (16, 7, 6) and y.shape == (16,)
    assert torch.equal(x[:, :, :5].sum(2), torch.ones(16, 7)), "one symbol per position"
    assert torch.equal(x[:, :, 5], torch.tensor([1.0] + [0.0] * 6).expand(16, 7))
    assert torch.equal(x[:, 0, :5].argmax(1), y)


def test_open_gates_start_the_lstm_remembering_and_default_gates_do_not():
    hidden, length = 16, 50
    bias = build("lstm", 8, hidden, length, open_gates=True).core.bias_hh_l0.detach()
    forget, inp = bias[hidden:2 * hidden], bias[:hidden]
    assert (forget >= 0).all() and forget.max() <= math.log(length - 1) and forget.mean() > 1.5
    assert torch.equal(inp, -forget)
    plain = build("lstm", 8, hidden, length, open_gates=False).core.bias_hh_l0.detach()
    assert plain[hidden:2 * hidden].abs().max() <= hidden ** -0.5


def test_both_readers_answer_with_one_score_per_symbol():
    x, _ = make_batch(4, 9, 8, torch.Generator().manual_seed(1))
    for kind in ("rnn", "lstm"):
        assert build(kind, 8, 12, 9, open_gates=True)(x).shape == (4, 8)


@pytest.mark.parametrize("lengths", ["", "5,x", "1", "5,20,500", "1,2,3,4,5,6,7,8,9"])
def test_a_bad_list_of_lengths_is_refused_before_anything_runs(run_events, lengths):
    from demos.errors import DemoError

    with pytest.raises(DemoError, match="--lengths must be"):
        run_events("lstm", {"lengths": lengths})


def test_lengths_are_read_sorted_and_without_repeats():
    assert LstmConfig(lengths="50, 5,20,5").sequence_lengths() == (5, 20, 50)
