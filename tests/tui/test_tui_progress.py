"""The learner's record on screen: the greeting says how many reviews are due, `/progress` draws each
topic's standing in words, and a round ends with its summary — in both languages, on the real engine."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from conftest import ask, SIZE, settled
from textual.widgets import Markdown
from tui_fakes import FakeConversation

from dialog.progress import Progress
from dialog.startup import conversation
from dialog.tui.app import MsBApp
from dialog.tui.pane import Services
from dialog.tui.prompt import ChatInput

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def _app(kb, tmp_path, progress, lang=None):
    services = Services(load_kb=lambda: kb, start_demo=None, warm_up=False, settle_gc=False,
                        make_conversation=lambda kb: conversation(kb, lang=lang, progress=progress))
    return MsBApp(data_dir=tmp_path / "data", services=services, typing_seconds=0, lang=lang)


def _failed_before(clock: Clock) -> Progress:
    progress = Progress(None, clock=clock)
    progress.saw_topic("dropout")
    for check in ("dropout-1", "dropout-2"):
        progress.review(check, "dropout", 1, "wrong", "en", "no idea")
    clock.now += timedelta(hours=1)
    return progress


def _shown(message) -> str:
    return "\n".join(str(m.source) for m in message.query(Markdown))


@pytest.mark.parametrize("lang, due, state", [
    ("en", "**2 reviews are due**", "● Dropout — ✗ ✗ · due for review now"),
    ("zh", "**有 2 道题该复习了**", "● Dropout — ✗ ✗ · 现在该复习了"),
])
async def test_the_greeting_says_reviews_are_due_and_the_map_says_where_each_topic_stands(
        lexical_kb, tmp_path, lang, due, state):
    app = _app(lexical_kb, tmp_path, _failed_before(Clock()), lang)
    async with app.run_test(size=SIZE) as pilot:
        shown = await settled(pilot, app, 2)
        assert due in shown[1].reply.text and "/review" in shown[1].reply.text
        await ask(pilot, "/progress")
        record = (await settled(pilot, app, 3))[-1]
        assert state in record.reply.text and "%" not in record.reply.text
        assert "✗ ✗" in _shown(record)


async def test_no_reviews_due_no_second_greeting(make_app):
    conv = FakeConversation()
    conv.progress = Progress(None)
    app = make_app(conv=conv)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot, app, 1)
        await pilot.pause(0.2)
        assert len([m for m in app.query("BotMessage")]) == 1


@pytest.mark.parametrize("lang, line, summary", [
    ("en", "no idea", "That's the round: 0 of 2 right — **Dropout**: learning, again in 1 minute."),
    ("zh", "不知道", "这一轮结束：2 题答对 0 题——**Dropout**：还在学，1 分钟后再考。"),
])
async def test_a_review_round_on_screen_ends_with_its_summary(lexical_kb, tmp_path, lang, line, summary):
    app = _app(lexical_kb, tmp_path, _failed_before(Clock()), lang)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot, app, 2)
        await ask(pilot, "/review")
        first = (await settled(pilot, app, 3))[-1]
        assert ("Question 1 of 2" if lang == "en" else "第 1 题（共 2 题）") in first.reply.text
        await ask(pilot, line)
        await settled(pilot, app, 4)
        await ask(pilot, line)
        end = (await settled(pilot, app, 5))[-1]
        assert summary in end.reply.text


async def _settle_picture(pilot, count: int) -> None:
    app = pilot.app
    await settled(pilot, app, count)
    prompt = app.query_one(ChatInput)
    prompt.cursor_blink = False  # a blinking cursor makes the picture depend on the moment it is taken
    prompt.focus()
    await pilot.pause(0.1)


def _round_reviewed(line: str):
    async def run(pilot) -> None:
        await settled(pilot, pilot.app, 2)
        await ask(pilot, "/review")
        await settled(pilot, pilot.app, 3)
        for n in (4, 5):
            await ask(pilot, line)
            await settled(pilot, pilot.app, n)
        await _settle_picture(pilot, 5)
    return run


async def _map_shown(pilot) -> None:
    await settled(pilot, pilot.app, 2)
    await ask(pilot, "/progress")
    await _settle_picture(pilot, 3)


@pytest.mark.parametrize("lang, line", [("en", "no idea"), ("zh", "不知道")])
def test_a_round_summary_matches_its_snapshot(snap_compare, lexical_kb, tmp_path, lang, line):
    app = _app(lexical_kb, tmp_path, _failed_before(Clock()), lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=_round_reviewed(line))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_progress_map_matches_its_snapshot(snap_compare, lexical_kb, tmp_path, lang):
    app = _app(lexical_kb, tmp_path, _failed_before(Clock()), lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=_map_shown)
