"""The turns of the conversation as widgets: Mr. A's lines, Ms. B's replies, small notes."""
from __future__ import annotations

import asyncio
import re

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widget import MountError, Widget
from textual.widgets import Button, Collapsible, Markdown, Static

from dialog.lines import say
from dialog.reply import Reply, Source
from knowledge.safe_text import clean
from dialog.tui.clipboard import copy_text
from dialog.view.markdown import parser
from dialog.view.rich_markdown import history_markdown

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
# Typing pace: a reply appears within about a second however long it is, in at most this
# many screen updates. Each update lays out the whole conversation again (measured 20–40 ms
# with a few dozen turns), so ~15 a second looks like typing and leaves the UI time to spare.
MAX_FRAMES = 15
SECONDS_PER_WORD = 0.03
# One token per CJK character (Chinese has no spaces), else a word with its trailing space.
_TOKENS = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]|[^\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+\s*|\s+")


def typing_chunks(text: str, seconds: float) -> tuple[list[str], float]:
    """The reply cut into successive fragments, and the pause between them.

    Joined, the fragments give back the text exactly."""
    tokens = _TOKENS.findall(text)
    if not tokens or seconds <= 0:
        return ([text] if text else []), 0.0
    duration = min(seconds, SECONDS_PER_WORD * len(tokens))
    frames = max(1, min(MAX_FRAMES, len(tokens)))
    per = -(-len(tokens) // frames)
    chunks = ["".join(tokens[i:i + per]) for i in range(0, len(tokens), per)]
    return chunks, duration / len(chunks)


class CopyLink(Static):
    """A small copy affordance for the mouse; the keyboard has ctrl+y on the focused message."""

    def __init__(self) -> None:
        super().__init__("⧉", classes="copy-link")
        self.tooltip = "Copy this message (or focus it with tab and press ctrl+y)"

    def on_click(self, event: events.Click) -> None:
        event.stop()
        message = next((a for a in self.ancestors if isinstance(a, ChatMessage)), None)
        if message is not None:
            message.action_copy()


class ChatMessage(Vertical, can_focus=True):
    """A turn that can be focused (tab / shift+tab or a click) and copied."""

    # No printable key here: whatever is typed goes to the input, even while a message has focus.
    BINDINGS = [Binding("ctrl+y", "copy", "Copy message")]

    def __init__(self, text: str, **kwargs) -> None:
        super().__init__(**kwargs)
        # What "copy" copies: the words as typed or as Ms. B wrote them (Markdown), with anything a terminal
        # would obey (escape sequences, bidi overrides) taken out, whatever their source.
        self.text = clean(text)

    def action_copy(self) -> None:
        copy_text(self.app, self.text)


class UserMessage(ChatMessage):
    """Mr. A's line, shown literally: "[red]hi[/red]" or "**x**" appear exactly as typed."""

    BORDER_TITLE = "Mr. A"

    def compose(self) -> ComposeResult:
        yield CopyLink()
        yield Static(Text(self.text), classes="body", markup=False)


class NoteMessage(Static):
    """A line from the app itself, not from either speaker: "demo stopped", "resumed"."""

    def __init__(self, text: str) -> None:
        super().__init__(Text(clean(text)), classes="note", markup=False)
        self.text = clean(text)


class PastTurn(Static, can_focus=True):
    """A turn of a saved conversation, drawn in one widget (Ms. B's words by Rich): a hundred of them appear
    at once on --resume, where live turns (a container, a copy link, a widget per Markdown block) take
    seconds. Focus it and ctrl+y copies it, as with a live turn."""

    BINDINGS = [Binding("ctrl+y", "copy", "Copy message")]

    def __init__(self, role: str, text: str) -> None:
        self.role = role
        self.text = clean(text)  # as saved: the citation line and the offer are part of it
        body: RenderableType = Text(self.text) if role == "user" else history_markdown(self.text)
        super().__init__(body, classes=f"past {'user' if role == 'user' else 'ms-b'}", markup=False)
        self.border_title = "Mr. A" if role == "user" else "Ms. B"

    def action_copy(self) -> None:
        copy_text(self.app, self.text)


class FigureNote(Static):
    """A finished demo's figures, drawn as text: how a resumed conversation shows what was watched."""

    def __init__(self, text: str) -> None:
        super().__init__(Text(clean(text)), classes="figures", markup=False)
        self.text = clean(text)


class SourcesBlock(Collapsible):
    """Where an answer comes from: each source's document title, section and excerpt."""

    def __init__(self, sources: tuple[Source, ...], lang: str) -> None:
        title = say("sources_title", lang, n=len(sources))
        body = Text()
        for i, s in enumerate(sources):
            if i:
                body.append("\n\n")
            body.append(clean(s.title or s.document), style="bold")
            if s.section:
                body.append(f" · {clean(s.section)}", style="italic")
            if s.excerpt:
                body.append(f"\n“{clean(s.excerpt)}”")
            if s.original:  # the excerpt is Ms. B's rendering, not the document's words
                body.append(f"\n{say('sources_rendering', lang)}", style="dim")
        super().__init__(Static(body, classes="sources-body", markup=False), title=title, collapsed=True,
                         classes="sources")


class BotMessage(ChatMessage):
    """Ms. B's reply: a spinner while she thinks, then her words typed in, then whole."""

    BORDER_TITLE = "Ms. B"

    class Complete(Message):
        """The reply is fully shown (the final render equals the reply's text)."""

        def __init__(self, message: "BotMessage") -> None:
            super().__init__()
            self.message = message

    class DemoRequested(Message):
        """The "Show me" button under an answer was pressed."""

        def __init__(self, demo_id: str) -> None:
            super().__init__()
            self.demo_id = demo_id

    def __init__(self, waiting: str = "", **kwargs) -> None:
        super().__init__("", **kwargs)
        self.reply: Reply | None = None
        self.finished = False
        self._waiting = waiting
        self._frame = 0
        self._spin: Timer | None = None
        self._pending: tuple[str, float] | None = None  # a reply given before the widget was mounted

    def compose(self) -> ComposeResult:
        yield CopyLink()
        yield Static(self._spinner_text(), classes="spinner", markup=False)

    def on_mount(self) -> None:
        if self._pending is not None:
            self._type(*self._pending)
        else:
            self._spin = self.set_interval(0.1, self._tick)

    def wait_with(self, note: str) -> None:
        """Say why the reply is taking a moment (the knowledge base is still loading)."""
        self._waiting = note
        self._tick(advance=False)

    def _spinner_text(self) -> Text:
        return Text(f"{SPINNER[self._frame % len(SPINNER)]} {self._waiting}".rstrip(), style="italic")

    def _tick(self, advance: bool = True) -> None:
        self._frame += advance
        for spinner in self.query(".spinner"):
            spinner.update(self._spinner_text(), layout=False)  # one line: no reflow per frame

    def show(self, reply: Reply, seconds: float = 0.8, *, text: str | None = None) -> None:
        """Type the reply in over about `seconds` (0: at once); `text` overrides the words shown."""
        self.reply = reply
        self.text = clean(reply.text if text is None else text)
        if self.is_mounted:
            self._type(self.text, seconds)
        else:
            self._pending = (self.text, seconds)

    @work(exclusive=True, group="typing")
    async def _type(self, text: str, seconds: float) -> None:
        try:
            await self._type_in(text, seconds)
        except MountError:
            # Raised only when the widget typed into has left the screen: the app is closing,
            # or the turn was cleared, while Ms. B was still typing. Nothing is left to show.
            pass

    async def _type_in(self, text: str, seconds: float) -> None:
        if self._spin is not None:
            self._spin.stop()
        await self.query(".spinner").remove()
        body = Markdown(classes="body", parser_factory=parser)
        await self.mount(body)
        chunks, pause = typing_chunks(text, seconds)
        if len(chunks) > 1:
            stream = Markdown.get_stream(body)
            try:
                for chunk in chunks:
                    await stream.write(chunk)
                    await asyncio.sleep(pause)
            finally:
                await stream.stop()
        # The stream renders fragments as they come; the whole text is rendered once more so
        # that what stays on screen is exactly the reply (code blocks and lists intact).
        await body.update(text)
        await self._mount_extras()
        self.finished = True
        self.post_message(self.Complete(self))

    async def _mount_extras(self) -> None:
        reply = self.reply
        if reply is None:
            return
        extras: list[Widget] = []
        if reply.sources:
            extras.append(SourcesBlock(reply.sources, reply.lang))
        if reply.offer and reply.demo and reply.action is None:
            button = Button(self._offer_label(reply), classes="demo-offer", compact=True)
            button.demo_id = reply.demo  # type: ignore[attr-defined]
            extras.append(button)
        if extras:
            await self.mount_all(extras)

    def _offer_label(self, reply: Reply) -> str:
        """The "Show me" button's words, with the command that does the same where the message is wide enough
        to show them whole (a button's label is one line: at 40 columns it would be cut)."""
        full = say("show_me_button", reply.lang, demo=reply.demo)
        return full if cell_len(full) + 4 <= self.size.width or not self.size.width \
            else say("show_me_button_short", reply.lang)

    def on_resize(self, event: events.Resize) -> None:
        if self.reply is not None and self.reply.demo:
            for button in self.query(".demo-offer").results(Button):
                button.label = self._offer_label(self.reply)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        demo_id = getattr(event.button, "demo_id", None)
        if demo_id:
            event.stop()
            self.post_message(self.DemoRequested(demo_id))
