"""The chat screen on fakes: asking, answering, typing in, literal text, history, copying, palette."""
from __future__ import annotations

import threading

import pytest
from textual import events
from conftest import ask, SIZE, replies, settled, wait_for
from textual.widgets import Button, Collapsible, Input, Markdown
from textual.widgets.markdown import MarkdownFence
from tui_fakes import FakeConversation, FakeKB

from dialog.lines import say
from dialog.tui import clipboard
from dialog.tui.messages import MAX_FRAMES, BotMessage, UserMessage, typing_chunks
from dialog.tui.prompt import ChatInput

pytestmark = pytest.mark.anyio


async def test_input_is_focused_at_launch_and_ms_b_greets(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.focused, ChatInput)
        greeting = (await settled(pilot, app, 1))[0]
        assert "Ask me anything" in greeting.text
        await pilot.press("h", "i")
        assert app.query_one(ChatInput).value == "hi"


async def test_header_shows_the_app_name_and_the_device_once_known(make_app):
    app = make_app(device="cpu")
    async with app.run_test(size=SIZE) as pilot:
        assert app.title == "Ms. B — a deep-learning tutor"
        await wait_for(pilot, lambda: app.sub_title == "device: cpu", what="the device in the header")
        await wait_for(pilot, lambda: app.status.text.startswith("ready"), what="ready")


async def test_a_question_gets_an_answer_rendered_whole_as_markdown(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "what does deep mean")
        answer = (await settled(pilot, app, 2))[-1]
        assert answer.reply.kind == "answer"
        body = answer.query_one(".body", Markdown)
        assert body.source == answer.reply.text
        assert answer.query("MarkdownBulletList") and answer.query(MarkdownFence)  # list and code block intact
        user = app.query(UserMessage).last()
        assert user.text == "what does deep mean"


async def test_a_reply_is_typed_in_word_by_word_and_ends_equal_to_the_reply(make_app):
    app = make_app(typing_seconds=1.0)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot, app, 1)
        await ask(pilot, "tell me about layers and representations, and how a network learns them from data, "
                         "step by step, with an example or two if you have one at hand")
        await wait_for(pilot, lambda: len(replies(app)) == 2 and replies(app)[-1].query(".body"), what="typing")
        bubble = replies(app)[-1]
        seen = set()
        while not bubble.finished:
            seen.add(bubble.query_one(".body", Markdown).source)
            await pilot.pause(0.03)
        full = bubble.reply.text
        partial = [s for s in seen if s and s != full]
        assert partial and all(full.startswith(s) for s in partial)
        assert bubble.query_one(".body", Markdown).source == full


def test_typing_chunks_rejoin_to_the_exact_text_in_english_and_chinese():
    for text in ("A reply with `code` and\n\n- a list\n- of items\n", "深度学习中的“深度”指的是层数。" * 5, ""):
        chunks, pause = typing_chunks(text, 1.0)
        assert "".join(chunks) == text
        assert len(chunks) <= MAX_FRAMES and pause * len(chunks) <= 1.0 + 1e-9
    assert len(typing_chunks("深度学习中的深度", 1.0)[0]) > 1  # Chinese is typed in too, though it has no spaces


async def test_text_the_user_types_is_shown_literally_never_as_markup(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "[red]hi[/red] **bold** [link=x]y[/link]")
        await settled(pilot, app, 2)
        user = app.query_one(UserMessage)
        assert user.query_one(".body").render().plain == "[red]hi[/red] **bold** [link=x]y[/link]"
        svg = app.export_screenshot()
        assert "[red]hi[/red]" in svg


async def test_a_question_asked_while_the_knowledge_base_loads_waits_then_is_answered(make_app):
    loaded = threading.Event()

    def slow_kb():
        loaded.wait(10)
        return FakeKB()

    app = make_app(kb_loader=slow_kb)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "what does deep mean")
        await pilot.pause(0.1)
        waiting = replies(app)[-1]
        assert not waiting.finished
        assert "one moment" in waiting.query_one(".spinner").render().plain
        assert "loading the knowledge base" in app.status.text
        loaded.set()
        answer = (await settled(pilot, app, 2))[-1]
        assert answer.text.startswith("You asked: what does deep mean")


