"""The one loop that drains a demo run, for every front end: it gathers a frame's events, keeps what a
frame shows, hands them on, and decides how the run ended.

    outcome = drive(handle, show=panel_update, frame=1 / 15)
    outcome.status   # "finished" (with outcome.result), "stopped", or "failed" (with outcome.message)
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Literal, Protocol

from demos.core import Error, Event, Images, Plot, Progress, Result, Stopped

NO_RESULT = "the demo ended without a result"


class DemoHandle(Protocol):
    """A running demo as its caller sees it. The real one comes from demos.runner.start; tests use
    demos.fake.FakeHandle."""

    demo_id: str
    device: str

    def events(self, timeout: float = 0.0) -> list[Event]:
        """The events that arrived, oldest first; waits up to `timeout` for the first one."""
        ...

    def cancel(self) -> None:
        """Ask the run to stop; it has stopped within about a second."""
        ...

    @property
    def done(self) -> bool:
        """Ended, and every event drained."""
        ...

    def join(self, timeout: float | None = None) -> None: ...


@dataclass(frozen=True)
class Outcome:
    demo: str
    status: Literal["finished", "stopped", "failed"]
    result: Result | None = None
    message: str = ""  # why it failed, for the user
    detail: str = ""  # a traceback or the worker's last output, for logs
    figures: tuple[Plot | Images, ...] = ()  # the last state of each plot and image strip, as it ended


def coalesce(events: list[Event]) -> list[Event]:
    """Keep what a frame shows: every Text, the last Progress, the last Plot / Images of each name,
    and the terminal event; in the order each first appeared in the frame, so figures keep the order
    the demo made them in however its events fall into frames (the terminal event stays last)."""
    keep: dict[Any, tuple[int, Event]] = {}
    for i, ev in enumerate(events):
        if isinstance(ev, Progress):
            key: Any = "progress"
        elif isinstance(ev, (Plot, Images)):
            key = (type(ev).__name__, ev.name)
        else:
            key = i
        keep[key] = (keep[key][0] if key in keep else i, ev)
    return [ev for _, ev in sorted(keep.values(), key=lambda p: p[0])]


def outcome_of(demo_id: str, event: Event) -> Outcome | None:
    """The outcome a terminal event means; None for any other event."""
    if isinstance(event, Result):
        return Outcome(demo_id, "finished", result=event)
    if isinstance(event, Error):
        return Outcome(demo_id, "failed", message=event.message, detail=event.detail)
    if isinstance(event, Stopped):
        return Outcome(demo_id, "stopped")
    return None


def drive(handle: DemoHandle, show: Callable[[list[Event]], None], *, frame: float = 0.1,
          stop: Callable[[], bool] = lambda: False) -> Outcome:
    """Drain `handle` until its run ends; each frame's events go to `show`, coalesced unless frame is 0.

    `stop()` is asked every frame; once it is true the run is cancelled and drained to its end.
    Ctrl-C does the same; a second Ctrl-C while it stops raises KeyboardInterrupt.
    """
    cancelled = False
    figures: dict[tuple[str, str], Plot | Images] = {}
    while True:
        if not cancelled and stop():
            handle.cancel()
            cancelled = True
        try:
            events = _frame(handle, frame)
        except KeyboardInterrupt:
            if cancelled:
                raise
            handle.cancel()
            cancelled = True
            continue
        if not events and handle.done:  # drained without a terminal event: outside the runner's contract
            return Outcome(handle.demo_id, "failed", message=NO_RESULT, figures=tuple(figures.values()))
        if events:
            show(coalesce(events) if frame > 0 else events)
        figures.update({(type(e).__name__, e.name): e for e in events if isinstance(e, (Plot, Images))})
        ends = [o for o in (outcome_of(handle.demo_id, e) for e in events) if o is not None]
        if ends:
            return replace(ends[0], figures=tuple(figures.values()))


def _frame(handle: DemoHandle, frame: float) -> list[Event]:
    """The events of one frame: wait for the first, then gather what else arrives before the frame ends,
    so a fast demo costs one redraw a frame."""
    end = time.monotonic() + frame
    events = handle.events(timeout=max(frame, 0.05))
    if events and frame > 0 and outcome_of(handle.demo_id, events[-1]) is None:
        time.sleep(max(0.0, end - time.monotonic()))
        events += handle.events()
    return events
