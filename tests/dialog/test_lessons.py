"""Past conversations as lessons: listed with a title and topics, renamed, deleted, exported; settings kept."""
from __future__ import annotations

import json

import pytest

from dialog import lessons, settings
from dialog.errors import UserError
from dialog.transcript import Transcript, Turn
from knowledge import storage


def conversation(base, *lines, topic="dropout", figures=""):
    t = Transcript(base)
    for i, line in enumerate(lines):
        t.append(Turn("user", line, 100.0 + i))
        t.append(Turn("ms_b", f"About {topic}.", 100.5 + i, "answer", "en", topic=topic))
    if figures:
        t.append(Turn("event", figures, 200.0, "figures"))
    t.restart()
    return t


def test_lessons_are_listed_newest_first_titled_by_their_first_question(tmp_path):
    conversation(tmp_path, "/help", "what is dropout?", "tell me more")
    import time
    time.sleep(0.01)
    conversation(tmp_path, "深度是什么意思", topic="what-deep-means")
    found = lessons.list_lessons(tmp_path)
    assert [x.title for x in found] == ["深度是什么意思", "what is dropout?"]
    # "/help" is not a line said to Ms. B: two turns
    assert found[1].turns == 2 and found[1].topics == ("dropout",) and found[0].number == 1


def test_a_lesson_can_be_renamed_exported_with_its_figures_and_deleted(tmp_path):
    conversation(tmp_path, "what is dropout?", figures="┌─ accuracy ─┐\n│ 97% │")
    assert lessons.rename(tmp_path, "1", "Dropout, the first evening").title == "Dropout, the first evening"
    assert lessons.list_lessons(tmp_path)[0].title == "Dropout, the first evening"
    md = lessons.export(tmp_path, "1", str(tmp_path / "out.md")).path.read_text(encoding="utf-8")
    assert md.startswith("# Dropout, the first evening") and "```text\n┌─ accuracy ─┐" in md
    lessons.delete(tmp_path, "1")
    assert lessons.list_lessons(tmp_path) == []
    with pytest.raises(UserError, match="no lessons yet"):
        lessons.find(tmp_path, "1")


def test_settings_are_kept_and_a_damaged_file_gives_defaults():
    saved = settings.load()
    assert saved == settings.Settings()
    saved.theme, saved.lang, saved.pace = "textual-light", "zh", 0.5
    assert settings.save(saved)
    assert settings.load() == saved
    settings.path().write_text("{theme: [unclosed", encoding="utf-8")
    assert settings.load() == settings.Settings()
    settings.path().write_text("lang: fr\npace: 99\ntheme: 3\n", encoding="utf-8")
    assert settings.load() == settings.Settings(pace=10.0)


