"""Chinese line breaking: no line begins with closing punctuation or ends with an opening one, no line
grows past the width, and no character is lost — in Rich's wrapping and in Textual's."""
from __future__ import annotations

import io

import pytest
from hypothesis import given, settings, strategies as st
import rich.text
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from dialog.view.linebreak import NO_END, NO_START, install, respecting

# Rich's own line division, as its Text uses it (unwrapped when a test in this process installed ours)
rich_divide = getattr(rich.text.divide_line, "__wrapped__", rich.text.divide_line)
divide = respecting(rich_divide)
PARAGRAPH = ("我没在走廊里跟你争，而是请你到我的电脑前，让我演示给你看。你说你不知道重点在哪，"
             "但反正也没别的地方可去。「深度」指的是连续的多层表示，而不是网络理解得有多深。")


def lines_of(text: str, width: int) -> list[str]:
    offsets = divide(text, width)
    return [text[a:b] for a, b in zip([0, *offsets], [*offsets, len(text)])]


@pytest.mark.parametrize("width", range(6, 41))
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(width):
    lines = lines_of(PARAGRAPH, width)
    assert "".join(lines) == PARAGRAPH
    assert all(cell_len(line) <= width for line in lines)
    assert not any(line[0] in NO_START for line in lines[1:])
    assert not any(line[-1] in NO_END for line in lines[:-1])


def test_without_chinese_the_breaks_are_richs_own():
    text = "Depth isn't a number to be proud of; it's a plan, layer after layer of representations."
    for width in range(17, 40):  # wide enough that no word is folded
        assert divide(text, width) == rich_divide(text, width)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="深度学习表示网络，。、「」（）：A B1", max_size=80), st.integers(4, 30))
def test_any_text_keeps_every_character_within_the_width(text, width):
    lines = lines_of(text, width)
    assert "".join(lines) == text
    assert all(cell_len(line.rstrip()) <= width for line in lines)


def test_installed_rich_console_output_follows_the_rules():
    install()
    out = io.StringIO()
    Console(file=out, width=21, color_system=None).print(Text(PARAGRAPH))
    printed = out.getvalue().splitlines()
    assert "".join(printed) == PARAGRAPH
    assert not any(line[0] in NO_START for line in printed if line)


def test_installed_textual_wrapping_follows_the_rules():
    from textual.content import Content

    install(textual=True)
    for width in (13, 21, 34):
        lines = [line.plain for line in Content(PARAGRAPH).wrap(width)]
        assert "".join(lines) == PARAGRAPH
        assert not any(line[0] in NO_START for line in lines if line)


@pytest.mark.parametrize("width", range(8, 40))
def test_a_latin_word_inside_chinese_is_not_split(width):
    text = "没有那些突破性研究，这一切都不可能出现：反向传播、更好的初始化、Dropout、CNN、ResNet 等等。"
    lines = lines_of(text, width)
    assert "".join(lines) == text and all(cell_len(line.rstrip()) <= width for line in lines)
    for before, after in zip(lines, lines[1:]):
        assert not (before[-1].isascii() and before[-1].isalnum() and after[0].isascii() and after[0].isalnum())


@pytest.mark.parametrize("width", range(12, 40))
def test_chinese_after_a_latin_word_fills_the_line_rather_than_leaving_a_gap(width):
    text = "在我的资料里，ResNet 的故事由两篇论文撑起来，先是孙剑等人的开创性论文，然后是一篇把它叠成好几级的后续。"
    lines = lines_of(text, width)
    assert "".join(lines) == text
    assert all(cell_len(line.rstrip()) >= width - 7 for line in lines[:-1])  # at most a Latin word's gap


@pytest.mark.parametrize("width", range(8, 30))
def test_a_one_letter_name_stays_with_what_it_names(width):
    text = "B 女士：你说的对！我们在会议上碰到了 A 先生，他说他是来看看这些疯子在说什么的。"
    lines = lines_of(text, width)
    assert "".join(lines) == text
    assert not any(line.rstrip().endswith((" A", " B")) or line.rstrip() in ("A", "B") for line in lines)


def test_a_width_of_nothing_breaks_every_character_rather_than_failing():
    for text in ("supercalifragilistic words", "深度学习的深度"):
        assert divide(text, 0) == divide(text, 1) and divide(text, -3) == divide(text, 1)
