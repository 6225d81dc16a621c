"""Pilot test: the open space marketplace by keys, from the Action agenda."""

from __future__ import annotations

import asyncio
import re

from circle.tui.screens.market import MarketScreen
from tools.shown import screen_lines

PEOPLE = ["Ana", "Ben", "Caro", "Dee", "Esi", "Femi", "Gus", "Hana"]


async def test_marketplace_by_keys(app_factory, store, notices):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_session("collaboratory-action", PEOPLE)
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        market = app.screen
        assert isinstance(market, MarketScreen)
        await pilot.press("G", *"10:00, 11:00", "enter")
        await pilot.pause()
        await pilot.press(*"Hall 40, Garden 15", "enter")
        await pilot.pause()
        for text in ("Repair cafe / Ben", "Choir / Dee", "Food hub"):
            await pilot.press("n", *text, "enter")
            await pilot.pause()
        assert any("who convenes 'Food hub'" in message for message, _ in notices)  # no convenor: refused
        await pilot.press("n", *"Food hub / Ana", "enter")
        await pilot.pause()
        # Interest: three for the repair cafe (the first row), then fill the grid.
        await pilot.press("plus", "plus", "plus", "f")
        await pilot.pause()
        space = market.space.market
        cafe = next(p for p in space.proposals.values() if p.title == "Repair cafe")
        assert cafe.interest == 3 and (space.slots[cafe.slot], space.spaces[cafe.space].name) == ("10:00", "Hall")
        assert all(p.placed for p in space.proposals.values())

        await pilot.press("greater_than_sign")  # the cafe moves to 11:00 in the hall, if free
        await pilot.pause()
        await pilot.press("j", "down", "enter")  # Ben joins
        await pilot.pause()
        await pilot.press("h", *"Fix-it Saturdays at the library", "enter")
        await pilot.pause()
        space = market.space.market
        assert "Fix-it Saturdays at the library" in str(market.query_one("#harvest").content)

        await pilot.press("p")
        await pilot.pause()
        for value in ("Repair cafe", "Ben", "Caro, Dee", "tools", "a room", "first session", "2026-12-05"):
            await pilot.press(*value, "enter")
            await pilot.pause()
        await pilot.press("c", "enter")
        await pilot.pause()
        assert [p.name for p in store.group_members("Repair cafe")] == ["Ben", "Caro", "Dee"]
        assert "(crew: Repair cafe)" in str(market.query_one("#harvest").content)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MarketScreen)


async def test_voting_keeps_the_order_and_capacity_is_shown(app_factory, store, world, notices):
    from circle.games.openspace import OpenSpace

    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_session("collaboratory-action", PEOPLE)
        await pilot.pause()
        space = OpenSpace(app.screen.session)
        space.set_grid(["10:00"], [("Hall", 40), ("Kitchen", 1)])
        for title in ("Repair cafe / Ben", "Choir / Dee", "Food hub / Ana"):
            space.propose(*title.split(" / "))
        await pilot.press("m")
        await pilot.pause()
        market = app.screen
        table = market.query_one("#proposals")

        def titles() -> list[str]:
            return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]

        # Walking down the list voting: each + lands on the row the cursor is on.
        await pilot.press("down", "plus", "plus", "plus", "down", "plus")
        await pilot.pause()
        assert titles() == ["Repair cafe", "Choir", "Food hub"]  # it did not re-sort under the cursor
        interest = {p.title: p.interest for p in market.space.market.proposals.values()}
        assert interest == {"Repair cafe": 0, "Choir": 3, "Food hub": 1}
        await pilot.press("s")
        await pilot.pause()
        assert titles() == ["Choir", "Food hub", "Repair cafe"]
        await pilot.press("f")
        await pilot.pause()
        # The kitchen holds one; Food hub is placed there. Join it twice.
        row = titles().index("Food hub")
        table.move_cursor(row=row)
        await pilot.press("j")
        await pilot.pause()
        assert "Who joins 'Food hub' (10:00, Kitchen, 0/1)?" in str(app.screen.query_one(".dialog-title").content)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("j", "down", "enter")
        await pilot.pause()
        assert str(table.get_row_at(row)[4]) == "2/1"
        assert any("over capacity: 2 for 1 places in Kitchen" in message for message, _ in notices)


async def open_market(app, world, people=PEOPLE):
    session = world.session("collaboratory-action", people)
    app.show_live(session)
    await asyncio.sleep(0)
    app.push_screen(MarketScreen(session, world.store))
    return session


async def test_at_80x24_the_top_line_holds_the_title_and_the_whole_grid_problem(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_market(app, world)
        await pilot.pause()
        await pilot.pause()
        top = " ".join(" ".join(screen_lines(app)[:2]).split())
        assert top.startswith("Open space · Opening the space ")
        assert "set up the grid first: time slots and spaces (press G)" in top


async def test_at_80x24_the_footer_shows_every_key_whole_and_the_help_says_each_in_full(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_market(app, world)
        await pilot.pause()
        footer = screen_lines(app)[-1]
        for entry in ("n New", "+ ♥", "<>[] Move", "f Fill", "s Sort", "j Join", "h Harvest", "p Project", "c Crew"):
            assert entry in footer
        assert footer.rstrip().endswith("G Grid")  # the last one whole, nothing cut after it
        await pilot.press("question_mark")
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        for key, words in [
            ("<", "Move to the slot before"),
            (">", "Move to the slot after"),
            ("[", "Move to the space before"),
            ("]", "Move to the space after"),
            ("c", "Make a project's people a crew"),
            ("esc", "Back"),
        ]:
            assert re.search(rf"{re.escape(key)}\s+{re.escape(words)}", shown), key


async def test_at_80x24_every_field_of_the_project_dialog_is_on_screen_when_tab_reaches_it(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_market(app, world)
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        dialog = app.screen
        fields = list(dialog.query(".form-field"))
        assert len(fields) == 7
        for at, field in enumerate(fields):
            if at:
                await pilot.press("tab")
                await pilot.pause()
            assert dialog.focused is field
            region = field.region
            frame = dialog.query_one(".dialog").region
            assert region.height >= 1 and frame.contains_region(region) and dialog.region.contains_region(region), (
                field.id
            )
            assert field.placeholder in "\n".join(screen_lines(app)), field.id  # read where it is drawn
