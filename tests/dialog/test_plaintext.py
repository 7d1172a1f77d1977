"""Markdown as plain text for a pipe: the words and their shape, none of the marks."""
from __future__ import annotations

import pytest

from dialog.terminal.plaintext import to_plain


@pytest.mark.parametrize("markdown, expected", [
    ("The **deep** in *deep learning*", "The deep in deep learning"),
    ("Run `msb demo depth`.", "Run msb demo depth."),
    ("# A heading\n\nwords", "A heading\n\nwords"),
    ("深度学习中的**「深度」**并不是", "深度学习中的「深度」并不是"),  # emphasis beside CJK punctuation
    ("see [the paper](https://arxiv.org/abs/1)", "see the paper (https://arxiv.org/abs/1)"),
    ("<https://example.org>", "https://example.org"),
    ("the course at [deeplearning.ai](http://deeplearning.ai/)", "the course at deeplearning.ai"),  # said once
    ("Let's watch the demo “**Same data**”.", "Let's watch the demo “Same data”."),
    ("a <b>tag</b> typed by a user", "a <b>tag</b> typed by a user"),
    ("2 \\* 3 and 2\\*\\*3", "2 * 3 and 2**3"),  # an escaped mark is the character itself
])
def test_marks_go_and_words_stay(markdown, expected):
    assert to_plain(markdown) == expected


def test_lists_quotes_and_code_keep_their_shape():
    text = "Lead-in:\n\n- one **a**\n- two\n  - nested\n\n1. first\n2. second\n\n> quoted\n> lines\n\n```\nx = 1\n```"
    assert to_plain(text) == ("Lead-in:\n\n- one a\n- two\n  - nested\n\n1. first\n2. second\n\n"
                              "    quoted\n    lines\n\n    x = 1")


def test_a_table_is_one_line_a_row():
    assert to_plain("| a | b |\n|---|---|\n| **1** | 2 |") == "a  b\n1  2"


def test_long_paragraphs_are_never_hard_wrapped():
    line = "word " * 200
    assert to_plain(line) == line.strip()
