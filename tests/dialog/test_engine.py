"""The conversation engine on the real knowledge base, lexical search only (fast: no model)."""
from __future__ import annotations

import pytest

from dialog.engine import Conversation
from knowledge.lang import has_cjk


@pytest.fixture
def conv(lexical_kb):
    return Conversation(lexical_kb, can_run_demos=True, seed=1)


def test_an_english_question_gets_an_english_answer_with_a_cited_source(conv):
    r = conv.respond("what does deep mean")
    assert r.kind == "answer" and r.lang == "en" and r.topic == "what-deep-means"
    assert "layers" in r.text and not has_cjk(r.text.split("*Source")[0])
    assert r.sources and r.sources[0].document == "conversation" and r.sources[0].excerpt
    assert r.suggestions


def test_a_chinese_question_gets_a_chinese_answer(conv):
    r = conv.respond("深度是什么意思")
    assert r.kind == "answer" and r.lang == "zh" and r.topic == "what-deep-means"
    assert "层" in r.text and "出处" in r.text


def test_an_out_of_scope_question_gets_an_honest_fallback_with_topics(conv):
    r = conv.respond("what's the capital of France")
    assert r.kind == "fallback" and r.topic is None
    assert "outside what I can tell you" in r.text and "- " in r.text


def test_a_chinese_out_of_scope_question_falls_back_in_chinese(conv):
    r = conv.respond("今天股市怎么样")
    assert r.kind == "fallback" and r.lang == "zh" and has_cjk(r.text)


def test_follow_ups_continue_from_the_current_topic(conv):
    first = conv.respond("what does deep mean")
    more = conv.respond("tell me more")
    assert more.kind == "answer" and more.topic != first.topic
    assert more.topic in conv.kb.entries["what-deep-means"].related
    why = conv.respond("why?")
    assert why.kind == "answer" and ">" in why.text  # quotes the passage it relies on


def test_chinese_follow_up_continues_in_chinese(conv):
    conv.respond("讲讲 Dropout")
    r = conv.respond("继续")
    assert r.kind == "answer" and r.lang == "zh" and has_cjk(r.text)


def test_a_follow_up_without_a_topic_asks_for_one(conv):
    r = conv.respond("tell me more")
    assert r.kind == "smalltalk" and "topic" in r.text


def test_an_example_for_a_topic_with_a_demo_offers_the_demo_and_yes_starts_it(conv):
    conv.respond("Draw a line that separates the blue circles and green triangles.")
    r = conv.respond("an example?")
    assert r.demo == "coordinates"
    go = conv.respond("yes")
    assert go.kind == "demo" and go.action == "start_demo" and go.args["demo"] == "coordinates"


def test_no_declines_an_offered_demo(conv):
    conv.respond("Draw a line that separates the blue circles and green triangles.")
    assert conv.respond("no").kind == "smalltalk"
    assert conv.respond("yes").action is None


@pytest.mark.parametrize("text, demo", [
    ("show me the coordinate change", "coordinates"), ("train a tiny CNN", "cnn"),
    ("演示一下坐标变换", "coordinates"), ("训练一个小 CNN 看看", "cnn"),
])
def test_demo_requests_start_the_demo_in_chat(conv, text, demo):
    r = conv.respond(text)
    assert (r.kind, r.demo, r.action) == ("demo", demo, "start_demo")


def test_demo_requests_in_ask_mode_name_the_demo_and_how_to_launch_it(lexical_kb):
    r = Conversation(lexical_kb, can_run_demos=False).respond("show me the coordinate change")
    assert (r.kind, r.demo, r.action) == ("demo", "coordinates", None)
    assert "msb demo coordinates" in r.text


def test_demo_command_passes_options_and_validates_them(conv):
    r = conv.respond("/demo cnn --epochs 5")
    assert r.action == "start_demo" and r.args["options"] == {"epochs": "5"}
    bad = conv.respond("/demo cnn --epochs 0")
    assert bad.kind == "error" and "--epochs" in bad.text and bad.action is None
    unknown = conv.respond("/demo warp-drive")
    assert unknown.kind == "error" and "warp-drive" in unknown.text


@pytest.mark.parametrize("command, expect", [
    ("/help", "/demo"), ("/topics", "What the"), ("/demos", "/demo cnn"), ("/sources", "didn't rely"),
])
def test_commands_reply_in_kind(conv, command, expect):
    r = conv.respond(command)
    assert r.kind == "command" and expect in r.text


def test_sources_lists_where_the_last_answer_came_from(conv):
    conv.respond("what does deep mean")
    r = conv.respond("/sources")
    assert "conversation" not in r.text or True
    assert r.sources and r.sources[0].section.startswith("「深度」")


def test_lang_pins_the_reply_language(conv):
    assert conv.respond("/lang zh").lang == "zh"
    assert conv.respond("what does deep mean").lang == "zh"
    conv.respond("/lang auto")
    assert conv.respond("what does deep mean").lang == "en"


@pytest.mark.parametrize("command, action", [("/stop", "stop_demo"), ("/clear", "clear"), ("/quit", "quit")])
def test_commands_that_ask_the_front_end_to_act(conv, command, action):
    assert conv.respond(command).action == action


def test_save_needs_a_path_and_passes_it_on(conv):
    assert conv.respond("/save").kind == "error"
    r = conv.respond("/save ~/talk.md")
    assert r.action == "save" and r.args["path"] == "~/talk.md"


def test_the_tour_follows_the_conversation_and_runs_the_coordinate_demo(conv):
    first = conv.respond("/tour")
    assert first.topic == "opening"
    topics, actions = [first.topic], []
    for _ in range(12):
        r = conv.respond("next")
        topics.append(r.topic)
        actions.append(r.action)
        if conv.state.tour_step is None:
            break
    assert "line-puzzle" in topics and topics[-1] == "what-deep-means"
    assert "start_demo" in actions
    after = conv.respond("next")  # the tour is over: "next" moves on to a related topic, not a tour step
    assert conv.state.tour_step is None and after.kind != "demo"


def test_a_question_during_the_tour_is_answered_and_the_tour_goes_on(conv):
    conv.respond("/tour")
    assert conv.respond("what is a tensor?").topic == "tensors"
    assert conv.respond("next").topic == "what-is-learning"


def test_history_records_every_turn(conv):
    conv.respond("hi")
    conv.respond("what does deep mean")
    assert [role for role, _ in conv.history] == ["user", "ms_b", "user", "ms_b"]


def test_restore_recovers_topic_and_language(lexical_kb):
    conv = Conversation(lexical_kb)
    conv.restore([("user", "深度是什么意思"), ("ms_b", "……")])
    assert conv.state.lang == "zh" and conv.state.topic == "what-deep-means"
    assert conv.respond("继续").kind == "answer"


def test_demo_finished_sums_up_in_the_conversation_language(conv):
    conv.respond("深度是什么意思")
    r = conv.demo_finished("coordinates", {"learned_accuracy": 1.0}, "网络自己学会了一种表示。")
    assert r.lang == "zh" and "网络自己学会了" in r.text and r.topic
    assert conv.demo_failed("cnn", "out of memory").kind == "error"
