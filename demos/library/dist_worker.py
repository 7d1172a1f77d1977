"""The process side of the distributed demo: one data-parallel worker, the training step it
shares with the single-process run (so both do literally the same arithmetic, apart from the
all-reduce), and the parent's tools to find a port, read the workers' messages and stop them.

A spawned worker imports this module and torch, nothing else. Two choices keep its start
cheap: the gradients are averaged with an explicit `dist.all_reduce` of one flat buffer (what
DistributedDataParallel does with its buckets) and the optimiser is a hand-written SGD step,
because constructing DistributedDataParallel or any `torch.optim` optimiser imports torch's
compiler stack, measured at ~3 s per process on this 2-core machine, on top of ~3 s for torch.
"""
from __future__ import annotations

import os
import queue as queues
import signal
import socket
import threading
import time
import traceback
from datetime import timedelta
from typing import Callable

JOIN_TIMEOUT_S = 60  # a peer that never shows up fails the rendezvous instead of hanging it


def build_model(inputs: int, hidden: int, classes: int, seed: int):
    import torch
    from torch import nn

    torch.manual_seed(seed)  # every replica, and the single run, start from the same weights
    return nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, classes))


def new_velocity(model) -> list:
    import torch

    return [torch.zeros_like(p) for p in model.parameters()]


def forward_backward(model, x, y):
    """The mean cross-entropy over this batch and its gradients (left in .grad)."""
    import torch.nn.functional as F

    for p in model.parameters():
        p.grad = None
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    return loss


def sgd_step(model, velocity: list, lr: float, momentum: float) -> None:
    """SGD with momentum, the same update torch.optim.SGD makes (v = μv + g; p -= lr·v)."""
    import torch

    with torch.no_grad():
        for p, v in zip(model.parameters(), velocity):
            v.mul_(momentum).add_(p.grad)
            p.add_(v, alpha=-lr)


def average_gradients(model, world: int) -> None:
    """Sum every worker's gradients in one collective, then divide: each worker's loss is the
    mean over an equal share of the batch, so the average is the full batch's gradient."""
    import torch
    import torch.distributed as dist

    grads = [p.grad for p in model.parameters()]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat, op=dist.ReduceOp.SUM)
    flat.div_(world)
    offset = 0
    for g in grads:
        g.copy_(flat[offset:offset + g.numel()].view_as(g))
        offset += g.numel()


def max_abs_diff(a: list, b: list) -> float:
    return float(max((x - y).abs().max().item() for x, y in zip(a, b)))


def full_loss(job: dict, weights: list) -> float:
    """The mean loss over all the digits of a model with these weights (on the CPU)."""
    import torch
    import torch.nn.functional as F

    model = build_model(job["x"].shape[1], job["hidden"], job["classes"], job["seed"])
    with torch.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(w)
        return F.cross_entropy(model(torch.from_numpy(job["x"])), torch.from_numpy(job["y"])).item()


def main(rank: int, world: int, port: int, backend: str, threads: int, job: dict, queue) -> None:
    """Train one replica on this worker's share of every batch, reporting to the parent's queue.

    Messages: ("ready", rank, seconds since start) · ("progress", rank, step, loss) ·
    ("done", rank, stats, weights) · ("error", rank, traceback).
    """
    started = time.perf_counter()
    # Ctrl-C in a terminal reaches the whole process group; stopping workers is the parent's
    # job (it terminates them when the demo is cancelled), so they must not die on their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    try:
        os.environ["MASTER_ADDR"] = "127.0.0.1"
        os.environ["MASTER_PORT"] = str(port)
        import torch
        import torch.distributed as dist

        torch.set_num_threads(threads)
        device = "cpu"
        if backend == "nccl":
            torch.cuda.set_device(rank)
            device = f"cuda:{rank}"
        dist.init_process_group(backend, rank=rank, world_size=world, timeout=timedelta(seconds=JOIN_TIMEOUT_S))
        try:
            queue.put(("ready", rank, time.perf_counter() - started))
            stats, weights = _train(rank, world, device, job, queue)
            queue.put(("done", rank, stats, weights))
        finally:
            dist.destroy_process_group()
    except BaseException:
        queue.put(("error", rank, traceback.format_exc()))
        raise SystemExit(1)