async def test_questions_are_answered_in_order_while_warm_up_is_still_running(make_app):
    warm = threading.Event()
    app = make_app(kb_loader=lambda: FakeKB(warm_gate=warm))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.conv is not None, what="knowledge loaded")
        await ask(pilot, "first")
        await ask(pilot, "second")
        answers = (await settled(pilot, app, 3))[1:]
        assert [a.text.split("\n")[0] for a in answers] == ["You asked: first", "You asked: second"]
        assert "warming up" in app.status.text
        warm.set()
        await wait_for(pilot, lambda: app.status.text == "ready", what="ready after warm-up")


async def test_a_failing_warm_up_leaves_keyword_search_and_says_so(make_app):
    app = make_app(kb_loader=lambda: FakeKB(warm_error="no model files"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.status.text == "ready (keyword search)", what="keyword-only status")
        assert any("no model files" in n.text for n in app.notices)
        await ask(pilot, "still there?")
        assert (await settled(pilot, app, 2))[-1].text.startswith("You asked")


async def test_an_engine_exception_is_reported_and_the_chat_goes_on(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "boom")
        await settled(pilot, app, 2)
        assert any(n.severity == "error" and "engine bug" in n.text for n in app.notices)
        await ask(pilot, "and now?")
        assert (await settled(pilot, app, 3))[-1].text.startswith("You asked: and now?")


async def test_up_and_down_recall_earlier_lines_and_restore_the_draft(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "one")
        await ask(pilot, "two")
        prompt = app.query_one(ChatInput)
        await pilot.press("d", "r")
        await pilot.press("up")
        assert prompt.value == "two"
        await pilot.press("up", "up")
        assert prompt.value == "one"
        await pilot.press("down")
        assert prompt.value == "two"
        await pilot.press("down")
        assert prompt.value == "dr"


async def test_sources_open_to_show_title_section_and_excerpt(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "what does deep mean")
        answer = (await settled(pilot, app, 2))[-1]
        block = answer.query_one(Collapsible)
        assert block.collapsed and "Sources (1)" in str(block.title)
        block.collapsed = False
        await pilot.pause()
        text = answer.query_one(".sources-body").render().plain
        assert "A Conversation" in text and "第一节" in text and "深度学习中的深度指的是层数" in text


async def test_a_source_in_the_readers_language_says_it_is_a_rendering(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "what does deep mean, rendered")
        answer = (await settled(pilot, app, 2))[-1]
        answer.query_one(Collapsible).collapsed = False
        await pilot.pause()
        text = answer.query_one(".sources-body").render().plain
        assert "number of layers" in text and "rendering" in text and "/sources" in text
        await ask(pilot, "what does deep mean")
        plain = (await settled(pilot, app, 3))[-1]
        plain.query_one(Collapsible).collapsed = False
        await pilot.pause()
        assert "rendering" not in plain.query_one(".sources-body").render().plain


async def test_a_chinese_answer_labels_its_sources_in_chinese(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "深度是什么意思")
        answer = (await settled(pilot, app, 2))[-1]
        assert "出处（1）" in str(answer.query_one(Collapsible).title)


async def test_an_answer_that_offers_a_demo_has_a_show_me_button_that_starts_it(make_app, runner):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "please offer a demo")
        answer = (await settled(pilot, app, 2))[-1]
        button = answer.query_one(".demo-offer", Button)
        assert "/demo coordinates" in str(button.label)
        button.focus()
        await pilot.press("enter")  # the keyboard reaches it as well as the mouse
        await wait_for(pilot, lambda: runner.calls, what="the demo to start")
        assert runner.calls[0][0] == "coordinates"
        assert any(u.text == "/demo coordinates" for u in app.query(UserMessage))


