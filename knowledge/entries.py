"""Curated knowledge entries (YAML): typed, validated at load, errors name file and line."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from knowledge.errors import KnowledgeError
from knowledge.lang import LANGS
from knowledge import safe_yaml

if TYPE_CHECKING:
    import yaml

ENTRIES_DIR = Path(__file__).parent / "entries"
MIN_QUESTIONS = 3
LAYERS = ("more", "why", "example", "simpler")
FACTS = ("who", "paper", "link", "when")


@dataclass(frozen=True)
class SourceRef:
    document: str
    section: str


@dataclass(frozen=True)
class Entry:
    id: str
    title: dict[str, str]
    questions: dict[str, tuple[str, ...]]
    answer: dict[str, str]
    sources: tuple[SourceRef, ...]
    related: tuple[str, ...]
    demo: str | None
    path: Path
    # Follow-ups, each {"en": ..., "zh": ...}: "more", "why", "example", "simpler" (all required).
    layers: dict[str, dict[str, str]] = field(default_factory=dict)
    # Facets the documents give: "who", "paper", "link", "when" (each optional), same shape.
    facts: dict[str, dict[str, str]] = field(default_factory=dict)
    rebuts: bool = False  # answers one of Mr. A's objections ("it's just more layers", "it's hype")
    # The topics its answer lists, in the order listed: "number 7", "the last one", "第一个" name one of them.
    items: tuple[str, ...] = ()


class EntryError(KnowledgeError):
    """A knowledge entry is malformed; the message names the file and line."""


def _line_of(node: yaml.Node | None, key: str) -> int:
    """1-based line of `key` in a mapping node (or of the node itself)."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return k.start_mark.line + 1
    return (node.start_mark.line + 1) if node is not None else 1


def yaml_compose(text: str):
    import yaml

    return yaml.compose(text, Loader=safe_yaml.loader())


def _fail(path: Path, node: yaml.Node | None, key: str, message: str) -> EntryError:
    if node is None:  # composed only on the error path: it is slow and the happy path needs no lines
        try:
            node = yaml_compose(path.read_text(encoding="utf-8"))
        except safe_yaml.YAMLError:
            node = None
    return EntryError(f"{path}:{_line_of(node, key)}: {message}")


# What opens a Markdown block (a list item, a quote, a heading, a table row): the line break before it stays.
# "**bold**" and "*em*" open none.
_BLOCK = r"[\-*+>] |#+ |\||\d+[.)] "
_SOFT_BREAK = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\n(?!\n|" + _BLOCK + ")"
                         r"|(?<=[^\n])\n(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")
_NAMES = re.compile(r"\b([AB]) (先生|女士)")
# A line break inside an English paragraph (the YAML is wrapped for editing) is a space: a reply is one line
# per paragraph, for whatever wraps it — a terminal, a browser, a JSON reader.
_EN_SOFT_BREAK = re.compile(r"(?<=\S)[ \t]*\n(?!\n|" + _BLOCK + r"|\s*\n)[ \t]*")


