"""Pilot tests: managing groups from the TUI, and the ledger screen."""

from __future__ import annotations

from circle.tui.screens.groups import GroupsScreen
from circle.tui.screens.home import HomeScreen
from circle.tui.screens.ledger import LedgerScreen
from tools.gallery import home_ready, ledger_ready


async def test_create_a_crew_add_and_remove_members(app_factory, store, notices):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, GroupsScreen)
        await pilot.press("n", *"Tuesday crew", "enter")
        await pilot.pause()
        await pilot.press(*"Ana, Ben, Caro", "enter")
        await pilot.pause()
        await pilot.press("enter")  # kind: crew (the first choice for three)
        await pilot.pause()
        assert [p.name for p in store.group_members("Tuesday crew")] == ["Ana", "Ben", "Caro"]

        await pilot.press("a", *"Dee", "enter")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("down", "enter")  # Ben leaves
        await pilot.pause()
        assert [p.name for p in store.group_members("Tuesday crew")] == ["Ana", "Caro", "Dee"]
        assert "Dee" in str(app.screen.query_one("#members").content)

        await pilot.press("r", *" A", "enter")  # the input starts empty: the new name is typed
        await pilot.pause()
        assert store.group_names() == ["A"]

        await pilot.press("a", *"Ana", "enter")  # already a member: a message, nothing changes
        await pilot.pause()
        assert any("already in" in message for message, _ in notices)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_ledger_screen_shows_points_for_a_group(app_factory, world):
    people = world.store.people_named(["Ana", "Ben", "Caro"])
    world.store.create_group("Crew", people, at=world.clock.now())
    world.clock.advance(86400)
    session = world.session("reciprocity-1-listening", ["Ana", "Ben"])
    session.record_listened()
    session.end()
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await home_ready(pilot)
        await pilot.press("ctrl+l")
        await ledger_ready(pilot)
        screen = app.screen
        assert isinstance(screen, LedgerScreen)
        table = screen.query_one("#points")
        assert {row[0]: row[1] for row in table.rows} == {
            "Ana": "1",
            "Ben": "1",
        }
        await pilot.press("x", "enter")  # the export dialog: its folder and name as they come
        await pilot.pause()
        assert "| Ana | 1 | 1 |" in (world.export_dir / "ledger-everyone-2026-11-19.md").read_text()  # a day on


async def test_the_ledger_screen_is_on_show_before_it_adds_up(app_factory, world, monkeypatch):
    """Opening the ledger paints the screen first (its title says it is adding up), then fills it."""
    from circle.tui.screens import ledger as ledger_screen

    seen = []
    real = ledger_screen.compute

    def watched(store, rules, *rest):
        screen = world_app.screen
        seen.append((screen.is_mounted, str(screen.query_one("#ledger-title").content)))
        return real(store, rules, *rest)

    monkeypatch.setattr(ledger_screen, "compute", watched)
    session = world.session("reciprocity-1-listening", ["Ana", "Ben"])
    session.record_listened()
    session.end()
    world_app = app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await home_ready(pilot)
        await pilot.press("ctrl+l")
        await ledger_ready(pilot)
        assert seen == [(True, "Ledger: adding up every session…")]
        screen = app.screen
        assert str(screen.query_one("#ledger-title").content) == "Ledger: everyone"
        assert screen.query_one("#points").row_count == 2
