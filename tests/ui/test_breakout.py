"""Pilot tests: a breakout on the live screen, regrouped, moved and mended by keys."""

from __future__ import annotations

import re
from random import Random

import pytest

from circle.engine import fold
from circle.sessions import start_session
from circle.tui.screens.live import LiveScreen
from circle.tui.widgets import groups_grid
from circle.tui.widgets.groups_grid import GroupsGrid
from circle.tui.widgets.turn_clock import TurnClock
from tools.gallery import DEMO_PEOPLE
from tools.shown import screen_lines


async def open_breakout(app, world, people=8):
    session = world.session("congregation-mixer", DEMO_PEOPLE[:people])
    session.skip_step()  # past the welcome: pairs, round 1 of 3
    app.show_live(session)
    return session


def cards(screen: LiveScreen) -> list[tuple[str, tuple[str, ...]]]:
    return screen.query_one(GroupsGrid).cards


async def test_the_wall_shows_every_pair_and_g_regroups_from_this_round_on(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        session = await open_breakout(app, world)
        await pilot.pause()
        screen = app.screen
        shown = cards(screen)
        assert [title for title, _ in shown] == ["Pair 1", "Pair 2", "Pair 3", "Pair 4"]
        named = sorted(name for _, lines in shown for line in lines for name in line.split(" & "))
        assert named == sorted(DEMO_PEOPLE[:8])
        before = [list(g) for g in session.state.run.rounds[0]]
        await pilot.press("g")
        await pilot.pause()
        assert session.state.run.rounds[0] != before
        assert cards(screen) != shown
        logged = world.store.events(session.state.session_id)
        assert logged[-1].kind == "groups_set" and logged[-1].data["reason"] == "reshuffled"
        assert fold(logged).run.rounds == session.state.run.rounds  # what the wall shows is on disk


async def test_move_someone_by_keys(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        session = await open_breakout(app, world, people=12)
        session.skip_step()  # to the tables of five: 12 people sit at 4, 4 and 4
        await pilot.pause()
        first = session.state.run.rounds[0][0][0]
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("enter")  # the first person listed: the first of group 1
        await pilot.pause()
        await pilot.press("enter")  # the first other group: group 2
        await pilot.pause()
        groups = session.state.run.rounds[0]
        assert first in groups[1] and [len(g) for g in groups] == [3, 5, 4]
        name = session.state.name(first)
        assert name in cards(app.screen)[1][1]


async def test_someone_leaving_mid_round_is_taken_off_the_wall_and_the_rest_regrouped(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        session = await open_breakout(app, world)
        await pilot.press("space")  # round 1 under way
        world.clock.advance(30)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter")  # the first person present leaves
        await pilot.pause()
        gone = DEMO_PEOPLE[0]
        assert all(gone not in line for _, lines in cards(app.screen) for line in lines)
        pid = next(p for p, person in session.state.people.items() if person.name == gone)
        assert all(pid not in group for groups in session.state.run.rounds for group in groups)
        # Their partner was not left alone: they joined another pair, and the pairs kept their numbers.
        assert sorted(len(g) for g in session.state.run.rounds[0]) == [0, 2, 2, 3]
        assert session.state.running


async def test_breakout_keys_only_work_in_a_breakout(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        session = world.session("feelz-checkin")
        app.show_live(session)
        await pilot.pause()
        count = len(world.store.events(session.state.session_id))
        await pilot.press("g", "v")
        await pilot.pause()
        assert len(world.store.events(session.state.session_id)) == count
        assert not app.screen.query_one(GroupsGrid).display


async def test_in_pairs_v_offers_a_swap_and_g_asks_once_the_round_is_under_way(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        session = await open_breakout(app, world)
        await pilot.pause()
        pairs = [list(g) for g in session.state.run.rounds[0]]
        await pilot.press("v", "enter")  # the first of pair 1 moves
        await pilot.pause()
        options = app.screen.query_one("OptionList")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels and all(label.startswith("swap with") for label in labels)  # a pair cannot just lose one
        await pilot.press("enter")  # swap with the first person of pair 2
        await pilot.pause()
        now = session.state.run.rounds[0]
        assert now[0] == [pairs[1][0], pairs[0][1]] and now[1] == [pairs[0][0], pairs[1][1]]
        await pilot.press("space")
        world.clock.advance(20)
        await pilot.press("g")  # under way: it asks first
        await pilot.pause()
        assert "Mix new groups now?" in str(app.screen.query_one(".dialog-title").content)
        await pilot.press("n")
        await pilot.pause()
        assert session.state.run.rounds[0] == now


async def test_a_latecomer_before_the_round_starts_joins_the_smallest_group(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        session = await open_breakout(app, world, people=9)  # pairs: three pairs and a trio
        await pilot.pause()
        before = [list(g) for g in session.state.run.rounds[0]]
        await pilot.press("a", *"Lou", "enter")
        await pilot.pause()
        after = session.state.run.rounds[0]
        lou = session.state.present[-1]
        smallest = min(range(len(before)), key=lambda i: len(before[i]))  # the first pair, not the trio
        assert after[smallest] == [*before[smallest], lou]
        assert [g for i, g in enumerate(after) if i != smallest] == [g for i, g in enumerate(before) if i != smallest]


def mixer_in(world, kind: str, people: int):
    """The mixer's first breakout in pairs, threes or tables of five, for ``people`` people."""
    protocol = world.library.get("congregation-mixer")
    steps = list(protocol.steps)
    if kind == "threes":
        steps[1] = steps[1].model_copy(update={"size": 3})
    session = start_session(
        world.store, protocol.model_copy(update={"steps": steps}), DEMO_PEOPLE[:people], world.clock, rng=Random(7)
    )
    session.skip_step()  # past the welcome
    if kind == "tables":
        session.skip_step()
    session.start()
    return session


def named_on(lines: list[str], names: list[str]) -> set[str]:
    """The names drawn whole on these lines (Ana is not found in Hana)."""
    text = "\n".join(lines)
    return {name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)}


@pytest.mark.parametrize("kind", ["pairs", "threes", "tables"])
@pytest.mark.parametrize("people", [12, 16, 24, 30])
async def test_at_80x24_every_group_is_read_at_once_or_within_one_cycle_of_pages(app_factory, world, kind, people):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.show_live(mixer_in(world, kind, people))
        await pilot.pause()
        await pilot.pause()
        grid = app.screen.query_one(GroupsGrid)
        clock = app.screen.query_one(TurnClock)
        everyone = DEMO_PEOPLE[:people]
        lines = screen_lines(app)
        seen = named_on(lines, everyone)
        assert grid.region.bottom <= 24 - 4 and not grid.region.overlaps(clock.region)  # above the note line
        paged = re.search(r"page 1/(\d+)", "\n".join(lines))
        if paged is None:  # all at once
            assert seen == set(everyone)
            return
        pages = int(paged.group(1))
        assert people > 16  # sixteen and fewer always fit at once
        before = [line[clock.region.x : clock.region.right] for line in lines[clock.region.y : clock.region.bottom]]
        for page in range(2, pages + 2):
            assert any(f"page {(page - 2) % pages + 1}/{pages}" in line for line in lines)
            grid.turn_page()  # what the timer calls
            await pilot.pause()
            lines = screen_lines(app)
            seen |= named_on(lines, everyone)
            now = [line[clock.region.x : clock.region.right] for line in lines[clock.region.y : clock.region.bottom]]
            assert now == before  # a page turning leaves the countdown as it was
        assert seen == set(everyone)
        assert any(f"page 1/{pages}" in line for line in lines)  # round again to the first


async def test_pages_turn_on_their_own(app_factory, world, monkeypatch):
    monkeypatch.setattr(groups_grid, "PAGE_SECONDS", 0.1)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.show_live(mixer_in(world, "tables", 30))
        await pilot.pause()
        grid = app.screen.query_one(GroupsGrid)
        assert len(grid.plan.pages) > 1
        for _ in range(50):
            await pilot.pause(0.05)
            if grid.page:
                break
        assert grid.page == 1
