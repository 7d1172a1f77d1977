"""The lessons screen (ctrl+l): past conversations to reopen, rename, delete (after asking) or export (to a
file it asks for)."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from dialog import lessons
from dialog.errors import USER_ERRORS
from dialog.lines import say
from dialog.tui.footer import NARROW
from knowledge import storage
from knowledge.safe_text import clean_line


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; dismissed with True only by a deliberate yes (y or the button)."""

    BINDINGS = [Binding("y", "dismiss(True)", "Yes"), Binding("n,escape", "dismiss(False)", "No")]

    def __init__(self, question: str, lang: str) -> None:
        super().__init__()
        self.question, self.lang = question, lang

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(self.question, id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(say("lessons.delete_button", self.lang), variant="error", id="yes")
                yield Button(say("lessons.keep_button", self.lang), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # Enter alone keeps the lesson

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class LessonsScreen(ModalScreen[Path | None]):
    """Dismissed with the transcript to reopen, or None."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("r", "rename", "Rename"),
        Binding("d", "delete", "Delete"),
        Binding("e", "export", "Export"),
    ]

    def __init__(self, base: Path, lang: str, open_lesson: Path | None = None,
                 titles: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.base = base
        self.lang = lang
        self.open_lesson = open_lesson  # the conversation in the app: never deleted from here
        self.titles = titles or {}  # entry id → its title in words
        self.asking: str | None = None  # what the input box is for: "rename" or "export"

    def compose(self) -> ComposeResult:
        with Vertical(id="lessons"):
            yield Label(say("lessons.help", self.lang), id="lessons-help")
            yield Label(say("lessons.help_short", self.lang), id="lessons-help-short")  # a narrow screen's
            yield OptionList(id="lesson-list")
            yield Input(id="rename", compact=self.app.size.width < NARROW)
            yield Label("", id="lessons-note", markup=False)

    def on_mount(self) -> None:
        self.query_one("#rename", Input).display = False
        self.refill()

    def refill(self) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        found = lessons.list_lessons(self.base)
        narrow = self.app.size.width < NARROW  # one line a lesson: its date and title
        for lesson in found:
            here = self._is_open(lesson.path)
            mark = say("lessons.open_now", self.lang) if here else ""
            if narrow:
                words = f"{lesson.started:%m-%d %H:%M} {clean_line(lesson.title)}{mark}"
            else:
                words = (f"{lesson.started:%Y-%m-%d %H:%M}  {clean_line(lesson.title)}  "
                         f"({clean_line(lessons.summary(lesson, self.lang, self.titles))}{mark})")
            options.add_option(Option(words, id=lesson.path.stem))
        if not found:
            self.note(say("lessons.none", self.lang))
        else:
            options.highlighted = 0
        options.focus()

    def _is_open(self, path: Path) -> bool:
        return self.open_lesson is not None and path.name == self.open_lesson.name

    def note(self, text: str) -> None:
        self.query_one("#lessons-note", Label).update(text)

    def _selected(self) -> lessons.Lesson | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        try:
            return lessons.find(self.base, options.get_option_at_index(options.highlighted).id)
        except USER_ERRORS as exc:  # deleted meanwhile, by another window
            self.note(str(exc))
            return None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(lessons.find(self.base, event.option.id).path)

    def action_close(self) -> None:
        box = self.query_one("#rename", Input)
        if box.display:  # Esc first leaves the question being typed, then the screen
            self._close_box()
        else:
            self.dismiss(None)

    def action_delete(self) -> None:
        lesson = self._selected()
        if lesson is None:
            return
        if self._is_open(lesson.path):
            self.note(say("lessons.open_not_deleted", self.lang))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._do(lambda: lessons.delete(self.base, lesson.path.stem, self.open_lesson, self.lang),
                         say("lessons.deleted", self.lang, title=lesson.title))
            else:
                self.note(say("lessons.kept", self.lang))

        question = say("lessons.delete_question", self.lang, title=clean_line(lesson.title),
                       turns=lessons.counted(lesson.turns, self.lang))
        self.note("")  # what was said of another lesson no longer applies
        self.app.push_screen(ConfirmScreen(question, self.lang), answered)

    def action_export(self) -> None:
        lesson = self._selected()
        if lesson is not None:
            self._ask("export", str(Path.cwd() / lessons.file_name(lesson)),
                      say("lessons.export_placeholder", self.lang))

    def action_rename(self) -> None:
        if self._selected() is not None:
            self._ask("rename", "", say("lessons.rename_placeholder", self.lang))

    def _ask(self, what: str, value: str, placeholder: str) -> None:
        self.asking = what
        box = self.query_one("#rename", Input)
        box.placeholder, box.value, box.display = placeholder, value, True
        if what == "export":
            self.note(say("lessons.export_note", self.lang))
        box.focus()

    def _close_box(self) -> None:
        box = self.query_one("#rename", Input)
        box.display, box.value, self.asking = False, "", None
        self.query_one(OptionList).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        lesson, what, value = self._selected(), self.asking, event.value.strip()
        self._close_box()
        if lesson is None or not value:
            return
        if what == "rename":
            self._do(lambda: lessons.rename(self.base, lesson.path.stem, value), say("lessons.renamed", self.lang))
        elif what == "export":
            self._export(lesson, value)

    def _export(self, lesson: lessons.Lesson, path: str) -> None:
        try:
            done = lessons.export(self.base, lesson.path.stem, path, lang=self.lang)
        except USER_ERRORS as exc:
            self.note(str(exc))
            return
        where, asked = storage.shown(done.path), storage.shown(done.asked)
        self.note(say("lessons.exported_beside", self.lang, asked=asked, where=where) if done.renamed
                  else say("lessons.exported", self.lang, where=where))

    def _do(self, work, said: str) -> None:
        try:
            work()
        except USER_ERRORS as exc:
            self.note(str(exc))
            return
        self.note(said)
        self.refill()
