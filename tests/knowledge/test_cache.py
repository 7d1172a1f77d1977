"""The index cache is keyed, checked, and rebuilt with a notice when stale or damaged."""
from __future__ import annotations

import json

import pytest

from knowledge.base import KnowledgeBase
from knowledge.storage import cache_dir
from knowledge.embedder import HashEmbedder


def load(notices):
    return KnowledgeBase.load(notice=notices.append)


def test_a_second_load_uses_the_cache_silently():
    notices = []
    load(notices)
    assert (cache_dir() / "lexical.json").exists()
    load(notices)
    assert notices == []


def test_a_corrupt_lexical_cache_is_rebuilt_with_a_notice():
    notices = []
    load(notices)
    (cache_dir() / "lexical.json").write_text("{not json", encoding="utf-8")
    kb = load(notices)
    assert len(notices) == 1 and "rebuilt" in notices[0]
    assert kb.search("what does deep mean", "en")[0].entry.id == "what-deep-means"
    json.loads((cache_dir() / "lexical.json").read_text(encoding="utf-8"))  # healthy again


def test_a_cache_with_the_wrong_shape_is_not_trusted():
    notices = []
    load(notices)
    path = cache_dir() / "lexical.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["payload"]["en"] = 3  # vouches for another number of units than the knowledge has
    path.write_text(json.dumps(data), encoding="utf-8")
    load(notices)
    assert notices and "rebuilt" in notices[0]


@pytest.mark.parametrize("damage", ["truncated", "garbage", "missing", "spelling", "vocab", "ids", "method"])
def test_a_damaged_or_partial_lexical_index_is_rebuilt_never_trusted(damage):
    notices = []
    load(notices)
    folder = next(cache_dir().glob("lexical-*")) / "en"
    target = folder / ("spelling.npz" if damage == "spelling" else "indices.csc.index.npy")
    if damage in ("vocab", "ids"):  # not JSON; ids past the index's words
        (folder / "vocab.index.json").write_text("[1, 2" if damage == "vocab" else '{"deep": 99999}')
    elif damage == "method":  # a method whose scores need an array this reader doesn't apply
        params = json.loads((folder / "params.index.json").read_text())
        (folder / "params.index.json").write_text(json.dumps({**params, "method": "bm25+"}))
    elif damage == "missing":
        target.unlink()
    elif damage == "garbage" or damage == "spelling":
        target.write_bytes(b"\x93NUMPY not really" * 40)
    else:
        target.write_bytes(target.read_bytes()[: len(target.read_bytes()) // 2])
    kb = load(notices)
    assert len(notices) == 1 and "rebuilt" in notices[0]
    assert kb.search("what does deep mean", "en")[0].entry.id == "what-deep-means"
    assert kb.words("whats the pont of dropuot", "en")[-1] == "dropout"
    assert load(notices) and len(notices) == 1  # healthy again


def test_a_corrupt_vector_cache_is_rebuilt_not_trusted():
    notices = []
    kb = load(notices)
    kb.warm_up(embedder=HashEmbedder(), notice=notices.append)  # no shipped vectors: all computed, cached
    vector_file = next(cache_dir().glob("vectors-*.npz"))
    vector_file.write_bytes(b"garbage")
    kb2 = load(notices)
    kb2.warm_up(embedder=HashEmbedder(), notice=notices.append)
    assert kb2.dense_ready and kb2.search("dropout", "en")[0].entry.id == "dropout"
    from knowledge.vectors import read

    assert len(read(vector_file, HashEmbedder.name, HashEmbedder().dim)) == len(set(kb2.dense_texts()))


def test_only_texts_without_a_vector_are_embedded(monkeypatch):
    calls = []
    emb = HashEmbedder()
    original = emb.embed_passages
    monkeypatch.setattr(emb, "embed_passages", lambda texts, progress=None: calls.append(len(texts)) or
                        original(texts, progress))
    load([]).warm_up(embedder=emb)
    first = sum(calls)
    load([]).warm_up(embedder=emb)
    assert first == sum(calls) == len(set(load([]).dense_texts()))  # the second start found every vector cached


def test_changing_the_knowledge_files_changes_the_key(tmp_path):
    from knowledge.storage import content_key

    a = tmp_path / "a.yaml"
    a.write_text("one", encoding="utf-8")
    k1 = content_key([a])
    a.write_text("two", encoding="utf-8")
    assert content_key([a]) != k1


def test_the_saved_index_scores_as_bm25s_itself_does(tmp_path):
    """The index is read back without bm25s (its import pulls asyncio and progress bars into every start):
    the scores must be bm25s' own, word for word."""
    import bm25s
    import numpy as np

    from knowledge.lexical import LexicalIndex

    corpus = [["deep", "layers", "representation"], ["dropout", "overfitting", "deep"], ["gan", "deep", "deep"],
              ["tensor"], ["深度", "学习"]]
    built = LexicalIndex.build(corpus, [f"entry:{i}" for i in range(len(corpus))])
    built.save(tmp_path / "ix")
    mine = LexicalIndex.load(tmp_path / "ix", [f"entry:{i}" for i in range(len(corpus))])
    theirs = bm25s.BM25.load(str(tmp_path / "ix"), mmap=True)
    for query in (["deep"], ["deep", "deep", "dropout"], ["深度", "tensor", "unknown"], ["nothing"]):
        assert np.array_equal(mine.scores(query), np.asarray(theirs.get_scores(query), np.float32)), query
