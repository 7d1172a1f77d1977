"""The scrolling conversation and the status line under it."""
from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from dialog.transcript import Turn
from dialog.tui.messages import SPINNER, FigureNote, NoteMessage, PastTurn


class ChatView(VerticalScroll):
    """The turns, oldest first; it follows the newest turn unless the user scrolled up."""

    can_focus = False  # tab goes from message to message, not to the scroll area

    async def add(self, widget: Widget) -> Widget:
        await self.mount(widget)
        self.anchor()
        return widget

    def replay(self, turns: list[Turn]) -> None:
        """Show a saved conversation's turns as they were, all at once (one mount, no typing in), the
        figures of its finished demos included."""
        widgets: list[Widget] = []
        for turn in turns:
            if turn.role in ("user", "ms_b"):
                widgets.append(PastTurn(turn.role, turn.text))
            elif turn.kind == "figures":
                widgets.append(FigureNote(turn.text))
            else:
                widgets.append(NoteMessage(turn.text))
        self.mount_all(widgets)

    async def clear(self, keep: list[Widget] | tuple[Widget, ...] = ()) -> None:
        """Remove every turn except those in `keep` (demos that are still running)."""
        await self.remove_children([w for w in self.children if all(w is not k for k in keep)])


class StatusLine(Static):
    """What the app is doing in the background: loading, warming up, ready, the demo that runs."""

    class Clicked(Message):
        """The status line was clicked (the pane brings the running demo into view)."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.text = ""
        self.busy = False
        self._frame = 0

    def on_mount(self) -> None:
        self.set_interval(0.1, self._tick)

    def show(self, text: str, busy: bool = False) -> None:
        self.text, self.busy = text, busy
        self._render_line()

    def on_click(self) -> None:
        self.post_message(self.Clicked())

    def _tick(self) -> None:
        if self.busy:
            self._frame += 1
            self._render_line()

    def _render_line(self) -> None:
        prefix = f"{SPINNER[self._frame % len(SPINNER)]} " if self.busy else ""
        # One line, always: no layout pass (a full reflow of the conversation) ten times a second.
        self.update(Text(prefix + self.text, style="italic" if self.busy else ""), layout=False)
