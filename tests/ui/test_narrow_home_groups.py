"""Home, Groups and the summary on a laptop's 80x24: every title whole, the footer at once."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static
from textual.widgets._footer import FooterKey

from circle.protocol.loader import load_library
from circle.tui.screens.groups import GroupsScreen
from tools.gallery import SCENES, home_ready, new_world
from tools.shown import screen_lines
from tools.world import wait_for

SCENE = {s.name: s for s in SCENES}


def region_text(app, widget) -> str:
    """What is drawn inside ``widget``'s region, its lines joined, spaces squeezed."""
    region = widget.scrollable_content_region  # without its scrollbar
    lines = screen_lines(app)[region.y : region.bottom]
    return " ".join(" ".join(line[region.x : region.right].split()) for line in lines)


def test_the_library_opens_with_the_short_circles():
    families = [p.family for p in load_library().sorted()]
    assert families[:3] == ["Feelz Circle"] * 3
    assert families[-1] == "Gatherings"  # two days of system actors close the list
    # A family stays together: each one's protocols in one run.
    runs = [f for i, f in enumerate(families) if i == 0 or families[i - 1] != f]
    assert len(runs) == len(set(runs))


async def test_every_title_and_description_whole_at_80x24(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.pause()
        home = app.screen
        table = home.query_one("#protocols", DataTable)
        assert table.get_row_at(0)[2].plain.startswith("Feelz")  # what most circles open
        for _ in range(table.row_count):
            protocol = home.selected_protocol()
            title = " ".join(protocol.title.split())
            await wait_for(pilot, lambda: title in region_text(app, table), f"{title} whole on the screen")  # noqa: B023
            summary = region_text(app, home.query_one("#protocol-summary", Static))
            assert " ".join(protocol.summary.split()) in summary, protocol.id
            await pilot.press("down")


async def test_home_and_end_belong_to_the_names_line(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        table = app.screen.query_one("#protocols", DataTable)
        await pilot.press("down", "down", "ctrl+n", *"Ana, Ben", "home")
        names = app.screen.query_one("#names", Input)
        assert names.cursor_position == 0
        await pilot.press("end")
        assert names.cursor_position == len("Ana, Ben")
        assert table.cursor_row == 2


async def test_a_chosen_group_stays_on_one_line(app_factory, store, clock):
    people = store.people_named(["Ana", "Ben", "Caro"])
    store.create_group("Riverside congregation of the valley", people, kind="congregation", at=clock.now())
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        home = app.screen
        table = home.query_one("#protocols", DataTable)
        await pilot.press(*["down"] * 6)
        row = home.query_one("#who-row")
        height = row.region.height
        home.query_one("#reuse").value = "group:Riverside congregation of the valley"
        await pilot.pause()
        assert row.region.height == height
        assert home.query_one("#names", Input).value == "Ana, Ben, Caro"
        title = home.selected_protocol().title
        title = " ".join(title.split())
        await wait_for(pilot, lambda: title in region_text(app, table), "the chosen protocol still in view")


async def test_the_groups_footer_comes_with_the_screen(app_factory, store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await app.push_screen(GroupsScreen(store))  # mounted: the footer's keys are there already
        keys = [key.description for key in app.screen.query(FooterKey)]
        assert "New group" in keys and "Home" in keys


async def test_question_mark_opens_the_help_on_groups_at_80x24(app_factory):
    from circle.tui.screens.dialogs import HelpDialog

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        await pilot.press("escape", "ctrl+g", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)


@pytest.mark.parametrize("name", ["summary", "summary-names", "summary-agenda"])
async def test_every_summary_column_shows_at_80x24(name, tmp_path):
    app, run_before = SCENE[name].build(new_world(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await run_before(pilot)
        await pilot.pause()
        for table in app.screen.query(DataTable).results(DataTable):
            # Nothing scrolled sideways: every column is within the table's width.
            assert table.virtual_size.width <= table.scrollable_content_region.width, table.id
            for column in table.columns.values():
                assert str(column.label) in region_text(app, table), (table.id, column.label)


@pytest.mark.parametrize("protocol", ["reciprocity-2-money", "feelz-appreciation"])
async def test_the_live_footer_comes_with_the_screen(app_factory, protocol):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        app.start_session(protocol, ["Ana", "Ben", "Caro"])
        await pilot.pause(0)  # the screen's first paint, before any focus settles
        keys = [key.description for key in app.screen.query(FooterKey)]
        assert "Go/pause" in keys and "End" in keys
