"""Knowledge entries: the shipped ones are complete; a broken one is reported with its file and line."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from knowledge.documents import DOCUMENTS_DIR, load_documents
from knowledge.entries import ENTRIES_DIR, EntryError, load_entries, parse_entry, validate_references

GOOD = """\
id: sample
title: {en: Sample, zh: 示例}
questions:
  en: [one?, two?, three?]
  zh: [一？, 二？, 三？]
answer: {en: An answer., zh: 一个回答。}
sources: [{document: conversation, section: "为什么是现在 · Why now"}]
related: []
facts:
  who: {en: Someone., zh: 某人。}
more: {en: More., zh: 更多。}
why: {en: Because., zh: 因为。}
example: {en: For example., zh: 比如。}
simpler: {en: Simply., zh: 简单说。}
"""


DEMO_IDS = {"coordinates", "cnn", "depth", "activations", "init", "dropout", "backprop", "resnet", "lstm", "gan",
            "distributed"}


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / f"{name}.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def sections():
    return {d.id: set(d.sections) for d in load_documents().values()}


def test_shipped_entries_load_and_validate():
    entries = load_entries()
    validate_references(entries, sections(), DEMO_IDS)
    assert len(entries) >= 45


def test_every_entry_has_three_questions_per_language_and_both_answers():
    for e in load_entries():
        assert len(e.questions["en"]) >= 3 and len(e.questions["zh"]) >= 3, e.id
        assert e.answer["en"] and e.answer["zh"] and e.title["en"] and e.title["zh"], e.id


def test_every_section_of_both_documents_is_cited_by_some_entry():
    cited = {(s.document, s.section) for e in load_entries() for s in e.sources}
    for doc in load_documents().values():
        missing = [s for s in doc.sections if (doc.id, s) not in cited]
        assert not missing, f"{doc.id}: sections cited by no entry: {missing}"


def test_a_valid_entry_parses(tmp_path):
    e = parse_entry(write(tmp_path, "sample", GOOD))
    assert e.id == "sample" and e.questions["zh"] == ("一？", "二？", "三？")


@pytest.mark.parametrize("broken, message, line", [
    (GOOD.replace("zh: 一个回答。", "fr: Une réponse."), "answer needs both 'en' and 'zh'", 6),
    (GOOD.replace("zh: [一？, 二？, 三？]", "zh: [一？]"), "questions.zh needs at least 3", 3),
    (GOOD.replace("id: sample\n", ""), "missing id", 1),
    (GOOD.replace("sources: [{document: conversation, section: \"为什么是现在 · Why now\"}]", "sources: []"),
     "sources must list", 7),
    (GOOD + "  bad: [unclosed\n", "not valid YAML", len(GOOD.splitlines()) + 1),
])
def test_a_broken_entry_names_file_line_and_problem(tmp_path, broken, message, line):
    path = write(tmp_path, "sample", broken)
    with pytest.raises(EntryError) as err:
        parse_entry(path)
    assert str(err.value).startswith(f"{path}:{line}:"), str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("为什么是现在 · Why now", "No such section"), "has no section 'No such section'"),
    (lambda t: t.replace("document: conversation", "document: nowhere"), "unknown document 'nowhere'"),
    (lambda t: t.replace("related: []", "related: [ghost]"), "related entry 'ghost' does not exist"),
    (lambda t: t + "demo: warp-drive\n", "demo 'warp-drive' does not exist"),
])
def test_cross_references_are_checked(tmp_path, edit, message):
    path = write(tmp_path, "sample", edit(GOOD))
    with pytest.raises(EntryError) as err:
        validate_references([parse_entry(path)], sections(), {"cnn"})
    assert message in str(err.value) and str(path) in str(err.value)


def test_duplicate_ids_are_rejected(tmp_path):
    a = parse_entry(write(tmp_path, "sample", GOOD))
    other = tmp_path / "other"
    other.mkdir()
    b = parse_entry(write(other, "sample", GOOD))
    with pytest.raises(EntryError, match="duplicate id 'sample'"):
        validate_references([a, b], sections(), set())


def test_yaml_is_loaded_safely_no_python_objects(tmp_path):
    path = write(tmp_path, "sample", GOOD.replace("id: sample", "id: !!python/object/apply:os.system ['echo hi']"))
    with pytest.raises(EntryError, match="not valid YAML"):
        parse_entry(path)


def test_knowledge_base_load_fails_with_the_file_of_a_broken_entry(tmp_path):
    from knowledge.base import KnowledgeBase

    entries = tmp_path / "entries"
    shutil.copytree(ENTRIES_DIR, entries)
    (entries / "dropout.yaml").write_text((entries / "dropout.yaml").read_text(encoding="utf-8")
                                          .replace("related:", "related: [no-such-entry]\nx:"), encoding="utf-8")
    with pytest.raises(EntryError, match=r"dropout\.yaml:\d+: .*no-such-entry"):
        KnowledgeBase.load(entries_dir=entries, documents_dir=DOCUMENTS_DIR, demo_ids=DEMO_IDS)


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("why: {en: Because., zh: 因为。}\n", ""), "why needs both 'en' and 'zh' text"),
    (lambda t: t.replace("simpler: {en: Simply., zh: 简单说。}", "simpler: {en: Simply.}"),
     "simpler needs both 'en' and 'zh' text"),
    (lambda t: t.replace("  who:", "  whom:"), "unknown fact 'whom'"),
    (lambda t: t.replace("  who: {en: Someone., zh: 某人。}", "  who: {en: Someone.}"), "facts.who needs both"),
])
def test_layers_and_facts_are_validated(tmp_path, edit, message):
    with pytest.raises(EntryError, match=message):
        parse_entry(write(tmp_path, "sample", edit(GOOD)))


def test_every_shipped_entry_has_every_layer_in_both_languages():
    for e in load_entries():
        assert set(e.layers) == {"more", "why", "example", "simpler"}, e.id
        assert all(e.layers[k]["en"] != e.answer["en"] for k in e.layers), e.id


def test_a_line_that_opens_with_emphasis_joins_its_paragraph_while_list_items_keep_their_lines():
    from knowledge.entries import load_entries, tidy

    assert tidy("Ask me for the\n**backprop** demo, or\n*this* one.\n\n- a\n* b\n1. c", "en") == \
        "Ask me for the **backprop** demo, or *this* one.\n\n- a\n* b\n1. c"
    assert tidy("我们来看\n**反向传播**演示\n- 一\n- 二", "zh") == "我们来看**反向传播**演示\n- 一\n- 二"
    for entry in load_entries():  # every reply: one line per paragraph, whatever wraps it
        for texts in (entry.answer, *entry.layers.values()):
            for lang, text in texts.items():
                assert not re.search(r"[^\n]\n\*", text), (entry.id, lang)  # emphasis mid-paragraph
