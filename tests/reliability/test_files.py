"""Files on disk: transcripts that two conversations never share, lines two writers never lose, the user's
umask respected (what is private readable by its owner alone), and text that isn't UTF-8 kept with �."""
from __future__ import annotations

import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from dialog import lessons
from dialog.transcript import Transcript, Turn, export_markdown, read, to_markdown
from knowledge import storage

LINES = 60


def _converse(base: str, start, index: int) -> None:
    start.wait()  # every conversation starts in the same instant
    t = Transcript(Path(base))
    for i in range(LINES):
        t.append(Turn("user", f"conversation {index} line {i}", float(i)))


def _append_to(path: str, start, index: int) -> None:
    start.wait()
    for i in range(LINES):
        storage.append_line(Path(path), json.dumps({"writer": index, "line": i}))


def _together(target, arg: str, n: int) -> None:
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(n)
    procs = [ctx.Process(target=target, args=(arg, start, i)) for i in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)


@pytest.mark.parametrize("trial", range(4))  # a race: each trial is another chance to catch it
def test_conversations_started_in_the_same_instant_never_share_a_file(tmp_path, trial):
    _together(_converse, str(tmp_path), 6)
    files = sorted((tmp_path / "transcripts").glob("*.jsonl"))
    assert len(files) == 6
    for f in files:
        texts = [t.text for t in read(f).turns]
        owner = texts[0].split(" line ")[0]
        assert texts == [f"{owner} line {i}" for i in range(LINES)]


def test_two_writers_on_one_transcript_lose_no_line(tmp_path):
    path = tmp_path / "shared.jsonl"
    _together(_append_to, str(path), 4)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted((r["writer"], r["line"]) for r in rows) == [(w, i) for w in range(4) for i in range(LINES)]


@pytest.fixture
def umask():
    def set_to(mask: int) -> None:
        os.umask(mask)

    old = os.umask(0o022)
    os.umask(old)
    yield set_to
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_follow_the_umask_and_private_ones_stay_private(tmp_path, umask):
    umask(0o022)
    t = Transcript(tmp_path)
    t.append(Turn("user", "hello", 1.0))
    saved = export_markdown(t.turns, str(tmp_path / "talk.md"))
    storage.write_json(tmp_path / "cache.json", "k", [1])
    assert mode(t.path) == 0o600 and mode(saved) == 0o600 and mode(tmp_path / "cache.json") == 0o644
    umask(0o077)
    storage.write_json(tmp_path / "cache2.json", "k", [1])
    again = export_markdown(t.turns, str(tmp_path / "talk.md"))
    assert mode(tmp_path / "cache2.json") == 0o600 and mode(again) == 0o600


def test_a_file_rewritten_keeps_the_permissions_its_owner_gave_it(tmp_path, umask):
    umask(0o022)
    path = tmp_path / "settings.yaml"
    storage.write_atomic(path, lambda p: p.write_text("a: 1\n", encoding="utf-8"))
    os.chmod(path, 0o600)
    storage.write_atomic(path, lambda p: p.write_text("a: 2\n", encoding="utf-8"))
    assert mode(path) == 0o600 and path.read_text(encoding="utf-8") == "a: 2\n"


def test_what_an_interrupted_write_left_is_cleaned_and_nothing_else(tmp_path):
    (tmp_path / "notes.md").write_text("mine", encoding="utf-8")
    (tmp_path / "sources.json").write_text("{}", encoding="utf-8")
    (tmp_path / ".notes.md.1a2b3c4d.tmp").write_text("half", encoding="utf-8")
    (tmp_path / "sources.json.k3j_2h1x").write_text("half", encoding="utf-8")  # mkstemp's name, before
    assert storage.clean_temp(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md", "sources.json"]


def test_a_surrogate_in_a_transcript_is_shown_as_a_replacement_and_exports(tmp_path):
    t = Transcript(tmp_path)
    t.append(Turn("user", "bad byte \udcff here", 1.0))  # what an undecodable argument or name carries
    t.path.open("a", encoding="utf-8").write(json.dumps({"role": "ms_b", "text": "lone \ud800 one"}) + "\n")
    turns = read(t.path).turns
    assert [x.text for x in turns] == ["bad byte \ufffd here", "lone \ufffd one"]
    md = to_markdown(turns)
    assert "\ufffd" in md and export_markdown(turns, str(tmp_path / "out.md")).read_text(encoding="utf-8")
    found = lessons.list_lessons(tmp_path)
    assert found[0].title == "bad byte \ufffd here"
    assert lessons.export(tmp_path, "1", str(tmp_path / "lesson.md")).path.exists()


def test_a_lesson_title_with_an_undecodable_byte_is_kept_with_a_replacement(tmp_path):
    t = Transcript(tmp_path)
    t.append(Turn("user", "what is dropout?", 1.0))
    assert lessons.rename(tmp_path, "1", "caf\udce9 notes").title == "caf\ufffd notes"
    assert lessons.list_lessons(tmp_path)[0].title == "caf\ufffd notes"
