"""Adding documents is a transaction: a document is in the library only with its copy, its manifest entry and
its vectors; a killed add leaves nothing half-added and the next one goes on from the vectors made; what it
left is cleared; devices, pipes and files too big to embed in a couple of minutes get their own message."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge import backends, library, vectors
from knowledge.base import KnowledgeBase
from knowledge.embedder import HashEmbedder
from knowledge.user_docs import MANIFEST, MAX_BYTES, MAX_PASSAGES, expand, user_docs_dir

ROOT = Path(__file__).resolve().parents[2]


class Counting(HashEmbedder):
    def __init__(self, stop_after: int | None = None) -> None:
        super().__init__()
        self.embedded, self.stop_after = 0, stop_after
        self.texts: list[str] = []

    def embed_passages(self, texts, progress=None):
        if self.stop_after is not None and self.embedded >= self.stop_after:
            raise KeyboardInterrupt  # what Ctrl-C does between two batches
        self.embedded += len(texts)
        self.texts += texts
        return super().embed_passages(texts, progress)


class StopsMidBatch(Counting):
    def embed_passages(self, texts, progress=None):
        if self.stop_after is not None and self.embedded >= self.stop_after:
            if progress is not None:
                progress(4, len(texts))  # half a part done, then Ctrl-C
            raise KeyboardInterrupt
        return super().embed_passages(texts, progress)


def notes(tmp_path: Path, name: str = "notes.md", sections: int = 30) -> Path:
    path = tmp_path / name
    path.write_text("# Notes\n\n" + "".join(f"## Zorblax part {i}\n\nThe zorblax number {i} halves the rate "
                                             f"when moon {i} is full.\n\n" for i in range(sections)), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def small_parts(monkeypatch):
    monkeypatch.setattr(vectors, "SAVE_EVERY", 8)


def library_names() -> list[str]:
    return sorted(p.name for p in user_docs_dir().glob("*.md"))


def test_an_add_killed_while_embedding_adds_nothing_and_the_next_goes_on(tmp_path):
    src = notes(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        library.add([str(src)], Counting(stop_after=16))
    assert library_names() == [] and not (user_docs_dir() / MANIFEST).exists()
    assert KnowledgeBase.load().user_documents == {}  # nothing half-added: no copy without its vectors
    again = Counting()
    added = library.add([str(src)], again)
    assert [d.name for _, d in added.stored] == ["notes.md"] and again.embedded == 30 - 16
    assert json.loads((user_docs_dir() / MANIFEST).read_text(encoding="utf-8")) == {"notes.md": str(src.resolve())}
    kb = KnowledgeBase.load()
    emb = Counting()
    kb.warm_up(embedder=emb)  # (this fake's vectors don't ship: the entries' are embedded here)
    assert not [t for t in emb.texts if "zorblax" in t]  # the add made every vector of the document


def test_what_a_killed_add_left_is_cleared_at_the_next_start(tmp_path):
    folder = user_docs_dir()
    (folder / ".adding").mkdir(parents=True)
    (folder / ".adding" / "half.md").write_text("# Half\n\ntext\n", encoding="utf-8")
    (folder / ".sources.json.1a2b3c4d.tmp").write_text("{", encoding="utf-8")
    (folder / "sources.json.k3j2h1x_").write_text("{", encoding="utf-8")
    (folder / "kept.md").write_text("# Kept\n\nmine\n", encoding="utf-8")
    kb = KnowledgeBase.load()
    assert sorted(p.name for p in folder.iterdir()) == ["kept.md"] and "user:kept" in kb.user_documents


def test_a_copy_left_without_its_manifest_entry_is_taken_back_not_doubled(tmp_path):
    src = notes(tmp_path)
    library.add([str(src)], Counting())
    (user_docs_dir() / MANIFEST).unlink()  # killed between the copy and its entry, by an older version
    library.add([str(src)], Counting())
    assert library_names() == ["notes.md"]


def test_devices_and_pipes_are_named_for_what_they_are(tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    _, problems = expand(["/dev/zero", str(fifo), str(tmp_path / "nope.md")])
    assert [why for _, why in problems] == [
        "a device, not a file: name a Markdown file (or a folder of them)",
        "a pipe (FIFO), not a file: name a Markdown file (or a folder of them)",
        "no such file or folder"]


def test_the_size_limit_says_how_long_the_largest_file_takes(tmp_path):
    big = tmp_path / "big.md"
    big.write_text("# Big\n\n" + "word " * (MAX_BYTES // 5 + 10), encoding="utf-8")
    added = library.add([str(big)], Counting())
    assert "the most Ms. B embeds in about 2 minutes" in added.skipped[0][1]
    many = tmp_path / "many.md"
    many.write_text("".join(f"## {i}\n\nx\n" for i in range(MAX_PASSAGES + 1)), encoding="utf-8")
    assert os.path.getsize(many) < MAX_BYTES
    added = library.add([str(many)], Counting())
    assert f"more than the {MAX_PASSAGES:,}" in added.skipped[0][1] and library_names() == []


def test_a_file_name_that_isnt_utf8_is_added_whole(tmp_path):
    src = tmp_path / os.fsdecode(b"caf\xe9 notes.md")
    src.write_text("# Caf\n\n## Zorblax\n\nThe zorblax halves the rate.\n", encoding="utf-8")
    added = library.add([str(src)], Counting())
    assert [d.name for _, d in added.stored] == ["caf-notes.md"]
    manifest = json.loads((user_docs_dir() / MANIFEST).read_text(encoding="utf-8"))
    assert manifest == {"caf-notes.md": str(src.resolve())}  # the exact name, to update it later
    assert [d.name for _, d in library.add([str(src)], Counting()).stored] == ["caf-notes.md"]


def test_ctrl_c_while_adding_says_what_is_kept(tmp_path, monkeypatch, capsys):
    from dialog.terminal import index_cmd

    monkeypatch.setattr(backends, "load_embedder", lambda notice=None: StopsMidBatch(stop_after=8))
    assert index_cmd.add([str(notes(tmp_path))]) == 130
    err = capsys.readouterr().err
    # 12 embedded, but vectors are kept a whole part (8 here) at a time: it says what is really kept
    assert "stopped; nothing was added" in err and "the 8 passages embedded so far are kept" in err
    assert len(vectors.Cache(StopsMidBatch().name, StopsMidBatch().dim).load().table) == 8


def test_ctrl_c_inside_the_first_batch_says_the_next_run_starts_afresh(tmp_path, monkeypatch, capsys):
    from dialog.terminal import index_cmd

    monkeypatch.setattr(backends, "load_embedder", lambda notice=None: StopsMidBatch(stop_after=0))
    assert index_cmd.add([str(notes(tmp_path))]) == 130
    err = capsys.readouterr().err
    assert "starts from the beginning" in err and "goes on from there" not in err


@pytest.mark.slow
def test_adding_a_file_shows_progress_on_stderr_even_when_piped(tmp_path):
    src = notes(tmp_path, sections=70)
    p = subprocess.run([sys.executable, "app.py", "index", "add", str(src)], cwd=ROOT, capture_output=True,
                       text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1",
                                                    "MSB_DATA_DIR": str(tmp_path / "d"),
                                                    "MSB_CACHE_DIR": str(tmp_path / "c"),
                                                    "MSB_CONFIG_DIR": str(tmp_path / "cfg")})
    assert p.returncode == 0, p.stderr
    lines = [ln for ln in p.stderr.splitlines() if ln.startswith("Embedding your documents:")]
    assert len(lines) >= 3 and lines[-1].startswith("Embedding your documents: 70/70 passages (100%)")


def test_documents_are_listed_with_their_title_source_and_passages(tmp_path):
    assert library.documents() == []
    src = notes(tmp_path, sections=3)
    library.add([str(src)], Counting())
    [doc] = library.documents()
    assert (doc.name, doc.title, doc.source, doc.passages) == ("notes.md", "Notes", str(src), 3)


def test_a_document_is_removed_by_name_stem_or_source_and_leaves_the_search(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = notes(tmp_path / "a"), notes(tmp_path / "b")
    library.add([str(first), str(second)], Counting())
    assert library_names() == ["notes-2.md", "notes.md"]
    assert library.remove("notes").name == "notes.md"  # its own name wins over the files it came from
    assert library.remove(str(second)).name == "notes-2.md"  # by the path it was added from
    assert library_names() == [] and json.loads((user_docs_dir() / MANIFEST).read_text()) == {}
    assert first.exists() and second.exists()  # the user's own files are never touched
    assert KnowledgeBase.load().user_documents == {}


def test_removing_what_is_not_there_names_what_is(tmp_path):
    with pytest.raises(library.KnowledgeError, match="no documents yet"):
        library.remove("notes")
    library.add([str(notes(tmp_path, sections=2))], Counting())
    with pytest.raises(library.KnowledgeError, match="no document 'nope' among yours: notes.md"):
        library.remove("nope")
    assert library_names() == ["notes.md"]


def test_a_source_name_two_documents_came_from_is_not_guessed():
    from datetime import datetime

    shelf = [library.Shelved(name, "Notes", f"/{folder}/notes.md", datetime(2026, 1, 1), 1)
             for name, folder in (("mine.md", "a"), ("theirs.md", "b"))]
    with pytest.raises(library.KnowledgeError, match="names 2 documents: mine.md, theirs.md"):
        library.find("notes.md", shelf)
    assert library.find("/b/notes.md", shelf).name == "theirs.md"
