"""Whatever the user types, Ms. B replies once, clearly, without a traceback."""
from __future__ import annotations

import pytest

from dialog.engine import MAX_INPUT, Conversation
from dialog.session import Session
from dialog.transcript import Transcript

NASTY = [
    "", "   ", "\t\n", "x" * 100_000, "what does deep mean " * 5000, "\x1b[2J\x1b[31mred\x1b[0m", "\x00\x01\x02\x7f",
    "[red]hi[/red]", "[bold]what is dropout[/bold]", "<script>alert(1)</script>", "{{7*7}} ${HOME} $(rm -rf /)",
    "😀🤖🧠 deep learning?", "ما هو التعلم العميق؟", "שלום", "/", "/nonsense", "/demo", "/demo cnn --epochs lots",
    "/demo cnn --epochs 99999", "/demo cnn --bogus 1", "/lang fr", "/save", "/tour stop", "???", "'; DROP TABLE x; --",
    "\u202eevil\u202c", "ﬁ ligature", "深" * 50_000,
]


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_any_input_gets_exactly_one_clear_reply(real_kb, text, tmp_path):
    session = Session(Conversation(real_kb, can_run_demos=True), Transcript(tmp_path))
    r = session.respond(text)
    assert r.kind in ("answer", "fallback", "demo", "smalltalk", "command", "error")
    assert r.text.strip()
    assert "Traceback" not in r.text and session.failure is None
    assert [t.role for t in session.transcript.turns] == ["user", "ms_b"]
    assert len(Conversation(real_kb).respond(text).text) < 2 * MAX_INPUT + 4000


def test_control_characters_never_reach_the_reply_or_the_transcript(real_kb, tmp_path):
    session = Session(Conversation(real_kb), Transcript(tmp_path))
    r = session.respond("\x1b[2Jhello\x07")
    said = session.transcript.turns[0].text
    assert "\x1b" not in said and "\x07" not in said and "\x1b" not in r.text


def test_bad_demo_option_names_the_option_and_its_range(real_kb):
    r = Conversation(real_kb).respond("/demo cnn --epochs 99999")
    assert r.kind == "error" and "--epochs" in r.text and "between" in r.text


def test_unknown_command_lists_the_known_ones(real_kb):
    r = Conversation(real_kb).respond("/nonsense")
    assert r.kind == "error" and "/help" in r.text
