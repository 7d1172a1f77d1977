"""Helpers for screen tests: an app wired to fakes (fast), and waiting for the screen to settle."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tui_fakes import FakeConversation, FakeKB, FakeRunner  # noqa: E402

SIZE = (110, 40)


async def ask(pilot, text: str) -> None:
    """Type a line into the prompt and send it, as Mr. A does."""
    from dialog.tui.prompt import ChatInput

    pilot.app.query_one(ChatInput).value = text
    await pilot.press("enter")


async def wait_for(pilot, predicate, timeout: float = 10.0, what: str = "") -> None:
    """Let the app run until predicate() holds; fail with `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


def replies(app) -> list:
    from dialog.tui.messages import BotMessage

    return list(app.query(BotMessage))


async def settled(pilot, app, count: int, timeout: float = 10.0) -> list:
    """Wait until `count` of Ms. B's messages are fully shown; return them all."""
    await wait_for(pilot, lambda: sum(m.finished for m in replies(app)) >= count, timeout,
                   f"{count} finished replies")
    await pilot.pause()
    return replies(app)


@pytest.fixture
def anyio_backend():
    return "asyncio"  # Textual runs on asyncio; test modules mark themselves with pytest.mark.anyio


@pytest.fixture
def runner():
    return FakeRunner()


@pytest.fixture
def make_app(tmp_path, runner):
    """MsBApp on fakes: FakeKB, FakeConversation, FakeRunner, no typing delay, a temp data dir."""
    from dialog.tui.app import MsBApp
    from dialog.tui.pane import Services

    def make(**kwargs):
        conv = kwargs.pop("conv", None) or FakeConversation()

        def factory(kb):
            conv.kb = kb
            return conv

        services = Services(load_kb=kwargs.pop("kb_loader", FakeKB), make_conversation=factory,
                            start_demo=kwargs.pop("runner", runner), warm_up=kwargs.pop("warm_up", True),
                            settle_gc=False)
        options = dict(data_dir=tmp_path / "data", services=services, typing_seconds=0)
        options.update(kwargs)
        app = MsBApp(**options)
        app.fake_conv = conv
        return app

    return make
