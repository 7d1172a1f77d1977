"""/tour: the arc of the original conversation, one step at a time, Ms. B leading."""
from __future__ import annotations

import re
from dataclasses import dataclass
from dialog import compose, demo_talk
from dialog import events as ev
from dialog.compose import Context, Outcome
from dialog.lines import say
from dialog.reply import Reply


@dataclass(frozen=True)
class TourStep:
    entry: str  # the knowledge entry whose answer carries the step; its words are tour.<entry>.lead/.prompt
    demo: str | None = None  # a demo launched at this moment

    def lead(self, lang: str) -> str:
        """Ms. B's words before the entry."""
        return say(f"tour.{self.entry}.lead", lang)

    def prompt(self, lang: str) -> str:
        """What she asks Mr. A after it."""
        return say(f"tour.{self.entry}.prompt", lang)


# The arc of the original conversation (the words are in dialog/catalogue/tour.yaml).
STEPS: tuple[TourStep, ...] = (
    TourStep("opening"),
    TourStep("what-is-learning"),
    TourStep("line-puzzle", demo="coordinates"),
    TourStep("same-data"),
    TourStep("dl-subset-ml"),
    TourStep("why-neural-networks"),
    TourStep("why-now"),
    TourStep("breakthroughs"),
    TourStep("what-deep-means"),
)


# Said right after a step, these mean "go on with the tour", not "tell me more about this topic".
_CONTINUE = re.compile(r"^(continue|go on|carry on|keep going|继续|接着|接着来|往下)\W*$", re.I)


class Tour:
    """The tour over the context's state: each step returns the reply and its events."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def start(self, lang: str) -> Outcome:
        return self.advance(lang, start=True)

    def continues(self, act: str, text: str) -> bool:
        """Only an explicit "next" (or "yes", "继续" right after a step) moves the tour on."""
        return act in ("next", "yes") or (act == "more" and bool(_CONTINUE.match(text.strip())))

    def stop(self, lang: str) -> Outcome:
        return Outcome(Reply("command", say("tour_ended", lang), lang), (ev.TourAt(None),))  # type: ignore[arg-type]

    def advance(self, lang: str, start: bool = False) -> Outcome:
        ctx = self.ctx
        current = ctx.state.tour_step if ctx.state.tour_step is not None and not start else -1
        step_no = current + 1
        if step_no >= len(STEPS):
            return Outcome(Reply("command", say("tour_over", lang), lang), (ev.TourAt(None),))  # type: ignore[arg-type]
        step = STEPS[step_no]
        at = ev.TourAt(step_no if step_no < len(STEPS) - 1 else None)
        entry = ctx.kb.entries.get(step.entry)
        body = compose.part(ctx, entry, "answer", lang, offer=not step.demo) if entry else None
        text = "\n\n".join(p for p in (step.lead(lang), body.reply.text if body else "", step.prompt(lang)) if p)
        sources = body.reply.sources if body else ()
        events = (*(body.events if body else ()), at)
        if step.demo and ctx.can_run_demos:
            started = demo_talk.request(ctx, step.demo, {}, lang)
            if started.reply.action is not None:
                reply = Reply("demo", text, lang, topic=step.entry, sources=sources, demo=step.demo,  # type: ignore[arg-type]
                              action=started.reply.action, score=1.0)
                return Outcome(reply, (*events, *started.events))
        reply = Reply("answer", text, lang, topic=step.entry, sources=sources, demo=step.demo, score=1.0)  # type: ignore[arg-type]
        return Outcome(reply, events)
