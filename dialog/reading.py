"""One reading of each line: everything the policies look at, computed once — its language, what it does
(the act distribution), its words, what the knowledge says of it alone and read together with the thread.
Nothing after the reading tokenises, embeds or searches the line again."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from dialog import ordinals
from dialog.acts import ACTS, ActClassifier
from dialog.state import ConversationState
from knowledge.base import Hit, KnowledgeBase
from knowledge.lang import detect_lang

K_ALONE = 40  # hits kept for the line alone: every topic a candidate could move to is among them
K_THREAD = 12
# A sentence that asks rather than states, in either language.
_ASKS = re.compile(r"[?？]|^\s*(what|why|how|who|whom|whose|which|when|where|is|are|was|were|do|does|did|can|could|"
                   r"would|should|will|isn't|aren't|doesn't|don't)\b|[吗呢么]\s*[?？。!！]*\s*$|什么|为什么|为啥|怎么|"
                   r"咋|哪|谁|几|多少|是不是|有没有|能不能|要不要", re.I)
_CLAUSE = re.compile(r"[,，.。!！;；:：]+")
# A first clause set off by punctuation or a dash: "back to english - is it a big deal?", "再切回中文：…"
_DIRECTIVE = re.compile(r"[,，.。!！;；:：]+|\s+[-–—]+\s+|——")
_LANGUAGE_WORD = re.compile(r"english|chinese|mandarin|英文|中文|英语|汉语|普通话|国语", re.I)
# A question about the demo just watched, not a request to watch ("ok what did i just watch", "刚才那个演示说明了什么")
_SEEN = re.compile(
    r"\b(what|which)\b[^?]*\b(did|have|was|were) (i|we)( just)? (watch|watched|see|saw|seen|look at|looking at)\b|"
    r"\bwhat (was|is) (that|this)( demo| animation| plot| thing| run)?( about| for| showing| supposed to show)?\s*[?!.]*$|"
    r"\bwhat (am i|are we) (looking at|seeing|watching)\b|\bwhat did (that|this|it) (show|prove|mean|teach)\b|"
    r"刚才.{0,8}(看|演示|跑)的?.{0,6}(是什么|是啥|啥|什么)|(这|那)个?演示.{0,6}(说明|讲|想说|是|证明|告诉)了?(我)?(什么|啥)|"
    r"(看到|看见)的(是|都是)?(什么|啥)", re.I)


@dataclass(frozen=True)
class Reading:
    text: str
    written: str  # the language the line's sentence is built in
    lang: str  # the language of the reply (pinned, asked for, the quiz's, or the line's)
    probs: Mapping[str, float]  # act → probability
    act: str  # the likeliest act, after the checks the examples can't teach
    words: tuple[str, ...]  # the search words of the line (misspellings mended)
    topic_words: tuple[str, ...]  # those that say what it is about, not what it asks ("who", "paper"…)
    unknown: float  # share of the words' weight the documents never use
    alone: tuple[Hit, ...]  # the knowledge for the line alone, best first
    threaded: tuple[Hit, ...]  # for the line read with the current topic; () without one
    threshold: float  # the calibrated confidence below which the line alone is declined
    points_back: bool  # "it", "this", "它", "那…呢"
    asks: bool  # a question rather than a statement
    watch: bool  # holds a phrase asking to see something run
    demo: str | None  # a demo the line names by its keywords
    described: str | None = None  # a demo whose description the line gives ("the multi-worker thing")
    cues: frozenset[str] = frozenset()  # follow-up kinds it holds a cue phrase for ("why", "example"…)
    declines: bool = False  # turns something down ("nah, skip the demo")
    meant: tuple[Hit, ...] = ()  # for a correction: the knowledge for what it says was meant
    neighbours: dict = field(default_factory=dict)  # label → similarity of the closest labelled question (dialog.exemplars)
    # the same, for the line read with the thread ("要钱吗？" on Deep Cognition reads like "is Deep Cognition free?")
    neighbours_threaded: dict = field(default_factory=dict)
    lead: str = ""  # "welcome": a thanks came before the question
    switch: str | None = None  # a language asked for in a first clause before the question ("back to english - …")
    extras: dict = field(default_factory=dict)  # computed on demand by the policies, once

    def p(self, *acts: str) -> float:
        return float(sum(self.probs.get(a, 0.0) for a in acts))

    @property
    def best(self) -> Hit | None:
        return self.alone[0] if self.alone else None

    def margin(self, hit: Hit | None) -> float:
        """How far a hit clears the threshold (negative: below it)."""
        return (hit.score - self.threshold) if hit is not None else -1.0

    def alone_hit(self, topic: str | None) -> Hit | None:
        return next((h for h in self.alone if h.entry is not None and h.entry.id == topic), None)

    def threaded_hit(self, topic: str | None) -> Hit | None:
        return next((h for h in self.threaded if h.entry is not None and h.entry.id == topic), None)

    def threaded_other(self, topic: str | None) -> Hit | None:
        return next((h for h in self.threaded if h.entry is not None and h.entry.id != topic), None)


def language(state: ConversationState, written: str, switching: bool = False) -> str:
    """The pinned language; else a quiz's own; else the one asked for in words, while Mr. A writes as he did
    then; else his."""
    if state.pinned:
        return state.pinned
    if state.asking is not None and state.quiz_lang and not switching:
        return state.quiz_lang
    if state.preferred and written == state.preferred_from:
        return state.preferred
    return written


def read(text: str, state: ConversationState, kb: KnowledgeBase, acts: ActClassifier,
         demo_named=lambda text: None, exemplars=None, demo_described=lambda kb, text, lang: None) -> Reading:
    """The reading of one (cleaned) line in the current state."""
    written = detect_lang(text, default=state.lang)
    body, lead = text, ""
    probs_arr = acts.probabilities(text)
    act = acts.classify(text, probs_arr).name
    if act in ("thanks", "thanks_question"):
        first, rest = _first_clause(text)
        if rest and acts.classify(first).name == "thanks":
            # "thanks! and who invented it?": the question after the thanks is what is asked
            body, lead = rest, "welcome"
            probs_arr = acts.probabilities(rest)
            act = acts.classify(rest, probs_arr).name
            if act in ("thanks", "thanks_question"):
                act = "question"
        elif act == "thanks_question":
            act = "question"  # no thanks before it after all
    elif act == "no" or acts.declines(text):
        rest = _first_clause(text)[1]
        if rest and acts.classify(rest).name in ("demo", "question", "why", "example", "simpler", "more"):
            # "别读了，直接跑一个给我看": what is turned down comes first; what is asked for instead is the line
            body = rest
            probs_arr = acts.probabilities(rest)
            act = acts.classify(rest, probs_arr).name
    switch = None
    # on what is asked after a thanks too ("thx. back in English: which book is it from?")
    first, rest = _first_clause(body, dash=True)
    if rest and len(first) <= 30 and _LANGUAGE_WORD.search(first) and _ASKS.search(rest):
        said = acts.classify(first).name
        if said in ("lang_en", "lang_zh") and acts.classify(rest).name not in ("lang_en", "lang_zh"):
            # "back to english - is it a big deal?": the language is asked for, and the question after it read
            switch, body = ("en" if said == "lang_en" else "zh"), rest
            probs_arr = acts.probabilities(rest)
            act = acts.classify(rest, probs_arr).name
    seen = _seen_demo(body, state, kb, written, demo_named)
    if seen is not None:
        # "what did i just watch": the demo just watched is the subject, asked about, not asked for again
        body = seen
        probs_arr = acts.probabilities(body)
        act = "question"
    probs = {a: float(p) for a, p in zip(ACTS, probs_arr)}
    switching = act in ("lang_en", "lang_zh")
    search_lang = written
    # "number 7" in a list Ms. B gave: the line is read as naming that item.
    ordinal = ordinals.referent(body, [t for t in (state.topic, *reversed(state.recent)) if t], kb.entries)
    if ordinal is not None:
        body = ordinals.resolved(body, ordinal, kb.entries, written)
    words = tuple(kb.words(body, search_lang))
    cues = acts.cues(search_lang)
    topic_words = tuple(w for w in words if w not in cues)
    alone = tuple(kb.search(body, search_lang, k=K_ALONE, words=list(words)))
    threaded: tuple[Hit, ...] = ()
    thread_vector = None
    if state.topic in kb.entries:
        thread_vector = _thread_vector(kb, body, search_lang, state.topic)
        threaded = tuple(_threaded(kb, body, search_lang, words, state.topic, thread_vector))
    watch, named = acts.asks_to_watch(body), demo_named(body)
    # Only a line that asks to watch is matched against what each demo shows; one that points at a place in a
    # list ("第一个那个也演示下") names its demo by that place, not by a description.
    describes = named is None and ordinal is None and ordinals.place(body) is None \
        and (watch or probs.get("demo", 0) > 0.3)
    described = demo_described(kb, body, search_lang) if describes else None
    return Reading(
        text=body, written=written, lang=switch or language(state, written, switching), probs=probs, act=act,
        words=words, switch=switch,
        topic_words=topic_words, unknown=kb.unknown(list(words), search_lang), alone=alone, threaded=threaded,
        threshold=kb.threshold(search_lang), points_back=acts.points_back(body), asks=bool(_ASKS.search(body)),
        watch=watch, demo=named, described=described, cues=acts.asks_for(body),
        declines=acts.declines(body), meant=_meant(kb, acts, body, search_lang, probs), lead=lead,
        neighbours=_neighbours(kb, exemplars, body),
        neighbours_threaded=exemplars.nearest(thread_vector) if exemplars is not None and len(exemplars)
        and thread_vector is not None else {})


def _neighbours(kb: KnowledgeBase, exemplars, text: str) -> dict:
    """The labelled questions closest to the line, by the same query vector its search used."""
    if exemplars is None or not len(exemplars) or not kb.dense_ready:
        return {}
    vec = kb.embed_queries([text])
    return exemplars.nearest(vec[0]) if vec is not None and len(vec) else {}


def _meant(kb: KnowledgeBase, acts: ActClassifier, text: str, lang: str, probs: dict) -> tuple[Hit, ...]:
    """A correction's own subject searched alone: "sorry, i meant recurrent, not residual" → "recurrent"."""
    focus = acts.meant(text)
    if not focus or focus == text:
        return ()
    return tuple(kb.search(focus, lang, k=3))


