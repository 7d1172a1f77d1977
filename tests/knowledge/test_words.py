"""What a line's words are to search: chatter and typed-wrong function words are not terms the documents
lack, and a misspelling is mended only into a word it could be."""
from __future__ import annotations

import pytest

from knowledge.tokenize import en_tokens, zh_tokens


@pytest.mark.parametrize("line, words", [
    ("so waht did I just watch", ["watch"]),          # two letters swapped in a function word
    ("wait no, teh object detection one", ["object", "detection"]),
    ("whats a tensor", ["tensor"]),                   # no apostrophe: stems to a function word
    ("haha ok nvm, thanks! what is dropout", ["dropout"]),
    ("dont get it", []),
])
def test_chatter_and_swapped_function_words_are_not_terms(line, words):
    assert en_tokens(line) == words


def test_real_words_among_the_swaps_stay_words():
    assert en_tokens("three layers form a stack") == ["three", "layer", "form", "stack"]


def test_a_classifier_phrase_is_no_chinese_term():
    assert "一类" not in zh_tokens("它属于哪一类网络") and "网络" in zh_tokens("它属于哪一类网络")
    assert not {"哈哈", "好吧", "算了"} & set(zh_tokens("哈哈好吧，算了，GAN 呢")) and "gan" in zh_tokens("哈哈好吧，算了，GAN 呢")


def test_a_misspelling_keeps_its_first_letter(lexical_kb):
    """"batch" is not a misspelt "watch": the term the documents lack is named as written."""
    words = lexical_kb.words("thank you! how does batch normalization work?", "en")
    assert "batch" in words and "watch" not in words
    assert lexical_kb.central_unknown("how does batch normalization work?", "en") == "batch normalization"
    assert lexical_kb.words("explain dropuot in an enural network", "en") == ["dropout", "neural", "network"]