def tidy(text: str, lang: str) -> str:
    """Prose as it should read: a line break inside a paragraph joins it (Chinese without the space Markdown
    would put there, "说 好，"), and "A 先生" never breaks across lines."""
    text = text.strip()
    if lang != "zh":
        return _EN_SOFT_BREAK.sub(" ", text)
    return _NAMES.sub(r"\1\2", _SOFT_BREAK.sub("", text))


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def parse_entry(path: Path) -> Entry:
    raw = path.read_text(encoding="utf-8")
    node = None
    try:
        data = safe_yaml.load(raw)  # plain data only, never objects
    except safe_yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise EntryError(f"{path}:{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise EntryError(f"{path}:1: an entry must be a mapping with id, title, questions, answer, sources")
    entry_id = data.get("id")
    if not _text(entry_id):
        raise _fail(path, node, "id", "missing id")
    where = f"entry {entry_id!r}"
    for key in ("title", "answer"):
        value = data.get(key)
        if not isinstance(value, dict) or not all(_text(value.get(lang)) for lang in LANGS):
            raise _fail(path, node, key, f"{where}: {key} needs both 'en' and 'zh' text")
    questions = data.get("questions")
    if not isinstance(questions, dict):
        raise _fail(path, node, "questions", f"{where}: questions needs 'en' and 'zh' lists")
    for lang in LANGS:
        qs = questions.get(lang)
        if not isinstance(qs, list) or len([q for q in qs if _text(q)]) < MIN_QUESTIONS:
            raise _fail(path, node, "questions", f"{where}: questions.{lang} needs at least {MIN_QUESTIONS} phrasings")
    sources = data.get("sources")
    if not isinstance(sources, list) or not sources:
        raise _fail(path, node, "sources", f"{where}: sources must list at least one {{document, section}}")
    refs = []
    for s in sources:
        if not isinstance(s, dict) or not _text(s.get("document")) or not _text(s.get("section")):
            raise _fail(path, node, "sources", f"{where}: each source needs a document and a section")
        refs.append(SourceRef(s["document"], s["section"]))
    related = data.get("related") or []
    if not isinstance(related, list) or not all(_text(r) for r in related):
        raise _fail(path, node, "related", f"{where}: related must be a list of entry ids")
    items = data.get("items") or []
    if not isinstance(items, list) or not all(_text(i) for i in items):
        raise _fail(path, node, "items", f"{where}: items must be a list of entry ids")
    demo = data.get("demo")
    if demo is not None and not _text(demo):
        raise _fail(path, node, "demo", f"{where}: demo must be a demo id")
    layers = _layers(path, node, where, data)
    facts = _facts(path, node, where, data)
    return Entry(
        id=entry_id,
        title={lang: tidy(data["title"][lang], lang) for lang in LANGS},
        questions={lang: tuple(q.strip() for q in questions[lang] if _text(q)) for lang in LANGS},
        answer={lang: tidy(data["answer"][lang], lang) for lang in LANGS},
        sources=tuple(refs),
        related=tuple(related),
        demo=demo,
        path=path,
        layers=layers,
        facts=facts,
        rebuts=data.get("rebuts") is True,
        items=tuple(items),
    )


def _layers(path: Path, node, where: str, data: dict) -> dict[str, dict[str, str]]:
    layers = {}
    for key in LAYERS:
        value = data.get(key)
        if not isinstance(value, dict) or not all(_text(value.get(lang)) for lang in LANGS):
            raise _fail(path, node, key, f"{where}: {key} needs both 'en' and 'zh' text")
        layers[key] = {lang: tidy(value[lang], lang) for lang in LANGS}
    return layers


def _facts(path: Path, node, where: str, data: dict) -> dict[str, dict[str, str]]:
    raw = data.get("facts") or {}
    if not isinstance(raw, dict):
        raise _fail(path, node, "facts", f"{where}: facts must map {', '.join(FACTS)} to en/zh text")
    facts = {}
    for key, value in raw.items():
        if key not in FACTS:
            raise _fail(path, node, "facts", f"{where}: unknown fact {key!r} (facts: {', '.join(FACTS)})")
        if not isinstance(value, dict) or not all(_text(value.get(lang)) for lang in LANGS):
            raise _fail(path, node, "facts", f"{where}: facts.{key} needs both 'en' and 'zh' text")
        facts[key] = {lang: tidy(value[lang], lang) for lang in LANGS}
    return facts


def validate_references(entries: Iterable[Entry], sections: dict[str, set[str]], demo_ids: set[str] | None) -> None:
    """Cross-entry checks: unique ids, existing sources, related entries and (when known) demos."""
    seen: dict[str, Path] = {}
    entries = list(entries)
    for e in entries:
        if e.id in seen:
            raise EntryError(f"{e.path}:1: duplicate id {e.id!r} (also in {seen[e.id]})")
        if e.path.stem != e.id:
            raise EntryError(f"{e.path}:1: id {e.id!r} differs from the file name {e.path.name}")
        seen[e.id] = e.path
    node = None
    for e in entries:
        for s in e.sources:
            if s.document not in sections:
                raise _fail(e.path, node, "sources", f"entry {e.id!r}: unknown document {s.document!r}")
            if s.section not in sections[s.document]:
                raise _fail(e.path, node, "sources",
                            f"entry {e.id!r}: document {s.document!r} has no section {s.section!r}")
        for r in e.related:
            if r not in seen:
                raise _fail(e.path, node, "related", f"entry {e.id!r}: related entry {r!r} does not exist")
        for i in e.items:
            if i not in seen:
                raise _fail(e.path, node, "items", f"entry {e.id!r}: listed entry {i!r} does not exist")
        if e.demo is not None and demo_ids is not None and e.demo not in demo_ids:
            raise _fail(e.path, node, "demo", f"entry {e.id!r}: demo {e.demo!r} does not exist")


def load_entries(directory: Path = ENTRIES_DIR) -> list[Entry]:
    return [parse_entry(p) for p in sorted(directory.glob("*.yaml"))]