async def test_at_forty_columns_the_show_me_button_keeps_to_words_that_fit(make_app, runner):
    app = make_app()
    async with app.run_test(size=(40, 12)) as pilot:
        await ask(pilot, "please offer a demo")
        answer = (await settled(pilot, app, 2))[-1]
        await pilot.pause()
        button = answer.query_one(".demo-offer", Button)
        assert str(button.label) == "▶ Show me" and button.region.right <= 40
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert "/demo coordinates" in str(button.label)  # wide again: the command is shown too


async def test_messages_can_be_reached_with_tab_and_copied_with_ctrl_y(make_app, monkeypatch):
    monkeypatch.setattr(clipboard, "system_copy", lambda text: False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "copy [b]me[/b]")
        await settled(pilot, app, 2)
        user = app.query_one(UserMessage)
        user.focus()
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: any(say("copied_terminal_only", "en") in n.text for n in app.notices),
                       what="the no-clipboard notice")
        assert app.clipboard == "copy [b]me[/b]"
        await pilot.press("shift+tab")
        assert isinstance(app.focused, BotMessage)  # the greeting, before it


async def test_clicking_the_copy_mark_copies_ms_b_words_as_markdown(make_app, monkeypatch):
    copied = []
    monkeypatch.setattr(clipboard, "system_copy", lambda text: copied.append(text) or True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "what does deep mean")
        answer = (await settled(pilot, app, 2))[-1]
        await pilot.click(answer.query_one(".copy-link"))
        await wait_for(pilot, lambda: copied, what="the copy")
        assert copied == [answer.reply.text]
        await wait_for(pilot, lambda: any(say("copied", "en") in n.text for n in app.notices))


async def test_the_palette_lists_demos_topics_and_commands_and_sends_the_choice(make_app):
    conv = FakeConversation()
    app = make_app(conv=conv)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.conv is not None)
        from dialog.tui.palette import choices

        labels = [c.label for c in choices(app)]
        assert any(label.startswith("Demo: ") for label in labels)
        assert "Topic: What “deep” means" in labels
        assert any(label.startswith("Help") for label in labels)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        for key in "topic deep":
            await pilot.press("space" if key == " " else key)
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(u.text == "what does deep mean" for u in app.query(UserMessage)),
                       what="the topic's question sent")
        assert isinstance(app.focused, ChatInput)


