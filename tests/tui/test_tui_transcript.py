"""Transcripts: written turn by turn, resumed, damaged lines skipped, exported as Markdown."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import ask, SIZE, settled, wait_for
from tui_fakes import FakeConversation

from dialog.errors import UserError
from dialog.reply import Reply, Source
from dialog.transcript import Transcript, Turn, data_dir, export_markdown, latest, read, to_markdown
from dialog.tui.messages import BotMessage, NoteMessage, PastTurn, UserMessage

pytestmark = pytest.mark.anyio


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- the module alone


def test_the_data_dir_comes_from_the_option_then_the_environment_then_the_platform(tmp_path):
    from dialog.config import Flags, resolve

    env = {"MSB_DATA_DIR": str(tmp_path / "env"), "MSB_CONFIG_DIR": str(tmp_path / "config")}
    assert resolve(Flags(data_dir=str(tmp_path / "opt")), env).data_dir == tmp_path / "opt"
    assert resolve(Flags(), env).data_dir == tmp_path / "env"
    assert resolve(Flags(), {"MSB_CONFIG_DIR": str(tmp_path / "config")}).data_dir.name == "ms-b"
    assert data_dir(tmp_path / "opt") == tmp_path / "opt"


def test_each_turn_is_on_disk_as_soon_as_it_is_appended(tmp_path):
    t = Transcript(tmp_path)
    assert t.path is None  # nothing written before anyone speaks
    t.append(Turn("user", "what does deep mean", 1.0))
    assert [d["text"] for d in lines(t.path)] == ["what does deep mean"]
    source = Source("conversation", "§1", "深度", "A Conversation")
    t.append(Turn.from_reply(Reply("answer", "Layers.", "en", topic="what-deep-means", sources=(source,),
                                   demo="coordinates")))
    loaded = read(t.path)
    assert loaded.skipped == 0
    assert [(x.role, x.text) for x in loaded.turns] == [("user", "what does deep mean"), ("ms_b", "Layers.")]
    assert loaded.turns[1].sources == (source,) and loaded.turns[1].demo == "coordinates"
    assert loaded.turns[1].topic == "what-deep-means" and t.last_topic() == "what-deep-means"


def test_a_damaged_line_is_skipped_and_counted_never_fatal(tmp_path):
    t = Transcript(tmp_path)
    t.append(Turn("user", "one", 1.0))
    t.append(Turn("ms_b", "two", 2.0))
    with open(t.path, "a", encoding="utf-8") as f:
        f.write('{"role": "user", "text": "half a li')  # a crash mid-write
    with open(t.path, "ab") as f:
        f.write(b"\n\xff\xfe garbage\n[1, 2]\n")
    loaded = read(t.path)
    assert [x.text for x in loaded.turns] == ["one", "two"]
    assert loaded.skipped == 3


def test_a_byte_that_is_not_utf8_costs_only_itself_never_its_line(tmp_path):
    t = Transcript(tmp_path)
    t.append(Turn("user", "tell me more", 1.0))
    t.append(Turn("ms_b", "two", 2.0))
    t.path.write_bytes(t.path.read_bytes().replace(b"tell me more", b"tell me \xff more"))
    loaded = read(t.path)
    assert [x.text for x in loaded.turns] == ["tell me \ufffd more", "two"] and loaded.skipped == 0


def test_the_latest_non_empty_transcript_is_the_one_resumed(tmp_path):
    first = Transcript(tmp_path)
    first.append(Turn("user", "old", 1.0))
    second = Transcript(tmp_path)
    second.append(Turn("user", "new", 2.0))
    os.utime(first.path, (1, 1))
    (second.path.parent / "empty.jsonl").write_text("")
    assert latest(tmp_path) == second.path
    resumed, loaded = Transcript.resume(tmp_path)
    assert resumed.path == second.path and [t.text for t in loaded.turns] == ["new"]
    assert resumed.conversation() == [("user", "new")]


def test_an_unwritable_data_dir_is_reported_not_raised(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    t = Transcript(blocker)
    t.append(Turn("user", "hello", 1.0))
    assert t.error and t.turns[0].text == "hello"  # kept in memory


def test_markdown_export_quotes_mr_a_and_keeps_ms_b_markdown_and_sources(tmp_path):
    turns = [Turn("user", "# not a heading", 1.0),
             Turn("ms_b", "- a list\n\n```\ncode\n```", 2.0, sources=(Source("conversation", "§2", "原文", "Doc"),)),
             Turn("event", "The demo was stopped.", 3.0)]
    md = to_markdown(turns)
    assert "> # not a heading" in md and "```\ncode\n```" in md and "*Doc*, §2: “原文”" in md
    assert "*The demo was stopped.*" in md
    target = export_markdown(turns, str(tmp_path / "new" / "dir" / "chat.md"))
    assert target.read_text(encoding="utf-8") == md


def test_markdown_export_expands_home_and_refuses_a_folder_or_an_unwritable_path(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert export_markdown([], "~/x.md") == (tmp_path / "x.md").resolve()
    with pytest.raises(UserError, match="is a folder"):
        export_markdown([], str(tmp_path))
    (tmp_path / "blocker").write_text("")
    with pytest.raises(UserError, match="could not save"):
        export_markdown([], str(tmp_path / "blocker" / "x.md"))

# ---------------------------------------------------------------- through the app


async def test_every_turn_is_written_as_it_happens(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "first question")
        await settled(pilot, app, 2)
        path = app.transcript.path
        assert path.parent == tmp_path / "data" / "transcripts"
        assert [(d["role"], d["text"].split("\n")[0]) for d in lines(path)] == [
            ("user", "first question"), ("ms_b", "You asked: first question")]
        await ask(pilot, "second")
        await wait_for(pilot, lambda: len(lines(path)) == 4, what="the second turn on disk")


async def test_resume_shows_the_last_conversation_restores_the_engine_and_appends_to_it(make_app, tmp_path):
    old = Transcript(tmp_path / "data")
    old.append(Turn("user", "what does deep mean", 1.0))
    old.append(Turn("ms_b", "It means **layers**.", 2.0, "answer", "en", topic="what-deep-means"))
    old.append(Turn("event", "The cnn demo was stopped.", 3.0))
    with open(old.path, "a", encoding="utf-8") as f:
        f.write('{"role": "ms_b", "te')  # the crash that ended the last session
    conv = FakeConversation()
    app = make_app(resume=True, conv=conv)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: conv.restored is not None, what="restore")
        assert conv.restored == [("user", "what does deep mean"), ("ms_b", "It means **layers**.")]
        assert conv.state.topic == "what-deep-means"  # so "tell me more" goes on from where we were
        assert [(t.role, t.text) for t in app.query(PastTurn)] == [
            ("user", "what does deep mean"), ("ms_b", "It means **layers**.")]
        assert any("stopped" in n.text for n in app.query(NoteMessage))
        assert any("Skipped 1 damaged line" in n.text for n in app.notices)
        await ask(pilot, "tell me more")
        await settled(pilot, app, 1)  # the new reply; the resumed one is a past turn
        assert app.transcript.path == old.path
        after = read(old.path)
        assert after.skipped == 0  # the crash's partial line was cut back; nothing was glued to it
        assert [t.text.split("\n")[0] for t in after.turns] == [
            "what does deep mean", "It means **layers**.", "The cnn demo was stopped.",
            "tell me more", "You asked: tell me more"]


async def test_resume_with_nothing_to_resume_starts_afresh_and_says_so(make_app):
    app = make_app(resume=True)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot, app, 1)
        assert any("No earlier conversation" in n.text for n in app.notices)
        assert app.fake_conv.restored is None


async def test_notices_speak_chinese_in_a_chinese_conversation(make_app):
    app = make_app(resume=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot, app, 1)
        assert any("没有可以继续的对话" in n.text for n in app.notices)


async def test_save_writes_the_conversation_as_markdown_to_the_named_path(make_app, tmp_path):
    app = make_app()
    target = tmp_path / "out" / "chat.md"
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "what does [red]deep[/red] mean")
        await settled(pilot, app, 2)
        await ask(pilot, f"/save {target}")
        await wait_for(pilot, target.exists, what="the Markdown file")
        md = target.read_text(encoding="utf-8")
        assert "> what does [red]deep[/red] mean" in md and "You asked: what does [red]deep[/red] mean" in md
        assert "*A Conversation*, 第一节" in md
        await wait_for(pilot, lambda: any(str(target) in n.text for n in app.notices))


async def test_save_to_a_path_that_cannot_be_written_gives_a_clear_error(make_app, tmp_path):
    (tmp_path / "blocker").write_text("")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, f"/save {tmp_path / 'blocker' / 'chat.md'}")
        await wait_for(pilot, lambda: any(n.severity == "error" and "could not save" in n.text
                                          for n in app.notices), what="the error notice")
        await ask(pilot, "still here")
        assert (await settled(pilot, app, 3))[-1].text.startswith("You asked: still here")


async def test_clear_starts_a_new_transcript_file(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "before")
        await settled(pilot, app, 2)
        first = app.transcript.path
        await ask(pilot, "/clear")
        await wait_for(pilot, lambda: not app.query(UserMessage))
        await ask(pilot, "after")
        await settled(pilot, app, 2)
        assert app.transcript.path != first
        assert [d["text"] for d in lines(first)][-2:] == ["/clear", "ok /clear"]
        assert lines(app.transcript.path)[0]["text"] == "after"
