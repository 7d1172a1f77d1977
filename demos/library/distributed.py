"""Data-parallel training with torch.distributed: two processes split every batch and end with
the same weights as one process that saw it whole.

First one process trains a small MLP on scikit-learn's digits with the full batch. Then
`workers` spawned processes join a gloo process group (NCCL when there is a GPU for each),
each computes the gradient of its equal share of the same batches, and an all-reduce averages
the gradients, so every replica takes the single run's step. The weights are compared at the
end. Measured on this 2-core CPU (200 steps, batch 256, 64-128-10 MLP, other work running):
max |difference| 1.8e-7, the float noise of adding in another order, and the replicas agree
exactly. The workers take 2.6–9 s to start (each imports torch) and usually train *slower*
than the single process (0.6–4 ms a step alone vs 2.5–6 ms in a worker, 0.6–5 ms of it in the
all-reduce): a step of this model computes in less time than an exchange between processes
takes, and both workers share the same two cores. Data parallelism pays when a step's compute
dwarfs the exchange: big models, a device per worker.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

from demos.core import Demo, DemoContext, Plot, Progress, Result, Series, check_cancelled, option
from demos.errors import DemoError
from demos.kit import loss_plot, report_every, seed_option

START_PATIENCE_S = 120.0  # each worker imports torch: seconds on a busy machine, never minutes
STEP_PATIENCE_S = 60.0  # the longest silence allowed once training has begun


@dataclass(frozen=True)
class DistributedConfig:
    workers: int = option(2, low=2, high=4, help="processes that share each batch; 2 matches this machine's cores")
    steps: int = option(200, low=1, high=5000, help="optimisation steps, the same in both runs")
    batch: int = option(256, low=2, high=4096, help="digits per step in all; each worker takes an equal share")
    hidden: int = option(128, low=4, high=4096, help="hidden units; a bigger model makes compute outweigh the exchange")
    lr: float = option(0.05, low=1e-5, high=1.0, help="SGD learning rate, the same in both runs")
    momentum: float = option(0.9, low=0.0, high=0.99, help="SGD momentum, the same in both runs")
    seed: int = seed_option("seed for the initial weights and the batches")


def _worker():
    """The workers' module, imported when a demo runs: it brings sockets, signals and queues that listing
    the demos (every start does) never needs."""
    from demos.library import dist_worker

    return dist_worker


def digits_job(config: DistributedConfig) -> dict:
    """What every process trains on: the digits, and the indices of each step's batch."""
    import numpy as np

    from demos.data import digits_arrays

    pixels, labels = digits_arrays()
    rng = np.random.default_rng(config.seed)
    return {"x": (pixels / 16.0).astype(np.float32), "y": labels.astype(np.int64),
            "order": rng.integers(0, len(labels), size=(config.steps, config.batch)),
            "classes": 10, "hidden": config.hidden, "seed": config.seed, "lr": config.lr,
            "momentum": config.momentum, "report_every": report_every(config.steps)}


