"""Terminal rendering: every event type draws without error, in order, with what a reader needs."""
from __future__ import annotations

import io

import pytest
from rich.console import Console

from demos.core import Error, Images, Plot, Progress, Result, Series, Stopped, Text
from dialog.terminal.demo_view import Renderer
from dialog.view.figures import format_metric, images_text, legend_text, metric_label, metrics_line, plot_text

SCATTER = Plot("xy", "two rings", "scatter", (
    Series("inner", (0.0, 0.1, -0.1), (0.0, 0.1, 0.1), color="blue", marker="●"),
    Series("outer", (2.0, -2.0, 0.0), (0.0, 0.0, 2.0), color="green", marker="▲")),
    x_label="x", y_label="y", lines=(((-1.0, -2.5), (1.0, 2.5), "best line"),),
    x_lim=(-2.5, 2.5), y_lim=(-2.5, 2.5))
CURVES = Plot("curves", "loss per epoch", "line", (Series("loss", (1.0, 2.0, 3.0), (2.0, 1.0, 0.5)),))
ONE = tuple(tuple(1.0 if c in (3, 4) else 0.0 for c in range(8)) for _ in range(8))
DIGITS = Images("digits", "held-out digits", (ONE, ONE), ("pred 1 / true 1", "pred 7 / true 1 ✗"))


def console(width: int = 100) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=width, force_terminal=False, color_system=None), out


def render(events, width: int = 100) -> str:
    con, out = console(width)
    renderer = Renderer(con, title="Demo", lang="en")
    for event in events:
        renderer.handle(event)
    renderer.close()
    return out.getvalue()


def test_a_whole_run_renders_in_the_order_it_happened():
    text = render([Text("**Look** at this."), SCATTER, Progress(1, 2, {"loss": 0.5}, "training"),
                   CURVES, Progress(2, 2, {"loss": 0.25, "test_accuracy": 0.975}, "training"), DIGITS,
                   Result({"test_accuracy": 0.98, "train_seconds": 0.5, "images_per_second": 31234.5},
                          "It **learned**.")])
    order = [text.index(s) for s in ("Look at this.", "two rings", "loss per epoch", "held-out digits",
                                     "Demo — Result", "It learned.")]
    assert order == sorted(order)
    assert "2/2" in text and "test accuracy 97.5%" in text
    assert "98.0%" in text and "31,234" in text and "0.5 s" in text


def test_a_plot_redrawn_under_the_same_name_is_printed_once_at_its_latest():
    later = Plot("xy", "two rings, later", "scatter", SCATTER.series)
    text = render([SCATTER, later, Result({}, "")])
    assert "two rings, later" in text and "two rings\n" not in text


def test_errors_and_stops_are_one_clear_line():
    assert "error: the demo failed: boom" in render([Progress(1, 3), Error("the demo failed: boom")])
    assert render([Progress(1, 3), Stopped()]).rstrip().endswith("stopped")
    assert "已停止" in _render_zh([Stopped()])


def _render_zh(events) -> str:
    con, out = console()
    renderer = Renderer(con, lang="zh")
    for event in events:
        renderer.handle(event)
    return out.getvalue()


def test_a_scatter_plot_shows_both_markers_the_line_and_a_legend_outside_the_data():
    text = plot_text(SCATTER, 100).plain
    assert "●" in text and "▲" in text and "two rings" in text
    assert text.splitlines()[-1].replace("\u00a0", " ").startswith("● inner")
    assert legend_text(SCATTER).plain.replace("\u00a0", " ") == "● inner  ▲ outer  ━ best line"
    # a scatter plot stays roughly square rather than stretching over a wide terminal
    assert max(len(line) for line in text.splitlines()[:-1]) <= 18 * 2.6 + 14


def test_a_plot_and_its_key_draw_the_colour_the_words_name_not_a_theme_ansi_one():
    from dialog.view.figures import RGB

    rendered = plot_text(SCATTER, 80)
    con = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=80)
    con.print(rendered)
    ansi = con.file.getvalue()
    blue, green = ("38;2;{};{};{}".format(*RGB[c]) for c in ("blue", "green"))
    assert ansi.count(blue) >= 2 and green in ansi  # the points and the key's marker, the same blue
    assert "\x1b[34m" not in ansi and "\x1b[94m" not in ansi  # no ANSI blue, whose shade a theme picks
    r, g, b = RGB["blue"]
    assert b > 200 and r < 100 and g < 160  # blue, not purple


def test_digits_are_drawn_in_shades_with_their_captions_side_by_side():
    text = images_text(DIGITS, 100).plain
    lines = text.splitlines()
    assert lines[0] == "held-out digits"
    assert lines[1].count("████") == 2, "the stroke of both ones, each pixel two characters wide"
    assert "pred 1 / true 1" in lines[9] and "pred 7 / true 1 ✗" in lines[9]


def test_digits_wrap_onto_more_rows_on_a_narrow_terminal():
    captions = [line for line in images_text(DIGITS, 30).plain.splitlines() if "pred" in line]
    assert [c.strip() for c in captions] == ["pred 1 / true 1", "pred 7 / true 1 ✗"]


def test_metrics_are_formatted_for_people():
    assert format_metric("test_accuracy", 0.9832) == "98.3%"
    assert format_metric("train_seconds", 0.53412) == "0.534 s"
    assert format_metric("images_per_second", 31234) == "31,234"
    assert format_metric("steps_to_99", None) == "not reached"  # the goal, never "None"
    assert format_metric("steps_to_99", None, "zh") == "未达到"
    assert format_metric("device", "cpu") == "cpu"


