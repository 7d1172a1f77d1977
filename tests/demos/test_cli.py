"""`msb demo` on the command line: list, help, a JSON result, and clear refusals with exit code 2."""
from __future__ import annotations

import json

import pytest

from dialog.terminal.demo_cmd import demo_main
from demos.core import all_demos


def test_list_names_every_demo_with_both_descriptions(capsys):
    assert demo_main(["--list"]) == 0
    out = capsys.readouterr().out
    for demo in all_demos():
        assert demo.id in out
        assert demo.description["en"] in out and demo.description["zh"] in out


def test_help_of_a_demo_shows_each_option_with_its_range(capsys):
    assert demo_main(["cnn", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--epochs int (1..100), default 12" in out
    assert "--device auto|cpu|cuda|mps" in out


def test_json_prints_one_object_with_named_metrics(capsys):
    assert demo_main(["cnn", "--json", "--fast", "--epochs", "2", "--device", "cpu"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["demo"] == "cnn" and result["device"] == "cpu"
    assert 0.5 < result["metrics"]["test_accuracy"] <= 1.0
    assert result["summary"]


@pytest.mark.parametrize("argv, message", [
    (["nope"], "unknown demo 'nope'"),
    (["cnn", "--epochs", "0"], "--epochs must be between 1 and 100"),
    (["cnn", "--epochs", "many"], "--epochs must be an int"),
    (["cnn", "--wings", "2"], "unknown option --wings"),
    (["cnn", "--device", "tpu"], "unknown device 'tpu'"),
    (["cnn", "--lang", "fr"], "fr"),
    (["cnn", "coordinates"], "one demo at a time"),
    ([], "which demo?"),
])
def test_bad_command_lines_exit_2_with_a_message_naming_the_problem(capsys, argv, message):
    assert demo_main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_an_unavailable_device_is_refused_not_replaced(monkeypatch, capsys):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert demo_main(["cnn", "--device", "cuda"]) == 2
    assert "device 'cuda' is not available" in capsys.readouterr().err
