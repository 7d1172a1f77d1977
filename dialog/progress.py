"""What Mr. A has learned, kept in SQLite under the user data dir: topics asked about, demos watched, one
FSRS card per check question and every review.

Each change is one transaction in WAL mode, so a crash or kill -9 loses no completed review and two
instances can write side by side. A file that is not a database (or one that fails its check) is moved
aside with a notice and a fresh one started; where no file can be written, progress is kept in memory for
the session. The schema carries its version (PRAGMA user_version) and migrates forward.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

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
    retrievability: float  # 0..1, FSRS's estimate that it is remembered now


class Progress:
    def __init__(self, path: Path | None, notice: Callable[[str], None] | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        """`path` None: in memory only. `clock`: now, as an aware datetime (tests pass a fake one)."""
        self.notice = notice or (lambda message: None)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._lock = threading.Lock()
        self.path = path
        self._db = self._open(path)

    @classmethod
    def default(cls, notice: Callable[[str], None] | None = None) -> "Progress":
        return cls(storage.data_dir() / FILE, notice)

    # ------------------------------------------------------------------ opening

    def _open(self, path: Path | None) -> sqlite3.Connection:
        if path is None:
            return self._prepare(sqlite3.connect(":memory:", check_same_thread=False))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return self._prepare(sqlite3.connect(path, timeout=10, check_same_thread=False))
        except sqlite3.DatabaseError as exc:  # not a database, or damaged: keep it aside, start afresh
            aside = path.with_name(f"{path.name}.damaged-{int(time.time())}")
            try:
                path.rename(aside)
                self.notice(f"Your progress file was damaged ({exc}); kept it as {aside.name} and started a fresh one.")
                return self._prepare(sqlite3.connect(path, timeout=10, check_same_thread=False))
            except (OSError, sqlite3.Error):
                pass
        except OSError:
            pass
        self.notice(f"Your progress can't be saved in {path.parent}; it is kept for this session only.")
        self.path = None
        return self._prepare(sqlite3.connect(":memory:", check_same_thread=False))

    def _prepare(self, db: sqlite3.Connection) -> sqlite3.Connection:
        db.execute("PRAGMA busy_timeout = 10000")
        if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("failed its integrity check")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # with WAL: a committed review survives a crash of the app
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for step, script in enumerate(MIGRATIONS[version:], version + 1):
            with db:
                db.executescript(f"BEGIN; {script}; PRAGMA user_version = {step}; COMMIT;")
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ what happened

    def saw_topic(self, topic: str) -> None:
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT INTO topics (topic, first_seen, last_seen) VALUES (?, ?, ?) "
                       "ON CONFLICT (topic) DO UPDATE SET last_seen = excluded.last_seen, asked = asked + 1",
                       (topic, now, now))

    def watched(self, demo: str) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO demos (demo, watched_at) VALUES (?, ?) "
                       "ON CONFLICT (demo) DO UPDATE SET runs = runs + 1", (demo, time.time()))

    def topics(self) -> dict[str, int]:
        with self._lock:
            return dict(self._db.execute("SELECT topic, asked FROM topics").fetchall())

    def demos_watched(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT demo FROM demos")}

    # ------------------------------------------------------------------ cards

    def review(self, check_id: str, topic: str, rating: int, grade: str, lang: str, answer: str) -> CardState:
        """Schedule the card with FSRS from this review's rating, and log the review — one transaction."""
        from fsrs import Card, Rating, Scheduler

        now = self.clock()
        with self._tx() as db:
            row = db.execute("SELECT card FROM cards WHERE check_id = ?", (check_id,)).fetchone()
            card = Card.from_json(row[0]) if row else Card()
            card, _ = _scheduler(Scheduler).review_card(card, Rating(rating), now)
            db.execute("INSERT INTO cards (check_id, topic, card, due) VALUES (?, ?, ?, ?) ON CONFLICT (check_id) "
                       "DO UPDATE SET card = excluded.card, due = excluded.due",
                       (check_id, topic, card.to_json(), card.due.timestamp()))
            db.execute("INSERT INTO reviews (check_id, at, rating, grade, lang, answer) VALUES (?, ?, ?, ?, ?, ?)",
                       (check_id, now.timestamp(), rating, grade, lang, answer))
        return self._state(check_id, topic, card, now)

    def due(self, limit: int = 10) -> list[str]:
        """Check ids whose review is due now, the most overdue first."""
        with self._lock:
            rows = self._db.execute("SELECT check_id FROM cards WHERE due <= ? ORDER BY due LIMIT ?",
                                    (self.clock().timestamp(), limit)).fetchall()
        return [r[0] for r in rows]

    def cards(self) -> list[CardState]:
        from fsrs import Card

        now = self.clock()
        with self._lock:
            rows = self._db.execute("SELECT check_id, topic, card FROM cards").fetchall()
        return [self._state(check_id, topic, Card.from_json(card), now) for check_id, topic, card in rows]

    def reviews(self) -> list[tuple[str, str, str]]:
        """(check id, grade, answer) of every review, oldest first."""
        with self._lock:
            return self._db.execute("SELECT check_id, grade, answer FROM reviews ORDER BY id").fetchall()

    def _state(self, check_id: str, topic: str, card, now: datetime) -> CardState:
        from fsrs import Scheduler

        return CardState(check_id, topic, card.due, float(_scheduler(Scheduler).get_card_retrievability(card, now)))


_SCHEDULER = None


def _scheduler(cls):
    """One scheduler, without fuzzing, so the same answers give the same dates."""
    global _SCHEDULER
    if _SCHEDULER is None:
        _SCHEDULER = cls(enable_fuzzing=False)
    return _SCHEDULER

