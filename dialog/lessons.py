"""Past conversations as lessons to find again: listed newest first with a title (the first question, or
one given), the date and the topics touched; opened, renamed, deleted and exported as Markdown.

A lesson is a transcript file; titles given by hand live beside them in titles.json.
"""
from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Mapping

from dialog.content import clip
from dialog.errors import UserError
from dialog.lines import say
from dialog.transcript import SUFFIX, export_markdown, read, transcripts_dir
from knowledge import storage
from knowledge.safe_text import clean_line

TITLES = "titles.json"
TITLE_CHARS = 60


@dataclass(frozen=True)
class Lesson:
    number: int  # 1 = the most recent
    path: Path
    title: str
    started: datetime
    turns: int  # lines Mr. A said to Ms. B (commands such as /clear are not a turn of the lesson)
    topics: tuple[str, ...]  # entries talked about, in order

    def to_json(self) -> dict:
        return {"number": self.number, "id": storage.shown(self.path.stem), "title": self.title,
                "started": self.started.isoformat(timespec="seconds"), "turns": self.turns,
                "topics": list(self.topics), "file": storage.shown(self.path)}


def _titles(base: Path) -> dict[str, str]:
    try:
        data = json.loads((transcripts_dir(base) / TITLES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: storage.shown(v) for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def list_lessons(base: Path) -> list[Lesson]:
    folder = transcripts_dir(base)
    try:
        files = [p for p in folder.glob(f"*{SUFFIX}") if p.is_file() and p.stat().st_size > 0]
    except OSError:
        return []
    files.sort(key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    titles = _titles(base)
    out = []
    for number, path in enumerate(files, 1):
        turns = read(path).turns
        asked = [t.text for t in turns if t.role == "user" and t.text.strip() and not t.text.startswith("/")]
        topics = tuple(dict.fromkeys(t.topic for t in turns if t.role == "ms_b" and t.topic))
        first = next((t.time for t in turns if t.time), path.stat().st_mtime)
        title = titles.get(path.stem) or _shorten(asked[0] if asked else "(no question yet)")  # as title_for
        out.append(Lesson(number, path, title, datetime.fromtimestamp(first),
                          len(asked), topics))
    return out


def title_for(base: Path, path: Path, turns) -> str:
    """A lesson's title from its turns already read: the one given by hand, else its first question."""
    given = _titles(base).get(path.stem)
    if given:
        return given
    asked = [t.text for t in turns if t.role == "user" and t.text.strip() and not t.text.startswith("/")]
    return _shorten(asked[0] if asked else "(no question yet)")


def _shorten(text: str) -> str:
    return clip(clean_line(storage.shown(text)), TITLE_CHARS)


def find(base: Path, which: str) -> Lesson:
    """A lesson by its number in the list (1 = newest) or its id (the file's name without .jsonl)."""
    lessons = list_lessons(base)
    for lesson in lessons:
        if which == str(lesson.number) or which == lesson.path.stem:
            return lesson
    raise UserError(f"no lesson {which!r}: msb lessons lists them" if lessons else "no lessons yet")


def rename(base: Path, which: str, title: str) -> Lesson:
    lesson = find(base, which)
    title = _shorten(title)
    if not title:
        raise UserError("give the lesson a title")
    titles = _titles(base)
    titles[lesson.path.stem] = title
    try:
        storage.write_atomic(transcripts_dir(base) / TITLES, lambda p: p.write_text(
            json.dumps(titles, ensure_ascii=False, indent=1), encoding="utf-8"), private=True)
    except OSError as exc:
        raise UserError(f"could not rename: {exc.strerror or exc}") from None
    return find(base, which)


def counted(n: int, lang: str) -> str:
    """ "1 turn", "3 turns", "3 轮": how many lines Mr. A said."""
    return say("lesson_turns_one" if n == 1 else "lesson_turns", lang, n=n)


def summary(lesson: Lesson, lang: str, titles: Mapping[str, str], limit: int = 3) -> str:
    """What a list shows after a lesson's title: its size and the topics it touched, named in words — an id
    with no title any more (an entry since removed) is left out rather than shown."""
    named = [titles[t] for t in lesson.topics if t in titles]
    shown = "、".join(named[:limit]) if lang == "zh" else ", ".join(named[:limit])
    if len(named) > limit:
        shown += " …"
    return counted(lesson.turns, lang) + (("；" if lang == "zh" else "; ") + shown if shown else "")


def delete(base: Path, which: str, open_lesson: Path | None = None, lang: str = "en") -> Lesson:
    """Delete a lesson — never the one open in the app (its next turn would bring it back under a new name)."""
    lesson = find(base, which)
    if open_lesson is not None and _same(lesson.path, open_lesson):
        raise UserError(say("lesson_delete_open", lang))
    try:
        lesson.path.unlink()
    except OSError as exc:
        raise UserError(f"could not delete {storage.shown(lesson.path)}: {exc.strerror or exc}") from None
    return lesson


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


@dataclass(frozen=True)
class Exported:
    path: Path  # where the lesson went
    asked: Path  # where it was asked to go: another name when a file was there already

    @property
    def renamed(self) -> bool:
        return self.path != self.asked


def file_name(lesson: Lesson) -> str:
    """A file name from the lesson's title ("what-does-deep-mean.md"), Chinese kept, nothing a shell or a
    file system would trip on."""
    stem = re.sub(r"[^\w]+", "-", lesson.title.lower(), flags=re.UNICODE).strip("-_")[:TITLE_CHARS]
    try:
        os.fsencode(stem)
    except UnicodeError:  # an ASCII-only file system locale (LC_ALL=C) can't name a file in Chinese
        stem = re.sub(r"[^a-z0-9]+", "-", stem.encode("ascii", "ignore").decode()).strip("-") or \
            f"lesson-{lesson.started:%Y-%m-%d-%H%M}"
    return f"{stem or 'lesson'}.md"


def export(base: Path, which: str, path: str | None = None, folder: Path | None = None,
           lang: str = "en") -> Exported:
    """The lesson as Markdown (its demos' figures as text) at `path`, or in `folder` (default: the current
    one) under a name from its title; never over an existing file — the first free "-2" name is used, and
    `Exported.renamed` says so.

    Raises UserError saying what is wrong: a folder or a device named, a folder that can't be written."""
    lesson = find(base, which)
    target = Path(path).expanduser() if path else (folder or Path.cwd()) / file_name(lesson)
    shown = storage.shown(target)
    if target.is_dir():
        raise UserError(say("export_is_folder", lang, path=shown, example=storage.shown(target / file_name(lesson))))
    if target.exists() and not stat.S_ISREG(os.stat(target).st_mode):
        raise UserError(say("export_not_file", lang, path=shown))
    if not target.parent.is_dir():  # a mistyped folder is a mistake to point out, not a tree to make
        raise UserError(say("export_no_folder", lang, folder=storage.shown(target.parent)))
    asked = target.resolve()
    written = export_markdown(read(lesson.path).turns, str(target), title=lesson.title)
    return Exported(written, asked)
