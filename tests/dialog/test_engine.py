"""The conversation engine on the real knowledge base and model: answers, the thread, demos, commands."""
from __future__ import annotations

import pytest

from demos.driver import Outcome
from demos.core import Result
from dialog.actions import Clear, Quit, Save, StartDemo, StopDemo
from dialog.engine import Conversation
from dialog.transcript import Turn
from knowledge import script
from knowledge.lang import has_cjk


@pytest.fixture
def conv(real_kb):
    return Conversation(real_kb, can_run_demos=True, seed=1)


def test_a_question_in_traditional_characters_with_taiwan_words_is_answered_in_traditional(conv):
    r = conv.respond("聽說神經網路是照著大腦設計的，是真的嗎？")
    assert r.kind == "answer" and r.lang == "zh" and r.topic == "brain-inspired"
    assert "神經網絡" in r.text or "大腦" in r.text
    assert script.is_traditional(r.text)


def test_an_english_question_gets_an_english_answer_with_a_cited_source(conv):
    r = conv.respond("what does deep mean")
    assert r.kind == "answer" and r.lang == "en" and r.topic == "what-deep-means"
    assert "layers" in r.text and not has_cjk(r.text)
    assert r.sources and r.sources[0].document == "conversation" and r.sources[0].excerpt
    assert r.suggestions


def test_a_chinese_question_gets_a_chinese_answer_with_one_short_citation_line(conv):
    r = conv.respond("深度是什么意思")
    assert r.kind == "answer" and r.lang == "zh" and r.topic == "what-deep-means"
    assert "层" in r.text and "出处" in r.citation and "出处" in r.full_text
    citation = [line for line in r.full_text.splitlines() if "出处" in line]
    assert len(citation) == 1 and len(citation[0]) < 60  # no excerpt repeating the answer


def test_an_out_of_scope_question_gets_an_honest_fallback_with_topics(conv):
    r = conv.respond("what's the capital of France")
    assert r.kind == "fallback" and r.topic is None
    assert "outside what I can tell you" in r.text and "- " in r.text


def test_a_chinese_out_of_scope_question_falls_back_in_chinese(conv):
    r = conv.respond("今天股市怎么样")
    assert r.kind == "fallback" and r.lang == "zh" and has_cjk(r.text)


def test_follow_ups_stay_on_the_topic_and_each_brings_something_new(conv):
    first = conv.respond("what is dropout?")
    seen = [first.text]
    for line in ("tell me more", "why?", "an example?", "explain that in plainer words"):
        r = conv.respond(line)
        assert r.kind == "answer" and r.topic == "dropout" and r.lang == "en", line
        assert r.text not in seen and ">" not in r.text.split("\n")[0], line  # new words, not a quotation
        seen.append(r.text)


def test_when_a_topic_is_spent_she_says_so_and_points_elsewhere(conv):
    conv.respond("what is dropout?")
    replies = [conv.respond("tell me more") for _ in range(6)]
    assert "everything the documents give me" in replies[-1].text
    assert len({r.text for r in replies[:4]}) == 4


def test_the_source_is_quoted_only_when_asked_for(conv):
    r = conv.respond("what is dropout?")
    assert ">" not in r.text
    told = conv.respond("source?")  # the passage is Chinese: in English she names where it is
    assert told.topic == "dropout" and "Dropout" in told.text and "/sources" in told.text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in told.text)
    quoted = conv.respond("出处？")
    assert quoted.topic == "dropout" and "\n> " in quoted.text


@pytest.mark.parametrize("opening, facet, expect", [
    ("what is dropout?", "who came up with it?", "Hinton"),
    ("GAN keeps coming up. What is it?", "where can I read that paper?", "1406.2661"),
    ("我听说残差网络很重要，能简单介绍一下吗？", "它是谁提出的？", "孙剑"),
    ("Dropout 是用来防什么的？", "原文在哪能下载？", "jmlr"),
])
def test_a_bare_facet_question_is_about_the_current_topic(conv, opening, facet, expect):
    conv.respond(opening)
    r = conv.respond(facet)
    assert r.kind == "answer" and expect in r.text


