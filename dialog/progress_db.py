"""A SQLite file whose trouble never reaches its caller: the progress store's database.

Each change is one transaction in WAL mode, so a crash or kill -9 loses no completed change and two
instances can write side by side. When the file can't take a change — locked by another process past a
short wait, a full disk, a read-only file, damage found mid-session — the learner is told once, the
session goes on in an in-memory copy, and the changes it held are written in order as soon as the file
takes them again (tried with each later change, without waiting, and once more at exit). Changes the
file still refuses at exit are kept beside it in a small journal (`<file>.pending-*.json`) and written by
the next session that opens it, so a lock held past the end of a session costs nothing.

At open, a file that is not a database (or fails its check) is moved aside with a notice and a fresh one
started; where no file can be made at all, the session keeps its progress in memory only. A file damaged
mid-session (overwritten, truncated: seen by its first bytes after each change, and by opening it afresh
at close) is moved aside the same way, and the fresh one gets every change of this session.
"""
from __future__ import annotations

import atexit
import json
import os
import sqlite3
import threading
import time
import weakref
from pathlib import Path
from typing import Callable, Sequence

from knowledge import storage

Statement = tuple[str, tuple]
HEADER = b"SQLite format 3\x00"
OVERWRITTEN = "something else overwrote the file"
Notice = Callable[[str], None]
# How long a change waits for another process's lock: SQLite holds one for milliseconds per transaction,
# so this is ample for instances side by side, and short enough never to hold up a reply.
LOCK_WAIT = 0.3

_open_stores: "weakref.WeakSet[Database]" = weakref.WeakSet()


