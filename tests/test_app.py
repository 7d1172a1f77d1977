"""The command line: ask (one and batch), chat --plain, index add, version — the JSON contract included."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import app
from dialog.terminal import ask, chat, index_cmd

ROOT = Path(__file__).resolve().parents[1]
KEYS = ["reply", "kind", "lang", "topic", "sources", "demo", "suggestions", "score"]


@pytest.fixture
def kb(lexical_kb, monkeypatch):
    for front_end in (ask, chat, index_cmd):
        monkeypatch.setattr(front_end, "load_kb", lambda **_: lexical_kb)
    return lexical_kb


def run(argv, capsys, stdin=""):
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = app.main(argv)
    finally:
        sys.stdin = old
    out = capsys.readouterr()
    return code, out.out, out.err


def test_ask_json_follows_the_contract(kb, capsys):
    code, out, _ = run(["ask", "--json", "what does deep mean"], capsys)
    data = json.loads(out)
    assert code == 0 and list(data) == KEYS
    assert data["kind"] == "answer" and data["topic"] == "what-deep-means" and data["lang"] == "en"
    assert {"document", "section", "excerpt", "title"} <= set(data["sources"][0])


@pytest.fixture
def model_kb(real_kb, monkeypatch):
    """`msb ask` as it runs for a user: with the search model loaded."""
    for front_end in (ask, chat, index_cmd):
        monkeypatch.setattr(front_end, "load_kb", lambda **_: real_kb)
    return real_kb


def test_ask_names_a_demo_without_running_it(model_kb, capsys):
    code, out, _ = run(["ask", "--json", "train a tiny CNN"], capsys)
    data = json.loads(out)
    assert data["kind"] == "demo" and data["demo"] == "cnn" and "msb demo cnn" in data["reply"]


def test_ask_without_a_question_is_a_usage_error(kb, capsys):
    code, _, err = run(["ask"], capsys)
    assert code == 2 and "give a question" in err


def test_batch_answers_every_line_in_order_each_in_a_fresh_conversation(kb, capsys):
    lines = ["what does deep mean", "", "tell me more", "深度是什么意思", "[red]x[/red]", "/nonsense", "x" * 100_000]
    code, out, _ = run(["ask", "--json", "-"], capsys, stdin="\n".join(lines) + "\n")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == len(lines)
    assert rows[0]["topic"] == "what-deep-means"
    assert rows[2]["kind"] == "smalltalk"  # no topic carried over from line 1
    assert rows[3]["lang"] == "zh" and rows[5]["kind"] == "error"


def test_plain_chat_keeps_state_across_lines(kb, capsys):
    code, out, _ = run(["chat", "--plain", "--json"], capsys, stdin="what does deep mean\ntell me more\n/quit\nhi\n")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 3  # nothing after /quit
    assert rows[1]["kind"] == "answer" and rows[1]["topic"] == rows[0]["topic"]  # more on the same topic…
    assert rows[1]["reply"] != rows[0]["reply"]  # …not the same words again


def test_plain_chat_resume_goes_on_with_the_last_conversation_in_its_file(kb, capsys):
    run(["chat", "--plain", "--json"], capsys, stdin="what does deep mean\n")
    code, out, _ = run(["--resume", "chat", "--plain", "--json"], capsys, stdin="tell me more\n")
    row = json.loads(out.splitlines()[0])
    assert code == 0 and row["kind"] == "answer" and row["topic"] == "what-deep-means"  # on from its topic
    code, out, _ = run(["lessons", "--json"], capsys)
    lessons = json.loads(out)
    assert len(lessons) == 1 and lessons[0]["turns"] == 2  # one conversation, both sessions' lines in it


def test_a_question_left_unanswered_by_a_kill_is_named_on_resume(kb, capsys):
    from dialog.transcript import Transcript, Turn, data_dir

    t = Transcript(data_dir())
    t.append(Turn("user", "what does deep mean", 1.0))
    t.append(Turn("ms_b", "Layers of representations.", 1.5, "answer", "en", topic="what-deep-means"))
    t.append(Turn("user", "and who came up with dropout?", 2.0))  # then kill -9, before the answer
    code, out, err = run(["--resume", "chat", "--plain"], capsys, stdin="")
    assert code == 0 and "“and who came up with dropout?”, had no answer yet" in err


def test_plain_chat_resume_with_nothing_to_resume_says_so_and_starts_afresh(kb, capsys):
    code, out, err = run(["--resume", "chat", "--plain", "--json"], capsys, stdin="what does deep mean\n")
    assert code == 0 and "No earlier conversation to resume" in err and json.loads(out)["kind"] == "answer"


def test_plain_chat_says_when_the_transcript_is_held_and_when_it_is_written_again(kb, capsys, monkeypatch):
    import errno

    from knowledge import storage

    real_write, calls = storage.os.write, {"n": 0}

    def full_once(fd, data):  # the disk is full for the second turn's lines only
        calls["n"] += 1
        if calls["n"] in (3, 4):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(storage.os, "write", full_once)
    code, out, err = run(["chat", "--plain"], capsys, "what is dropout\nwhy?\nwhat is a tensor\n")
    assert code == 0 and out.count("\n\n") >= 3
    assert "can't be written" in err and "as soon as the disk takes it" in err
    assert "being written again" in err and err.index("can't be written") < err.index("being written again")


def test_plain_chat_prints_text_without_json(kb, capsys):
    code, out, _ = run(["chat", "--plain"], capsys, stdin="/help\n")
    assert code == 0 and "/demo" in out and not out.lstrip().startswith("{")


def test_plain_chat_save_writes_markdown(kb, capsys, tmp_path):
    target = tmp_path / "talk" / "chat.md"
    run(["chat", "--plain"], capsys, stdin=f"what does deep mean\n/save {target}\n")
    text = target.read_text(encoding="utf-8")
    assert "what does deep mean" in text and "layers" in text


def test_index_add_makes_a_user_document_searchable_and_citable(capsys, tmp_path, monkeypatch):
    from knowledge.base import KnowledgeBase

    for front_end in (ask, index_cmd):
        monkeypatch.setattr(front_end, "load_kb", lambda **_: KnowledgeBase.load())
    notes = tmp_path / "notes.md"
    notes.write_text("# My notes\n\n## Zorblax optimiser\n\nThe zorblax optimiser halves the learning rate "
                     "whenever the moon is full.\n", encoding="utf-8")
    code, out, _ = run(["index", "add", str(notes)], capsys)
    assert code == 0 and "notes.md" in out
    code, out, _ = run(["ask", "--json", "what does the zorblax optimiser do?"], capsys)
    data = json.loads(out)
    assert data["kind"] == "answer" and "moon" in data["reply"]
    assert data["sources"][0]["document"] == "user:notes"


def test_index_add_of_a_missing_file_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(["index", "add", str(tmp_path / "nope.md")], capsys)
    assert code == 2 and "no such file" in err


@pytest.mark.parametrize("argv", [["\udcff"], ["ask", "--lang", "\udcff", "x"], ["demo", "\udcff"]])
def test_a_bad_byte_in_an_argument_is_named_as_typed(capsys, argv):
    """A byte that isn't UTF-8 reaches Python as a lone surrogate; the message shows the byte, never '\\udcff'."""
    try:
        code = app.main(argv)
    except SystemExit as done:  # argparse's own usage error
        code = done.code
    err = capsys.readouterr().err
    assert code == 2 and "'\\xff'" in err and "udc" not in err


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        app.main(["--version"])
    assert done.value.code == 0 and "msb" in capsys.readouterr().out


