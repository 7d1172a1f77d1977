"""A demo run as its caller sees it (events to drain, a way to stop it), and the run in a thread.

A run always ends with exactly one terminal event: Result, Error or Stopped.
"""
from __future__ import annotations

import queue
import threading
import time
import traceback
from typing import Any, Callable

from demos.core import Cancelled, DemoContext, Error, Event, Images, Plot, Progress, Result, Stopped, Text
from demos.device import configure_threads
from demos.errors import DemoError

TERMINAL = (Result, Error, Stopped)
EVENTS = (Progress, Plot, Images, Text) + TERMINAL
# How long a cancelled demo may take to stop by itself before it is killed (process) or
# abandoned (thread); with the kill itself this keeps the promise of "stopped within ~1 s".
CANCEL_GRACE = 0.8


class Run:
    """A running demo as its caller sees it: events to drain, a way to stop it."""

    def __init__(self, demo_id: str, device: str) -> None:
        self.demo_id = demo_id
        self.device = device
        self._queue: queue.Queue[Event] = queue.Queue()
        self._lock = threading.Lock()
        self._ended = threading.Event()  # the terminal event is queued
        self._cancel_requested = False

    def events(self, timeout: float = 0.0) -> list[Event]:
        """The events that arrived, oldest first; waits up to timeout for the first one."""
        out: list[Event] = []
        try:
            out.append(self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait())
            while True:
                out.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        return out

    @property
    def done(self) -> bool:
        return self._ended.is_set() and self._queue.empty()

    def join(self, timeout: float | None = None) -> None:
        """Wait until the run ended (its terminal event is queued, maybe not yet drained)."""
        self._ended.wait(timeout)

    def cancel(self) -> None:
        """Ask the demo to stop; it is stopped for good within about a second."""
        if self._ended.is_set() or self._cancel_requested:
            return
        self._cancel_requested = True
        self._request_stop()
        timer = threading.Timer(CANCEL_GRACE, self._force_stop)
        timer.daemon = True
        timer.start()

    # ------------------------------------------------------------ for the backends

    def _deliver(self, event: Event) -> bool:
        """Queue an event of the run; nothing gets through after the terminal one."""
        with self._lock:
            if self._ended.is_set():
                return False
            self._queue.put(event)
            if isinstance(event, TERMINAL):
                self._ended.set()
            return True

    def _start(self, demo, config, ctx_args: dict[str, Any]) -> None:
        raise NotImplementedError

    def _request_stop(self) -> None:
        raise NotImplementedError

    def _force_stop(self) -> None:
        raise NotImplementedError


def execute(demo, config, *, send: Callable[[Event], None], cancelled: Callable[[], bool],
            **ctx_args: Any) -> None:
    """Run a demo to its end in this thread, sending its events and exactly one terminal event.

    Emitting an ordinary event after cancellation raises Cancelled, so a demo that emits
    regularly stops promptly even where it forgot to check.
    """
    ended = False

    def emit(event: Event) -> None:
        nonlocal ended
        if not isinstance(event, EVENTS):
            raise TypeError(f"a demo may emit only events, not {type(event).__name__}")
        if ended:
            return
        if isinstance(event, TERMINAL):
            ended = True
        elif cancelled():
            raise Cancelled()
        send(event)

    ctx = DemoContext(emit=emit, cancelled=cancelled, **ctx_args)
    final: Event | None = None
    try:
        demo.run(config, ctx)
        if not ended:
            final = Stopped() if cancelled() else Error(
                f"the {demo.id} demo ended without a result", "run() returned without emitting Result")
    except Cancelled:
        final = Stopped()
    except Exception as exc:  # a demo's failure is reported, never raised into the caller
        final = Stopped() if cancelled() else error_event(demo.id, ctx.device, exc)
    if final is not None and not ended:
        ended = True
        send(final)


def error_event(demo_id: str, device: str, exc: BaseException) -> Error:
    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if isinstance(exc, DemoError):
        return Error(str(exc), detail)
    if _is_out_of_memory(exc):
        return Error(f"the {demo_id} demo ran out of memory on {device}; try smaller options "
                     f"(fewer points, a smaller batch) or another device", detail)
    return Error(f"the {demo_id} demo failed: {type(exc).__name__}: {exc}", detail)


def _is_out_of_memory(exc: BaseException) -> bool:
    # torch.OutOfMemoryError (cuda), "MPS backend out of memory" (a RuntimeError), MemoryError (cpu)
    return (isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError"
            or "out of memory" in str(exc).lower())

# ---------------------------------------------------------------- in a thread


class ThreadRun(Run):
    """A run in a thread of this process: starts at once; a thread cannot be killed, so a demo
    that ignores cancellation is abandoned (its later events are dropped) after the grace."""

    def _start(self, demo, config, ctx_args: dict[str, Any]) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, args=(demo, config, ctx_args),
                                        name=f"demo-{demo.id}", daemon=True)
        self._thread.start()

    def _main(self, demo, config, ctx_args: dict[str, Any]) -> None:
        try:
            configure_threads()  # torch's thread count is per calling thread
        except Exception as exc:
            self._deliver(error_event(demo.id, ctx_args["device"], exc))
            return
        execute(demo, config, send=self._deliver, cancelled=self._stop.is_set, **ctx_args)

    def join(self, timeout: float | None = None) -> None:
        """Wait until the run ended and, unless it was abandoned, its thread finished."""
        started = time.monotonic()
        super().join(timeout)
        left = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
        if not self._cancel_requested or not self._ended.is_set():
            self._thread.join(left)

    def _request_stop(self) -> None:
        self._stop.set()

    def _force_stop(self) -> None:
        self._deliver(Stopped())

