"""Adding the user's documents to the library as one transaction: each file staged, its vectors made (and
cached as they are made), then committed — so what a search finds is always a whole document with its
vectors, a killed add leaves nothing half-added, and the next add goes on from the vectors already made.

    added = add(["notes.md", "papers/"], embedder, progress=bar)   # knowledge.user_docs.Added
"""
from __future__ import annotations

from typing import Callable, Iterable

from knowledge import storage
from knowledge.documents import Document
from knowledge.embedder import Embedder, Progress
from knowledge.user_docs import Added, commit, lock_name, recover, stage
from knowledge.vectors import vectors_for

ADD_WAIT = 600.0  # seconds an add waits for another add of the same library before going on beside it


def add(paths: list[str], embedder: Embedder, *, progress: Progress | None = None,
        notice: Callable[[str], None] | None = None) -> Added:
    """Add each Markdown file named (or inside a folder named). Files that can't be added are in `skipped`
    with the reason. Interrupted (Ctrl-C), nothing is added and the vectors made so far are kept."""
    with storage.build_lock(lock_name(), wait=ADD_WAIT) as held:
        if held:
            recover()
        staged, skipped = stage(paths)
        texts = dense_texts(s.doc for s in staged)
        if texts:
            embedder.warm_up()
            vectors_for(texts, embedder, progress=progress, notice=notice)
        added = commit(staged)
        added.skipped = skipped
        return added


def dense_texts(docs: Iterable[Document]) -> list[str]:
    """What search embeds of these documents: the same units the knowledge base builds from them."""
    from knowledge.base import _units  # the knowledge base decides what a unit is; only its texts are needed

    return [u.dense_text for u in _units([], {d.id: d for d in docs}) if u.dense]
