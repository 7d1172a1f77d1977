"""Intent classification: commands, demo requests in both languages, follow-ups, small talk, questions."""
from __future__ import annotations

import pytest

from demos.core import Demo
from dialog.intents import classify, demo_mentioned, parse_command


class _Cfg:
    pass


DEMOS = [
    Demo("coordinates", {"en": "", "zh": ""}, {"en": "", "zh": ""}, _Cfg, lambda c, x: None,
         keywords={"en": ("coordinate", "polar", "circles and triangles"), "zh": ("坐标", "坐标变换")}),
    Demo("cnn", {"en": "", "zh": ""}, {"en": "", "zh": ""}, _Cfg, lambda c, x: None,
         keywords={"en": ("cnn", "convolutional"), "zh": ("卷积", "CNN")}),
    Demo("depth", {"en": "", "zh": ""}, {"en": "", "zh": ""}, _Cfg, lambda c, x: None,
         keywords={"en": ("deep", "depth", "layers"), "zh": ("深度", "逐层")}),
]


@pytest.mark.parametrize("text, demo", [
    ("Show me the coordinate change demo", "coordinates"),
    ("show me the coordinate change", "coordinates"),
    ("Can you train a small CNN right now?", "cnn"),
    ("train a tiny CNN", "cnn"),
    ("给我演示坐标变换分离数据", "coordinates"),
    ("训练一个小 CNN 看看", "cnn"),
    ("演示一下卷积网络", "cnn"),
    ("show me what depth means", "depth"),
])
def test_demo_requests_name_their_demo(text, demo):
    intent = classify(text, DEMOS)
    assert (intent.kind, intent.name) == ("demo", demo)


@pytest.mark.parametrize("text", [
    "Draw a line that separates the blue circles and green triangles.",
    "What is a CNN?",
    "Show me what deep learning can do",  # "deep learning" names the field, not the depth demo
    "卷积神经网络的经典论文是什么？",
    "How do you train a CNN?",  # a question about training, not a request to run one
    "卷积网络是怎么训练的",
    "训练 CNN 要多久？",
])
def test_questions_about_a_demo_topic_are_questions_not_requests(text):
    assert classify(text, DEMOS).kind == "question"


@pytest.mark.parametrize("text, kind, name", [
    ("tell me more", "followup", "more"), ("继续", "followup", "more"), ("why?", "followup", "why"),
    ("为什么", "followup", "why"), ("an example?", "followup", "example"), ("举个例子", "followup", "example"),
    ("yes", "yes", ""), ("好", "yes", ""), ("no thanks", "no", ""), ("hi", "smalltalk", "greet"),
    ("你好", "smalltalk", "greet"), ("thanks!", "smalltalk", "thanks"), ("", "empty", ""), ("   ", "empty", ""),
    ("next", "next", ""), ("下一步", "next", ""),
])
def test_short_turns_are_recognised(text, kind, name):
    intent = classify(text, DEMOS)
    assert (intent.kind, intent.name) == (kind, name)


def test_commands_parse_name_args_and_options():
    intent = parse_command("/demo cnn --epochs 5 --lr=0.01 --fast")
    assert intent.name == "demo" and intent.args == ("cnn",)
    assert intent.options == {"epochs": "5", "lr": "0.01", "fast": "true"}


def test_a_command_with_an_unbalanced_quote_still_parses():
    assert parse_command('/save "my file.md').name == "save"


def test_longest_keyword_wins():
    assert demo_mentioned("polar coordinate change with deep layers", DEMOS) in ("coordinates",)
