"""The reply follows the language the sentence is built in, not the terms it mentions."""
from __future__ import annotations

import pytest

from knowledge.lang import detect_lang


@pytest.mark.parametrize("text, lang", [
    ("what does 深度 mean here", "en"), ("is 张量 just a matrix?", "en"), ("what is 反向传播 exactly?", "en"),
    ("CNN 是谁提出的？", "zh"), ("讲讲 Dropout", "zh"), ("Deep Cognition 是什么？", "zh"), ("ok 那 resnet 呢", "zh"),
    ("dropout 和 batchnorm 哪个好", "zh"), ("GAN", "en"), ("深度", "zh"), ("in English please", "en"), ("用英文说", "zh"),
])
def test_the_language_of_the_sentence_frame(text, lang):
    assert detect_lang(text) == lang


def test_a_line_without_letters_keeps_the_conversation_language():
    assert detect_lang("???", default="zh") == "zh" and detect_lang("1 + 1", default="en") == "en"
