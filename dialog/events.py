"""What a reply changes in the conversation, as events: the helpers that compose replies return them, the
state applies them in one place (dialog.state), and the transcript keeps them so a resumed conversation is
rebuilt by replaying them rather than guessed from its text."""
from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, fields
from typing import Any, Union

from dialog.reply import Source


@dataclass(frozen=True)
class TopicEntered:
    topic: str


@dataclass(frozen=True)
class PartSaid:
    """A part of a topic was said: "answer", a layer ("why"…), a fact ("who"…), "source"."""

    topic: str
    part: str
    sure: bool = True  # False when Ms. B said which topic she took the line as: not a topic learned


@dataclass(frozen=True)
class Spoke:
    """What the last reply was, so "用中文说" can say it again: a topic's part, or a kind of line."""

    topic: str | None
    part: str  # a part of the topic, or "fallback", "smalltalk", "demo:<id>", "passage", "check"…
    detail: str = ""  # the line's key for small talk


@dataclass(frozen=True)
class DemoOffered:
    demo: str


@dataclass(frozen=True)
class QuizOffered:
    topic: str


@dataclass(frozen=True)
class OffersWithdrawn:
    pass


@dataclass(frozen=True)
class DemoStarted:
    demo: str


@dataclass(frozen=True)
class DemoEnded:
    demo: str
    status: str  # "finished" | "stopped" | "failed"


@dataclass(frozen=True)
class LanguagePreferred:
    """Asked for in words ("in English please"): kept while Mr. A writes in `written_in`."""

    lang: str
    written_in: str


@dataclass(frozen=True)
class LanguagePinned:
    lang: str | None  # None: follow the user again


@dataclass(frozen=True)
class Replied:
    lang: str
    sources: tuple[Source, ...] = ()  # the passages the reply relied on: what /sources shows next


@dataclass(frozen=True)
class QuizAsked:
    check: str
    remaining: tuple[str, ...]
    lang: str  # a quiz keeps the language it started in
    number: int = 1  # "Question 2 of 3"
    of: int = 1


@dataclass(frozen=True)
class QuizAnswered:
    check: str
    grade: str


@dataclass(frozen=True)
class QuizEnded:
    pass


@dataclass(frozen=True)
class TopicChecked:
    """A check was offered or asked on this topic in this session: not offered again."""

    topic: str


@dataclass(frozen=True)
class TourAt:
    step: int | None  # None: the tour is over


Event = Union[TopicEntered, PartSaid, Spoke, DemoOffered, QuizOffered, OffersWithdrawn, DemoStarted, DemoEnded,
              LanguagePreferred, LanguagePinned, Replied, QuizAsked, QuizAnswered, QuizEnded, TopicChecked, TourAt]
KINDS: dict[str, type] = {cls.__name__: cls for cls in Event.__args__}  # type: ignore[attr-defined]


def to_json(event: Event) -> dict[str, Any]:
    data = asdict(event)
    return {"event": type(event).__name__, **{k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}}


def from_json(data: Any) -> Event | None:
    """The event a transcript line holds; None for anything else (a damaged or unknown line is skipped)."""
    if not isinstance(data, dict) or data.get("event") not in KINDS:
        return None
    cls = KINDS[data["event"]]
    values = {}
    for f in fields(cls):
        if f.name not in data:
            if f.default is not MISSING:
                continue
            return None
        value = data[f.name]
        if f.name == "sources":
            value = tuple(Source(**{k: str(s.get(k, "")) for k in ("document", "section", "excerpt", "title", "original")})
                          for s in value if isinstance(s, dict)) if isinstance(value, list) else ()
        elif isinstance(value, list):
            value = tuple(str(v) for v in value)
        values[f.name] = value
    try:
        event = cls(**values)
    except TypeError:
        return None
    return event if _typed(event) else None


def _typed(event: Event) -> bool:
    """Each field holds the type it is declared with (a hand-edited transcript may say anything)."""
    for f in fields(event):
        value, declared = getattr(event, f.name), str(f.type)
        if value is None:
            if "None" not in declared:
                return False
        elif declared.startswith("tuple"):
            if not isinstance(value, tuple):
                return False
        elif declared.startswith("bool"):
            if not isinstance(value, bool):
                return False
        elif declared.startswith("int"):
            if not isinstance(value, int) or isinstance(value, bool):
                return False
        elif not isinstance(value, str):
            return False
    return True
