"""The candidate replies to a line. Each policy looks at the reading and the state and proposes what it would
say — stay on the thread (a layer, a fact or a paragraph of the current topic), move to a topic the line
names or one beside the thread, take a correction, start a demo, rebut, small talk, say it again in the
other language, take up an offer, decline — with the features that speak for it. One scorer
(dialog.scorer) picks among them with weights fitted on a labelled corpus; nothing here decides."""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Callable

from dialog import compose, content, demo_talk
from dialog import events as ev
from dialog.compose import Context, Outcome
from dialog.exemplars import DECLINE
from dialog.lines import say
from dialog.quiz import Quiz
from dialog.reading import Reading
from knowledge.base import Hit
from knowledge.entries import FACTS, LAYERS, Entry

FOLLOW_UPS = ("more", *LAYERS)
ASKED_OF_TOPIC = (*FOLLOW_UPS, *FACTS, "source")
SMALLTALK = ("greet", "thanks", "bye", "how_are_you")
MOVES = ("named", "named_fact", "beside", "correct")  # policies that take the conversation to another topic
HEDGED = ("named", "named_fact", "beside")  # said as a guess when unsure (a correction says what it took)
PARAGRAPHS = 3  # a topic's closest paragraphs each proposed: the scorer weighs closeness against novelty
NAMED = 4  # the line's best topics each proposed
BESIDE = 3  # the best topics of the line read with the thread, besides the current one


@dataclass
class Candidate:
    policy: str
    kind: str  # the reply's kind: answer | fallback | demo | smalltalk | command
    topic: str | None
    part: str | None  # the part of the topic it says (None: not a topic's part)
    demo: str | None
    features: dict[str, float]
    build: Callable[[], Outcome] = field(repr=False)
    score: float = 0.0


def _clip(x: float, lo: float = -0.5, hi: float = 0.5) -> float:
    return max(lo, min(hi, x))


def line_features(r: Reading, ctx: Context) -> dict[str, float]:
    """What every candidate knows of the line (each policy weighs them its own way)."""
    return {
        "bias": 1.0,
        "n": min(len(r.topic_words), 6) / 6,
        "none": float(not r.topic_words),
        "back": float(r.points_back),
        "asks": float(r.asks),
        "unknown": r.unknown,
        "best": _clip(r.margin(r.best)),
        "topic": float(ctx.state.topic is not None),
        "p_q": r.p("question"),
        "p_follow": r.p(*ASKED_OF_TOPIC, "next"),
        "p_demo": r.p("demo"),
        "p_small": r.p(*SMALLTALK),
        "p_yes": r.p("yes"),
        "p_no": r.p("no"),
        "p_lang": r.p("lang_en", "lang_zh"),
        "p_corr": r.p("correction"),
        "cued": float(bool(r.cues)),
        "thread_best": _clip(r.margin(r.threaded[0])) if r.threaded else -0.5,
        **_neighbour_features(r),
    }


def _neighbour_features(r: Reading) -> dict[str, float]:
    """How like the labelled questions the line reads: those about some topic, those to decline."""
    if not r.neighbours:
        return {}
    inside = max((v for k, v in r.neighbours.items() if k != DECLINE), default=0.0)
    outside = r.neighbours.get(DECLINE, 0.0)
    return {"ex": 1.0, "ex_in": inside, "ex_out": outside, "ex_gap": _clip(outside - inside)}


def _threaded_neighbour(r: Reading, topic: str) -> dict[str, float]:
    """How like the labelled questions about `topic` the line reads once read with the thread, against the
    closest of any other topic and those to decline."""
    if not r.neighbours_threaded:
        return {}
    near = r.neighbours_threaded
    sim = near.get(topic)
    other = max((v for k, v in near.items() if k not in (DECLINE, topic)), default=0.0)
    if sim is None:
        sim = min(near.values()) - 0.05
    return {"ext": 1.0, "ext_gap": _clip(sim - other), "ext_out": _clip(sim - near.get(DECLINE, 0.0))}


