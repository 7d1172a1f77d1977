"""The main screen as a picture: an SVG snapshot, and its key text in both themes."""
from __future__ import annotations

import re
from html import unescape

import pytest
from conftest import SIZE, settled, wait_for

from dialog.tui.prompt import ChatInput

pytestmark = pytest.mark.anyio


async def _question_answered(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.status.text == "ready" and app.sub_title == "device: cpu")
    app.query_one(ChatInput).value = "what does deep mean"
    await pilot.press("enter")
    await settled(pilot, app, 2)
    prompt = app.query_one(ChatInput)
    prompt.cursor_blink = False  # a blinking cursor makes the picture depend on the moment it is taken
    prompt.focus()
    await pilot.pause(0.1)


def screen_text(svg: str) -> str:
    """The characters of an SVG screenshot, in order (Textual writes each run as a <text> element)."""
    return unescape("".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))).replace("\xa0", " ")


def test_the_main_screen_matches_its_snapshot(snap_compare, make_app):
    assert snap_compare(make_app(device="cpu"), terminal_size=SIZE, run_before=_question_answered)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_the_main_screen_shows_title_device_turns_sources_and_keys(make_app, theme):
    app = make_app(device="cpu")
    async with app.run_test(size=SIZE) as pilot:
        app.theme = theme
        await _question_answered(pilot)
        text = screen_text(app.export_screenshot())
        for expected in ("Ms. B — a deep-learning tutor", "device: cpu", "Mr. A", "Ms. B",
                         "what does deep mean", "You asked: what does deep mean", "Sources (1)",
                         "ready", "Quit", "palette"):
            assert expected in text, expected


async def test_sigterm_ends_the_app_as_quitting_does_so_the_terminal_is_restored(make_app):
    import asyncio
    import os
    import signal

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.conv is not None)
        os.kill(os.getpid(), signal.SIGTERM)  # handled by the app's loop: an orderly exit, not a death
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 128 + signal.SIGTERM
    asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)