def run(config: DistributedConfig, ctx: DemoContext) -> None:
    import torch

    if config.batch % config.workers:
        raise DemoError(f"--batch must split evenly between {config.workers} workers, got {config.batch}")
    started = time.perf_counter()
    backend, device = "gloo", "cpu"
    if ctx.device == "cuda" and torch.cuda.device_count() >= config.workers:
        backend, device = "nccl", "cuda"
    job = digits_job(config)
    _introduce(config, ctx, backend, device)
    single = _train_single(job, device, ctx)
    ctx.say(f"One process: {single['seconds']:.2f} s of training. Now {config.workers} worker processes "
            "start; each has to import torch first, which is most of the wait.",
            f"单进程：训练 {single['seconds']:.2f} 秒。现在启动 {config.workers} 个工作进程；"
            "每个都得先导入 torch，等待的时间主要花在这里。")
    ctx.pause(2.0)
    threads = max(1, torch.get_num_threads() // config.workers)  # the single run's cores, shared out
    dist_run = _train_distributed(job, config.workers, backend, threads, ctx)
    _compare_curves(config, ctx, single["curve"], dist_run["curve"])
    metrics = _metrics(config, job, single, dist_run, threads=threads, backend=backend, device=device,
                       started=started)
    ctx.emit(Result(metrics, _summary(metrics, ctx)))


def _introduce(config: DistributedConfig, ctx: DemoContext, backend: str, device: str) -> None:
    share = config.batch // config.workers
    ctx.say(f"The digits again, and a small network. First the ordinary way: **one process**, "
            f"{config.steps} steps of {config.batch} digits each. Then **{config.workers} processes**, "
            f"each taking {share} digits of the very same batches, averaging their gradients through "
            f"torch.distributed ({backend}).",
            f"还是手写数字，一个小网络。先用普通的方式：**一个进程**，{config.steps} 步，每步 "
            f"{config.batch} 个数字。然后用 **{config.workers} 个进程**，每个进程分到同样批次中的 "
            f"{share} 个数字，通过 torch.distributed（{backend}）把梯度平均。")
    if ctx.device != device:
        ctx.say(f"(This machine cannot give each of the {config.workers} workers a {ctx.device} device of its "
                "own, so both runs use the CPU, to compare like with like.)",
                f"（这台机器没法给 {config.workers} 个进程各分一块 {ctx.device} 设备，所以两次训练都在 CPU 上，"
                "公平比较。）")
    ctx.pause(2.5)


def _compare_curves(config: DistributedConfig, ctx: DemoContext, single: list, distributed: list) -> None:
    ctx.emit(_loss_plot(single, dict(distributed), config.workers, config.steps, ctx))
    gap = max(abs(a - b) for (_, a), (_, b) in zip(single, distributed))
    covers = gap < 1e-3  # below what a terminal plot can show
    ctx.say(f"The red curve ({config.workers} workers) is drawn over the blue one (one process) and "
            f"{'covers it' if covers else 'follows it'}: step by step the losses differ by at most {gap:.1e}.",
            f"红色曲线（{config.workers}个进程）画在蓝色曲线（单进程）之上，"
            f"{'把它完全盖住了' if covers else '紧跟着它'}：每一步的损失相差最多 {gap:.1e}。")
    ctx.pause(2.0)


def _metrics(config: DistributedConfig, job: dict, single: dict, dist_run: dict, *, threads: int, backend: str,
             device: str, started: float) -> dict:
    """How close the two runs' weights ended, and what each run cost."""
    import torch

    single_w = [p.detach().cpu() for p in single["model"].parameters()]
    replicas = [[torch.from_numpy(w) for w in ws] for ws in dist_run["weights"]]
    return {
        "max_abs_weight_diff": _worker().max_abs_diff(single_w, replicas[0]),
        "max_abs_diff_between_workers": max(_worker().max_abs_diff(replicas[0], r) for r in replicas),
        "final_loss_single": round(_worker().full_loss(job, single_w), 4),
        "final_loss_distributed": round(_worker().full_loss(job, replicas[0]), 4),
        "samples_per_second_single": round(config.steps * config.batch / single["seconds"]),
        "samples_per_second_distributed": round(config.steps * config.batch / dist_run["train_seconds"]),
        "ms_per_step_single": round(1000 * single["seconds"] / config.steps, 3),
        "ms_per_step_distributed": round(1000 * dist_run["train_seconds"] / config.steps, 3),
        "allreduce_ms_per_step": round(1000 * dist_run["allreduce_seconds"] / config.steps, 3),
        "worker_start_seconds": round(dist_run["start_seconds"], 2),
        "workers": config.workers, "backend": backend, "threads_single": torch.get_num_threads(),
        "threads_per_worker": threads, "cpu_cores": os.cpu_count() or 1, "steps": config.steps,
        "batch": config.batch,
        "seconds": round(time.perf_counter() - started, 2), "device": device,
    }


def _train_single(job: dict, device: str, ctx: DemoContext) -> dict:
    import torch

    x = torch.from_numpy(job["x"]).to(device)
    y = torch.from_numpy(job["y"]).to(device)
    order = torch.from_numpy(job["order"])
    model = _worker().build_model(x.shape[1], job["hidden"], job["classes"], job["seed"]).to(device)
    velocity = _worker().new_velocity(model)
    steps, every = order.shape[0], job["report_every"]
    curve: list[tuple[int, float]] = []
    # No events inside the timed loop: drawing them runs in this process and would slow
    # this run's clock (it takes a fraction of a second; the workers' runs are the live part).
    began = time.perf_counter()
    for step in range(1, steps + 1):
        check_cancelled(ctx)
        idx = order[step - 1].to(device)
        loss = _worker().forward_backward(model, x[idx], y[idx])
        _worker().sgd_step(model, velocity, job["lr"], job["momentum"])
        if step % every == 0 or step == steps:
            curve.append((step, loss.item()))
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - began
    ctx.emit(Progress(steps, steps, {"loss": curve[-1][1]}, ctx.pick("one process", "单进程")))
    ctx.emit(_loss_plot(curve, {}, 0, steps, ctx))
    return {"model": model, "curve": curve, "seconds": seconds}


def _train_distributed(job: dict, world: int, backend: str, threads: int, ctx: DemoContext) -> dict:
    import multiprocessing

    mp = multiprocessing.get_context("spawn")  # never fork: the caller has threads (and torch)
    inbox = mp.Queue()
    port = _worker().free_port()
    procs = [mp.Process(target=_worker().main, args=(rank, world, port, backend, threads, job, inbox),
                        name=f"msb-dist-{rank}", daemon=True) for rank in range(world)]
    spawned = time.perf_counter()
    finished: dict[int, tuple] = {}
    try:
        for p in procs:
            p.start()
        _wait_until_ready(inbox, procs, finished, world, ctx)
        start_seconds = time.perf_counter() - spawned
        curve = _follow_training(inbox, procs, finished, world, job["order"].shape[0], ctx)
        for p in procs:
            p.join(timeout=10.0)
    finally:
        _worker().stop_workers(procs, inbox)
    stats = [finished[r][2] for r in range(world)]
    return {"weights": [finished[r][3] for r in range(world)], "start_seconds": start_seconds, "curve": curve,
            "train_seconds": max(s["train_seconds"] for s in stats),
            "allreduce_seconds": sum(s["allreduce_seconds"] for s in stats) / world}


def _wait_until_ready(inbox, procs: list, finished: dict[int, tuple], world: int, ctx: DemoContext) -> None:
    ready: set[int] = set()
    stage = ctx.pick(f"starting {world} workers", f"启动 {world} 个进程")
    ctx.emit(Progress(0, world, {}, stage))
    while len(ready) < world:
        msg = _worker().next_message(inbox, procs, finished, START_PATIENCE_S, lambda: check_cancelled(ctx))
        if msg[0] == "ready":
            ready.add(msg[1])
            ctx.emit(Progress(len(ready), world, {}, stage))


def _follow_training(inbox, procs: list, finished: dict[int, tuple], world: int, steps: int,
                     ctx: DemoContext) -> list[tuple[int, float]]:
    """The workers' reports until all are done (they land in `finished`): the whole batch's loss curve."""
    losses: dict[int, dict[int, float]] = {}
    curve: list[tuple[int, float]] = []
    while len(finished) < world:
        msg = _worker().next_message(inbox, procs, finished, STEP_PATIENCE_S, lambda: check_cancelled(ctx))
        if msg[0] == "progress":
            _, rank, step, loss = msg
            losses.setdefault(step, {})[rank] = loss
            if len(losses[step]) == world:
                # Equal shares: the mean of the workers' losses is the whole batch's loss.
                # Only the progress bar is live: redrawing the plot here would take CPU
                # from the workers (the curves are drawn when they are done).
                curve.append((step, sum(losses.pop(step).values()) / world))
                ctx.emit(Progress(step, steps, {"loss": curve[-1][1]},
                                  ctx.pick(f"{world} workers", f"{world} 个进程")))
        elif msg[0] == "done":
            finished[msg[1]] = msg
    return curve


def _loss_plot(single: list, distributed: dict, world: int, steps: int, ctx: DemoContext) -> Plot:
    series = [Series(ctx.pick("1 process", "1 个进程"), tuple(float(s) for s, _ in single),
                     tuple(round(v, 4) for _, v in single), "blue")]
    if distributed:
        # Drawn over the single run's curve: where only red shows, the two agree.
        series.append(Series(ctx.pick(f"{world} workers", f"{world} 个进程"),
                             tuple(float(s) for s in distributed),
                             tuple(round(v, 4) for v in distributed.values()), "red"))
    # Fixed axes, so the curves grow across the plot instead of the plot rescaling under them;
    # ln 10 ≈ 2.3 is where an untrained ten-way classifier starts.
    top = max([2.5] + [v for _, v in single])
    return loss_plot(ctx, ctx.pick("Training loss, batch by batch", "训练损失（逐批）"), series,
                     x_lim=(0.0, float(steps)), y_lim=(0.0, top))


def _summary(m: dict, ctx: DemoContext) -> str:
    if m["samples_per_second_distributed"] > m["samples_per_second_single"]:
        speed_en = f"faster, once started (starting them cost {m['worker_start_seconds']:.1f} s: each imports torch)"
        speed_zh = f"启动之后更快（启动本身花了 {m['worker_start_seconds']:.1f} 秒：每个进程都要导入 torch）"
    else:
        speed_en = (f"slower, as expected here: one process does a step of this small model in "
                    f"{m['ms_per_step_single']:.2f} ms; a worker's step took {m['ms_per_step_distributed']:.2f} ms, "
                    f"{m['allreduce_ms_per_step']:.2f} of them in the all-reduce (sending gradients between "
                    f"processes and waiting for the slower one), the workers share {m['cpu_cores']} cores, and "
                    f"starting them cost another {m['worker_start_seconds']:.1f} s (each imports torch)")
        speed_zh = (f"反而更慢，这在这里是意料之中的：单进程做这个小模型的一步只要 {m['ms_per_step_single']:.2f} 毫秒；"
                    f"工作进程的一步用了 {m['ms_per_step_distributed']:.2f} 毫秒，其中 {m['allreduce_ms_per_step']:.2f} "
                    f"毫秒花在 all-reduce 上（在进程之间传梯度，并等待较慢的那个），几个进程共用 {m['cpu_cores']} "
                    f"个核心，而且启动它们还要额外 {m['worker_start_seconds']:.1f} 秒（每个都要导入 torch）")
    return ctx.pick(
        f"{m['workers']} processes, each seeing only its share of every batch, ended with weights that "
        f"differ from the single process's by at most {m['max_abs_weight_diff']:.1e} — float noise from "
        "adding in another order — because the average of the shares' gradients *is* the whole batch's "
        f"gradient. Throughput: {m['samples_per_second_single']:,} samples/s alone, "
        f"{m['samples_per_second_distributed']:,} with {m['workers']} workers: {speed_en}. The split pays "
        "when each step's computation dwarfs the exchange: big models on many GPUs or machines. That is "
        "the documents' point about distributed deep learning: deep learning is expensive to compute, so "
        "it needs distributed machine learning and libraries like PyTorch — and this ran on the real "
        "engine, torch.distributed, not a simulation.",
        f"{m['workers']} 个进程各自只看每个批次的一部分，最后得到的权重和单进程的相差最多 "
        f"{m['max_abs_weight_diff']:.1e}——只是换了顺序做加法带来的浮点误差——因为各部分梯度的平均"
        f"*就是*整个批次的梯度。吞吐量：单进程每秒 {m['samples_per_second_single']:,} 个样本，"
        f"{m['workers']} 个进程每秒 {m['samples_per_second_distributed']:,} 个：{speed_zh}。"
        "只有当每一步的计算量远大于通信量时（大模型、多块 GPU 或多台机器），拆分才划算。"
        "这正是文中关于分布式深度学习的观点：深度学习的计算成本很昂贵，需要分布式机器学习和 PyTorch "
        "这样的深度学习库——而这里用的是真正的引擎 torch.distributed，不是模拟。")


DEMO = Demo(
    id="distributed",
    title={"en": "Distributed data-parallel training", "zh": "分布式数据并行训练"},
    description={"en": "Two processes split every batch, average gradients with torch.distributed, match one process.",
                 "zh": "两个进程分摊每个批次，用 torch.distributed 平均梯度，结果与单进程一致。"},
    config=DistributedConfig,
    run=run,
    quick={"steps": 40},
    keywords={"en": ("distributed", "distributed training", "data parallel", "data-parallel", "all-reduce",
                     "allreduce", "multi-gpu", "torch.distributed"),
              "zh": ("分布式", "分布式训练", "数据并行", "多卡", "多进程训练", "梯度同步")},
)
