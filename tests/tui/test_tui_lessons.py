"""Lessons in the app: a resumed conversation appears whole at once, demo figures included; the lessons
screen reopens an earlier one; the theme is kept."""
from __future__ import annotations

import pytest
from conftest import SIZE, wait_for

from dialog import settings
from dialog.lines import say
from dialog.transcript import Transcript, Turn
from dialog.tui.chat import KEEP_MOUNTED, FoldedTurns
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


async def test_resume_shows_a_lesson_that_fits_whole_at_once_with_the_demo_figures(make_app, tmp_path):
    """As many turns as stay mounted, all in one mount, nothing typed in (bench/tui.py times it: well under a
    second; a longer one opens with its oldest turns folded: test_tui_long.py)."""
    exchanges = KEEP_MOUNTED // 2 - 1  # the figures are one more turn
    saved(tmp_path / "data", exchanges)
    app = make_app(resume=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: len(app.query(PastTurn)) >= 2 * exchanges and app.query(FigureNote))
        assert not app.query(FoldedTurns)
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


async def _open_lessons(pilot, app) -> None:
    await wait_for(pilot, lambda: app.conv is not None)
    await pilot.press("ctrl+l")
    await wait_for(pilot, lambda: app.screen.query("#lesson-list"))
    await pilot.pause()


def _lesson_lines(app) -> list[str]:
    options = app.screen.query_one("#lesson-list")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_the_lessons_list_names_topics_in_words_and_counts_turns(make_app, tmp_path):
    saved(tmp_path / "data", 1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_lessons(pilot, app)
        [line] = _lesson_lines(app)
        assert "(1 turn; What “deep” means)" in line and "what-deep-means" not in line


async def test_delete_asks_first_and_n_keeps_the_lesson(make_app, tmp_path):
    from dialog.tui.lessons_screen import ConfirmScreen

    path = saved(tmp_path / "data", 2).path
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_lessons(pilot, app)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Delete the lesson “what does deep mean” (2 turns)?" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("enter")  # the focused button is Keep: Enter alone deletes nothing
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert path.exists()
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not path.exists())
        assert _lesson_lines(app) == []


async def test_the_open_lesson_is_never_deleted(make_app, tmp_path):
    from dialog.tui.lessons_screen import ConfirmScreen
    from tui_fakes import FakeConversation  # noqa: F401 — the app's own conversation writes the transcript

    saved(tmp_path / "data", 1, first="an older lesson")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.conv is not None)
        await pilot.press(*"what does deep mean", "enter")
        await wait_for(pilot, lambda: app.transcript.path is not None and app.transcript.path.exists())
        await _open_lessons(pilot, app)
        assert "open now" in _lesson_lines(app)[0]
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and app.transcript.path.exists()
        lessons_screen = app.screen
        assert "can't be deleted while it is open" in str(lessons_screen.query_one("#lessons-note").render())
        await pilot.press("down", "d")  # the other lesson: asked about, and the note of the open one is gone
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert str(lessons_screen.query_one("#lessons-note").render()).strip() == ""


async def test_export_asks_where_and_says_where_it_went(make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    saved(tmp_path / "data", 1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_lessons(pilot, app)
        await pilot.press("e")
        box = app.screen.query_one("#rename")
        assert box.display and box.value == str(tmp_path / "what-does-deep-mean.md")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "what-does-deep-mean.md").exists())
        note = str(app.screen.query_one("#lessons-note").render())
        assert f"Exported to {tmp_path / 'what-does-deep-mean.md'}" in note
        await pilot.press("e", "enter")  # the same name again: kept, and the new file says so
        await wait_for(pilot, lambda: (tmp_path / "what-does-deep-mean-2.md").exists())
        assert "is there already, so it is kept" in str(app.screen.query_one("#lessons-note").render())
        await pilot.press("e")
        app.screen.query_one("#rename").value = str(tmp_path)
        await pilot.press("enter")
        await pilot.pause()
        assert "is a folder" in str(app.screen.query_one("#lessons-note").render())


async def test_at_40x12_the_lessons_screen_shows_several_lessons_the_hint_and_where_an_export_went(
        make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for n in range(3):
        saved(tmp_path / "data", 1, first=f"lesson number {n}")
    app = make_app()
    async with app.run_test(size=(40, 12)) as pilot:
        await _open_lessons(pilot, app)
        screen = app.screen
        listed = screen.query_one("#lesson-list")
        assert listed.region.height >= 3 and listed.option_count == 3
        assert screen.query_one("#lessons-help-short").region.height >= 1
        await pilot.press("e")
        box = screen.query_one("#rename")
        assert box.display and 0 < box.region.height and box.region.bottom <= 12
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(tmp_path.glob("lesson-number-*.md")))
        await pilot.pause()
        note = screen.query_one("#lessons-note")
        [written] = tmp_path.glob("lesson-number-*.md")
        assert str(written) in "".join(str(note.render()).split()) and note.region.bottom <= 12


async def test_resume_names_the_lesson_in_words_and_up_recalls_its_lines(make_app, tmp_path):
    from dialog.tui.messages import NoteMessage
    from dialog.tui.prompt import ChatInput

    saved(tmp_path / "data", 3)
    app = make_app(resume=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.query(NoteMessage))
        note = app.query_one(NoteMessage).text
        assert note == "Resumed the lesson “what does deep mean” (3 turns)." and ".jsonl" not in note
        app.query_one(ChatInput).focus()
        await pilot.press("up")
        assert app.query_one(ChatInput).value == "question 2"
        await pilot.press("up", "up")
        assert app.query_one(ChatInput).value == "what does deep mean"


async def test_a_chinese_lesson_reopens_in_chinese_before_and_after_loading(make_app, tmp_path):
    from dialog.tui.messages import NoteMessage
    from dialog.tui.prompt import ChatInput

    t = Transcript(tmp_path / "data")
    t.append(Turn("user", "什么是深度学习？", 1.0))
    t.append(Turn("ms_b", "深度学习是……", 1.5, "answer", "zh", topic="what-deep-means"))
    app = make_app(resume=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.query(NoteMessage))
        assert app.query_one(NoteMessage).text.startswith("已继续课程")
        assert app.query_one(ChatInput).placeholder == say("prompt_placeholder", "zh")
        await wait_for(pilot, lambda: app.conv is not None)
        await pilot.pause()
        assert app.query_one(ChatInput).placeholder == say("prompt_placeholder", "zh")


async def test_a_question_left_unanswered_by_a_kill_is_named_on_resume(make_app, tmp_path):
    from dialog.tui.messages import NoteMessage

    t = saved(tmp_path / "data", 1)
    t.append(Turn("user", "and who came up with dropout?", 5.0))  # then kill -9, before the answer
    app = make_app(resume=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: len(app.query(NoteMessage)) >= 2)
        assert "“and who came up with dropout?”, had no answer yet" in app.query(NoteMessage)[-1].text


async def test_leaving_says_how_to_come_back(make_app, tmp_path):
    older = saved(tmp_path / "data", 1, first="an older lesson").path
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.conv is not None)
        await pilot.press(*"what does deep mean", "enter")
        await wait_for(pilot, lambda: app.transcript.path is not None and app.transcript.path.exists())
        await pilot.press("ctrl+q")
    assert app.farewell().startswith("This conversation is kept:") and "msb --resume" in app.farewell()
    reopened = make_app(lesson=older)
    async with reopened.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert "msb --lesson 2" in reopened.farewell()  # not the newest one: --resume would open another


async def test_leaving_before_a_word_is_said_prints_nothing(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert app.farewell() is None
