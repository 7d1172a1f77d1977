"""`msb lessons`: past conversations to find again — list, show, rename, delete, export (`--json` to script)."""
from __future__ import annotations

import sys
from pathlib import Path

from knowledge import storage
from knowledge.safe_text import clean

USAGE = """usage: msb lessons [--json]                 the lessons, newest first
       msb lessons show N                     one lesson, as Markdown
       msb lessons rename N "TITLE"
       msb lessons delete N
       msb lessons export N [--out PATH.md]   Markdown, the demos' figures as text (default: a file
                                              named after the lesson's title, in this folder)
       msb --lesson N                         reopen lesson N in the app"""

# What each action needs after N, for the line that says what is missing.
NEEDS = {"show": "N", "rename": 'N "TITLE"', "delete": "N", "export": "N [--out PATH.md]"}


def lessons_main(action: str | None, args: list[str], as_json: bool, out: str | None = None) -> int:
    # Imported here, not above: every start reads USAGE to build its parser, and only `lessons` needs these.
    from dialog import lessons
    from dialog.terminal.output import json_text
    from dialog.transcript import read, to_markdown

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
    if action == "export" and len(args) in (1, 2) and not (out and len(args) == 2):
        done = lessons.export(base, args[0], out or (args[1] if len(args) == 2 else None))
        if as_json:
            print(json_text({"file": storage.shown(done.path), "renamed": done.renamed}, sys.stdout))
        elif done.renamed:
            print(f"{storage.shown(done.asked)} is there already, so it is kept: exported to "
                  f"{storage.shown(done.path)}")
        else:
            print(f"Exported to {storage.shown(done.path)}")
        return 0
    print(f"msb lessons {action}: {_wrong(action, args, out)}", file=sys.stderr)
    print(USAGE, file=sys.stderr)
    return 2


def _wrong(action: str, args: list[str], out: str | None) -> str:
    """The one line that says what is wrong with the words given, before the usage."""
    if not args:
        return f"which lesson? give its number: msb lessons {action} {NEEDS[action]} (msb lessons lists them)"
    if action == "rename":
        return f'give the new title too: msb lessons rename {args[0]} "TITLE"'
    if action == "export" and out and len(args) == 2:
        return "give the file once: either --out PATH or PATH, not both"
    return f"too many words: msb lessons {action} {NEEDS[action]}"


def _list(base, as_json: bool) -> int:
    from dialog import lessons
    from dialog.terminal.output import json_text

    found = lessons.list_lessons(base)
    if as_json:
        print(json_text([lesson.to_json() for lesson in found], sys.stdout))
        return 0
    if not found:
        print("No lessons yet: every conversation with Ms. B is kept as one.")
        return 0
    titles = topic_titles("en")
    for lesson in found:
        print(f"{lesson.number:>3}  {lesson.started:%Y-%m-%d %H:%M}  {clean(lesson.title)}"
              f"  ({clean(lessons.summary(lesson, 'en', titles, limit=4))})")
    return 0


def topic_titles(lang: str) -> dict[str, str]:
    """Entry id → its title, to name a lesson's topics in words (the entries alone: no index, no model)."""
    from knowledge.entries import load_entries

    return {e.id: e.title[lang] for e in load_entries()}


def _say(data: dict, as_json: bool, verb: str) -> int:
    from dialog.terminal.output import json_text

    if as_json:
        print(json_text(data, sys.stdout))
    else:
        print(f"{verb} {clean(str(data.get('title') or data.get('file')))}")
    return 0