def test_a_facet_question_naming_its_topic_answers_for_that_topic(conv):
    conv.respond("what is dropout?")
    r = conv.respond("who invented generative adversarial networks?")
    assert r.topic == "gan" and "Goodfellow" in r.text


def test_a_question_on_another_topic_moves_the_conversation(conv):
    conv.respond("what is dropout?")
    r = conv.respond("why did deep learning take off only recently?")
    assert r.topic == "why-now" and conv.state.topic == "why-now" and "dropout" in conv.state.recent


@pytest.mark.parametrize("opening, request_line, demo", [
    ("what is dropout?", "ok, show me", "dropout"),
    ("残差网络是什么？", "给我看看", "resnet"),
    ("Is the 'deep' in deep learning about understanding things more deeply?", "can I see that happen?", "depth"),
])
def test_a_demo_asked_for_in_words_starts_the_topics_demo(conv, opening, request_line, demo):
    conv.respond(opening)
    r = conv.respond(request_line)
    assert r.kind == "demo" and isinstance(r.action, StartDemo) and r.action.demo == demo


def test_an_offered_demo_starts_on_yes_and_no_declines_it(conv):
    r = conv.respond("Draw a line that separates the blue circles and green triangles.")
    assert r.demo == "coordinates" and "show me" in r.offer
    assert conv.respond("no thanks").kind == "smalltalk"
    assert conv.respond("yes").action is None
    go = conv.respond("show me")  # declined once, still there when asked for
    assert isinstance(go.action, StartDemo) and go.action.demo == "coordinates"


def test_a_running_or_watched_demo_is_not_offered_again(conv):
    conv.respond("what is dropout?")
    conv.respond("show me")
    conv.demo_started("dropout")
    assert "show me" not in conv.respond("tell me more").full_text.lower()
    conv.demo_ended(Outcome("dropout", "finished", result=Result({}, "Done.")))
    assert "show me" not in conv.respond("what is overfitting?").full_text.lower()


def test_a_demo_asked_for_in_words_waits_for_the_running_one_but_by_name_runs_beside_it(conv):
    conv.demo_started("cnn")
    waits = conv.respond("show me the dropout demo")
    assert waits.action is None and "still running" in waits.text and "/demo dropout" in waits.text
    beside = conv.respond("/demo dropout")
    assert isinstance(beside.action, StartDemo) and beside.action.alongside and "beside" in beside.text


@pytest.mark.parametrize("text, demo", [
    ("show me the coordinate change", "coordinates"), ("train a tiny CNN", "cnn"),
    ("演示一下坐标变换", "coordinates"), ("训练一个小 CNN 看看", "cnn"),
])
def test_demo_requests_naming_the_demo_start_it(conv, text, demo):
    r = conv.respond(text)
    assert r.kind == "demo" and r.demo == demo and isinstance(r.action, StartDemo)


def test_demo_requests_in_ask_mode_name_the_demo_and_how_to_launch_it(real_kb):
    r = Conversation(real_kb, can_run_demos=False).respond("show me the coordinate change")
    assert (r.kind, r.demo, r.action) == ("demo", "coordinates", None)
    assert "msb demo coordinates" in r.text


def test_in_ask_mode_what_to_watch_is_offered_as_commands_that_run_it(real_kb):
    listed = Conversation(real_kb, can_run_demos=False).respond("show me")
    assert "msb demo cnn" in listed.text and "/demo" not in listed.text
    answered = Conversation(real_kb, can_run_demos=False).respond("what is dropout")
    assert answered.demo is None or "msb demo dropout" in (answered.offer or answered.text)
    assert not any(s.lower().startswith("show me") for s in answered.suggestions)
    chat = Conversation(real_kb, can_run_demos=True).respond("what is dropout")
    assert any(s.lower().startswith("show me") for s in chat.suggestions)  # the chat can start it


