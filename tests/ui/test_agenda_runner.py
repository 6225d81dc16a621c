"""Pilot tests: running an agenda with a fake clock, falling behind, accepting a rebalance."""

from __future__ import annotations

from circle.screens.agenda import AgendaScreen

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
