"""Pilot test: the open space marketplace by keys, from the Action agenda."""

from __future__ import annotations

from circle.screens.market import MarketScreen

PEOPLE = ["Ana", "Ben", "Caro", "Dee", "Esi", "Femi", "Gus", "Hana"]


async def test_marketplace_by_keys(app_factory, store):
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
        assert any("who convenes 'Food hub'" in n.message for n in app._notifications)  # no convenor: refused
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
