"""The scrolling conversation and the status line under it."""
from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from dialog.transcript import Turn
from dialog.tui import lines
from dialog.tui.demo_panel import DemoPanel
from dialog.tui.messages import SPINNER, BotMessage, FigureNote, NoteMessage, PastTurn, UserMessage

# A long session stays light: past this many turns on screen, the oldest FOLD_STEP fold into one line
# (they stay in the transcript, and the line brings them back a step at a time).
KEEP_MOUNTED = 80
FOLD_STEP = 40


def as_turn(widget: Widget) -> Turn | None:
    """What a finished turn on screen folds into (None: it is not finished, or not a turn: it stays)."""
    if isinstance(widget, UserMessage):
        return Turn("user", widget.text)
    if isinstance(widget, BotMessage):
        return Turn("ms_b", widget.reply.full_text) if widget.finished and widget.reply is not None else None
    if isinstance(widget, PastTurn):
        return Turn(widget.role, widget.text)
    if isinstance(widget, FigureNote):
        return Turn("event", widget.text, kind="figures")
    if isinstance(widget, NoteMessage):
        return Turn("event", widget.text)
    if isinstance(widget, DemoPanel):
        return Turn("event", widget.folded_text, kind="figures") if widget.outcome is not None else None
    return None


def as_widget(turn: Turn) -> Widget:
    if turn.role in ("user", "ms_b"):
        return PastTurn(turn.role, turn.text)
    if turn.kind == "figures":
        return FigureNote(turn.text)
    return NoteMessage(turn.text)


class FoldedTurns(Static, can_focus=True):
    """The oldest turns of a long conversation, folded away; Enter or a click shows the newest of them."""

    BINDINGS = [Binding("enter", "unfold", "Show", show=False)]

    class Unfold(Message):
        """Show some of the folded turns again."""

    def __init__(self, lang: str) -> None:
        super().__init__("", classes="folded", markup=False)
        self.turns: list[Turn] = []
        self.lang = lang

    def add(self, turns: list[Turn]) -> None:
        self.turns += turns
        self.say()

    def take(self, n: int) -> list[Turn]:
        taken, self.turns = self.turns[-n:], self.turns[:-n]
        self.say()
        return taken

    def say(self, lang: str | None = None) -> None:
        self.lang = lang or self.lang
        self.update(Text(lines.folded(self.lang, len(self.turns)), style="dim italic"))

    def on_click(self) -> None:
        self.post_message(self.Unfold())

    def action_unfold(self) -> None:
        self.post_message(self.Unfold())


class ChatView(VerticalScroll):
    """The turns, oldest first; it follows the newest turn unless the user scrolled up."""

    can_focus = False  # tab goes from message to message, not to the scroll area

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lang = "en"  # of the conversation: the folded line's (the pane keeps it current)
        self.fold: FoldedTurns | None = None

    def replay(self, turns: list[Turn]) -> None:
        """Show a saved conversation's turns as they were, all at once (one mount, no typing in), the
        figures of its finished demos included; a long one with its oldest turns folded."""
        if len(turns) > KEEP_MOUNTED:
            self.fold = self.fold or FoldedTurns(self.lang)
            self.fold.add(list(turns[:-KEEP_MOUNTED]))
            turns = turns[-KEEP_MOUNTED:]
        self.mount_all(([self.fold] if self.fold is not None and not self.fold.is_attached else [])
                       + [as_widget(t) for t in turns])

    def speak(self, lang: str) -> None:
        self.lang = lang
        if self.fold is not None:
            self.fold.say(lang)

    async def fold_oldest(self) -> None:
        """Past KEEP_MOUNTED turns on screen, fold the oldest finished ones (never a running demo, never a
        reply still being typed, never what follows one of those) into the folded line."""
        shown = [w for w in self.children if w is not self.fold]
        if len(shown) <= KEEP_MOUNTED:
            return
        gone: list[Widget] = []
        turns: list[Turn] = []
        for widget in shown[:FOLD_STEP]:
            turn = as_turn(widget)
            if turn is None:
                break  # turns stay in order: nothing after an unfinished one folds either
            gone.append(widget)
            turns.append(turn)
        if not gone:
            return
        if self.fold is None:
            self.fold = FoldedTurns(self.lang)
        if not self.fold.is_attached:
            await self.mount(self.fold, before=0)
        self.fold.add(turns)
        await self.remove_children(gone)

    async def on_folded_turns_unfold(self, message: FoldedTurns.Unfold) -> None:
        message.stop()
        if self.fold is None:
            return
        widgets = [as_widget(t) for t in self.fold.take(FOLD_STEP)]
        await self.mount_all(widgets, after=self.fold)
        if not self.fold.turns:
            await self.fold.remove()
            self.fold = None
        if widgets:
            self.scroll_to_widget(widgets[-1], animate=False, top=True)

    async def clear(self, keep: list[Widget] | tuple[Widget, ...] = ()) -> None:
        """Remove every turn except those in `keep` (demos that are still running), folded ones too."""
        await self.remove_children([w for w in self.children if all(w is not k for k in keep)])
        self.fold = None


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
