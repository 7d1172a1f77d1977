"""What the terminal sends: bytes that aren't UTF-8 read as �, escape sequences taken out of a paste
without reordering its words, keys passed on at once (what Textual's parser then makes of it)."""
from __future__ import annotations

from textual._xterm_parser import XTermParser
from textual.events import Key, Paste

from dialog.tui import terminal_input
from dialog.tui.terminal_input import LenientDecoder


def events(*reads: bytes):
    decoder, parser = LenientDecoder(), XTermParser()
    out = []
    for n, data in enumerate(reads):
        text = decoder.decode(data, final=n == len(reads) - 1)
        if text:  # as the driver does: nothing decoded yet is not the end of input
            out += list(parser.feed(text))
    return out + list(parser.tick())


def typed(evs) -> str:
    return "".join(e.character or "" for e in evs if isinstance(e, Key))


def test_a_byte_that_is_not_utf8_is_read_as_a_replacement_character():
    assert typed(events(b"what is ", b"\xff", b" deep")) == "what is \ufffd deep"
    for bad in (b"\xc3\x28", b"\xed\xa0\x80", b"\x80", b"\xf8\x88\x80\x80\x80"):
        assert "\ufffd" in typed(events(b"a", bad, b"b"))


def test_a_character_split_across_reads_is_still_one_character():
    assert typed(events("深".encode()[:2], "深".encode()[2:])) == "深"


def test_escapes_inside_a_paste_are_dropped_and_the_words_keep_their_order():
    for pasted, whole in ((b"one \x1b]0;T\x07 two three", "one  two three"),
                          (b"four \x1b[31mfive\x1b[0m six", "four five six"),
                          (b"ten \x1bP+q544e\x1b\\ eleven", "ten  eleven")):
        evs = events(b"\x1b[200~" + pasted + b"\x1b[201~")
        assert [e.text for e in evs if isinstance(e, Paste)] == [whole] and not typed(evs), evs


def test_a_paste_split_across_reads_mid_sequence_stays_whole():
    evs = events(b"\x1b[200~red \x1b[3", b"1mhot\x1b[0m ", b"chili\x1b[20", b"1~")
    assert [e.text for e in evs if isinstance(e, Paste)] == ["red hot chili"]


def test_escape_alone_is_a_key_at_once_and_a_paste_with_bad_bytes_survives():
    decoder = LenientDecoder()
    assert decoder.decode(b"\x1b") == "\x1b"  # not held back for the next read: Esc stops a demo now
    evs = events(b"\x1b[200~pasted \xff bytes\x1b[201~")
    assert [e.text for e in evs if isinstance(e, Paste)] == ["pasted \ufffd bytes"]


def test_install_puts_the_decoder_under_textuals_driver():
    from textual.drivers import linux_driver

    terminal_input.install()
    assert isinstance(linux_driver.getincrementaldecoder("utf-8")(), LenientDecoder)
    assert linux_driver.getincrementaldecoder("latin-1")().decode(b"\xff") == "\xff"