def _thread_vector(kb: KnowledgeBase, text: str, lang: str, topic: str) -> np.ndarray | None:
    """The line's meaning with the current topic's added (None before the model is ready)."""
    line_vec = kb.embed_queries([text]) if kb.dense_ready else None
    topic_vec = kb.topic_vector(topic, lang)
    if line_vec is None or topic_vec is None:
        return None
    v = line_vec[0] + topic_vec
    return v / max(float(np.linalg.norm(v)), 1e-6)


def _threaded(kb: KnowledgeBase, text: str, lang: str, words: tuple[str, ...], topic: str,
              vector: np.ndarray | None) -> list[Hit]:
    """The line read with the current topic: its question's words and meaning added to the line's own, so a
    line that leaves its subject out ("要钱吗？") finds what the thread supplies."""
    entry = kb.entries[topic]
    question = entry.questions[lang][0]
    context_words = kb.words(question, lang)
    return kb.search(f"{question} {text}", lang, k=K_THREAD, words=[*context_words, *words], vector=vector)


def _first_clause(text: str, *, dash: bool = False) -> tuple[str, str]:
    """(the first clause, the rest), both stripped, when punctuation (with `dash`, a dash too) sets one off
    ("thanks! and who invented it?", "English please - what is a GAN?"); else (text, "")."""
    parts = (_DIRECTIVE if dash else _CLAUSE).split(text, maxsplit=1)
    if len(parts) < 2:
        return text, ""
    return parts[0].strip(), parts[1].strip()


