"""Which language a piece of text is in: the reply follows the question."""
from __future__ import annotations

import re

LANGS = ("en", "zh")

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_lang(text: str, default: str = "en") -> str:
    """'zh' when Chinese characters carry the message, else 'en'.

    Latin letters are counted at a quarter weight because an English word spends ~4
    letters where Chinese spends one character: "讲讲 Dropout" is Chinese.
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk == 0 and latin == 0:
        return default
    return "zh" if cjk >= 0.3 * (cjk + latin / 4) else "en"


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def pick(lang: str, en: str, zh: str) -> str:
    """The text in the reader's language: the one bilingual helper every layer above uses."""
    return zh if lang == "zh" else en
