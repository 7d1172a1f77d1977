"""Ms. B's replies built from the knowledge: a topic's part, a paragraph said again, an honest decline, a
passage of the user's own notes, small talk, the last reply in the other language. Each builder reads the
state and returns the reply with the events it implies; none changes the state itself."""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Sequence

from dialog import content
from dialog import events as ev
from dialog.lines import say
from dialog.reply import Reply, Source
from dialog.state import ConversationState
from knowledge.base import Hit, KnowledgeBase
from knowledge.entries import FACTS, Entry

# The topics a decline points to when nothing is near: the arc of the original conversation.
STARTERS = ("what-deep-means", "what-is-learning", "coordinate-change", "why-now", "breakthroughs", "getting-started")


@dataclass(frozen=True)
class Outcome:
    """A reply and what it changes in the conversation."""

    reply: Reply
    events: tuple[ev.Event, ...] = ()

    def then(self, *more: ev.Event) -> "Outcome":
        return Outcome(self.reply, self.events + more)

    def led(self, lead: str) -> "Outcome":
        """The same reply with a lead before its words."""
        if not lead:
            return self
        joiner = " " if lead.endswith(("!", "！")) and len(lead) < 24 else "\n\n"
        return Outcome(replace(self.reply, text=f"{lead}{joiner}{self.reply.text}"), self.events)


@dataclass
class Context:
    """What composing a reply needs: the knowledge, the state (read only here), and what the front end can do."""

    kb: KnowledgeBase
    state: ConversationState
    can_run_demos: bool = True
    runs_beside: bool = True  # demos run beside the chat (the app), or before the next line (plain chat)
    progress: Any = None  # the learner's store (dialog.progress)
    rng: random.Random = field(default_factory=random.Random)


def entry_for(ctx: Context, topic: str | None) -> Entry | None:
    return ctx.kb.entries.get(topic or "")


# ---------------------------------------------------------------- a topic's parts


def offer_line(ctx: Context, entry: Entry, lang: str) -> tuple[str, tuple[ev.Event, ...]]:
    """The invitation to watch the entry's demo, or "" when it runs or was watched already."""
    demo = entry.demo
    state = ctx.state
    if not demo or demo in state.running or demo in state.watched:
        return "", ()
    key = "demo_offer" if ctx.can_run_demos else "demo_offer_cli"
    return say(key, lang, demo=demo), (ev.DemoOffered(demo),)


def part(ctx: Context, entry: Entry, part_name: str, lang: str, *, lead: str = "", sure: bool = True,
         offer: bool = True, mark: bool = True, score: float = 1.0) -> Outcome:
    """One part of an entry as a reply: the answer carries the citation line and the demo offer."""
    sources = content.sources(ctx.kb, entry, lang)
    if part_name == "source":
        body = content.quote(ctx.kb, entry, lang)
    else:
        body = content.text_of(entry, part_name, lang) or ""
    citation = content.citation(ctx.kb, sources, lang) if part_name == "answer" else ""
    line, offered = offer_line(ctx, entry, lang) if offer and part_name in ("answer", "example") else ("", ())
    events: list[ev.Event] = []
    if mark:
        # Entering first: entering a topic withdraws the last topic's offer, not this one.
        events += [ev.TopicEntered(entry.id), ev.PartSaid(entry.id, part_name, sure), ev.Spoke(entry.id, part_name)]
    events += offered
    said = dict(ctx.state.said)
    said[entry.id] = [*said.get(entry.id, []), part_name]
    reply = Reply("answer", f"{lead}\n\n{body}" if lead else body, lang, topic=entry.id,  # type: ignore[arg-type]
                  sources=sources, demo=entry.demo if line else None,
                  suggestions=content.suggestions(ctx.kb, entry, lang, said, _watchable(ctx, entry, line)),
                  score=score, citation=citation, offer=line)
    return Outcome(reply, tuple(events))


def _watchable(ctx: Context, entry: Entry, offer: str) -> str | None:
    """The demo a "show me" suggestion would start: only where saying it can start one (not `msb ask`)."""
    return entry.demo if offer and ctx.can_run_demos else None


def paragraph_again(ctx: Context, entry: Entry, part_name: str, paragraph: str, lang: str) -> Outcome:
    """A part already said, asked about again: the paragraph that answers, said as said before."""
    reply = Reply("answer", f"{say('as_said', lang, ctx.rng)}\n\n{paragraph}", lang,  # type: ignore[arg-type]
                  topic=entry.id, sources=content.sources(ctx.kb, entry, lang), score=1.0)
    return Outcome(reply, (ev.TopicEntered(entry.id), ev.Spoke(entry.id, part_name)))


def spent(ctx: Context, entry: Entry, kind: str, lang: str) -> Outcome:
    """Nothing new left on the topic for this follow-up: said honestly, with where to go next."""
    text = content.spent(entry, kind, lang)
    others = [ctx.kb.entries[r] for r in entry.related if r in ctx.kb.entries and r not in ctx.state.said]
    if others and kind not in FACTS:
        text += "\n\n" + say("go_on_to", lang) + "\n" + "\n".join(f"- {e.title[lang]}" for e in others[:3])
    line, offered = offer_line(ctx, entry, lang)
    reply = Reply("answer", text, lang, topic=entry.id, demo=entry.demo if line else None,  # type: ignore[arg-type]
                  suggestions=content.suggestions(ctx.kb, entry, lang, ctx.state.said, _watchable(ctx, entry, line)),
                  score=1.0, offer=line)
    return Outcome(reply, (ev.TopicEntered(entry.id), ev.Spoke(entry.id, "spent"), *offered))


