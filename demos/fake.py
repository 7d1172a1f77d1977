"""A scripted stand-in for a demo run, beside the real one: front ends and the driver are tested with it
without torch, worker processes or seconds of training."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from demos.core import Demo, DemoRequest, Error, Event, Images, Plot, Progress, Result, Series, Stopped, Text
from demos.errors import DemoError
from demos.run import Run


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


class FakeHandle(Run):
    """Plays a script in a thread, like a real run (the real handle's queue, cancel and end; only the work
    is scripted). A terminal Result or Error waits for `release`, so a test can act while it is going."""

    def __init__(self, demo_id: str, events: list[Event], *, device: str = "cpu", endless: bool = False,
                 interval: float = 0.01, release: threading.Event | None = None) -> None:
        super().__init__(demo_id, device)
        self.release = release or threading.Event()
        if release is None:
            self.release.set()
        self.cancelled = threading.Event()
        threading.Thread(target=self._play, args=(events, endless, interval), daemon=True).start()

    def _play(self, events: list[Event], endless: bool, interval: float) -> None:
        i = 0
        while not self.cancelled.is_set():
            if i < len(events):
                ev, i = events[i], i + 1
                if isinstance(ev, (Result, Error)):
                    while not self.release.wait(0.01):
                        if self.cancelled.is_set():
                            return self._deliver(Stopped())
                    return self._deliver(ev)
                self._deliver(ev)
            elif endless:
                self._deliver(Progress(i, 0, {"loss": 0.5}))
                i += 1
            else:
                return self._deliver(Error("script ended without a result"))
            time.sleep(interval)
        self._deliver(Stopped())

    def _request_stop(self) -> None:
        self.cancelled.set()

    def _force_stop(self) -> None:
        self._deliver(Stopped())


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
