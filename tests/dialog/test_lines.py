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


def test_no_module_writes_a_bilingual_line_inline():
    """Neither the engine nor a front end: `pick(lang, "…", "…")` with a line written out is a catalogue entry."""
    inline = re.compile(r"pick\(\s*[\w.]+(\s+or\s+[\w.()]+)?,\s*f?[\"']")
    sources = [*ROOT.glob("dialog/**/*.py"), *ROOT.glob("knowledge/**/*.py"), ROOT / "app.py"]
    offenders = [str(p.relative_to(ROOT)) for p in sources if inline.search(p.read_text("utf-8"))]
    assert not offenders, f"inline bilingual lines (put them in dialog/catalogue/): {offenders}"


def test_every_catalogue_file_is_read():
    """Each front end keeps its lines in a file of its own; all of them make the one catalogue."""
    files = {p.stem for p in (ROOT / "dialog" / "catalogue").glob("*.yaml")}
    assert {"engine", "tui", "terminal"} <= files
    assert {"status.ready", "lessons.help", "plain.greeting"} <= set(catalogue())


def test_a_line_in_one_language_only_is_refused(tmp_path, monkeypatch):
    import dialog.lines as lines

    (tmp_path / "half.yaml").write_text('half_line:\n  en: "Only English"\n', encoding="utf-8")
    monkeypatch.setattr(lines, "CATALOGUE", tmp_path)
    lines.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match="half_line: no zh line"):
            lines.catalogue()
    finally:
        monkeypatch.undo()
        lines.catalogue.cache_clear()


def test_the_keys_the_app_names_indirectly_are_in_the_catalogue():
    from dialog.tui import lines as app_lines, speech

    keys = [f"status.{state}" for state in app_lines.STATES] + list(speech.FOOTER.values())
    assert not [k for k in keys if k not in catalogue()]
