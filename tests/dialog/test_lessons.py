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
    assert found[1].turns == 3 and found[1].topics == ("dropout",) and found[0].number == 1


def test_a_lesson_can_be_renamed_exported_with_its_figures_and_deleted(tmp_path):
    conversation(tmp_path, "what is dropout?", figures="┌─ accuracy ─┐\n│ 97% │")
    assert lessons.rename(tmp_path, "1", "Dropout, the first evening").title == "Dropout, the first evening"
    assert lessons.list_lessons(tmp_path)[0].title == "Dropout, the first evening"
    md = lessons.export(tmp_path, "1", str(tmp_path / "out.md")).read_text(encoding="utf-8")
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
