"""What Mr. A has learned, kept in SQLite under the user data dir: topics asked about, demos watched, one
FSRS card per check question and every review.

The database (dialog.progress_db) never costs an answer: a locked, full, read-only or damaged file is
met with one notice, the session goes on in memory, and what it learned is written once the file takes
it again. The schema carries its version (PRAGMA user_version) and migrates forward.
"""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from dialog.progress_db import Database
from knowledge import storage

FILE = "progress.sqlite3"
MIGRATIONS = (  # the schema, one step per version; never edit a step, add one
    """CREATE TABLE topics (topic TEXT PRIMARY KEY, first_seen REAL NOT NULL, last_seen REAL NOT NULL,
                            asked INTEGER NOT NULL DEFAULT 1);
       CREATE TABLE demos (demo TEXT PRIMARY KEY, watched_at REAL NOT NULL, runs INTEGER NOT NULL DEFAULT 1);
       CREATE TABLE cards (check_id TEXT PRIMARY KEY, topic TEXT NOT NULL, card TEXT NOT NULL, due REAL NOT NULL);
       CREATE TABLE reviews (id INTEGER PRIMARY KEY AUTOINCREMENT, check_id TEXT NOT NULL, at REAL NOT NULL,
                             rating INTEGER NOT NULL, grade TEXT NOT NULL, lang TEXT NOT NULL, answer TEXT NOT NULL);
       CREATE INDEX cards_due ON cards (due);""",
)


@dataclass(frozen=True)
class CardState:
    check_id: str
    topic: str
    due: datetime
    retrievability: float  # 0..1, FSRS's estimate that it is remembered now (1 right after any review)
    stability: float | None = None  # FSRS: days until recall falls to 90 %; None before the first review
    difficulty: float | None = None  # FSRS: 1 (easy) .. 10 (hard)
    learning: bool = True  # still in FSRS's short (re)learning steps, not yet spaced out in days
    last_review: datetime | None = None
    last_rating: int | None = None  # 1 Again, 2 Hard, 3 Good, 4 Easy


def prepare(db: sqlite3.Connection) -> None:
    """Check the database and bring its schema up to date; sqlite3.DatabaseError if it fails its check."""
    if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        raise sqlite3.DatabaseError("failed its integrity check")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")  # with WAL: a committed review survives a crash of the app
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for step, script in enumerate(MIGRATIONS[version:], version + 1):
        with db:
            db.executescript(f"BEGIN; {script}; PRAGMA user_version = {step}; COMMIT;")


class Progress:
    def __init__(self, path: Path | None, notice: Callable[[str], None] | None = None,
                 clock: Callable[[], datetime] | None = None, lang: Callable[[], str] | None = None,
                 connect: Callable[..., sqlite3.Connection] = sqlite3.connect) -> None:
        """`path` None: in memory only. `clock`: now, as an aware datetime (tests pass a fake one). `lang`:
        the conversation's language now, the one its notices are told in. `connect`: how the file is opened
        (see Database)."""
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.db = Database(path, prepare, notice, lang, connect)

    @classmethod
    def default(cls, notice: Callable[[str], None] | None = None,
                lang: Callable[[], str] | None = None) -> "Progress":
        return cls(storage.data_dir() / FILE, notice, lang=lang)

    @property
    def path(self) -> Path | None:
        return self.db.path

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ what happened

    def saw_topic(self, topic: str) -> None:
        now = time.time()
        self.db.write([("INSERT INTO topics (topic, first_seen, last_seen) VALUES (?, ?, ?) ON CONFLICT (topic) "
                        "DO UPDATE SET last_seen = excluded.last_seen, asked = asked + 1", (topic, now, now))])

    def watched(self, demo: str) -> None:
        self.db.write([("INSERT INTO demos (demo, watched_at) VALUES (?, ?) "
                        "ON CONFLICT (demo) DO UPDATE SET runs = runs + 1", (demo, time.time()))])

    def topics(self) -> dict[str, int]:
        return dict(self.db.read("SELECT topic, asked FROM topics"))

    def demos_watched(self) -> set[str]:
        return {row[0] for row in self.db.read("SELECT demo FROM demos")}

    # ------------------------------------------------------------------ cards

    def review(self, check_id: str, topic: str, rating: int, grade: str, lang: str, answer: str) -> CardState:
        """Schedule the card with FSRS from this review's rating, and log the review — one transaction."""
        from fsrs import Card, Rating, Scheduler

        now = self.clock()
        row = self.db.read("SELECT card FROM cards WHERE check_id = ?", (check_id,))
        card = Card.from_json(row[0][0]) if row else Card()
        card, _ = _scheduler(Scheduler).review_card(card, Rating(rating), now)
        self.db.write([
            ("INSERT INTO cards (check_id, topic, card, due) VALUES (?, ?, ?, ?) ON CONFLICT (check_id) "
             "DO UPDATE SET card = excluded.card, due = excluded.due", (check_id, topic, card.to_json(),
                                                                         card.due.timestamp())),
            ("INSERT INTO reviews (check_id, at, rating, grade, lang, answer) VALUES (?, ?, ?, ?, ?, ?)",
             (check_id, now.timestamp(), rating, grade, lang, answer)),
        ])
        return self._state(check_id, topic, card, now, rating)

    def due(self, limit: int = 10) -> list[str]:
        """Check ids whose review is due now, the most overdue first."""
        rows = self.db.read("SELECT check_id FROM cards WHERE due <= ? ORDER BY due LIMIT ?",
                            (self.clock().timestamp(), limit))
        return [r[0] for r in rows]

    def cards(self) -> list[CardState]:
        from fsrs import Card

        now = self.clock()
        rows = self.db.read("SELECT check_id, topic, card FROM cards")
        ratings = dict(self.db.read("SELECT check_id, rating FROM reviews ORDER BY id"))  # the last one wins
        return [self._state(check_id, topic, Card.from_json(card), now, ratings.get(check_id))
                for check_id, topic, card in rows]

    def due_count(self) -> int:
        """How many reviews are due now (the greeting says so)."""
        return self.db.read("SELECT COUNT(*) FROM cards WHERE due <= ?", (self.clock().timestamp(),))[0][0]

    def reviews(self) -> list[tuple[str, str, str]]:
        """(check id, grade, answer) of every review, oldest first."""
        return self.db.read("SELECT check_id, grade, answer FROM reviews ORDER BY id")

    def grades(self) -> list[tuple[str, str]]:
        """(check id, grade) of every review, oldest first."""
        return self.db.read("SELECT check_id, grade FROM reviews ORDER BY id")

    def _state(self, check_id: str, topic: str, card, now: datetime, rating: int | None) -> CardState:
        from fsrs import Scheduler, State

        return CardState(check_id, topic, card.due, float(_scheduler(Scheduler).get_card_retrievability(card, now)),
                         card.stability, card.difficulty, card.state != State.Review, card.last_review, rating)


_SCHEDULER = None


def _scheduler(cls):
    """One scheduler, without fuzzing, so the same answers give the same dates."""
    global _SCHEDULER
    if _SCHEDULER is None:
        _SCHEDULER = cls(enable_fuzzing=False)
    return _SCHEDULER

