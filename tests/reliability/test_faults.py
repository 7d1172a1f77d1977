"""Faults a user meets: bad bytes on stdin, unwritable or damaged caches and data dirs, a full disk, kill -9,
/save aimed at the wrong thing, many processes starting at once. Each is met with a message, never a
traceback, and no completed turn is lost. (Run as root here: unwritable means a path under /proc or under a
regular file, which root can't write either.)"""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dialog.errors import UserError
from dialog.transcript import Transcript, Turn, export_markdown, read
from knowledge import storage
from knowledge.base import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]


def env(tmp_path: Path, **extra: str) -> dict:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HF_HUB_OFFLINE": "1", "LANG": "en_US.UTF-8",
            "MSB_CACHE_DIR": str(tmp_path / "cache"), "MSB_DATA_DIR": str(tmp_path / "data")}
    return {**base, **extra}


def msb(args: list[str], tmp_path: Path, stdin: bytes = b"", **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, input=stdin, capture_output=True,
                          timeout=120, env=env(tmp_path, **extra))


def json_lines(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]


def test_invalid_utf8_on_stdin_costs_one_line_not_the_batch(tmp_path):
    p = msb(["ask", "--json", "-"], tmp_path, b"what does deep mean\n\xff\xfe broken \xc3\n\xe6\xb7\xb1\xe5\xba\xa6\n")
    rows = json_lines(p.stdout)
    assert p.returncode == 0 and len(rows) == 3 and b"Traceback" not in p.stderr
    assert rows[0]["topic"] == "what-deep-means" and rows[2]["lang"] == "zh"


def test_invalid_utf8_in_plain_chat_keeps_the_conversation(tmp_path):
    p = msb(["chat", "--plain", "--json"], tmp_path, b"what is dropout?\n\x80\x81\ntell me more\n")
    rows = json_lines(p.stdout)
    assert p.returncode == 0 and len(rows) == 3 and rows[2]["topic"] == "dropout"


@pytest.mark.parametrize("where", ["proc", "under-a-file"])
def test_an_unwritable_cache_and_data_dir_cost_only_a_notice(tmp_path, where):
    if where == "proc":
        bad = "/proc/msb-cannot-write-here"
    else:
        (tmp_path / "a-file").write_text("x")
        bad = str(tmp_path / "a-file" / "sub")
    p = msb(["ask", "--json", "what does deep mean"], tmp_path, MSB_CACHE_DIR=bad, MSB_DATA_DIR=bad)
    assert p.returncode == 0 and json_lines(p.stdout)[0]["topic"] == "what-deep-means"
    assert b"Traceback" not in p.stderr and b"cache" in p.stderr.lower()
    assert b"damaged" not in p.stderr  # nothing was damaged: there is no cache, and it can't be written
    chat = msb(["chat", "--plain", "--json"], tmp_path, b"what is dropout?\n", MSB_CACHE_DIR=bad, MSB_DATA_DIR=bad)
    assert chat.returncode == 0 and json_lines(chat.stdout)[0]["topic"] == "dropout"
    assert b"transcript can't be written" in chat.stderr and b"Traceback" not in chat.stderr


def test_a_lexical_cache_with_wrong_types_or_a_folder_in_its_place_heals():
    notices: list[str] = []
    KnowledgeBase.load()
    path = storage.cache_dir() / "lexical.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["payload"]["en"] = [{"not": "a count"}]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert KnowledgeBase.load(notice=notices.append).search("dropout", "en")[0].entry.id == "dropout"
    path.unlink()
    path.mkdir()
    (path / "junk").write_text("x")
    kb = KnowledgeBase.load(notice=notices.append)
    assert kb.search("dropout", "en")[0].entry.id == "dropout"
    assert path.is_file() and json.loads(path.read_text(encoding="utf-8"))["payload"]
    assert len(notices) == 2 and all("rebuilt" in n for n in notices)