def test_lessons_from_the_command_line(capsys):
    import app

    conversation(storage.data_dir(), "what is dropout?")
    assert app.main(["lessons", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["title"] == "what is dropout?" and rows[0]["topics"] == ["dropout"]
    assert app.main(["lessons", "rename", "1", "My", "first", "lesson"]) == 0
    assert app.main(["lessons"]) == 0 and "My first lesson" in capsys.readouterr().out
    assert app.main(["lessons", "show", "9"]) == 2 and "no lesson '9'" in capsys.readouterr().err


def test_turns_are_counted_in_words_singular_and_plural():
    assert [lessons.counted(n, "en") for n in (0, 1, 2)] == ["0 turns", "1 turn", "2 turns"]
    assert lessons.counted(1, "zh") == "1 轮"


def test_a_lesson_is_summed_up_with_topic_titles_never_ids(tmp_path):
    conversation(tmp_path, "what is dropout?")
    lesson = lessons.list_lessons(tmp_path)[0]
    assert lessons.summary(lesson, "en", {"dropout": "Dropout, and why it helps"}) == "1 turn; Dropout, and why it helps"
    assert lessons.summary(lesson, "en", {}) == "1 turn"  # an id with no title is left out, not shown


def test_the_open_lesson_is_never_deleted(tmp_path):
    t = conversation(tmp_path, "what is dropout?")
    path = lessons.list_lessons(tmp_path)[0].path
    with pytest.raises(UserError, match="lesson you are in"):
        lessons.delete(tmp_path, "1", open_lesson=path)
    assert path.exists()
    assert lessons.delete(tmp_path, "1", open_lesson=tmp_path / "another.jsonl").path == path and not path.exists()


def test_export_is_named_after_the_title_and_never_overwrites(tmp_path):
    conversation(tmp_path, "What is «dropout», really?")
    done = lessons.export(tmp_path, "1", folder=tmp_path)
    assert done.path.name == "what-is-dropout-really.md" and not done.renamed
    again = lessons.export(tmp_path, "1", folder=tmp_path)
    assert again.renamed and again.path.name == "what-is-dropout-really-2.md"
    assert done.path.read_text(encoding="utf-8") == again.path.read_text(encoding="utf-8")


def test_export_to_a_folder_or_a_device_says_what_is_wrong(tmp_path):
    conversation(tmp_path, "what is dropout?")
    with pytest.raises(UserError, match="is a folder; name a file"):
        lessons.export(tmp_path, "1", str(tmp_path))
    with pytest.raises(UserError, match="not a regular file"):
        lessons.export(tmp_path, "1", "/dev/null")
    with pytest.raises(UserError, match="there is no folder"):
        lessons.export(tmp_path, "1", str(tmp_path / "no" / "such" / "x.md"))
    assert not (tmp_path / "no").exists()


def test_export_from_the_command_line(capsys, tmp_path, monkeypatch):
    import app

    conversation(storage.data_dir(), "what is dropout?")
    monkeypatch.chdir(tmp_path)
    assert app.main(["lessons", "export", "1"]) == 0
    assert capsys.readouterr().out.strip() == f"Exported to {tmp_path / 'what-is-dropout.md'}"
    assert app.main(["lessons", "export", "1", "--out", str(tmp_path / "mine.md")]) == 0
    assert (tmp_path / "mine.md").exists() and "mine.md" in capsys.readouterr().out
    assert app.main(["lessons", "export", "1", "--out", str(tmp_path / "mine.md")]) == 0
    out = capsys.readouterr().out
    assert "is there already, so it is kept" in out and "mine-2.md" in out


@pytest.mark.parametrize("argv, says", [
    (["lessons", "export"], "which lesson? give its number"),
    (["lessons", "rename", "1"], "give the new title too"),
    (["lessons", "export", "1", "a.md", "--out", "b.md"], "either --out PATH or PATH"),
])
def test_a_lessons_command_missing_words_says_what_is_missing(capsys, argv, says):
    import app

    conversation(storage.data_dir(), "what is dropout?")
    assert app.main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and "usage:" in err


def test_export_to_a_folder_from_the_command_line_is_an_error_line(capsys, tmp_path):
    import app

    conversation(storage.data_dir(), "what is dropout?")
    assert app.main(["lessons", "export", "1", "--out", str(tmp_path)]) == 2
    assert "is a folder; name a file" in capsys.readouterr().err


def test_the_list_names_topics_in_words_and_counts_turns_right(capsys):
    import app

    conversation(storage.data_dir(), "what is dropout?")
    assert app.main(["lessons"]) == 0
    out = capsys.readouterr().out
    assert "(1 turn; Dropout)" in out and "dropout)" not in out and ".jsonl" not in out


def test_lessons_help_reads_as_usage():
    import subprocess
    import sys
    from pathlib import Path

    p = subprocess.run([sys.executable, "app.py", "lessons", "--help"], cwd=Path(__file__).parents[2],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.startswith("usage: msb lessons [--json]")
    assert "--jsonusage" not in p.stdout and "--out PATH" in p.stdout


def test_a_chinese_title_under_an_ascii_only_file_system_locale_gets_a_name_it_can_hold(tmp_path, monkeypatch):
    conversation(tmp_path, "什么是深度学习？")
    lesson = lessons.list_lessons(tmp_path)[0]
    lessons.rename(tmp_path, lesson.path.stem, "深度学习")
    [lesson] = lessons.list_lessons(tmp_path)
    assert lessons.file_name(lesson) == "深度学习.md"

    def ascii_only(name):  # what os.fsencode does when the locale is C and Python's UTF-8 mode is off
        return str(name).encode("ascii")

    monkeypatch.setattr(lessons.os, "fsencode", ascii_only)
    assert lessons.file_name(lesson) == f"lesson-{lesson.started:%Y-%m-%d-%H%M}.md"
