"""What a front end should do besides showing a reply: typed, so each front end maps a type to a handler."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from demos.core import DemoRequest


@dataclass(frozen=True)
class StartDemo:
    request: DemoRequest  # the demo with its options already checked
    device: str | None = None  # an explicit --device; None: the front end's choice
    alongside: bool = False  # started by name beside a demo that is still running

    @property
    def demo(self) -> str:
        return self.request.demo.id


@dataclass(frozen=True)
class StopDemo:
    pass


@dataclass(frozen=True)
class Save:
    path: str


@dataclass(frozen=True)
class Clear:
    pass


@dataclass(frozen=True)
class Quit:
    pass


Action = Union[StartDemo, StopDemo, Save, Clear, Quit]
