"""What Ms. B can say about an entry, part by part, in either language: the answer, its follow-up layers,
the facts, the source passage, the citation line and the suggestions that come after."""
from __future__ import annotations

from typing import Iterable, Protocol

from dialog.reply import Source
from knowledge.documents import Document, Passage, section_label
from knowledge.entries import FACTS, LAYERS, Entry
from knowledge.lang import pick

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


def next_part(entry: Entry, said: Iterable[str]) -> str | None:
    """What "tell me more" says next: the first part in MORE_ORDER not yet said, or None when spent."""
    done = set(said)
    return next((p for p in MORE_ORDER if p not in done and text_of(entry, p, "en")), None)


def best_part(entry: Entry, words: Iterable[str], lang: str, said: Iterable[str]) -> str | None:
    """The part of an entry that speaks to these words most ("which of these beat humans?" → the part naming
    Go), preferring what was not said yet; None when no part shares a word with them."""
    from knowledge.tokenize import tokens

    wanted = set(words)
    done = set(said)
    scored = []
    for part in (*MORE_ORDER, *FACTS):
        text = text_of(entry, part, lang)
        if text:
            scored.append((len(wanted & set(tokens(text, lang))), part not in done, -len(scored), part))
    best = max(scored, default=None)
    return best[3] if best and best[0] > 0 else None


def sources(kb: Knows, entry: Entry, lang: str) -> tuple[Source, ...]:
    passage = kb.best_passage(entry, lang)
    out = []
    for ref in entry.sources:
        doc = kb.documents[ref.document]
        excerpt = passage.text if passage and passage.section == ref.section else ""
        if not excerpt:
            found = [p for p in doc.passages if p.section == ref.section]
            excerpt = found[0].text if found else ""
        out.append(Source(ref.document, ref.section, clip(excerpt), doc.display_title(lang)))
    return tuple(out)


def citation(found: tuple[Source, ...], lang: str) -> str:
    """One short line naming where an answer comes from; the passage itself only when asked for."""
    if not found:
        return ""
    s = found[0]
    label = section_label(s.section, lang)
    # A label that brings its own 「」 (「深度」是什么意思) is set in “”, so brackets never nest.
    zh_label = f"“{label}”" if "「" in label else f"「{label}」"
    return pick(lang, f"*Source: {s.title}, “{label}”.*", f"*出处：《{s.title}》{zh_label}。*")


def quote(kb: Knows, entry: Entry, lang: str) -> str:
    """Where an entry's words come from ("source?"): the document and section, and, in Chinese, the passage."""
    passage = kb.best_passage(entry, lang)
    if passage is None:
        return pick(lang, "This one is my own summary; no single passage says it.", "这是我自己的总结，没有某一段原文直接这么说。")
    label = section_label(passage.section, lang)
    title = kb.documents[passage.document].display_title(lang)
    if lang == "zh":
        zh_label = f"“{label}”" if "「" in label else f"「{label}」"
        return f"这是我依据的原文段落，出自《{title}》{zh_label}：\n\n{blockquote(passage.text, QUOTE_CHARS)}"
    # The passage is Chinese: an English conversation gets the place to look, and the way to see it.
    return (f"It comes from *{title}*, in the section “{label}”. My copy of the article is a Chinese "
            "translation, so rather than paste Chinese into our conversation: `/sources` shows the passage "
            "itself, and after `/lang zh` I quote it for you.")


def spent(entry: Entry, part: str, lang: str) -> str:
    """Said when a follow-up has nothing new left on the topic: honest, and where to go next."""
    title = entry.title[lang]
    if part in FACTS:
        what = {"who": ("who came up with it", "是谁提出的"), "paper": ("a paper on it", "相关的论文"),
                "link": ("a link for it", "相关的链接"), "when": ("when it happened", "发生在什么时候")}[part]
        return pick(lang, f"The documents don't say {what[0]} for **{title}**, and I won't guess.",
                    f"关于**{title}**，文档里没有提到{what[1]}，我不想瞎猜。")
    return pick(lang, f"That's everything the documents give me on **{title}** — I've told you all of it.",
                f"关于**{title}**，文档里能讲的我都讲完了。")


def suggestions(kb: Knows, entry: Entry, lang: str, said: dict[str, list[str]], demo: str | None) -> tuple[str, ...]:
    """Follow-ups worth typing next: related topics not yet talked about, and the demo if one is offered."""
    out = [kb.entries[r].questions[lang][0] for r in entry.related if r in kb.entries and r not in said]
    if demo:
        out.append(pick(lang, "show me", "演示一下"))
    return tuple(out[:4])
