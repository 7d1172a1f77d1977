"""The distributed demo: worker processes that split every batch end with the single run's weights."""
from __future__ import annotations

import multiprocessing
import queue
import socket
import time

import pytest

from demos.core import Cancelled, Error, Plot, Progress, Result, Stopped, Text
from demos.library import dist_worker as worker
from demos.runner import start_demo


def _drain(handle, timeout: float = 120.0) -> list:
    events: list = []
    deadline = time.monotonic() + timeout
    while not handle.done:
        if time.monotonic() > deadline:
            handle.cancel()
            pytest.fail(f"the distributed demo did not finish within {timeout} s")
        events += handle.events(timeout=0.2)
    return events


@pytest.fixture(scope="module")
def zh_run() -> list:
    """One reduced run in a thread, as `msb demo` runs it, narrated in Chinese. Each run starts
    worker processes that import torch (seconds), so the tests below share it."""
    handle = start_demo("distributed", {"steps": "20"}, device="cpu", lang="zh", fast=True, in_process=True)
    events = _drain(handle)
    if isinstance(events[-1], Error):
        pytest.fail(f"the distributed demo failed: {events[-1].message}\n{events[-1].detail}")
    return events


def test_two_workers_end_with_the_single_process_weights(zh_run):
    m = zh_run[-1].metrics
    assert m["max_abs_weight_diff"] < 1e-5, "the same steps, up to the order of float additions"
    assert m["max_abs_diff_between_workers"] == 0.0, "every replica applies the same averaged gradient"
    assert m["final_loss_distributed"] == pytest.approx(m["final_loss_single"], abs=1e-4)
    assert m["final_loss_single"] < 2.0, "the network learned something (ln 10 ≈ 2.3 at the start)"
    assert (m["workers"], m["backend"], m["device"], m["steps"]) == (2, "gloo", "cpu", 20)
    for name in ("samples_per_second_single", "samples_per_second_distributed", "ms_per_step_single",
                 "ms_per_step_distributed", "allreduce_ms_per_step", "worker_start_seconds"):
        assert m[name] > 0, name
    assert m["allreduce_ms_per_step"] <= m["ms_per_step_distributed"]


def test_the_workers_report_progress_and_both_loss_curves_are_drawn(zh_run):
    stages = [p.stage for p in zh_run if isinstance(p, Progress)]
    assert stages[0] == "单进程" and "启动 2 个进程" in stages and stages[-1] == "2 个进程"
    worker_steps = [p.step for p in zh_run if isinstance(p, Progress) and p.stage == "2 个进程"]
    assert worker_steps == list(range(1, 21)), "one report per step when there are fewer than 40"
    final = [e for e in zh_run if isinstance(e, Plot)][-1]
    single, distributed = final.series
    assert (single.color, distributed.color) == ("blue", "red") and single.x == distributed.x
    assert max(abs(a - b) for a, b in zip(single.y, distributed.y)) < 1e-3
    assert single.y[-1] < single.y[0]


def test_the_narration_and_summary_speak_the_runs_language(zh_run):
    assert any("完全盖住" in e.text for e in zh_run if isinstance(e, Text))
    summary = zh_run[-1].summary
    assert isinstance(zh_run[-1], Result)
    assert "分布式深度学习" in summary and "torch.distributed" in summary


def test_it_runs_inside_a_demo_worker_process_too(run_events):
    # The chat runs demos in a spawned worker process; this demo spawns its own workers from it.
    events = run_events("distributed", {"steps": "5", "batch": "64"}, in_process=False)
    assert isinstance(events[-1], Result), events[-1]
    assert events[-1].metrics["max_abs_weight_diff"] < 1e-5


def test_cancelling_while_the_workers_start_stops_them():
    handle = start_demo("distributed", {"steps": "10"}, device="cpu", fast=True, in_process=True)
    deadline = time.monotonic() + 60
    seen: list = []
    while not any(isinstance(e, Progress) and e.stage.startswith("starting") for e in seen):
        assert time.monotonic() < deadline, "the workers never started"
        seen += handle.events(timeout=0.2)
    handle.cancel()
    handle.join(timeout=10)
    assert isinstance((seen + handle.events())[-1], Stopped)
    deadline = time.monotonic() + 10
    while [p for p in multiprocessing.active_children() if p.name.startswith("msb-dist-")]:
        assert time.monotonic() < deadline, "a worker outlived the cancelled demo"
        time.sleep(0.1)


def test_a_batch_that_does_not_split_evenly_is_refused(run_events):
    events = run_events("distributed", {"batch": "255"})
    assert isinstance(events[-1], Error)
    assert "--batch must split evenly between 2 workers" in events[-1].message


class _Process:
    def __init__(self, exitcode=None) -> None:
        self.exitcode = exitcode


def _never_cancelled() -> None:
    pass


def test_a_workers_error_becomes_a_message_naming_the_worker_and_the_cause():
    inbox: queue.Queue = queue.Queue()
    inbox.put(("error", 1, "Traceback (most recent call last):\n  ...\nValueError: Invalid backend: 'nope'\n"))
    with pytest.raises(RuntimeError, match=r"distributed worker 1 failed: ValueError: Invalid backend: 'nope'"):
        worker.next_message(inbox, [_Process(), _Process()], {}, 5.0, _never_cancelled)


def test_a_worker_that_dies_silently_is_reported_not_waited_for():
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="distributed worker 1 exited with code -9 before finishing"):
        worker.next_message(queue.Queue(), [_Process(), _Process(-9)], {}, 30.0, _never_cancelled)
    assert time.monotonic() - started < 5


def test_a_worker_that_finished_and_exited_is_not_a_failure():
    inbox: queue.Queue = queue.Queue()
    inbox.put(("done", 1, {}, []))
    assert worker.next_message(inbox, [_Process(), _Process(0)], {0: ()}, 5.0, _never_cancelled)[0] == "done"


def test_silent_workers_are_given_up_on_after_the_patience():
    with pytest.raises(RuntimeError, match="no word from the distributed workers for 0 s"):
        worker.next_message(queue.Queue(), [_Process(), _Process()], {}, 0.3, _never_cancelled)


def test_waiting_for_workers_stops_at_once_when_cancelled():
    def cancelled() -> None:
        raise Cancelled()

    with pytest.raises(Cancelled):
        worker.next_message(queue.Queue(), [_Process()], {}, 30.0, cancelled)


def test_the_free_port_can_be_bound_on_loopback():
    port = worker.free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
    assert 0 < port < 65536


def test_averaged_half_batch_gradients_are_the_full_batch_gradient():
    import torch

    model = worker.build_model(64, 16, 10, seed=0)
    x, y = torch.rand(32, 64), torch.randint(0, 10, (32,))
    worker.forward_backward(model, x, y)
    full = [p.grad.clone() for p in model.parameters()]
    halves = []
    for part in (slice(0, 16), slice(16, 32)):
        worker.forward_backward(model, x[part], y[part])
        halves.append([p.grad.clone() for p in model.parameters()])
    for whole, a, b in zip(full, *halves):
        assert torch.allclose((a + b) / 2, whole, atol=1e-6)
