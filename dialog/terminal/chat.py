"""`msb chat --plain`: the conversation line by line on stdin/stdout, state kept across lines.

A demo asked for here runs to its end before the next line is read (one line of conversation at a
time), and says so first; its outcome is a line of its own (`"event": "demo_outcome"` in JSON).
"""
from __future__ import annotations

import sys
from typing import TextIO

from demos.driver import Outcome, drive
from dialog.actions import Clear, Quit, Save, StartDemo
from dialog.content import QUOTED, clip
from dialog.lines import say
from dialog.reply import Reply
from dialog.session import Session
from dialog.startup import conversation, load_kb
from dialog.terminal.output import emit, stderr_notice, working
from dialog.transcript import Transcript, data_dir

STOP_WAIT = 2.0


def chat_plain(stream, out: TextIO, *, as_json: bool, lang: str | None, interactive: bool, debug: bool = False,
               resume: bool = False, lesson=None) -> int:
    """`resume`: go on with the newest conversation; `lesson`: with that transcript file (msb --lesson N)."""
    notice = stderr_notice()
    with working(say("plain.loading", lang or "en")):
        kb = load_kb(notice=notice)
    from dialog.progress import Progress

    spoken = [lang or "en"]  # the conversation's language, for the progress store's notices
    progress = Progress.default(notice, lang=lambda: spoken[0])
    if interactive:
        out.write(greeting(lang or "en", progress.due_count()))
    session = Session(conversation(kb, lang=lang, runs_beside=False, notice=notice, progress=progress),
                      Transcript(data_dir()))
    if resume or lesson is not None:
        _go_on(session, lesson, notice, lang or "en")
    warned = False
    while True:
        if interactive:
            out.write("you> ")
            out.flush()
        line = _readline(stream)
        if line is None:
            return 0
        reply = session.respond(line)
        spoken[0] = reply.lang or spoken[0]
        if session.transcript.error and not warned:
            warned = True
            notice(say("transcript_unsaved", reply.lang, why=session.transcript.error))
        elif warned and not session.transcript.error:  # every turn held meanwhile is on disk now
            warned = False
            notice(say("transcript_saved_again", reply.lang))
        emit(reply, as_json, out, debug=debug)
        action = reply.action
        if isinstance(action, Quit):
            return 0
        if isinstance(action, StartDemo):
            emit(run_inline(session, action, as_json, out), as_json, out, {"event": "demo_outcome"})
        elif isinstance(action, Save):
            ok, what = session.save(action.path)
            emit(Reply("command" if ok else "error", say("plain.saved_to", session.lang, path=what)
                       if ok else what, session.lang), as_json, out)  # type: ignore[arg-type]
        elif isinstance(action, Clear):
            session.clear()


def _go_on(session: Session, lesson, notice, lang: str) -> None:
    """Take up an earlier conversation: its turns go on in the same file, the engine from its topic."""
    if lesson is not None:
        transcript, loaded = Transcript.open(data_dir(), lesson)
    else:
        transcript, loaded = Transcript.resume(data_dir())
    if loaded.skipped:
        notice(say("transcript_skipped", lang, n=loaded.skipped, path=transcript.path))
    if transcript.path is None:
        notice(say("nothing_to_resume", lang))
        return
    session.transcript = transcript
    session.resume(loaded)
    if loaded.unanswered:
        notice(say("unanswered_note_plain", lang, question=clip(loaded.unanswered, QUOTED)))


def greeting(lang: str, due: int) -> str:
    """Ms. B's first line, and how many reviews are due when there are any (plain text: no Markdown here)."""
    text = say("plain.greeting", lang) + "\n"
    if due:
        text += say("reviews_due_plain_one" if due == 1 else "reviews_due_plain", lang, n=due) + "\n"
    return text


def _readline(stream) -> str | None:
    """The next line, decoded leniently (a stray invalid byte becomes �, never a crash); None at the end."""
    buffer = getattr(stream, "buffer", None)
    raw = buffer.readline() if buffer is not None else stream.readline()
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    return text.rstrip("\r\n")


def run_inline(session: Session, action: StartDemo, quiet: bool, out: TextIO) -> Reply:
    """Run the demo to its end (Ctrl-C stops it), drawn in the terminal unless `quiet` (JSON).

    In a worker process, as in the app: torch then never runs in this process, whose exit it could abort
    ("terminate called without an active exception", seen in 4 of 9 runs with a thread)."""
    from demos.runner import start

    lang = session.lang
    try:
        handle = start(action.request, device=action.device, lang=lang, fast=quiet, in_process=False)
    except Exception as exc:  # noqa: BLE001 — a DemoError or worse: either way a reply, not a crash
        return session.demo_ended(Outcome(action.demo, "failed", message=str(exc)))
    session.demo_started(action.demo)
    renderer = None
    if not quiet:
        from rich.console import Console

        from dialog.terminal.demo_view import Renderer
        from dialog.view import linebreak

        linebreak.install()
        renderer = Renderer(Console(file=out), title=action.request.demo.title.get(lang, action.demo), lang=lang,
                            summary=False)
    try:
        outcome = drive(handle, lambda events: [renderer.handle(e) for e in events] if renderer else None,
                        frame=0)
    except KeyboardInterrupt:
        outcome = Outcome(action.demo, "stopped")
    finally:
        if renderer is not None:
            renderer.close()
    handle.join(timeout=STOP_WAIT)
    if outcome.status == "finished" and outcome.figures:
        from dialog.view.figures import figures_text

        session.note(figures_text(outcome.figures), kind="figures")
    return session.demo_ended(outcome)
