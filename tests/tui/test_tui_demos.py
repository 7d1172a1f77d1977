"""Demos inside the conversation, on a fake runner: live panel, completion, stop, failure, one at a time."""
from __future__ import annotations

import threading

import pytest
from conftest import ask, SIZE, settled, wait_for
from rich.cells import cell_len
from textual.app import App
from textual.widgets import ProgressBar
from tui_fakes import FakeRunner

from demos.core import Images, Plot, Progress, Result, Series
from demos.driver import coalesce
from demos.errors import DemoError
from dialog.tui.demo_panel import DemoPanel, FigureGate
from dialog.view.figures import metrics_line
from dialog.tui.messages import NoteMessage
from dialog.tui.plots import DemoFigure, DemoImages, DemoPlot, per_row_for, render_images
from dialog.tui.prompt import ChatInput

pytestmark = pytest.mark.anyio


def panel_of(app) -> DemoPanel:
    return app.query_one(DemoPanel)


async def test_a_demo_runs_in_a_panel_and_ms_b_sums_it_up_while_the_chat_goes_on(make_app):
    runner = FakeRunner(hold=True)
    app = make_app(runner=runner)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/demo ok --epochs 2")
        await wait_for(pilot, lambda: app.query(DemoPanel), what="the panel")
        await ask(pilot, "a question during the demo")
        await wait_for(pilot, lambda: any(m.text.startswith("You asked: a question during") for m in
                                          app.query("BotMessage") if m.finished), what="an answer during the demo")
        assert panel_of(app).running  # answered while the demo was still going
        runner.release()
        await wait_for(pilot, lambda: panel_of(app).outcome == "finished", timeout=5, what="the demo to finish")
        panel = panel_of(app)
        assert runner.calls[0][:2] == ("ok", {"epochs": "2"})
        assert panel.query_one(".demo-device").render().plain == "device: cpu"
        bar = panel.query_one(ProgressBar)
        assert bar.progress == bar.total
        plots = {p.plot.name: p for p in panel.query(DemoPlot)}
        assert set(plots) == {"space", "loss"}  # one widget per name, redrawn in place
        assert plots["space"].plot.title == "hidden space, step 5"
        captions = {f.plot.name: f.query_one(".plot-title").render().plain for f in panel.query(DemoFigure)}
        # Title and key sit under the plot, so a narrow plot keeps them and points stay uncovered.
        assert captions["space"].replace("\u00a0", " ").splitlines() == [
            "hidden space, step 5", "● inner  ● outer  ━ boundary"]
        assert "7 ✓" in panel.query_one(DemoImages).render().plain
        assert panel.texts == ["Watch the **loss** fall."]
        summary = (await settled(pilot, app, 4))[-1]
        assert summary.text.startswith("The network learned the digits.")
        assert app.fake_conv.finished == [("ok", {"test_accuracy": 0.97, "seconds": 0.5},
                                           "The network learned the digits.")]


