"""Line breaking for Chinese: lines filled to the edge, none starting with closing punctuation or ending
with an opening one, and no Latin word inside Chinese text ("ResNet") split.

Rich (and Textual, which wraps with Rich's `divide_line`) breaks at spaces and folds anything longer
than a line at whatever character reaches the edge. Chinese has no spaces: a run of it is one long
"word", so a line could begin with "，" or "」" (what Chinese typesetting forbids), and a run that follows
a Latin word ("…ResNet 的故事…") moves whole to the next line, leaving a gap. Text that holds CJK is
broken here instead, between any two characters where the rules allow; other text keeps Rich's breaks.
"""
from __future__ import annotations

import re
from typing import Callable

from rich.cells import cell_len

# Closing punctuation and marks that may not begin a line; opening ones that may not end one.
NO_START = frozenset("，。、；：？！）」』】》〉”’…—～·%,.;:?!)]}")
NO_END = frozenset("（「『【《〈“‘([{")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")

Divide = Callable[..., list[int]]


def respecting(divide: Divide) -> Divide:
    """`divide` (Rich's divide_line: text, width, fold → break offsets), breaking text with CJK by the rules."""

    def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
        # A widget squeezed to nothing (a terminal resized to a few cells) asks for width 0, and Rich's
        # folding steps through the text by the width: at 0 it raises and takes the app down.
        width = max(1, width)
        if width < 2 or not _CJK.search(text):
            return divide(text, width, fold)
        return breaks(text, width)

    divide_line.respects_kinsoku = True  # type: ignore[attr-defined]
    divide_line.__wrapped__ = divide  # type: ignore[attr-defined]  # the library's own, as functools.wraps keeps it
    return divide_line


def breaks(text: str, width: int) -> list[int]:
    """Where to break `text` into lines of at most `width` cells (trailing spaces aside): greedy, at the
    last place the rules allow before the edge; where there is none (a Latin word longer than a line),
    at the edge."""
    out: list[int] = []
    start, n = 0, len(text)
    while True:
        cells, end = 0, start
        while end < n and (text[end].isspace() or cells + cell_len(text[end]) <= width):
            cells += cell_len(text[end])
            end += 1
        if end >= n:
            return out
        brk = next((b for b in range(end, start, -1) if _may_break(text, b)), max(end, start + 1))
        out.append(brk)
        start = brk


def _may_break(text: str, i: int) -> bool:
    """Whether a line may end before text[i]."""
    before, here = text[i - 1], text[i]
    if here.isspace() or here in NO_START or before in NO_END:
        return False
    if before.isspace():
        # "A 先生", "B 女士": a one-letter name stays with what it names.
        return not (i >= 2 and text[i - 2].isascii() and text[i - 2].isalpha() and _CJK.match(here)
                    and (i < 3 or not text[i - 3].isalnum()))
    return bool(_CJK.match(before) or _CJK.match(here))  # Latin against Latin: inside a word or a number


def install(textual: bool = False) -> None:
    """Make Rich's wrapping, and with `textual` Textual's, follow the rules (once per module; the front ends
    call it at start). The line front ends leave Textual out: importing it would cost every answer ~0.1 s."""
    import rich._wrap
    import rich.text

    modules = [rich._wrap, rich.text]
    if textual:
        import textual.content

        modules.append(textual.content)
    for module in modules:
        current = getattr(module, "divide_line", None)
        if current is not None and not getattr(current, "respects_kinsoku", False):
            module.divide_line = respecting(current)
