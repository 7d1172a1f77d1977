"""The cleaned source documents: citable sections, and none of the clutter of the originals."""
from __future__ import annotations

import re

from knowledge.documents import load_documents, parse_document, section_label


def test_both_documents_are_present_with_titles_and_sections():
    docs = load_documents()
    assert set(docs) == {"conversation", "weird-introduction"}
    assert docs["conversation"].title == "关于深度学习的对话"
    assert len(docs["conversation"].sections) >= 10 and len(docs["weird-introduction"].sections) >= 20


def test_cleaning_removed_images_tracking_and_recruiting_but_kept_attribution():
    for doc in load_documents().values():
        text = doc.path.read_text(encoding="utf-8")
        assert "![" not in text, doc.id
        assert not re.search(r"[?&](utm_|source=collection|chksm=|__biz=)", text), doc.id
        assert "hr@jiqizhixin.com" not in text and "加入机器之心" not in text
        assert "Favio" in text


def test_every_passage_sits_under_a_heading_and_is_reasonably_short():
    for doc in load_documents().values():
        for p in doc.passages:
            assert p.text.strip()
            assert len(p.text) < 1200, (p.id, len(p.text))


def test_bilingual_headings_give_the_label_in_the_readers_language():
    assert section_label("为什么是现在 · Why now", "en") == "Why now"
    assert section_label("为什么是现在 · Why now", "zh") == "为什么是现在"
    assert section_label("Plain", "zh") == "Plain"


def test_a_document_without_headings_is_one_untitled_section(tmp_path):
    doc = parse_document("user:x", "just a paragraph\n\nand another", tmp_path / "x.md")
    assert doc.sections == () and [p.section for p in doc.passages] == [""]