def _neighbour(r: Reading, topic: str) -> dict[str, float]:
    """How like the labelled questions about `topic` the line reads, against the closest of any topic."""
    if not r.neighbours:
        return {}
    inside = max((v for k, v in r.neighbours.items() if k != DECLINE), default=0.0)
    sim = r.neighbours.get(topic)
    return {"ex_t": float(sim is not None), "ex_t_gap": _clip((sim if sim is not None else inside - 0.5) - inside)}


def propose(r: Reading, ctx: Context, quiz: Quiz) -> list[Candidate]:
    base = line_features(r, ctx)
    out: list[Candidate] = []
    for policy in (_stay, _beside, _named, _correct, _demos, _smalltalk, _language, _offers, _passage):
        out += policy(r, ctx, base, quiz)
    out.append(_decline(r, ctx, base))
    return out


# ---------------------------------------------------------------- helpers


def _other(r: Reading, topic: str | None) -> Hit | None:
    """The best hit for the line alone that is not `topic`."""
    return next((h for h in r.alone if h.entry is not None and h.entry.id != topic), None)


def _about(ctx: Context, r: Reading, entry: Entry, *, sure: bool = True) -> tuple[str, Callable[[], Outcome]]:
    """A question about a topic: its answer, or — said already — the part that speaks to the line."""
    if not ctx.state.has_said(entry.id, "answer"):
        return "answer", lambda: compose.part(ctx, entry, "answer", r.lang, sure=sure, score=_score(r, entry))
    ranked = _paragraphs(ctx, r, entry)
    if ranked:
        part, para, top = ranked[0]
        unsaid = next(((p, q, sim) for p, q, sim in ranked if not ctx.state.has_said(entry.id, p)), None)
        # A question of its own ("is it free?") that a paragraph already said answers best gets that
        # paragraph again, not something new beside the point; "tell me more" gets what is new.
        pointed = r.asks and bool(r.topic_words) and not r.cues
        if unsaid is not None and not (pointed and ctx.state.has_said(entry.id, part) and top - unsaid[2] >= RESTATE):
            return unsaid[0], lambda: compose.part(ctx, entry, unsaid[0], r.lang,
                                                   lead=say("again", r.lang, ctx.rng))
        return part, lambda: compose.paragraph_again(ctx, entry, part, content.block_of(entry, part, para, r.lang),
                                                     r.lang)
    following = content.next_part(entry, ctx.state.said.get(entry.id, []))
    return following or "spent", lambda: compose.next_part(ctx, entry, "more", r.lang,
                                                           lead=say("again", r.lang, ctx.rng))


RESTATE = 0.01  # how much closer a said paragraph must be than anything unsaid to be said again

_TITLE_WORDS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
TITLE_SHARED = 3  # a word in more titles than this ("deep", "学习") names no topic in particular


def _title_words(kb) -> dict[str, frozenset[str]]:
    """Each topic's distinctive title words, in both languages: the words that name it."""
    if kb not in _TITLE_WORDS:
        per = {eid: frozenset(w.lower() for lang in ("en", "zh") for w in kb.words(e.title.get(lang, ""), lang))
               for eid, e in kb.entries.items()}
        counts: dict[str, int] = {}
        for words in per.values():
            for w in words:
                counts[w] = counts.get(w, 0) + 1
        _TITLE_WORDS[kb] = {eid: frozenset(w for w in ws if counts[w] <= TITLE_SHARED) for eid, ws in per.items()}
    return _TITLE_WORDS[kb]


def _titled(ctx: Context, r: Reading, entry: Entry) -> float:
    """Whether the line says one of the words that name the topic ("Siraj", "吴恩达", "dropout")."""
    names = _title_words(ctx.kb).get(entry.id, frozenset())
    return float(any(w.lower() in names for w in r.topic_words))


def _score(r: Reading, entry: Entry) -> float:
    hit = r.alone_hit(entry.id)
    return hit.score if hit is not None else 1.0


