"""The user's own Markdown documents: copied into the data dir, then indexed beside ours."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import platformdirs

from dialog.errors import UserError
from knowledge.documents import Document, parse_document

MAX_BYTES = 5 * 1024 * 1024  # a tutor's notes, not a library: bigger files are refused with a message


def user_docs_dir() -> Path:
    base = os.environ.get("MSB_DATA_DIR")
    return (Path(base) if base else Path(platformdirs.user_data_dir("ms-b"))) / "documents"


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_\-\u4e00-\u9fff]+", "-", name).strip("-") or "document"


def add_documents(paths: list[str]) -> list[Path]:
    """Copy each Markdown file into the user documents folder; errors name the file."""
    target = user_docs_dir()
    added = []
    for raw in paths:
        src = Path(raw).expanduser()
        if not src.is_file():
            raise UserError(f"{raw}: no such file")
        if src.stat().st_size > MAX_BYTES:
            raise UserError(f"{raw}: larger than {MAX_BYTES // (1024 * 1024)} MB")
        try:
            text = src.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UserError(f"{raw}: not a UTF-8 text file") from None
        if not text.strip():
            raise UserError(f"{raw}: the file is empty")
        target.mkdir(parents=True, exist_ok=True)
        dest = target / f"{_slug(src.stem)}.md"
        shutil.copyfile(src, dest)
        added.append(dest)
    return added


def load_user_documents() -> dict[str, Document]:
    folder = user_docs_dir()
    docs = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.md")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # a file broken after it was added is skipped, not fatal
            doc_id = f"user:{path.stem}"
            doc = parse_document(doc_id, text, path)
            if doc.title == doc_id:
                doc = Document(doc_id, path.stem, doc.sections, doc.passages, path)
            docs[doc_id] = doc
    return docs