def _train(rank: int, world: int, device: str, job: dict, queue):
    import torch
    import torch.distributed as dist

    x = torch.from_numpy(job["x"]).to(device)
    y = torch.from_numpy(job["y"]).to(device)
    order = torch.from_numpy(job["order"])  # steps × batch indices, the single run's batches
    share = order.shape[1] // world
    model = build_model(x.shape[1], job["hidden"], job["classes"], job["seed"]).to(device)
    for p in model.parameters():
        dist.broadcast(p.data, src=0)  # as DistributedDataParallel does: replicas start equal
    velocity = new_velocity(model)
    every = job["report_every"]

    dist.barrier()  # the clock starts when every worker is ready to step
    began = time.perf_counter()
    exchanging = 0.0
    for step in range(1, order.shape[0] + 1):
        mine = order[step - 1, rank * share:(rank + 1) * share].to(device)
        loss = forward_backward(model, x[mine], y[mine])
        _synchronize(device)
        t0 = time.perf_counter()
        # Includes waiting for the slowest worker: a step is only as fast as its slowest share.
        average_gradients(model, world)
        _synchronize(device)
        exchanging += time.perf_counter() - t0
        sgd_step(model, velocity, job["lr"], job["momentum"])
        if step % every == 0 or step == order.shape[0]:
            queue.put(("progress", rank, step, loss.item()))
    _synchronize(device)
    train_seconds = time.perf_counter() - began
    weights = [p.detach().cpu().numpy() for p in model.parameters()]
    return {"train_seconds": train_seconds, "allreduce_seconds": exchanging}, weights


def _synchronize(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize(device)


def _exit_with_parent() -> None:
    """A worker whose parent died (killed, crashed) exits instead of waiting on its peers."""
    import multiprocessing
    import multiprocessing.connection

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


# ---------------------------------------------------------------- the parent's side of the pool


def free_port() -> int:
    """A port nobody listens on now: the OS picks one when we bind to port 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def next_message(inbox, procs, finished: dict, patience: float, check: Callable[[], None]) -> tuple:
    """The next worker message. Raises what `check` raises (it is called every 0.1 s: the
    caller's cancellation), or RuntimeError for a worker's error, death or long silence."""
    deadline = time.monotonic() + patience
    while True:
        check()
        try:
            msg = inbox.get(timeout=0.1)
        except queues.Empty:
            dead = [r for r, p in enumerate(procs) if p.exitcode is not None and r not in finished]
            if dead:
                try:  # its last words may still be in flight: a result, or why it failed
                    msg = inbox.get(timeout=0.5)
                except queues.Empty:
                    rank = dead[0]
                    raise RuntimeError(f"distributed worker {rank} exited with code {procs[rank].exitcode} "
                                       "before finishing") from None
            elif time.monotonic() > deadline:
                raise RuntimeError(f"no word from the distributed workers for {patience:.0f} s; giving up") from None
            else:
                continue
        if msg[0] == "error":
            lines = [line for line in msg[2].strip().splitlines() if line.strip()]
            raise RuntimeError(f"distributed worker {msg[1]} failed: {lines[-1] if lines else 'unknown error'}")
        return msg


def stop_workers(procs, inbox) -> None:
    """Workers that are still running are stopped; none is left behind, nothing waits forever."""
    for p in procs:
        if p.pid is not None and p.is_alive():
            p.terminate()
    for p in procs:
        if p.pid is None:
            continue
        p.join(timeout=2.0)
        if p.is_alive():
            p.kill()
            p.join(timeout=1.0)
    inbox.close()
    inbox.cancel_join_thread()