def _paragraphs(ctx: Context, r: Reading, entry: Entry) -> list[tuple[str, str, float]]:
    key = ("paragraphs", entry.id)
    if key not in r.extras:
        r.extras[key] = ctx.kb.parts_ranked(r.text, r.written, entry, by_sentence=bool(r.topic_words)) \
            if r.topic_words or r.text else []
    return r.extras[key]


# ---------------------------------------------------------------- staying on the thread


def _stay(r: Reading, ctx: Context, base: dict, quiz: Quiz) -> list[Candidate]:
    """A layer, a fact or the source of the current topic; or the paragraph of it that answers the line."""
    entry = compose.entry_for(ctx, ctx.state.topic)
    if entry is None:
        # "tell me more" before any topic: nothing to follow up on yet
        p = r.p(*ASKED_OF_TOPIC, "next")
        if p < 0.05 and not r.cues:
            return []
        return [Candidate("no_topic", "smalltalk", None, None, None, {**base, "p": p, "cue": float(bool(r.cues))},
                          lambda: compose.smalltalk(ctx, "no_topic", r.lang))]
    said = ctx.state.said.get(entry.id, [])
    cur = r.alone_hit(entry.id)
    thread = r.threaded_hit(entry.id)
    thread_other = r.threaded_other(entry.id)
    other = _other(r, entry.id)
    cov = ctx.kb.coverage(list(r.topic_words), r.written, f"entry:{entry.id}") if r.topic_words else 0.0
    common = {**base, "cur": _clip(r.margin(cur)), "thread": _clip(r.margin(thread)),
              # How much better another topic fits the line than the thread does: the line naming it.
              "cur_vs_other": _clip(r.margin(cur) - r.margin(other)),
              "cov_gap": cov - (other.coverage if other is not None else 0.0),
              "thread_top": float(bool(r.threaded) and r.threaded[0].entry is entry),
              "thread_gap": _clip((thread.score if thread else 0.0) - (thread_other.score if thread_other else 0.0)),
              "cov": cov, "other": _clip(r.margin(other)), "other_cov": other.coverage if other is not None else 0.0,
              "titled": _titled(ctx, r, entry), **_threaded_neighbour(r, entry.id),
              # pointing back and naming another topic by its name: the line leaves the thread
              "back_named_other": float(r.points_back and other is not None and bool(_titled(ctx, r, other.entry))),
              **_neighbour(r, entry.id)}
    out = []
    for kind in ASKED_OF_TOPIC:
        p = r.p(kind, "next") if kind == "more" else r.p(kind)
        if p < 0.02 and kind not in r.cues:
            continue
        if kind == "more":
            part = content.next_part(entry, said) or "spent"
        elif kind in FACTS:
            part = kind if kind in entry.facts else "spent"
        else:
            part = kind
        feats = {**common, "p": p, "cue": float(kind in r.cues), "has": float(part != "spent"),
                 "said": float(kind in said)}
        out.append(Candidate(f"layer:{_family(kind)}", "answer", entry.id, part, None, feats,
                             _layer_builder(ctx, r, entry, kind)))
    # A line that names nothing and asks for no follow-up ("yes", "ok") points at no paragraph.
    ranked = _distinct(_paragraphs(ctx, r, entry)) if r.topic_words or r.cues else []
    proposed = ranked[:PARAGRAPHS]
    # The paragraph that says the line's own words ("要钱吗？" → "免费") is proposed however far its meaning is.
    by_words = max(ranked[PARAGRAPHS:], key=lambda x: _words_in(ctx, r, x[1]), default=None)
    if by_words is not None and _words_in(ctx, r, by_words[1]) > 0:
        proposed.append(by_words)
    for part, para, sim in proposed:
        feats = {**common, "sim": sim, "gap": _paragraphs(ctx, r, entry)[0][2] - sim,
                 "words_in": _words_in(ctx, r, para),
                 "said": float(part in said), "cue": float(part in r.cues),
                 "back_other": float(r.points_back) * common["cur_vs_other"]}
        out.append(Candidate("in_topic", "answer", entry.id, part, None, feats,
                             _paragraph_builder(ctx, r, entry, part, para)))
    return out


