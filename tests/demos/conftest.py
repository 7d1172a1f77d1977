"""Shared helpers for demo tests: run a demo to the end in reduced settings and inspect its events.

Use the fixtures in any test under tests/demos/:

    def test_something(run_quick):
        events = run_quick("cnn", epochs=3)          # demo.quick, then these overrides
        result = events[-1]                          # always a Result (an Error fails the test)

    def test_other(run_events):
        events = run_events("cnn", {"epochs": "2"}, lang="zh")   # any terminal event, no overrides
"""
from __future__ import annotations

import pytest

import demo_runs


@pytest.fixture
def run_quick():
    """run_quick(demo_id, *, lang="en", device="cpu", **overrides) -> list[Event].

    Runs in this process with fast=True on demo.quick updated by the overrides; the list
    ends with the Result (an Error fails the test with its traceback).
    """
    return demo_runs.run_quick


@pytest.fixture
def run_events():
    """run_events(demo_id, options=None, *, device="cpu", lang="en", fast=True, in_process=True,
    timeout=120) -> list[Event], ending with whichever terminal event the run produced."""
    return demo_runs.run_events
