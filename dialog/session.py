"""Line-based front ends of the engine: `ask` (one-shot and batch) and `chat --plain`."""
from __future__ import annotations

import json
import sys
from typing import Callable, TextIO

from dialog.engine import Conversation
from dialog.reply import Reply
from knowledge.base import KnowledgeBase


def load_kb(dense: bool = True, notice: Callable[[str], None] | None = None, progress=None) -> KnowledgeBase:
    notice = notice or (lambda m: print(m, file=sys.stderr))
    from demos.core import all_demos

    kb = KnowledgeBase.load(demo_ids=[d.id for d in all_demos()], notice=notice)
    if dense:
        kb.warm_up(notice=notice, progress=progress)
    return kb


def safe_respond(conv: Conversation, text: str) -> Reply:
    """A reply for any input: a bug becomes an error reply (and a line on stderr), never a traceback."""
    try:
        return conv.respond(text)
    except Exception as exc:  # noqa: BLE001 — the promise is one reply per line, whatever happens
        print(f"msb: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return Reply("error", "Sorry — something went wrong on my side answering that. Please try again.",
                     conv.state.lang)


def emit(reply: Reply, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
    else:
        out.write(reply.text.rstrip() + "\n")
        if reply.suggestions:
            out.write("\n" + "  ".join(f"→ {s}" for s in reply.suggestions) + "\n")
        out.write("\n")
    out.flush()


def ask_batch(kb: KnowledgeBase, lines: TextIO, out: TextIO, lang: str | None) -> int:
    """Each line an independent question in a fresh conversation; exactly one JSON line out per line in."""
    for raw in lines:
        conv = Conversation(kb, lang=lang, can_run_demos=False)
        emit(safe_respond(conv, raw.rstrip("\r\n")), True, out)
    return 0


def chat_plain(kb: KnowledgeBase, lines: TextIO, out: TextIO, *, as_json: bool, lang: str | None,
               interactive: bool) -> int:
    conv = Conversation(kb, lang=lang, can_run_demos=True)
    while True:
        if interactive:
            out.write("you> ")
            out.flush()
        raw = lines.readline()
        if not raw:
            return 0
        reply = safe_respond(conv, raw.rstrip("\r\n"))
        emit(reply, as_json, out)
        if reply.action == "quit":
            return 0
        if reply.action == "start_demo":
            emit(run_demo_inline(conv, reply.args, quiet=as_json), as_json, out)
        elif reply.action == "save":
            emit(_save(conv, reply.args["path"]), as_json, out)


def run_demo_inline(conv: Conversation, args: dict, *, quiet: bool) -> Reply:
    """Plain chat has one line of conversation at a time, so a demo runs to its end before the next question."""
    from demos.core import Error, Result, Stopped
    from demos.runner import start_demo

    try:
        handle = start_demo(args["demo"], args.get("options") or {}, device=args.get("device"),
                            lang=conv.state.lang, fast=quiet, in_process=True)
    except Exception as exc:  # noqa: BLE001 — UserError or worse: either way a reply, not a crash
        return conv.demo_failed(args["demo"], str(exc))
    renderer = None
    if not quiet:
        from rich.console import Console

        from demos.core import get_demo
        from demos.render import Renderer

        renderer = Renderer(Console(), title=get_demo(args["demo"]).title.get(conv.state.lang, args["demo"]),
                            lang=conv.state.lang)
    try:
        while True:
            for ev in handle.events(timeout=0.1):
                if renderer is not None:
                    renderer.handle(ev)
                if isinstance(ev, Result):
                    return conv.demo_finished(args["demo"], ev.metrics, ev.summary)
                if isinstance(ev, Error):
                    return conv.demo_failed(args["demo"], ev.message)
                if isinstance(ev, Stopped):
                    return Reply("command", "Demo stopped.", conv.state.lang)
            if handle.done:
                return conv.demo_failed(args["demo"], "the demo ended without a result")
    except KeyboardInterrupt:
        handle.cancel()
        return Reply("command", "Demo stopped.", conv.state.lang)
    finally:
        if renderer is not None:
            renderer.close()


def _save(conv: Conversation, path: str) -> Reply:
    from dialog.errors import UserError
    from dialog.transcript import Turn, export_markdown

    try:
        written = export_markdown([Turn(role, text) for role, text in conv.history], path)
    except (OSError, UserError) as exc:
        return Reply("error", f"Couldn't save to `{path}`: {getattr(exc, 'strerror', None) or exc}", conv.state.lang)
    return Reply("command", f"Saved to `{written}`.", conv.state.lang)
