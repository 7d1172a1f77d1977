"""A demo run in a spawned worker process: the app's choice, so training never competes with the screen
for the interpreter, a crash can't take the chat down, and a demo that ignores cancellation can be killed."""
from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import time
import traceback
import weakref
from typing import Any

from demos import logs
from demos.core import Error, Stopped
from demos.device import AUTO, configure_threads, prefer_passive_waits, resolve_device
from demos.run import CANCEL_GRACE, Run, execute

_live_workers: weakref.WeakSet[ProcessRun] = weakref.WeakSet()
DEVICE_CHOSEN = "device-chosen"  # the worker's message when it picked the device itself
LOG_OPEN = "log-open"  # the worker's first message: its log is open, so its name can go


class ProcessRun(Run):
    """A run in a spawned worker process (never forked: the caller has threads).

    Events come back over a pipe that a reader thread drains at once, so the worker rarely
    waits on its caller. The worker is not daemonic (a demo may start processes of its own)
    and leads its own process group, so a kill reaches everything it started.
    """

    @property
    def pid(self) -> int | None:
        """The worker process's id, once it started."""
        process = getattr(self, "_process", None)
        return process.pid if process is not None else None

    def _start(self, demo, config, ctx_args: dict[str, Any]) -> None:
        payload = pickle.dumps((demo, config))
        spare = _take_standby()
        if spare is not None:  # a worker already up, torch imported: the demo starts at once
            self._process, self._stop, self._log_fd, self._log_path = spare.process, spare.stop, spare.log_fd, \
                spare.log_path
            try:
                spare.orders.send((payload, ctx_args))
                spare.orders.close()
            except (OSError, ValueError):  # it died since: a worker of its own, as without one
                spare.discard()
            else:
                self._adopted(spare.receiver, demo.id)
                return
        _start_resource_tracker()
        mp = multiprocessing.get_context("spawn")
        receiver, sender = mp.Pipe(duplex=False)
        self._stop = mp.Event()
        # The worker's output goes to a log under the cache dir, read back only to explain a crash. Its
        # name is removed as soon as the worker has it open, so nothing is left even after kill -9.
        self._log_fd, self._log_path = logs.new_log()
        # Pickled here, unpickled in the worker after it set its threads: importing the
        # demo's module may import torch, and OpenMP reads its settings once, at start.
        self._process = mp.Process(target=_worker_main, name=f"msb-demo-{demo.id}", daemon=False,
                                   args=(payload, ctx_args, sender, self._stop, self._log_path))
        self._process.start()
        sender.close()  # the worker holds the only writer now, so its end is our EOF
        self._adopted(receiver, demo.id)

    def _adopted(self, receiver, demo_id: str) -> None:
        _live_workers.add(self)
        self._reader = threading.Thread(target=self._read, args=(receiver,), name=f"demo-{demo_id}-reader",
                                        daemon=True)
        self._reader.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait until the run ended and its reader released what the worker held open here (the terminal
        event arrives before the worker's pipe closes)."""
        started = time.monotonic()
        super().join(timeout)
        left = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
        self._reader.join(left)

    def _read(self, receiver) -> None:
        try:
            while True:
                message = receiver.recv()
                if isinstance(message, tuple) and message[:1] == (LOG_OPEN,):
                    logs.remove(self._log_path)
                    continue
                if isinstance(message, tuple) and message[:1] == (DEVICE_CHOSEN,):
                    self.device = message[1]  # the worker chose it (the caller never imported torch)
                    continue
                self._deliver(message)
        except (EOFError, OSError):
            pass  # the worker ended (or was killed mid-message)
        except Exception as exc:  # an event that cannot be unpickled here
            self._deliver(Error(f"the {self.demo_id} demo sent something unreadable: {exc}"))
            self._kill()
        finally:
            receiver.close()
        self._process.join(timeout=2.0)
        if self._process.exitcode is None:  # its pipe closed but it lingers: it is not coming back
            self._kill()
            self._process.join(timeout=2.0)
        if self._cancel_requested:
            self._deliver(Stopped())
        else:
            code = self._process.exitcode
            how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
            self._deliver(Error(f"the {self.demo_id} demo's worker process {how} before finishing",
                                logs.tail(self._log_fd)))
        self._release()

    def _release(self) -> None:
        """Close what the finished worker held open here: its log, its process handle (and the pipe that
        tells of its end), so a long session's descriptors stay flat."""
        logs.remove(self._log_path)
        try:
            os.close(self._log_fd)
        except OSError:
            pass
        if self._process.exitcode is not None:
            try:
                self._process.close()
            except ValueError:
                pass

    def _request_stop(self) -> None:
        self._stop.set()

    def _force_stop(self) -> None:
        if not self._ended.is_set():
            self._kill()
            self._deliver(Stopped())

    def _kill(self) -> None:
        process = self._process
        try:
            if process.exitcode is not None or not process.is_alive():
                return
        except ValueError:  # closed: it ended and was reaped
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
        saved, saved_fd = sys.stderr, None
        try:
            with open(os.devnull, "w") as null:
                sys.stderr = null
                # The tracker inherits descriptor 2 too: what it says as the program ends ("leaked semaphore
                # objects", after a kill -9 or a signal mid-demo) is for no reader, and it cleans them up anyway.
                try:
                    saved_fd = os.dup(2)
                    os.dup2(null.fileno(), 2)
                except OSError:
                    saved_fd = None
                try:
                    resource_tracker.ensure_running()
                finally:
                    if saved_fd is not None:
                        os.dup2(saved_fd, 2)
                        os.close(saved_fd)
        finally:
            sys.stderr = saved


def _worker_main(payload: bytes, ctx_args: dict[str, Any], sender, stop, log_path: str) -> None:
    _detach(log_path)
    sender.send((LOG_OPEN,))
    _exit_with_parent(stop)
    prefer_passive_waits()
    configure_threads()
    _run(payload, ctx_args, sender, stop)


def _run(payload: bytes, ctx_args: dict[str, Any], sender, stop) -> None:
    try:
        demo, config = pickle.loads(payload)
    except Exception as exc:
        sender.send(Error(f"the demo could not be loaded in its worker: {exc}", traceback.format_exc()))
        return
    if ctx_args.get("device") == AUTO:
        ctx_args = {**ctx_args, "device": resolve_device(None)}
        sender.send((DEVICE_CHOSEN, ctx_args["device"]))
    execute(demo, config, send=sender.send, cancelled=stop.is_set, **ctx_args)
    sender.close()


# ---------------------------------------------------------------- a worker waiting for its demo


class Standby:
    """A worker spawned before any demo is asked for: it imports torch in a thread at the lowest priority,
    then sleeps on its pipe (no CPU) until the one demo it will run arrives, which starts at once instead
    of paying the ~2 s of a fresh interpreter and torch. An optimisation only: without one, a demo spawns
    its worker as before. It ends with the app (its pipe closes, or the parent watch sees the app gone)."""

    def __init__(self) -> None:
        _start_resource_tracker()
        mp = multiprocessing.get_context("spawn")
        self.receiver, sender = mp.Pipe(duplex=False)
        orders, self.orders = mp.Pipe(duplex=False)
        self.stop = mp.Event()
        self.log_fd, self.log_path = logs.new_log()
        self.process = mp.Process(target=_standby_main, name="msb-demo-standby", daemon=False,
                                  args=(orders, sender, self.stop, self.log_path))
        self.process.start()
        sender.close()
        orders.close()

    def alive(self) -> bool:
        try:
            return self.process.is_alive()
        except ValueError:
            return False

    def discard(self) -> None:
        """End it (the app leaves, or it died): nothing of it is left behind."""
        for end in (self.orders, self.receiver):
            try:
                end.close()
            except OSError:
                pass
        try:
            if self.process.is_alive():
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)  # it leads its group once it is up (_detach)
                except (AttributeError, OSError):
                    self.process.kill()  # not a group leader yet, or not POSIX
            self.process.join(timeout=2.0)
        except (OSError, ValueError):
            pass
        logs.remove(self.log_path)
        try:
            os.close(self.log_fd)
        except OSError:
            pass


