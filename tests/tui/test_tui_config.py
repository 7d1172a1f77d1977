"""The app takes its configuration from the one resolved at start: what settings.yaml holds that can't be
used is shown, and a theme chosen is kept by the settings store that follows the app's theme signal."""
from __future__ import annotations

import pytest
from conftest import SIZE

from dialog import settings
from knowledge import storage

pytestmark = pytest.mark.anyio


async def test_a_bad_setting_is_shown_in_the_app_with_its_line(make_app):
    path = storage.config_dir() / "settings.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("theme: textual-light\npace: fast\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = [n.text for n in app.notices]
        assert app.theme == "textual-light"
        assert any(f"{path} line 2: pace must be a number" in m for m in shown), shown


async def test_a_theme_is_not_written_over_a_settings_file_that_cannot_be_read(make_app):
    path = storage.config_dir() / "settings.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"theme: [broken\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
        assert any("left as it is" in n.text for n in app.notices)
    assert path.read_bytes() == b"theme: [broken\n" and settings.load() == settings.Settings()


async def test_a_theme_the_app_does_not_have_is_named_with_its_line_and_the_default_used(make_app):
    path = storage.config_dir() / "settings.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("lang: en\ntheme: no-such-theme\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = [n.text for n in app.notices]
        assert app.theme != "no-such-theme"
        assert any(f"{path} line 2: theme 'no-such-theme' is not one of the app's themes" in m for m in shown), shown
