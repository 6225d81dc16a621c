"""Pilot test: the open space marketplace by keys, from the Action agenda."""

from __future__ import annotations

from circle.tui.screens.market import MarketScreen

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
