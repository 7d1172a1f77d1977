"""What Ms. B can say about an entry, part by part, in either language: the answer, its follow-up layers,
the facts, the source passage, the citation line and the suggestions that come after."""
from __future__ import annotations

from functools import cache
from typing import Iterable, Protocol

from dialog.reply import Source
from knowledge.documents import Document, Passage, section_label
from knowledge.entries import FACTS, LAYERS, Entry
from dialog.lines import say

EXCERPT_CHARS = 160
QUOTE_CHARS = 500
# The order "tell me more" walks an entry in: after the answer, the deeper explanation, then an
# example, the reasoning, and a plain version last (it says least that is new).
MORE_ORDER = ("answer", "more", "example", "why", "simpler")
PARTS = ("answer", *LAYERS, *FACTS, "source")


class Knows(Protocol):
    """What this module needs of the knowledge base."""

    entries: dict[str, Entry]
    documents: dict[str, Document]

    def best_passage(self, entry: Entry, lang: str) -> Passage | None: ...

    def rendering(self, passage: Passage, lang: str) -> str | None: ...


QUOTED = 60  # characters of a learner's own line quoted back to them ("your last question, “…”")


def clip(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def blockquote(text: str, limit: int) -> str:
    """A passage as a Markdown quotation, its lines (a reading list's items) kept, cut at `limit` characters."""
    lines = [line.strip() for line in text.strip().splitlines()]
    kept, used = [], 0
    for line in lines:
        if used >= limit:
            kept[-1] = kept[-1].rstrip("…") + "…"
            break
        kept.append(clip(line, limit - used) if line else "")
        used += len(line)
    while kept and (not kept[-1] or kept[-1].rstrip("…").endswith((":", "："))):
        kept.pop()  # a lead-in whose list lies beyond the quotation is not quoted without it
    return "\n".join(f"> {line}" if line else ">" for line in kept)


def text_of(entry: Entry, part: str, lang: str) -> str | None:
    """An entry's words for one part ("answer", a layer, a fact), or None where it has none."""
    if part == "answer":
        return entry.answer[lang]
    if part in entry.layers:
        return entry.layers[part][lang]
    if part in entry.facts:
        return entry.facts[part][lang]
    return None


def block_of(entry: Entry, part: str, paragraph: str, lang: str) -> str:
    """The whole block a paragraph sits in: a list item or a list's lead-in ("后来几件事凑到了一起：") is said
    with its list, never alone."""
    text = text_of(entry, part, lang) or ""
    for block in text.split("\n\n"):
        lines = [ln.strip() for ln in block.strip().splitlines() if ln.strip()]
        if paragraph.strip() in lines or paragraph.strip() == " ".join(lines):
            return block.strip() if any(ln.startswith("- ") for ln in lines) else paragraph
    return paragraph


def next_part(entry: Entry, said: Iterable[str]) -> str | None:
    """What "tell me more" says next: the first part in MORE_ORDER not yet said, or None when spent."""
    done = set(said)
    return next((p for p in MORE_ORDER if p not in done and text_of(entry, p, "en")), None)


@cache
def _commonmark():
    """One parser for every excerpt: building one costs more than parsing a reply with it."""
    from markdown_it import MarkdownIt

    return MarkdownIt()


def plain(text: str) -> str:
    """Markdown as the words a reader sees — emphasis, links and code marks gone (a real parser, not regexes),
    for the places that show text without rendering it: an excerpt, a JSON field."""
    out = []
    for block in _commonmark().parse(text):
        for tok in block.children or ():
            if tok.type in ("text", "code_inline"):
                out.append(tok.content)
            elif tok.type in ("softbreak", "hardbreak"):
                out.append(" ")
        if block.type == "inline":
            out.append("\n")
    return " ".join("".join(out).split())


def sources(kb: Knows, entry: Entry, lang: str) -> tuple[Source, ...]:
    """Where an entry's words come from, the excerpt in the reader's language: an English reader gets Ms. B's
    rendering of the Chinese passage (marked as such by the front ends), and the original beside it."""
    passage = kb.best_passage(entry, lang)
    out = []
    for ref in entry.sources:
        doc = kb.documents[ref.document]
        found = passage if passage and passage.section == ref.section else next(
            (p for p in doc.passages if p.section == ref.section), None)
        original = plain(found.text) if found else ""
        rendered = kb.rendering(found, lang) if found is not None and lang != "zh" else None
        if rendered:
            out.append(Source(ref.document, ref.section, clip(plain(rendered)), doc.display_title(lang),
                              original=clip(original, QUOTE_CHARS)))
        else:
            out.append(Source(ref.document, ref.section, clip(original), doc.display_title(lang)))
    return tuple(out)


def citation(kb: Knows, found: tuple[Source, ...], lang: str) -> str:
    """One short line naming where an answer comes from; the passage itself only when asked for."""
    if not found:
        return ""
    s = found[0]
    label = section_label(s.section, lang)
    # A label that brings its own 「」 (「深度」是什么意思) is set in “”, so brackets never nest.
    if lang == "zh":
        label = f"“{label}”" if "「" in label else f"「{label}」"
    return say("citation", lang, title=s.title, label=label)


def quote(kb: Knows, entry: Entry, lang: str) -> str:
    """Where an entry's words come from ("source?"): the document and section, and the passage — the
    original in Chinese, Ms. B's rendering of it in English."""
    passage = kb.best_passage(entry, lang)
    if passage is None:
        return say("own_summary", lang)
    label = section_label(passage.section, lang)
    title = kb.documents[passage.document].display_title(lang)
    if lang == "zh":
        label = f"“{label}”" if "「" in label else f"「{label}」"
        return say("quote_zh", lang, title=title, label=label, quote=blockquote(passage.text, QUOTE_CHARS))
    rendered = kb.rendering(passage, "en")
    if rendered is None:
        return say("quote_en_place", lang, title=title, label=label)
    return say("quote_en", lang, title=title, label=label, quote=blockquote(rendered, QUOTE_CHARS))


def spent(entry: Entry, part: str, lang: str) -> str:
    """Said when a follow-up has nothing new left on the topic: honest, and where to go next."""
    title = entry.title[lang]
    if part in FACTS:
        return say("spent_fact", lang, what=say(f"fact.{part}", lang), title=title)
    return say("spent", lang, title=title)


def suggestions(kb: Knows, entry: Entry, lang: str, said: dict[str, list[str]], demo: str | None) -> tuple[str, ...]:
    """Follow-ups worth typing next: related topics not yet talked about, and the demo if one is offered."""
    out = [kb.entries[r].questions[lang][0] for r in entry.related if r in kb.entries and r not in said]
    if demo:
        out.append(say("say_show_me", lang))
    return tuple(out[:4])
