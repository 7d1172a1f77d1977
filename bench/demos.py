"""Demo budgets: training speed beside a bare PyTorch loop, and whole-process times.

    python bench/demos.py [--device cpu] [--only cnn,coordinates] [--skip-processes]

1. `coordinates` and `cnn` run through the demo machinery (runner thread, events, fast mode) and,
   in the same process, as a bare training loop of the same model on the same data: time to the
   target accuracy, final accuracy, and throughput; the ratio demo/bare is the machinery's cost.
2. Every registered demo as a whole process, `msb demo NAME --fast --json`: wall time (the median
   of a few runs for `cnn`) and its headline metrics.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from demos.core import Result, all_demos, get_demo  # noqa: E402
from demos.runner import start_demo  # noqa: E402


def run_demo(demo_id: str, device: str, **options) -> dict:
    handle = start_demo(demo_id, options, device=device, fast=True, in_process=True)
    last = None
    while not handle.done:
        for event in handle.events(timeout=0.1):
            last = event
    handle.join(2.0)
    if not isinstance(last, Result):
        raise SystemExit(f"{demo_id} did not finish: {last!r}")
    return last.metrics


def bare_coordinates(device: str) -> dict:
    """The coordinates demo's network and data, trained with nothing but the loop."""
    import torch

    from demos.data import make_rings
    from demos.library import coordinates as c

    cfg = c.CoordinatesConfig()
    xy, _, labels = make_rings(cfg.points, cfg.noise, cfg.seed)
    torch.manual_seed(cfg.seed)
    net = c.build_network(cfg.hidden).to(device)
    x, y = xy.to(device), labels.to(device)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    started, to_99 = time.perf_counter(), None
    for step in range(1, cfg.steps + 1):
        out = net(x)
        loss = torch.nn.functional.cross_entropy(out, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if to_99 is None and (out.argmax(1) == y).float().mean().item() >= 0.99:
            to_99 = time.perf_counter() - started
    seconds = time.perf_counter() - started
    with torch.no_grad():
        accuracy = (net(x).argmax(1) == y).float().mean().item()
    return {"seconds_to_99": to_99, "accuracy": accuracy, "steps_per_second": cfg.steps / seconds}


def bare_cnn(device: str) -> dict:
    import torch

    from demos.data import load_digits_split
    from demos.kit import accuracy as accuracy_of
    from demos.library import cnn as c

    cfg = c.CnnConfig()
    x_train, y_train, x_test, y_test = (t.to(device) for t in load_digits_split(cfg.seed))
    torch.manual_seed(cfg.seed)
    net = c.build_network().to(device)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    shuffle = torch.Generator().manual_seed(cfg.seed + 1)
    n = len(x_train)
    train_seconds, to_97, accuracy = 0.0, None, 0.0
    for _ in range(cfg.epochs):
        started = time.perf_counter()
        order = torch.randperm(n, generator=shuffle).to(device)
        for i in range(0, n, cfg.batch):
            idx = order[i:i + cfg.batch]
            loss = torch.nn.functional.cross_entropy(net(x_train[idx]), y_train[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        accuracy = accuracy_of(net, x_test, y_test)
        train_seconds += time.perf_counter() - started
        if to_97 is None and accuracy >= c.TARGET:
            to_97 = train_seconds
    return {"seconds_to_97": to_97, "accuracy": accuracy, "images_per_second": cfg.epochs * n / train_seconds}


def fmt(value) -> str:
    if value is None:
        return "never"
    if isinstance(value, float):
        return f"{value:.2e}" if value and abs(value) < 1e-3 else f"{value:.3f}"
    return str(value)


def compare(device: str, only: set[str]) -> None:
    print(f"== training beside a bare loop ({device}; best of 3 each, same process)")
    if "coordinates" in only:
        demo = min((run_demo("coordinates", device) for _ in range(3)),
                   key=lambda m: m["train_seconds_to_99"] or 1e9)
        bare = min((bare_coordinates(device) for _ in range(3)), key=lambda m: m["seconds_to_99"] or 1e9)
        steps = get_demo("coordinates").config().steps
        demo_rate = (steps + 1) / demo["train_seconds"]
        print(f"coordinates  demo: to 99 % in {fmt(demo['train_seconds_to_99'])} s, accuracy "
              f"{demo['learned_accuracy']:.3f}, {demo_rate:.0f} steps/s  (budget: 99 % in <= 0.5 s)")
        print(f"             bare: to 99 % in {fmt(bare['seconds_to_99'])} s, accuracy {bare['accuracy']:.3f}, "
              f"{bare['steps_per_second']:.0f} steps/s  -> ratio {demo_rate / bare['steps_per_second']:.2f}x")
    if "cnn" in only:
        demo = max((run_demo("cnn", device) for _ in range(3)), key=lambda m: m["images_per_second"])
        bare = max((bare_cnn(device) for _ in range(3)), key=lambda m: m["images_per_second"])
        print(f"cnn          demo: to 97 % in {fmt(demo['train_seconds_to_97'])} s, test accuracy "
              f"{demo['test_accuracy']:.3f}, {demo['images_per_second']:.0f} images/s  (budget: 97 % in <= 2 s)")
        print(f"             bare: to 97 % in {fmt(bare['seconds_to_97'])} s, test accuracy {bare['accuracy']:.3f}, "
              f"{bare['images_per_second']:.0f} images/s  -> ratio "
              f"{demo['images_per_second'] / bare['images_per_second']:.2f}x  (budget >= 0.7x)")


def processes(device: str, only: set[str]) -> None:
    print(f"\n== whole processes: msb demo NAME --fast --json --device {device}")
    for demo in sorted(all_demos(), key=lambda d: d.id):
        if demo.id not in only:
            continue
        runs = 3 if demo.id == "cnn" else 1
        walls, out = [], {}
        for _ in range(runs):
            started = time.perf_counter()
            proc = subprocess.run([sys.executable, str(ROOT / "app.py"), "demo", demo.id, "--fast", "--json",
                                   "--device", device], capture_output=True, text=True, cwd=ROOT)
            walls.append(time.perf_counter() - started)
            lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
            out = json.loads(lines[-1]) if lines else {"error": proc.stderr.strip()[-200:]}
        budget = "<= 2.8 s" if demo.id == "cnn" else "<= 20 s"
        metrics = out.get("metrics", {})
        shown = {k: v for k, v in metrics.items() if k not in ("device", "seconds")}
        headline = ", ".join(f"{k}={fmt(v)}" for k, v in list(shown.items())[:6]) or out.get("error", "")
        print(f"{demo.id:12} {statistics.median(walls):5.1f} s ({budget})  {headline}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--only", default="", help="comma-separated demo ids (default: all)")
    ap.add_argument("--skip-processes", action="store_true")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else {d.id for d in all_demos()}
    compare(a.device, only)
    if not a.skip_processes:
        processes(a.device, only)


if __name__ == "__main__":
    main()
