"""Ms. B's Markdown drawn by Rich (a terminal, the chat history), parsed by the one parser; apart from the
parser itself so that plain text down a pipe never imports Rich's layout machinery."""
from __future__ import annotations

from rich.markdown import Markdown as _RichMarkdown

from dialog.view.markdown import parser


class RichMarkdown(_RichMarkdown):
    """Rich's Markdown, parsed by the same parser as the live replies (emphasis that works in Chinese)."""

    def __init__(self, markup: str, **kwargs) -> None:
        super().__init__(markup, **kwargs)
        self.parsed = parser().parse(markup)


def history_markdown(text: str) -> RichMarkdown:
    """A saved reply as one renderable: cheap to lay out a hundred times over."""
    return RichMarkdown(text)
