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
    entry: str  # the knowledge entry whose answer carries the step
    lead: dict[str, str]  # Ms. B's words before it
    prompt: dict[str, str]  # what she asks Mr. A after it
    demo: str | None = None  # a demo launched at this moment


STEPS: tuple[TourStep, ...] = (
    TourStep("opening",
             {"en": "Let's replay the meeting. You are Mr. A, the skeptic; I'm Ms. B.",
              "zh": "我们来重演那次见面吧。你是 A 先生，那位怀疑者；我是 B 女士。"},
             {"en": "You told me deep learning is just old neural networks with more layers. Say **next** and I'll start from the basics.",
              "zh": "你说深度学习不过是老式神经网络多加了几层。说 **下一步**，我从基础讲起。"}),
    TourStep("what-is-learning",
             {"en": "First, what \"learning\" means.", "zh": "首先，「学习」是什么意思。"},
             {"en": "Now a puzzle for you. Say **next**.", "zh": "现在给你出个题。说 **下一步**。"}),
    TourStep("line-puzzle",
             {"en": "Here's the puzzle.", "zh": "题目是这样的。"},
             {"en": "Impossible in (x, y)? Watch what a change of coordinates does — the demo is starting. Say **next** when you've seen it.",
              "zh": "在 (x, y) 里做不到？看看换一种坐标会怎样——演示开始了。看完后说 **下一步**。"},
             demo="coordinates"),
    TourStep("same-data",
             {"en": "\"That's cheating, it's a different dataset!\" — that's what you said. But…",
              "zh": "「这是作弊，这是另一个数据集！」——你当时就是这么说的。但是……"},
             {"en": "So what does this have to do with deep learning? Say **next**.", "zh": "那这和深度学习有什么关系？说 **下一步**。"}),
    TourStep("dl-subset-ml",
             {"en": "Where deep learning fits.", "zh": "深度学习处在什么位置。"},
             {"en": "But why neural networks, those old things? Say **next**.", "zh": "可为什么是神经网络这种老东西？说 **下一步**。"}),
    TourStep("why-neural-networks",
             {"en": "Why neural networks.", "zh": "为什么是神经网络。"},
             {"en": "And why only now? Say **next**.", "zh": "那为什么是现在？说 **下一步**。"}),
    TourStep("why-now",
             {"en": "Why now.", "zh": "为什么是现在。"},
             {"en": "Which advances, exactly? Say **next**.", "zh": "具体是哪些进展？说 **下一步**。"}),
    TourStep("breakthroughs",
             {"en": "The advances.", "zh": "那些进展。"},
             {"en": "One last thing I never told you. Say **next**.", "zh": "最后还有一件我没告诉你的事。说 **下一步**。"}),
    TourStep("what-deep-means",
             {"en": "What \"deep\" means.", "zh": "「深度」是什么意思。"},
             {"en": "That's the whole conversation. Ask me anything, or try `/demos` to see every idea live.",
              "zh": "整段对话就到这里。随便问我什么，或者输入 `/demos` 看看每个思想的现场演示。"},
             demo=None),
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
        text = "\n\n".join(p for p in (step.lead[lang], body.reply.text if body else "", step.prompt[lang]) if p)
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
