"""The demo contract: options parsed and checked, the context's pacing, the registry."""
from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from demos.core import (Cancelled, Demo, DemoContext, Text, all_demos, check_cancelled, get_demo, option,
                        option_specs, parse_options)
from demos.errors import DemoError


@dataclass(frozen=True)
class Config:
    count: int = option(3, low=1, high=10, help="how many")
    rate: float = option(0.5, low=0.0, high=1.0, help="how fast")
    mode: str = option("a", choices=("a", "b"), help="which")
    loud: bool = option(False, help="whether")


def test_options_from_a_command_line_are_converted_to_their_types():
    cfg = parse_options(Config, {"count": "7", "--rate": "0.25", "mode": "b", "loud": "yes"})
    assert cfg == Config(count=7, rate=0.25, mode="b", loud=True)


def test_missing_options_take_their_defaults():
    assert parse_options(Config, {}) == Config()


@pytest.mark.parametrize("raw, message", [
    ({"count": "seven"}, "--count must be an int, got 'seven'"),
    ({"count": 2.5}, "--count must be an int"),
    ({"count": 11}, "--count must be between 1 and 10, got 11"),
    ({"rate": "nan"}, "--rate must be between 0.0 and 1.0"),
    ({"mode": "c"}, "--mode must be one of a, b, got 'c'"),
    ({"loud": "maybe"}, "--loud must be a bool"),
    ({"speed": 1}, "unknown option --speed (options: --count, --rate, --mode, --loud)"),
])
def test_a_bad_option_is_a_user_error_naming_the_option(raw, message):
    with pytest.raises(DemoError) as err:
        parse_options(Config, raw)
    assert message in str(err.value)


def test_option_specs_describe_type_bounds_and_default():
    specs = {s.name: s for s in option_specs(Config)}
    assert specs["count"].describe() == "--count int (1..10), default 3: how many"
    assert specs["mode"].describe() == "--mode str (a|b), default a: which"


def test_pause_sleeps_at_pace_unless_fast_and_wakes_when_cancelled():
    flag = {"stop": False}
    ctx = DemoContext("cpu", lambda e: None, lambda: flag["stop"], pace=0.5)
    started = time.monotonic()
    ctx.pause(0.2)
    assert time.monotonic() - started >= 0.08  # it did wait (0.2 s at pace 0.5)
    fast = DemoContext("cpu", lambda e: None, lambda: False, fast=True)
    started = time.monotonic()
    fast.pause(10)
    assert time.monotonic() - started < 5  # did not wait the 10 s
    flag["stop"] = True
    started = time.monotonic()
    ctx.pause(10)
    assert time.monotonic() - started < 5  # woke at the stop, not after 10 s
    with pytest.raises(Cancelled):
        check_cancelled(ctx)


def test_say_and_pick_follow_the_runs_language():
    said = []
    ctx = DemoContext("cpu", said.append, lambda: False, lang="zh")
    ctx.say("hello", "你好")
    assert said == [Text("你好")] and ctx.pick("a", "乙") == "乙"


def test_every_built_in_demo_is_complete():
    demos = all_demos()
    assert {"coordinates", "cnn"} <= {d.id for d in demos}
    for demo in demos:
        assert isinstance(demo, Demo)
        assert demo.title.get("en") and demo.title.get("zh"), demo.id
        assert demo.description.get("en") and demo.description.get("zh"), demo.id
        assert demo.keywords.get("en") and demo.keywords.get("zh"), demo.id
        parse_options(demo.config, demo.quick)  # the reduced run's options are valid
        for spec in demo.options():
            assert spec.help, f"{demo.id} --{spec.name} has no help"


def test_an_unknown_demo_names_the_known_ones():
    with pytest.raises(DemoError, match=r"unknown demo 'nope' \(demos: .*cnn.*coordinates"):
        get_demo("nope")
