"""Where Mr. A stands on each topic, in words he reads at a glance: explored, watched, checked, his last
grades, and a state read off the FSRS cards — new, learning, due now, or known until a date.

Never a percentage: FSRS's retrievability is 1 right after any review, failed or not, so "100 %" after two
"no idea"s would read as mastery. The state says what the scheduler will do instead: a card still in its
short (re)learning steps is *learning* (back in minutes), one spaced out in days is *known* until it is due.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from dialog.lines import say

STATES = ("new", "learning", "due", "known")
RATINGS = {1: "again", 2: "hard", 3: "good", 4: "easy"}  # FSRS's four ratings, by number
GRADE_MARKS = {"right": "✓", "partial": "◐", "wrong": "✗"}
LAST_GRADES = 3  # grades shown per topic: enough to see a trend, short enough for one line
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class TopicStanding:
    topic: str
    explored: bool
    watched: bool
    checks: int  # check questions with a card (answered at least once)
    grades: tuple[str, ...]  # the last few grades on its questions, oldest first
    state: str  # one of STATES
    due: datetime | None  # learning: back at; due: was due at; known: known until; new: None


def card_state(card: Any, now: datetime) -> str:
    """learning | due | known for one card (dialog.progress.CardState)."""
    if card.due <= now:
        return "due"
    return "learning" if card.learning else "known"


def standings(kb: Any, progress: Any, now: datetime | None = None) -> dict[str, TopicStanding]:
    """Every entry's standing, by topic id."""
    now = now or progress.clock()
    seen, watched = progress.topics(), progress.demos_watched()
    cards: dict[str, list[Any]] = {}
    for card in progress.cards():
        cards.setdefault(card.topic, []).append(card)
    topic_of = {c.id: c.entry for c in kb.checks.values()}
    grades: dict[str, list[str]] = {}
    for check_id, grade in progress.grades():
        if check_id in topic_of:
            grades.setdefault(topic_of[check_id], []).append(grade)
    out = {}
    for topic, entry in kb.entries.items():
        mine = cards.get(topic, [])
        state, due = _topic_state(mine, now)
        out[topic] = TopicStanding(topic, topic in seen, bool(entry.demo and entry.demo in watched), len(mine),
                                   tuple(grades.get(topic, [])[-LAST_GRADES:]), state, due)
    return out


def _topic_state(cards: Iterable[Any], now: datetime) -> tuple[str, datetime | None]:
    """The weakest card decides: one card due makes the topic due, one still learning makes it learning."""
    by_state: dict[str, list[datetime]] = {}
    for card in cards:
        by_state.setdefault(card_state(card, now), []).append(card.due)
    for state in ("due", "learning", "known"):
        if state in by_state:
            return state, min(by_state[state])
    return "new", None


def state_phrase(state: str, due: datetime | None, now: datetime, lang: str) -> str:
    """"known until Dec 5", "again in 10 minutes", "due now", "not checked yet" — in `lang`."""
    if state == "known" and due is not None:
        return say("state_known", lang, date=date_text(due, now, lang))
    if state == "learning" and due is not None:
        return say("state_learning", lang, wait=wait_text(due - now, lang))
    return say(f"state_{state}", lang)


def wait_text(delta: Any, lang: str) -> str:
    """A wait in the largest unit that fits, rounded: "1 minute", "10 minutes", "3 hours", "2 days"."""
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 60:
        n, unit = minutes, "minute"
    elif minutes < 36 * 60:
        n, unit = round(minutes / 60), "hour"
    else:
        n, unit = round(minutes / 1440), "day"
    return say(f"wait_{unit}{'' if n == 1 else 's'}", lang, n=n)


def date_text(when: datetime, now: datetime, lang: str) -> str:
    """A local date, the year only when it is not this one: "Dec 5" / "12月5日"."""
    local, today = when.astimezone(), now.astimezone()
    if lang == "zh":
        text = f"{local.month}月{local.day}日"
        return text if local.year == today.year else f"{local.year}年{text}"
    text = f"{_MONTHS[local.month - 1]} {local.day}"
    return text if local.year == today.year else f"{text}, {local.year}"


def grade_marks(grades: Iterable[str]) -> str:
    return " ".join(GRADE_MARKS.get(g, "?") for g in grades)
