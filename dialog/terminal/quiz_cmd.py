"""`msb quiz`, `msb review` and `msb progress`: a round of questions in plain text (each stdin line answers the question
asked; `--json` to script it), and the map of what has been explored, watched and remembered."""
from __future__ import annotations

import json
import sys

from dialog.progress import Progress
from dialog.progress_map import progress_map
from dialog.reply import Reply
from dialog.standing import RATINGS, card_state, standings
from dialog.startup import conversation, load_kb
from dialog.terminal.output import emit, stderr_notice, working
from knowledge.safe_text import json_safe


def quiz_main(*, lang: str | None, topic: str | None, as_json: bool, review: bool = False) -> int:
    """A round on what was explored (or on `topic`); with `review`, every question that is due."""
    with working("Getting your questions ready…"):
        kb = load_kb(notice=stderr_notice())
    conv = conversation(kb, lang=lang, progress=Progress.default(stderr_notice()))
    lang = lang or "en"
    hits = kb.search(topic, lang, k=1) if topic else []
    entry = hits[0].entry if hits and hits[0].entry and hits[0].score >= kb.threshold(lang) else None
    if topic and entry is None:
        print(f"msb quiz: no topic matches {topic!r} (msb ask \"/topics\" lists them)", file=sys.stderr)
        return 2
    reply = conv.start_review(lang) if review else conv.start_quiz(lang, entry.id if entry else None)
    _show(conv, reply, as_json)
    while conv.state.asking is not None:
        if not as_json and sys.stdin.isatty():
            sys.stdout.write("your answer> ")
            sys.stdout.flush()
        raw = sys.stdin.buffer.readline()
        if not raw:
            break
        answering = conv.state.asking
        reply = conv.respond(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        _show(conv, reply, as_json, answered=answering)
    return 0


def _show(conv, reply: Reply, as_json: bool, answered: str | None = None) -> None:
    extra = {"asking": conv.state.asking}
    if answered is not None:
        last = conv.progress.reviews()[-1:] or [(None, None, None)]
        extra.update({"answered": answered, "grade": last[0][1] if last[0][0] == answered else None})
    emit(reply, as_json, sys.stdout, extra if as_json else None)


def progress_main(*, lang: str | None, as_json: bool) -> int:
    kb = load_kb(dense=False, notice=stderr_notice())
    progress = Progress.default(stderr_notice())
    text, nxt = progress_map(kb, progress, lang or "en")
    if as_json:
        print(json_safe(json.dumps(progress_record(kb, progress, nxt), ensure_ascii=False)))
        return 0
    emit(Reply("command", text, lang or "en"), False, sys.stdout)
    return 0


def progress_record(kb, progress: Progress, nxt: str | None) -> dict:
    """The learner's record as data: each card's FSRS fields and state, each topic's standing. No
    retrievability: it is 1 right after any review, a failed one too, and read as "remembered"."""
    now = progress.clock()
    stamp = lambda t: t.isoformat(timespec="seconds") if t is not None else None  # noqa: E731
    cards = [{"check": c.check_id, "topic": c.topic, "state": card_state(c, now), "due": stamp(c.due),
              "stability": _round(c.stability), "difficulty": _round(c.difficulty),
              "last_review": stamp(c.last_review), "last_rating": c.last_rating,
              "last_rating_name": RATINGS.get(c.last_rating)}
             for c in progress.cards()]
    topics = [{"topic": s.topic, "explored": s.explored, "watched": s.watched, "checks": s.checks,
               "last_grades": list(s.grades), "state": s.state, "due": stamp(s.due)}
              for s in standings(kb, progress, now).values() if s.explored or s.checks or s.watched]
    return {"explored": sorted(progress.topics()), "watched": sorted(progress.demos_watched()),
            "due_now": progress.due_count(), "topics": topics, "cards": cards, "next": nxt}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
