"""The footer: Textual's, with the keys a newcomer needs first — lessons, help, quit — so that a narrow
screen (80×24, 40×12) cuts the least needed ones, and below WIDE columns tighter and without the palette's
key (ctrl+p still opens it, and the prompt's placeholder says so)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widgets import Footer

NARROW = 60  # columns below which other screens keep to the essentials too (the lessons screen)
WIDE = 100  # columns from which the footer has room for every key and the palette's
FIRST = ("lessons", "send('/help')", "quit", "stop_demo", "newest_or_prompt", "newline")


class ChatFooter(Footer):
    narrow = reactive(False, recompose=True)

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        if self.narrow:
            keys = [k for k in keys if not k.has_class("-command-palette")]
        rank = {action: i for i, action in enumerate(FIRST)}
        yield from sorted(keys, key=lambda k: (k.has_class("-command-palette"),
                                               rank.get(getattr(k, "action", ""), len(FIRST))))
