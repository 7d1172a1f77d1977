"""Hostile cases against the command line, each in its own data, cache and config dirs: prints one line per
case (what happened), so a run before and after a change can be compared.

    python bench/hostile.py [--root CHECKOUT] [--only NAME ...]

Some cases need root (a tmpfs for a full disk); they say so and are skipped otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


class Box:
    """One case's own directories and a way to run msb in them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = Path(tempfile.mkdtemp(prefix="msb-hostile-"))
        self.data, self.cache, self.config = self.dir / "data", self.dir / "cache", self.dir / "config"
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HF_HUB_OFFLINE": "1", "LANG": "en_US.UTF-8",
                    "MSB_DATA_DIR": str(self.data), "MSB_CACHE_DIR": str(self.cache),
                    "MSB_CONFIG_DIR": str(self.config)}

    def run(self, args, stdin: bytes = b"", timeout: float = 300, **kw) -> subprocess.CompletedProcess:
        env = {**self.env, **kw.pop("env", {})}
        return subprocess.run([sys.executable, "app.py", *args], cwd=self.root, input=stdin, capture_output=True,
                              timeout=timeout, env=env, **kw)

    def popen(self, args, **kw) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "app.py", *args], cwd=self.root, env=self.env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def rows(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode("utf-8", "replace").splitlines() if line.startswith("{")]


def traceback(p) -> str:
    err = p.stderr.decode("utf-8", "replace") if isinstance(p.stderr, bytes) else p.stderr or ""
    return "TRACEBACK " if "Traceback" in err or "internal error" in err else ""


def sorry(found: list[dict]) -> int:
    return sum(r.get("kind") == "error" and "Sorry" in r.get("reply", "") for r in found)


LINES = [b"what is dropout?", b"tell me more", b"what is a GAN?", b"why?", b"what does deep mean"]


