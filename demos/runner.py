"""Runs a demo beside the conversation: in a worker process (the TUI) or in a thread (tests, CLI).

    handle = start_demo("cnn", {"epochs": "5"}, fast=True)
    while not handle.done:
        for event in handle.events(timeout=0.1):
            ...
A run always ends with exactly one terminal event: Result, Error or Stopped.

Training runs in a separate process by default because a busy thread in the UI's process
cut training throughput by two orders of magnitude when it was measured, a crash there cannot
take the chat down, and a process can be killed when a demo ignores cancellation.
"""
from __future__ import annotations

from typing import Any

from demos.core import DemoRequest, prepare
from demos.device import AUTO, resolve_device
from demos.errors import DemoError
from demos.logs import use_log_dir
from demos.process_run import ProcessRun, keep_standby

__all__ = ["keep_worker_ready", "start", "start_demo", "use_log_dir"]
from demos.run import Run, ThreadRun

MAX_PACE = 10.0
LANGUAGES = ("en", "zh")  # what a demo's texts are written in


def start(request: DemoRequest, *, device: str | None = None, lang: str = "en", fast: bool = False,
          pace: float = 1.0, in_process: bool = False, resolve_in_worker: bool = False) -> Run:
    """Start a prepared demo in the background: the device is resolved here, once (DemoError when an
    explicit one isn't there); `in_process` runs it in a thread instead of a worker process."""
    if lang not in LANGUAGES:
        raise DemoError(f"unknown language {lang!r} (languages: {', '.join(LANGUAGES)})")
    try:
        pace = float(pace)
    except (TypeError, ValueError):
        raise DemoError(f"--pace must be a number, got {pace!r}") from None
    if not 0.0 <= pace <= MAX_PACE:
        raise DemoError(f"--pace must be between 0 and {MAX_PACE:g}, got {pace!r}")
    if resolve_in_worker and not in_process and device in (None, "auto"):
        resolved = AUTO  # the worker picks the best device: choosing here would import torch into the caller
    else:
        resolved = resolve_device(device)
    handle: Run = ThreadRun(request.demo.id, resolved) if in_process else ProcessRun(request.demo.id, resolved)
    handle._start(request.demo, request.config,
                  dict(device=resolved, lang=lang, fast=bool(fast), pace=pace))
    return handle


def keep_worker_ready(on: bool = True) -> None:
    """From now on keep a worker process up, torch imported, for the next demo to start in at once (the app
    calls this once it is up; a worker that dies is replaced; none is left when the program ends)."""
    keep_standby(on)


def start_demo(demo_id: str, options: dict[str, object], **kwargs: Any) -> Run:
    """prepare() and start() in one call (DemoError for an unknown demo or a bad option)."""
    return start(prepare(demo_id, options), **kwargs)
