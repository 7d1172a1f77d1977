"""Which language a piece of text is in: the reply follows the question."""
from __future__ import annotations

import re

LANGS = ("en", "zh")

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# The words a sentence is built with, as opposed to the terms it talks about: "what does 深度 mean here?" is an
# English sentence about a Chinese word, "CNN 是谁提出的？" a Chinese one about an English term.
_EN_FRAME = frozenset("""
what whats what's does do did is are was were the a an how why who whom whose which when where can could would
should will you your me my i it its it's this that these those of in on to for with about mean means meaning
tell explain please and or but so here there say said give show from by as be been than then if not no yes any
some more much very just also really isn't doesn't don't there's let's let us we our they their them he she his
her him am""".split())
_ZH_FRAME = re.compile(r"[的是吗呢么吧啊呀了在和与这那哪谁啥咋怎为么个有没能会要说讲请给用把被让从到里对就都也还很太更再]"
                       r"|什么|怎么|为什么|一下")


def detect_lang(text: str, default: str = "en") -> str:
    """'zh' when the sentence is built in Chinese, 'en' when in English; `default` when there are no letters.

    A line mixing both is decided by its frame — the function words holding it together — so a term from the
    other language doesn't flip it. Without a clear frame, Chinese characters are weighed against Latin letters
    at a quarter each (an English word spends ~4 letters where Chinese spends one character).
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk == 0 and latin == 0:
        return default
    if cjk and latin:
        en = sum(1 for w in _EN_WORD.findall(text.lower()) if w in _EN_FRAME)
        zh = len(_ZH_FRAME.findall(text))
        if en >= 2 and zh == 0:
            return "en"
        if zh >= 1 and en == 0:
            return "zh"
    return "zh" if cjk >= 0.3 * (cjk + latin / 4) else "en"


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def pick(lang: str, en: str, zh: str) -> str:
    """The text in the reader's language: the one bilingual helper every layer above uses."""
    return zh if lang == "zh" else en
