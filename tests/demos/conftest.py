"""Shared helpers for demo tests: run a demo to the end in reduced settings and inspect its events.

Use the fixtures in any test under tests/demos/:

    def test_something(run_quick):
        events = run_quick("cnn", epochs=3)          # demo.quick, then these overrides
        result = events[-1]                          # always a Result (an Error fails the test)

    def test_other(run_events):
        events = run_events("cnn", {"epochs": "2"}, lang="zh")   # any terminal event, no overrides
"""
from __future__ import annotations

import os
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from demos.core import Error, Event, Result, Stopped, get_demo  # noqa: E402
from demos.runner import start_demo  # noqa: E402

TERMINAL = (Result, Error, Stopped)


def collect(handle, timeout: float = 120.0) -> list[Event]:
    """Drain a handle until its run ended; fails the test if it runs past the timeout."""
    import time

    events: list[Event] = []
    deadline = time.monotonic() + timeout
    while not handle.done:
        if time.monotonic() > deadline:
            handle.cancel()
            pytest.fail(f"demo {handle.demo_id!r} did not finish within {timeout} s")
        events.extend(handle.events(timeout=0.2))
    return events


def check_stream(events: list[Event]) -> None:
    """The contract every run keeps: exactly one terminal event, and it comes last."""
    terminals = [e for e in events if isinstance(e, TERMINAL)]
    assert len(terminals) == 1, f"expected exactly one terminal event, got {terminals}"
    assert events[-1] is terminals[0], "the terminal event must be the last one"


def _run_events(demo_id: str, options: dict[str, Any] | None = None, *, device: str | None = "cpu",
                lang: str = "en", fast: bool = True, in_process: bool = True,
                timeout: float = 120.0) -> list[Event]:
    handle = start_demo(demo_id, dict(options or {}), device=device, lang=lang, fast=fast,
                        in_process=in_process)
    events = collect(handle, timeout)
    check_stream(events)
    return events


def _run_quick(demo_id: str, *, lang: str = "en", device: str | None = "cpu", timeout: float = 120.0,
               **overrides: Any) -> list[Event]:
    options = {**get_demo(demo_id).quick, **overrides}
    events = _run_events(demo_id, options, device=device, lang=lang, timeout=timeout)
    last = events[-1]
    if isinstance(last, Error):
        pytest.fail(f"demo {demo_id!r} failed: {last.message}\n{last.detail}")
    assert isinstance(last, Result), f"demo {demo_id!r} ended with {last!r}"
    return events


@pytest.fixture
def run_quick():
    """run_quick(demo_id, *, lang="en", device="cpu", **overrides) -> list[Event].

    Runs in this process with fast=True on demo.quick updated by the overrides; the list
    ends with the Result (an Error fails the test with its traceback).
    """
    return _run_quick


@pytest.fixture
def run_events():
    """run_events(demo_id, options=None, *, device="cpu", lang="en", fast=True, in_process=True,
    timeout=120) -> list[Event], ending with whichever terminal event the run produced."""
    return _run_events