def test_demo_command_passes_options_and_validates_them(conv):
    r = conv.respond("/demo cnn --epochs 5")
    assert isinstance(r.action, StartDemo) and r.action.request.options == {"epochs": "5"}
    assert r.action.request.config.epochs == 5  # checked once, here, and handed on
    bad = conv.respond("/demo cnn --epochs 0")
    assert bad.kind == "error" and "--epochs" in bad.text and bad.action is None
    unknown = conv.respond("/demo warp-drive")
    assert unknown.kind == "error" and "warp-drive" in unknown.text


@pytest.mark.parametrize("first, switch, lang, expect", [
    ("People keep saying 'representation'. What do they mean by it?", "用中文说一下", "zh", "表"),
    ("深度学习是机器学习的一部分吗？", "in English please", "en", "subset"),
    ("what is dropout?", "could you answer in Chinese?", "zh", "过拟合"),
])
def test_a_language_switch_in_words_says_the_last_reply_again_in_that_language(conv, first, switch, lang, expect):
    before = conv.respond(first)
    r = conv.respond(switch)
    assert r.lang == lang and r.topic == before.topic and expect in r.text


def test_after_in_english_please_a_chinese_question_still_gets_chinese(conv):
    conv.respond("我零基础，想学深度学习该从哪儿下手？")
    assert conv.respond("in English please").lang == "en"
    assert conv.respond("那书呢？").lang == "zh"


def test_a_correction_moves_to_what_was_meant(conv):
    conv.respond("What do better activation functions actually give you?")
    r = conv.respond("no, sorry, I meant weight initialization")
    assert r.topic == "initialization"


def test_thanks_with_a_question_answers_the_question(conv):
    conv.respond("what is dropout?")
    r = conv.respond("thanks! and what should I study to get started?")
    assert r.kind == "answer" and r.topic == "getting-started" and r.text.startswith("You're welcome")


def test_a_follow_up_without_a_topic_says_what_she_can_talk_about(conv):
    r = conv.respond("tell me more")
    assert r.kind == "smalltalk" and "topic" in r.text


@pytest.mark.parametrize("command, expect", [
    ("/help", "/demos"), ("/help more", "/demo NAME"), ("/topics", "What the"), ("/demos", "/demo cnn"), ("/sources", "didn't rely"),
])
def test_commands_reply_in_kind(conv, command, expect):
    r = conv.respond(command)
    assert r.kind == "command" and expect in r.text


def test_sources_lists_where_the_last_answer_came_from(conv):
    conv.respond("what does deep mean")
    r = conv.respond("/sources")
    assert r.sources and r.sources[0].section.startswith("「深度」")


def test_lang_pins_the_reply_language(conv):
    assert conv.respond("/lang zh").lang == "zh"
    assert conv.respond("what does deep mean").lang == "zh"
    conv.respond("/lang auto")
    assert conv.respond("what does deep mean").lang == "en"


@pytest.mark.parametrize("command, action", [("/clear", Clear), ("/quit", Quit)])
def test_commands_that_ask_the_front_end_to_act(conv, command, action):
    assert isinstance(conv.respond(command).action, action)


def test_stop_acts_only_while_a_demo_runs(conv):
    assert conv.respond("/stop").action is None
    conv.demo_started("cnn")
    assert isinstance(conv.respond("/stop").action, StopDemo)


def test_save_needs_a_path_and_passes_it_on(conv):
    assert conv.respond("/save").kind == "error"
    r = conv.respond("/save ~/talk.md")
    assert r.action == Save("~/talk.md")


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
    assert any(isinstance(a, StartDemo) for a in actions)
    after = conv.respond("next")  # the tour is over: "next" goes on with the topic, not a tour step
    assert conv.state.tour_step is None and after.kind != "demo"


def test_a_question_leaves_the_tour_and_tell_me_more_stays_on_its_topic(conv):
    conv.respond("/tour")
    assert conv.respond("what is a tensor?").topic == "tensors"
    assert conv.state.tour_step is None
    assert conv.respond("tell me more").topic == "tensors"


