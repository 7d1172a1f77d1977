"""The user's own Markdown documents: copied (cleaned) into the data dir, then indexed beside ours.

Each added file is stored under its own name; a different file with the same name (`a/notes.md`, then
`b/notes.md`) gets a numbered one (`notes-2.md`), and adding the same file again updates its copy. Which
copy came from where is kept in `sources.json` beside them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from knowledge import storage
from knowledge.documents import Document, parse_document
from knowledge.errors import KnowledgeError
from knowledge.safe_text import clean

MAX_BYTES = 5 * 1024 * 1024  # a tutor's notes, not a library: bigger files are refused with a message
SUFFIXES = (".md", ".markdown")


def user_docs_dir() -> Path:
    return storage.data_dir() / "documents"


@dataclass
class Added:
    stored: list[tuple[Path, Path]] = field(default_factory=list)  # (the user's file, our copy)
    updated: list[Path] = field(default_factory=list)  # the user's files that replaced an earlier copy
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (path, why)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_\-\u4e00-\u9fff]+", "-", name).strip("-") or "document"


MANIFEST = "sources.json"


def _manifest(folder: Path) -> dict[str, str]:
    """{stored file name: the absolute path it was added from}; {} when missing or damaged."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(data, dict) else {}


def stored_name(src: Path, manifest: dict[str, str], folder: Path) -> str:
    """The name of src's copy: the one it had before, else its own name, else a numbered one."""
    origin = str(src)
    for name, path in sorted(manifest.items()):
        if path == origin:
            return name
    base = _slug(src.stem)
    n = 1
    while True:
        name = f"{base}.md" if n == 1 else f"{base}-{n}.md"
        if name not in manifest and not (folder / name).exists():
            return name
        n += 1


def expand(paths: list[str]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files to add: each Markdown file named, and the Markdown files inside each folder named."""
    files: list[Path] = []
    problems: list[tuple[Path, str]] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            inside = sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES and f.is_file())
            if not inside:
                problems.append((p, "a folder with no Markdown files (.md) in it"))
            files += inside
        elif p.is_file():
            files.append(p)
        else:
            problems.append((p, "no such file or folder"))
    unique = list(dict.fromkeys(f.resolve() for f in files))
    return unique, problems


def read_document(src: Path) -> str:
    """The file's text, cleaned of terminal escape sequences; KnowledgeError says what is wrong."""
    try:
        size = src.stat().st_size
        if size > MAX_BYTES:
            raise KnowledgeError(f"{src}: larger than {MAX_BYTES // (1024 * 1024)} MB")
        text = src.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise KnowledgeError(f"{src}: not a UTF-8 text file") from None
    except OSError as exc:
        raise KnowledgeError(f"{src}: can't be read ({exc.strerror or exc})") from None
    text = clean(text)
    if not text.strip():
        raise KnowledgeError(f"{src}: the file is empty")
    return text


def add_documents(paths: list[str]) -> Added:
    """Copy each Markdown file (or each inside a folder) into the user documents folder.

    Files that can't be added are listed in `skipped` with the reason; the others are added anyway.
    Raises KnowledgeError only when the documents folder itself can't be written.
    """
    files, problems = expand(paths)
    out = Added(skipped=problems)
    target = user_docs_dir()
    manifest = _manifest(target)
    for src in files:
        try:
            text = read_document(src)
        except KnowledgeError as exc:
            out.skipped.append((src, str(exc).removeprefix(f"{src}: ")))
            continue
        name = stored_name(src, manifest, target)
        dest = target / name
        if name in manifest:
            out.updated.append(src)
        manifest[name] = str(src)
        try:
            storage.write_atomic(dest, lambda p, text=text: p.write_text(text, encoding="utf-8"))
            storage.write_atomic(target / MANIFEST, lambda p: p.write_text(
                json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"))
        except OSError as exc:
            raise KnowledgeError(f"can't write your documents folder {target}: {exc.strerror or exc}") from None
        out.stored.append((src, dest))
    return out


def load_user_documents(notice: Callable[[str], None] | None = None) -> dict[str, Document]:
    folder = user_docs_dir()
    docs = {}
    try:
        paths = sorted(folder.glob("*.md")) if folder.is_dir() else []
    except OSError as exc:
        if notice is not None:
            notice(f"Your documents folder {folder} can't be read ({exc.strerror or exc}); answering without it.")
        return {}
    for path in paths:
        try:
            text = clean(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            if notice is not None:
                notice(f"Skipped {path.name}: it can't be read any more.")
            continue  # a file broken after it was added is skipped, not fatal
        doc_id = f"user:{path.stem}"
        doc = parse_document(doc_id, text, path)
        if doc.title == doc_id:
            doc = Document(doc_id, path.stem, doc.sections, doc.passages, path)
        docs[doc_id] = doc
    return docs
