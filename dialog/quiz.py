"""Ms. B checks what Mr. A remembers: a few questions, one at a time, each answer judged and the card
scheduled for review (FSRS); a map of progress through the documents' arc of topics."""
from __future__ import annotations

from typing import Any, Protocol

from dialog.judge import Judge, Judgement
from dialog.reply import Reply
from dialog.state import ConversationState, Said
from knowledge.checks import Check
from knowledge.lang import pick

ROUND = 3  # questions in one round: a check, not an exam
# The arc of the documents, in the order the conversation walks it; /progress draws it.
ARC = (
    ("what-deep-means", "what-is-learning", "what-is-representation"),
    ("line-puzzle", "coordinate-change", "same-data", "automatic-search"),
    ("dl-representation-learning", "dl-subset-ml", "why-neural-networks"),
    ("why-now", "where-advances-came-from", "timeline", "just-more-layers", "hype", "black-box"),
    ("breakthroughs", "backpropagation", "initialization", "activation-functions", "dropout", "cnn", "resnet",
     "region-cnn", "rnn-lstm", "gan", "capsules"),
    ("getting-started", "python-and-r", "andrew-ng-course", "chollet-books", "frameworks", "tensorflow", "tensors",
     "distributed-deep-learning", "spark", "future-automl-gui"),
)
STAGES = {"en": ("What “deep” means", "Coordinates", "Deep learning is representation learning", "Why now",
                 "The breakthroughs", "Getting started"),
          "zh": ("「深度」是什么意思", "坐标变换", "深度学习即表征学习", "为什么是现在", "突破性成果", "如何入门")}


class Quizzed(Protocol):
    state: ConversationState
    kb: Any
    progress: Any


class Quiz:
    def __init__(self, conv: Quizzed) -> None:
        self.conv = conv
        self.state = conv.state

    @property
    def judge(self) -> Judge:
        if not hasattr(self, "_judge"):
            self._judge = Judge(self.conv.kb)
        return self._judge

    # ------------------------------------------------------------------ asking

    def start(self, lang: str, topic: str | None = None) -> Reply:
        """A round: what is due for review first, else the topics just talked about, else ones explored."""
        picks = self._pick(topic)
        if not picks:
            return Reply("smalltalk", pick(lang, "Nothing to check yet: ask me about a topic first, and I'll have "
                                                 "questions on it for you.", "还没什么可考的：先问我一个话题，我就能出题考你。"),
                         lang)
        self.state.quiz = picks[1:]
        self.state.checked.update(self.conv.kb.checks[c].entry for c in picks)
        lead = pick(lang, f"A quick check — {len(picks)} question{'s' if len(picks) > 1 else ''}. Answer in your "
                          "own words (or say *stop*).", f"来个小测验，{len(picks)} 道题。用你自己的话回答（想停就说「不做了」）。")
        return self._ask(picks[0], lang, lead)

    def _pick(self, topic: str | None) -> list[str]:
        checks = self.conv.kb.checks
        if topic is not None:
            return [c.id for c in checks.values() if c.entry == topic][:ROUND]
        out = [c for c in self.conv.progress.due(ROUND) if c in checks]
        reviewed = {check_id for check_id, _, _ in self.conv.progress.reviews()}
        topics = list(dict.fromkeys([*reversed(list(self.state.said)), *reversed(list(self.conv.progress.topics()))]))
        for per_topic in (1, ROUND):  # one question a topic first; then more from the same topics
            for entry in topics:
                fresh = [c.id for c in checks.values() if c.entry == entry and c.id not in reviewed and c.id not in out]
                out += fresh[:per_topic - sum(checks[c].entry == entry for c in out)]
                if len(out) >= ROUND:
                    return out[:ROUND]
        return out[:ROUND]

    def _ask(self, check_id: str, lang: str, lead: str = "") -> Reply:
        check = self.conv.kb.checks[check_id]
        self.state.asking = check_id
        self.state.last = Said(check.entry, "check")
        question = f"**{check.question[lang]}**"
        return Reply("answer", f"{lead}\n\n{question}" if lead else question, lang, topic=check.entry, score=1.0)

    # ------------------------------------------------------------------ answering

    def answer(self, text: str, lang: str) -> Reply:
        check = self.conv.kb.checks[self.state.asking]
        verdict = self.judge.judge(check, text, lang)
        card = self.conv.progress.review(check.id, check.entry, verdict.rating, verdict.grade, lang, text)
        self.state.asking = None
        words = _feedback(check, verdict, lang)
        if self.state.quiz:
            nxt = self.state.quiz.pop(0)
            return Reply("answer", f"{words}\n\n{self._ask(nxt, lang).text}", lang, topic=check.entry, score=1.0)
        when = card.due.astimezone().strftime("%Y-%m-%d %H:%M")
        end = pick(lang, f"That's the round. I'll bring this one back when it's due ({when}); `/progress` shows "
                         "your map.", f"这一轮就到这里。到时候（{when}）我会再考你；`/progress` 可以看你的学习地图。")
        return Reply("answer", f"{words}\n\n{end}", lang, topic=check.entry, score=1.0)

    def stop(self, lang: str) -> Reply:
        self.state.asking, self.state.quiz = None, []
        return Reply("command", pick(lang, "Quiz stopped — ask me anything.", "测验结束——随便问吧。"), lang)

    def offer(self, topic: str | None, lang: str) -> str:
        """After a topic has been explained and its demo watched: a check, once per topic a session."""
        if topic is None or topic in self.state.checked or self.state.running or \
                not any(c.entry == topic for c in self.conv.kb.checks.values()):
            return ""
        self.state.checked.add(topic)
        self.state.offered_quiz = topic
        self.state.offered_demo = None  # the latest offer is the one a "yes" accepts
        return pick(lang, "Want a quick check on this? Say **quiz me**.", "要不要来个小测验？说 **考考我**。")


