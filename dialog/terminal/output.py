"""How a reply is written to a stream: one JSON object a line (escaped so it can't drive a terminal),
or Ms. B's words with her suggestions, cleaned of anything a terminal would obey."""
from __future__ import annotations

import json
import sys
from typing import Callable, TextIO

from dialog.reply import Reply
from knowledge.safe_text import clean, json_safe


def emit(reply: Reply, as_json: bool, out: TextIO, extra: dict | None = None) -> None:
    if as_json:
        data = reply.to_json()
        if extra:
            data.update(extra)
        out.write(json_safe(json.dumps(data, ensure_ascii=False)) + "\n")
    else:
        out.write(clean(reply.text).rstrip() + "\n")
        if reply.suggestions:
            out.write("\n" + "  ".join(f"→ {clean(s)}" for s in reply.suggestions) + "\n")
        out.write("\n")
    out.flush()


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