def test_restore_recovers_topic_and_language(real_kb):
    conv = Conversation(real_kb)
    conv.restore([Turn("user", "深度是什么意思"), Turn("ms_b", "……", topic="what-deep-means")])
    assert conv.state.lang == "zh" and conv.state.topic == "what-deep-means"
    assert conv.respond("继续").kind == "answer"


def test_a_finished_demo_is_summed_up_in_the_conversation_language(conv):
    conv.respond("深度是什么意思")
    conv.demo_started("coordinates")
    r = conv.demo_ended(Outcome("coordinates", "finished", result=Result({"learned_accuracy": 1.0},
                                                                          "网络自己学会了一种表示。")))
    assert r.lang == "zh" and "网络自己学会了" in r.text and r.topic and not conv.state.running
    assert conv.demo_ended(Outcome("cnn", "failed", message="out of memory")).kind == "error"


@pytest.mark.parametrize("opening, line, topic, expect", [
    ("what are region-based CNNs used for?", "is there code people use for this?", "region-cnn", "arXiv"),
    ("为什么深度学习最近才火起来？", "那硬件方面呢？", "why-now", "硬件"),
    # A pronoun asking what another topic's questions ask ("for beginners" is the course's) still moves the
    # line there: the fitted policy weighs the labelled questions above the pronoun. Known, to be taught.
    pytest.param("Siraj Raval 是谁？", "他的视频适合初学者吗？", "siraj-raval", "Siraj",
                 marks=pytest.mark.xfail(strict=True, reason="a pronoun loses to another topic's own questions")),
])
def test_a_question_pointing_back_is_asked_within_the_thread(conv, opening, line, topic, expect):
    conv.respond(opening)
    r = conv.respond(line)
    assert r.kind == "answer" and r.topic == topic and expect in r.text


@pytest.mark.parametrize("opening, line", [
    ("what is a CNN?", "is it going to rain in London tomorrow?"),
    ("what is a GAN?", "can it cook dinner for me?"),
    ("什么是张量？", "那明天的天气呢？"),
])
def test_pointing_back_does_not_make_an_unrelated_question_answerable(conv, opening, line):
    conv.respond(opening)
    assert conv.respond(line).kind == "fallback"


def test_a_question_pointing_back_but_naming_a_neighbour_goes_to_the_neighbour(conv):
    conv.respond("what is a CNN?")
    r = conv.respond("and residual networks, what do they change?")
    assert r.topic == "resnet"


def test_asked_where_it_comes_from_she_names_the_article_and_the_work_behind_it(conv):
    conv.respond("how does a change of coordinates make the problem easy?")
    r = conv.respond("where is that from?")
    assert r.topic == "coordinate-change" and "Goodfellow" in r.text and "/sources" in r.text


def test_a_demo_asked_for_after_a_detour_is_the_one_of_the_topic_before(conv):
    conv.respond("what is a convolutional neural network?")
    conv.respond("who is Siraj Raval?")  # a topic with no demo of its own
    r = conv.respond("ok, show me")
    assert r.kind == "demo" and r.demo == "cnn"


def test_a_switch_of_language_in_other_words_says_the_last_reply_again(conv):
    conv.respond("what is dropout?")
    r = conv.respond("用中文再讲一遍")
    assert r.lang == "zh" and r.topic == "dropout"


def test_a_quoted_passage_keeps_its_lines_and_is_cut_at_the_limit():
    from dialog.content import blockquote

    text = "参考阅读：\n* 第一篇论文：https://arxiv.org/abs/1\n* 第二篇论文：https://arxiv.org/abs/2\n\n" + "很长的段落。" * 200
    quoted = blockquote(text, 120)
    lines = quoted.splitlines()
    assert lines[:3] == ["> 参考阅读：", "> * 第一篇论文：https://arxiv.org/abs/1", "> * 第二篇论文：https://arxiv.org/abs/2"]
    assert all(line.startswith(">") for line in lines) and quoted.endswith("…") and len(quoted) < 200


