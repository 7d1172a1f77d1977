"""Text that is safe to show in a terminal, whatever its source (typed, pasted, added documents, demo output).

A terminal obeys escape sequences in what it prints: ESC[2J clears the screen, ESC]0;…BEL renames the
window, ESC]52;… writes the clipboard, U+009B is a one-character CSI, and U+202E (right-to-left override)
makes text read differently from what it is. `clean` removes all of them, keeping newlines and tabs;
`json_safe` escapes whatever a JSON string still carries raw.
"""
from __future__ import annotations

import re

# Whole escape sequences first (so their parameters don't survive as text), then any lone control.
_SEQUENCES = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC … BEL / ST: titles, clipboard, hyperlinks
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS / PM / APC / SOS … ST
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI … final byte: cursor moves, colours, clearing
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # the one-character CSI
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"  # the one-character OSC
    r"|\x1b[ -/]*[0-~]?"  # any other ESC sequence
)
# C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates, and the
# zero-width marks that can reorder or hide text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """The text without escape sequences, control characters or bidi overrides; CRLF becomes LF."""
    text = text.replace("\r\n", "\n")
    return _CONTROLS.sub("", _SEQUENCES.sub("", text))


def clean_line(text: str) -> str:
    """One line of user input: like `clean`, with newlines and tabs turned into spaces."""
    return clean(text).replace("\n", " ").replace("\t", " ")


def json_safe(encoded: str) -> str:
    """A JSON document (from json.dumps(…, ensure_ascii=False)) with every control and bidi character
    written as a \\uXXXX escape, so printing it can't drive the terminal."""
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


# How repr() writes a byte that isn't UTF-8 in a command-line argument (Python reads it as a lone surrogate).
_ESCAPED_BYTE = re.compile(r"\\udc([89a-f][0-9a-f])", re.I)


def as_typed(message: str) -> str:
    """A message quoting such an argument, with the byte as the user typed it: '\\xff', not '\\udcff';
    a lone surrogate left in the text itself becomes �."""
    text = _ESCAPED_BYTE.sub(r"\\x\1", message)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
