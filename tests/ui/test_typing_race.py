"""Keys typed faster than the screen can change focus land where they were meant to.

A burst (a fast typist, a paste, tmux sending a line at once) used to run "/skip new people"
as commands (a skip, a pass, a start, a next) and to put the key after Enter into the note
("hello theren") or the name. Here every key is handed to the app at once, with no pause
between them, as a terminal gives a burst.
"""

from __future__ import annotations

import asyncio
import unicodedata

from textual import events
from textual.keys import KEY_NAME_REPLACEMENTS


def key(name: str) -> events.Key:
    """The key event a terminal gives for a character ("a", "/" is slash), or for a named key."""
    if len(name) == 1:
        named = name if name.isalnum() else unicodedata.name(name).lower().replace("-", "_").replace(" ", "_")
        return events.Key(KEY_NAME_REPLACEMENTS.get(named, named), name)
    return events.Key(name, {"enter": "\r", "escape": "\x1b", "space": " "}.get(name))


async def burst(pilot, *parts: str) -> None:
    """Each part is typed as it stands ("hello there"), or is one key ("enter"); all in one go."""
    keys = [k for part in parts for k in ([part] if part in ("enter", "escape", "space") else list(part))]
    loop = asyncio.get_running_loop()
    for k in keys:  # no waiting between keys: a burst, each handed over by the loop as the terminal's are
        loop.call_soon(pilot.app.post_message, key(k))
    for _ in range(6):
        await pilot.pause()


def kinds(world, session) -> list[str]:
    return [e.kind for e in world.store.events(session.state.session_id)]


async def started(app, pilot):
    app.start_session("feelz-appreciation", ["Ana", "Ben", "Caro"])
    await pilot.pause()
    await pilot.press("space")
    return app.screen.session


async def test_everything_typed_after_slash_is_the_note(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        session = await started(app, pilot)
        before = kinds(world, session)
        await burst(pilot, "/skip new people")
        assert kinds(world, session) == before  # no skip, pass, start or next
        assert app.screen.query_one("#note-input").value == "skip new people"
        await burst(pilot, "enter")
        assert [n.text for n in session.state.notes] == ["skip new people"]


async def test_the_key_after_enter_is_for_the_wall(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        session = await started(app, pilot)
        await burst(pilot, "/hello there", "enter", "n")
        assert [n.text for n in session.state.notes] == ["hello there"]  # not "hello theren"
        assert session.state.current.label == "Ben"  # and n moved on
        assert app.screen.query_one("#note-input").value == ""


async def test_escape_leaves_the_note_and_the_next_key_is_the_walls(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        session = await started(app, pilot)
        await burst(pilot, "/half a tho", "escape", "n")
        assert session.state.notes == [] and session.state.current.label == "Ben"


async def test_a_name_typed_in_a_burst_and_the_key_after_it(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        session = await started(app, pilot)
        # "a" opens the dialog; the name comes before the dialog is drawn; then n for the wall.
        await burst(pilot, "aZed", "enter", "n")
        assert [p.name for p in session.state.people_present()][-1] == "Zed"  # not "Zedn"
        assert session.state.current.label == "Ben"
        assert "Zed" in [s.label for s in session.state.run.slots]


async def test_a_form_typed_in_one_go_fills_each_field(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        from circle.tui.screens.dialogs import FormDialog

        got = []
        app.push_screen(FormDialog("A project", [("name", "name"), ("who", "who")]), got.append)
        await burst(pilot, "Food hub", "enter", "Ana", "enter")
        assert got == [{"name": "Food hub", "who": "Ana"}]


async def test_a_name_with_a_separate_accent_is_kept_composed_and_is_one_person(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        session = await started(app, pilot)
        await burst(pilot, "aRene\u0301e", "enter")  # as a terminal sends the separate accent
        assert session.state.people_present()[-1].name == "Renée"
        assert world.store.people_named(["Renée"])[0].id == session.state.present[-1]


async def test_a_pasted_name_of_two_lines_is_refused_and_a_pasted_note_is_one_line(app_factory, world, notices):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        session = await started(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        app.post_message(events.Paste("Ana\nBen"))
        await pilot.pause()
        assert app.screen.line.value == ""  # not "Ana Ben", one person made of two
        assert any("more than one line" in message for message, _ in notices)
        await pilot.press("escape", "slash")
        app.post_message(events.Paste("first line\nsecond line"))
        await pilot.pause()
        await pilot.press("enter")
        assert [n.text for n in session.state.notes] == ["first line second line"]
