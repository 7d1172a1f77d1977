"""The line Mr. A types into, with the history of what he typed (up / down)."""
from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

HISTORY_LIMIT = 500


class ChatInput(Input):
    """An Input that remembers submitted lines, like a shell: up recalls older ones, down
    newer ones, and stepping past the newest brings back the line being drafted."""

    BINDINGS = [
        Binding("up", "history(-1)", "Previous line", show=False),
        Binding("down", "history(1)", "Next line", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.history: list[str] = []
        self._index: int | None = None  # position in history while browsing, None while drafting
        self._draft = ""

    def remember(self, line: str) -> None:
        if line.strip() and (not self.history or self.history[-1] != line):
            self.history.append(line)
            del self.history[:-HISTORY_LIMIT]
        self._index = None
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._index is None:
            if step > 0:
                return
            self._draft = self.value
            index = len(self.history) - 1
        else:
            index = self._index + step
        if index < 0:
            index = 0
        if index >= len(self.history):
            self._index = None
            self._set(self._draft)
            return
        self._index = index
        self._set(self.history[index])

    def _set(self, text: str) -> None:
        self.value = text
        self.cursor_position = len(text)
