"""The prompt Mr. A types into: a few lines tall, Enter sends, ctrl+j starts a new line, a paste keeps its
line breaks; up / down recall what he typed before, like a shell."""
from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

from knowledge.safe_text import clean

HISTORY_LIMIT = 500
# The keys that start a new line instead of sending: ctrl+j is what every terminal sends for it (a line
# feed); shift+enter only where the terminal reports it (the kitty keyboard protocol).
NEWLINE_KEYS = ("ctrl+j", "shift+enter")


class ChatInput(TextArea, inherit_bindings=False):
    """A TextArea that sends on Enter and remembers what was sent: up on the first line recalls older
    lines, down on the last one newer lines, and stepping past the newest brings back the draft."""

    # TextArea's keys, less PageUp/PageDown: in a prompt of a few lines they would move the cursor, while
    # the reader means the conversation above (the app scrolls it).
    BINDINGS = [b for b in TextArea.BINDINGS if isinstance(b, Binding) and b.key not in ("pageup", "pagedown")] + [
        Binding(",".join(NEWLINE_KEYS), "newline", "New line", key_display="ctrl+j"),
    ]

    @dataclass
    class Submitted(Message):
        """A message to send: every line break in it kept."""

        input: "ChatInput"
        value: str

        @property
        def control(self) -> "ChatInput":
            return self.input

    def __init__(self, placeholder: str = "", *, id: str | None = None) -> None:  # noqa: A002 — Textual's name
        super().__init__(placeholder=placeholder, id=id, soft_wrap=True, tab_behavior="focus",
                         show_line_numbers=False, highlight_cursor_line=False, compact=True)
        self.lines_sent: list[str] = []
        self._index: int | None = None  # position in history while browsing, None while drafting
        self._recalled_at: tuple[int, int] | None = None  # where the cursor was left by the last recall
        self._draft = ""

    # What the rest of the app reads and sets, named as on a one-line Input.
    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.load_text(text)

    @property
    def cursor_position(self) -> int:
        row, column = self.cursor_location
        return sum(len(line) + 1 for line in self.text.split("\n")[:row]) + column

    @cursor_position.setter
    def cursor_position(self, offset: int) -> None:
        before = self.text[:offset].split("\n")
        self.move_cursor((len(before) - 1, len(before[-1])))

    def insert_text_at_cursor(self, text: str) -> None:
        """Text in place of the selection (or at the cursor), the cursor after it."""
        result = self.replace(text, *self.selection)
        self.move_cursor(result.end_location)

    def action_submit(self) -> None:
        """Clear the prompt the moment Enter is pressed, before anyone reads it: keys typed right after
        (fast typing, a burst from a terminal) start the next message instead of joining this one."""
        value = self.text
        self.load_text("")
        self.post_message(self.Submitted(self, value))

    def action_newline(self) -> None:
        self.insert_text_at_cursor("\n")

    async def _on_key(self, event: events.Key) -> None:
        """Enter sends here, as the key arrives (TextArea would insert a line break). Left to a binding, it
        would first bubble up while the keys typed after it are already inserted: two questions glued."""
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_submit()
            return
        if event.key in ("up", "down") and self._browse(-1 if event.key == "up" else 1):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    async def _on_paste(self, event: events.Paste) -> None:
        """A paste goes in whole, its line breaks kept (one message when sent), cleaned of anything a terminal
        would obey — escape sequences, a carriage return that would rewrite the line."""
        event.stop()
        event.prevent_default()
        text = clean(event.text.replace("\r\n", "\n").replace("\r", "\n"))
        self.insert_text_at_cursor(text)
        self.focus()

    def _browse(self, step: int) -> bool:
        """Up on the first line and down on the last one walk the history; elsewhere they move the cursor."""
        row = self.cursor_location[0]
        last = self.document.line_count - 1
        # A recalled entry of many lines is passed over whole while the cursor stays where recalling put it.
        untouched = self._index is not None and self.cursor_location == self._recalled_at
        if not untouched and ((step < 0 and row != 0) or (step > 0 and row != last)) \
                or (step > 0 and self._index is None):
            return False
        self.action_history(step)
        return True

    def remember(self, line: str) -> None:
        if line.strip() and (not self.lines_sent or self.lines_sent[-1] != line):
            self.lines_sent.append(line)
            del self.lines_sent[:-HISTORY_LIMIT]
        self._index = None
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.lines_sent:
            return
        if self._index is None:
            if step > 0:
                return
            self._draft = self.text
            index = len(self.lines_sent) - 1
        else:
            index = self._index + step
        if index < 0:
            index = 0
        if index >= len(self.lines_sent):
            self._index = None
            self._set(self._draft)
            return
        self._index = index
        self._set(self.lines_sent[index])

    def _set(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)
        self._recalled_at = self.cursor_location