def test_a_line_longer_than_the_engine_reads_is_cut_between_words():
    from dialog.engine import MAX_INPUT, prepare

    text, _ = prepare("what does deep mean " * (MAX_INPUT // 10))
    assert len(text) <= MAX_INPUT and text.split()[-1] in ("what", "does", "deep", "mean")
    chinese, _ = prepare("深度" * MAX_INPUT)
    assert len(chinese) == MAX_INPUT  # no spaces to cut at: characters are words enough


def test_a_demo_asked_for_by_what_it_shows_starts_that_demo(conv):
    conv.respond("what is dropout?")
    r = conv.respond("run the multi-worker thing")
    assert r.kind == "demo" and r.demo == "distributed"


def test_a_demo_named_by_its_keyword_wins_over_the_one_just_offered(conv):
    conv.respond("what is dropout?")  # offers the dropout demo
    r = conv.respond("show me the GAN one instead")
    assert r.kind == "demo" and r.demo == "gan"


def test_a_topic_without_a_demo_of_its_own_offers_the_nearest_and_says_so(conv):
    r = conv.respond("show me capsules")
    assert r.kind == "smalltalk" and r.action is None and "no demo" in r.text
    offered = conv.state.offered_demo
    assert offered and f"/demo {offered}" in r.text
    assert conv.respond("yes").demo == offered


def test_a_filler_word_beside_a_known_one_does_not_make_the_line_unknown(conv):
    conv.respond("why did deep learning only take off recently?")
    r = conv.respond("what hardware specifically")
    assert r.kind == "answer" and r.topic == "why-now"


def test_what_is_turned_down_first_does_not_turn_down_what_is_asked_for_after_it(conv):
    conv.respond("卷积网络有什么推荐读的？")
    r = conv.respond("别读了，直接跑一个给我看")
    assert r.kind in ("demo", "smalltalk") and r.lang == "zh"
    assert r.demo is not None or "/demo" in r.text  # a demo, or the list to choose from — not "what then?"


def test_a_topic_named_by_name_is_not_shown_the_threads_demo_instead(conv):
    conv.respond("what are region-based CNNs?")  # the thread's nearest demo is the CNN one
    r = conv.respond("show me capsules")
    assert r.demo != "cnn" and r.action is None and "no demo" in r.text


def test_on_a_thread_without_a_demo_the_nearest_starts_and_says_it_stands_in(conv):
    conv.respond("how does Spark help with deep learning?")
    r = conv.respond("can I see it run?")
    assert r.kind == "demo" and r.demo == "distributed" and "no demo of" in r.text


def test_a_language_asked_for_before_a_question_answers_the_question_in_it_and_keeps_it(conv):
    conv.respond("什么是张量？")
    r = conv.respond("back to english - so why does dropout help?")
    assert r.kind == "answer" and r.lang == "en" and r.topic == "dropout"
    r = conv.respond("再切回中文：GAN 是什么")
    assert r.kind == "answer" and r.lang == "zh" and r.topic == "gan"
    r = conv.respond("thx! back in English: who came up with dropout?")  # after a thanks, the same
    assert r.kind == "answer" and r.lang == "en" and r.topic == "dropout"


def test_other_in_chinese_is_not_a_no(conv):
    acts = conv.acts
    assert not acts.declines("所以到底是数据变了，还是别的什么变了？") and not acts.declines("它们有什么区别")
    assert acts.declines("别演示了") and acts.declines("算了，不看了")


def test_asked_what_the_demo_just_watched_was_she_tells_rather_than_runs_it_again(conv):
    started = conv.respond("show me dropout")
    assert isinstance(started.action, StartDemo)
    conv.demo_started("dropout")
    for line in ("ok what did i just watch", "刚才那个演示说明了什么"):
        r = conv.respond(line)
        assert r.kind == "answer" and r.action is None and r.topic == "dropout", (line, r.kind, r.topic)
