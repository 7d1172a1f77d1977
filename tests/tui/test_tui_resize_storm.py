"""A storm of resizes, down to a few cells, while a demo runs and its plot redraws: the app stays up."""
from __future__ import annotations

import random

import pytest
from conftest import wait_for

from dialog.tui.demo_panel import DemoPanel
from dialog.tui.prompt import ChatInput

pytestmark = pytest.mark.anyio


async def test_the_app_survives_resizes_down_to_a_few_cells_while_a_demo_plots(make_app):
    app = make_app()
    rng = random.Random(7)
    sizes = [(1, 1), (5, 2), (20, 6), (2, 40), (150, 3)] + [(rng.randint(1, 150), rng.randint(1, 50))
                                                              for _ in range(40)]
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.conv is not None)
        app.query_one(ChatInput).value = "/demo endless"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query(DemoPanel) and app.query_one(DemoPanel).handle is not None)
        for size in sizes:
            await pilot.resize_terminal(*size)
            await pilot.pause(0.03)
        await pilot.resize_terminal(100, 30)
        await pilot.pause(0.2)
        assert app.return_code is None and app.is_running
        await pilot.press("escape")