async def test_f1_asks_for_help(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await wait_for(pilot, lambda: any(u.text == "/help" for u in app.query(UserMessage)))


async def test_quit_command_closes_the_app(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/quit")
        await wait_for(pilot, lambda: app.return_code is not None or not app.is_running, what="the app to exit")


async def test_clear_empties_the_screen_and_the_chat_goes_on(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "first question")
        await settled(pilot, app, 2)
        await ask(pilot, "/clear")
        await wait_for(pilot, lambda: not app.query(UserMessage), what="the screen to clear")
        await settled(pilot, app, 1)
        await ask(pilot, "after clearing")
        answers = await settled(pilot, app, 2)
        assert answers[-1].text.startswith("You asked: after clearing")
        assert [u.text for u in app.query(UserMessage)] == ["after clearing"]



async def test_a_question_asked_while_torch_is_half_imported_is_still_answered(make_app, monkeypatch):
    import sys
    import types

    half = types.ModuleType("torch")  # what another thread's import leaves in sys.modules midway
    half.__spec__ = types.SimpleNamespace(_initializing=True)
    monkeypatch.setitem(sys.modules, "torch", half)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "what does deep mean")
        assert (await settled(pilot, app, 2))[-1].text.startswith("You asked: what does deep mean")


async def test_typing_while_a_message_has_focus_goes_to_the_input(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        greeting = (await settled(pilot, app, 1))[0]
        greeting.focus()
        await pilot.press("w", "h", "y")
        assert isinstance(app.focused, ChatInput) and app.query_one(ChatInput).value == "why"
        greeting.focus()
        await pilot.press("c", "a", "n")  # every printable key is text, "c" included: nothing is swallowed
        assert isinstance(app.focused, ChatInput) and app.query_one(ChatInput).value == "whycan"
        app.query_one(ChatInput).value = ""
        await pilot.press("shift+tab")  # back onto a message, then "/clear" typed whole
        assert not isinstance(app.focused, ChatInput)
        await pilot.press(*"/clear")
        assert app.query_one(ChatInput).value == "/clear"


async def test_when_the_knowledge_base_cannot_load_every_question_gets_an_error_not_a_spinner(make_app):
    def broken():
        raise ValueError("entries/x.yaml:3: entry 'x': demo 'nope' does not exist")

    app = make_app(kb_loader=broken)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "could not be loaded" in app.status.text, what="the failure")
        assert any("entries/x.yaml:3" in n.text for n in app.notices)
        await ask(pilot, "what does deep mean")
        answer = (await settled(pilot, app, 2))[-1]
        assert answer.reply.kind == "error" and "failed to load" in answer.text
        assert app.sub_title == "device: auto"  # the header says where demos will run, all the same


async def test_twenty_lines_typed_without_a_pause_are_all_asked_in_order(make_app):
    app = make_app()
    lines = [f"q{i}" for i in range(20)]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # As a terminal delivers a burst: every key queued at once, none waiting for the last to be handled.
        for line in lines:
            for ch in line:
                app.post_message(events.Key(ch, ch))
            app.post_message(events.Key("enter", "\r"))
        await settled(pilot, app, 21, timeout=20)
        assert [u.text for u in app.query(UserMessage)] == lines
        assert [t.text for t in app.transcript.turns if t.role == "user"] == lines


async def test_a_pasted_block_of_lines_is_one_message_its_line_breaks_kept(make_app):
    from textual import events

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.query_one(ChatInput)
        prompt.post_message(events.Paste("what does deep mean\r\nand why do layers help?\n\x1b[2Jshow me"))
        await wait_for(pilot, lambda: "show me" in prompt.value)
        assert prompt.value == "what does deep mean\nand why do layers help?\nshow me"  # nothing sent yet
        await pilot.pause()
        assert prompt.size.height >= 3  # the prompt grows to show what was pasted
        await pilot.press("enter")
        replies_now = await settled(pilot, app, 4)  # the greeting, then one answer for each of its lines
        [said] = [u.text for u in app.query(UserMessage)]
        assert said == "what does deep mean\nand why do layers help?\nshow me"  # one message, never glued
        assert prompt.value == ""
        asked = [t.text for t in app.transcript.turns if t.role == "user"]
        assert asked == ["what does deep mean", "and why do layers help?", "show me"]
        assert len(replies_now) == 4


def test_a_few_short_lines_are_as_many_questions_and_prose_is_one():
    from dialog.tui.pane import questions_in

    assert questions_in("what is dropout?\nwho came up with it?") == ["what is dropout?", "who came up with it?"]
    assert questions_in("one line only") == ["one line only"]
    wrapped = ("I have been reading about neural networks for a while and I keep wondering whether\n"
               "the layers really learn anything on their own")
    assert questions_in(wrapped) == [wrapped]
    many = "\n".join(f"question {i}?" for i in range(40))
    assert questions_in(many) == [many]


async def test_ctrl_j_starts_a_new_line_and_the_footer_says_so(make_app):
    from textual.widgets import Footer

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"first", "ctrl+j", *"second")
        assert app.query_one(ChatInput).value == "first\nsecond"
        assert any(b.description == "New line" and b.key_display == "ctrl+j"
                   for _, b, enabled, _ in app.active_bindings.values() if enabled)
        assert app.query_one(Footer)
        await pilot.press("enter")
        await settled(pilot, app, 2)
        assert [u.text for u in app.query(UserMessage)] == ["first\nsecond"]


async def test_a_narrow_footer_keeps_lessons_help_and_quit_first_and_tab_is_named(make_app):
    app = make_app()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        actions = [k.action for k in app.query("FooterKey")]
        assert actions[:3] == ["lessons", "send('/help')", "quit"] and "command_palette" not in actions
        assert sum(k.region.width for k in app.query("FooterKey")[:3]) <= 40  # all three on screen
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "newest_or_prompt" in [k.action for k in pilot.app.query("FooterKey")]


