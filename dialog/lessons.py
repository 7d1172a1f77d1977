"""Past conversations as lessons to find again: listed newest first with a title (the first question, or
one given), the date and the topics touched; opened, renamed, deleted and exported as Markdown.

A lesson is a transcript file; titles given by hand live beside them in titles.json.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dialog.errors import UserError
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
    turns: int  # lines Mr. A said
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
        title = titles.get(path.stem) or _shorten(asked[0] if asked else "(no question yet)")
        out.append(Lesson(number, path, title, datetime.fromtimestamp(first),
                          sum(t.role == "user" for t in turns), topics))
    return out


def _shorten(text: str) -> str:
    text = clean_line(storage.shown(text)).strip()
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def find(base: Path, which: str) -> Lesson:
    """A lesson by its number in the list (1 = newest) or its id (the file's name without .jsonl)."""
    lessons = list_lessons(base)
    for lesson in lessons:
        if which == str(lesson.number) or which == lesson.path.stem:
            return lesson
    raise UserError(f"no lesson {which!r}: `msb lessons` lists them" if lessons else "no lessons yet")


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


def delete(base: Path, which: str) -> Lesson:
    lesson = find(base, which)
    try:
        lesson.path.unlink()
    except OSError as exc:
        raise UserError(f"could not delete {storage.shown(lesson.path)}: {exc.strerror or exc}") from None
    return lesson


def export(base: Path, which: str, path: str) -> Path:
    """The lesson as Markdown (its demos' figures as text) at `path`, never over an existing file."""
    lesson = find(base, which)
    return export_markdown(read(lesson.path).turns, path, title=lesson.title)
