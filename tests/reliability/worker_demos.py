"""Demos for the worker tests, in a module of their own so a spawned worker can import them."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

from demos.core import Demo, DemoRequest, Progress, Result


@dataclass(frozen=True)
class NoOptions:
    pass


def quick(cfg, ctx) -> None:
    print("a stray print from the demo")  # goes to the worker's log, never to the screen
    ctx.emit(Progress(1, 1))
    ctx.emit(Result({"x": 1}, "done"))


def dying(cfg, ctx) -> None:
    print("about to crash")
    ctx.emit(Progress(1, 2))
    time.sleep(0.2)
    os._exit(3)


def endless(cfg, ctx) -> None:
    ctx.emit(Progress(0, 1))
    while not ctx.cancelled():
        time.sleep(0.05)


def request(run) -> DemoRequest:
    demo = Demo(f"test-{run.__name__}", {"en": "t", "zh": "t"}, {"en": "t", "zh": "t"}, NoOptions, run)
    return DemoRequest(demo, NoOptions(), {})
