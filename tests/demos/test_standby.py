"""A worker kept ready for the next demo: the demo runs in it, the next one is made ready, one that died is
replaced quietly, it costs no CPU while it waits, and nothing of it outlives the program."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from demos import process_run
from demos.core import REGISTRY, Demo, Progress, Result, option, register
from demos.runner import keep_worker_ready, start_demo

from demo_runs import check_stream, collect

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Config:
    steps: int = option(3, low=1, high=100, help="how many progress events")


def run_counting(cfg: Config, ctx) -> None:
    for step in range(cfg.steps):
        ctx.emit(Progress(step + 1, cfg.steps))
    ctx.emit(Result({"pid": os.getpid()}, "done"))


@pytest.fixture(autouse=True)
def counting(monkeypatch):
    register(Demo("test-standby", {"en": "t", "zh": "t"}, {"en": "t", "zh": "t"}, Config, run_counting))
    monkeypatch.setattr(process_run, "STANDBY_AFTER", 0.0)
    yield
    keep_worker_ready(False)
    REGISTRY.pop("test-standby", None)


def waiting_worker(timeout: float = 30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        spare = process_run.ready_worker()
        if spare is not None and spare.alive():
            return spare
        time.sleep(0.05)
    raise AssertionError("no worker was made ready")


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def run(**kwargs):
    events = collect(start_demo("test-standby", {"steps": "3"}, device="cpu", fast=True, **kwargs), 60.0)
    check_stream(events)
    return events


def test_a_demo_runs_in_the_worker_made_ready_and_the_next_one_is_made_ready():
    keep_worker_ready()
    first = waiting_worker()
    events = run()
    assert isinstance(events[-1], Result) and events[-1].metrics["pid"] == first.process.pid
    second = waiting_worker()
    assert second.process.pid != first.process.pid
    assert run()[-1].metrics["pid"] == second.process.pid


def test_a_worker_that_died_waiting_is_replaced_quietly():
    keep_worker_ready()
    spare = waiting_worker()
    spare.process.kill()
    spare.process.join(5)
    events = run()
    assert isinstance(events[-1], Result) and events[-1].metrics["pid"] != spare.process.pid
    assert waiting_worker().alive()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")
def test_a_ready_worker_costs_no_cpu_while_it_waits_and_is_gone_when_turned_off():
    keep_worker_ready()
    spare = waiting_worker()
    pid = spare.process.pid
    end = time.monotonic() + 60
    before = cpu_ticks(pid)
    while time.monotonic() < end:  # until its imports are done: then it only waits
        time.sleep(1.0)
        now = cpu_ticks(pid)
        if now == before:
            break
        before = now
    time.sleep(1.5)
    assert cpu_ticks(pid) - before <= 1
    keep_worker_ready(False)
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_no_ready_worker_outlives_the_program():
    code = ("import sys, time; sys.path.insert(0, '.'); from demos import process_run; process_run.keep_standby(); "
            "time.sleep(1.0); print(process_run.ready_worker().process.pid, flush=True)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    pid = int(out.stdout.split()[0])
    end = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < end:
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists(), "the ready worker outlived the program"