@case
def progress_locked(box: Box) -> str:
    box.run(["chat", "--plain", "--json"], b"what is dropout?\n")  # the progress file exists
    db = box.data / "progress.sqlite3"
    locker = subprocess.Popen([sys.executable, "-c", "import sqlite3,sys; d=sqlite3.connect(sys.argv[1], "
                               "isolation_level=None); d.execute('BEGIN EXCLUSIVE'); print('x', flush=True); "
                               "sys.stdin.read()", str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    locker.stdout.readline()
    start = time.monotonic()
    p = box.run(["chat", "--plain", "--json"], b"\n".join(LINES) + b"\n")
    took = time.monotonic() - start
    locker.stdin.close()
    locker.wait()
    found = rows(p.stdout)
    told = p.stderr.decode().count("isn't being saved")
    return f"{traceback(p)}{len(found)} replies, {sorry(found)} apologies, {took:.1f} s for 5 lines, told {told}x"


@case
def full_disk(box: Box) -> str:
    if os.geteuid() != 0:
        return "skipped (needs root for a tmpfs)"
    box.data.mkdir(parents=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(box.data)]).returncode:
        return "skipped (no tmpfs)"
    try:
        fd = os.open(box.data / "filler", os.O_WRONLY | os.O_CREAT)  # fill it, then leave a few pages
        try:
            while True:
                os.write(fd, b"x" * 4096)
        except OSError:
            pass
        os.close(fd)
        os.truncate(box.data / "filler", max(0, os.path.getsize(box.data / "filler") - 40_000))
        lines = b"".join(b"what is dropout?\ntell me more\nwhat is a GAN?\nwhy?\nquiz me\n" for _ in range(10))
        p = box.run(["chat", "--plain", "--json"], lines)
        found = rows(p.stdout)
        err = p.stderr.decode()
        return (f"{traceback(p)}{len(found)} replies to 50 lines, {sorry(found)} apologies; told: "
                f"progress {err.count('progress isn')}x, transcript {err.count('transcript can')}x")
    finally:
        subprocess.run(["umount", "-l", str(box.data)])


@case
def argv_bytes(box: Box) -> str:
    p = box.run([b"ask", b"what is \xff dropout?"])
    q = box.run([b"ask", b"--json", b"\xe6\xb7\xb1\xff"])
    return f"{traceback(p)}{traceback(q)}rc {p.returncode}/{q.returncode}"


@case
def ascii_locale(box: Box) -> str:
    env = {"PYTHONUTF8": "0", "LC_ALL": "C", "LANG": "C"}
    p = box.run(["ask", "深度是什么意思"], env=env)
    q = box.run(["ask", "--json", "what is dropout?"], env=env)
    return f"{traceback(p)}{traceback(q)}rc {p.returncode}/{q.returncode}, {len(rows(q.stdout))} JSON"


@case
def closed_streams(box: Box) -> str:
    out = []
    for args, fd in ((["chat", "--plain"], 0), (["ask", "what is dropout?"], 0), (["ask", "what is dropout?"], 1),
                     (["lessons"], 1)):
        p = subprocess.run([sys.executable, "app.py", *args], cwd=box.root, env=box.env, capture_output=fd != 1,
                           stderr=subprocess.PIPE if fd == 1 else None, timeout=120,
                           preexec_fn=lambda fd=fd: os.close(fd))
        out.append(f"{traceback(p)}{' '.join(args)} <{'&-' if fd == 0 else ''}{'>&-' if fd == 1 else ''}: "
                   f"rc {p.returncode}")
    return "; ".join(out)


@case
def settings_bytes(box: Box) -> str:
    box.config.mkdir(parents=True)
    (box.config / "settings.yaml").write_bytes(b"theme: nord\nlang: \xff\n")
    p = box.run(["ask", "what is dropout?"])
    (box.config / "settings.yaml").write_text("embedder: /no/such/model\n", encoding="utf-8")
    q = box.run(["ask", "what is dropout?"])
    named = "settings.yaml line" in q.stderr.decode()
    return f"{traceback(p)}{traceback(q)}non-UTF-8: rc {p.returncode}; bad embedder: rc {q.returncode}, " \
           f"{'named with its line' if named else 'not named'}"


@case
def lessons_bytes(box: Box) -> str:
    box.run(["chat", "--plain"], b"what is dropout?\n")
    files = list((box.data / "transcripts").glob("*.jsonl"))
    with open(files[0], "a", encoding="utf-8") as f:
        f.write(json.dumps({"role": "user", "text": "bad \udcff byte"}) + "\n")
    results = [box.run(args) for args in (["lessons", "show", "1"], ["lessons", "export", "1", str(box.dir / "x.md")],
                                          [b"lessons", b"rename", b"1", b"caf\xe9"])]
    return " ".join(f"{traceback(p)}rc {p.returncode}" for p in results)


@case
def file_name_bytes(box: Box) -> str:
    src = box.dir / os.fsdecode(b"doc-\xff.md")
    src.write_text("# Doc\n\n## Zorblax\n\nThe zorblax halves the rate.\n", encoding="utf-8")
    p = box.run(["index", "add", os.fsencode(src)])
    manifest = box.data / "documents" / "sources.json"
    return f"{traceback(p)}rc {p.returncode}, manifest {'written' if manifest.exists() else 'missing'}"


@case
def same_instant_transcripts(box: Box) -> str:
    code = ("import sys, time; sys.path.insert(0, '.'); from pathlib import Path; from dialog.transcript import "
            "Transcript, Turn; t0 = float(sys.argv[2]); time.sleep(max(0, t0 - time.time())); "
            "t = Transcript(Path(sys.argv[1]))\nfor i in range(12): t.append(Turn('user', f'{sys.argv[3]}-{i}', 0.0))")
    shared = lost = 0
    for trial in range(30):
        base = box.dir / f"t{trial}"
        at = str(time.time() + 0.5)
        procs = [subprocess.Popen([sys.executable, "-c", code, str(base), at, str(n)], cwd=box.root)
                 for n in range(2)]
        for pr in procs:
            pr.wait()
        files = list((base / "transcripts").glob("*.jsonl"))
        shared += len(files) < 2
        lost += 24 - sum(len(f.read_text().splitlines()) for f in files)
    return f"shared a file in {shared}/30 trials, lost {lost}/720 lines"


@case
def demo_logs(box: Box) -> str:
    before = set(Path(tempfile.gettempdir()).glob("msb-demo-*.log"))
    p = box.popen(["chat", "--plain", "--json"])
    p.stdin.write(b"/demo coordinates --points 20000 --steps 5000\n")
    p.stdin.flush()
    p.stdout.readline()  # the demo is under way
    time.sleep(3)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    time.sleep(2)
    left = set(Path(tempfile.gettempdir()).glob("msb-demo-*.log")) - before
    left |= set((box.cache / "demo-logs").glob("*.log")) if (box.cache / "demo-logs").exists() else set()
    for f in left:
        f.unlink()
    return f"{len(left)} log(s) left after kill -9 mid-demo"


@case
def umask_077(box: Box) -> str:
    old = os.umask(0o077)
    try:
        box.run(["chat", "--plain"], f"what is dropout?\n/save {box.dir / 'talk.md'}\n".encode())
    finally:
        os.umask(old)
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in [box.dir / "talk.md", *box.data.rglob("*")]
             if p.is_file()}
    return ", ".join(f"{k} {v}" for k, v in sorted(modes.items())[:4])


@case
def jieba_cache_types(box: Box) -> str:
    import marshal

    box.run(["ask", "深度是什么意思"])
    for path in box.cache.glob("jieba-*.marshal"):
        freq, total = marshal.loads(path.read_bytes())
        path.write_bytes(marshal.dumps(({k: str(v) for k, v in freq.items()}, total)))
    p = box.run(["ask", "--json", "深度是什么意思"])
    q = box.run(["ask", "--json", "深度是什么意思"])
    return f"{traceback(p)}{traceback(q)}{[r['kind'] for r in rows(p.stdout) + rows(q.stdout)]}"


