"""Demo workers in a long session: each finished worker is joined and closed with its pipes, so descriptors
stay flat however many demos run; its log lives under the cache dir and is gone once the run is over —
after a crash, and after the app itself is killed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import worker_demos
from demos import logs, runner
from demos.core import Error, Result
from demos.process_run import ProcessRun

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


@pytest.fixture
def log_dir(tmp_path):
    logs.use_log_dir(tmp_path / "demo-logs")
    yield tmp_path / "demo-logs"
    logs.use_log_dir(None)


def start(request) -> ProcessRun:
    """A worker run on the cpu, named rather than looked for: looking imports torch, and torch beside the
    search model's engine in one process slows its queries twentyfold."""
    return runner.start(request, device="cpu", lang="en", fast=True, pace=0.0)


def run_to_end(run) -> list:
    handle = start(worker_demos.request(run))
    events = []
    while not handle.done:
        events += handle.events(timeout=0.1)
    handle.join(5)
    return handle, events


def open_pipes() -> int:
    """Pipes this process holds open (what a worker's events and its end are told through)."""
    out = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            out += os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:")
        except OSError:
            pass
    return out


@pytest.mark.slow
def test_descriptors_stay_flat_over_many_demos(log_dir):
    kept = [run_to_end(worker_demos.quick)[0]]  # the app keeps its finished runs (their panels show them)
    before = open_pipes()
    for _ in range(6):
        handle, events = run_to_end(worker_demos.quick)
        kept.append(handle)
        assert isinstance(events[-1], Result)
    assert open_pipes() <= before  # (a run of another test may end meanwhile and close its own)


def test_a_finished_or_crashed_worker_leaves_no_log(log_dir):
    _, events = run_to_end(worker_demos.quick)
    assert isinstance(events[-1], Result)
    _, events = run_to_end(worker_demos.dying)
    assert isinstance(events[-1], Error) and "about to crash" in events[-1].detail  # its log told why
    assert list(log_dir.glob("*")) == []


KILLED = """
import os, signal, sys
sys.path.insert(0, {here!r})
import worker_demos
from demos import logs, runner
from demos.runner import start
from pathlib import Path
logs.use_log_dir(Path({logs!r}))
handle = start(worker_demos.request(worker_demos.endless), device="cpu", lang="en", fast=True, pace=0.0)
while not handle.events(timeout=0.1):
    pass
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_an_app_killed_mid_demo_leaves_no_log(log_dir):
    code = KILLED.format(here=str(HERE), logs=str(log_dir))
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60)
    assert p.returncode == -9
    assert list(log_dir.glob("*.log")) == []


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_an_app_killed_mid_demo_says_nothing_on_its_way_out(log_dir, how):
    """Not even multiprocessing's resource tracker, which outlives the app by a moment ("leaked semaphore")."""
    code = KILLED.format(here=str(HERE), logs=str(log_dir)).replace("signal.SIGKILL", f"signal.{how}")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60, capture_output=True, text=True)
    assert p.returncode == -getattr(signal, how)
    assert p.stderr == ""  # read to its end: the tracker, had it kept this stderr, would have spoken into it


def test_a_log_an_app_left_before_its_worker_opened_it_is_removed(log_dir):
    log_dir.mkdir(parents=True)
    orphan = log_dir / f"{logs.PREFIX}999999999-abc.log"  # an app that is gone
    orphan.write_text("")
    mine = log_dir / f"{logs.PREFIX}{os.getpid()}-abc.log"
    mine.write_text("")
    run_to_end(worker_demos.quick)
    assert not orphan.exists() and mine.exists()
