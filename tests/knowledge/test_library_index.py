"""The learner's passages in their own dense index: exact while small, IVF from ANN_FROM, kept in the cache and
rebuilt when it isn't whole — and a large library never crowds the knowledge's own entries out."""
from __future__ import annotations

import pytest

from knowledge import library_index
from knowledge.base import KnowledgeBase
from knowledge.documents import parse_document
from knowledge.embedder import HashEmbedder
from knowledge.storage import cache_dir, data_dir

TOPICS = ["volcano magma eruption", "glacier ice melting", "tide moon ocean", "desert dune sand", "coral reef fish"]


def library(n: int) -> dict:
    """One document of `n` passages, each about one of a few subjects, with a number of its own."""
    body = "\n\n".join(f"## Note {i}\n\nThe {TOPICS[i % len(TOPICS)]} field report number{i}." for i in range(n))
    path = data_dir() / "notes.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Notes\n\n{body}\n", encoding="utf-8")
    doc = parse_document("user:notes", path.read_text(encoding="utf-8"), path)
    return {doc.id: doc}


def loaded(n: int) -> KnowledgeBase:
    kb = KnowledgeBase.load(user_documents=library(n))
    kb.warm_up(HashEmbedder())
    return kb


@pytest.fixture
def small_ann(monkeypatch):
    monkeypatch.setattr(library_index, "ANN_FROM", 40)


def test_a_small_library_is_searched_exactly_and_nothing_is_written():
    kb = loaded(30)
    hit = kb.search("glacier ice melting report", "en", k=3)[0]
    assert hit.passage is not None and "glacier" in hit.passage.text
    assert not list(cache_dir().glob("library-*.faiss"))


def test_from_the_threshold_the_library_index_is_approximate_kept_and_read_back(small_ann):
    kb = loaded(400)
    assert kb.library is not None and kb.library.kind == "ivf"
    files = list(cache_dir().glob("library-*.faiss"))
    assert len(files) == 1
    hit = kb.search("coral reef fish report", "en", k=3)[0]
    assert hit.passage is not None and "coral" in hit.passage.text
    again = loaded(400)
    assert list(cache_dir().glob("library-*.faiss")) == files  # read back, not built again
    assert again.search("coral reef fish report", "en", k=3)[0].owner == hit.owner


@pytest.mark.parametrize("damage", ["garbage", "truncated", "another library"])
def test_a_damaged_or_partial_library_index_is_rebuilt_never_trusted(small_ann, damage):
    loaded(400)
    path = next(cache_dir().glob("library-*.faiss"))
    if damage == "garbage":
        path.write_bytes(b"IwFl" + b"\x00" * 4000)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:5000])
    else:  # an index of another library under this one's name: fewer rows than passages
        other = library_index.ivf(HashEmbedder().embed_passages([f"x {i}" for i in range(300)]))
        import faiss

        faiss.write_index(other, str(path))
    kb = loaded(400)
    hit = kb.search("desert dune sand report", "en", k=3)[0]
    assert hit.passage is not None and "desert" in hit.passage.text
    assert library_index.read(path, len(kb.library), HashEmbedder().dim) is not None  # whole again


def test_a_large_library_never_crowds_the_entries_out(small_ann):
    alone, beside = loaded(0), loaded(600)
    assert len(beside.library) == 600
    for question in ("what does deep mean", "what is dropout", "who invented GANs", "深度学习为什么最近才火"):
        lang = "zh" if question[0] > "~" else "en"
        entries = [h.owner for h in beside.search(question, lang, k=10) if h.entry is not None]
        assert entries[:3] == [h.owner for h in alone.search(question, lang, k=3)], question
