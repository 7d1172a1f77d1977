"""What the terminal sends the app, read so that nothing typed or pasted can end it or scramble it.

Textual's Linux driver decodes stdin as strict UTF-8, so one byte that isn't UTF-8 (a paste from a
Latin-1 file, `tmux send-keys -H ff`) raised UnicodeDecodeError in its input thread and ended the app
with the line being typed. And an escape sequence inside a bracketed paste (a colour code or a title
change copied from a terminal) ended the paste early in its parser: the words after it came first as
keystrokes and the words before it last ("one \\e]0;T\\a two three" → "two threeone"). The decoder here
reads bad bytes as � and takes escape sequences out of pastes before the parser sees them.
"""
from __future__ import annotations

import codecs
import re

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
# OSC (…BEL or ST), DCS/SOS/PM/APC (…ST), CSI, a two-character escape, and a lone ESC.
_ESCAPES = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_].*?(?:\x1b\\|$)|\x1b\[[0-?]*[ -/]*[@-~]|"
                      r"\x1b[@-Z\\-_]|\x1b", re.S)


def strip_escapes(text: str) -> str:
    return _ESCAPES.sub("", text)


class LenientDecoder:
    """An incremental UTF-8 decoder (the interface the driver uses) that never raises and keeps pastes whole."""

    def __init__(self) -> None:
        self._inner = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._in_paste = False
        self._held = ""  # the end of a paste read so far, from its last ESC: maybe half a sequence

    def decode(self, data: bytes, final: bool = False) -> str:
        text = self._held + self._inner.decode(data, final)
        self._held = ""
        out: list[str] = []
        at = 0
        while at < len(text):
            if not self._in_paste:
                start = text.find(PASTE_START, at)
                if start < 0:
                    out.append(text[at:])  # keys pass at once: a lone Esc must never wait for the next read
                    break
                out.append(text[at:start + len(PASTE_START)])
                at = start + len(PASTE_START)
                self._in_paste = True
                continue
            end = text.find(PASTE_END, at)
            chunk = text[at:] if end < 0 else text[at:end]
            if end < 0 and not final:
                cut = chunk.rfind("\x1b")
                if cut >= 0:  # the paste's end marker, or a sequence, may be split across reads
                    self._held, chunk = chunk[cut:], chunk[:cut]
            out.append(strip_escapes(chunk))
            if end < 0:
                break
            out.append(PASTE_END)
            at = end + len(PASTE_END)
            self._in_paste = False
        return "".join(out)

    def reset(self) -> None:
        self._inner.reset()
        self._in_paste, self._held = False, ""


def _decoder_factory(encoding: str):
    if codecs.lookup(encoding).name != "utf-8":
        return codecs.getincrementaldecoder(encoding)
    return LenientDecoder


def install() -> None:
    """Have Textual's drivers read the terminal through LenientDecoder (idempotent)."""
    import importlib

    for name in ("linux_driver", "linux_inline_driver"):
        try:
            driver = importlib.import_module(f"textual.drivers.{name}")
        except ImportError:  # Windows: its driver reads wide characters, not bytes
            continue
        if hasattr(driver, "getincrementaldecoder"):
            driver.getincrementaldecoder = _decoder_factory
