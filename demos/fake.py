"""A scripted stand-in for a demo run, beside the real one: front ends and the driver are tested with it
without torch, worker processes or seconds of training."""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass

from demos.core import Demo, DemoRequest, Error, Event, Images, Plot, Progress, Result, Series, Stopped, Text
from demos.errors import DemoError


@dataclass(frozen=True)
class _NoOptions:
    pass


def fake_request(demo_id: str, options: dict | None = None) -> DemoRequest:
    """A request for a scripted demo ("ok", "fail", "endless", "bad"), which no registry knows."""
    demo = Demo(demo_id, {"en": demo_id, "zh": demo_id}, {"en": "fake", "zh": "假的"},
                _NoOptions, lambda cfg, ctx: None)
    return DemoRequest(demo, _NoOptions(), dict(options or {}))


def script(kind: str, steps: int = 5) -> list[Event]:
    """The events of a scripted run: "ok" ends with a Result, "fail" with an Error, "endless" never ends
    by itself, and any other ends with an Error once its events are played."""
    events: list[Event] = [Text("Watch the **loss** fall.")]
    losses = tuple(1.0 / (j + 1) for j in range(steps))
    for i in range(1, steps + 1):
        events += [Progress(i, steps, {"loss": 1.0 / i, "accuracy": i / steps}, f"epoch {i}/{steps}"),
                   _scatter(i), Plot("loss", "loss", "line", (Series("loss", tuple(range(i)), losses[:i]),))]
    digit = tuple(tuple((r * c % 5) / 4 for c in range(8)) for r in range(8))
    events.append(Images("digits", "test digits", (digit,) * 3, ("7 ✓", "1 ✓", "3 ✗ (8)")))
    if kind == "fail":
        return events[:3] + [Error("the fake demo ran out of memory on cpu")]
    if kind == "ok":
        return events + [Result({"test_accuracy": 0.97, "seconds": 0.5}, "The network learned the digits.")]
    return events


def _scatter(step: int) -> Plot:
    inner = Series("inner", (0.1, -0.2, 0.0), (0.0, 0.1, -0.1), color="blue")
    outer = Series("outer", (1.0, -1.1, 0.0), (0.0, 0.2, 1.0), color="green")
    return Plot("space", f"hidden space, step {step}", "scatter", (inner, outer),
                lines=(((-1.0, 0.5), (1.0, 0.5), "boundary"),))


class FakeHandle:
    """Plays a script in a thread, like a real run: events to drain, cancel honoured at once. A terminal
    Result or Error waits for `release` (so a test can act while the run is still going)."""

    def __init__(self, demo_id: str, events: list[Event], *, device: str = "cpu", endless: bool = False,
                 interval: float = 0.01, release: threading.Event | None = None) -> None:
        self.demo_id, self.device = demo_id, device
        self.release = release or threading.Event()
        if release is None:
            self.release.set()
        self.cancelled = threading.Event()
        self._queue: queue.Queue[Event] = queue.Queue()
        self._ended = threading.Event()
        threading.Thread(target=self._run, args=(events, endless, interval), daemon=True).start()

    def _run(self, events: list[Event], endless: bool, interval: float) -> None:
        i = 0
        while not self.cancelled.is_set():
            if i < len(events):
                ev, i = events[i], i + 1
                if isinstance(ev, (Result, Error)):
                    while not self.release.wait(0.01):
                        if self.cancelled.is_set():
                            return self._finish(Stopped())
                    return self._finish(ev)
                self._queue.put(ev)
            elif endless:
                self._queue.put(Progress(i, 0, {"loss": 0.5}))
                i += 1
            else:
                return self._finish(Error("script ended without a result"))
            time.sleep(interval)
        self._finish(Stopped())

    def _finish(self, ev: Event) -> None:
        self._queue.put(ev)
        self._ended.set()

    def events(self, timeout: float = 0.0) -> list[Event]:
        out: list[Event] = []
        try:
            out.append(self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait())
            while True:
                out.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        return out

    def cancel(self) -> None:
        self.cancelled.set()

    @property
    def done(self) -> bool:
        return self._ended.is_set() and self._queue.empty()

    def join(self, timeout: float | None = None) -> None:
        self._ended.wait(timeout)


class FakeRunner:
    """runner.start's signature over scripted runs: a request's demo id picks the script; "bad" fails to
    start as a bad option would. With hold=True, runs end only after release()."""

    def __init__(self, interval: float = 0.01, hold: bool = False) -> None:
        self.interval = interval
        self.released = threading.Event()
        if not hold:
            self.released.set()
        self.calls: list[tuple] = []
        self.handles: list[FakeHandle] = []

    def __call__(self, request: DemoRequest, *, device: str | None = None, lang: str = "en",
                 **kwargs) -> FakeHandle:
        demo_id = request.demo.id
        self.calls.append((demo_id, dict(request.options), device, lang))
        if demo_id == "bad":
            raise DemoError("--epochs must be between 1 and 50, got '99'")
        handle = FakeHandle(demo_id, script(demo_id), device=device or "cpu", endless=demo_id == "endless",
                            interval=self.interval, release=self.released)
        self.handles.append(handle)
        return handle

    def release(self) -> None:
        self.released.set()
