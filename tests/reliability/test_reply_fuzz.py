"""Any line at all gets one reply, on record, with nothing dangerous in it — whatever it holds."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings, strategies as st

from dialog.engine import Conversation
from dialog.session import Session
from dialog.transcript import Transcript

DANGER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LINES = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.text(alphabet="[]/*_`#<>{}$\\\x1b\x07\u202e 深度abc?？", max_size=80),
    st.sampled_from(["tell me more", "show me", "/demo cnn --epochs x", "用中文说", "who came up with it?"]),
    st.integers(min_value=2000, max_value=20000).map(lambda n: "深度 why? " * (n // 8)),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINES, min_size=1, max_size=3))
def test_every_line_of_any_conversation_gets_one_clean_reply(real_kb, tmp_path, lines):
    session = Session(Conversation(real_kb, can_run_demos=True), Transcript(tmp_path))
    for line in lines:
        reply = session.respond(line)
        assert reply.text.strip() and session.failure is None, (line, session.failure)
        assert not DANGER.search(reply.text.replace("\n", "").replace("\t", ""))
    turns = session.transcript.turns
    assert [t.role for t in turns] == ["user", "ms_b"] * len(lines)
    assert not any(DANGER.search(t.text.replace("\n", "").replace("\t", "")) for t in turns)
