"""Progress never costs an answer: a progress file locked by another process, a full disk, a read-only or
damaged file mid-session — each is told once, progress goes on in memory, and it is written to the file
once the file takes it again. (Faults are real ones: another process's lock, SQLite's own page limit and
query-only mode; damage is injected at the connection.)"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dialog import progress_db
from dialog.progress import Progress

ROOT = Path(__file__).resolve().parents[2]
LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "rollback":
    db.execute("PRAGMA journal_mode = DELETE")
db.execute("BEGIN EXCLUSIVE")
db.execute("CREATE TABLE IF NOT EXISTS held (x)")
print("locked", flush=True)
sys.stdin.read()
"""


class Locker:
    """Another process holding the progress file's write lock until released."""

    def __init__(self, path: Path, mode: str = "wal") -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", LOCKER, str(path), mode], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(30)


def file_topics(path: Path) -> dict[str, int]:
    return dict(sqlite3.connect(path).execute("SELECT topic, asked FROM topics").fetchall())


def test_a_locked_file_is_told_once_kept_in_memory_and_written_when_released(tmp_path):
    path = tmp_path / "progress.sqlite3"
    Progress(path).saw_topic("dropout")
    notices: list[str] = []
    store = Progress(path, notices.append)
    locker = Locker(path)
    try:
        for topic in ("gan", "lstm", "gan"):
            store.saw_topic(topic)
        assert store.topics() == {"dropout": 1, "gan": 2, "lstm": 1}  # the session sees all it learned
        assert len(notices) == 1 and "progress isn't being saved: database is locked" in notices[0]
        assert file_topics(path) == {"dropout": 1}
    finally:
        locker.release()
    store.watched("cnn")  # the file takes changes again: everything held goes in, in order
    assert file_topics(path) == {"dropout": 1, "gan": 2, "lstm": 1}
    assert store.demos_watched() == {"cnn"} and notices[-1] == "Your progress is being saved again."
    assert len(notices) == 2



def test_a_lock_held_past_the_end_of_a_session_costs_nothing_the_next_session_writes_it(tmp_path):
    path = tmp_path / "progress.sqlite3"
    Progress(path).saw_topic("dropout")
    locker = Locker(path)
    try:
        store = Progress(path)
        store.saw_topic("gan")
        store.review("gan-1", "gan", 3, "right", "en", "two nets, one fakes, one judges")
        store.close()  # the lock is still held: what the session learned goes to a journal beside the file
        journals = list(tmp_path.glob("progress.sqlite3.pending-*.json"))
        assert len(journals) == 1 and journals[0].stat().st_mode & 0o077 == 0
    finally:
        locker.release()
    later = Progress(path)
    assert later.topics() == {"dropout": 1, "gan": 1} and [r[0] for r in later.reviews()] == ["gan-1"]
    assert not list(tmp_path.glob("*.pending-*"))  # written once, then gone
    later.close()
    assert Progress(path).topics() == {"dropout": 1, "gan": 1}  # and never written twice


def test_a_damaged_journal_is_set_aside_and_the_rest_still_opens(tmp_path):
    path = tmp_path / "progress.sqlite3"
    Progress(path).saw_topic("dropout")
    (tmp_path / "progress.sqlite3.pending-1-1.json").write_text("[[not json", encoding="utf-8")
    assert Progress(path).topics() == {"dropout": 1}
    assert list(tmp_path.glob("*.damaged")) and not list(tmp_path.glob("*.pending-*.json"))


