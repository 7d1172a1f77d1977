"""Nothing a terminal would obey gets through: escape sequences, C0/C1 controls, bidi overrides."""
from __future__ import annotations

import json
import re

from hypothesis import given, settings, strategies as st

from knowledge.safe_text import clean, clean_line, json_safe

DANGER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def test_screen_title_and_clipboard_sequences_are_removed_whole():
    text = "a\x1b[2Jb\x1b]0;title\x07c\x1b]52;c;aGVsbG8=\x07d\x9b31me\u202ef\x1bPq#0\x1b\\g"
    assert clean(text) == "abcdefg"


def test_newlines_and_tabs_stay_in_text_and_go_in_a_line():
    assert clean("one\r\ntwo\tthree") == "one\ntwo\tthree"
    assert clean_line("one\ntwo\tthree") == "one two three"


def test_json_escapes_what_json_itself_passes_raw():
    out = json_safe(json.dumps({"x": "\x9b\u202e\x7f ok 中文"}, ensure_ascii=False))
    assert not DANGER.search(out) and json.loads(out)["x"] == "\x9b\u202e\x7f ok 中文"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_clean_leaves_nothing_dangerous_and_is_stable(text):
    once = clean(text)
    assert not DANGER.search(once.replace("\n", "").replace("\t", ""))
    assert clean(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=100))
def test_json_safe_round_trips_any_text(text):
    out = json_safe(json.dumps({"t": text}, ensure_ascii=False))
    assert not DANGER.search(out) and json.loads(out)["t"] == text
