"""Conversation: one line of Mr. A's in, Ms. B's Reply out. The same engine serves the app, `ask` and
`chat --plain`; it imports no UI library and does no I/O.

A line is first recognised for what it does (dialog.acts: a question, "tell me more", "who came up
with it?", "show me", "in English please"…), then answered from the thread of the conversation
(dialog.state): "it" and bare follow-ups mean the current topic, a question that names another topic
moves the conversation there, and nothing already said is repeated word for word.
"""
from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Any

from dialog import commands, content, persona
from dialog.acts import ActClassifier
from dialog.demo_talk import DemoTalk
from dialog.errors import USER_ERRORS
from dialog.facets import Facets
from dialog.reply import Reply, Source
from dialog.state import ConversationState, Said
from dialog.progress import Progress
from dialog.quiz import Quiz
from dialog.tour import Tour
from knowledge.base import Hit, KnowledgeBase
from knowledge.entries import FACTS, LAYERS, Entry
from knowledge.lang import detect_lang, pick
from knowledge.safe_text import clean_line

MAX_INPUT = 2000  # longer input is answered from its beginning; retrieval gains nothing from more
FOLLOW_UPS = ("more", *LAYERS)
# A line "names" a topic when the best hit clears the threshold and holds at least this share of the
# line's word weight: "why did deep learning take off now?" does; "why is that?" does not.
NAMED_COVERAGE = 0.5
# Below this probability an act gives way to the question a line with content words asks.
ACT_CONFIDENCE = 0.5
# Small talk must be clear-cut: "今天股市怎么样" looks like "how are you" but asks about the stock market.
SMALLTALK_CONFIDENCE = 0.75
# A short line ("那书呢？", "and the paper?") leans on the current topic and its related ones.
CONTEXT_BONUS = 0.015
SHORT_LINE = 2  # topic words: "那书呢？" has one, "what do better activation functions give you?" three
# A line retrieval declines is still answered from the current topic when it scores this close to it
# (and shares its words).
CONTEXT_MARGIN = 0.03
# Inside a topic, a part not said yet is preferred to the closest one when this close to it.
PART_MARGIN = 0.01
# A line pointing back at the thread but with this share of its words unknown to the documents is about
# something else ("is it going to rain tomorrow?"); the thread's own follow-ups score 0 here almost always.
THREAD_UNKNOWN = 0.4
# How far above the threshold a line pointing back must match another topic to leave the thread for it.
NAMED_SURELY = 0.085
_CLAUSE = re.compile(r"[,，.。!！;；:：]+")


