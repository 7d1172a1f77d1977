"""A long session stays light: the oldest turns fold into one line (never a running demo, never a reply
being typed), the line says how many in the conversation's language, and brings them back in order."""
from __future__ import annotations

import pytest
from conftest import SIZE, settled, wait_for

from dialog.tui import chat as chat_view
from dialog.tui.chat import FoldedTurns
from dialog.tui.messages import BotMessage, PastTurn, UserMessage
from dialog.tui.prompt import ChatInput

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def small_fold(monkeypatch):
    monkeypatch.setattr(chat_view, "KEEP_MOUNTED", 10)
    monkeypatch.setattr(chat_view, "FOLD_STEP", 4)


async def converse(pilot, app, lines: list[str]) -> None:
    """Each line answered before the next (counted on the newest bubble: the oldest fold away)."""
    for line in lines:
        app.query_one(ChatInput).value = line
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query(BotMessage) and app.query(BotMessage).last().finished
                       and app.query(UserMessage).last().text == line, what=f"the answer to {line!r}")


async def test_the_oldest_turns_fold_into_one_line_and_come_back_in_order(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot, app, 1)
        await converse(pilot, app, [f"question number {i}" for i in range(12)])
        await pilot.pause()
        chat = app.pane.chat
        shown = [w for w in chat.children if not isinstance(w, FoldedTurns)]
        assert len(shown) <= 10 + 4
        fold = chat.query_one(FoldedTurns)
        assert chat.children[0] is fold
        folded = len(fold.turns)
        assert folded >= 4 and f"{folded} earlier messages" in str(fold.render())
        assert fold.turns[1].text == "question number 0"  # after the greeting, in order
        expected = [t.text for t in fold.turns[-4:]]  # the ones just before what is on screen
        fold.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(fold.turns) == folded - 4, what="four turns unfolded")
        after = list(chat.children)
        assert after[0] is fold
        assert [w.text for w in after[1:5]] == expected and all(isinstance(w, PastTurn) for w in after[1:5])
        assert f"{folded - 4} earlier messages" in str(fold.render())


async def test_the_folded_line_speaks_chinese_in_a_chinese_conversation(make_app):
    app = make_app(lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot, app, 1)
        await converse(pilot, app, [f"第 {i} 个问题" for i in range(12)])
        await pilot.pause()
        assert "条较早的消息" in str(app.pane.chat.query_one(FoldedTurns).render())


async def test_a_resumed_long_conversation_opens_with_its_oldest_turns_folded(make_app, tmp_path):
    from dialog.transcript import Transcript, Turn

    t = Transcript(tmp_path / "data")
    for i in range(20):
        t.append(Turn("user", f"old question {i}", float(i)))
        t.append(Turn("ms_b", f"old answer {i}", float(i), "answer", "en"))
    app = make_app(resume=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.pane.chat.query(FoldedTurns), what="the folded line")
        fold = app.pane.chat.query_one(FoldedTurns)
        assert [t.text for t in fold.turns[:2]] == ["old question 0", "old answer 0"]
        assert len(app.pane.chat.query(PastTurn)) <= 10


async def test_a_running_demo_is_never_folded_and_a_finished_one_folds_into_its_figures(make_app):
    from tui_fakes import FakeRunner

    from dialog.tui.demo_panel import DemoPanel

    runner = FakeRunner(hold=True)
    app = make_app(runner=runner)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.query(BotMessage) and app.query(BotMessage).last().finished)
        await converse(pilot, app, ["/demo ok --epochs 2"])
        await wait_for(pilot, lambda: app.query(DemoPanel), what="the panel")
        await converse(pilot, app, [f"question number {i}" for i in range(10)])
        panel = app.query_one(DemoPanel)
        assert panel.running and panel.is_attached  # older turns than it stay too: order is kept
        assert not app.pane.chat.query(FoldedTurns) or all("question number 9" != t.text
                                                          for t in app.pane.chat.query_one(FoldedTurns).turns)
        runner.release()
        await wait_for(pilot, lambda: panel.outcome == "finished", what="the demo to finish")
        await converse(pilot, app, [f"more {i}" for i in range(8)])
        assert not panel.is_attached
        fold = app.pane.chat.query_one(FoldedTurns)
        figures = [t for t in fold.turns if t.kind == "figures"]
        assert len(figures) == 1 and "finished" in figures[0].text