class Database:
    def __init__(self, path: Path | None, prepare: Callable[[sqlite3.Connection], None],
                 notice: Notice | None = None, lang: Callable[[], str] | None = None,
                 connect: Callable[..., sqlite3.Connection] = sqlite3.connect) -> None:
        """`prepare` checks a connection and brings its schema up to date (raising sqlite3.DatabaseError
        for a file that fails its check); `path` None keeps everything in memory; notices are told in
        `lang()`; `connect` opens the file (sqlite3.connect's arguments; a test passes one that sets SQLite's
        own limits on what it opens, or damages it)."""
        self._open = connect
        self._notice = notice or (lambda message: None)
        self._lang = lang or (lambda: "en")
        self._prepare = prepare
        self._lock = threading.Lock()
        self.path = path
        self._file: sqlite3.Connection | None = None
        self._shadow: sqlite3.Connection | None = None  # in effect while the file takes no change
        self._pending: list[Sequence[Statement]] = []
        # Every change of this session, in order: a file damaged mid-session takes its earlier rows with it,
        # and these (all upserts or appends) rebuild the session's part in a copy and in the fresh file.
        self._session: list[Sequence[Statement]] = []
        self._damaged = False  # the file is not a database any more: set it aside at the next write
        self._head: int | None = None  # a descriptor of the file, to see it overwritten
        self.problem: str | None = None  # why changes are not reaching the file now
        self._told = False
        self._said_unsaved = False  # the learner heard "isn't being saved" and not yet "saved again"
        if path is None:
            self._file = self._memory()
        else:
            self._open_file(path)
        _open_stores.add(self)

    # ------------------------------------------------------------------ opening

    def _memory(self) -> sqlite3.Connection:
        db = sqlite3.connect(":memory:", check_same_thread=False)
        self._prepare(db)
        return db

    def _connect(self, path: Path, wait: float) -> sqlite3.Connection:
        storage.create_exclusive(path, private=True)  # SQLite would make it world-readable; its -wal follows
        db = self._open(path, timeout=wait, check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            self._prepare(db)
            self._watch()
            return db
        except BaseException:
            db.close()
            raise

    def notice(self, key: str, **values: object) -> None:
        from dialog.lines import say

        self._notice(say(key, self._lang(), **values))

    def _open_file(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self._connect(path, LOCK_WAIT)
            self._replay_journals()
            return
        except sqlite3.OperationalError as exc:  # locked, full, read-only: the file is fine, just not now
            self._degrade(exc)
            return
        except sqlite3.DatabaseError as exc:  # not a database, or damaged: keep it aside, start afresh
            try:
                self._set_aside(exc)
                self._file = self._connect(path, LOCK_WAIT)
                self._replay_journals()
                return
            except (OSError, sqlite3.Error):
                pass
        except OSError:
            pass
        self.notice("progress_unwritable", folder=storage.shown(path.parent))
        self.path = None
        self._file = self._memory()

    def _set_aside(self, exc: Exception, key: str = "progress_damaged") -> None:
        aside = self.path.with_name(f"{self.path.name}.damaged-{time.time_ns()}")
        self.path.rename(aside)
        for extra in ("-wal", "-shm"):  # a fresh file must not pick up the old one's log
            try:
                self.path.with_name(self.path.name + extra).unlink()
            except OSError:
                pass
        self.notice(key, why=exc, aside=aside.name)

    def _degrade(self, exc: Exception) -> None:
        """Go on in memory from what the file holds (as far as it can still be read)."""
        self.problem = str(exc) or type(exc).__name__
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            self._damaged = True  # locked, full and read-only are OperationalErrors: the file itself is fine
        if self.path is not None and self.path.is_dir():
            self.problem = "a folder stands where the file should be"
        if self._shadow is None:
            self._shadow = self._memory()
            source = self._file if self._file is not None else self._read_only()
            if source is not None:
                try:
                    if self._damaged:
                        raise sqlite3.DatabaseError("damaged")
                    source.backup(self._shadow)
                    self._prepare(self._shadow)  # a copy of an empty or older file: its tables as they are now
                except sqlite3.Error:
                    self._shadow.close()  # unreadable too: the copy holds what this session did
                    self._shadow = self._memory()
                    for change in self._session:
                        _apply(self._shadow, change)
                if source is not self._file:
                    source.close()
        if not self._damaged:  # a damaged file is set aside at once, and that notice says all
            self._tell_unsaved()

    def _tell_unsaved(self) -> None:
        if not self._told:
            self._told = self._said_unsaved = True
            where = storage.shown(self.path) if self.path is not None else ""
            self.notice("progress_not_saved", why=f"{self.problem} ({where})" if where else self.problem)

    def _looks_whole(self) -> bool:
        """Whether the file still starts as a database. In WAL mode a connection keeps working from its log
        and cache when another program overwrites the file, and would checkpoint into the wreck at close."""
        if self._head is None:
            return True
        try:
            return os.pread(self._head, len(HEADER), 0) in (HEADER, b"")
        except OSError:
            return True  # can't tell from here; the next change to fail will

    def _watch(self) -> None:
        """Hold the file open to read its first bytes. Held for the whole session, because closing any
        descriptor of the file would drop the POSIX locks SQLite holds on it."""
        self._unwatch()
        try:
            self._head = os.open(self.path, os.O_RDONLY)
        except (OSError, TypeError):
            self._head = None

    def _unwatch(self) -> None:
        if self._head is not None:
            try:
                os.close(self._head)
            except OSError:
                pass
            self._head = None

    def _verified_at_close(self) -> None:
        """Open the closed file afresh; where it fails its check, set it aside and write the session anew."""
        if self.path is None or not self._session or self.path.is_dir():
            return
        try:
            check = sqlite3.connect(self.path, timeout=LOCK_WAIT)
            try:
                self._prepare(check)
            finally:
                check.close()
            return
        except sqlite3.OperationalError:
            return  # locked or unreadable right now: not damage
        except sqlite3.DatabaseError as exc:
            self.problem = str(exc) or OVERWRITTEN
        self._shadow = self._memory()
        for change in self._session:
            _apply(self._shadow, change)
        self._damaged = True
        if not self._flush(wait=LOCK_WAIT):
            self._keep_pending()

    def _read_only(self) -> sqlite3.Connection | None:
        """The file opened only to read (a read-only folder, a lock): what was learned still shows."""
        if self.path is None or not self.path.is_file():
            return None
        for query in ("mode=ro", "mode=ro&immutable=1"):  # the second reads a folder where not even -shm can go
            try:
                db = sqlite3.connect(f"{self.path.resolve().as_uri()}?{query}", uri=True, timeout=0.1,
                                     check_same_thread=False)
                db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return db
            except sqlite3.Error:
                continue
        return None

    # ------------------------------------------------------------------ changes kept past a session

    def _journals(self) -> list[Path]:
        return sorted(self.path.parent.glob(f"{self.path.name}.pending-*.json")) if self.path is not None else []

    def _keep_pending(self) -> None:
        """Write the changes the file refused to a journal beside it (private, created whole or not at all)."""
        if not self._pending or self.path is None:
            return
        name = self.path.with_name(f"{self.path.name}.pending-{time.time_ns()}-{os.getpid()}.json")
        try:
            text = json.dumps([[list(s) for s in change] for change in self._pending])
            storage.write_atomic(name, lambda tmp: tmp.write_text(text, encoding="utf-8"), private=True)
            self._pending.clear()
        except (OSError, TypeError, ValueError):
            pass  # nowhere to keep them: the notice already said progress isn't being saved

    def _replay_journals(self) -> None:
        """Write what earlier sessions kept in journals, oldest first; a damaged journal is set aside."""
        for journal in self._journals():
            try:
                changes = json.loads(journal.read_text(encoding="utf-8"))
                with self._file:
                    for change in changes:
                        for sql, params in change:
                            self._file.execute(sql, tuple(params))
            except sqlite3.Error:
                return  # the file is busy again: the journals wait for the next session
            except (OSError, ValueError, TypeError):
                try:
                    journal.rename(journal.with_suffix(".damaged"))
                except OSError:
                    pass
                continue
            try:
                journal.unlink()
            except OSError:
                pass

    # ------------------------------------------------------------------ use

    def write(self, statements: Sequence[Statement]) -> None:
        """Apply the statements as one transaction: to the file, else to the session's copy (kept for later)."""
        with self._lock:
            if self._shadow is None:
                try:
                    _apply(self._file, statements)
                    self._session.append(statements)
                    if not self._looks_whole():
                        self._degrade(sqlite3.DatabaseError(OVERWRITTEN))
                        self._flush(wait=0.0)
                    return
                except sqlite3.Error as exc:
                    self._degrade(exc)  # its copy holds the session so far, not this change
            _apply(self._shadow, statements)
            self._session.append(statements)
            self._pending.append(statements)
            self._flush(wait=0.0)

    def read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            if self._shadow is None:
                try:
                    return self._file.execute(sql, params).fetchall()
                except sqlite3.Error as exc:
                    self._degrade(exc)
            return self._shadow.execute(sql, params).fetchall()

    def _flush(self, wait: float) -> bool:
        """Write the changes held in memory to the file, all or none; True once nothing is held."""
        if self._shadow is None or self.path is None:
            return True
        try:
            if self._damaged:
                if self._file is not None:
                    self._file.close()
                    self._file = None
                try:
                    self._set_aside(sqlite3.DatabaseError(self.problem), "progress_damaged_mid")
                except OSError:
                    self._tell_unsaved()
                    raise
                self._damaged = False
                self._pending[:] = self._session  # the fresh file gets the whole session
            if self._file is None:
                self._file = self._connect(self.path, wait)
            self._file.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            with self._file:
                for statements in self._pending:
                    for sql, params in statements:
                        self._file.execute(sql, params)
            self._file.execute(f"PRAGMA busy_timeout = {int(LOCK_WAIT * 1000)}")
        except (sqlite3.Error, OSError):
            return False
        self._pending.clear()
        self._shadow.close()
        self._shadow = None
        self.problem = None
        if self._said_unsaved:
            self._said_unsaved = False
            self.notice("progress_saved_again")
        return True

    def _let_go(self) -> None:
        for db in (self._file, self._shadow):
            if db is not None:
                db.close()
        self._file = self._shadow = None
        self._unwatch()  # after SQLite let go of the file: its locks went with its own descriptors

    def close(self) -> None:
        with self._lock:
            if not self._flush(wait=LOCK_WAIT):
                self._keep_pending()
            self._let_go()
            try:
                self._verified_at_close()
            except (sqlite3.Error, OSError):
                pass
            self._let_go()
        _open_stores.discard(self)


def _apply(db: sqlite3.Connection | None, statements: Sequence[Statement]) -> None:
    if db is None:
        raise sqlite3.OperationalError("the progress file isn't open")
    with db:
        for sql, params in statements:
            db.execute(sql, params)


@atexit.register
def _flush_at_exit() -> None:
    """What a session kept in memory gets one more chance to reach the file as the program ends."""
    for store in list(_open_stores):
        try:
            with store._lock:
                if not store._flush(wait=LOCK_WAIT):
                    store._keep_pending()
        except Exception:  # noqa: BLE001 — nothing at exit may raise
            pass