def _layer(k: int) -> Plot:
    return Plot(f"layer_{k}", f"layer {k} view", "scatter", SCATTER.series, group="layers")


def test_plots_of_one_group_are_drawn_side_by_side_when_the_terminal_is_wide():
    text = render([_layer(0), Text("between the views"), _layer(1), _layer(2), CURVES, Result({}, "")], width=120)
    title_line = next(line for line in text.splitlines() if "layer 0 view" in line)
    assert "layer 1 view" in title_line and "layer 2 view" in title_line
    # narration keeps flowing while the row fills; the row comes before what follows the group
    assert text.index("between the views") < text.index("layer 0 view") < text.index("loss per epoch")


def test_a_group_on_a_narrow_terminal_is_one_plot_a_row():
    text = render([_layer(0), _layer(1), Result({}, "")], width=60)
    assert not any("layer 0 view" in line and "layer 1 view" in line for line in text.splitlines())
    assert "layer 1 view" in text


def test_accuracy_plots_sit_on_a_fixed_percent_axis_and_counts_get_whole_ticks():
    acc = Plot("acc", "Training vs test accuracy", "line", (Series("test", (1.0, 2.0, 3.0, 4.0), (0.5, 0.7, 0.9, 0.95)),),
               x_label="epoch", y_label="accuracy")
    text = plot_text(acc, 80).plain
    assert "100%" in text and "0%" in text and "1.02" not in text
    assert not any(t in text for t in ("1.5", "2.5", "3.8"))  # no half epochs


@pytest.mark.parametrize("name, en, zh", [
    ("final_loss_plain", "final loss (plain)", "最终损失（普通）"),
    ("test_accuracy", "test accuracy", "测试准确率"),
    ("epochs_to_97", "epochs to 97 %", "达到 97% 的轮数"),
    ("train_seconds_to_97", "training time to 97 %", "达到 97% 的训练用时"),
    ("steps_to_99", "steps to 99 %", "达到 99% 的步数"),
    ("loss_lstm", "loss (lstm)", "损失（LSTM）"),
    ("gap_dropout", "gap (dropout)", "差距（Dropout）"),  # named like its partner "gap (plain)"
    ("device", "device", "设备"),
])
def test_a_metric_is_named_in_words_of_the_readers_language(name, en, zh):
    assert metric_label(name, "en") == en and metric_label(name, "zh") == zh


def test_a_chinese_progress_line_names_its_metrics_in_chinese():
    assert metrics_line({"loss_plain": 0.7184, "test_accuracy": 0.97}, lang="zh") == "损失（普通） 0.7184 · 测试准确率 97.0%"


def test_a_number_after_a_name_ending_in_a_number_is_set_apart():
    line = metrics_line({"epochs_to_97": 8, "train_seconds_to_97": 1.26, "steps_to_99": 24, "test_accuracy": 0.97})
    assert line == "epochs to 97 %: 8 · training time to 97 %: 1.26 s · steps to 99 %: 24 · test accuracy 97.0%"


@pytest.mark.parametrize("width, expected", [
    (80, "loss 0.3124 · test accuracy 97.3%"),
    (28, "loss 0.3124 …"),  # the accuracy is dropped whole, never "test accuracy 9…"
    (5, ""),
])
def test_a_short_line_drops_whole_items(width, expected):
    from dialog.view.figures import fit_items

    assert fit_items(["loss 0.3124", "test accuracy 97.3%"], width) == expected


def test_a_loss_beside_accuracies_has_its_own_labelled_axis_and_epochs_whole_ticks():
    xs = tuple(float(i) for i in range(1, 7))
    plot = Plot("curves", "accuracy and loss per epoch", "line", (
        Series("test accuracy", xs, (0.5, 0.8, 0.9, 0.95, 0.97, 0.98), "green"),
        Series("training loss (right axis)", xs, (2.06, 0.9, 0.5, 0.3, 0.2, 0.1), "red", axis="right"),
    ), x_label="epoch", y_label="accuracy", y2_label="loss", y2_lim=(0.0, 2.06), x_lim=(1.0, 6.0))
    lines = plot_text(plot, 80).plain.splitlines()
    assert lines[2].startswith("100%") and lines[2].rstrip().endswith("2.06")  # percent left, loss right
    assert any(line.split() == ["accuracy", "epoch", "loss"] for line in lines)  # each axis named
    ticks = next(line for line in lines if line.strip().startswith("1 ")).split()
    assert all(t.isdigit() for t in ticks)  # whole epochs, never "2.8" or "4.5"


@pytest.mark.parametrize("height", [8, 10, 12, 16])
def test_the_right_axis_labels_sit_on_the_rows_of_the_percent_ticks_at_any_height(height):
    xs = tuple(float(i) for i in range(1, 7))
    plot = Plot("curves", "accuracy and loss per epoch", "line", (
        Series("test accuracy", xs, (0.5, 0.8, 0.9, 0.95, 0.97, 0.98), "green"),
        Series("training loss", xs, (2.06, 0.9, 0.5, 0.3, 0.2, 0.1), "red", axis="right"),
    ), x_label="epoch", y_label="accuracy", y2_label="loss", y2_lim=(0.0, 2.06))
    rows = {line.split("┤")[0].strip(): line.rsplit("├", 1)[-1].strip()
            for line in plot_text(plot, 76, height).plain.splitlines() if "┤" in line and "├" in line}
    assert rows == ({"100%": "2.06", "75%": "1.54", "50%": "1.03", "25%": "0.52", "0%": "0.00"} if height >= 14
                    else {"100%": "2.06", "50%": "1.03", "0%": "0.00"})
