"""Benchmark the chat app (headless): launch to interactive, launch to the first answer,
answer latency while a demo trains in its worker process, resident memory. Prints figures.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/tui.py [--questions 20] [--epochs 100] [--runs 3]
    HF_HUB_OFFLINE=1 .venv/bin/python bench/tui.py --long [--turns 500] [--demos 30]

--long is the long session instead: that many turns with that many demos spread among them, printing
the UI process's resident memory, open file descriptors and mounted widgets every 50 turns
(budget: RSS after the last turn within 1.5x of RSS after 50; descriptors flat over the demos).

Each measurement runs in a fresh interpreter, so imports count as they would for a user.
Keys are posted as events and the screen polled every 2 ms: Textual's pilot waits for the
process to go idle after each key, which would fold the background loading into "interactive".
Budgets: interactive <= 1 s, first answer <= 2 s, answer p95 while a demo trains
<= 200 ms, resident memory with the model loaded <= 1 GiB.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLL = 0.002  # seconds between looks at the screen
QUESTIONS = ("what does deep mean", "深度是什么意思", "why did deep learning take off now?", "what is backpropagation",
             "什么是卷积神经网络", "what is dropout", "tell me more", "为什么", "what is representation learning",
             "is deep learning just hype?")


def _rss_mib() -> dict[str, float]:
    """Current and peak resident memory of this process (MiB)."""
    out: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out["rss_mib" if line.startswith("VmRSS") else "peak_rss_mib"] = int(line.split()[1]) / 1024
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out["peak_rss_mib"] = peak / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return out


def _children_rss_mib() -> float:
    """Resident memory of this process's child processes now (MiB; Linux /proc, else 0)."""
    me, total = str(os.getpid()), 0.0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == me and "VmRSS" in fields:
            total += int(fields["VmRSS"].split()[0]) / 1024
    return total


async def _until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(POLL)
    return True


async def _ask(app, question: str, timeout: float = 30) -> tuple[float, float, object]:
    """Seconds from submitting to Ms. B's words reaching the screen, and to the reply being
    rendered whole; and the reply."""
    from dialog.tui.messages import BotMessage

    start = time.perf_counter()
    app.submit_line(question)
    bubble = app.query(BotMessage).last()
    await _until(lambda: bubble.query(".body"), timeout)
    shown = time.perf_counter() - start
    await _until(lambda: bubble.finished, timeout)
    return shown, time.perf_counter() - start, bubble.reply


async def child_launch(t0_wall: float, data_dir: str) -> dict:
    t_enter = time.time()
    from textual import events

    from dialog.tui.app import MsBApp
    from dialog.tui.prompt import ChatInput

    t_imported = time.time()
    app = MsBApp(data_dir=data_dir, typing_seconds=0)
    out: dict = {"python_start_s": t_enter - t0_wall, "imports_s": t_imported - t_enter}
    async with app.run_test(size=(120, 40)):
        prompt = app.query_one(ChatInput)
        app.post_message(events.Key("x", "x"))
        ok = await _until(lambda: prompt.value == "x", 30)
        out["interactive_s"] = time.time() - t0_wall if ok else None
        out["interactive_cpu_s"] = time.process_time()
        prompt.value = ""
        shown, whole, reply = await _ask(app, "what does deep mean")
        out["first_answer_s"] = time.time() - t0_wall
        out["first_answer_cpu_s"] = time.process_time()
        out["first_answer_after_ask_s"] = whole
        out["first_answer_kind"] = getattr(reply, "kind", None)
        out["first_answer_dense"] = bool(getattr(app.kb, "dense_ready", False))
        await _until(lambda: "warm" in app.timings, 120)
        out["warm_s"] = app.timings["warm"] - app.timings["mounted"] if "warm" in app.timings else None
        out["device"] = app.sub_title
        out.update(_rss_mib())
    return out


