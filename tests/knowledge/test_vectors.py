"""The vector cache: filled as vectors are made (a killed run goes on where it stopped), one embedder for
processes starting together, and vectors that aren't unit length never trusted."""
from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import numpy as np
import pytest

from knowledge import storage, vectors
from knowledge.embedder import HashEmbedder
from knowledge.vectors import Cache, cached_path, parts_dir, read, text_key, vectors_for, write

TEXTS = [f"passage number {i} about layer {i % 7} and gradient {i % 5}" for i in range(100)]


class Counting(HashEmbedder):
    """Counts what it embeds; can be told to stop (as Ctrl-C would) after some texts."""

    def __init__(self, stop_after: int | None = None, pause: float = 0.0, log: Path | None = None) -> None:
        super().__init__()
        self.embedded = 0
        self.stop_after, self.pause, self.log = stop_after, pause, log

    def embed_passages(self, texts, progress=None):
        if self.stop_after is not None and self.embedded >= self.stop_after:
            raise KeyboardInterrupt
        time.sleep(self.pause)
        self.embedded += len(texts)
        if self.log is not None:
            with open(self.log, "a") as f:
                f.write(f"{len(texts)}\n")
        return super().embed_passages(texts, progress)


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(vectors, "SAVE_EVERY", 10)


def test_a_killed_run_keeps_what_it_embedded_and_the_next_goes_on_from_there(small_parts):
    with pytest.raises(KeyboardInterrupt):
        vectors_for(TEXTS, Counting(stop_after=40))
    assert len(Cache("hash-embedder", 256).load().table) == 40
    again = Counting()
    out = vectors_for(TEXTS, again)
    assert again.embedded == 60 and np.allclose(np.linalg.norm(out, axis=1), 1.0)
    assert not list(parts_dir("hash-embedder").glob("*.npz")) and len(read(cached_path("hash-embedder"),
                                                                          "hash-embedder", 256)) == 100


def test_progress_counts_across_the_parts(small_parts):
    seen = []
    vectors_for(TEXTS[:35], Counting(), progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (35, 35) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_zero_vectors_in_a_well_formed_cache_are_embedded_again():
    emb = HashEmbedder()
    write(cached_path(emb.name), emb.name, {text_key(t): np.zeros(emb.dim, np.float32) for t in TEXTS}, emb.dim)
    notices: list[str] = []
    counting = Counting()
    out = vectors_for(TEXTS, counting, notice=notices.append)
    assert counting.embedded == 100 and np.allclose(np.linalg.norm(out, axis=1), 1.0)
    assert "100 cached search vector(s) were damaged" in notices[0]
    assert len(read(cached_path(emb.name), emb.name, emb.dim)) == 100  # rebuilt on disk too


class Zeros(HashEmbedder):
    def embed_passages(self, texts, progress=None):
        return np.zeros((len(texts), self.dim), np.float32)


def test_an_embedder_that_gives_zero_vectors_is_said_and_nothing_cached():
    notices: list[str] = []
    vectors_for(TEXTS[:5], Zeros(), notice=notices.append)
    assert "gave no direction for 5 text(s)" in notices[-1]
    assert read(cached_path("hash-embedder"), "hash-embedder", 256) == {}


def test_an_unwritable_cache_still_embeds_everything(small_parts, monkeypatch, tmp_path):
    (tmp_path / "file").write_text("x")
    monkeypatch.setattr(storage, "_places", storage.Places(tmp_path, tmp_path / "file" / "cache", tmp_path))
    notices: list[str] = []
    out = vectors_for(TEXTS, Counting(), notice=notices.append)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0) and "Couldn't cache" in notices[-1]


def _start_together(start, log: str, places) -> None:
    storage.use(places)
    start.wait()
    vectors_for(TEXTS, Counting(pause=0.05, log=Path(log)))


def test_processes_starting_together_embed_each_text_once(small_parts, tmp_path):
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(3)
    log = tmp_path / "embedded.log"
    procs = [ctx.Process(target=_start_together, args=(start, str(log), storage.places())) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert all(p.exitcode == 0 for p in procs)
    assert sum(int(n) for n in log.read_text().split()) == len(TEXTS)