_standby_lock = threading.Lock()
_standby: Standby | None = None
_standby_wanted = False  # the app asked for one: after each demo takes it, the next is made


def keep_standby(on: bool = True) -> None:
    """Keep a worker ready for the next demo from now on (the app calls this once it is up); off ends it."""
    global _standby_wanted, _standby
    with _standby_lock:
        _standby_wanted = on
        spare, _standby = (_standby, None) if not on else (None, _standby)
        if on and _standby is None:
            _standby = Standby()
    if spare is not None:
        spare.discard()


def ready_worker() -> Standby | None:
    """The worker kept ready for the next demo, if there is one now."""
    return _standby


def _take_standby() -> Standby | None:
    global _standby
    with _standby_lock:
        spare, _standby = _standby, None
    if spare is not None and not spare.alive():  # died waiting: replaced quietly
        spare.discard()
        spare = None
    if _standby_wanted:
        threading.Thread(target=_replace_standby, name="demo-standby", daemon=True).start()
    return spare


def _replace_standby() -> None:
    global _standby
    time.sleep(STANDBY_AFTER)  # the demo just started has the machine first
    with _standby_lock:
        if _standby_wanted and _standby is None:
            try:
                _standby = Standby()
            except OSError:
                _standby = None


STANDBY_AFTER = 2.0  # seconds after a demo starts before the next worker is made ready


def _standby_main(orders, sender, stop, log_path: str) -> None:
    _detach(log_path)
    sender.send((LOG_OPEN,))
    _exit_with_parent(stop)
    prefer_passive_waits()
    configure_threads()

    def warm() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # this thread only (Linux)
        except (AttributeError, OSError):
            pass
        try:
            import torch  # the cost a demo's first plot would otherwise wait for
        except ImportError:
            return
        try:
            _first_step(torch)
        except Exception:  # only ever a head start
            pass

    warming = threading.Thread(target=warm, name="warm", daemon=True)
    warming.start()
    try:
        payload, ctx_args = orders.recv()
    except (EOFError, OSError):
        os._exit(0)  # the app left without a demo
    orders.close()
    warming.join()
    _run(payload, ctx_args, sender, stop)


def _first_step(torch) -> None:
    """One training step of a tiny convolutional network: torch's first one pays ~0.8 s of one-time set-up
    (its compute threads, kernels chosen), the rest take milliseconds. Its compute threads are made here,
    at this thread's low priority, so a demo in a ready worker yields the processor to the app's answers."""
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(64, 10))
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    x, y = torch.zeros(8, 1, 8, 8), torch.zeros(8, dtype=torch.long)
    loss = torch.nn.functional.cross_entropy(net(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()


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


@atexit.register
def _kill_live_workers() -> None:
    # Registered after multiprocessing's own exit hook, so this runs first: that hook joins
    # non-daemonic workers, which would keep a quitting app waiting for a demo to finish.
    keep_standby(False)
    for handle in list(_live_workers):
        if not handle._ended.is_set():
            handle._cancel_requested = True
            handle._kill()
        logs.remove(handle._log_path)  # the reader thread that would remove it dies with us
