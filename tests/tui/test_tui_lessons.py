"""Lessons in the app: a resumed conversation appears whole at once, demo figures included; the lessons
screen reopens an earlier one; the theme is kept."""
from __future__ import annotations

import pytest
from conftest import SIZE, wait_for

from dialog import settings
from dialog.transcript import Transcript, Turn
from dialog.tui.messages import BotMessage, FigureNote, PastTurn

pytestmark = pytest.mark.anyio


def saved(base, n_turns: int, first: str = "what does deep mean") -> Transcript:
    t = Transcript(base)
    for i in range(n_turns):
        t.append(Turn("user", first if i == 0 else f"question {i}", float(i)))
        t.append(Turn("ms_b", f"Answer **{i}**, with a list:\n\n- one\n- two", float(i) + 0.5, "answer", "en",
                      topic="what-deep-means"))
    t.append(Turn("event", "┌── accuracy ──┐\n│ 97.3% │\n└──────────────┘", 999.0, "figures"))
    return t


async def test_resume_shows_a_hundred_turns_whole_at_once_with_the_demo_figures(make_app, tmp_path):
    """All of it in one mount, nothing typed in (bench/tui.py times it: well under a second)."""
    saved(tmp_path / "data", 100)
    app = make_app(resume=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: len(app.query(PastTurn)) >= 200 and app.query(FigureNote))
        await pilot.pause()
        turns = list(app.query(PastTurn))
        assert [t.role for t in turns[:4]] == ["user", "ms_b", "user", "ms_b"]
        assert turns[1].text.startswith("Answer **0**") and not app.query(BotMessage)  # nothing typed in
        assert "97.3%" in app.query_one(FigureNote).text
        turns[-1].focus()
        await pilot.press("ctrl+y")
        assert app.clipboard == turns[-1].text  # a past turn copies as a live one does


async def test_the_lessons_screen_reopens_an_earlier_lesson(make_app, tmp_path):
    first = saved(tmp_path / "data", 2, first="the first lesson's question")
    path = first.path
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.conv is not None)
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: app.screen.query("#lesson-list"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(t.text == "the first lesson's question" for t in app.query(PastTurn)))
        assert app.transcript.path == path  # a question now goes on in that lesson


async def test_a_theme_chosen_is_kept_for_next_time(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
    assert settings.load().theme == "textual-light"
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "textual-light"
