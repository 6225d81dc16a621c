"""Pilot tests: a crew's meetings and points on screen, level 5's checks, Two Loops out of order."""

from __future__ import annotations

from circle.games import two_loops as loops
from circle.games.reciprocity.ledger import compute
from circle.tui.screens.dialogs import ConfirmDialog, ManyDialog, TraceDialog
from circle.tui.screens.ledger import LedgerScreen
from circle.tui.screens.loops import LoopsScreen
from tools.gallery import home_ready, ledger_ready
from tools.gallery import spoke_and_ended as met

DAY = 86400


async def test_the_ledger_opens_a_total_into_its_moments_and_charts_weeks(app_factory, world):
    world.store.create_group("Oak", world.store.people_named(["Ana", "Ben", "Caro"]), at=world.clock.now())
    world.clock.advance(DAY)
    met(world.session("feelz-checkin", ["Ana", "Ben"], group="Oak"))
    world.clock.advance(9 * DAY)  # the next week, the same month
    listening = world.session("reciprocity-1-listening", ["Ana", "Ben", "Caro"], group="Oak")
    listening.record_listened()
    listening.end()
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await home_ready(pilot)
        await pilot.press("ctrl+l")
        await ledger_ready(pilot)
        screen = app.screen
        assert isinstance(screen, LedgerScreen)
        # One month of points says little as one bar: the chart goes by week instead.
        assert str(screen.query_one("#trend-title").content) == "Points by week"
        assert len(screen.query_one("#trend").data) == 2
        assert screen.query_one("#points").headers[-1] == "By week"
        rows = screen.query_one("#points").rows
        assert [r[:2] for r in rows] == [("Ana", "2"), ("Ben", "2"), ("Caro", "-4")]

        await pilot.press("down", "down", "enter")  # Caro
        await pilot.pause()
        trace = app.screen
        assert isinstance(trace, TraceDialog)
        assert trace.title_text == "Caro: -4 points, 2 moments"
        table = trace.query_one("#trace-rows")
        assert [(r[1], r[2], r[3], r[4]) for r in table.rows] == [
            ("-5", "-5", "Consistency", "missed meeting"),
            ("+1", "-4", "Listening", "everyone listened"),
        ]
        assert table.headers == ["Date", "Points", "Total", "Level", "Reason", "Session"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_home_shows_when_each_group_last_met(app_factory, world):
    world.store.create_group("Oak", world.store.people_named(["Ana", "Ben", "Caro"]), at=world.clock.now())
    world.store.create_group("Pine", world.store.people_named(["Dee", "Esi"]), at=world.clock.now())
    met(world.session("feelz-checkin", ["Ana", "Ben", "Caro"], group="Oak"))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await home_ready(pilot)
        text = str(app.screen.query_one("#rhythm").content)
        assert "Oak: met " in text and "met this month" in text
        assert "Pine: no meeting yet" in text


async def test_level_five_says_when_no_earlier_level_is_recorded_and_w_asks_first(app_factory, world):
    world.store.create_group("Oak", world.store.people_named(["Ana", "Ben", "Caro"]), at=world.clock.now())
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await home_ready(pilot)
        app.start_session("reciprocity-5-co-owners", ["Ana", "Ben", "Caro"], "Oak")
        await pilot.pause()
        live = app.screen
        assert "levels 1-4 come first (none on record)" in str(live.query_one("#records").content)

        for answer in ("n", "y"):
            await pilot.press("w")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ManyDialog)
            await pilot.press("space")  # Ana ticked, and the line says so in words, not only in colour
            await pilot.pause()
            prompts = [str(dialog.query_one("SelectionList").get_option_at_index(i).prompt) for i in range(3)]
            assert prompts == ["✓ Ana  (ticked)", "· Ben", "· Caro"]
            await pilot.press("down", "space", "tab", *"the bakery", "enter")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press(answer)
            await pilot.pause()
            totals = compute(world.store, app.rules).totals()
            if answer == "n":
                assert totals == {}  # asked, and nothing given
        assert sorted(levels[5] for levels in totals.values()) == [100, 100]


async def test_an_out_of_order_move_asks_first(app_factory, store):
    store.create_group("Riverside CAN", store.people_named(["Ana", "Ben", "Caro"]), kind="community")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, LoopsScreen)
        await pilot.press("m", "enter", *"twelve pioneers", "enter", *"the crew", "enter")  # Name, in order
        await pilot.pause()
        await pilot.press("m", "down", "down", "down", "down", "enter")  # Name to Influence: a leap
        await pilot.pause()
        question = app.screen
        assert isinstance(question, ConfirmDialog)
        assert question.detail == (
            "Name to System of influence skips Connect, Nourish, Illuminate and amplify. Record the move anyway?"
        )
        await pilot.press("n")
        await pilot.pause()
        assert loops.history(store, "Riverside CAN").stage == "name"  # not moved
        await pilot.press("m", "down", "down", "down", "down", "enter", "y")
        await pilot.pause()
        await pilot.press(*"the council asked us", "enter", *"Ana", "enter")
        await pilot.pause()
        assert loops.history(store, "Riverside CAN").stage == "influence"