def _words_in(ctx: Context, r: Reading, para: str) -> float:
    """The share of the line's topic words the paragraph says ("does it cost anything?" → "free")."""
    if not r.topic_words:
        return 0.0
    said = set(ctx.kb.words(para, r.written))
    return sum(w in said for w in r.topic_words) / len(r.topic_words)


def _family(kind: str) -> str:
    """Follow-ups share weights by family: the layers, the facts, the source."""
    return "fact" if kind in FACTS else ("source" if kind == "source" else "layer")


def _layer_builder(ctx: Context, r: Reading, entry: Entry, kind: str) -> Callable[[], Outcome]:
    if kind == "source":
        return lambda: compose.source(ctx, entry, r.lang)
    if kind in FACTS:
        if kind in entry.facts:
            return lambda: compose.part(ctx, entry, kind, r.lang)
        return lambda: compose.spent(ctx, entry, kind, r.lang)
    return lambda: compose.next_part(ctx, entry, kind, r.lang)


def _paragraph_builder(ctx: Context, r: Reading, entry: Entry, part: str, para: str) -> Callable[[], Outcome]:
    if not ctx.state.has_said(entry.id, part):
        return lambda: compose.part(ctx, entry, part, r.lang)
    return lambda: compose.paragraph_again(ctx, entry, part, content.block_of(entry, part, para, r.lang), r.lang)


