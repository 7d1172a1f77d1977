"""Adding the user's documents to the library as one transaction: each file staged, its vectors made (and
cached as they are made), then committed — so what a search finds is always a whole document with its
vectors, a killed add leaves nothing half-added, and the next add goes on from the vectors already made.

    added = add(["notes.md", "papers/"], embedder, progress=bar)   # knowledge.user_docs.Added
    shelf = documents()                                              # what is there: [Shelved]
    gone = remove("notes")                                           # by its name, file or source

Removing takes the same lock as adding, so a document is never removed from under an add.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from knowledge import storage
from knowledge.documents import Document
from knowledge.embedder import Embedder, Progress
from knowledge.errors import KnowledgeError
from knowledge.user_docs import (MANIFEST, Added, _manifest, commit, load_user_documents, lock_name, recover,
                                 stage, user_docs_dir)
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


@dataclass(frozen=True)
class Shelved:
    """One of the user's documents as the library holds it."""

    name: str  # the copy's file name in the library: "notes.md" (or "notes-2.md" beside another notes.md)
    title: str  # its first heading, else its name
    source: str  # the file it was added from ("" when not known)
    added: datetime  # when its copy was last written (added or updated)
    passages: int


def documents(notice: Callable[[str], None] | None = None) -> list[Shelved]:
    """The user's documents, by name."""
    manifest = _manifest(user_docs_dir())
    out = []
    for doc in load_user_documents(notice).values():
        try:
            when = datetime.fromtimestamp(doc.path.stat().st_mtime)
        except OSError:  # removed meanwhile
            continue
        out.append(Shelved(doc.path.name, doc.title, storage.shown(manifest.get(doc.path.name, "")), when,
                           len(doc.passages)))
    return sorted(out, key=lambda d: d.name.lower())


def find(name: str, shelf: list[Shelved]) -> Shelved:
    """A document by its name in the library ("notes" or "notes.md"), else by the file it came from (its
    path or its name, when only one document came from a file of that name)."""
    wanted = name.strip()
    for doc in shelf:
        if wanted in (doc.name, Path(doc.name).stem):
            return doc
    by_source = [d for d in shelf if d.source and (wanted == d.source or wanted == Path(d.source).name
                                                   or os.path.abspath(os.path.expanduser(wanted)) == d.source)]
    if len(by_source) == 1:
        return by_source[0]
    if by_source:
        raise KnowledgeError(f"{wanted!r} names {len(by_source)} documents: "
                             + ", ".join(d.name for d in by_source) + "; give the one to remove")
    if not shelf:
        raise KnowledgeError("you have added no documents yet (msb index add FILE.md adds one)")
    raise KnowledgeError(f"no document {wanted!r} among yours: " + ", ".join(d.name for d in shelf))


def remove(name: str, notice: Callable[[str], None] | None = None) -> Shelved:
    """Take a document out of the library: its entry in the manifest first, then its copy (a kill between
    the two leaves a copy the next add of the same file takes back). Its cached vectors stay, harmless:
    they are found by their text, should the same text be added again."""
    with storage.build_lock(lock_name(), wait=ADD_WAIT) as held:
        if held:
            recover()
        doc = find(name, documents(notice))
        folder = user_docs_dir()
        manifest = _manifest(folder)
        try:
            if doc.name in manifest:
                del manifest[doc.name]
                storage.write_atomic(folder / MANIFEST, lambda p: p.write_text(json.dumps(manifest, indent=1),
                                                                               encoding="utf-8"), private=True)
            (folder / doc.name).unlink()
        except OSError as exc:
            raise KnowledgeError(f"can't remove {doc.name} from your documents folder {storage.shown(folder)}: "
                                 f"{exc.strerror or exc}") from None
        return doc
