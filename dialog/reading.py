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
        first, _, rest = (p.strip() for p in _split_once(text))
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
        rest = _split_once(text)[2].strip()
        if rest and acts.classify(rest).name in ("demo", "question", "why", "example", "simpler", "more"):
            # "别读了，直接跑一个给我看": what is turned down comes first; what is asked for instead is the line
            body = rest
            probs_arr = acts.probabilities(rest)
            act = acts.classify(rest, probs_arr).name
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
        text=body, written=written, lang=language(state, written, switching), probs=probs, act=act, words=words,
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


def _split_once(text: str) -> tuple[str, str, str]:
    parts = _CLAUSE.split(text, maxsplit=1)
    if len(parts) < 2:
        return text, "", ""
    return parts[0], "", parts[1]


__all__ = ["Reading", "read", "language"]