def test_batch_mode_as_a_real_process_with_the_real_model(tmp_path):
    """One real run end to end: the model loads offline and every line gets one JSON line, in order."""
    qs = ["What is the 'deep' in deep learning?", "What's a good recipe for lasagna?", "讲讲 Dropout",
          "show me the coordinate change", ""]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MSB_CACHE_DIR": str(tmp_path / "c"), "MSB_DATA_DIR": str(tmp_path)}
    p = subprocess.run([sys.executable, "app.py", "ask", "--json", "-"], cwd=ROOT, input="\n".join(qs) + "\n",
                       capture_output=True, text=True, timeout=300, env=env)
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert p.returncode == 0 and len(rows) == len(qs), p.stderr[-2000:]
    assert [r["kind"] for r in rows[:4]] == ["answer", "fallback", "answer", "demo"]
    assert rows[0]["topic"] == "what-deep-means" and rows[2]["lang"] == "zh" and rows[3]["demo"] == "coordinates"
    assert "Traceback" not in p.stderr


def _marks(text: str) -> list[str]:
    """What a pipe must never carry: Markdown's marks, left for a reader to decode."""
    found = [m for m in ("**", "`") if m in text]
    return found + [line for line in text.splitlines() if line.lstrip().startswith("#")]


def test_ask_down_a_pipe_is_plain_text(kb, capsys):
    code, out, _ = run(["ask", "what does deep mean"], capsys)
    assert code == 0 and "layers" in out and not _marks(out)
    assert "msb demo depth" in out  # the command survives, its code marks don't


def test_ask_in_chinese_down_a_pipe_is_plain_text(kb, capsys):
    code, out, _ = run(["ask", "深度学习的深度是什么意思"], capsys)
    assert code == 0 and "「深度」" in out and not _marks(out)


def test_plain_chat_down_a_pipe_is_plain_text(kb, capsys):
    lines = "what does deep mean\ntell me more\n/topics\n/demos\n/help\nwhat is the best pizza\n/sources\n"
    code, out, _ = run(["chat", "--plain"], capsys, stdin=lines)
    assert code == 0 and "/demo cnn" in out and not _marks(out)


def test_progress_down_a_pipe_is_plain_text(kb, capsys, monkeypatch):
    from dialog.terminal import quiz_cmd

    monkeypatch.setattr(quiz_cmd, "load_kb", lambda **_: kb)
    code, out, _ = run(["progress"], capsys)
    assert code == 0 and "topics explored" in out and not _marks(out)


