"""The runner: validation up front, the event stream's shape, cancellation, failures contained."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

import pytest

from demos.core import (REGISTRY, Demo, Error, Progress, Result, Stopped, check_cancelled, option,
                        register)
from demos.runner import start_demo
from demos.errors import DemoError

from demo_runs import check_stream, collect


@dataclass(frozen=True)
class FakeConfig:
    steps: int = option(3, low=1, high=100_000, help="how many progress events")
    rate: float = option(0.5, low=0.0, high=1.0, help="a bounded number")


def run_counting(cfg: FakeConfig, ctx) -> None:
    for step in range(cfg.steps):
        check_cancelled(ctx)
        ctx.emit(Progress(step + 1, cfg.steps, {"loss": 1.0 / (step + 1)}))
        time.sleep(0.01)
    ctx.emit(Result({"steps": cfg.steps, "device": ctx.device}, "done"))


def run_stubborn(cfg: FakeConfig, ctx) -> None:
    # says it started, then never looks at cancellation or emits again: only a kill (or
    # abandoning it) stops this
    ctx.emit(Progress(0, 1))
    end = time.monotonic() + 30
    while time.monotonic() < end:
        time.sleep(0.01)


def run_raising(cfg: FakeConfig, ctx) -> None:
    ctx.emit(Progress(1, 2))
    raise ValueError("the weights went missing")


def run_out_of_memory(cfg: FakeConfig, ctx) -> None:
    raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")


def run_dying(cfg: FakeConfig, ctx) -> None:
    ctx.emit(Progress(1, 2))
    time.sleep(0.2)  # let the event leave before the process vanishes
    os._exit(3)


def run_without_result(cfg: FakeConfig, ctx) -> None:
    ctx.emit(Progress(1, 1))


def run_raising_after_result(cfg: FakeConfig, ctx) -> None:
    ctx.emit(Result({"x": 1}, "done"))
    raise RuntimeError("too late to matter")


FAKES = {
    "test-counting": run_counting, "test-stubborn": run_stubborn, "test-raising": run_raising,
    "test-oom": run_out_of_memory, "test-dying": run_dying, "test-no-result": run_without_result,
    "test-late-error": run_raising_after_result,
}


@pytest.fixture(autouse=True)
def fake_demos():
    for demo_id, run in FAKES.items():
        register(Demo(demo_id, {"en": demo_id, "zh": demo_id}, {"en": "fake", "zh": "fake"}, FakeConfig, run))
    yield
    for demo_id in FAKES:
        REGISTRY.pop(demo_id, None)


def run_all(demo_id, options=None, *, in_process=True, timeout=60.0):
    handle = start_demo(demo_id, options or {}, device="cpu", fast=True, in_process=in_process)
    events = collect(handle, timeout)
    check_stream(events)
    return events


@pytest.mark.parametrize("in_process", [True, False], ids=["thread", "process"])
def test_a_finished_run_streams_progress_then_exactly_one_result(in_process):
    events = run_all("test-counting", {"steps": "4"}, in_process=in_process)
    assert [type(e) for e in events] == [Progress] * 4 + [Result]
    assert [e.step for e in events[:-1]] == [1, 2, 3, 4]
    assert events[-1].metrics == {"steps": 4, "device": "cpu"}


def test_options_are_validated_before_the_run_starts():
    with pytest.raises(DemoError, match="--steps must be an int"):
        start_demo("test-counting", {"steps": "many"}, in_process=True)
    with pytest.raises(DemoError, match=r"--rate must be between 0.0 and 1.0"):
        start_demo("test-counting", {"rate": 2}, in_process=True)
    with pytest.raises(DemoError, match="unknown option --speed"):
        start_demo("test-counting", {"speed": 1}, in_process=True)


def test_unknown_demo_language_and_pace_are_user_errors():
    with pytest.raises(DemoError, match="unknown demo 'nope'"):
        start_demo("nope", {})
    with pytest.raises(DemoError, match="unknown language"):
        start_demo("test-counting", {}, lang="fr", in_process=True)
    with pytest.raises(DemoError, match="--pace"):
        start_demo("test-counting", {}, pace=-1, in_process=True)


@pytest.mark.parametrize("in_process", [True, False], ids=["thread", "process"])
def test_cancel_stops_a_long_run(in_process):
    handle = start_demo("test-counting", {"steps": 100_000}, device="cpu", fast=True, in_process=in_process)
    first = handle.events(timeout=30)  # the worker process needs a moment to start
    assert first and isinstance(first[0], Progress)
    handle.cancel()
    events = collect(handle, timeout=20)  # the run would take far longer than this if the stop failed
    assert isinstance(events[-1], Stopped)
    check_stream(first + events)


@pytest.mark.parametrize("in_process", [True, False], ids=["thread", "process"])
def test_a_demo_that_ignores_cancellation_is_still_stopped(in_process):
    handle = start_demo("test-stubborn", {}, device="cpu", fast=True, in_process=in_process)
    assert handle.events(timeout=30) == [Progress(0, 1)]
    handle.cancel()
    events = collect(handle, timeout=20)  # the run would take far longer than this if the stop failed
    assert events == [Stopped()]
    if not in_process:
        assert gone_within(handle.pid, seconds=10)


def gone_within(pid: int, seconds: float) -> bool:
    """The process no longer exists (killed and reaped). Asked of the OS rather than with
    Process.join/is_alive: the runner's reader thread reaps the worker, and two threads waiting
    on one child race (the loser's waitpid fails and it reports the child as alive)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("in_process", [True, False], ids=["thread", "process"])
def test_an_exception_in_the_demo_becomes_an_error_event(in_process):
    events = run_all("test-raising", in_process=in_process)
    assert isinstance(events[0], Progress)
    error = events[-1]
    assert isinstance(error, Error)
    assert "test-raising demo failed: ValueError: the weights went missing" in error.message
    assert "Traceback" in error.detail and "run_raising" in error.detail


def test_out_of_memory_is_reported_as_such():
    error = run_all("test-oom")[-1]
    assert isinstance(error, Error) and "ran out of memory on cpu" in error.message


def test_a_worker_that_dies_without_a_result_becomes_an_error():
    events = run_all("test-dying", in_process=False)
    assert isinstance(events[0], Progress)
    assert isinstance(events[-1], Error)
    assert "exited with code 3" in events[-1].message


def test_a_demo_that_returns_without_a_result_is_an_error():
    events = run_all("test-no-result")
    assert isinstance(events[-1], Error) and "without a result" in events[-1].message


def test_an_exception_after_the_result_does_not_add_a_second_terminal_event():
    events = run_all("test-late-error")
    assert events == [Result({"x": 1}, "done")]


def test_join_waits_for_the_end_and_done_needs_the_events_drained():
    handle = start_demo("test-counting", {"steps": 2}, device="cpu", fast=True, in_process=True)
    handle.join(timeout=10)
    assert not handle.done  # ended, but nothing was drained yet
    events = handle.events()
    assert isinstance(events[-1], Result) and handle.done


def test_a_worker_can_choose_the_device_so_the_caller_never_imports_torch():
    """The app's process stays small: the demo's worker picks the device and says which."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from demos.runner import start_demo\n"
        "from demos.core import Result\n"
        "h = start_demo('coordinates', {}, fast=True, resolve_in_worker=True)\n"
        "first = h.device\n"
        "events = []\n"
        "while not any(isinstance(e, Result) for e in events):\n"
        "    events += h.events(timeout=60)\n"
        "print(first, h.device, 'torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert out.returncode == 0, out.stderr[-2000:]
    first, chosen, torch_imported = out.stdout.split()
    assert first == "auto" and chosen in ("cpu", "cuda", "mps") and torch_imported == "False"
