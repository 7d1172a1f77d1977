"""Facts asked of a topic ("who came up with it?", "which paper?", "where can I read it?", "when?") and
where its words come from ("source?", "出处") — of the topic named in the line, or the current one."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

from dialog import content
from dialog.reply import Reply
from dialog.state import ConversationState
from knowledge.entries import Entry
from knowledge.lang import pick


class Asks(Protocol):
    """What facet questions need of the conversation they belong to."""

    state: ConversationState
    kb: Any

    def current(self, named: Entry | None = None) -> Entry | None: ...

    def answer_question(self, text: str, lang: str, exclude: set[str] = ...) -> Reply: ...

    def topic_words(self, text: str, lang: str) -> list[str]: ...

    def part_reply(self, entry: Entry, part: str, lang: str, **kwargs: Any) -> Reply: ...

    def say(self, kind: str, lang: str, reply_kind: str = ...) -> Reply: ...

    def _more_on(self, entry: Entry, text: str, lang: str, lead: str) -> Reply: ...


class Facets:
    def __init__(self, conv: Asks) -> None:
        self.conv = conv
        self.state = conv.state

    def fact(self, facet: str, lang: str, named: Entry | None = None, text: str = "") -> Reply:
        """The fact asked for; a line that names a topic without that fact is answered as the question it is."""
        conv = self.conv
        entry = conv.current(named)
        if entry is None:
            return conv.answer_question(text, lang) if text else conv.say("no_topic", lang)
        # Asked where to read a paper the documents name but give no link for (or the reverse): the other helps.
        for part in (facet, {"link": "paper", "paper": "link"}.get(facet, "")):
            if part in entry.facts:
                if named is not None and not self.state.has_said(entry.id, "answer"):
                    return self._answer_with_fact(entry, part, lang)
                return conv.part_reply(entry, part, lang)
        if named is not None and text:
            return conv.answer_question(text, lang)
        if text and conv.topic_words(text, lang):  # "它要收费吗？": asked of the topic, not a fact it lacks
            return conv._more_on(entry, text, lang, "")
        self.state.enter(entry.id)
        return Reply("answer", content.spent(entry, facet, lang), lang, topic=entry.id, score=1.0)

    def _answer_with_fact(self, entry: Entry, part: str, lang: str) -> Reply:
        """A first question on a topic that also asks a fact of it: the answer, then the fact."""
        answer = self.conv.part_reply(entry, "answer", lang)
        fact = content.text_of(entry, part, lang) or ""
        self.state.mark(entry.id, part)
        return replace(answer, text=f"{answer.text}\n\n{fact}")

    def source(self, lang: str, named: Entry | None = None) -> Reply:
        entry = self.conv.current(named)
        if entry is None:
            return self.conv.say("no_topic", lang)
        reply = self.conv.part_reply(entry, "source", lang)
        if "paper" in entry.facts and not self.state.has_said(entry.id, "paper"):
            # "Where is that from originally?" may mean the article or the work behind it: she gives both.
            self.state.mark(entry.id, "paper")
            lead = pick(lang, "And the work behind it:", "它背后的原始出处：")
            reply = replace(reply, text=f"{reply.text}\n\n{lead} {entry.facts['paper'][lang]}")
        return reply