def test_a_file_that_cannot_be_written_still_shows_what_was_learned_and_where(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    first = Progress(path)
    first.saw_topic("dropout")
    first.close()

    def refuse(self, where, wait):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(progress_db.Database, "_connect", refuse)  # a read-only folder or mount
    notices: list[str] = []
    store = Progress(path, notices.append)
    assert store.topics() == {"dropout": 1}  # read from the file, not an empty map
    assert len(notices) == 1 and "progress.sqlite3" in notices[0] and "readonly" in notices[0]


def test_the_notices_speak_the_conversations_language_as_it_is_now(tmp_path):
    path = tmp_path / "progress.sqlite3"
    Progress(path).saw_topic("dropout")
    notices: list[str] = []
    spoken = ["zh"]
    store = Progress(path, notices.append, lang=lambda: spoken[0])
    locker = Locker(path)
    try:
        store.saw_topic("gan")
    finally:
        locker.release()
    spoken[0] = "en"
    store.saw_topic("lstm")
    assert notices[0].startswith("学习记录暂时没有保存") and "database is locked" in notices[0]
    assert notices[1] == "Your progress is being saved again."

def test_a_file_locked_at_start_is_waited_for_not_moved_aside(tmp_path):
    path = tmp_path / "progress.sqlite3"
    first = Progress(path)
    first.saw_topic("dropout")
    first.close()
    notices: list[str] = []
    locker = Locker(path, "rollback")
    try:
        store = Progress(path, notices.append)
        store.saw_topic("gan")
        # what the file held is read, so the session's map is whole while it can't write
        assert store.topics() == {"dropout": 1, "gan": 1} and "database is locked" in notices[0]
    finally:
        locker.release()
    assert not list(tmp_path.glob("*.damaged-*"))  # a locked file is not a damaged one
    store.saw_topic("lstm")
    assert file_topics(path) == {"dropout": 1, "gan": 1, "lstm": 1}


class Opened:
    """sqlite3.connect that keeps what it opened, so a test can set SQLite's own limits on the connection
    the store writes through (or damage the first one)."""

    def __init__(self, damaged: bool = False) -> None:
        self.connections: list = []
        self.damaged = damaged

    def __call__(self, *args, **kwargs):
        real = sqlite3.connect(*args, **kwargs)
        self.connections.append(Damaged(real) if self.damaged and not self.connections else real)
        return self.connections[-1]

    @property
    def file(self):
        return self.connections[-1]


def test_a_full_disk_costs_no_review_and_what_was_held_is_written_after(tmp_path):
    path = tmp_path / "progress.sqlite3"
    notices: list[str] = []
    opened = Opened()
    store = Progress(path, notices.append, connect=opened)
    store.saw_topic("dropout")
    file = opened.file
    pages = file.execute("PRAGMA page_count").fetchone()[0]
    file.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "database or disk is full"
    for i in range(50):
        store.review(f"c-{i}", "gan", 3, "right", "en", "x" * 2000)
    assert len(store.reviews()) == 50 and len(notices) == 1 and "full" in notices[0]
    file.execute("PRAGMA max_page_count = 1073741823")  # room again
    store.saw_topic("gan")
    back = sqlite3.connect(path)
    assert back.execute("SELECT count(*) FROM reviews").fetchone()[0] == 50
    assert back.execute("SELECT count(*) FROM cards").fetchone()[0] == 50


def test_a_read_only_file_keeps_progress_for_the_session(tmp_path):
    notices: list[str] = []
    opened = Opened()
    store = Progress(tmp_path / "p.sqlite3", notices.append, connect=opened)
    opened.file.execute("PRAGMA query_only = ON")
    store.saw_topic("gan")
    store.review("c-1", "gan", 3, "right", "en", "…")
    assert store.topics() == {"gan": 1} and len(store.reviews()) == 1
    assert len(notices) == 1 and "readonly" in notices[0]


class Damaged:
    """A connection to a file that turns out damaged mid-session (once `broken`): reads and writes fail."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real
        self.broken = False

    def execute(self, sql, params=()):
        if self.broken and sql.lstrip().upper().startswith(("INSERT", "SELECT")):
            raise sqlite3.DatabaseError("database disk image is malformed")
        return self.real.execute(sql, params)

    def executescript(self, script):
        return self.real.executescript(script)

    def backup(self, target):
        if self.broken:
            raise sqlite3.DatabaseError("database disk image is malformed")
        return self.real.backup(target)

    def __enter__(self):
        return self.real.__enter__() and self

    def __exit__(self, *exc):
        return self.real.__exit__(*exc)

    def close(self):
        self.real.close()


def test_damage_found_mid_session_costs_nothing_but_a_notice(tmp_path):
    notices: list[str] = []
    opened = Opened(damaged=True)
    store = Progress(tmp_path / "p.sqlite3", notices.append, connect=opened)
    store.saw_topic("dropout")
    opened.connections[0].broken = True
    store.saw_topic("gan")
    store.watched("cnn")
    assert store.topics() == {"dropout": 1, "gan": 1} and store.demos_watched() == {"cnn"}
    assert len(notices) == 1 and "malformed" in notices[0] and "this session" in notices[0]


def test_a_file_overwritten_mid_session_loses_nothing_of_the_session(tmp_path):
    path = tmp_path / "p.sqlite3"
    earlier = Progress(path)
    earlier.saw_topic("tensors")
    earlier.close()
    notices: list[str] = []
    store = Progress(path, notices.append)
    store.saw_topic("dropout")
    store.saw_topic("dropout")
    store.review("dropout-1", "dropout", 3, "right", "en", "it drops units")
    path.write_bytes(os.urandom(8192))  # another program clobbers the file while the session runs
    store.saw_topic("gan")
    store.review("gan-1", "gan", 1, "wrong", "en", "no idea")
    store.close()
    again = Progress(path)
    assert again.topics() == {"dropout": 2, "gan": 1}  # what was on disk before is in the file set aside
    assert {c.check_id for c in again.cards()} == {"dropout-1", "gan-1"}
    assert len(list(tmp_path.glob("p.sqlite3.damaged-*"))) == 1
    assert len(notices) == 1 and "this session" in notices[0], notices


def test_a_change_waits_only_a_short_fixed_time_for_a_lock(tmp_path):
    opened = Opened()
    Progress(tmp_path / "p.sqlite3", connect=opened)
    wait_ms = opened.file.execute("PRAGMA busy_timeout").fetchone()[0]
    assert wait_ms == int(progress_db.LOCK_WAIT * 1000) <= 500


def test_files_of_progress_are_readable_by_their_owner_alone(tmp_path):
    store = Progress(tmp_path / "p.sqlite3")
    store.saw_topic("gan")
    assert (tmp_path / "p.sqlite3").stat().st_mode & 0o077 == 0
    assert (tmp_path / "p.sqlite3-wal").stat().st_mode & 0o077 == 0


@pytest.mark.slow
def test_plain_chat_with_a_locked_progress_file_answers_every_line_and_says_why_once(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    Progress(data / "progress.sqlite3").saw_topic("rnn-lstm")
    locker = Locker(data / "progress.sqlite3")
    p = subprocess.Popen([sys.executable, "app.py", "chat", "--plain", "--json"], cwd=ROOT, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "MSB_DATA_DIR": str(data),
                              "MSB_CACHE_DIR": str(tmp_path / "cache"), "MSB_CONFIG_DIR": str(tmp_path / "c")})
    rows = []
    try:
        for n, line in enumerate(["what is dropout?", "tell me more", "what is a GAN?", "why?", "what is an LSTM?"]):
            if n == 3:
                locker.release()  # the file is back mid-conversation
            p.stdin.write(line + "\n")
            p.stdin.flush()
            rows.append(json.loads(p.stdout.readline()))
        _, err = p.communicate(timeout=60)
    finally:
        if locker.proc.poll() is None:
            locker.release()
    assert p.returncode == 0 and all(r["kind"] != "error" for r in rows), err
    assert err.count("progress isn't being saved: database is locked") == 1, err
    assert file_topics(data / "progress.sqlite3")["rnn-lstm"] == 2 and {"dropout", "gan"} <= set(
        file_topics(data / "progress.sqlite3"))


def test_a_folder_where_the_progress_file_should_be_is_named_as_such(tmp_path):
    (tmp_path / "progress.sqlite3").mkdir()
    notices: list[str] = []
    store = Progress(tmp_path / "progress.sqlite3", notices.append)
    store.saw_topic("gan")
    assert store.topics() == {"gan": 1}
    assert len(notices) == 1 and "folder" in notices[0] and "progress.sqlite3" in notices[0]