@case
def zero_vectors(box: Box) -> str:
    import numpy as np

    doc = box.dir / "zorblax.md"
    doc.write_text("# Z\n\n## Zorblax optimiser\n\nThe zorblax optimiser halves the learning rate at full moon.\n")
    box.run(["index", "add", str(doc)])
    for path in [*box.cache.glob("vectors-*.npz"), *box.cache.glob("vectors-*-parts/*.npz")]:
        with np.load(path) as d:
            arrays = {k: d[k] for k in d.files}
        arrays["vectors"] = np.zeros_like(arrays["vectors"])
        with open(path, "wb") as f:
            np.savez(f, **arrays)
    p = box.run(["ask", "--json", "what does the zorblax optimiser do?"])
    found = rows(p.stdout)
    return f"{traceback(p)}kind {found[0]['kind'] if found else '-'}, " \
           f"{'cites it' if found and 'user:' in json.dumps(found[0]['sources']) else 'not found'}"


@case
def devices_and_fifos(box: Box) -> str:
    fifo = box.dir / "pipe.md"
    os.mkfifo(fifo)
    p = box.run(["index", "add", "/dev/zero", str(fifo)], timeout=60)
    return " | ".join(line for line in p.stderr.decode().splitlines() if "skipped" in line)


@case
def killed_add(box: Box) -> str:
    doc = box.dir / "big.md"
    doc.write_text("# Big\n\n" + "".join(f"## Part {i}\n\nThe zorblax {i} halves the rate at moon {i}.\n\n"
                                       for i in range(1500)), encoding="utf-8")
    p = box.popen(["index", "add", str(doc)])
    time.sleep(25)
    p.send_signal(signal.SIGKILL)
    p.wait()
    start = time.monotonic()
    a = box.run(["ask", "--json", "what does the zorblax do?"], timeout=300)
    ask_took = time.monotonic() - start
    names = sorted(x.name for x in (box.data / "documents").iterdir()) if (box.data / "documents").exists() else []
    start = time.monotonic()
    again = box.run(["index", "add", str(doc)], timeout=900)
    took = time.monotonic() - start
    final = sorted(x.name for x in (box.data / "documents").iterdir())
    first = next((ln for ln in again.stderr.decode().splitlines() if "/" in ln and "passages" in ln), "")
    return (f"after kill: ask {ask_took:.0f} s (rc {a.returncode}), folder {names}; re-add {took:.0f} s "
            f"(rc {again.returncode}; {first.split(': ')[-1] if first else 'no progress shown'}), folder {final}")


@case
def cold_starts(box: Box) -> str:
    folder = box.dir / "notes"
    folder.mkdir()
    for i in range(100):
        (folder / f"doc{i}.md").write_text(f"# Doc {i}\n\n## Zorblax {i}\n\nThe zorblax {i} halves the rate.\n\n"
                                           f"## Quux {i}\n\nQuux {i} doubles it.\n", encoding="utf-8")
    box.run(["index", "add", str(folder)], timeout=900)
    for path in [*box.cache.glob("vectors-*.npz"), *box.cache.glob("vectors-*-parts")]:
        shutil.rmtree(path) if path.is_dir() else path.unlink()  # every start must embed again
    start = time.monotonic()
    procs = [box.popen(["ask", "--json", "what does zorblax 7 do?"]) for _ in range(5)]
    outs = [pr.communicate(timeout=900) for pr in procs]
    took = time.monotonic() - start
    answered = sum(bool(rows(o)) and rows(o)[0]["kind"] == "answer" for o, _ in outs)
    return f"5 starts together after the cache was cleared: {took:.0f} s, {answered}/5 answered"


@case
def parallel_chats(box: Box) -> str:
    lines = b"".join(b"what is dropout?\ntell me more\nquiz me\nit prevents overfitting\n" for _ in range(5))
    procs = [box.popen(["chat", "--plain", "--json"]) for _ in range(5)]
    outs = [pr.communicate(lines, timeout=600) for pr in procs]
    replies = sum(len(rows(o)) for o, _ in outs)
    kept = sum(len(f.read_text(encoding="utf-8").splitlines()) for f in (box.data / "transcripts").glob("*.jsonl"))
    bad = sum("Traceback" in e.decode() for _, e in outs)
    return f"{'TRACEBACK ' if bad else ''}5 chats x 20 lines: {replies} replies, {kept} transcript lines " \
           f"(want >= 200), {sum(sorry(rows(o)) for o, _ in outs)} apologies"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=str(ROOT))
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    for name, fn in CASES.items():
        if args.only and name not in args.only:
            continue
        box = Box(Path(args.root))
        try:
            outcome = fn(box)
        except Exception as exc:  # noqa: BLE001 — a case that breaks is a result too
            outcome = f"case failed: {type(exc).__name__}: {exc}"
        finally:
            box.close()
        print(f"{name:26} {outcome}", flush=True)


if __name__ == "__main__":
    main()