def next_part(ctx: Context, entry: Entry, kind: str, lang: str, lead: str = "") -> Outcome:
    """"Tell me more", "why?", "an example?", "simpler": the layer asked for, else what is left."""
    said = ctx.state.said.get(entry.id, [])
    if kind != "more" and kind not in said and content.text_of(entry, kind, lang):
        return part(ctx, entry, kind, lang, lead=lead)
    following = content.next_part(entry, said)
    if following is None:
        return spent(ctx, entry, kind, lang)
    return part(ctx, entry, following, lang, lead=lead)


# ---------------------------------------------------------------- other replies


def smalltalk(ctx: Context, key: str, lang: str, kind: str = "smalltalk") -> Outcome:
    reply = Reply(kind, say(key, lang, ctx.rng), lang)  # type: ignore[arg-type]
    return Outcome(reply, (ev.Spoke(None, "smalltalk", key),))


def decline(ctx: Context, lang: str, hits: Sequence[Hit] = (), term: str = "", score: float = 0.0) -> Outcome:
    """An honest "that's outside what I know": the term not covered when there is one, the nearest topics."""
    # The nearest topics are named only when they share a word with the question: "the capital of France"
    # has no nearest topic, "batch normalization" may.
    near = [h.entry for h in hits if h.entry is not None and h.coverage > 0][:2] if term else []
    picks = near or [ctx.kb.entries[i] for i in STARTERS if i in ctx.kb.entries]
    topics = "\n".join(f"- {e.title[lang]}" for e in picks)
    if term:
        head = f"{say('fallback_term', lang, term=term)} {say('fallback_nearest' if near else 'fallback_topics', lang)}"
    else:
        head = say("fallback", lang, ctx.rng)
    tail = say("fallback_more" if ctx.can_run_demos else "fallback_more_cli", lang)
    reply = Reply("fallback", f"{head}\n\n{topics}\n\n{tail}", lang,
                  suggestions=tuple(e.questions[lang][0] for e in picks[:3]), score=score)  # type: ignore[arg-type]
    return Outcome(reply, (ev.Spoke(None, "fallback", term),))


def passage(ctx: Context, hit: Hit, lang: str) -> Outcome:
    """An answer from the user's own document: quoted, since the words are theirs, not Ms. B's."""
    p = hit.passage
    assert p is not None
    doc = ctx.kb.user_documents.get(p.document) or ctx.kb.documents.get(p.document)
    name = doc.display_title(lang) if doc else p.document
    where = f"{name}, “{p.section}”" if p.section else name
    text = say("your_document", lang, where=where, quote=content.blockquote(p.text, 600))
    reply = Reply("answer", text, lang, sources=(Source(p.document, p.section, content.clip(p.text), name),),
                  score=hit.score)  # type: ignore[arg-type]
    return Outcome(reply, (ev.Spoke(None, "passage"),))


def resay(ctx: Context, target: str, written_in: str) -> Outcome:
    """"用中文说" / "in English please": what was just said, said again in the other language."""
    prefer = ev.LanguagePreferred(target, written_in)
    last = ctx.state.last
    entry = entry_for(ctx, last.topic) if last else None
    if last is not None and entry is not None and last.part in content.PARTS:
        return part(ctx, entry, last.part, target, mark=False).then(prefer, ev.Spoke(entry.id, last.part))
    if last is not None and entry is not None and last.part == "spent":
        return spent(ctx, entry, "more", target).then(prefer)
    if last is not None and last.part == "fallback":
        return decline(ctx, target, term=last.detail).then(prefer)
    if last is not None and last.part == "smalltalk" and last.detail:
        return smalltalk(ctx, last.detail, target).then(prefer)
    reply = Reply("command", say("lang_sure", target), target)  # type: ignore[arg-type]
    return Outcome(reply, (prefer,))


def fact_with_answer(ctx: Context, entry: Entry, fact: str, lang: str, *, sure: bool = True) -> Outcome:
    """A first question on a topic that also asks a fact of it: the answer, then the fact."""
    answer = part(ctx, entry, "answer", lang, sure=sure)
    text = content.text_of(entry, fact, lang) or ""
    return Outcome(replace(answer.reply, text=f"{answer.reply.text}\n\n{text}"),
                   answer.events + (ev.PartSaid(entry.id, fact),))


def source(ctx: Context, entry: Entry, lang: str) -> Outcome:
    """Where a topic's words come from: the passage, and the work behind it when the entry names one."""
    out = part(ctx, entry, "source", lang)
    if "paper" in entry.facts and not ctx.state.has_said(entry.id, "paper"):
        # "Where is that from originally?" may mean the article or the work behind it: she gives both.
        text = f"{out.reply.text}\n\n{say('work_behind', lang)} {entry.facts['paper'][lang]}"
        out = Outcome(replace(out.reply, text=text), out.events + (ev.PartSaid(entry.id, "paper"),))
    return out


def hedged(ctx: Context, outcome: Outcome, topic: str, lang: str) -> Outcome:
    """An answer given on a guess at what was meant: it says which topic it took the line as, and the topic
    is not counted as learned (no progress entry, no check question drawn from it)."""
    entry = entry_for(ctx, topic)
    if entry is None:
        return outcome
    events = tuple(replace(e, sure=False) if isinstance(e, ev.PartSaid) else e for e in outcome.events)
    return Outcome(outcome.reply, events).led(say("taken_as", lang, title=entry.title[lang]))


def titles(entries: Iterable[Entry], lang: str) -> list[str]:
    return [e.title[lang] for e in entries]
