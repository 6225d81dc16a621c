"""Pilot tests: recording reciprocity moments by keys during a live session."""

from __future__ import annotations

from circle.games.reciprocity.ledger import compute
from circle.tui.screens.dialogs import PairDialog


async def test_record_an_offer_by_keys(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("reciprocity-2-money", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        live = app.screen
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PairDialog)
        ids = {p.name: p.id for p in live.session.state.people_present()}
        # Choose with the keyboard: open each select, move down, confirm.
        await pilot.press("enter", "down", "down", "down", "enter")  # past the prompt to Caro
        await pilot.press("tab", "enter", "down", "enter")  # to Ana
        await pilot.press("tab", *"an introduction", "enter")
        await pilot.pause()
        assert app.screen is live
        assert "Caro offered Ana: an introduction  +5, +1 respect bonus" in str(live.query_one("#records").content)
        # Where the bonus is given, it says what it is for (in the status line, not a toast over the clock).
        assert (
            str(live.query_one("#status-line").content)
            == "recorded: +5 for the offer, +1 respect bonus for talking and listening with mutual respect"
        )

        ledger = compute(world.store, app.rules)
        assert ledger.totals()[ids["Caro"]][2] == 6

        await pilot.press("u", "y")  # a mistake: undo it
        await pilot.pause()
        assert compute(world.store, app.rules).totals() == {}


async def test_offer_keys_are_only_for_the_money_level(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-checkin", ["Ana", "Ben"])
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert not isinstance(app.screen, PairDialog)
        assert live_records_count(app.screen) == 0


def live_records_count(screen) -> int:
    return len(screen.session.state.records)


async def test_listening_round_scores_everyone_present(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("reciprocity-1-listening", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        await pilot.press("l", "y")
        await pilot.pause()
        await pilot.press("l", "y")  # twice is refused, not double-counted
        await pilot.pause()
        totals = compute(world.store, app.rules).totals()
        assert sorted(levels[1] for levels in totals.values()) == [1, 1, 1]


async def test_the_newest_moment_is_whole_on_the_panel_and_earlier_ones_are_counted(app_factory, world):
    # At 80x24 the panel has six rows: five long offers used to fill them, the newest cut off below.
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("reciprocity-2-money", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        live = app.screen
        ids = {p.name: p.id for p in live.session.state.people_present()}
        for n in range(1, 6):
            live.session.record_offer(ids["Ben"], ids["Ana"], f"offer number {n} with a long description")
        live.refresh_view()
        await pilot.pause()
        panel = live.query_one("#records")
        shown = str(panel.content)
        assert "offer number 5 with a long description" in shown
        assert shown.splitlines()[0].startswith("… ") and "earlier" in shown.splitlines()[0]
        rows = panel.content_region.height
        assert panel.get_content_height(live.size, live.size, panel.content_region.width) <= rows
