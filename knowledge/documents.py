"""Source documents: Markdown split into citable passages under their headings."""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from knowledge import safe_yaml

DOCUMENTS_DIR = Path(__file__).parent / "documents"

# Display titles; the documents themselves are in Chinese.
TITLES = {
    "conversation": {"en": "A conversation about deep learning", "zh": "关于深度学习的对话"},
    "weird-introduction": {"en": "A weird introduction to deep learning", "zh": "这是一份「不正经」的深度学习简述"},
}

_HEADING = re.compile(r"^(#{1,3})\s+(.*\S)\s*$")
# Passages near this size quote well in a reply and stay specific for retrieval.
PASSAGE_CHARS = 320


@dataclass(frozen=True)
class Passage:
    id: str  # "<document>#<n>"
    document: str
    section: str  # full heading text; "" before the first heading
    text: str


@dataclass(frozen=True)
class Document:
    id: str
    title: str  # the first-level heading
    sections: tuple[str, ...]  # every ## / ### heading, in order
    passages: tuple[Passage, ...]
    path: Path

    def display_title(self, lang: str) -> str:
        return TITLES.get(self.id, {}).get(lang, self.title)


def section_label(section: str, lang: str) -> str:
    """The part of a bilingual heading ("中文 · English") in the reader's language."""
    if " · " in section:
        zh, en = section.split(" · ", 1)
        return en if lang == "en" else zh
    return section


def parse_document(doc_id: str, text: str, path: Path) -> Document:
    title = doc_id
    sections: list[str] = []
    passages: list[Passage] = []
    current = ""
    buf: list[str] = []

    def flush() -> None:
        for chunk in _chunks(buf):
            passages.append(Passage(f"{doc_id}#{len(passages)}", doc_id, current, chunk))
        buf.clear()

    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            flush()
            if len(m.group(1)) == 1:
                title = m.group(2)
            else:
                current = m.group(2)
                sections.append(current)
            continue
        buf.append(line)
    flush()
    return Document(doc_id, title, tuple(sections), tuple(passages), path)


def _chunks(lines: list[str]) -> list[str]:
    """Group paragraphs into passages of about PASSAGE_CHARS, never splitting a paragraph."""
    paragraphs = [_plain(p) for p in "\n".join(lines).split("\n\n")]
    paragraphs = [p for p in paragraphs if p]
    out: list[str] = []
    cur = ""
    for p in paragraphs:
        if cur and len(cur) + len(p) > PASSAGE_CHARS:
            out.append(cur)
            cur = ""
        cur = f"{cur}\n{p}" if cur else p
    if cur:
        out.append(cur)
    return out


def _plain(paragraph: str) -> str:
    """Markdown paragraph → quotable text: blockquote marks and bare URL clutter removed."""
    lines = [re.sub(r"^\s*>\s?", "", ln).strip() for ln in paragraph.splitlines()]
    text = " ".join(ln for ln in lines if ln)
    text = re.sub(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)", r"\1", text)  # keep link titles
    return text.strip()


def load_documents(directory: Path = DOCUMENTS_DIR) -> dict[str, Document]:
    docs = {}
    for path in sorted(directory.glob("*.md")):
        docs[path.stem] = parse_document(path.stem, path.read_text(encoding="utf-8"), path)
    return docs


RENDERINGS_FILE = DOCUMENTS_DIR / "renderings.yaml"


def passage_key(text: str) -> str:
    """A passage's identity for its rendering: its text, so a re-chunked document can't pair the wrong ones."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=1)
def renderings() -> dict[str, str]:
    """Ms. B's English renderings of the documents' passages, by passage key ({} when the file is absent)."""
    try:
        raw = safe_yaml.load(RENDERINGS_FILE.read_text(encoding="utf-8")) or {}
    except OSError:
        return {}
    return {str(item["key"]): str(item["en"]).strip() for item in raw.get("passages") or ()
            if isinstance(item, dict) and item.get("key") and item.get("en")}
