"""Every reply is whole — never a lead-in without its body, a list header with nothing under it, or a line
presupposing a history the conversation doesn't have — checked on every turn of the labelled conversations,
and on lines nobody would write."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.corpus import load_dialogs, whole_problems
from dialog.actions import StartDemo
from dialog.engine import Conversation

DIALOGS = load_dialogs()


def _run(kb, dialogs):
    from demos.core import Result
    from demos.driver import Outcome

    bad = []
    for d in dialogs:
        conv = Conversation(kb, can_run_demos=True, runs_beside=False, seed=0)
        for turn in d.turns:
            said = {k: list(v) for k, v in conv.state.said.items()}
            reply = conv.respond(turn.say)
            bad += [f"{d.id}: {turn.say!r}: {p}" for p in whole_problems(reply, said)]
            if isinstance(reply.action, StartDemo):
                conv.demo_started(reply.action.demo)
                conv.demo_ended(Outcome(reply.action.demo, "finished", result=Result({}, "Done.")))
    return bad


def test_the_corpus_has_conversations_from_several_writers():
    assert len({d.writer for d in DIALOGS}) >= 4 and sum(len(d.turns) for d in DIALOGS) >= 2500


def test_every_reply_to_the_corpus_is_whole_with_keyword_search(lexical_kb):
    bad = _run(lexical_kb, DIALOGS)
    assert not bad, f"{len(bad)} replies not whole, e.g. {bad[:5]}"


@pytest.mark.slow
def test_every_reply_to_a_sample_of_the_corpus_is_whole_with_the_model(real_kb):
    bad = _run(real_kb, DIALOGS[::10])  # every one of them with keyword search, above
    assert not bad, f"{len(bad)} replies not whole, e.g. {bad[:5]}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=0, max_size=300), min_size=1, max_size=4))
def test_any_lines_get_one_whole_reply_each_and_leave_the_state_sane(lexical_kb, lines):
    conv = Conversation(lexical_kb, can_run_demos=True, seed=0)
    for line in lines:
        said = {k: list(v) for k, v in conv.state.said.items()}
        reply = conv.respond(line)
        assert reply.text.strip() and reply.lang in ("en", "zh")
        assert not [p for p in whole_problems(reply, said) if "colon" in p or "lead-in" in p]
        state = conv.state
        assert state.topic is None or state.topic in lexical_kb.entries
        assert all(t in lexical_kb.entries for t in state.said)
