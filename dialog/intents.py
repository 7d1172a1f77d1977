"""What a line of user text is: a command, a demo request, a follow-up, small talk or a question."""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Literal

from demos.core import Demo

IntentKind = Literal["empty", "command", "demo", "followup", "yes", "no", "next", "smalltalk", "question"]


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    name: str = ""  # command name, demo id, follow-up kind ("more" | "why" | "example"), small-talk kind
    args: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)


# Verbs that turn a topic into a request to run something. "Draw a line…" is a question about the
# puzzle, not a request: drawing is what the user is asked to do.
_REQUEST_EN = re.compile(
    r"\b(show me|show us|show it|can you show|demo|demonstrate|demonstration|visuali[sz]e|let me see|animate)\b", re.I)
_REQUEST_ZH = re.compile(r"(演示|展示|示范|跑一下|跑一个|跑个|演一下|动手|实际操作)")
# Verbs that ask for a run only when the sentence is not a question: "train a tiny CNN" is a request,
# "分布式训练是什么" and "how do you train a deep network?" are questions about training.
_WEAK_REQUEST = re.compile(r"\b(run|train|watch|play|let's see)\b|训练|运行|看看|看一下", re.I)
_QUESTION = re.compile(r"[?？]|\b(what|why|how|when|who|which|is|are|does|do|did)\b|什么|为什么|为何|怎么|如何|吗|呢|啥", re.I)
_POLITE = re.compile(r"^(can you|could you|would you|will you|please|let's|let us|能不能|能否|可以|请|帮我|给我|来)", re.I)


def _asks_for_a_run(t: str) -> bool:
    if _REQUEST_EN.search(t) or _REQUEST_ZH.search(t):
        return True
    return bool(_WEAK_REQUEST.search(t)) and (_POLITE.match(t) is not None or not _QUESTION.search(t))


_FOLLOWUPS = {
    "more": re.compile(r"^(tell me more|more|go on|continue|and\??|keep going|more please|say more|elaborate|"
                       r"继续|接着说|再说说|多说一点|还有呢|然后呢|详细说说|展开讲讲|更多)\W*$", re.I),
    "why": re.compile(r"^(why|why\?|how so|why is that|really|为什么|为啥|怎么说|真的吗|凭什么)\W*$", re.I),
    "example": re.compile(r"^(an? example|example|for example|e\.g\.|show an example|give me an example|"
                          r"例子|举个例子|举例|比如说?|有例子吗)\W*$", re.I),
    "source": re.compile(r"^(source|sources|where does it say( that)?|citation|出处|来源|原文)\W*$", re.I),
}
_YES = re.compile(r"^(y|yes|yeah|yep|sure|ok|okay|please|go|go ahead|do it|let's do it|why not|of course|"
                  r"好|好的|好啊|好呀|行|可以|嗯|是的|来吧|开始|当然)\W*$", re.I)
_NO = re.compile(r"^(n|no|nope|not now|later|no thanks|不|不用|不要|算了|不了|以后再说)\W*$", re.I)
_NEXT = re.compile(r"^(next|next step|go on|continue|then\??|ok next|下一步|下一个|继续|接下来|然后呢)\W*$", re.I)
_SMALLTALK = {
    "greet": re.compile(r"^(hi|hello|hey|good (morning|afternoon|evening)|hiya|howdy|你好|您好|嗨|哈喽|早上好|晚上好)\W*"
                        r"(ms\.? ?b|b女士|b 女士)?\W*$", re.I),
    "thanks": re.compile(r"^(thanks|thank you|thx|cheers|great,? thanks|谢谢|多谢|感谢|谢了)\W*.*$", re.I),
    "bye": re.compile(r"^(bye|goodbye|see you|see ya|later|再见|拜拜|回头见)\W*$", re.I),
    "how_are_you": re.compile(r"^(how are you|how's it going|how are you doing|你好吗|最近怎么样)\W*$", re.I),
}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def demo_mentioned(text: str, demos: list[Demo]) -> str | None:
    """The demo whose keywords the text names, preferring the longest keyword match."""
    # "deep learning" names the field, not the depth demo; strip field names before matching keywords.
    low = re.sub(r"deep[- ]learning|machine learning|深度学习|机器学习", " ", text.lower())
    best, best_len = None, 0
    for d in demos:
        for kw in (*d.keywords.get("en", ()), *d.keywords.get("zh", ()), d.id):
            k = kw.lower()
            if not k:
                continue
            found = (re.search(rf"(?<![a-z]){re.escape(k)}(?![a-z])", low) if k.isascii() else k in low)
            if found and len(k) > best_len:
                best, best_len = d.id, len(k)
    return best


def parse_command(text: str) -> Intent:
    body = text.strip()[1:]
    try:
        parts = shlex.split(body)
    except ValueError:  # an unbalanced quote: fall back to plain splitting
        parts = body.split()
    if not parts:
        return Intent("command", "help")
    name, rest = parts[0].lower(), parts[1:]
    args: list[str] = []
    options: dict[str, str] = {}
    i = 0
    while i < len(rest):
        tok = rest[i]
        if tok.startswith("--") and len(tok) > 2:
            key, eq, val = tok[2:].partition("=")
            if not eq:
                if i + 1 < len(rest) and not rest[i + 1].startswith("--"):
                    val = rest[i + 1]
                    i += 1
                else:
                    val = "true"
            options[key] = val
        else:
            args.append(tok)
        i += 1
    return Intent("command", name, tuple(args), options)


def classify(text: str, demos: list[Demo]) -> Intent:
    t = _norm(text)
    if not t:
        return Intent("empty")
    if t.startswith("/"):
        return parse_command(text)
    for name, rx in _FOLLOWUPS.items():
        if rx.match(t):
            return Intent("followup", name)
    if _YES.match(t):
        return Intent("yes")
    if _NO.match(t):
        return Intent("no")
    if _NEXT.match(t):
        return Intent("next")
    for name, rx in _SMALLTALK.items():
        if rx.match(t):
            return Intent("smalltalk", name)
    if _asks_for_a_run(t):
        demo = demo_mentioned(t, demos)
        if demo:
            return Intent("demo", demo)
    return Intent("question")
