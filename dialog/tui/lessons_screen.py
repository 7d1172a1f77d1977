"""The lessons screen (ctrl+l): past conversations to reopen, rename, delete or export."""
from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from dialog import lessons
from dialog.errors import USER_ERRORS
from knowledge.lang import pick
from knowledge.safe_text import clean


class LessonsScreen(ModalScreen[Path | None]):
    """Dismissed with the transcript to reopen, or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close"),
        Binding("r", "rename", "Rename"),
        Binding("d", "delete", "Delete"),
        Binding("e", "export", "Export"),
    ]

    def __init__(self, base: Path, lang: str) -> None:
        super().__init__()
        self.base = base
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(id="lessons"):
            yield Label(pick(self.lang, "Your lessons — enter opens · r renames · d deletes · e exports · esc closes",
                             "你的课程——回车打开 · r 重命名 · d 删除 · e 导出 · esc 关闭"), id="lessons-help")
            yield OptionList(id="lesson-list")
            yield Input(placeholder=pick(self.lang, "New title, then enter", "输入新标题，回车确认"), id="rename")
            yield Label("", id="lessons-note")

    def on_mount(self) -> None:
        self.query_one("#rename", Input).display = False
        self.refill()

    def refill(self) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        found = lessons.list_lessons(self.base)
        for lesson in found:
            topics = ", ".join(lesson.topics[:3])
            options.add_option(Option(f"{lesson.started:%Y-%m-%d %H:%M}  {clean(lesson.title)}  "
                                      f"({lesson.turns}{'; ' + topics if topics else ''})", id=lesson.path.stem))
        if not found:
            self.note(pick(self.lang, "No lessons yet: every conversation is kept as one.", "还没有课程：每次对话都会保存为一课。"))
        else:
            options.highlighted = 0
        options.focus()

    def note(self, text: str) -> None:
        self.query_one("#lessons-note", Label).update(text)

    def _selected(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(lessons.find(self.base, event.option.id).path)

    def action_delete(self) -> None:
        which = self._selected()
        if which is not None:
            self._do(lambda: lessons.delete(self.base, which), pick(self.lang, "Deleted.", "已删除。"))

    def action_export(self) -> None:
        which = self._selected()
        if which is not None:
            target = str(Path.home() / f"ms-b-lesson-{which}.md")
            self._do(lambda: lessons.export(self.base, which, target), pick(self.lang, "Exported to ", "已导出到 "))

    def action_rename(self) -> None:
        if self._selected() is not None:
            box = self.query_one("#rename", Input)
            box.display = True
            box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        which = self._selected()
        event.input.display = False
        if which is not None and event.value.strip():
            self._do(lambda: lessons.rename(self.base, which, event.value), pick(self.lang, "Renamed.", "已重命名。"))
        event.input.value = ""

    def _do(self, work, said: str) -> None:
        try:
            result = work()
        except USER_ERRORS as exc:
            self.note(str(exc))
            return
        self.note(said + (str(result) if isinstance(result, Path) else ""))
        self.refill()