def test_json_reply_is_markdown_unwrapped(kb, capsys):
    code, out, _ = run(["ask", "--json", "what does deep mean"], capsys)
    reply = json.loads(out)["reply"]
    assert "**deep**" in reply  # JSON keeps the Markdown for a program to render…
    assert max(len(line) for line in reply.split("\n")) > 200  # …one paragraph a line, never hard-wrapped


def test_a_decline_on_the_command_line_suggests_command_line_ways(kb, capsys):
    code, out, _ = run(["ask", "what is the best pizza"], capsys)
    assert code == 0 and 'msb ask /topics' in out and "type /topics" not in out


def test_demos_listed_by_ask_are_started_with_msb_demo(kb, capsys):
    code, out, _ = run(["ask", "/demos"], capsys)
    assert code == 0 and "(msb demo cnn)" in out and "(/demo" not in out
    items = [line for line in out.splitlines() if line.startswith("- ")]
    # "- Title (msb demo id) — description": a title holding a colon is not followed by another one
    assert items and all(re.fullmatch(r"- .+ \(msb demo [a-z_]+\) — .+", line) for line in items), items


def test_ask_and_progress_piped_from_a_real_process_are_plain(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MSB_CACHE_DIR": str(tmp_path / "c"), "MSB_DATA_DIR": str(tmp_path)}
    for argv in (["ask", "what does deep mean"], ["progress"]):
        p = subprocess.run([sys.executable, "app.py", *argv], cwd=ROOT, capture_output=True, text=True,
                           timeout=300, env=env)
        assert p.returncode == 0 and p.stdout.strip() and not _marks(p.stdout), (argv, p.stdout[:500])


def test_index_list_and_remove_from_the_command_line(capsys, tmp_path, monkeypatch):
    from knowledge import backends
    from knowledge.embedder import HashEmbedder

    monkeypatch.setattr(backends, "load_embedder", lambda **_: HashEmbedder())
    monkeypatch.setattr(index_cmd, "load_kb", lambda **_: __import__("knowledge.base").base.KnowledgeBase.load())
    code, out, _ = run(["index", "list"], capsys)
    assert code == 0 and "no documents yet" in out
    notes = tmp_path / "notes.md"
    notes.write_text("# My notes\n\n## Zorblax\n\nThe zorblax optimiser halves the rate.\n", encoding="utf-8")
    assert run(["index", "add", str(notes)], capsys)[0] == 0
    code, out, _ = run(["index", "list"], capsys)
    assert code == 0 and "notes.md  “My notes” — 1 passage, added " in out and str(notes) in out
    code, out, _ = run(["index", "list", "--json"], capsys)
    assert json.loads(out)[0]["passages"] == 1
    code, _, err = run(["index", "remove", "nope"], capsys)
    assert code == 2 and "no document 'nope' among yours: notes.md" in err
    code, out, _ = run(["index", "remove", "notes"], capsys)
    assert code == 0 and "Removed notes.md" in out and notes.exists()
    assert "no documents yet" in run(["index", "list"], capsys)[1]
    code, _, err = run(["index", "remove"], capsys)
    assert code == 2 and "name one document" in err


def test_the_app_without_a_terminal_says_what_to_use_instead(tmp_path):
    p = subprocess.run([sys.executable, "app.py", "tui"], cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1",
                                                   "MSB_DATA_DIR": str(tmp_path / "d"),
                                                   "MSB_CACHE_DIR": str(tmp_path / "c"),
                                                   "MSB_CONFIG_DIR": str(tmp_path / "k")})
    assert p.returncode == 2 and "needs a terminal" in p.stderr and "chat --plain" in p.stderr and not p.stdout


@pytest.mark.parametrize("argv", [["ask", "what is deep"], ["ask", "--json", "what is deep"], ["demo", "--list"]])
def test_output_that_cannot_be_written_is_a_message_not_a_traceback(argv, tmp_path):
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "app.py", *argv], cwd=ROOT, stdout=full, stderr=subprocess.PIPE,
                           text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1",
                                                         "MSB_DATA_DIR": str(tmp_path / "d"),
                                                         "MSB_CACHE_DIR": str(tmp_path / "c"),
                                                         "MSB_CONFIG_DIR": str(tmp_path / "k")})
    assert p.returncode == 1 and "could not be written: No space left on device" in p.stderr
    assert "Traceback" not in p.stderr


def test_the_app_draws_in_utf8_under_an_ascii_locale(monkeypatch):
    raw = io.BytesIO()
    screen = io.TextIOWrapper(raw, encoding="ascii", errors="backslashreplace")
    monkeypatch.setattr(sys, "__stderr__", screen)
    app.screen_in_utf8()
    screen.write("╭─ 深度")
    screen.flush()
    assert raw.getvalue() == "╭─ 深度".encode()  # one cell per character, not "\\u256d" escapes
