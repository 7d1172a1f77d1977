"""Traditional Chinese, read and written with OpenCC: a question in Traditional characters is searched in
Simplified (the knowledge is written in Simplified) and answered in Traditional. Where OpenCC is missing or
fails, nothing is converted — the answer comes in Simplified, never not at all."""
from __future__ import annotations

import re
import threading
from functools import lru_cache

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_lock = threading.Lock()


@lru_cache(maxsize=2)
def _converter(config: str):
    try:
        import opencc

        return opencc.OpenCC(config)
    except Exception:  # noqa: BLE001 — no OpenCC for this platform, or a broken install: convert nothing
        return None


def _convert(text: str, config: str) -> str:
    conv = _converter(config)
    if conv is None or not text:
        return text
    try:
        with _lock:  # the C++ converter is not documented as thread-safe
            return conv.convert(text)
    except Exception:  # noqa: BLE001
        return text


def is_traditional(text: str) -> bool:
    """Written in Traditional characters: enough of its Chinese characters change when simplified."""
    cjk = _CJK.findall(text)
    if not cjk:
        return False
    simplified = _convert(text, "t2s")
    changed = sum(1 for a, b in zip(text, simplified) if a != b)
    return changed >= max(1, round(0.1 * len(cjk)))


def to_simplified(text: str) -> str:
    # Taiwan phrasing too (網路 → 网络, 程式 → 程序, 資料 → 数据): the knowledge says it the mainland way
    return _convert(text, "tw2sp")


def to_traditional(text: str) -> str:
    return _convert(text, "s2t")
