"""`msb ask`: one question answered, or one per stdin line (each in a fresh conversation, one JSON line out)."""
from __future__ import annotations

import sys
from typing import TextIO

from dialog.actions import Save
from dialog.lines import say
from dialog.reply import Reply
from dialog.startup import conversation, load_kb
from dialog.terminal.output import emit, lines_of, stderr_notice, working
from knowledge.lang import detect_lang


def ask_one(question: str, *, lang: str | None, as_json: bool, out: TextIO | None = None, debug: bool = False) -> int:
    with working(say("ask.reading", lang or detect_lang(question))):
        kb = load_kb(notice=stderr_notice())
    emit(_answer(kb, question, lang), as_json, out or sys.stdout, debug=debug)
    return 0


def ask_batch(stream, out: TextIO, lang: str | None, debug: bool = False) -> int:
    """Exactly one JSON line out per line in, whatever the line holds."""
    with working("Loading…"):
        kb = load_kb(notice=stderr_notice())
    for line in lines_of(stream):
        emit(_answer(kb, line, lang), True, out, debug=debug)
    return 0


def _answer(kb, question: str, lang: str | None) -> Reply:
    conv = conversation(kb, lang=lang, can_run_demos=False)
    try:
        reply = conv.respond(question)
        if isinstance(reply.action, Save):  # nothing to save: each `ask` is a question on its own
            return Reply("error", say("ask_alone", reply.lang), reply.lang)
        return reply
    except Exception as exc:  # noqa: BLE001 — a bug becomes an error reply (and a line on stderr), never a traceback
        print(f"msb: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return Reply("error", say("error_internal", conv.state.lang), conv.state.lang)
