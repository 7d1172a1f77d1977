"""How Ms. B talks about demos: starting one when asked in words or by name, and saying what happened when
it ends — never offering one that runs or was just watched. Each function reads the state and returns
the reply with its events (dialog.compose.Outcome)."""
from __future__ import annotations

import re
import weakref
from typing import Any

from demos.core import Demo, all_demos, get_demo, prepare
from demos.driver import Outcome as RunOutcome
from dialog import events as ev
from dialog.actions import StartDemo
from dialog.compose import Context, Outcome, entry_for
from dialog.lines import say
from dialog.reply import Reply
from knowledge.entries import Entry

# "deep learning" names the field, not the depth demo.
_FIELD = re.compile(r"deep[- ]learning|machine learning|深度学习|机器学习", re.I)


def demo_mentioned(text: str, demos: list[Demo] | None = None) -> str | None:
    """The demo whose keywords the text names, preferring the longest keyword match."""
    low = _FIELD.sub(" ", text.lower())
    best, best_len = None, 0
    for d in demos if demos is not None else all_demos():
        for kw in (*d.keywords.get("en", ()), *d.keywords.get("zh", ()), d.id):
            k = kw.lower()
            found = k and (re.search(rf"(?<![a-z]){re.escape(k)}(?![a-z])", low) if k.isascii() else k in low)
            if found and len(k) > best_len:
                best, best_len = d.id, len(k)
    return best


DESCRIBED_LEAD = 0.025  # how far the closest demo's description must lead the next to be the one meant
_WORD_WEIGHT = 0.03  # a word the line shares with a demo's own description, in cosine units


def demo_described(kb: Any, text: str, lang: str, demos: list[Demo] | None = None) -> str | None:
    """The demo whose title and description the line describes ("run the multi-worker thing", "一层一层那个"):
    closest in meaning, helped by words only that demo's description uses; None unless one clearly leads."""
    demos = demos if demos is not None else all_demos()
    texts, own = _described_by(kb, tuple(demos), lang)
    sims = kb.similarities(text, texts)
    if sims is None or len(demos) < 2:
        return None
    line = set(kb.words(text, lang))
    scores = [float(sims[i]) + _WORD_WEIGHT * len(line & own[i]) for i in range(len(demos))]
    order = sorted(range(len(demos)), key=lambda i: -scores[i])
    return demos[order[0]].id if scores[order[0]] - scores[order[1]] >= DESCRIBED_LEAD else None


_DESCRIPTIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _described_by(kb: Any, demos: tuple[Demo, ...], lang: str) -> tuple[list[str], list[set[str]]]:
    """Each demo's title and description in `lang`, and the words only that one uses: read once per knowledge
    base, not on every line that asks to watch."""
    per_kb = _DESCRIPTIONS.setdefault(kb, {})
    key = (tuple(d.id for d in demos), lang)
    if key not in per_kb:
        texts = [f"{d.title.get(lang) or d.title['en']}. {d.description.get(lang) or d.description['en']}"
                 for d in demos]
        words = [set(kb.words(t, lang)) for t in texts]
        counts: dict[str, int] = {}
        for ws in words:
            for w in ws:
                counts[w] = counts.get(w, 0) + 1
        per_kb[key] = (texts, [{w for w in ws if counts[w] == 1} for ws in words])
    return per_kb[key]


def title(demo_id: str, lang: str) -> str:
    demo = get_demo(demo_id)
    return demo.title.get(lang) or demo.title["en"]


def nearest(ctx: Context, entry: Entry | None) -> str | None:
    """A topic's demo, else the demo of the closest related topic that has one."""
    if entry is None:
        return None
    kb = ctx.kb
    return entry.demo or next((kb.entries[r].demo for r in entry.related if r in kb.entries and kb.entries[r].demo),
                              None)


def recent(ctx: Context) -> str | None:
    """The demo of the latest topic talked about that has one ("CNNs… then a detour… show me one")."""
    entries = ctx.kb.entries
    return next((entries[t].demo for t in reversed(ctx.state.recent) if t in entries and entries[t].demo), None)


def which(ctx: Context, lang: str) -> Outcome:
    """Asked to watch something with nothing to go on: the demos to choose from."""
    run = "/demo" if ctx.can_run_demos else "msb demo"  # `msb ask` can't start one: the command that can
    lines = "\n".join(f"- **{d.title[lang]}** — `{run} {d.id}`" for d in all_demos())
    reply = Reply("smalltalk", f"{say('which_demo', lang)}\n\n{lines}", lang)  # type: ignore[arg-type]
    return Outcome(reply, (ev.Spoke(None, "which_demo"),))