async def child_demo(data_dir: str, questions: int, epochs: int) -> dict:
    from dialog.tui.app import MsBApp
    from dialog.tui.demo_panel import DemoPanel

    app = MsBApp(data_dir=data_dir, typing_seconds=0)
    qs = [QUESTIONS[i % len(QUESTIONS)] for i in range(questions)]
    out: dict = {}
    async with app.run_test(size=(120, 40)):
        await _until(lambda: "warm" in app.timings, 120)
        idle = [await _ask(app, q) for q in qs]  # the baseline the demo's cost is measured against
        up = time.perf_counter() - app.timings["mounted"]
        if up < 10:  # as a learner would: the app has been up a while before "show me"
            await asyncio.sleep(10 - up)
        asked = time.perf_counter()
        app.submit_line(f"/demo cnn --epochs {epochs}")
        await _until(lambda: app.query(DemoPanel), 30)
        panel = app.query_one(DemoPanel)
        t = time.perf_counter()
        await _until(lambda: panel.query(".demo-plot") or not panel.running, 120)
        out["demo_first_plot_s"] = time.perf_counter() - t
        out["demo_first_plot_after_request_s"] = time.perf_counter() - asked
        busy, during, worker = [], 0, 0.0
        for q in qs:
            busy.append(await _ask(app, q))
            during += panel.running
            worker = max(worker, _children_rss_mib())
        out["idle_ms"] = [[round(1000 * s, 1), round(1000 * w, 1)] for s, w, _ in idle]
        out["during_demo_ms"] = [[round(1000 * s, 1), round(1000 * w, 1)] for s, w, _ in busy]
        out["answered_while_demo_ran"] = during
        out.update(_rss_mib())
        await _until(lambda: not panel.running, 300)
        from dialog.tui.messages import BotMessage

        await _until(lambda: all(b.finished for b in app.query(BotMessage)), 30)  # Ms. B's summing up
        out["demo_outcome"] = panel.outcome
        out["demo_metrics"] = panel.query_one(".demo-status").render().plain
    out["demo_worker_rss_mib"] = worker
    return out


