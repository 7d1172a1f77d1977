"""Markdown for Ms. B's words, on every front end: Textual's "gfm-like" parser, with emphasis that works in Chinese.

CommonMark decides whether `**` may open or close emphasis from the characters around it,
and counts a letter outside the run followed by punctuation inside it as "not flanking".
Chinese puts no spaces around words, so `深度学习中的**「深度」**是…` stayed literal
asterisks. Here a CJK character outside the run counts like a space (what the
"CJK-friendly" amendment to CommonMark proposes); text without CJK parses exactly as before.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline.state_inline import Scanned, StateInline

# Ideographs, kana, hangul, CJK and fullwidth punctuation.
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


def _is_cjk(ch: str) -> bool:
    return bool(_CJK.match(ch))


class _CjkStateInline(StateInline):
    def scanDelims(self, start: int, canSplitWord: bool) -> Scanned:  # noqa: N802 — markdown-it's name
        pos, maximum = start, self.posMax
        marker = self.src[start]
        last = self.src[start - 1] if start > 0 else " "
        while pos < maximum and self.src[pos] == marker:
            pos += 1
        nxt = self.src[pos] if pos < maximum else " "
        last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
        next_punct = isMdAsciiPunct(ord(nxt)) or isPunctChar(nxt)
        last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(nxt))
        # Only the side outside the run is relaxed: "**深度**" must still open before 深.
        left = not (next_space or (next_punct and not (last_space or last_punct or _is_cjk(last))))
        right = not (last_space or (last_punct and not (next_space or next_punct or _is_cjk(nxt))))
        can_open = left and (canSplitWord or not right or last_punct)
        can_close = right and (canSplitWord or not left or next_punct)
        return Scanned(can_open, can_close, pos - start)


class _CjkParserInline(ParserInline):
    def parse(self, src, md, env, tokens):
        state = _CjkStateInline(src, md, env, tokens)
        self.tokenize(state)
        for rule in self.ruler2.getRules(""):
            rule(state)
        return state.tokens


def parser(html: bool = True, linkify: bool = True) -> MarkdownIt:
    """The one parser for Ms. B's Markdown: Textual's Markdown widget (its `parser_factory`), Rich on a terminal,
    plain text down a pipe. `html=False` keeps raw HTML as the text it is; `linkify=False` leaves bare
    addresses as text (where nothing can be clicked, and linkify-it's patterns cost ~10 ms to compile)."""
    md = MarkdownIt("gfm-like", {"html": html, "linkify": linkify})
    inline = _CjkParserInline()
    inline.ruler, inline.ruler2 = md.inline.ruler, md.inline.ruler2  # keep the preset's rules
    md.inline = inline
    return md
