"""Answer benchmarks: start-up, warm latency, index build cold and cached, resident memory.

    python bench/answers.py

Budgets (DESIGN.md): first answered question <= 2 s from launch, warm answer p95 <= 50 ms,
index build cold <= 10 s, cached load <= 0.3 s, resident memory with the model <= 1 GiB.
Prints figures; asserts nothing.
"""
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

QUESTIONS = [
    "what does deep mean", "What is learning?", "Why did deep learning take off recently?", "explain dropout",
    "what is a tensor", "Tell me about ResNet", "Is deep learning part of machine learning?", "what's a GAN",
    "how do I get started", "Can Spark be used for deep learning?", "it's just more layers", "what's the capital of France",
    "深度是什么意思", "讲讲 Dropout", "深度学习为什么最近才火", "张量是什么", "推荐一部电影", "初学者怎么学深度学习",
]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    cache = Path(tempfile.mkdtemp(prefix="msb-bench-"))
    os.environ["MSB_CACHE_DIR"] = str(cache)
    os.environ["MSB_DATA_DIR"] = str(cache / "data")
    env = {**os.environ}

    from knowledge.base import KnowledgeBase
    from knowledge.embedder import SentenceTransformerEmbedder

    t0 = time.perf_counter()
    kb = KnowledgeBase.load()
    t_lex_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    emb = SentenceTransformerEmbedder()
    t_model = time.perf_counter() - t0
    t0 = time.perf_counter()
    kb.warm_up(embedder=emb)
    t_dense_cold = time.perf_counter() - t0
    print(f"index build, cold:   {t_lex_cold + t_dense_cold:6.2f} s  (lexical {t_lex_cold:.2f} s + embeddings "
          f"{t_dense_cold:.2f} s; model load {t_model:.2f} s not included)   budget 10 s")

    t0 = time.perf_counter()
    kb = KnowledgeBase.load()
    t_lex = time.perf_counter() - t0
    t0 = time.perf_counter()
    kb.warm_up(embedder=emb)
    t_dense = time.perf_counter() - t0
    print(f"index load, cached:  {t_lex + t_dense:6.3f} s  (lexical {t_lex:.3f} s + FAISS {t_dense:.3f} s)   budget 0.3 s")

    from dialog.engine import Conversation

    conv = Conversation(kb, can_run_demos=False)
    for q in QUESTIONS:  # warm every code path once
        conv.respond(q)
    lat = []
    for _ in range(8):
        for q in QUESTIONS:
            t0 = time.perf_counter()
            Conversation(kb, can_run_demos=False).respond(q)
            lat.append((time.perf_counter() - t0) * 1000)
    print(f"answer latency, warm: p50 {pct(lat, 50):5.1f} ms  p95 {pct(lat, 95):5.1f} ms  (n={len(lat)})   budget p95 50 ms")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"resident memory (peak, model loaded): {rss:6.0f} MiB   budget 1024 MiB")

    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, "app.py", "ask", "--json", "what does deep mean"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
        runs.append(time.perf_counter() - t0)
        assert p.returncode == 0, p.stderr
    print(f"process start to first answer (`msb ask`, cached index, model loaded): "
          f"median {statistics.median(runs):.2f} s, min {min(runs):.2f} s   budget 2 s")
    t0 = time.perf_counter()
    code = ("import sys,time; sys.path.insert(0,'.'); from knowledge.base import KnowledgeBase;"
            "from dialog.engine import Conversation; kb=KnowledgeBase.load();"
            "print(Conversation(kb).respond('what does deep mean').topic)")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    print(f"process start to first answer, lexical (as the app answers while the model loads): "
          f"{time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