async def child_resume(data_dir: str, turns: int) -> dict:
    """Seconds from the app's start until a resumed conversation of `turns` turns is on screen whole."""
    from dialog.transcript import Transcript, Turn
    from dialog.tui.app import MsBApp
    from dialog.tui.chat import KEEP_MOUNTED
    from dialog.tui.messages import PastTurn

    base = Path(data_dir) / "resume"
    t = Transcript(base)
    for i in range(turns):
        t.append(Turn("user", f"question {i}", float(i)))
        t.append(Turn("ms_b", f"Answer **{i}**:\n\n- one\n- two\n\n" + "words " * 60, float(i), "answer", "en"))
    start = time.perf_counter()
    app = MsBApp(data_dir=base, resume=True, typing_seconds=0)
    async with app.run_test(size=(120, 40)):
        # a long one shows its newest KEEP_MOUNTED turns, the older ones folded into one line
        shown = min(turns, KEEP_MOUNTED // 2)
        await _until(lambda: sum(t.role == "ms_b" for t in app.query(PastTurn)) >= shown, 60)
        await asyncio.sleep(0)  # mounted turns are laid out and drawn before the loop comes back
        return {"resume_s": time.perf_counter() - start, "turns": turns}


def _open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


async def child_long(data_dir: str, turns: int, demos: int) -> dict:
    """A long session: `turns` questions, a quick demo every turns/demos of them, figures every 50 turns."""
    import gc

    from dialog.tui.app import MsBApp, real_services
    from dialog.tui.demo_panel import DemoPanel

    app = MsBApp(data_dir=data_dir, typing_seconds=0, services=real_services(None, pace=0.0))
    every = max(1, turns // demos) if demos else 0
    rows, started = [], 0
    trace = os.environ.get("MSB_BENCH_TRACE") == "1"  # prints where memory grew between turns 50 and 150
    if trace:
        import tracemalloc

        tracemalloc.start(8)
    async with app.run_test(size=(120, 40)):
        await _until(lambda: "warm" in app.timings, 120)
        for i in range(1, turns + 1):
            await _ask(app, QUESTIONS[i % len(QUESTIONS)])
            if every and i % every == 0 and started < demos:
                app.submit_line("/demo backprop")
                started += 1
                await _until(lambda: len(app.pane.panels) and not app.pane.panels[-1].running
                             and app.pane.panels[-1].outcome is not None, 120)
                await asyncio.sleep(0.2)  # Ms. B's summing up
            if i % 50 == 0:
                gc.collect()
                chat = app.pane.chat
                rows.append({"turn": i, "demos": started, "fds": _open_fds(), "widgets": len(chat.children),
                             "panels": len(app.query(DemoPanel)), **_rss_mib()})
                if trace and i in (50, 150):
                    snap = tracemalloc.take_snapshot()
                    if i == 50:
                        first = snap
                    else:
                        for stat in snap.compare_to(first, "traceback")[:12]:
                            print(stat, file=sys.stderr)
                            print("\n".join(stat.traceback.format()[-6:]), file=sys.stderr)
    return {"rows": rows}


def _run_child(args: list[str]) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    t0 = time.time()
    proc = subprocess.run([sys.executable, __file__, "--child", *args, "--t0", repr(t0)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    if env.get("MSB_BENCH_TRACE") == "1":
        sys.stderr.write(proc.stderr)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"child failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-20000:]}")


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def _latency(pairs: list[list[float]]) -> str:
    shown, whole = [p[0] for p in pairs], [p[1] for p in pairs]
    return (f"words on screen p50 {_pct(shown, .5):.0f} ms, p95 {_pct(shown, .95):.0f} ms; "
            f"rendered whole p50 {_pct(whole, .5):.0f} ms, p95 {_pct(whole, .95):.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=20)
    ap.add_argument("--epochs", type=int, default=100, help="cnn epochs: enough to outlast the questions")
    ap.add_argument("--runs", type=int, default=3, help="launch measurements (the median is reported)")
    ap.add_argument("--long", action="store_true", help="the long session instead (see above)")
    ap.add_argument("--turns", type=int, default=500)
    ap.add_argument("--demos", type=int, default=30)
    ap.add_argument("--child", choices=["launch", "demo", "resume", "long"])
    ap.add_argument("--t0", type=float, default=0.0)
    ap.add_argument("--data-dir", default="")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        if args.child == "launch":
            result = asyncio.run(child_launch(args.t0, args.data_dir))
        elif args.child == "long":
            result = asyncio.run(child_long(args.data_dir, args.turns, args.demos))
        elif args.child == "resume":
            result = asyncio.run(child_resume(args.data_dir, 100))
        else:
            result = asyncio.run(child_demo(args.data_dir, args.questions, args.epochs))
        print(json.dumps(result))
        return

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    if args.long:
        with tempfile.TemporaryDirectory(prefix="msb-bench-") as tmp:
            rows = _run_child(["long", "--data-dir", tmp, "--turns", str(args.turns), "--demos", str(args.demos)])["rows"]
        print(f"long session: {args.turns} turns, {args.demos} demos; load average at start {load:.1f}")
        print("turn  demos  RSS MiB  peak MiB  fds  widgets mounted  demo panels mounted")
        for r in rows:
            print(f"{r['turn']:>4}  {r['demos']:>5}  {r['rss_mib']:>7.0f}  {r['peak_rss_mib']:>8.0f}  {r['fds']:>3}  "
                  f"{r['widgets']:>15}  {r['panels']:>19}")
        if rows:
            print(f"RSS last/first: {rows[-1]['rss_mib'] / rows[0]['rss_mib']:.2f}x (budget 1.5x); "
                  f"fds first {rows[0]['fds']}, last {rows[-1]['fds']}")
        return
    with tempfile.TemporaryDirectory(prefix="msb-bench-") as tmp:
        launches = [_run_child(["launch", "--data-dir", tmp]) for _ in range(args.runs)]
        demo = _run_child(["demo", "--data-dir", tmp, "--questions", str(args.questions),
                           "--epochs", str(args.epochs)])
        resume = _run_child(["resume", "--data-dir", tmp])

    def med(key: str) -> float:
        vals = [r[key] for r in launches if r.get(key) is not None]
        return statistics.median(vals) if vals else float("nan")

    print(f"device: {launches[-1].get('device')}; load average at start {load:.1f} on {os.cpu_count()} cores; "
          f"{args.runs} launches, medians (interactive per run: "
          f"{[round(r['interactive_s'] or -1, 2) for r in launches]} s)")
    print(f"launch to interactive (a key reaches the input):      {med('interactive_s'):.2f} s   (budget 1 s)")
    print(f"  of which interpreter start {med('python_start_s'):.2f} s, app imports {med('imports_s'):.2f} s; "
          f"CPU time used by then {med('interactive_cpu_s'):.2f} s")
    print(f"launch to first answered question (rendered whole):   {med('first_answer_s'):.2f} s   (budget 2 s)  "
          f"[{launches[-1].get('first_answer_kind')}, dense search ready: {launches[-1].get('first_answer_dense')}]")
    print(f"  CPU time used by then {med('first_answer_cpu_s'):.2f} s "
          f"(what the wall time approaches on an idle machine)")
    print(f"background warm-up (model + dense index):             {med('warm_s'):.2f} s")
    print(f"resident memory, model loaded: {med('rss_mib'):.0f} MiB (peak {med('peak_rss_mib'):.0f}; budget 1024 MiB)")
    print(f"answer latency idle, {len(demo['idle_ms'])} questions: {_latency(demo['idle_ms'])}")
    print(f"answer latency while cnn trains in its worker ({demo['answered_while_demo_ran']} of "
          f"{len(demo['during_demo_ms'])} answered while it ran): {_latency(demo['during_demo_ms'])}   "
          f"(budget p95 200 ms)")
    print(f"demo: first plot {demo['demo_first_plot_after_request_s']:.2f} s after the request "
          f"({demo['demo_first_plot_s']:.2f} s after its panel), the app up 10 s; {demo['demo_outcome']} — "
          f"{demo['demo_metrics']}")
    print(f"--resume of {resume['turns']} turns, app start to all on screen: {resume['resume_s']:.2f} s   (budget 1 s)")
    print(f"resident memory with the demo: UI process {demo.get('rss_mib', 0):.0f} MiB "
          f"(peak {demo.get('peak_rss_mib', 0):.0f}), demo worker process {demo['demo_worker_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
