"""What the terminal sends: bytes that aren't UTF-8 read as �, escape sequences taken out of a paste
without reordering its words, keys passed on at once (what Textual's parser then makes of it)."""
from __future__ import annotations

from dialog.tui import terminal_input
from dialog.tui.terminal_input import PASTE_END, PASTE_START, LenientDecoder

# What the driver hands Textual's parser: the decoder's text, read by read. The parser turns a paste between
# the two markers into one Paste event and every other character into a key, so a clean paste here is a
# whole paste there.


def decoded(*reads: bytes) -> str:
    decoder = LenientDecoder()
    return "".join(decoder.decode(data, final=n == len(reads) - 1) for n, data in enumerate(reads))


def pasted(text: str) -> str:
    return PASTE_START + text + PASTE_END


def test_a_byte_that_is_not_utf8_is_read_as_a_replacement_character():
    assert decoded(b"what is ", b"\xff", b" deep") == "what is \ufffd deep"
    for bad in (b"\xc3\x28", b"\xed\xa0\x80", b"\x80", b"\xf8\x88\x80\x80\x80"):
        assert decoded(b"a", bad, b"b").startswith("a\ufffd") and decoded(b"a", bad, b"b").endswith("b")


def test_a_character_split_across_reads_is_still_one_character():
    assert decoded("深".encode()[:2], "深".encode()[2:]) == "深"


def test_escapes_inside_a_paste_are_dropped_and_the_words_keep_their_order():
    for raw, whole in ((b"one \x1b]0;T\x07 two three", "one  two three"),
                          (b"four \x1b[31mfive\x1b[0m six", "four five six"),
                          (b"ten \x1bP+q544e\x1b\\ eleven", "ten  eleven")):
        assert decoded(b"\x1b[200~" + raw + b"\x1b[201~") == pasted(whole)


def test_a_paste_split_across_reads_mid_sequence_stays_whole():
    assert decoded(b"\x1b[200~red \x1b[3", b"1mhot\x1b[0m ", b"chili\x1b[20", b"1~") == pasted("red hot chili")


def test_escape_alone_is_a_key_at_once_and_a_paste_with_bad_bytes_survives():
    decoder = LenientDecoder()
    assert decoder.decode(b"\x1b") == "\x1b"  # not held back for the next read: Esc stops a demo now
    assert decoded(b"\x1b[200~pasted \xff bytes\x1b[201~") == pasted("pasted \ufffd bytes")


def test_install_puts_the_decoder_under_textuals_driver():
    from textual.drivers import linux_driver

    terminal_input.install()
    assert isinstance(linux_driver.getincrementaldecoder("utf-8")(), LenientDecoder)
    assert linux_driver.getincrementaldecoder("latin-1")().decode(b"\xff") == "\xff"
