"""Transcripts: every turn of a conversation appended to a JSONL file as it happens.

One file per conversation, named by the time it started, under the user data dir
(platformdirs' "ms-b", or --data-dir, or MSB_DATA_DIR), readable by its owner alone. The file is
created exclusively — two conversations started in the same second get two names — and each line
is written through knowledge.storage.append_line: under the file's lock, fsynced as it is written,
and a partial line left by a crash or a full disk is cut back before the next one, so no completed
turn is lost. A damaged line (a hand edit) is skipped with a notice when the file is read back,
never fatal; text that can't be written as UTF-8 (a stray surrogate) is kept with �.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from dialog import events
from dialog.errors import UserError
from dialog.reply import Reply, Source
from knowledge import storage
from knowledge.safe_text import clean

SUFFIX = ".jsonl"
ROLES = ("user", "ms_b", "event")  # "event": a line the app showed that nobody said (a demo stopped)


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """`override`, else the run's data dir (dialog.config resolved it)."""
    return storage.data_dir(override)


def transcripts_dir(base: Path) -> Path:
    return base / "transcripts"


@dataclass(frozen=True)
class Turn:
    role: str  # "user" | "ms_b" | "event"
    text: str
    time: float = 0.0  # seconds since the epoch
    kind: str = ""  # the Reply kind, for Ms. B's turns
    lang: str = ""
    sources: tuple[Source, ...] = ()
    demo: str | None = None
    topic: str | None = None  # the knowledge entry Ms. B spoke about, so a resumed talk goes on from it
    events: tuple[Any, ...] = ()  # what the reply changed in the conversation (dialog.events): replayed on resume

    @classmethod
    def from_reply(cls, reply: Reply, text: str | None = None) -> "Turn":
        """Ms. B's turn; `text` when the words shown differ from the reply's."""
        return cls("ms_b", reply.full_text if text is None else text, time.time(), reply.kind, reply.lang,
                   tuple(reply.sources), reply.demo, reply.topic, tuple(reply.events))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "text": storage.shown(self.text), "time": round(self.time, 3)}
        if self.kind:
            out["kind"] = self.kind
        if self.lang:
            out["lang"] = self.lang
        if self.sources:
            out["sources"] = [asdict(s) for s in self.sources]
        if self.demo:
            out["demo"] = self.demo
        if self.topic:
            out["topic"] = self.topic
        if self.events:
            out["events"] = [events.to_json(e) for e in self.events]
        return out

    @classmethod
    def from_json(cls, data: Any) -> "Turn":
        """Raises ValueError for anything that is not a turn this module wrote."""
        if not isinstance(data, dict) or data.get("role") not in ROLES or not isinstance(data.get("text"), str):
            raise ValueError("not a transcript turn")
        sources = tuple(Source(**{k: _text(s.get(k, "")) for k in ("document", "section", "excerpt", "title", "original")})
                        for s in data.get("sources") or () if isinstance(s, dict))
        demo, topic = data.get("demo"), data.get("topic")
        raw_events = data.get("events") if isinstance(data.get("events"), list) else []
        replayed = tuple(e for e in (events.from_json(r) for r in raw_events) if e is not None)
        return cls(data["role"], _text(data["text"]), float(data.get("time") or 0.0), _text(data.get("kind") or ""),
                   _text(data.get("lang") or ""), sources, _text(demo) if isinstance(demo, str) else None,
                   _text(topic) if isinstance(topic, str) else None, replayed)


def _text(value: Any) -> str:
    """A string read back from a transcript, safe to show and to write again (a "\\udcff" in a hand-edited
    line becomes �)."""
    return clean(storage.shown(str(value)))


@dataclass
class Loaded:
    turns: list[Turn] = field(default_factory=list)
    skipped: int = 0  # damaged lines left out

    @property
    def unanswered(self) -> str | None:
        """The last question, when the conversation stopped before Ms. B answered it (a kill, a crash)."""
        said = [t for t in self.turns if t.role in ("user", "ms_b")]
        return said[-1].text if said and said[-1].role == "user" else None


def read(path: Path) -> Loaded:
    """The turns of a transcript file; damaged lines are counted and skipped. A byte that isn't UTF-8 (an
    editor's slip, a disk's) costs only itself: it reads as �, and its line is kept."""
    out = Loaded()
    with open(path, "rb") as f:
        for raw in f:
            if not raw.strip():
                continue
            try:
                out.turns.append(Turn.from_json(json.loads(raw.decode("utf-8", errors="replace"))))
            except (ValueError, TypeError):
                out.skipped += 1
    return out


def latest(base: Path) -> Path | None:
    """The most recent transcript that holds at least one line, or None."""
    folder = transcripts_dir(base)
    try:
        files = [p for p in folder.glob(f"*{SUFFIX}") if p.is_file() and p.stat().st_size > 0]
    except OSError:
        return None
    # Names sort by start time; the modification time breaks ties and covers renamed files.
    return max(files, key=lambda p: (p.stat().st_mtime, p.name), default=None)


