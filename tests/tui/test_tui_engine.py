"""The chat screen on the real engine (lexical search, as before warm-up) and the real runner,
demos in a worker process as in the app (a spawn from inside Textual has its own pitfalls)."""
from __future__ import annotations

import re
from functools import partial

import pytest
from conftest import ask, SIZE, settled, wait_for

from demos.runner import start
from dialog.startup import conversation
from dialog.tui.app import MsBApp
from dialog.tui.pane import Services
from dialog.tui.demo_panel import DemoPanel
from dialog.tui.plots import DemoPlot

pytestmark = pytest.mark.anyio
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def real_app(lexical_kb, tmp_path):
    def make(fast: bool = True, **kwargs):
        services = Services(load_kb=lambda: lexical_kb, make_conversation=lambda kb: conversation(kb),
                            start_demo=partial(start, in_process=False, fast=fast), warm_up=False, settle_gc=False)
        return MsBApp(data_dir=tmp_path / "data", services=services, typing_seconds=0, **kwargs)

    return make


async def test_an_english_question_gets_a_cited_english_answer(real_app):
    app = real_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "what does deep mean in deep learning")
        answer = (await settled(pilot, app, 2))[-1]
        assert answer.reply.kind == "answer" and answer.reply.lang == "en"
        assert answer.reply.sources and answer.query(".sources")
        assert not CJK.search(answer.text.split("*Source")[0])


async def test_a_chinese_question_gets_a_chinese_answer(real_app):
    app = real_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "深度学习中的“深度”是什么意思？")
        answer = (await settled(pilot, app, 2))[-1]
        assert answer.reply.lang == "zh" and answer.reply.kind == "answer"
        assert len(CJK.findall(answer.text)) > 20


async def test_a_real_demo_completes_while_a_question_is_answered_and_ms_b_sums_it_up(real_app):
    app = real_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/demo coordinates --points 200 --steps 80")
        await wait_for(pilot, lambda: app.query(DemoPanel), what="the panel")
        await ask(pilot, "why did deep learning take off now?")
        panel = app.query_one(DemoPanel)
        await wait_for(pilot, lambda: sum(m.finished for m in app.query("BotMessage")) >= 3, timeout=10)
        assert panel.running  # answered while the demo's worker was busy
        answer = app.query("BotMessage")[2]
        assert answer.reply.kind == "answer" and answer.reply.topic
        await wait_for(pilot, lambda: panel.outcome is not None, timeout=30, what="the demo to end")
        assert panel.outcome == "finished"
        assert panel.query(DemoPlot)
        summary = (await settled(pilot, app, 4, timeout=10))[-1]
        assert summary.reply.kind == "demo" and summary.reply.demo == "coordinates"
        assert "100%" in summary.text


async def test_stop_cancels_a_real_paced_demo(real_app):
    app = real_app(fast=False)  # paced: it would run for a while
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/demo coordinates --steps 5000")
        await wait_for(pilot, lambda: app.query(DemoPanel) and app.query_one(DemoPanel).query(DemoPlot),
                       timeout=20, what="the demo to draw")
        await ask(pilot, "/stop")  # paced, 5000 steps would take minutes: a stop is what ends it
        panel = app.query_one(DemoPanel)
        await wait_for(pilot, lambda: panel.outcome == "stopped", timeout=15, what="the stop")
        panel.handle.join(2)


async def test_help_is_short_with_its_keys_and_help_more_renders_the_table(real_app):
    app = real_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/help")
        short = (await settled(pilot, app, 2))[-1]
        assert "Esc" in short.text and "ctrl+l" in short.text and not short.query("MarkdownTable")
        assert short.size.height < SIZE[1] - 8  # its own beginning stays on screen
        await ask(pilot, "/help more")
        table = (await settled(pilot, app, 3))[-1]
        assert "/demo" in table.text and table.query("MarkdownTable")
