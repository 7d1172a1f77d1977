"""Running a demo to its end in tests: drain a handle, check the event stream's contract.

A plain module, not conftest: a demo run in a worker process unpickles test functions, and the
worker must import this by a name no other conftest shares."""
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


def run_events(demo_id: str, options: dict[str, Any] | None = None, *, device: str | None = "cpu",
                lang: str = "en", fast: bool = True, in_process: bool = True,
                timeout: float = 120.0) -> list[Event]:
    handle = start_demo(demo_id, dict(options or {}), device=device, lang=lang, fast=fast,
                        in_process=in_process)
    events = collect(handle, timeout)
    check_stream(events)
    return events


def run_quick(demo_id: str, *, lang: str = "en", device: str | None = "cpu", timeout: float = 120.0,
               **overrides: Any) -> list[Event]:
    options = {**get_demo(demo_id).quick, **overrides}
    events = run_events(demo_id, options, device=device, lang=lang, timeout=timeout)
    last = events[-1]
    if isinstance(last, Error):
        pytest.fail(f"demo {demo_id!r} failed: {last.message}\n{last.detail}")
    assert isinstance(last, Result), f"demo {demo_id!r} ended with {last!r}"
    return events
