"""The session report at a laptop's 80x24: every column of its tables on the screen, none behind a scrollbar."""

from __future__ import annotations

from textual.widgets import DataTable

from circle.engine.agenda import proposal_for, standing
from tools.gallery import home_ready
from tools.shown import screen_lines
from tools.world import DEMO_PEOPLE


async def test_a_plan_replanned_twice_shows_every_step_column(world):
    """Each rebalance adds a length to the Replanned cell: the Actual column was pushed off the screen."""
    session = world.session("collaboratory-friendly", DEMO_PEOPLE[:10])
    clock = world.clock
    session.start()
    for minutes in (52, 20):  # two steps run long, and the plan is fitted again after each
        clock.advance(minutes * 60)
        where = standing(session.state, clock.now())
        session.adjust_plan(proposal_for(where).lengths, where.behind)
        session.next()
        session.start()
    clock.advance(31 * 60 + 48)
    session.next()
    session.end()
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        app.show_summary(session)
        await pilot.pause()
        steps = app.screen.query_one("#steps", DataTable)
        text = "\n".join(screen_lines(app))
        assert steps.max_scroll_x == 0, text  # nothing to scroll to sideways: every column is in view
        for header in ("Step", "Planned", "Replanned", "Actual"):
            assert header in text
        assert "31m 48s" in text, text  # the Artists step's Actual, whole
