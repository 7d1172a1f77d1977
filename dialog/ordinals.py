"""A place in a list Ms. B gave: "number 7", "the third one", "the last one", "第一个", "最后一项". Read against
the latest topic whose answer lists topics (an entry's `items`), it names one of them; the line is then
searched as if it had said that topic's name ("tell me more about number 7" → "… region-based CNNs")."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from knowledge.entries import Entry

_EN_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10, "last": -1, "final": -1}
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CARDINALS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
              "ten": 10}
_NOUN = r"(?:\s+(?:one|item|point|entry|breakthrough|advance)s?\b)"
_WORDS = "|".join(_EN_WORDS)
_EN = re.compile(
    rf"\b(?:number|no\.|item|point)\s*(?:(?P<num>\d{{1,2}})\b|(?P<card>{'|'.join(_CARDINALS)})\b)|#(?P<hash>\d{{1,2}})\b"
    rf"|\b(?:the\s+|that\s+|this\s+)?(?P<word>{_WORDS}){_NOUN}"
    rf"|\b(?:the|that|this)\s+(?P<word2>{_WORDS})(?=\s*(?:[?？.!,，。]|$))"
    rf"|^\W*(?:(?:and|ok|so|what about|how about)\s+)*(?P<word3>{_WORDS})\W*$"
    rf"|\b(?:the\s+)?(?P<nth>\d{{1,2}})(?:st|nd|rd|th){_NOUN}", re.I)
_ZH = re.compile(r"(?P<back>倒数)?第\s*(?P<zh>[一二两三四五六七八九十]{1,2}|\d{1,2})\s*(?:个|项|条|点|种|样)?"
                 r"(?!次|天|年|步|章|节|层|代)|(?P<last>最后(?:一个|一项|一条|那个|那项|这个|这项|一点))")


@dataclass(frozen=True)
class Ordinal:
    topic: str  # the entry id the place names
    span: tuple[int, int]  # where the line says it


def _zh_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    if len(s) == 2:  # 十一… 十九 never reach a list of ten; 二十 neither
        return _ZH_DIGITS.get(s[0], 0) * 10 if s[1] == "十" else 10 + _ZH_DIGITS.get(s[1], 0)
    return _ZH_DIGITS.get(s, 0)


def place(text: str) -> tuple[int, tuple[int, int]] | None:
    """The place the line names (1-based; counted from the end when negative: -1 the last) and where, or None."""
    m = _EN.search(text)
    if m:
        if m.group("num") or m.group("hash") or m.group("nth"):
            return int(m.group("num") or m.group("hash") or m.group("nth")), m.span()
        if m.group("card"):
            return _CARDINALS[m.group("card").lower()], m.span()
        word = m.group("word") or m.group("word2") or m.group("word3")
        span = m.span("word3") if m.group("word3") else m.span()
        return _EN_WORDS[word.lower()], span
    m = _ZH.search(text)
    if m:
        if m.group("last"):
            return -1, m.span()
        n = _zh_number(m.group("zh"))
        return (-n if m.group("back") else n), m.span()
    return None


def referent(text: str, thread: Sequence[str], entries: Mapping[str, Entry]) -> Ordinal | None:
    """The listed topic the line names by its place, in the latest topic of the thread that lists topics."""
    found = place(text)
    if found is None:
        return None
    number, span = found
    listing = next((entries[t] for t in thread if t in entries and entries[t].items), None)
    if listing is None or number == 0 or abs(number) > len(listing.items):
        return None
    return Ordinal(listing.items[number - 1 if number > 0 else number], span)


def resolved(text: str, ordinal: Ordinal, entries: Mapping[str, Entry], lang: str) -> str:
    """The line with the place replaced by the name of the topic it names."""
    title = entries[ordinal.topic].title.get(lang) or entries[ordinal.topic].title["en"]
    start, end = ordinal.span
    return f"{text[:start]}{title}{text[end:]}"


__all__ = ["Ordinal", "place", "referent", "resolved"]