async def test_escape_stops_a_running_demo(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/demo endless")
        await wait_for(pilot, lambda: app.query(DemoPanel) and panel_of(app).handle is not None)
        assert app.demo_running
        await pilot.press("escape")  # the demo never ends by itself: only the stop can end it
        await wait_for(pilot, lambda: panel_of(app).outcome == "stopped", timeout=10, what="the stop")
        assert not app.demo_running
        notes = [n.text for n in app.query(NoteMessage)]
        assert notes == ["Demo stopped: endless."]


async def test_ctrl_c_stops_a_running_demo_and_the_app_goes_on(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/demo endless")
        await wait_for(pilot, lambda: app.query(DemoPanel) and panel_of(app).handle is not None)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: panel_of(app).outcome == "stopped", timeout=10, what="the stop")
        assert app.return_code is None and not app.demo_running  # a stop, not a quit
        await pilot.press("ctrl+c")  # nothing runs: Textual's own line on how to quit, still no quit
        await pilot.pause()
        assert app.return_code is None and any("ctrl+q" in n.text for n in app.notices)


async def test_slash_stop_stops_the_running_demo(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/demo endless")
        await wait_for(pilot, lambda: app.query(DemoPanel) and panel_of(app).handle is not None)
        await ask(pilot, "/stop")
        await wait_for(pilot, lambda: panel_of(app).outcome == "stopped", timeout=2, what="the stop")
        assert panel_of(app).handle.cancelled.is_set()


async def test_stop_with_no_demo_running_says_so(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/stop")
        assert (await settled(pilot, app, 2))[-1].text == "No demo is running right now."


async def test_a_second_demo_asked_for_in_words_waits_and_ms_b_says_how_to_stop_or_force_it(make_app, runner):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/demo endless")
        await wait_for(pilot, lambda: app.query(DemoPanel) and panel_of(app).handle is not None)
        await ask(pilot, "show me ok")
        note = (await settled(pilot, app, 3))[-1].text
        assert "still running" in note and "/stop" in note and "Esc" in note and "/demo ok" in note
        assert [c[0] for c in runner.calls] == ["endless"] and len(app.query(DemoPanel)) == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.demo_running, timeout=2)
        await ask(pilot, "show me ok")  # after stopping, asking again works
        await wait_for(pilot, lambda: [c[0] for c in runner.calls] == ["endless", "ok"])


async def test_a_second_demo_asked_for_by_name_runs_beside_the_first_and_esc_stops_both(make_app, runner):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/demo endless")
        await wait_for(pilot, lambda: app.query(DemoPanel) and panel_of(app).handle is not None)
        await ask(pilot, "/demo endless --seed 2")
        reply = (await settled(pilot, app, 3))[-1].text
        assert "beside" in reply and "stops them all" in reply
        await wait_for(pilot, lambda: len(runner.handles) == 2, what="the second demo")
        panels = list(app.query(DemoPanel))
        await wait_for(pilot, lambda: all(p.handle is not None for p in panels))
        await pilot.press("escape")
        await wait_for(pilot, lambda: all(p.outcome == "stopped" for p in panels), timeout=2, what="both stopped")
        assert all(h.cancelled.is_set() for h in runner.handles)


async def test_a_failing_demo_shows_an_error_and_the_chat_goes_on(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/demo fail")
        await wait_for(pilot, lambda: app.query(DemoPanel) and panel_of(app).outcome == "failed", timeout=3)
        assert "ran out of memory" in panel_of(app).query_one(".demo-status").render().plain
        await wait_for(pilot, lambda: any(n.severity == "error" and "ran out of memory" in n.text
                                          for n in app.notices), what="the error notice")
        error_reply = (await settled(pilot, app, 3))[-1]
        assert "stopped with a problem" in error_reply.text
        assert app.fake_conv.failed == [("fail", "the fake demo ran out of memory on cpu")]
        await ask(pilot, "still talking?")
        assert (await settled(pilot, app, 4))[-1].text.startswith("You asked: still talking?")
        assert isinstance(app.focused, ChatInput)


async def test_a_demo_the_runner_refuses_fails_cleanly(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/demo bad")
        await wait_for(pilot, lambda: app.query(DemoPanel) and panel_of(app).outcome == "failed", timeout=3)
        assert any("--epochs must be between" in n.text for n in app.notices)
        assert not app.demo_running


async def test_the_stop_binding_shows_only_while_a_demo_runs(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.check_action("stop_demo", ()) is None
        await ask(pilot, "/demo endless")
        await wait_for(pilot, lambda: app.demo_running)
        assert app.check_action("stop_demo", ()) is True


def test_a_frame_keeps_every_text_and_only_the_latest_progress_and_plot_of_each_name():
    line = lambda name, n: Plot(name, name, "line", (Series("s", (0.0,), (float(n),)),))  # noqa: E731
    events = [Progress(1, 9), line("a", 1), Progress(2, 9), line("b", 1), line("a", 2), Progress(3, 9)]
    kept = coalesce(events)
    # Each where it first appeared: "a" before "b" as the demo made them, whatever the frame's timing.
    assert kept == [Progress(3, 9), line("a", 2), line("b", 1)]


def test_metrics_read_as_short_words_and_numbers():
    # The panel writes a number as the terminal and the summaries do: an accuracy is a percentage.
    assert metrics_line({"test_accuracy": 0.97312, "epoch": 3, "device": "cpu", "ok": True}) == \
        "test accuracy 97.3% · epoch 3"


def test_digits_wrap_to_as_many_per_row_as_the_width_holds():
    digit = tuple(tuple((r + c) % 5 / 4 for c in range(8)) for r in range(8))
    images = Images("digits", "", (digit,) * 8, tuple(f"pred {i} / true {i}" for i in range(8)))
    for width in (40, 80, 106, 200):
        per_row = per_row_for(images, width)
        lines = render_images(images, per_row=per_row).plain.splitlines()
        assert max(len(line) for line in lines) <= width
        assert per_row == min(8, (width + 2) // 18)  # 16 columns an image, 2 between
        assert sum(line.count("pred") for line in lines) == 8  # none cut off


async def test_chinese_labels_go_under_the_plot_and_its_frame_stays_straight():
    plot = Plot("p", "网络学到的表示", "scatter",
                (Series("内圈：圆圈", (0.0, 1.0, 0.5), (0.0, 1.0, 0.2), "blue", "●"),
                 Series("外圈：三角形", (2.0, -1.0), (1.0, 0.5), "green", "▲")),
                x_label="半径 r", y_label="y", lines=(((0.0, 0.0), (1.0, 1.0), "最好的直线"),))

    class Harness(App):
        def compose(self):
            yield DemoFigure(plot)

    async with Harness().run_test(size=(50, 24)) as pilot:
        figure = pilot.app.query_one(DemoFigure)
        rows = figure.query_one(DemoPlot).render().plain.splitlines()
        assert len({cell_len(row) for row in rows}) == 1  # no wide character inside the frame
        assert not any("内圈" in row or "半径" in row for row in rows)
        key = figure.query_one(".plot-title").render().plain.replace("\u00a0", " ")
        for words in ("网络学到的表示", "● 内圈：圆圈", "▲ 外圈：三角形", "━ 最好的直线", "半径 r"):
            assert words in key


def test_a_figure_is_redrawn_at_most_every_quarter_second_and_its_latest_state_is_never_lost():
    line = lambda n: Plot("loss", "loss", "line", (Series("s", (0.0,), (float(n),)),))  # noqa: E731
    gate = FigureGate(0.25)
    assert gate.admit([Progress(1, 9), line(1)], now=0.0) == [Progress(1, 9), line(1)]  # first drawing at once
    assert gate.admit([Progress(2, 9), line(2)], now=0.1) == [Progress(2, 9)]  # too soon: held
    assert gate.admit([line(3)], now=0.2) == []  # the newer one replaces the held one
    assert gate.admit([], now=0.3) == [line(3)]  # released once its time has come
    assert gate.admit([line(4)], now=0.4) == []
    assert gate.admit([Result({}, "done")], now=0.41, final=True) == [line(4), Result({}, "done")]


async def test_the_status_line_follows_a_running_demo_and_a_click_brings_it_back(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/demo endless")
        await wait_for(pilot, lambda: "% · loss" in app.status.text, what="the run's figures")
        assert app.status.text.startswith("demo running: endless ") and "Esc stops it" in app.status.text
        for i in range(6):  # the conversation goes on; the panel scrolls out of view
            await ask(pilot, f"a question about depth, number {i}, long enough to take a few lines on screen")
        chat = app.query_one("#chat")
        await wait_for(pilot, lambda: not panel_of(app).region.overlaps(chat.region), what="the panel out of view")
        await pilot.click("#status")
        await wait_for(pilot, lambda: panel_of(app).region.overlaps(chat.region), what="the panel back in view")
        await pilot.press("escape")


@pytest.mark.parametrize("width", [40, 60, 74, 140])
def test_the_status_line_drops_whole_items_never_cuts_a_number(width):
    from rich.cells import cell_len

    from dialog.tui.pane import running_line

    items = ["cnn 45%", "epoch 3", "loss 0.3124", "test accuracy 97.3%", "training time 1.26 s"]
    line = running_line(items, "en", width)
    assert cell_len(line) <= width and line.startswith("demo running: cnn 45%")
    shown = line.removeprefix("demo running: ").split(" — ")[0].removesuffix(" …").split(" · ")
    assert shown == items[:len(shown)]  # each item whole, in order
    assert ("Esc stops it" in line) == (width >= 140)  # the hint goes before the numbers do


async def test_before_its_first_step_a_demo_says_it_is_preparing_not_zero_percent():
    started = threading.Event()  # the run is held at its start; the test sends the panel its events

    def start():
        started.wait(10)
        raise DemoError("the test is over")

    panel = DemoPanel("coordinates", "Coordinates", start, lang="en")

    class Harness(App):
        def compose(self):
            yield panel

    async def told(events) -> None:
        panel.post_message(DemoPanel.Events(events))
        await pilot.pause()

    async with Harness().run_test() as pilot:
        assert panel.summary_items == ["coordinates (starting…)"]
        await told([])
        assert panel.summary_items == ["coordinates (preparing…)"]
        await told([Progress(0, 10, stage="drawing the rings")])
        assert panel.summary_items == ["coordinates (drawing the rings)"]
        await told([Progress(45, 100, {"loss": 0.31})])
        assert panel.summary == "coordinates 45% · loss 0.31"
        started.set()


@pytest.mark.parametrize("size, body", [((80, 24), 9), ((120, 40), 15)])
async def test_on_a_short_screen_a_plot_fits_with_its_key(make_app, size, body):
    app = make_app(runner=FakeRunner())
    async with app.run_test(size=size) as pilot:
        await ask(pilot, "/demo ok --epochs 2")
        await wait_for(pilot, lambda: app.query(DemoPanel) and panel_of(app).outcome == "finished", timeout=5)
        await pilot.pause()
        figure = panel_of(app).query(DemoFigure).first()
        assert figure.query_one(DemoPlot).size.height == body
        assert figure.size.height <= app.chat.size.height  # the plot and its caption on screen at once
