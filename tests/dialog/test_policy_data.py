"""The policy's fitted data is current: weights and labelled-question vectors fitted on the corpus as it is,
with the features as they are computed now (as the shipped vectors are held to the entries)."""
from __future__ import annotations

import pytest

from bench.corpus import corpus_key, load_dialogs
from bench.policy import MODELS, policy_key
from dialog import exemplars
from dialog.scorer import table, weights_for

STALE = "stale: run `python bench/policy.py --write` (it refits the weights and ships the labelled questions)"


def test_the_weights_were_fitted_on_the_corpus_and_features_as_they_are():
    assert table().get("key") == policy_key(), STALE


@pytest.mark.parametrize("model", [m for m in MODELS if m != "lexical"])
def test_the_labelled_questions_ship_for_each_model(model):
    shipped = exemplars.load(model, key=corpus_key())
    assert shipped is not None and len(shipped) > 1000, STALE


def test_every_model_and_an_unknown_one_have_weights_for_the_main_policies():
    for model in (*MODELS, "someone-elses-model"):
        w = weights_for(None if model == "lexical" else model)
        assert {"named", "decline", "layer:layer", "demo"} <= set(w), model
        # a topic's own paragraphs are ranked by meaning: with a model only
        assert ("in_topic" in w) == (model != "lexical"), model


def test_the_labelled_corpus_is_judged_by_writers_who_each_wrote_alone():
    writers = {d.writer for d in load_dialogs()}
    assert {"w1", "w2", "w3", "w4"} <= writers
