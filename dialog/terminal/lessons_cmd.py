"""`msb lessons`: past conversations to find again — list, show, rename, delete, export (`--json` to script)."""
from __future__ import annotations

import sys

from dialog import lessons
from dialog.transcript import read, to_markdown
from knowledge import storage
from dialog.terminal.output import json_text
from knowledge.safe_text import clean

USAGE = """usage: msb lessons [--json]                 the lessons, newest first
       msb lessons show N                     one lesson, as Markdown
       msb lessons rename N "TITLE"
       msb lessons delete N
       msb lessons export N PATH.md           Markdown, the demos' figures as text
       msb --lesson N                         reopen lesson N in the app"""


def lessons_main(action: str | None, args: list[str], as_json: bool) -> int:
    base = storage.data_dir()
    if action in (None, "list"):
        return _list(base, as_json)
    if action == "show" and len(args) == 1:
        print(clean(to_markdown(read(lessons.find(base, args[0]).path).turns, lessons.find(base, args[0]).title)))
        return 0
    if action == "rename" and len(args) >= 2:
        return _say(lessons.rename(base, args[0], " ".join(args[1:])).to_json(), as_json, "Renamed")
    if action == "delete" and len(args) == 1:
        return _say(lessons.delete(base, args[0]).to_json(), as_json, "Deleted")
    if action == "export" and len(args) == 2:
        written = lessons.export(base, args[0], args[1])
        return _say({"file": storage.shown(written)}, as_json, "Exported to")
    print(USAGE, file=sys.stderr)
    return 2


def _list(base, as_json: bool) -> int:
    found = lessons.list_lessons(base)
    if as_json:
        print(json_text([lesson.to_json() for lesson in found], sys.stdout))
        return 0
    if not found:
        print("No lessons yet: every conversation with Ms. B is kept as one.")
        return 0
    for lesson in found:
        topics = ", ".join(lesson.topics[:4]) + (" …" if len(lesson.topics) > 4 else "")
        print(f"{lesson.number:>3}  {lesson.started:%Y-%m-%d %H:%M}  {clean(lesson.title)}"
              f"  ({lesson.turns} turns{'; ' + topics if topics else ''})")
    return 0


def _say(data: dict, as_json: bool, verb: str) -> int:
    if as_json:
        print(json_text(data, sys.stdout))
    else:
        print(f"{verb} {clean(str(data.get('title') or data.get('file')))}")
    return 0
