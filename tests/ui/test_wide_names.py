"""Names from every script keep the wall in line, and resizing never stops a running timer.

Each line the screen draws must be exactly as wide as the terminal twice over: as Textual
measures it (by grapheme) and as a terminal that counts one code point at a time does. When
the two agree on every line, every border and column lands where it should on either kind
of terminal.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from circle.core.wall_text import codepoint_width
from circle.engine import countdown_seconds
from circle.tui.widgets.big_clock import BigClock
from tools.gallery import CONGREGATION, DEMO_PEOPLE, SCENES, WORLD_PEOPLE, new_world, settle
from tools.shown import screen_lines

WIDE_SCENES = [s for s in SCENES if s.name.endswith(("-names", "-names-large")) or s.name.startswith("live-200")]


def test_the_wide_name_scenes_are_there():
    assert {s.name for s in WIDE_SCENES} >= {"live-names", "live-names-large", "breakout-names", "summary-names"}


@pytest.mark.parametrize("scene", WIDE_SCENES, ids=[s.name for s in WIDE_SCENES])
async def test_every_line_is_as_wide_as_the_terminal_in_every_terminal(scene, tmp_path):
    app, run_before = scene.build(new_world(tmp_path))
    width, height = scene.size
    async with app.run_test(size=scene.size) as pilot:
        await run_before(pilot)
        lines = screen_lines(app)
        assert len(lines) == height
        for y, line in enumerate(lines):
            assert (cell_len(line), codepoint_width(line)) == (width, width), f"line {y}: {line!r}"
        shown = "\n".join(lines)
        if "names" in scene.name:  # the names are really there (emoji in their plain form)
            assert "Renée ❤" in shown or "李小龍" in shown


async def test_the_roster_border_stays_in_one_column(tmp_path):
    scene = next(s for s in SCENES if s.name == "live-names")
    app, run_before = scene.build(new_world(tmp_path))
    async with app.run_test(size=scene.size) as pilot:
        await run_before(pilot)
        rows = [line for line in screen_lines(app) if line.rstrip().endswith("│")]
        assert len(rows) >= len(WORLD_PEOPLE)
        # The column of the roster's right border, counted one code point at a time.
        columns = {codepoint_width(line[: line.rindex("│")]) for line in rows}
        assert len(columns) == 1, columns


SIZES = [(80, 24), (160, 48), (40, 12), (1, 1), (12, 4), (200, 60), (81, 25), (24, 80), (3, 120), (300, 90)]


@pytest.mark.parametrize(
    ("protocol_id", "people", "skips"),
    [
        ("feelz-reflect", WORLD_PEOPLE, 0),
        ("reciprocity-1-listening", CONGREGATION, 0),
        ("congregation-mixer", WORLD_PEOPLE + DEMO_PEOPLE[:18], 1),  # the groups grid
        ("collaboratory-friendly", DEMO_PEOPLE[:12], 0),  # the agenda screen
    ],
    ids=["names-from-everywhere", "round-of-200", "breakout", "agenda"],
)
async def test_resizing_again_and_again_while_the_timer_runs(world, protocol_id, people, skips):
    session = world.session(protocol_id, people)
    for _ in range(skips):
        session.skip_step()
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.show_live(session)
        await pilot.pause()
        await pilot.press("space")
        for n in range(60):
            world.clock.advance(7)
            await pilot.resize_terminal(*SIZES[n % len(SIZES)])
            await settle(pilot)
            if n in (20, 45):  # the next turn or round, mid-resizing
                await pilot.press("n")
            if session.state.phase(world.clock.now()) not in ("running", "overtime"):
                await pilot.press("space")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        screen = app.screen
        assert screen.query_one(BigClock)  # still the live (or agenda) screen
        state = session.state
        assert state.phase(world.clock.now()) in ("running", "overtime")
        assert world.clock.now() - state.runs[0].started_at >= 60 * 7  # the timer really ran meanwhile
        seconds = countdown_seconds(state.remaining(world.clock.now()))
        sign = "+" if state.phase(world.clock.now()) == "overtime" else ""
        assert screen.query_one(BigClock).text == f"{sign}{seconds // 60}:{seconds % 60:02d}"
        assert len(screen_lines(app)) == 24


async def test_a_dialog_shows_a_typed_name_as_text_not_markup(world):
    # A group called "[b]ees ❤️ [/x]": brackets are letters, and the heart is drawn plain (the name
    # to edit, below it, stays as typed, so that renaming keeps what is not changed).
    world.store.create_group("[b]ees ❤\ufe0f [/x]", world.store.people_named(["Ana", "Ben", "Caro"]))
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.action_show_groups()
        await pilot.pause()
        await pilot.press("r")  # rename: the dialog asks "New name for ..."
        await pilot.pause()
        lines = screen_lines(app)
        title = next(line for line in lines if "New name for" in line)
        assert "New name for [b]ees ❤ [/x]" in title and codepoint_width(title) == 80, lines
