"""How the chat app's process is tuned so the screen stays responsive beside the model.

Each function is measured on this project's 2-core machine; none imports anything heavy.
"""
from __future__ import annotations

import gc
import sys
from typing import Any


def prime(kb: Any) -> None:
    """One search per language, so the first question does not pay for loading the Chinese
    word segmenter or for the model's first forward pass."""
    search = getattr(kb, "search", None)
    if search is None:
        return
    try:
        search("what does deep mean", "en", k=1)
        search("深度是什么意思", "zh", k=1)
    except Exception:  # priming is an optimisation; a real question will report a real problem
        pass


def single_threaded_torch() -> None:
    """Give the calling thread one torch thread (torch keeps the count per thread).

    Answering embeds one short sentence; with torch's default of a thread per core, the
    helper thread fights whatever else is busy (a demo training, another program). Measured
    under load: p50 565 ms, p95 994 ms a question; with one thread 27 ms and 32 ms. Torch
    is never imported here just for this, and while another thread is still importing it
    (the warm-up) it is left alone: nothing of it runs in an answer until that is done.
    """
    torch = sys.modules.get("torch")
    if torch is None or getattr(getattr(torch, "__spec__", None), "_initializing", False):
        return
    set_threads = getattr(torch, "set_num_threads", None)
    if set_threads is not None:
        set_threads(1)


def settle_gc() -> None:
    """Keep the garbage collector's pauses short once the model is loaded.

    The model's libraries leave ~475k objects that every full collection walks: measured
    under load, 14 full collections in 20 questions took up to 1 s each, and the screen
    stood still meanwhile. Frozen, those objects are never walked again, and full
    collections become rare (the UI's own garbage is young and dies young): after this
    no full collection ran in the same 20 questions, young ones took at most 24 ms.
    """
    gc.freeze()
    gc.set_threshold(700, 10, 1000)
