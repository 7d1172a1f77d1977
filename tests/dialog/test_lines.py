"""Ms. B's fixed lines: one catalogue, both languages, the same fields in each, every key the code says known."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialog.lines import catalogue, fields, say

ROOT = Path(__file__).resolve().parents[2]


def test_every_line_exists_in_both_languages_with_the_same_fields():
    for key, langs in catalogue().items():
        want = fields(langs["en"][0])
        for lang in ("en", "zh"):
            for variant in langs[lang]:
                assert variant.strip(), f"{key}: an empty {lang} line"
                assert fields(variant) == want, f"{key} ({lang}) fills {fields(variant)}, English fills {want}"


def test_every_line_the_code_says_is_in_the_catalogue():
    said = set()
    for path in [*ROOT.glob("dialog/**/*.py"), ROOT / "app.py"]:
        said |= set(re.findall(r"""\bsay\(\s*["']([\w.]+)["']""", path.read_text(encoding="utf-8")))
        said |= set(re.findall(r"""PaletteEntry\(\s*["']([\w.]+)["']""", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in said if k not in catalogue())
    assert not missing, f"lines said but not in dialog/catalogue/: {missing}"


def test_an_unknown_line_is_a_bug_not_a_reply():
    with pytest.raises(KeyError):
        say("no-such-line", "en")


def test_fields_are_filled_and_the_reader_language_chosen():
    assert say("taken_as", "en", title="Dropout") == "Reading that as a question about **Dropout**:"
    assert "Dropout" in say("taken_as", "zh", title="Dropout") and "理解" in say("taken_as", "zh", title="Dropout")


def test_no_engine_module_writes_a_bilingual_line_inline():
    inline = re.compile(r"pick\(\s*\w+,\s*f?[\"']")
    offenders = [str(p.relative_to(ROOT)) for p in ROOT.glob("dialog/*.py") if inline.search(p.read_text("utf-8"))]
    assert not offenders, f"inline bilingual lines (put them in dialog/catalogue/): {offenders}"
