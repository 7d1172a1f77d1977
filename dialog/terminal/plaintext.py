"""Markdown as plain text for a stream that is not a terminal (a pipe, a file): the words and the shape a
reader needs — paragraphs, list items, quotations indented — and none of the marks (`**`, backticks, `#`).

Parsed by the same markdown-it parser as every front end (emphasis that works in Chinese), never by
regexes, with raw HTML off so that text a user typed ("<b>") stays text."""
from __future__ import annotations

from functools import cache

from dialog.view import markdown as view_markdown

QUOTE = "    "  # a quotation stands out by its indent, as in a plain-text mail
CODE = "    "


@cache
def _parser():
    """Built once a process (a parser costs more to build than a reply to parse); links are never looked for
    in bare text here, as they would only be written back as the same text."""
    return view_markdown.parser(html=False, linkify=False)


def to_plain(markdown: str) -> str:
    """`markdown` as plain text: one line per source line of a paragraph, blocks apart by one blank line."""
    tokens = _parser().parse(markdown)
    out: list[str] = []
    lists: list[list] = []  # per open list: [ordered?, next number]
    quotes = 0
    marker = ""  # the list marker that goes before the next line written, then spaces under it
    row: list[str] | None = None  # a table row's cells, written as one line
    for tok in tokens:
        kind = tok.type
        if kind == "tr_open":
            row = []
        elif kind == "tr_close":
            out.append(_indent(lists, quotes) + "  ".join(row or []))
            row = None
        elif kind == "table_close":
            out.append("")
        elif kind == "inline" and row is not None:
            row.append(" ".join(_inline(tok.children or []).split()))
            continue
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(tok.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                out.append("")
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            marker = f"{number}. " if ordered else "- "
            lists[-1][1] = number + 1
        elif kind == "blockquote_open":
            quotes += 1
        elif kind == "blockquote_close":
            quotes -= 1
            out.append("")
        elif kind == "inline":
            indent = _indent(lists, quotes)
            for i, line in enumerate(_inline(tok.children or []).split("\n")):
                lead = indent[: len(indent) - len(marker)] + marker if marker and i == 0 else indent
                out.append((lead + line).rstrip())
            marker = ""
        elif kind in ("fence", "code_block"):
            indent = _indent(lists, quotes) + CODE
            out.extend((indent + line).rstrip() for line in tok.content.rstrip("\n").split("\n"))
            out.append("")
        elif kind == "hr":
            out.extend(["—" * 3, ""])
        elif kind in ("paragraph_close", "heading_close") and not tok.hidden:
            out.append("")  # a paragraph in a tight list is hidden: its items stay together
    return _squeeze(out)


def _indent(lists: list[list], quotes: int) -> str:
    """Spaces for the open quotations and lists: a list item's lines sit under its first word."""
    return QUOTE * quotes + "".join("   " if ordered else "  " for ordered, _ in lists)


def _inline(children) -> str:
    parts: list[str] = []
    links: list[str | None] = []
    for tok in children:
        kind = tok.type
        if kind in ("text", "code_inline"):
            parts.append(tok.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")  # the writer's own line break (a reading list's lines) is kept
        elif kind == "image":
            parts.append(tok.content or "")
        elif kind == "link_open":
            links.append(tok.attrGet("href"))
            parts.append("\0")  # where the link's words begin, to compare them with its address
        elif kind == "link_close":
            href = links.pop()
            start = len(parts) - 1 - parts[::-1].index("\0")
            words = "".join(parts[start + 1:])
            parts[start] = ""
            if href and "://" in href and _bare(href) != _bare(words):
                parts.append(f" ({href})")  # down a pipe the address is all a reader has of a link
    return "".join(parts)


def _bare(address: str) -> str:
    """An address as a reader compares it: "deeplearning.ai" is http://deeplearning.ai/ already."""
    address = address.strip().lower()
    for lead in ("mailto:", "https://", "http://", "www."):
        address = address.removeprefix(lead)
    return address.rstrip("/")


def _squeeze(lines: list[str]) -> str:
    """At most one blank line in a row, none at either end."""
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)