class Transcript:
    """An append-only conversation log. The file is created with the first turn, so
    starting the app and leaving at once leaves nothing behind."""

    def __init__(self, base: Path, path: Path | None = None) -> None:
        self.base = base
        self.path = path
        self.turns: list[Turn] = []
        self._written = 0  # how many of `turns` are on disk
        self.error: str | None = None  # why the file could not be written, once that happened

    @classmethod
    def resume(cls, base: Path) -> tuple["Transcript", Loaded]:
        """Continue the most recent transcript (its turns are kept), or start afresh."""
        path = latest(base)
        if path is None:
            return cls(base), Loaded()
        loaded = read(path)
        t = cls(base, path)
        t.turns = list(loaded.turns)
        t._written = len(t.turns)
        return t, loaded

    @classmethod
    def open(cls, base: Path, path: Path) -> tuple["Transcript", Loaded]:
        """Carry on with a given transcript (a lesson picked from the list)."""
        loaded = read(path)
        t = cls(base, path)
        t.turns = list(loaded.turns)
        t._written = len(t.turns)
        return t, loaded

    def restart(self) -> None:
        """The next turn opens a new file (after /clear: a new conversation)."""
        self.path = None
        self.turns = []
        self._written = 0

    def append(self, turn: Turn) -> None:
        """Keep the turn and write it through to disk. A disk problem is remembered in
        `error` (the chat goes on, in memory) rather than raised into the UI; the turns
        kept in memory are all written once the disk takes them again."""
        self.turns.append(turn)
        try:
            if self.path is None:
                self.path = self._new_path()
            for pending in self.turns[self._written:]:
                storage.append_line(self.path, json.dumps(pending.to_json(), ensure_ascii=False))
                self._written += 1
            self.error = None
        except OSError as exc:
            self.error = f"{storage.shown(self.path or transcripts_dir(self.base))}: {exc.strerror or exc}"

    def conversation(self) -> list[tuple[str, str]]:
        """(role, text) pairs of what was said, for Conversation.restore."""
        return [(t.role, t.text) for t in self.turns if t.role in ("user", "ms_b")]

    def last_topic(self) -> str | None:
        """The topic of Ms. B's latest turn that had one."""
        return next((t.topic for t in reversed(self.turns) if t.role == "ms_b" and t.topic), None)

    def _new_path(self) -> Path:
        """A new file, created here, that no other conversation has: two started in the same second (a
        /clear, two windows opened at once) take the next free name, decided by the exclusive create."""
        folder = transcripts_dir(self.base)
        stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
        path, n = folder / f"{stamp}{SUFFIX}", 1
        while not storage.create_exclusive(path, private=True):
            n += 1
            path = folder / f"{stamp}-{n}{SUFFIX}"
        return path


# ---------------------------------------------------------------- Markdown export


def to_markdown(turns: Iterable[Turn], title: str = "Conversation with Ms. B") -> str:
    parts = [f"# {title}", ""]
    for t in (Turn(t.role, clean(t.text), t.time, t.kind, t.lang, t.sources, t.demo, t.topic) for t in turns):
        if t.role == "user":
            # Quoted so that whatever Mr. A typed stays his words, not the document's structure.
            quoted = "\n".join("> " + line if line else ">" for line in t.text.splitlines() or [""])
            parts += ["**Mr. A:**", "", quoted, ""]
        elif t.role == "ms_b":
            parts += ["**Ms. B:**", "", t.text.rstrip(), ""]
            if t.sources:
                parts.append("Sources:")
                parts += [f"- *{s.title or s.document}*, {s.section}: “{s.excerpt}”" for s in t.sources]
                parts.append("")
        elif t.kind == "figures":
            parts += ["```text", t.text.rstrip(), "```", ""]
        else:
            parts += [f"*{t.text}*", ""]
    return "\n".join(parts).rstrip() + "\n"


def export_markdown(turns: Iterable[Turn], path: str, title: str = "Conversation with Ms. B") -> Path:
    """Write the conversation to PATH (~ expanded, folders created) and return where it went: never over
    an existing file (a free "-2" name is used), never to a device or folder, through a symlink to its file.

    Raises UserError with a message fit for the user when the path cannot be written.
    """
    if not path or not path.strip():
        raise UserError("no file name given: /save PATH, for example /save ~/ms-b.md")
    target = Path(clean(path).strip()).expanduser()
    shown = storage.shown(target)
    if target.is_dir():
        raise UserError(f"{shown} is a folder; name a file, for example {storage.shown(target / 'ms-b.md')}")
    try:
        written = storage.save_file(target, to_markdown(turns, title))
    except OSError as exc:
        raise UserError(f"could not save to {shown}: {exc.strerror or exc}") from None
    return written.resolve()
