"""A place in a list Ms. B gave ("number 7", "the last one", "第二个") names the listed topic."""
from __future__ import annotations

import pytest

from dialog.engine import Conversation
from dialog.ordinals import place, referent


@pytest.mark.parametrize("line, number", [
    ("tell me more about number 7", 7), ("and the first one?", 1), ("the last one", -1), ("#3 please", 3),
    ("the 5th item", 5), ("what about the fourth one", 4), ("no. 9?", 9), ("and the last?", -1),
    ("第七个是什么", 7), ("最后一个呢", -1), ("第十个呢", 10), ("说说第3项", 3),
])
def test_a_place_in_a_list_is_read_in_either_language(line, number):
    found = place(line)
    assert found is not None and found[0] == number, line


@pytest.mark.parametrize("line", [
    "what came first?", "what does the first layer learn", "the first time I heard of it", "what about the last paper",
    "第一层学什么", "第二次世界大战", "我第一次听说", "最后我想问问 GAN",
])
def test_words_that_are_not_a_place_in_a_list_are_not_read_as_one(line):
    assert place(line) is None


def test_the_place_names_nothing_without_a_list_in_the_thread(real_kb):
    assert referent("and number 3?", ["dropout", "cnn"], real_kb.entries) is None
    assert referent("and number 3?", ["dropout", "breakthroughs"], real_kb.entries).topic == "activation-functions"
    assert referent("number 42", ["breakthroughs"], real_kb.entries) is None


def test_after_the_list_a_place_in_it_moves_to_that_topic_in_either_language(real_kb):
    conv = Conversation(real_kb, can_run_demos=True, seed=1)
    assert conv.respond("what were the big breakthroughs?").topic == "breakthroughs"
    assert conv.respond("tell me more about number 7").topic == "region-cnn"
    conv = Conversation(real_kb, can_run_demos=True, seed=1)
    assert conv.respond("深度学习有哪些重大突破？").topic == "breakthroughs"
    r = conv.respond("最后一个呢")
    assert r.topic == "capsules" and r.lang == "zh"


@pytest.mark.parametrize("line, number", [
    ("and number one?", 1), ("ok and number eight", 8), ("and seventh", 7), ("倒数第二个呢", -2), ("second one pls", 2),
])
def test_a_place_said_in_words_or_counted_from_the_end(line, number):
    found = place(line)
    assert found is not None and found[0] == number, line
