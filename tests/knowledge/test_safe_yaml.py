"""YAML is read as plain data, and what a text parses to is remembered in the cache, never trusted blindly."""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from knowledge import safe_yaml, storage


def memos():
    return sorted((storage.cache_dir() / "yaml").glob("*.json"))


def test_a_text_read_twice_is_parsed_once_and_gives_the_same_data(monkeypatch):
    text = "a: [1, 2.5, 'x']\nb: {c: null, d: true}\n"
    first = safe_yaml.load(text)
    assert len(memos()) == 1
    monkeypatch.setattr(safe_yaml, "_parse", lambda t: pytest.fail("parsed again"))
    assert safe_yaml.load(text) == first == {"a": [1, 2.5, "x"], "b": {"c": None, "d": True}}


def test_an_edited_text_is_parsed_anew():
    assert safe_yaml.load("a: 1\n") == {"a": 1}
    assert safe_yaml.load("a: 2\n") == {"a": 2}


@pytest.mark.parametrize("damage", ["{not json", '{"sha": "other", "data": 5}', "\udcff"])
def test_a_damaged_memo_is_parsed_again_and_rewritten(damage):
    safe_yaml.load("a: 1\n")
    (memo,) = memos()
    memo.write_text(damage, encoding="utf-8", errors="surrogateescape")
    assert safe_yaml.load("a: 1\n") == {"a": 1}
    assert safe_yaml.load("a: 1\n") == {"a": 1} and '"data": {"a": 1}' in memo.read_text(encoding="utf-8")


def test_data_json_cannot_hold_exactly_is_never_kept():
    assert safe_yaml.load("1: one\nwhen: 2024-01-02\n") == {1: "one", "when": datetime.date(2024, 1, 2)}
    assert safe_yaml.load("1: one\n") == {1: "one"}  # an integer key stays an integer
    assert memos() == []


def test_yaml_errors_still_reach_the_caller_and_tags_build_nothing():
    with pytest.raises(yaml.YAMLError):
        safe_yaml.load("a: [1, 2\n")
    with pytest.raises(yaml.YAMLError):
        safe_yaml.load("!!python/object/apply:os.system ['true']\n")


def test_an_unwritable_cache_costs_only_the_time(monkeypatch):
    monkeypatch.setattr(storage, "_places", storage.Places(storage.data_dir(), Path("/proc/msb-cache"),
                                                           storage.config_dir()))
    assert safe_yaml.load("a: 1\n") == {"a": 1}


def test_nothing_is_kept_before_the_program_says_where_its_cache_is(monkeypatch, tmp_path):
    monkeypatch.setattr(storage, "_places", None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert safe_yaml.load("a: 1\n") == {"a": 1}
    assert not any(tmp_path.rglob("*.json"))