def _feedback(check: Check, verdict: Judgement, lang: str) -> str:
    made = [kp.point[lang] for kp, ok in zip(check.key_points, verdict.points) if ok]
    missed = [kp.point[lang] for kp, ok in zip(check.key_points, verdict.points) if not ok]
    if verdict.grade == "right":
        head = pick(lang, "Exactly right.", "完全正确。")
    elif verdict.grade == "partial":
        head = pick(lang, f"Partly: you have *{'; '.join(made)}*, but not *{'; '.join(missed)}*.",
                    f"答对了一部分：你说到了「{'；'.join(made)}」，还差「{'；'.join(missed)}」。")
    else:
        # The answer below holds every key point: naming them first as well would say it twice.
        head = pick(lang, "Not quite — here is what I was after.", "不太对——我想听的是这个。")
    return f"{head}\n\n" + pick(lang, f"My answer: {check.answer['en']}", f"我的回答：{check.answer['zh']}")


def progress_map(kb: Any, progress: Any, lang: str) -> tuple[str, str | None]:
    """The documents' arc with what was explored (○ → ●), watched (▶) and remembered (%), and the next step."""
    seen, watched = progress.topics(), progress.demos_watched()
    memory: dict[str, list[float]] = {}
    for card in progress.cards():
        memory.setdefault(card.topic, []).append(card.retrievability)
    lines, suggestion = [], None
    for stage, topics in zip(STAGES[lang], ARC):
        cells = []
        for topic in topics:
            entry = kb.entries.get(topic)
            if entry is None:
                continue
            mark = "●" if topic in seen else "○"
            extra = " ▶" if entry.demo and entry.demo in watched else ""
            if topic in memory:
                extra += f" {sum(memory[topic]) / len(memory[topic]):.0%}"
            cells.append(f"{mark} {entry.title[lang]}{extra}")
            if suggestion is None and topic not in seen:
                suggestion = topic
        lines.append(f"**{stage}**\n\n" + "\n".join(f"- {c}" for c in cells))
    explored = sum(1 for stage in ARC for t in stage if t in seen)
    total = sum(len(stage) for stage in ARC)
    head = pick(lang, f"Your map so far — {explored} of {total} topics explored (● explored, ▶ demo watched, "
                      "% remembered now):", f"你目前的地图——{total} 个话题里探索了 {explored} 个（● 已探索，▶ 看过演示，% 现在还记得的把握）：")
    text = head + "\n\n" + "\n\n".join(lines)
    if suggestion is not None:
        text += "\n\n" + pick(lang, f"Next step: **{kb.entries[suggestion].title['en']}** — ask me about it.",
                              f"下一步：**{kb.entries[suggestion].title['zh']}**——问问我吧。")
    return text, suggestion