def _seen_demo(text: str, state: ConversationState, kb: KnowledgeBase, lang: str, demo_named) -> str | None:
    """For a question about the demo just watched: the line rewritten to ask what its topic is (by the topic's
    title, as a place in a list is read); else None."""
    demo = (state.running or state.watched or [None])[-1]
    if demo is None or not _SEEN.search(text):
        return None
    lang = lang if lang in ("en", "zh") else "en"
    topics = [t for t in (state.topic, *reversed(state.recent)) if t in kb.entries and kb.entries[t].demo == demo]
    if not topics:  # the demo was asked for by name: the topic closest to what it shows
        topics = [e.id for e in kb.entries.values() if e.demo == demo]
        # the topic whose title is the demo's name and little else ("Dropout", not "Overfitting, and how…")
        titled = sorted((t for t in topics if demo_named(kb.entries[t].title[lang]) == demo),
                        key=lambda t: len(kb.entries[t].title[lang]))
        topics = titled[:1] or topics
        if len(topics) > 1:
            from demos.core import get_demo

            shown = get_demo(demo)
            about = f"{shown.title[lang]}. {shown.description[lang]}"
            asked = kb.similarities(about, [kb.entries[t].questions[lang][0] for t in topics])
            titles = kb.similarities(about, [kb.entries[t].title[lang] for t in topics])
            if asked is not None and titles is not None:
                topics = [topics[int(np.argmax(asked + titles))]]
    if not topics:
        return None
    title = kb.entries[topics[0]].title[lang]
    return f"{title}是什么？" if lang == "zh" else f"What is {title}?"


__all__ = ["Reading", "read", "language"]
