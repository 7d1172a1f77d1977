"""The line Mr. A types into, with the history of what he typed (up / down)."""
from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input

from knowledge.safe_text import clean

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

    async def action_submit(self) -> None:
        """Clear the line the moment Enter is pressed, before anyone reads it: keys typed right after
        (fast typing, a burst from a paste) start the next line instead of joining this one or being lost."""
        value = self.value
        self.value = ""
        self.post_message(self.Submitted(self, value))

    async def _on_key(self, event: events.Key) -> None:
        """Enter submits here, as the key arrives. Left to the binding, it would first bubble up to the app
        while the keys typed after it (fast typing, a burst from a terminal) are already inserted: two
        questions glued into one. Other keys go on to Input's own handler."""
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()

    def _on_paste(self, event: events.Paste) -> None:
        """A paste of several lines sends each complete line in order; a last, unfinished one stays to edit.
        (Input keeps only a paste's first line.)"""
        text = clean(event.text)
        lines = text.splitlines()
        if len(lines) < 2 and not text.endswith("\n"):
            if text != event.text:  # a single line carrying escape sequences: insert it cleaned
                event.prevent_default()
                event.stop()
                self.insert_text_at_cursor(text)
            return  # else Input's own handler (called after this one) inserts it
        event.prevent_default()
        event.stop()
        finished = lines if text.endswith("\n") else lines[:-1]
        head = self.value[: self.cursor_position]
        for i, line in enumerate(finished):
            self.post_message(self.Submitted(self, (head + line) if i == 0 else line))
        self.value = "" if len(finished) == len(lines) else lines[-1]
        self.cursor_position = len(self.value)

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