def _distinct(ranked: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    seen: set[str] = set()
    out = []
    for part, para, sim in ranked:
        if part not in seen:
            seen.add(part)
            out.append((part, para, sim))
    return out


def _beside(r: Reading, ctx: Context, base: dict, quiz: Quiz) -> list[Candidate]:
    """A topic the line is about once read with the thread ("and the paper?", "学完课还要干嘛")."""
    entry = compose.entry_for(ctx, ctx.state.topic)
    if entry is None:
        return []
    near = [h for h in r.threaded if h.entry is not None and h.entry.id != entry.id][:BESIDE]
    out = []
    for rank, hit in enumerate(near):
        alone = r.alone_hit(hit.entry.id)
        feats = {**base, "thread": _clip(r.margin(hit)), "alone": _clip(r.margin(alone)), "cov": hit.coverage,
                 "rank": float(rank), "rel": float(hit.entry.id in entry.related),
                 "said": float(ctx.state.has_said(hit.entry.id, "answer")), "titled": _titled(ctx, r, hit.entry),
                 **_threaded_neighbour(r, hit.entry.id),
                 **_neighbour(r, hit.entry.id)}
        part, build = _about(ctx, r, hit.entry)
        out.append(Candidate("beside", "answer", hit.entry.id, part, None, feats, build))
    return out


# ---------------------------------------------------------------- moving to a named topic


def _named(r: Reading, ctx: Context, base: dict, quiz: Quiz) -> list[Candidate]:
    current = compose.entry_for(ctx, ctx.state.topic)
    entries = [h for h in r.alone if h.entry is not None][:NAMED]
    # The topics of the closest labelled questions are proposed too, where the search ranked them lower.
    near = sorted(((v, k) for k, v in r.neighbours.items() if k != DECLINE), reverse=True)[:2]
    for _, topic in near:
        hit = r.alone_hit(topic)
        if hit is not None and hit not in entries:
            entries.append(hit)
    ranked = _paragraphs(ctx, r, current) if current is not None else []
    stay_sim = ranked[0][2] if ranked else None
    out = []
    for rank, hit in enumerate(entries):
        entry = hit.entry
        if current is not None and entry.id == current.id and ctx.state.has_said(entry.id, "answer"):
            continue  # the current topic, already answered: staying on the thread says the rest
        nxt = next((h for h in entries[rank + 1:]), None)
        threaded = r.threaded_hit(entry.id)
        cur_hit = r.alone_hit(current.id) if current is not None else None
        feats = {**base, "m": _clip(r.margin(hit)), "cov": hit.coverage,
                 # Relative closeness generalises where the raw similarity (0.8–0.9 for everything) does not:
                 # against the line's best topic, the current topic, and the line read with the thread.
                 "dense_gap": _clip(hit.dense - entries[0].dense),
                 "vs_cur": _clip(hit.dense - cur_hit.dense) if cur_hit is not None else 0.0,
                 "vs_thread": _clip(hit.dense - r.threaded[0].dense) if r.threaded else 0.0,
                 "thread_m": _clip(r.margin(threaded)) if threaded is not None else -0.5,
                 "thread_top": float(bool(r.threaded) and r.threaded[0].entry is entry),
                 "back_away": float(r.points_back and current is not None and entry.id != current.id),
                 # A line pointing back leaves the thread only for a topic that fits it better than the thread.
                 "back_vs_cur": float(r.points_back) * (_clip(hit.dense - cur_hit.dense) if cur_hit else -0.5),
                 # how well the current topic's own paragraphs answer the line, against this topic's questions
                 "vs_stay": _clip(hit.dense - stay_sim) if stay_sim is not None else 0.0,
                 "gap": _clip(hit.score - nxt.score if nxt is not None else 0.5), "rank": float(rank),
                 "cur": float(current is not None and entry.id == current.id),
                 "rel": float(current is not None and entry.id in current.related),
                 "said": float(ctx.state.has_said(entry.id, "answer")),
                 "rebut": float(entry.rebuts), "rebut_claim": float(entry.rebuts and not r.asks),
                 "titled": _titled(ctx, r, entry), **_threaded_neighbour(r, entry.id),
                 # "is *his* video good for beginners?" moves only to a topic the line names by name
                 "back_untitled": float(r.points_back and current is not None and entry.id != current.id
                                        and not _titled(ctx, r, entry)),
                 **_neighbour(r, entry.id)}
        part, build = _about(ctx, r, entry)
        out.append(Candidate("named", "answer", entry.id, part, None, feats, build))
        for fact in FACTS:
            if fact in entry.facts and (r.p(fact) >= 0.1 or fact in r.cues):
                ffeats = {**feats, "p": r.p(fact), "cue": float(fact in r.cues)}
                out.append(Candidate("named_fact", "answer", entry.id, fact, None, ffeats,
                                     _fact_builder(ctx, r, entry, fact)))
    return out


def _fact_builder(ctx: Context, r: Reading, entry: Entry, fact: str) -> Callable[[], Outcome]:
    if ctx.state.has_said(entry.id, "answer"):
        return lambda: compose.part(ctx, entry, fact, r.lang)
    return lambda: compose.fact_with_answer(ctx, entry, fact, r.lang)


def _correct(r: Reading, ctx: Context, base: dict, quiz: Quiz) -> list[Candidate]:
    """"No, I meant X": the topic meant — what the line says it meant, else its best topic — never the one
    just answered."""
    if r.p("correction") < 0.05 and not r.meant:
        return []
    last = ctx.state.last.topic if ctx.state.last else None
    skip = (ctx.state.topic, last)
    found = [("meant", h) for h in r.meant if h.entry is not None and h.entry.id not in skip][:2]
    found += [("alone", h) for h in r.alone if h.entry is not None and h.entry.id not in skip][:2]
    out, seen = [], set()
    for source, hit in found:
        entry = hit.entry
        if entry.id in seen:
            continue
        seen.add(entry.id)
        feats = {**base, "p": r.p("correction"), "m": _clip(r.margin(hit)), "cov": hit.coverage,
                 "focus": float(source == "meant"), "first": float(not out), "titled": _titled(ctx, r, entry),
                 **_neighbour(r, entry.id)}
        part, build = _about(ctx, r, entry)
        out.append(Candidate("correct", "answer", entry.id, part, None, feats,
                             lambda b=build, e=entry: b().led(say("correction_taken", r.lang, title=e.title[r.lang]))))
    return out


# ---------------------------------------------------------------- demos


def _demos(r: Reading, ctx: Context, base: dict, quiz: Quiz) -> list[Candidate]:
    """A demo to start: named by its keywords, the one of a topic the line names, of the current topic, the
    one offered, or of a topic talked about before — each demo once, with what speaks for it."""
    p = r.p("demo")
    if p < 0.02 and not r.watch and r.demo is None and not (r.p("yes") > 0.2 and ctx.state.offered_demo):
        return []
    # How well the line names each demo's topic: its best hit among the entries whose demo it is.
    named: dict[str, tuple[float, int]] = {}
    entries = [h for h in r.alone if h.entry is not None]
    for rank, hit in enumerate(entries[:NAMED]):
        demo = demo_talk.nearest(ctx, hit.entry)
        if demo and demo not in named:
            named[demo] = (r.margin(hit), rank)
    current = demo_talk.nearest(ctx, compose.entry_for(ctx, ctx.state.topic))
    offered, before = ctx.state.offered_demo, demo_talk.recent(ctx)
    # A topic the line names by name ("show me capsules"), if it is not the thread's.
    top = entries[0].entry if entries and r.margin(entries[0]) > 0 and _titled(ctx, r, entries[0].entry) else None
    elsewhere = top is not None and top.id != ctx.state.topic
    # A demo named by its own words or by what it shows is the one asked for; so is one of a topic named by
    # name: the thread's or the offered one would not be.
    if r.demo or r.described:
        ids = [r.demo or r.described]
    else:
        thread = () if elsewhere else (current, offered, before)
        ids = list(dict.fromkeys(d for d in (r.described, *named, *thread) if d))
    # Right after a demo, a line that only names the next thing ("and resnet?", "初始化也来一个") asks for its demo;
    # one that asks what a thing is or how it works ("what does deep mean?") asks to be told.
    last = ctx.state.last.part if ctx.state.last is not None else ""
    shown = last[len("demo:"):] if last.startswith("demo:") else None
    if shown is not None and _ASKS_ABOUT.search(r.text) and not r.watch:
        shown = None
    line = {**base, "p": p, "watch": float(r.watch), "p_more": r.p("more", "example"), "declines": float(r.declines),
            "after_demo": float(shown is not None)}
    # A topic asked about that has no demo of its own: the nearest demo stands in for it, and says so.
    current_entry = compose.entry_for(ctx, ctx.state.topic)
    out = []
    for demo in ids:
        m, rank = named.get(demo, (-0.5, NAMED))
        build = lambda d=demo: demo_talk.request(ctx, d, {}, r.lang)
        asked_itself = demo in (r.demo, r.described)  # named or described: the demo itself is wanted
        if not asked_itself and top is not None and rank == 0 and top.demo is None:
            build = lambda d=demo, t=top: demo_talk.stand_in(ctx, t, d, r.lang, start=False)
        elif not asked_itself and not elsewhere and demo == current and current_entry is not None \
                and current_entry.demo is None:
            build = lambda d=demo, t=current_entry: demo_talk.stand_in(ctx, t, d, r.lang, start=True)
        names_it = demo == r.demo or rank == 0
        feats = {**line, "keyword": float(demo == r.demo), "described": float(demo == r.described),
                 "described_other": float(r.described is not None and demo != r.described),
                 "named_m": _clip(m), "named_top": float(rank == 0),
                 "current": float(demo == current), "offer": float(demo == offered), "recent": float(demo == before),
                 "running": float(demo in ctx.state.running),
                 "after_named": float(shown is not None and names_it and demo != shown),
                 # a demo named by its words in a conversation that has watched one ("do the backprop one next")
                 "named_after_watching": float(demo == r.demo and bool(ctx.state.watched or ctx.state.running)
                                               and (r.watch or not r.asks)),
                 "after_same": float(demo == shown)}
        out.append(Candidate("demo", "demo", None, None, demo, feats, build))
    out.append(Candidate("which_demo", "smalltalk", None, None, None, {**line, "sources": float(len(ids))},
                         lambda: demo_talk.which(ctx, r.lang)))
    return out


# A question about what something is, means or does — a request to be told, not to be shown.
_ASKS_ABOUT = re.compile(
    r"^\W*(?:so\s+|and\s+|ok\s+|okay\s+)?(?:what|why|how|who|which|when|where)\b(?!\s+about\b)(?=.*\b(?:is|are|was|were|does|"
    r"do|did|mean|means|work|works|help|helps|matter|matters|invented|came)\b)|是什么|什么是|啥是|是啥|什么意思|为什么|为啥|"
    r"怎么(?:回事|工作|运作|做到|起作用)|如何(?:工作|运作)|有什么用|谁(?:发明|提出)", re.I)


# ---------------------------------------------------------------- small talk, language, offers


def _smalltalk(r: Reading, ctx: Context, base: dict, quiz: Quiz) -> list[Candidate]:
    out = []
    for act in SMALLTALK:
        p = r.p(act)
        if p >= 0.05:
            out.append(Candidate("smalltalk", "smalltalk", None, None, None, {**base, "p": p},
                                 lambda a=act: compose.smalltalk(ctx, a, r.lang)))
    return out


def _language(r: Reading, ctx: Context, base: dict, quiz: Quiz) -> list[Candidate]:
    out = []
    last = ctx.state.last
    for act, target in (("lang_en", "en"), ("lang_zh", "zh")):
        p = r.p(act)
        if p >= 0.05:
            feats = {**base, "p": p, "has_last": float(last is not None), "same": float(target == ctx.state.lang)}
            topic = last.topic if last is not None else None
            part = last.part if last is not None and last.part in content.PARTS else None
            out.append(Candidate("language", "answer" if part else "command", topic, part, None, feats,
                                 lambda t=target: compose.resay(ctx, t, r.written)))
    return out


def _offers(r: Reading, ctx: Context, base: dict, quiz: Quiz) -> list[Candidate]:
    """"yes" / "no" to what Ms. B just offered: a demo or a check."""
    state = ctx.state
    out = []
    offered = float(bool(state.offered_demo or state.offered_quiz))
    if r.p("yes") >= 0.05:
        feats = {**base, "p": r.p("yes"), "offered": offered}
        if state.offered_quiz:
            topic = state.offered_quiz
            out.append(Candidate("yes", "answer", topic, "check", None, feats, lambda: quiz.start(r.lang, topic)))
        elif state.offered_demo:
            demo = state.offered_demo
            out.append(Candidate("yes", "demo", None, None, demo, feats,
                                 lambda: demo_talk.request(ctx, demo, {}, r.lang)))
        else:
            out.append(Candidate("yes", "smalltalk", None, None, None, feats,
                                 lambda: demo_talk.nothing_offered(ctx, r.lang)))
    if r.p("no") >= 0.05 or r.declines:
        feats = {**base, "p": r.p("no"), "offered": offered, "declines": float(r.declines),
                 "p_demo": r.p("demo")}
        out.append(Candidate("no", "smalltalk", None, None, None, feats,
                             lambda: compose.smalltalk(ctx, "declined", r.lang).then(ev.OffersWithdrawn())))
    return out


def _passage(r: Reading, ctx: Context, base: dict, quiz: Quiz) -> list[Candidate]:
    """A passage of the user's own documents."""
    hit = next((h for h in r.alone[:5] if h.passage is not None and h.entry is None), None)
    if hit is None:
        return []
    feats = {**base, "m": _clip(r.margin(hit)), "cov": hit.coverage,
             "rank": float(r.alone.index(hit))}
    return [Candidate("passage", "answer", None, "passage", None, feats, lambda: compose.passage(ctx, hit, r.lang))]


def _decline(r: Reading, ctx: Context, base: dict) -> Candidate:
    term = ctx.kb.central_unknown(r.text, r.written) if r.unknown > 0 else ""
    feats = {**base, "term": float(bool(term))}
    if r.neighbours_threaded and ctx.state.topic is not None:
        near = r.neighbours_threaded
        inside = max((v for k, v in near.items() if k != DECLINE), default=0.0)
        feats["ext_gap"] = _clip(near.get(DECLINE, inside - 0.5) - inside)
    return Candidate("decline", "fallback", None, None, None, feats,
                     lambda: compose.decline(ctx, r.lang, r.alone, term, r.best.score if r.best else 0.0))
