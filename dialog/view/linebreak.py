"""Line breaking for Chinese: no line starts with closing punctuation, none ends with an opening one, and
a Latin word inside Chinese text ("ResNet") is not split.

Rich (and Textual, which wraps with Rich's `divide_line`) folds a run of CJK text at whatever character
reaches the edge, so a line could begin with "，" or "」" — what Chinese typesetting forbids (kinsoku).
Here a break that would do so moves back a character, taking the character before with it, and the rest
of the paragraph is wrapped again from there, so no line grows past the width and nothing is cut off.
"""
from __future__ import annotations

from typing import Callable

# Closing punctuation and marks that may not begin a line; opening ones that may not end one.
NO_START = frozenset("，。、；：？！）」』】》〉”’…—～·%,.;:?!)]}")
NO_END = frozenset("（「『【《〈“‘([{")
MAX_WORD = 20  # how far back a break may move: a Latin word longer than this is folded where it must be

Divide = Callable[..., list[int]]


def respecting(divide: Divide) -> Divide:
    """`divide` (Rich's divide_line: text, width, fold → break offsets) with the rules above."""

    def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
        offsets = divide(text, width, fold)
        if not any(_bad(text, b) or _splits_word(text, b) for b in offsets):
            return offsets  # the usual case: nothing to move
        out: list[int] = []
        start = 0
        while True:
            rest = divide(text[start:], width, fold)
            if not rest:
                return out
            brk = _better(text, start, start + rest[0])
            out.append(brk)
            start = brk

    divide_line.respects_kinsoku = True  # type: ignore[attr-defined]
    return divide_line


def _better(text: str, start: int, brk: int) -> int:
    """Where the line that begins at `start` should end instead of `brk`: the nearest earlier place that
    neither starts a line with a closing mark, nor ends one with an opening mark, nor splits a Latin word
    ("Res|Net" inside Chinese). Where there is none close by, `brk` stands: a word longer than a line is
    folded where it must be."""
    for pos in range(brk, max(start + 1, brk - MAX_WORD) - 1, -1):
        if not _bad(text, pos) and not _splits_word(text, pos):
            return pos
    return brk


def _splits_word(text: str, brk: int) -> bool:
    return 0 < brk < len(text) and _latin(text[brk - 1]) and _latin(text[brk])


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _bad(text: str, brk: int) -> bool:
    """A break before `brk` would start a line with closing punctuation or end one with an opening one."""
    return 0 < brk < len(text) and (text[brk] in NO_START or text[brk - 1] in NO_END)


def install() -> None:
    """Make Rich's and Textual's wrapping follow the rules (once; the front ends call it at start)."""
    import rich._wrap
    import rich.text

    modules = [rich._wrap, rich.text]
    try:
        import textual.content

        modules.append(textual.content)
    except ImportError:  # the line front ends run without Textual imported
        pass
    for module in modules:
        current = getattr(module, "divide_line", None)
        if current is not None and not getattr(current, "respects_kinsoku", False):
            module.divide_line = respecting(current)
