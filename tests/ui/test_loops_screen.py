"""Pilot test: moving a community's marker on the Two Loops screen."""

from __future__ import annotations

from circle.games import two_loops as loops
from circle.tui.screens.loops import LoopsScreen


async def test_move_the_marker_by_keys(app_factory, store):
    store.create_group("Riverside CAN", store.people_named(["Ana", "Ben", "Caro"]), kind="community")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LoopsScreen)
        assert "not placed yet" in str(screen.query_one("#loops-where").content)
        await pilot.press("m", "down", "enter")  # the second stage: Connect
        await pilot.pause()
        await pilot.press(*"first potluck", "enter")
        await pilot.pause()
        await pilot.press(*"the crew", "enter")
        await pilot.pause()
        hist = loops.history(store, "Riverside CAN")
        assert hist.stage == "connect"
        assert hist.entries[-1].text == "first potluck" and hist.entries[-1].by == "the crew"
        assert "Connect (emergent)" in str(screen.query_one("#loops-where").content)
        assert "moved to Connect: first potluck" in str(screen.query_one("#timeline").content)

        await pilot.press("r", "enter")  # Ana ...
        await pilot.pause()
        await pilot.press("down", "enter")  # ... is a connector
        await pilot.pause()
        assert loops.history(store, "Riverside CAN").roles == {"Ana": {"connector"}}