def test_a_full_disk_mid_line_loses_no_completed_turn(tmp_path, monkeypatch):
    t = Transcript(tmp_path)
    t.append(Turn("user", "first", 1.0))
    real_write = os.write
    failures = {"left": 1}

    def full_disk(fd, data):
        if failures["left"]:
            failures["left"] -= 1
            real_write(fd, data[: len(data) // 2])  # half the line reaches the disk, then it is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(storage.os, "write", full_disk)
    t.append(Turn("ms_b", "second, lost to the full disk for now", 2.0))
    assert t.error and "No space" in t.error
    t.append(Turn("user", "third, once there is room again", 3.0))
    assert t.error is None
    back = read(t.path)
    assert back.skipped == 0 and [x.text for x in back.turns] == [
        "first", "second, lost to the full disk for now", "third, once there is room again"]


def test_a_partial_line_from_a_crash_is_cut_back_before_the_next_turn(tmp_path):
    t = Transcript(tmp_path)
    t.append(Turn("user", "complete", 1.0))
    with open(t.path, "a", encoding="utf-8") as f:
        f.write('{"role": "ms_b", "te')  # a crash mid-write
    resumed, loaded = Transcript.resume(tmp_path)
    resumed.append(Turn("user", "after the crash", 2.0))
    assert [x.text for x in read(t.path).turns] == ["complete", "after the crash"] and read(t.path).skipped == 0


@pytest.mark.slow
def test_kill_9_mid_conversation_loses_no_completed_turn(tmp_path):
    p = subprocess.Popen([sys.executable, "app.py", "chat", "--plain", "--json"], cwd=ROOT, env=env(tmp_path),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = ["what is dropout?", "tell me more", "who came up with it?"]
    for line in lines:
        p.stdin.write((line + "\n").encode())
        p.stdin.flush()
        assert p.stdout.readline().startswith(b"{")  # the reply is out, so the turn is complete
    os.kill(p.pid, signal.SIGKILL)
    p.wait(10)
    files = list((tmp_path / "data" / "transcripts").glob("*.jsonl"))
    turns = read(files[0]).turns
    assert [t.text for t in turns if t.role == "user"] == lines and [t.role for t in turns].count("ms_b") == 3


def test_save_never_clobbers_a_file_and_refuses_a_device(tmp_path):
    target = tmp_path / "chat.md"
    target.write_text("my own notes", encoding="utf-8")
    written = export_markdown([Turn("user", "hi", 1.0)], str(target))
    assert written.name == "chat-2.md" and target.read_text(encoding="utf-8") == "my own notes"
    with pytest.raises(UserError, match="not a regular file"):
        export_markdown([], "/dev/null")
    assert Path("/dev/null").is_char_device()


def test_save_through_a_symlink_writes_the_file_it_names(tmp_path):
    (tmp_path / "real").mkdir()
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "real" / "talk.md")
    written = export_markdown([Turn("user", "hello", 1.0)], str(link))
    assert written == (tmp_path / "real" / "talk.md").resolve() and link.is_symlink()


def test_ask_says_there_is_nothing_to_save(tmp_path):
    p = msb(["ask", "--json", "/save x.md"], tmp_path)
    row = json_lines(p.stdout)[0]
    assert row["kind"] == "error" and "chat --plain" in row["reply"] and not (ROOT / "x.md").exists()


def test_index_add_keeps_same_named_files_and_adds_a_folder(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "notes.md").write_text(f"# Notes {folder}\n\n## Zorblax {folder}\n\nText {folder}.\n")
    (tmp_path / "b" / "more.md").write_text("# More\n\nMore text.\n")
    p = msb(["index", "add", str(tmp_path / "a" / "notes.md"), str(tmp_path / "b")], tmp_path)
    assert p.returncode == 0 and b"3 documents added" in p.stdout, p.stderr
    assert sorted(f.name for f in (tmp_path / "data" / "documents").glob("*.md")) == ["more.md", "notes-2.md",
                                                                                       "notes.md"]
    assert b"stale or damaged" not in p.stderr
    again = msb(["index", "add", str(tmp_path / "a" / "notes.md")], tmp_path)
    assert b"updated" in again.stdout and len(list((tmp_path / "data" / "documents").glob("*.md"))) == 3


def test_one_process_builds_the_index_while_another_waits():
    with storage.build_lock("index") as held:
        assert held
        with storage.build_lock("index", wait=0.2) as also:
            assert also is False  # the other gives up waiting and goes on without the cache


@pytest.mark.slow
def test_processes_starting_together_all_answer(tmp_path):
    procs = [subprocess.Popen([sys.executable, "app.py", "ask", "--json", "what is dropout?"], cwd=ROOT,
                              env=env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs) and all(json_lines(o)[0]["topic"] == "dropout" for o, _ in outs)


@pytest.mark.slow
def test_plain_chat_exits_cleanly_after_a_demo(tmp_path):
    for _ in range(2):
        p = msb(["chat", "--plain", "--json"], tmp_path, b"/demo coordinates --points 100 --steps 20\n")
        rows = json_lines(p.stdout)
        assert p.returncode == 0 and rows[-1]["kind"] == "demo" and rows[-1].get("event") == "demo_outcome"


def test_escape_sequences_in_an_added_document_never_reach_the_output(tmp_path):
    notes = tmp_path / "evil.md"
    notes.write_text("# Evil\n\n## Zorblax\n\nThe zorblax \x1b[2J\x1b]0;pwned\x07\x1b]52;c;aGk=\x07 halves "
                     "the rate\u202e when the moon \x9b31m is full.\n", encoding="utf-8")
    assert msb(["index", "add", str(notes)], tmp_path).returncode == 0
    for args in (["ask", "what does the zorblax do?"], ["ask", "--json", "what does the zorblax do?"]):
        out = msb(args, tmp_path).stdout
        assert b"moon" in out
        assert not any(c in out.decode() for c in ("\x1b", "\x07", "\x9b", "\u202e"))


def test_a_well_formed_dictionary_cache_with_wrong_types_is_rebuilt(monkeypatch):
    import marshal

    import jieba

    from knowledge import tokenize

    path = storage.cache_dir() / f"{tokenize.DICTIONARY_ID}-{jieba.__version__}.marshal"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(marshal.dumps(({"深度": "many", "学习": 3}, 10)))
    monkeypatch.setattr(tokenize, "_jieba", None)
    tokenize.zh_weight.cache_clear()
    assert tokenize.zh_weight("深度") > 0 and "深度" in tokenize.zh_tokens("深度学习是什么")
    freq, total = marshal.loads(path.read_bytes())
    assert type(freq["深度"]) is int and total > 1000  # rebuilt on disk
