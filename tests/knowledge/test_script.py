"""Traditional Chinese is read in Simplified, with Taiwan phrasing turned the mainland way, and answered back
in Traditional characters."""
from __future__ import annotations

from knowledge import script


def test_traditional_is_told_apart_from_simplified_and_from_english():
    assert script.is_traditional("什麼是深度學習？")
    assert not script.is_traditional("什么是深度学习？")
    assert not script.is_traditional("what is deep learning?")


def test_taiwan_phrasing_is_read_as_the_knowledge_words_it():
    simplified = script.to_simplified("神經網路的程式要多少資料？分散式演算法呢？")
    for word in ("神经网络", "程序", "数据", "分布式", "算法"):
        assert word in simplified, word


def test_a_simplified_reply_goes_back_in_traditional_characters():
    assert script.to_traditional("深度学习中的深度指的是层数") == "深度學習中的深度指的是層數"
