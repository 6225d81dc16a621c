"""Pilot tests: a breakout on the live screen, regrouped, moved and mended by keys."""

from __future__ import annotations

from circle.engine import fold
from circle.gallery import DEMO_PEOPLE
from circle.screens.live import LiveScreen
from circle.widgets.groups_grid import GroupsGrid


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
        # Their partner was not left alone: they joined another pair.
        assert sorted(len(g) for g in session.state.run.rounds[0]) == [2, 2, 3]
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
