"""Conversation: one user line in, Ms. B's Reply out. Drives the TUI, `ask` and `chat --plain` alike."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from demos.core import all_demos, get_demo, parse_options
from dialog import commands, persona
from dialog.errors import USER_ERRORS
from dialog.intents import Intent, classify, demo_mentioned
from dialog.reply import Reply, Source
from dialog.tour import STEPS
from knowledge.base import Hit, KnowledgeBase
from knowledge.documents import section_label
from knowledge.entries import Entry
from knowledge.lang import detect_lang

MAX_INPUT = 2000  # longer input is answered from its beginning; retrieval gains nothing from more
EXCERPT_CHARS = 160


@dataclass
class ConversationState:
    lang: str = "en"  # language of the last reply
    pinned: str | None = None  # set by /lang
    topic: str | None = None  # entry id of the current topic
    shown: set[str] = field(default_factory=set)  # entries already answered
    offered_demo: str | None = None  # a demo Ms. B proposed; "yes" starts it
    last_sources: tuple[Source, ...] = ()
    tour_step: int | None = None  # index into STEPS while a tour runs


class Conversation:
    def __init__(self, kb: KnowledgeBase, *, lang: str | None = None, can_run_demos: bool = True,
                 seed: int | None = None) -> None:
        self.kb = kb
        self.can_run_demos = can_run_demos
        self.state = ConversationState(lang=lang or "en", pinned=lang)
        self.history: list[tuple[str, str]] = []
        self._rng = random.Random(seed)
        self._demos = all_demos()

    # ------------------------------------------------------------------ entry point

    def respond(self, text: str) -> Reply:
        try:
            text = _sanitize(text)
            reply = self._respond(text)
        except USER_ERRORS as exc:
            reply = Reply("error", str(exc), self._lang_for(text))
        self.history += [("user", text), ("ms_b", reply.text)]
        self.state.lang = reply.lang
        if reply.sources:
            self.state.last_sources = reply.sources
        return reply

    def _respond(self, text: str) -> Reply:
        lang = self._lang_for(text)
        intent = classify(text, self._demos)
        if intent.kind == "command":
            return commands.run(self, intent, lang)
        if self.state.tour_step is not None and intent.kind in ("next", "yes", "empty") \
                or self.state.tour_step is not None and intent.kind == "followup" and intent.name == "more":
            return self.tour_advance(lang)
        if intent.kind == "empty":
            return Reply("smalltalk", persona.line("empty", lang, self._rng), lang)
        if intent.kind == "smalltalk":
            return Reply("smalltalk", persona.line(intent.name, lang, self._rng), lang)
        if intent.kind == "demo":
            return self.demo_request(intent.name, {}, lang)
        if intent.kind == "yes":
            if self.state.offered_demo:
                return self.demo_request(self.state.offered_demo, {}, lang)
            return Reply("smalltalk", persona.line("nothing_offered", lang, self._rng), lang)
        if intent.kind == "no":
            self.state.offered_demo = None
            return Reply("smalltalk", persona.line("declined", lang, self._rng), lang)
        if intent.kind in ("followup", "next"):
            return self.follow_up(intent.name or "more", lang)
        return self.answer_question(text, lang)

    def _lang_for(self, text: str) -> str:
        return self.state.pinned or detect_lang(text, default=self.state.lang)

    # ------------------------------------------------------------------ answers

    def answer_question(self, text: str, lang: str) -> Reply:
        hits = self.kb.search(text, lang, k=5)
        best = hits[0] if hits else None
        if best is None or best.score < self.kb.threshold(lang):
            return self.fallback(lang, best)
        if best.entry is None and best.passage is not None:
            return self._passage_reply(best, lang)
        return self.entry_reply(best.entry, lang, score=best.score)

    def entry_reply(self, entry: Entry, lang: str, *, score: float = 1.0, lead: str = "") -> Reply:
        self.state.topic = entry.id
        self.state.shown.add(entry.id)
        sources = self._sources(entry, lang)
        parts = [lead, entry.answer[lang]] if lead else [entry.answer[lang]]
        if sources:
            s = sources[0]
            parts.append(persona.pick(lang, f"*Source: {s.title}, “{section_label(s.section, 'en')}”.*",
                                      f"*出处：《{s.title}》「{section_label(s.section, 'zh')}」：{s.excerpt}*"))
        if entry.demo:
            self.state.offered_demo = entry.demo
            parts.append(self._demo_offer(entry.demo, lang))
        return Reply("answer", "\n\n".join(parts), lang, topic=entry.id, sources=sources, demo=entry.demo,
                     suggestions=self._suggestions(entry, lang), score=score)

    def _demo_offer(self, demo_id: str, lang: str) -> str:
        if self.can_run_demos:
            return persona.pick(lang, f"Want to see it happen? Say **yes**, or type `/demo {demo_id}`.",
                                f"想亲眼看看吗？说 **好**，或输入 `/demo {demo_id}`。")
        return persona.pick(lang, f"You can watch it live: `msb demo {demo_id}`.",
                            f"可以现场看看：`msb demo {demo_id}`。")

    def _sources(self, entry: Entry, lang: str) -> tuple[Source, ...]:
        passage = self.kb.best_passage(entry, lang)
        out = []
        for ref in entry.sources:
            doc = self.kb.documents[ref.document]
            excerpt = passage.text if passage and passage.section == ref.section else ""
            if not excerpt:
                cands = [p for p in doc.passages if p.section == ref.section]
                excerpt = cands[0].text if cands else ""
            out.append(Source(ref.document, ref.section, _clip(excerpt), doc.display_title(lang)))
        return tuple(out)

    def _suggestions(self, entry: Entry, lang: str) -> tuple[str, ...]:
        out = []
        for rid in entry.related:
            rel = self.kb.entries.get(rid)
            if rel and rid not in self.state.shown:
                out.append(rel.questions[lang][0])
        if entry.demo and self.can_run_demos:
            out.append(f"/demo {entry.demo}")
        return tuple(out[:4])

    def _passage_reply(self, hit: Hit, lang: str) -> Reply:
        p = hit.passage
        doc = self.kb.user_documents.get(p.document) or self.kb.documents.get(p.document)
        title = doc.display_title(lang) if doc else p.document
        where = f"{title}, “{p.section}”" if p.section else title
        text = persona.pick(lang, f"Your document has this to say ({where}):\n\n> {_clip(p.text, 600)}",
                            f"你的文档里是这样说的（{where}）：\n\n> {_clip(p.text, 600)}")
        self.state.topic = None
        return Reply("answer", text, lang, sources=(Source(p.document, p.section, _clip(p.text), title),),
                     score=hit.score)

    def fallback(self, lang: str, best: Hit | None = None) -> Reply:
        picks = [self.kb.entries[i] for i in ("what-deep-means", "what-is-learning", "coordinate-change",
                                              "why-now", "breakthroughs", "getting-started") if i in self.kb.entries]
        topics = "\n".join(f"- {e.title[lang]}" for e in picks)
        tail = persona.pick(lang, "Or type `/topics` for everything, `/demos` for the live demos.",
                            "或者输入 `/topics` 看全部话题，`/demos` 看现场演示。")
        return Reply("fallback", f"{persona.line('fallback', lang, self._rng)}\n\n{topics}\n\n{tail}", lang,
                     suggestions=tuple(e.questions[lang][0] for e in picks[:3]),
                     score=best.score if best else 0.0)

    # ------------------------------------------------------------------ follow-ups

    def follow_up(self, kind: str, lang: str) -> Reply:
        topic = self.kb.entries.get(self.state.topic or "")
        if topic is None:
            return Reply("smalltalk", persona.line("no_topic", lang, self._rng), lang)
        if kind == "source" or kind == "why":
            passage = self.kb.best_passage(topic, lang)
            if passage is not None:
                lead = persona.pick(lang, "Here's where it comes from — the passage I rely on (the documents are in Chinese):",
                                    "这是我依据的原文段落：")
                label = section_label(passage.section, lang)
                text = f"{lead}\n\n> {_clip(passage.text, 500)}\n\n*— {self.kb.documents[passage.document].display_title(lang)}, {label}*"
                return Reply("answer", text, lang, topic=topic.id, sources=self._sources(topic, lang),
                             suggestions=self._suggestions(topic, lang), score=1.0)
        if kind == "example" and topic.demo:
            self.state.offered_demo = topic.demo
            demo = get_demo(topic.demo)
            text = persona.pick(lang, f"The best example is one you can watch: **{demo.title['en']}** — "
                                      f"{demo.description['en']}", f"最好的例子是能亲眼看到的：**{demo.title['zh']}**——"
                                                                    f"{demo.description['zh']}")
            return Reply("answer", f"{text}\n\n{self._demo_offer(topic.demo, lang)}", lang, topic=topic.id,
                         demo=topic.demo, suggestions=self._suggestions(topic, lang), score=1.0)
        for rid in topic.related:
            rel = self.kb.entries.get(rid)
            if rel and rid not in self.state.shown:
                lead = persona.pick(lang, f"There's more to it. **{rel.title['en']}**:", f"还有一层。**{rel.title['zh']}**：")
                return self.entry_reply(rel, lang, lead=lead)
        passage = self.kb.best_passage(topic, lang)
        lead = persona.pick(lang, "That's the heart of it. In the document's own words:", "核心就是这些。用原文的话说：")
        text = f"{lead}\n\n> {_clip(passage.text, 500) if passage else ''}"
        return Reply("answer", text, lang, topic=topic.id, sources=self._sources(topic, lang),
                     suggestions=self._suggestions(topic, lang), score=1.0)

    # ------------------------------------------------------------------ demos

    def demo_request(self, demo_id: str, options: dict[str, Any], lang: str, device: str | None = None) -> Reply:
        demo = get_demo(demo_id)  # DemoError for an unknown id
        parse_options(demo.config, options)  # DemoError naming a bad option, before anything starts
        self.state.offered_demo = None
        title = demo.title[lang if lang in demo.title else "en"]
        if not self.can_run_demos:
            flags = "".join(f" --{k} {v}" for k, v in options.items())
            text = persona.pick(lang, f"That's the **{title}** demo: {demo.description['en']}\n\nRun it in your terminal: "
                                      f"`msb demo {demo_id}{flags}` (or `/demo {demo_id}` in the chat).",
                                f"这是 **{title}** 演示：{demo.description['zh']}\n\n在终端里运行："
                                f"`msb demo {demo_id}{flags}`（或在聊天中输入 `/demo {demo_id}`）。")
            return Reply("demo", text, lang, demo=demo_id, score=1.0)
        text = persona.pick(lang, f"Let's watch it: **{title}**. It runs beside our chat — keep asking, or `/stop` it.",
                            f"我们来看看：**{title}**。它在聊天旁边运行——你可以继续提问，或输入 `/stop` 停止。")
        return Reply("demo", text, lang, demo=demo_id, action="start_demo",
                     args={"demo": demo_id, "options": dict(options), "device": device}, score=1.0)

    def demo_finished(self, demo_id: str, metrics: dict[str, Any], summary: str) -> Reply:
        lang = self.state.lang
        linked = next((e for e in self.kb.entries.values() if e.demo == demo_id), None)
        if linked:
            self.state.topic = linked.id
        more = persona.pick(lang, "Ask me *why?* or *tell me more* to dig in.", "想深入的话，问我「为什么」或「继续」。")
        reply = Reply("demo", f"{summary}\n\n{more}", lang, topic=linked.id if linked else None, demo=demo_id,
                      suggestions=self._suggestions(linked, lang) if linked else (), score=1.0)
        self.history.append(("ms_b", reply.text))
        return reply

    def demo_failed(self, demo_id: str, message: str) -> Reply:
        lang = self.state.lang
        text = persona.pick(lang, f"The **{demo_id}** demo stopped with a problem: {message}\n\nOur conversation goes on.",
                            f"**{demo_id}** 演示出了问题：{message}\n\n我们的对话继续。")
        reply = Reply("error", text, lang, demo=demo_id)
        self.history.append(("ms_b", reply.text))
        return reply

    # ------------------------------------------------------------------ tour

    def tour_start(self, lang: str) -> Reply:
        self.state.tour_step = -1
        return self.tour_advance(lang)

    def tour_advance(self, lang: str) -> Reply:
        step_no = (self.state.tour_step if self.state.tour_step is not None else -1) + 1
        if step_no >= len(STEPS):
            self.state.tour_step = None
            return Reply("command", persona.pick(lang, "The tour is over — ask me anything.", "导览结束了——随便问吧。"), lang)
        step = STEPS[step_no]
        self.state.tour_step = step_no if step_no < len(STEPS) - 1 else None
        entry = self.kb.entries.get(step.entry)
        body = entry.answer[lang] if entry else ""
        if entry:
            self.state.topic = entry.id
            self.state.shown.add(entry.id)
        text = f"{step.lead[lang]}\n\n{body}\n\n{step.prompt[lang]}"
        sources = self._sources(entry, lang) if entry else ()
        if step.demo and self.can_run_demos:
            return Reply("demo", text, lang, topic=step.entry, sources=sources, demo=step.demo, action="start_demo",
                         args={"demo": step.demo, "options": {}, "device": None}, score=1.0)
        return Reply("answer", text, lang, topic=step.entry, sources=sources, demo=step.demo, score=1.0)

    # ------------------------------------------------------------------ resume

    def restore(self, turns: list[tuple[str, str]]) -> None:
        """Continue a saved conversation: its turns become history, and the last question sets topic and language."""
        self.history = list(turns)
        for role, text in reversed(turns):
            if role == "user" and text.strip() and not text.startswith("/"):
                self.state.lang = self.state.pinned or detect_lang(text)
                hits = self.kb.search(text, self.state.lang, k=1)
                if hits and hits[0].entry and hits[0].score >= self.kb.threshold(self.state.lang):
                    self.state.topic = hits[0].entry.id
                break


def _sanitize(text: str) -> str:
    """Control characters out (escape sequences could repaint a terminal); long input cut to size."""
    text = "".join(ch if ch.isprintable() or ch in "\t\n" else " " for ch in str(text))
    return text[:MAX_INPUT]


def _clip(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


__all__ = ["Conversation", "ConversationState", "Intent", "demo_mentioned"]