async def test_a_paste_of_ten_thousand_lines_is_kept_whole_and_markup_stays_text(make_app):
    from textual import events

    app = make_app()
    text = "\n".join(f"[bold]line {i}[/bold] *x*" for i in range(10_000))
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.query_one(ChatInput)
        prompt.post_message(events.Paste(text))
        await wait_for(pilot, lambda: prompt.document.line_count == 10_000, timeout=20)
        await pilot.pause()
        assert prompt.size.height <= 7  # it scrolls; the conversation stays on screen
        await pilot.press("enter")
        await settled(pilot, app, 2, timeout=30)
        assert app.query_one(UserMessage).text == text


async def test_up_walks_history_only_from_the_first_line(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"earlier", "enter")
        await settled(pilot, app, 2)
        prompt = app.query_one(ChatInput)
        await pilot.press(*"one", "ctrl+j", *"two", "up")
        assert prompt.value == "one\ntwo" and prompt.cursor_location[0] == 0  # up moved within the draft
        await pilot.press("up")
        assert prompt.value == "earlier"
        await pilot.press("down")
        assert prompt.value == "one\ntwo"  # the draft comes back


async def test_the_status_line_speaks_the_language_of_the_last_reply(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.status.text == "ready", what="ready")
        await ask(pilot, "深度是什么意思")
        await settled(pilot, app, 2)
        assert app.status.text == "就绪"
        await ask(pilot, "and in English?")
        await settled(pilot, app, 3)
        assert app.status.text == "ready"


async def test_tab_goes_to_the_newest_message_and_back(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for line in ("first question", "second question"):
            await pilot.press(*line, "enter")
        await settled(pilot, app, 3)
        await pilot.press("tab")
        assert app.focused is replies(app)[-1]  # the newest, not the greeting at the top
        await pilot.press("shift+tab")
        assert app.focused is list(app.query(UserMessage))[-1]  # shift+tab walks on to older ones
        await pilot.press("tab")
        assert app.focused is app.query_one(ChatInput)


async def test_the_placeholder_and_footer_speak_the_conversations_language(make_app):
    def footer_words(app) -> set[str]:
        return {b.description for _, b, enabled, _ in app.active_bindings.values() if b.show}

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.conv is not None)
        prompt = app.query_one(ChatInput)
        assert prompt.placeholder.startswith("Ask Ms. B") and {"Help", "Lessons", "New line"} <= footer_words(app)
        await ask(pilot, "深度是什么意思")
        await settled(pilot, app, 2)
        assert prompt.placeholder.startswith("问 B 女士") and {"帮助", "课程", "换行", "退出"} <= footer_words(app)
        await ask(pilot, "and in English?")
        await settled(pilot, app, 3)
        assert prompt.placeholder.startswith("Ask Ms. B") and "Help" in footer_words(app)


async def test_page_up_scrolls_the_conversation_while_typing(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for i in range(6):
            await pilot.press(*f"question {i}", "enter")
        await settled(pilot, app, 7)
        await pilot.pause()
        bottom = app.chat.scroll_y
        assert bottom > 0 and app.focused is app.query_one(ChatInput)
        await pilot.press("pageup")
        await pilot.pause()
        assert app.chat.scroll_y < bottom


async def test_a_recalled_entry_of_many_lines_is_passed_over_whole_until_the_cursor_moves(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for keys in (("o", "l", "d", "enter"), ("a", "ctrl+j", "b", "ctrl+j", "c", "enter")):
            await pilot.press(*keys)
            await pilot.pause()
        await settled(pilot, app, 3)
        prompt = app.query_one(ChatInput)
        await pilot.press("up")
        assert prompt.value == "a\nb\nc"
        await pilot.press("up")
        assert prompt.value == "old"  # not three presses through a, b, c
        await pilot.press("down")
        assert prompt.value == "a\nb\nc"
        await pilot.press("left", "up")
        assert prompt.value == "a\nb\nc" and prompt.cursor_location[0] == 1  # moved by hand: up walks its lines