def stand_in(ctx: Context, topic: Entry, demo_id: str, lang: str, *, start: bool) -> Outcome:
    """A demo asked for a topic that has none of its own, the nearest one in its place — said so first. Asked
    for the topic by name ("show me capsules"), the nearest one is offered, not started: it shows something
    else. Asked on the thread ("show me" after Spark), it starts with that said."""
    topic_title = topic.title.get(lang) or topic.title["en"]
    if not start or not ctx.can_run_demos:
        text = say("demo_none_of_topic", lang, topic=topic_title, name=title(demo_id, lang), demo=demo_id)
        reply = Reply("smalltalk", text, lang, topic=topic.id)  # type: ignore[arg-type]
        return Outcome(reply, (ev.Spoke(topic.id, "no_demo"), ev.DemoOffered(demo_id)))
    started = request(ctx, demo_id, {}, lang)
    return started.led(say("demo_stand_in", lang, topic=topic_title))


def nothing_offered(ctx: Context, lang: str) -> Outcome:
    reply = Reply("smalltalk", say("nothing_offered", lang), lang)  # type: ignore[arg-type]
    return Outcome(reply, (ev.Spoke(None, "smalltalk", "nothing_offered"),))


def request(ctx: Context, demo_id: str, options: dict[str, Any], lang: str, *, device: str | None = None,
            explicit: bool = False) -> Outcome:
    """Start a demo (DemoError for an unknown one or a bad option): by name (`/demo NAME`, explicit) it
    may run beside another; asked in words, it waits for the one running."""
    req = prepare(demo_id, options)
    name = req.demo.title.get(lang) or req.demo.title["en"]
    spoke = (ev.OffersWithdrawn(), ev.Spoke(None, f"demo:{demo_id}"))
    state = ctx.state
    if not ctx.can_run_demos:
        flags = "".join(f" --{k} {v}" for k, v in options.items())
        text = say("demo_elsewhere", lang, name=name, description=req.demo.description[lang],
                   command=f"{demo_id}{flags}", demo=demo_id)
        return Outcome(Reply("demo", text, lang, demo=demo_id, score=1.0), spoke)  # type: ignore[arg-type]
    if demo_id in state.running:
        text = say("demo_running_already", lang, name=name)
        return Outcome(Reply("demo", text, lang, demo=demo_id, score=1.0), spoke)  # type: ignore[arg-type]
    running = [title(d, lang) for d in state.running]
    names = say("list_comma", lang).join(f"**{t}**" for t in running)
    if running and not explicit:
        text = say("demo_busy", lang, names=names, wanted=demo_id)
        return Outcome(Reply("demo", text, lang, demo=demo_id, score=1.0), spoke)  # type: ignore[arg-type]
    text = say("demo_start_beside" if ctx.runs_beside else "demo_start_inline", lang, name=name)
    if running:
        text += "\n\n" + say("demo_alongside", lang, names=names)
    reply = Reply("demo", text, lang, demo=demo_id, score=1.0,  # type: ignore[arg-type]
                  action=StartDemo(req, device=device, alongside=bool(running)))
    return Outcome(reply, spoke)


def ended(ctx: Context, outcome: RunOutcome, check_offer) -> Outcome:
    """Ms. B's words once a demo ended: its result tied back to the topic, or what went wrong.

    `check_offer(topic, lang)` is the quiz's offer of a check on the topic (dialog.quiz.offer)."""
    demo_id, lang, state = outcome.demo, ctx.state.lang, ctx.state
    done = ev.DemoEnded(demo_id, outcome.status)
    if outcome.status == "stopped":
        return Outcome(Reply("command", say("demo_stopped", lang), lang, demo=demo_id), (done,))  # type: ignore[arg-type]
    if outcome.status == "failed":
        text = say("demo_failed", lang, demo=demo_id, message=outcome.message)
        return Outcome(Reply("error", text, lang, demo=demo_id), (done,))  # type: ignore[arg-type]
    current = entry_for(ctx, state.topic)
    linked = current if current is not None and current.demo == demo_id else next(
        (e for e in ctx.kb.entries.values() if e.demo == demo_id), None)
    events: list[ev.Event] = [done]
    if linked is not None:
        events.append(ev.TopicEntered(linked.id))
    summary = outcome.result.summary if outcome.result else ""
    explained = linked is not None and state.has_said(linked.id, "answer") and linked.id not in state.unsure
    still_running = [d for d in state.running if d != demo_id]
    check, offered = check_offer(linked.id, lang) if explained and not still_running else ("", ())
    events += offered
    reply = Reply("demo", f"{summary}\n\n{say('demo_dig_in', lang)}".strip(), lang,  # type: ignore[arg-type]
                  topic=linked.id if linked else None, demo=demo_id, score=1.0, offer=check)
    return Outcome(reply, tuple(events))
