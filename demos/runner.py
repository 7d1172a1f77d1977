"""Runs a demo beside the conversation: in a worker process (the TUI) or in a thread (tests, CLI).

    handle = start_demo("cnn", {"epochs": "5"}, fast=True)
    while not handle.done:
        for event in handle.events(timeout=0.1):
            ...
A run always ends with exactly one terminal event: Result, Error or Stopped.

Training runs in a separate process by default because a busy thread in the UI's process
cut training throughput by two orders of magnitude (see DESIGN.md), a crash there cannot
take the chat down, and a process can be killed when a demo ignores cancellation.
"""
from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.connection
import os
import pickle
import queue
import signal
import sys
import tempfile
import threading
import time
import traceback
import weakref
from typing import Any, Callable

from demos.core import (Cancelled, DemoContext, Error, Event, Images, Plot, Progress, Result, Stopped,
                        Text, get_demo, parse_options)
from demos.device import configure_threads, prefer_passive_waits, resolve_device
from demos.errors import DemoError

TERMINAL = (Result, Error, Stopped)
EVENTS = (Progress, Plot, Images, Text) + TERMINAL
# How long a cancelled demo may take to stop by itself before it is killed (process) or
# abandoned (thread); with the kill itself this keeps the promise of "stopped within ~1 s".
CANCEL_GRACE = 0.8
LANGS = ("en", "zh")
MAX_PACE = 10.0


def start_demo(demo_id: str, options: dict[str, object], *, device: str | None = None,
               lang: str = "en", fast: bool = False, pace: float = 1.0,
               in_process: bool = False) -> DemoHandle:
    """Validate everything here (DemoError for anything the user can fix), then run in the background."""
    demo = get_demo(demo_id)
    config = parse_options(demo.config, dict(options))
    if lang not in LANGS:
        raise DemoError(f"unknown language {lang!r} (languages: {', '.join(LANGS)})")
    try:
        pace = float(pace)
    except (TypeError, ValueError):
        raise DemoError(f"--pace must be a number, got {pace!r}") from None
    if not 0.0 <= pace <= MAX_PACE:
        raise DemoError(f"--pace must be between 0 and {MAX_PACE:g}, got {pace!r}")
    resolved = resolve_device(device)
    handle_cls = _ThreadRun if in_process else _ProcessRun
    handle = handle_cls(demo_id, resolved)
    handle._start(demo, config, dict(device=resolved, lang=lang, fast=bool(fast), pace=pace))
    return handle


class DemoHandle:
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


class _ThreadRun(DemoHandle):
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

# ---------------------------------------------------------------- in a worker process


_live_workers: weakref.WeakSet[_ProcessRun] = weakref.WeakSet()


class _ProcessRun(DemoHandle):
    """A run in a spawned worker process (never forked: the caller has threads).

    Events come back over a pipe that a reader thread drains at once, so the worker rarely
    waits on its caller. The worker is not daemonic (a demo may start processes of its own)
    and leads its own process group, so a kill reaches everything it started.
    """

    def _start(self, demo, config, ctx_args: dict[str, Any]) -> None:
        _start_resource_tracker()
        mp = multiprocessing.get_context("spawn")
        receiver, sender = mp.Pipe(duplex=False)
        self._stop = mp.Event()
        fd, self._log_path = tempfile.mkstemp(prefix="msb-demo-", suffix=".log")
        os.close(fd)
        # Pickled here, unpickled in the worker after it set its threads: importing the
        # demo's module may import torch, and OpenMP reads its settings once, at start.
        payload = pickle.dumps((demo, config))
        self._process = mp.Process(target=_worker_main, name=f"msb-demo-{demo.id}", daemon=False,
                                   args=(payload, ctx_args, sender, self._stop, self._log_path))
        self._process.start()
        sender.close()  # the worker holds the only writer now, so its end is our EOF
        _live_workers.add(self)
        threading.Thread(target=self._read, args=(receiver,), name=f"demo-{demo.id}-reader",
                         daemon=True).start()

    def _read(self, receiver) -> None:
        try:
            while True:
                self._deliver(receiver.recv())
        except (EOFError, OSError):
            pass  # the worker ended (or was killed mid-message)
        except Exception as exc:  # an event that cannot be unpickled here
            self._deliver(Error(f"the {self.demo_id} demo sent something unreadable: {exc}"))
            self._kill()
        finally:
            receiver.close()
        self._process.join(timeout=2.0)
        if self._cancel_requested:
            self._deliver(Stopped())
        else:
            code = self._process.exitcode
            how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
            self._deliver(Error(f"the {self.demo_id} demo's worker process {how} before finishing",
                                _tail(self._log_path)))
        try:
            os.unlink(self._log_path)
        except OSError:
            pass

    def _request_stop(self) -> None:
        self._stop.set()

    def _force_stop(self) -> None:
        if not self._ended.is_set():
            self._kill()
            self._deliver(Stopped())

    def _kill(self) -> None:
        process = self._process
        if process.exitcode is not None or not process.is_alive():
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the worker leads its group (see _detach)
        except (AttributeError, OSError):
            process.kill()  # not yet a group leader, or not POSIX


_tracker_lock = threading.Lock()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker before the first worker, with a real stderr.

    The tracker is spawned with the first worker and is handed sys.stderr's file descriptor; under
    a full-screen app sys.stderr can be a capture object whose fileno() is -1, and the spawn then
    fails with "bad value(s) in fds_to_keep". Started here once, with /dev/null in its place.
    """
    from multiprocessing import resource_tracker

    with _tracker_lock:
        saved = sys.stderr
        try:
            with open(os.devnull, "w") as null:
                sys.stderr = null
                resource_tracker.ensure_running()
        finally:
            sys.stderr = saved


def _worker_main(payload: bytes, ctx_args: dict[str, Any], sender, stop, log_path: str) -> None:
    _detach(log_path)
    _exit_with_parent(stop)
    prefer_passive_waits()
    configure_threads()
    try:
        demo, config = pickle.loads(payload)
    except Exception as exc:
        sender.send(Error(f"the demo could not be loaded in its worker: {exc}", traceback.format_exc()))
        return
    execute(demo, config, send=sender.send, cancelled=stop.is_set, **ctx_args)
    sender.close()


def _detach(log_path: str) -> None:
    """Own process group (so a kill reaches the demo's own children), output to a log file
    (a stray print or warning must not scribble over the chat screen)."""
    if hasattr(os, "setsid"):
        try:
            os.setsid()
        except OSError:
            pass
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)


def _exit_with_parent(stop) -> None:
    """A worker whose caller died (crash, kill -9) stops instead of training on as an orphan."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        stop.set()
        time.sleep(CANCEL_GRACE)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _tail(path: str, limit: int = 4000) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - limit))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


@atexit.register
def _kill_live_workers() -> None:
    # Registered after multiprocessing's own exit hook, so this runs first: that hook joins
    # non-daemonic workers, which would keep a quitting app waiting for a demo to finish.
    for handle in list(_live_workers):
        if not handle._ended.is_set():
            handle._cancel_requested = True
            handle._kill()
        try:
            os.unlink(handle._log_path)  # the reader thread that would remove it dies with us
        except OSError:
            pass
