"""Typed text is shown as text on every screen and in every notification, never read as markup.

Names, notes, groups, proposals, projects and spaces are typed by people; "Zed [/x]" used to
crash the app from the "welcome" notification (a MarkupError a few seconds later).
"""

from __future__ import annotations

import pytest

from circle.tui.screens.groups import GroupsScreen
from circle.tui.screens.ledger import LedgerScreen
from circle.tui.screens.loops import LoopsScreen
from circle.tui.screens.market import MarketScreen
from circle.tui.screens.summary import SummaryScreen
from tools.gallery import home_ready, ledger_ready, wait_for

MARKUP = ["Zed [/x]", "[bold]Ben", "Caro [link=x]", "\\[Dee", "[b]ees[/b] Esi", "[$error]Fay"]


async def settle(pilot, app) -> None:
    await pilot.pause()
    await pilot.pause(0.05)
    assert app.is_running and app.return_code is None


def shown(app) -> str:
    """The plain text of every Static, Label and table cell on the current screen."""
    from textual.widgets import DataTable, Static

    parts = [str(w.render()) for w in app.screen.query(Static)]
    for table in app.screen.query(DataTable):
        parts += [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]
    return "\n".join(parts)


@pytest.mark.parametrize("name", MARKUP)
async def test_a_name_like_markup_on_the_live_screen_and_in_every_notification(app_factory, name, notices):
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:  # toasts drawn, as on the wall
        app.start_session("feelz-checkin", ["Ana", "Ben", "Caro"])
        await settle(pilot, app)
        await pilot.press("a", *name, "enter")  # "welcome, Zed [/x]"
        await settle(pilot, app)
        # As typed ("[bold]Ben" is not "Ben" in bold), in the status line under the clock.
        assert str(app.screen.query_one("#status-line").render()) == f"welcome, {name}"
        await pilot.press("a", *name, "enter")  # "'Zed [/x]' is already here"
        await settle(pilot, app)
        assert any(name in message and "already here" in message for message, _ in notices)
        await pilot.press("slash", *f"note about {name}", "enter")
        await settle(pilot, app)
        await pilot.pause(0.3)  # the toasts are drawn
        await settle(pilot, app)
        roster = str(app.screen.query_one("#roster-lines").render())
        assert name in roster
        await pilot.press("e", "y")
        await settle(pilot, app)
        assert isinstance(app.screen, SummaryScreen)
        assert name in shown(app)
        assert f"note about {name}" in shown(app)


async def test_markup_names_in_groups_ledger_loops_home_breakouts_and_the_marketplace(app_factory, world, notices):
    store = world.store
    people = store.people_named(MARKUP)
    store.create_group("[b]ees [/b]", people, kind="community", at=world.clock.now())
    world.clock.advance(60)
    level = world.session("reciprocity-2-money", MARKUP, group="[b]ees [/b]")
    ids = {p.name: p.id for p in people}
    level.record_offer(ids[MARKUP[0]], ids[MARKUP[1]], "a [/x] ride")
    level.end()
    app = app_factory()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await home_ready(pilot)
        await settle(pilot, app)
        reuse = app.screen.query_one("#reuse")
        reuse.expanded = True  # the "reuse names" list holds the group and the roster
        await settle(pilot, app)
        reuse.expanded = False

        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert isinstance(app.screen, GroupsScreen)
        assert "[b]ees [/b]" in shown(app) and MARKUP[0] in shown(app)

        app.action_show_ledger()
        await ledger_ready(pilot)
        assert isinstance(app.screen, LedgerScreen)
        app.screen.query_one("#group").value = "[b]ees [/b]"
        await settle(pilot, app)

        app.action_show_loops()
        await settle(pilot, app)
        assert isinstance(app.screen, LoopsScreen)
        assert "[b]ees [/b]" in shown(app)

        app.go_home()
        await settle(pilot, app)
        mixer = world.session("congregation-mixer", [*MARKUP, "Gus", "Hana"])
        mixer.skip_step()
        app.show_live(mixer)
        await settle(pilot, app)
        cards = "\n".join(line for _, lines in app.screen.query_one("GroupsGrid").cards for line in lines)
        assert all(name in cards for name in MARKUP)

        action = world.session("collaboratory-action", [*MARKUP, "Gus", "Hana"])
        app.show_live(action)
        await settle(pilot, app)
        await pilot.press("m")
        await settle(pilot, app)
        assert isinstance(app.screen, MarketScreen)
        await pilot.press("G", *"10:00, [/x] 11:00", "enter")
        await settle(pilot, app)
        await pilot.press(*"Hall [/x] 40, [bold]Garden 15", "enter")
        await settle(pilot, app)
        await pilot.press("n", *f"Repair [/x] / {MARKUP[1]}", "enter")
        await settle(pilot, app)
        await pilot.press("plus", "f", "j", "enter")
        await settle(pilot, app)
        await pilot.press("h", *"[/x] harvest", "enter")
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        for value in ("[/x] project", MARKUP[0], MARKUP[2], "[b]", "[/b]", "[link=x]", "[/x]"):
            await pilot.press(*value, "enter")
            await settle(pilot, app)
        await pilot.press("c", "enter")  # "[/x] project is now a crew of 2"
        await settle(pilot, app)
        assert any(message == "[/x] project is now a crew of 2" for message, _ in notices)
        await wait_for(pilot, lambda: True, "the toasts")
        await settle(pilot, app)
        text = shown(app)
        assert "Repair [/x]" in text and "Hall [/x]" in text and "[/x] harvest" in text
