"""How a reply is written to a stream: one JSON object a line (escaped so it can't drive a terminal),
or Ms. B's words with her suggestions, cleaned of anything a terminal would obey."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Callable, Iterator, TextIO

from dialog.reply import Reply
from dialog.terminal.plaintext import to_plain
from knowledge.safe_text import clean, json_safe


def emit(reply: Reply, as_json: bool, out: TextIO, extra: dict | None = None, debug: bool = False) -> None:
    """A reply on a stream: JSON; rendered Markdown on a terminal (wrapped, in colour); plain text when piped."""
    if as_json:
        data = reply.to_json(debug=debug)  # --debug: the policy that chose it and the runner-up
        if extra:
            data.update(extra)
        out.write(json_text(data, out) + "\n")
    elif _is_terminal(out):
        _render(reply, out)
    else:
        out.write(clean(to_plain(reply.full_text)) + "\n")
        if reply.suggestions:
            out.write("\n" + "  ".join(f"→ {clean(to_plain(s))}" for s in reply.suggestions) + "\n")
        out.write("\n")
    out.flush()


def json_text(data, out: TextIO) -> str:
    """`data` as one JSON document for `out`: characters as they are on a UTF-8 stream, \\u escapes on any
    other (an ASCII locale), so the JSON stays whole and exact either way."""
    return json_safe(json.dumps(data, ensure_ascii=not _utf8(out)))


def _utf8(out: TextIO) -> bool:
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("_", "-")
    return encoding in ("utf-8", "utf8", "utf-8-sig")


def _is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def _render(reply: Reply, out: TextIO) -> None:
    from rich.console import Console
    from rich.text import Text

    from dialog.view import linebreak
    from dialog.view.rich_markdown import RichMarkdown as Markdown  # emphasis that works in Chinese too

    linebreak.install()  # Chinese lines never start with "，" or "」"

    console = Console(file=out, highlight=False)
    console.print(Markdown(clean(reply.text)))
    for line in (reply.citation, reply.offer):
        if line:
            console.print(Markdown(clean(line)), style="dim")
    if reply.suggestions:
        console.print(Text("  ".join(f"→ {clean(s)}" for s in reply.suggestions), style="cyan"))
    console.print()


@contextmanager
def working(message: str) -> Iterator[None]:
    """A spinner on stderr while something slow happens — on a terminal only; silent when piped."""
    if not sys.stderr.isatty():  # asked first: Rich's console costs ~15 ms to import, for nothing down a pipe
        yield
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(message, spinner="dots"):
        yield


def lenient(stream) -> None:
    """Let a text stream write what its encoding can't hold as replacement characters ("?" on an ASCII
    terminal, LC_ALL=C): one character the terminal can't show must never cost an answer."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and getattr(stream, "errors", "strict") in ("strict", "surrogateescape"):
        try:
            reconfigure(errors="replace")
        except (ValueError, OSError):  # closed, or a stream that can't change now
            pass


def stderr_notice() -> Callable[[str], None]:
    return lambda message: print(clean(message), file=sys.stderr)


def lines_of(stream) -> "iter[str]":
    """Lines of a text stream, or of its bytes decoded leniently: one bad byte spoils one line, not the rest."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        for raw in stream:
            yield raw.rstrip("\r\n")
        return
    for raw in buffer:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")
