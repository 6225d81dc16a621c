"""Pilot tests: running an agenda with a fake clock, falling behind, accepting a rebalance."""

from __future__ import annotations

from circle.tui.screens.agenda import AgendaScreen

PEOPLE = ["Ana", "Ben", "Caro", "Dee", "Esi", "Femi", "Gus", "Hana"]


async def test_run_an_agenda_fall_behind_and_rebalance(app_factory, clock):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_session("collaboratory-friendly", PEOPLE)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AgendaScreen)
        assert "not started" in str(screen.query_one("#plan-status").content)

        await pilot.press("space")
        clock.advance(52 * 60)  # the meal runs twelve minutes long
        screen.refresh_view()
        await pilot.pause()
        assert "12 min behind" in str(screen.query_one("#plan-status").content)
        proposal = screen.proposal
        assert proposal is not None and proposal.ends_on_time
        assert "Press f to accept" in str(screen.query_one("#proposal").content)
        assert 2 not in proposal.lengths  # the artists' slot is fixed

        await pilot.press("f")
        await pilot.pause()
        assert "on time" in str(screen.query_one("#plan-status").content)
        state = screen.session.state
        assert state.plan == proposal.lengths

        await pilot.press("n", "space")  # on to the names round, shorter now
        await pilot.pause()
        assert state.current.allotted == proposal.lengths.get(1, 10 * 60)
        timeline = str(screen.query_one("#timeline").content)
        assert "✓ Food and drink  40m → 52m" in timeline


async def test_an_agenda_that_cannot_catch_up_says_so(app_factory, clock):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_session("collaboratory-friendly", PEOPLE)
        await pilot.pause()
        screen = app.screen
        await pilot.press("space")
        clock.advance(130 * 60)  # the meal swallowed most of the evening
        screen.refresh_view()
        await pilot.pause()
        text = str(screen.query_one("#proposal").content)
        assert "Still" in text and "over" in text
        assert not screen.proposal.ends_on_time


def status(screen) -> str:
    return str(screen.query_one("#plan-status").content)


async def test_the_header_follows_more_and_less_time_for_a_block(app_factory, clock):
    """+ sixteen times on the meal used to leave the header at "on time · ends 07:15"."""
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_session("collaboratory-friendly", PEOPLE)
        await pilot.pause()
        screen = app.screen
        await pilot.press("space")
        clock.advance(5 * 60)
        await pilot.press(*["plus"] * 16)
        await pilot.pause()
        assert "8 min behind" in status(screen)
        assert "Press f to accept" in str(screen.query_one("#proposal").content)
        assert "Food and drink  40m → 48m" in str(screen.query_one("#timeline").content)
        await pilot.press(*["minus"] * 36)  # 18 minutes less: 10 minutes shorter than planned
        await pilot.pause()
        assert "10 min ahead" in status(screen)
        assert not screen.query_one("#proposal").display


async def test_after_accepting_a_rebalance_the_header_says_on_time_and_the_summary_shows_it(app_factory, clock, world):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        app.start_session("collaboratory-friendly", PEOPLE)
        await pilot.pause()
        screen = app.screen
        await pilot.press("space")
        clock.advance(49 * 60 + 20)  # 9m 20s over: the proposal wins back 10 whole minutes
        screen.refresh_view()
        await pilot.pause()
        assert "9 min behind" in status(screen)
        await pilot.press("f")
        await pilot.pause()
        assert status(screen).startswith("on time")  # not "1 min ahead"
        new = screen.session.state.plan
        await pilot.press("n", "space")
        clock.advance(60)
        await pilot.press("e", "y")
        await pilot.pause()
        summary = app.screen
        table = summary.query_one("#steps")
        headers = [str(c.label) for c in table.columns.values()]
        assert "Replanned" in headers
        names = [str(c) for c in table.get_row_at(1)]
        assert names[headers.index("Planned")] == "10m"
        assert names[headers.index("Replanned")].startswith(f"{new[1] // 60}m (")
        story = " ".join(str(s.content) for s in summary.query(".lines"))
        assert "min behind): " in story and "Names and neighbourhoods 10m →" in story


async def test_a_two_day_agenda_waits_for_day_two_without_falling_behind(app_factory, clock, world):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        people = [f"P{n}" for n in range(12)]
        app.start_session("dreaming-gathering", people)
        await pilot.pause()
        screen = app.screen
        session = screen.session
        assert "Day 1 · not started" in status(screen)
        while session.state.protocol.day_of(session.state.run.index) == 0:
            session.start()
            clock.advance(session.state.remaining(clock.now()))
            session.next()
        clock.advance(17 * 3600)  # the next morning
        screen.refresh_view()
        await pilot.pause()
        assert status(screen) == "Day 2 · not started · 6h 00m"
        assert not screen.query_one("#proposal").display
        timeline = str(screen.query_one("#timeline").content)
        # The day gone by is one line, planned against run; the day to come lists its blocks.
        assert timeline.startswith("✓ Day 1  6h 00m → 6h 00m\nDay 2 · 6h 00m\n▶ Check-in  20m")
        await pilot.press("space")
        clock.advance(20 * 60)
        screen.refresh_view()
        await pilot.pause()
        assert status(screen).startswith("Day 2 · on time")
