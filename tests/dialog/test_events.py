"""State as events: the one place the conversation changes, kept in the transcript, replayed on resume."""
from __future__ import annotations

import json

from dialog import events as ev
from dialog.reply import Source
from dialog.state import ConversationState

ALL = [ev.TopicEntered("dropout"), ev.PartSaid("dropout", "answer"), ev.PartSaid("gan", "answer", sure=False),
       ev.Spoke("dropout", "why"), ev.DemoOffered("dropout"), ev.QuizOffered("dropout"), ev.OffersWithdrawn(),
       ev.DemoStarted("cnn"), ev.DemoEnded("cnn", "finished"), ev.LanguagePreferred("zh", "en"),
       ev.LanguagePinned(None), ev.Replied("zh", (Source("conversation", "开场", "嗨！", "A conversation"),)),
       ev.QuizAsked("dropout-1", ("dropout-2",), "zh"), ev.QuizAnswered("dropout-1", "right"), ev.QuizEnded(),
       ev.TopicChecked("gan"), ev.TourAt(3), ev.TourAt(None)]


def test_every_event_survives_a_round_trip_through_json():
    for event in ALL:
        assert ev.from_json(json.loads(json.dumps(ev.to_json(event)))) == event


def test_a_damaged_or_unknown_event_is_skipped_not_fatal():
    for junk in (None, "x", {}, {"event": "Nope"}, {"event": "TopicEntered"}, {"event": "TopicEntered", "topic": {}},
                 {"event": "QuizAsked", "check": "c", "remaining": 3, "lang": "en"}):
        assert ev.from_json(junk) is None


def test_entering_a_topic_keeps_the_one_before_and_withdraws_its_offers():
    state = ConversationState()
    state.apply([ev.TopicEntered("dropout"), ev.DemoOffered("dropout"), ev.TopicEntered("gan")])
    assert state.topic == "gan" and state.recent == ["dropout"] and state.offered_demo is None


def test_the_latest_offer_is_the_one_a_yes_accepts():
    state = ConversationState()
    state.apply([ev.DemoOffered("dropout"), ev.QuizOffered("dropout")])
    assert state.offered_quiz == "dropout" and state.offered_demo is None


def test_a_topic_reached_by_a_guess_is_not_a_topic_learned_until_answered_surely():
    state = ConversationState()
    state.apply([ev.PartSaid("gan", "answer", sure=False)])
    assert "gan" in state.unsure
    state.apply([ev.PartSaid("gan", "answer")])
    assert "gan" not in state.unsure


def test_replaying_the_events_rebuilds_the_same_state():
    a, b = ConversationState(), ConversationState()
    a.apply(ALL)
    b.apply(ev.from_json(json.loads(json.dumps(ev.to_json(e)))) for e in ALL)
    assert a == b
