"""Ms. B's own words for everything that is not a knowledge entry: greetings, fallbacks, offers."""
from __future__ import annotations

import random

LINES: dict[str, dict[str, list[str]]] = {
    "greet": {
        "en": ["Hi! Good to see you here. Ask me anything about deep learning — what it really is, why it took off, "
               "the ideas behind it — and I'll show you, not just tell you."],
        "zh": ["嗨！很高兴见到你。关于深度学习，什么都可以问我：它到底是什么、为什么最近才火起来、背后有哪些关键思想。"
               "我不光讲给你听，还可以演示给你看。"],
    },
    "thanks": {
        "en": ["You're welcome! What else would you like to look at?"],
        "zh": ["不客气！还想看看什么？"],
    },
    "bye": {
        "en": ["It was a pleasure. Come back any time — and lock the door on your way out!"],
        "zh": ["很高兴和你聊天，随时回来。走的时候记得锁门！"],
    },
    "how_are_you": {
        "en": ["Fantastic, thanks! I didn't expect to see a skeptic like you at a deep learning conference. "
               "What would you like to know?"],
        "zh": ["棒极了，谢谢！没想到会在深度学习会议上见到你这样的怀疑者。想了解点什么？"],
    },
    "fallback": {
        "en": ["That's outside what I can tell you from these documents, and I'd rather not make things up. "
               "Here is what I can talk about:"],
        "zh": ["这超出了我能从这些文档里告诉你的范围，我不想凭空编造。我能聊的是这些："],
    },
    "empty": {
        "en": ["I'm listening — type a question, or /help to see what I can do."],
        "zh": ["我在听——输入一个问题，或者输入 /help 看看我能做什么。"],
    },
    "no_topic": {
        "en": ["We haven't picked a topic yet. Ask me something — say, what the \"deep\" in deep learning means."],
        "zh": ["我们还没开始聊具体话题呢。问我点什么吧，比如深度学习中的「深度」是什么意思。"],
    },
    "declined": {
        "en": ["No problem. What would you like to talk about instead?"],
        "zh": ["没问题。那你想聊点什么？"],
    },
    "nothing_offered": {
        "en": ["Happy to — but tell me what you'd like: a topic, or a demo (/demos lists them)."],
        "zh": ["好呀——不过你想看什么呢？可以问一个话题，或者看个演示（/demos 列出所有演示）。"],
    },
    "which_demo": {
        "en": ["Gladly — which one? Here are the demos I can run:"],
        "zh": ["好呀——看哪一个？我能现场运行这些演示："],
    },
    "welcome": {
        "en": ["You're welcome!"],
        "zh": ["不客气！"],
    },
    "again": {
        "en": ["We covered that a moment ago, so here's something new on it."],
        "zh": ["这个我们刚聊过，那我换个角度再补充一点。"],
    },
    "as_said": {
        "en": ["That's the part I told you about:"],
        "zh": ["就是我刚才说的这一点："],
    },
    "from_topic": {
        "en": ["Staying with what we were talking about:"],
        "zh": ["接着我们刚才聊的说："],
    },
}


def line(kind: str, lang: str, rng: random.Random | None = None) -> str:
    options = LINES[kind]["zh" if lang == "zh" else "en"]
    return (rng or random).choice(options)


