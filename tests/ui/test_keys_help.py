"""`?` lists every key that works on the screen, as Textual knows them (the footer's list).

The help and the command palette used to read only the screen class's own BINDINGS: on the
agenda screen `?` said "m Marketplace" while some twenty keys worked (the live screen's, which
it inherits, and the app's).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static

from circle.tui.screens.dialogs import HelpDialog
from circle.tui.screens.home import HomeScreen
from tools.gallery import SCENES, home_ready, new_world

# A scene for every screen the app has (and the live screen with the keys of a game level).
SCREENS = {
    "home": "HomeScreen",
    "live": "LiveScreen",
    "level-2-money": "LiveScreen",
    "breakout-pairs": "LiveScreen",
    "agenda": "AgendaScreen",
    "marketplace": "MarketScreen",
    "summary": "SummaryScreen",
    "groups": "GroupsScreen",
    "ledger": "LedgerScreen",
    "loops": "LoopsScreen",
}
SCENE = {s.name: s for s in SCENES}


def expected(app) -> set[tuple[str, str]]:
    """Every active binding Textual reports for the screen, as the footer shows its key; a screen's
    own binding with a tooltip (its footer word short to fit) is listed by the tooltip, in full."""
    own = app.screen
    return {
        (
            app.get_key_display(active.binding),
            (active.node is own and active.binding.tooltip) or active.binding.description,
        )
        for active in own.active_bindings.values()
        if active.binding.description and not active.binding.system
    }


def shown(dialog: HelpDialog) -> list[tuple[str, str]]:
    """The dialog's rows: each line is its keys (several when they do the same) and what they do."""
    rows = []
    for static in dialog.query(".dialog-keys").results(Static):
        for line in str(static.render()).splitlines():
            if line.strip():
                keys, description = re.split(r"\s{2,}", line.strip(), maxsplit=1)
                rows.extend((key, description) for key in keys.split(" "))
    return rows


async def open_help(app, pilot) -> list[tuple[str, str]]:
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpDialog)
    return shown(app.screen)


@asynccontextmanager
async def on_screen(name: str, folder) -> AsyncIterator[tuple[App, Pilot]]:
    """The app on the screen of the gallery's scene ``name``, settled."""
    app, run_before = SCENE[name].build(new_world(folder))
    async with app.run_test(size=(120, 40)) as pilot:
        await (run_before(pilot) if run_before is not None else home_ready(pilot))
        await pilot.pause()
        yield app, pilot


@pytest.mark.parametrize("name", SCREENS)
async def test_question_mark_lists_every_active_binding(name, tmp_path):
    async with on_screen(name, tmp_path) as (app, pilot):
        assert type(app.screen).__name__ == SCREENS[name]
        want = expected(app)
        rows = await open_help(app, pilot)
        assert want <= set(rows), sorted(want - set(rows))
        assert len(rows) == len(set(rows))  # each key once
        descriptions = [d for _, d in rows]
        # A key listed is one that works here (the live screen adds escape, which leaves the note line).
        assert set(rows) - want <= {("escape", "leave the note line")}
        assert descriptions  # never an empty list
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpDialog)


async def test_the_agenda_help_lists_the_live_keys_and_the_apps(tmp_path):
    async with on_screen("agenda-behind", tmp_path) as (app, pilot):
        rows = await open_help(app, pilot)
        for row in [("f", "Replan"), ("space", "Go/pause"), ("n", "Next"), ("k", "Skip step"), ("^q", "Quit")]:
            assert row in rows  # its own, the live screen's, the app's
        assert len(rows) >= 20


async def test_question_mark_on_home_types_into_the_names_line(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("ctrl+n", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#names").value == "?"


@pytest.mark.parametrize("name", ["home", "agenda", "level-2-money"])
async def test_the_palette_offers_every_key_of_the_help(name, tmp_path):
    async with on_screen(name, tmp_path) as (app, pilot):
        commands = list(app.get_system_commands(app.screen))
        titles = [c.title for c in commands]
        assert len(titles) == len(set(titles))  # each once
        for _, description in expected(app):
            if description != "palette":  # the palette does not offer itself
                assert description in titles, description
