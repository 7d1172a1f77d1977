"""One command registry: /help, /help more, the palette and the README's table are all made from it."""
from __future__ import annotations

from pathlib import Path

from dialog.commands import REGISTRY, help_text, parse
from dialog.lines import say

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_command_as_the_registry_does():
    assert help_text("en", more=True) in README.read_text(encoding="utf-8"), \
        "README.md's command table differs from the registry: paste help_text('en', more=True) into it"


def test_help_more_has_a_row_for_every_command_in_both_languages():
    for lang in ("en", "zh"):
        table = help_text(lang, more=True)
        for name, spec in REGISTRY.items():
            assert f"`{spec.usage(lang).replace('|', chr(92) + '|')}`" in table and spec.help(lang) in table, name


def test_the_short_help_names_the_commands_marked_short_and_the_keys():
    short = help_text("en")
    assert all(f"`/{n}`" in short for n, s in REGISTRY.items() if s.short)
    assert say("help_keys", "en") in short


def test_the_palette_offers_each_registered_palette_entry():
    from types import SimpleNamespace

    from dialog.tui.palette import choices

    app = SimpleNamespace(demos=[], kb=None, current_lang=lambda: "zh")
    lines = {c.line for c in choices(app)}
    assert {e.line for s in REGISTRY.values() for e in s.palette} <= lines


def test_options_and_arguments_are_parsed_with_quotes_kept_together():
    cmd = parse('/demo cnn --epochs 5 --fast --device="cpu" "two words"')
    assert (cmd.name, cmd.args, cmd.options) == ("demo", ("cnn", "two words"),
                                                 {"epochs": "5", "fast": "true", "device": "cpu"})
