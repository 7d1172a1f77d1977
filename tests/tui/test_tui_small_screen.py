"""The app at 80×24, in both languages: a chat with a finished demo (its plot and legend on screen
together), the lessons screen asking before it deletes, and the help."""
from __future__ import annotations

import pytest
from conftest import ask, settled, wait_for
from tui_fakes import FakeConversation, FakeRunner

from dialog.transcript import Transcript, Turn
from dialog.tui.app import MsBApp
from dialog.tui.demo_panel import DemoPanel
from dialog.tui.pane import Services
from dialog.tui.prompt import ChatInput
from dialog.startup import conversation

SMALL = (80, 24)


async def still(pilot) -> None:
    """A picture that doesn't depend on the moment: no blinking cursor, nothing left to lay out."""
    prompt = pilot.app.query_one(ChatInput)
    prompt.cursor_blink = False
    prompt.focus()
    await pilot.pause(0.1)


@pytest.mark.parametrize("line", ["/demo ok --epochs 2", "/demo ok --说明 演示"], ids=["en", "zh"])
def test_a_finished_demo_fits_at_80x24(snap_compare, make_app, line):
    app = make_app(runner=FakeRunner())

    async def run(pilot) -> None:
        await settled(pilot, app, 1)
        await ask(pilot, line)
        await wait_for(pilot, lambda: app.query(DemoPanel) and app.query_one(DemoPanel).outcome == "finished")
        await settled(pilot, app, 3)
        app.query_one(DemoPanel).scroll_visible(animate=False, top=True)
        await still(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lessons_screen_asks_before_it_deletes_at_80x24(snap_compare, make_app, tmp_path, lang):
    from dialog.tui.lessons_screen import ConfirmScreen

    t = Transcript(tmp_path / "data")
    t.append(Turn("user", "what does deep mean" if lang == "en" else "深度是什么意思", 1.0))
    t.append(Turn("ms_b", "Layers.", 2.0, "answer", lang, topic="what-deep-means"))
    conv = FakeConversation()
    conv.state.lang = lang  # the conversation so far was in this language
    app = make_app(lang=lang, conv=conv)

    async def run(pilot) -> None:
        await wait_for(pilot, lambda: app.conv is not None)
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: app.screen.query("#lesson-list"))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=SMALL, run_before=run)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_help_reads_at_80x24(snap_compare, lexical_kb, tmp_path, lang):
    services = Services(load_kb=lambda: lexical_kb, start_demo=None, warm_up=False, settle_gc=False,
                        make_conversation=lambda kb: conversation(kb, lang=lang))
    app = MsBApp(data_dir=tmp_path / "data", services=services, typing_seconds=0, lang=lang)

    async def run(pilot) -> None:
        await settled(pilot, app, 1)
        await ask(pilot, "/help")
        await settled(pilot, app, 2)
        await still(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run)