class Conversation:
    def __init__(self, kb: KnowledgeBase, *, lang: str | None = None, can_run_demos: bool = True,
                 runs_beside: bool = True, classifier: ActClassifier | None = None, progress: Any = None,
                 seed: int | None = None) -> None:
        self.kb = kb
        self.can_run_demos = can_run_demos
        self.runs_beside = runs_beside  # demos run beside the chat (the app), or before the next line (plain chat)
        self.state = ConversationState(lang=lang or "en", pinned=lang)
        self.acts = classifier or ActClassifier(kb)
        self.progress = progress if progress is not None else Progress(None)  # in memory unless given a store
        self.demos = DemoTalk(self)
        self.facets = Facets(self)
        self.tour = Tour(self)
        self.quiz = Quiz(self)
        self._rng = random.Random(seed)

    # ------------------------------------------------------------------ entry point

    def respond(self, text: str) -> Reply:
        text = clean_line(str(text))[:MAX_INPUT].strip()
        try:
            reply = self._respond(text)
        except USER_ERRORS as exc:
            reply = Reply("error", str(exc), self.lang_for(text))
        self.state.lang = reply.lang
        if reply.sources:
            self.state.last_sources = reply.sources
        return reply

    def _respond(self, text: str) -> Reply:
        lang = self.lang_for(text)
        if text.startswith("/"):
            return commands.run(self, text, lang)
        if not text:
            return self.say("empty", lang)
        if self.state.asking is not None:  # the line answers the check question asked
            return self.quiz.stop(lang) if self.acts.says("quiz_stop", text) else self.quiz.answer(text, lang)
        if self.acts.says("quiz", text):
            return self.quiz.start(lang, self.state.offered_quiz)
        act = self.acts.classify(text)
        if self.state.tour_step is not None:
            if self.tour.continues(act.name, text):
                return self.tour.advance(lang)
            self.state.tour_step = None  # any other line leaves the tour
        return self.route(act.name, text, lang, act.confidence)

    def route(self, act: str, text: str, lang: str, confidence: float = 1.0) -> Reply:
        if act != "question" and confidence < ACT_CONFIDENCE and self.topic_words(text, lang):
            act = "question"  # an unsure guess at an act, on a line with content of its own: take it as asked
        if act == "question" and self.state.topic and not self.topic_words(text, lang):
            entry = self.kb.entries[self.state.topic]  # "what's it called?": nothing but the thread to go on
            return self._more_on(entry, text, lang, "")
        named = self.named_topic(text, lang) if act != "question" else None
        if named is not None and (act in FOLLOW_UPS or act == "source") and named.id != self.state.topic and \
                (not self.acts.points_back(text) or self._surely_named(text, lang)):
            act = "question"  # "why did deep learning take off now?" asks about a topic, not about the last reply
        if act in (*FOLLOW_UPS, "source", *FACTS) and named is None and self.state.topic is None \
                and self.topic_words(text, lang):
            act = "question"  # nothing to follow up on yet: the line's own words are the question
        if act in ("greet", "thanks", "bye", "how_are_you"):
            return self.say(act, lang) if confidence >= SMALLTALK_CONFIDENCE else self.answer_question(text, lang)
        if act == "thanks_question":
            return self._thanks_question(text, lang)
        if act == "yes":
            return self.quiz.start(lang, self.state.offered_quiz) if self.state.offered_quiz else self.demos.accept(lang)
        if act == "demo":
            return self.demos.in_words(text, lang)
        if act == "next":
            return self.follow_up("more", lang)
        if act == "no":
            self.state.offered_demo = None
            return self.say("declined", lang)
        if act in ("lang_en", "lang_zh") and not self.topic_words(text, lang):
            return self.switch_language("en" if act == "lang_en" else "zh", text)
        if act in ("lang_en", "lang_zh"):  # "who translated the Chinese version?" names a language, asks a question
            return self.answer_question(text, lang)
        if act in FOLLOW_UPS:
            return self.follow_up(act, lang, named)
        if act == "source":
            return self.facets.source(lang, named)
        if act in FACTS:
            return self.facets.fact(act, lang, named, text)
        if act == "question" and self.state.topic and self.acts.points_back(text):
            threaded = self._in_thread(text, lang)
            if threaded is not None:
                return threaded
        exclude = {self.state.topic} if act == "correction" and self.state.topic else set()
        return self.answer_question(text, lang, exclude)

    def lang_for(self, text: str) -> str:
        """The pinned language; else the one asked for in words, while Mr. A writes as he did then; else his."""
        written = detect_lang(text, default=self.state.lang)
        if self.state.pinned:
            return self.state.pinned
        if self.state.preferred and written == self.state.preferred_from:
            return self.state.preferred
        return written

    def say(self, kind: str, lang: str, reply_kind: str = "smalltalk") -> Reply:
        self.state.last = Said(None, f"persona:{kind}")
        return Reply(reply_kind, persona.line(kind, lang, self._rng), lang)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ questions

    def named_topic(self, text: str, lang: str) -> Entry | None:
        """The topic a line names in words of its own ("who invented *dropout*?"); None when its only content
        is what it asks ("who came up with it?", "那篇论文在哪里？"): then it is about the current topic."""
        topic_words = self.topic_words(text, lang)
        if not topic_words:
            return None
        hits = self._contextual(self.kb.search(text, lang, k=20), text, lang)
        threshold = self.kb.threshold(lang)
        for hit in hits[:1]:
            if hit.entry and hit.score >= threshold and self.kb.coverage(topic_words, lang, hit.owner) >= NAMED_COVERAGE:
                return hit.entry
        return None

    def answer_question(self, text: str, lang: str, exclude: set[str] = frozenset()) -> Reply:
        hits = self.kb.search(text, lang, k=60)
        hits = [h for h in (hits if exclude else self._contextual(hits, text, lang))
                if h.entry is None or h.entry.id not in exclude]
        best = hits[0] if hits else None
        threshold = self.kb.threshold(lang)
        if best is not None and best.score >= threshold:
            if best.entry is None and best.passage is not None:
                return self.passage_reply(best, lang)
            return self.about(best.entry, lang, text, score=best.score)
        current = next((h for h in hits if h.entry is not None and h.entry.id == self.state.topic), None)
        if current is not None and current.score >= threshold - CONTEXT_MARGIN and \
                self.kb.coverage(self.topic_words(text, lang), lang, current.owner) >= NAMED_COVERAGE:
            return self._more_on(current.entry, text, lang, persona.line("from_topic", lang, self._rng))
        return self.fallback(lang, best)

    def _in_thread(self, text: str, lang: str) -> Reply | None:
        """A question that points back ("is there code for this?", "它要收费吗？") asked within the current
        topic or one beside it: searched together with the topic's own question, so the thread supplies what
        the line leaves out. None when it is about something else, or the thread doesn't answer it either."""
        entry = self.kb.entries[self.state.topic or ""]
        if self.kb.unknown(self.kb.words(text, lang), lang) >= THREAD_UNKNOWN:
            return None  # "is it going to rain in London?": words the documents never use point elsewhere
        if self._surely_named(text, lang, besides=entry.id):
            return None
        near = {entry.id, *entry.related}
        hits = [h for h in self.kb.search(f"{entry.questions[lang][0]} {text}", lang, k=60)
                if h.entry is not None and h.entry.id in near]
        if not hits or hits[0].score < self.kb.threshold(lang):
            return None
        if hits[0].entry.id == entry.id:
            return self._more_on(entry, text, lang, "")
        return self.about(hits[0].entry, lang, text, score=hits[0].score)

    def _surely_named(self, text: str, lang: str, besides: str | None = None) -> bool:
        """Whether the line matches a topic (other than `besides`) well above the threshold: a line pointing
        back that does ("and residual nets, what do they add?") is about that topic; one whose words merely
        also fit elsewhere ("is there code for this?", "这个清单出自哪里？") stays with the thread."""
        alone = self.kb.search(text, lang, k=1)
        return bool(alone) and alone[0].score >= self.kb.threshold(lang) + NAMED_SURELY and \
            (besides is None or alone[0].entry is None or alone[0].entry.id != besides)

    def topic_words(self, text: str, lang: str) -> list[str]:
        """The line's words that say what it is about (not what it asks: "who", "paper", "show me"…)."""
        return [w for w in self.kb.words(text, lang) if w not in self.acts.cues(lang)]

    def _contextual(self, hits: list[Hit], text: str, lang: str) -> list[Hit]:
        """Short lines lean on the thread: the current topic and its related ones rank a little higher."""
        topic = self.kb.entries.get(self.state.topic or "")
        if topic is None or len(self.topic_words(text, lang)) > SHORT_LINE:
            return hits
        near = {topic.id, *topic.related}
        lifted = [h for h in hits[1:] if h.entry and h.entry.id in near and h.score + CONTEXT_BONUS > hits[0].score]
        if not hits or not lifted:
            return hits
        best = max(lifted, key=lambda h: (h.score, h.owner))
        return [_rescored(best, best.score + CONTEXT_BONUS)] + [h for h in hits if h is not best]

    def passage_reply(self, hit: Hit, lang: str) -> Reply:
        """An answer from the user's own document: quoted, since the words are theirs, not Ms. B's."""
        p = hit.passage
        doc = self.kb.user_documents.get(p.document) or self.kb.documents.get(p.document)
        name = doc.display_title(lang) if doc else p.document
        where = f"{name}, “{p.section}”" if p.section else name
        text = pick(lang, f"Your document has this to say ({where}):\n\n> {content.clip(p.text, 600)}",
                    f"你的文档里是这样说的（{where}）：\n\n> {content.clip(p.text, 600)}")
        self.state.last = Said(None, "passage")
        return Reply("answer", text, lang, sources=(Source(p.document, p.section, content.clip(p.text), name),),
                     score=hit.score)

    def about(self, entry: Entry, lang: str, text: str = "", *, score: float = 1.0) -> Reply:
        """A question about `entry`: its answer, or, when that was said already, the part that speaks to it."""
        if self.state.has_said(entry.id, "answer"):
            self.state.enter(entry.id)
            return self._more_on(entry, text, lang, persona.line("again", lang, self._rng))
        return self.part_reply(entry, "answer", lang, score=score)

    def _more_on(self, entry: Entry, text: str, lang: str, lead: str) -> Reply:
        """A question within a topic already talked about: the part whose words answer it (closest paragraph by
        the model, an unsaid part preferred when nearly as close), else what comes next."""
        said = self.state.said.get(entry.id, [])
        ranked = self.kb.parts_ranked(text, lang, entry) if text else []
        if ranked:
            best = ranked[0][2]
            fresh = next(((p, para, sim) for p, para, sim in ranked if p not in said and sim >= best - PART_MARGIN), None)
            if fresh is not None:
                return self.part_reply(entry, fresh[0], lang)
            part, para, _ = ranked[0]
            self.state.enter(entry.id)
            self.state.last = Said(entry.id, part)
            return Reply("answer", f"{persona.line('as_said', lang, self._rng)}\n\n{para}", lang, topic=entry.id,
                         sources=content.sources(self.kb, entry, lang), score=1.0)
        self.state.enter(entry.id)
        return self.follow_up("more", lang, lead=lead)

    def fallback(self, lang: str, best: Hit | None = None) -> Reply:
        picks = [self.kb.entries[i] for i in ("what-deep-means", "what-is-learning", "coordinate-change",
                                              "why-now", "breakthroughs", "getting-started") if i in self.kb.entries]
        topics = "\n".join(f"- {e.title[lang]}" for e in picks)
        tail = pick(lang, "Or type `/topics` for everything, `/demos` for the live demos.",
                    "或者输入 `/topics` 看全部话题，`/demos` 看现场演示。")
        self.state.last = Said(None, "fallback")
        return Reply("fallback", f"{persona.line('fallback', lang, self._rng)}\n\n{topics}\n\n{tail}", lang,
                     suggestions=tuple(e.questions[lang][0] for e in picks[:3]), score=best.score if best else 0.0)

    def _thanks_question(self, text: str, lang: str) -> Reply:
        parts = _CLAUSE.split(text, maxsplit=1)
        rest = parts[1].strip() if len(parts) > 1 else ""
        if not rest or self.acts.classify(parts[0]).name != "thanks":
            return self.answer_question(text, lang)  # no thanks before it after all: a question
        act = self.acts.classify(rest)
        inner = self.route(act.name if act.name not in ("thanks", "thanks_question") else "question", rest, lang,
                           act.confidence)
        return _with_lead(inner, persona.line("welcome", lang, self._rng))

    # ------------------------------------------------------------------ the current topic

    def current(self, named: Entry | None = None) -> Entry | None:
        return named or self.kb.entries.get(self.state.topic or "")

    def follow_up(self, kind: str, lang: str, named: Entry | None = None, lead: str = "") -> Reply:
        """"Tell me more", "why?", "an example?", "simpler": the layer asked for, else what is left."""
        entry = self.current(named)
        if entry is None:
            return self.say("no_topic", lang)
        said = self.state.said.get(entry.id, [])
        if kind != "more" and kind not in said:
            return self.part_reply(entry, kind, lang, lead=lead)
        part = content.next_part(entry, said)
        if part is None:
            self.state.enter(entry.id)
            return self._spent(entry, kind, lang)
        return self.part_reply(entry, part, lang, lead=lead)

    def _spent(self, entry: Entry, kind: str, lang: str) -> Reply:
        text = content.spent(entry, kind, lang)
        others = [self.kb.entries[r] for r in entry.related if r in self.kb.entries and r not in self.state.said]
        if others:
            text += "\n\n" + pick(lang, "We could go on to:", "我们可以接着聊：") + "\n" + "\n".join(
                f"- {e.title[lang]}" for e in others[:3])
        offer = self.demos.offer(entry, lang)
        self.state.last = Said(entry.id, "spent")
        return Reply("answer", text, lang, topic=entry.id, demo=self.state.offered_demo,
                     suggestions=content.suggestions(self.kb, entry, lang, self.state.said, entry.demo), score=1.0,
                     offer=offer)

    def part_reply(self, entry: Entry, part: str, lang: str, *, lead: str = "", score: float = 1.0,
                   mark: bool = True, offer: bool = True) -> Reply:
        """One part of an entry as a reply: the answer carries the citation line and the demo offer."""
        if mark:
            self.state.enter(entry.id)  # first: entering a topic withdraws the last topic's offer, not this one
        sources = content.sources(self.kb, entry, lang)
        body = content.quote(self.kb, entry, lang) if part == "source" else content.text_of(entry, part, lang) or ""
        citation = content.citation(sources, lang) if part == "answer" else ""
        offer_line = self.demos.offer(entry, lang) if offer and part in ("answer", "example") else ""
        if mark:
            self.state.mark(entry.id, part)
            self.state.last = Said(entry.id, part)
            if part == "answer":
                self.progress.saw_topic(entry.id)
        return Reply("answer", f"{lead}\n\n{body}" if lead else body, lang, topic=entry.id, sources=sources,
                     demo=entry.demo if offer_line else None,
                     suggestions=content.suggestions(self.kb, entry, lang, self.state.said,
                                                     entry.demo if offer_line else None),
                     score=score, citation=citation, offer=offer_line)

    # ------------------------------------------------------------------ language

    def switch_language(self, target: str, text: str) -> Reply:
        """"用中文说" / "in English please": what was just said, said again in the other language."""
        self.state.preferred, self.state.preferred_from = target, detect_lang(text, default=self.state.lang)
        last = self.state.last
        if last is not None and last.topic in self.kb.entries and last.part in content.PARTS:
            return self.part_reply(self.kb.entries[last.topic], last.part, target, mark=False)
        if last is not None and last.part == "fallback":
            return self.fallback(target)
        return Reply("command", pick(target, "Sure — I'll answer in English.", "好的，我用中文回答。"), target)

    # ------------------------------------------------------------------ resume

    def restore(self, turns: list[Any]) -> None:
        """Continue a saved conversation: Ms. B's last topic and Mr. A's last language carry on."""
        for turn in reversed(turns):
            if getattr(turn, "role", "") == "ms_b" and getattr(turn, "topic", None) in self.kb.entries:
                self.state.topic = turn.topic
                self.state.mark(turn.topic, "answer")
                break
        for turn in reversed(turns):
            if getattr(turn, "role", "") == "user" and turn.text.strip() and not turn.text.startswith("/"):
                self.state.lang = self.state.pinned or detect_lang(turn.text)
                break


def _rescored(hit: Hit, score: float) -> Hit:
    return replace(hit, score=score)


def _with_lead(reply: Reply, lead: str) -> Reply:
    return replace(reply, text=f"{lead} {reply.text}")


__all__ = ["Conversation", "ConversationState"]
