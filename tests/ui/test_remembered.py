"""Pilot tests: the theme picked in the palette and the settings file, across restarts."""

from __future__ import annotations

import tomllib
from contextlib import asynccontextmanager

from circle.core import settings
from tools.gallery import home_ready


@asynccontextmanager
async def at_home(app):
    """The app running at 80x24, home filled in."""
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        yield pilot


async def pick_theme(pilot, name: str) -> None:
    """ctrl+p, the Theme command, then the theme by name: as a facilitator does it."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"theme")
    await pilot.pause(0.3)  # the palette searches in the background
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*name)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()


async def test_the_theme_picked_in_the_palette_is_the_theme_of_the_next_start(world):
    app = world.app()
    async with at_home(app) as pilot:
        assert app.theme == "projector"
        assert not world.settings.exists()  # nothing chosen, nothing written
        await pick_theme(pilot, "nord")
        assert app.theme == "nord"
    assert tomllib.loads(world.settings.read_text())["theme"] == "nord"

    again = world.app()
    async with at_home(again) as pilot:
        assert again.theme == "nord"


async def test_a_theme_given_when_opening_wins_over_the_remembered_one(world):
    settings.save(world.settings, theme="nord")
    app = world.app(theme="dracula")
    async with at_home(app):
        assert app.theme == "dracula"
    assert settings.read(world.settings)[0].theme == "nord"  # for this run only


async def test_an_unknown_theme_in_the_file_is_the_default_and_one_notice(world, notices):
    world.settings.write_text('theme = "no-such-theme"\nexport_dir = "/srv/notes"\n')
    app = world.app()
    async with at_home(app):
        assert app.theme == "projector"
        assert app.remembered.export_dir.as_posix() == "/srv/notes"  # the rest still counts
    assert (f"{world.settings}: no theme called 'no-such-theme'; using projector", "warning") in notices


async def test_a_damaged_settings_file_never_stops_circle_and_is_kept(world, notices):
    world.settings.write_text('theme = "nord')
    app = world.app()
    async with at_home(app) as pilot:
        assert app.theme == "projector"
        assert [m for m, _ in notices if str(world.settings) in m] == [
            f"{world.settings}: not valid TOML (Unterminated string (at end of document)); "
            "starting with the default settings"
        ]
        await pick_theme(pilot, "nord")
    assert (world.settings.parent / "settings.toml.damaged").read_text() == 'theme = "nord'
    assert settings.read(world.settings)[0].theme == "nord"
    assert any("kept as settings.toml.damaged" in m for m, _ in notices)


async def test_settings_that_cannot_be_saved_are_one_notice_and_last_the_run(world, notices, monkeypatch):
    import errno
    import os

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr("circle.core.settings.write_text", read_only)
    app = world.app()
    async with at_home(app) as pilot:
        await pick_theme(pilot, "nord")
        assert app.theme == "nord"
    assert (f"cannot save settings to {world.settings}: Read-only file system", "error") in notices
    assert not world.settings.exists()
