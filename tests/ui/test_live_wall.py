"""Pilot tests: nothing covers the countdown the room reads on the wall."""

from __future__ import annotations

from textual.geometry import Region

from circle.tui.widgets.big_clock import BigClock, scale_for
from circle.tui.widgets.turn_clock import TurnClock
from tools.shown import screen_lines


def _overlaps(a: Region, b: Region) -> bool:
    return bool(a.intersection(b).area)


def _toasts(screen) -> list[Region]:
    """Where the toasts on ``screen`` are (the tests that look run with notifications on)."""
    racks = [w for w in screen.children if type(w).__name__ == "ToastRack"]
    found = [w for rack in racks for w in rack.walk_children() if type(w).__name__ == "Toast"]
    return [w.region for w in found if w.region.area]


async def test_plus_sixteen_times_says_the_total_in_one_line_and_no_toast_covers_the_clock(app_factory, clock):
    app = app_factory()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.start_session("feelz-reflect", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        live = app.screen
        await pilot.press("space", *["plus"] * 16)
        await pilot.pause()
        await pilot.pause()
        digits = live.query_one(TurnClock).region
        toasts = _toasts(live)
        assert not any(_overlaps(digits, t) for t in toasts)  # used to stack 16 toasts over the digits
        status = str(live.query_one("#status-line").content)
        assert status.startswith("+8m for this turn")  # one line with the total, not sixteen "+30s"
        assert "left" in status
        assert any("+8m for this turn" in line for line in screen_lines(app))


async def test_plus_on_a_meal_says_block(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("collaboratory-friendly", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        await pilot.press("space", "plus", "plus")
        await pilot.pause()
        assert str(app.screen.query_one("#status-line").content).startswith("+1m for this block")


async def test_a_warning_toast_never_covers_the_clock(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.start_session("feelz-reflect", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        live = app.screen
        for n in range(4):  # real warnings may stack: only the newest shows, over the note line
            live.notify(f"warning {n}: something is wrong with the store, and it says so at length", severity="warning")
        await pilot.pause()
        await pilot.pause()
        digits = live.query_one(TurnClock).region
        toasts = _toasts(live)
        assert toasts and not any(_overlaps(digits, t) for t in toasts)


async def test_the_rebalancing_proposal_leaves_the_countdown_whole(app_factory, clock):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("collaboratory-friendly", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        screen = app.screen
        await pilot.press("space")
        clock.advance(52 * 60)  # the meal runs twelve minutes long
        screen.refresh_view()
        await pilot.pause()
        assert screen.proposal is not None
        big = screen.query_one(BigClock)
        width, height = big.content_size
        assert scale_for(big.text, width, height) >= 2  # used to shrink to the smallest digits
        assert not _overlaps(screen.query_one("#proposal").region, screen.query_one(TurnClock).region)
        shown = "\n".join(screen_lines(app))
        assert "overtime" in shown  # used to be pushed off the wall
        assert "Press f" in shown


async def test_the_wall_clock_is_labelled(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-reflect", ["Ana", "Ben"])
        await pilot.pause()
        assert str(app.screen.query_one("#wall-clock").content).startswith("now ")


async def test_the_reciprocity_panel_title_fits_at_80_columns(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("reciprocity-2-money", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        await pilot.pause()
        assert any("o offer i ask u undo" in line for line in screen_lines(app))  # was "o offer · i ask · u…"


async def test_a_recorded_offer_is_acknowledged_in_the_status_line(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.start_session("reciprocity-2-money", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        live = app.screen
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("enter", "down", "down", "down", "enter")
        await pilot.press("tab", "enter", "down", "enter")
        await pilot.press("tab", *"an introduction", "enter")
        await pilot.pause()
        assert app.screen is live
        assert str(live.query_one("#status-line").content).startswith("recorded: +5 for the offer")
        assert not _toasts(live)


async def test_escape_keeps_a_draft_note_off_the_wall_and_ending_asks_to_save_it(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-reflect", ["Ana", "Ben"])
        await pilot.pause()
        live = app.screen
        await pilot.press("slash", *"Ben looks tired", "escape")
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        assert "Ben looks tired" not in shown  # used to stay projected in the note box
        assert "draft note kept" in shown
        await pilot.press("slash", *" today", "escape")  # / goes back to the draft, where it was left
        await pilot.press("e", "y")
        await pilot.pause()
        assert "Save the draft note" in str(app.screen.query_one(".dialog-title").content)
        assert "Ben looks tired today" in "\n".join(screen_lines(app))
        await pilot.press("y")
        await pilot.pause()
        assert [n.text for n in live.session.state.notes] == ["Ben looks tired today"]  # used to be dropped
        assert live.session.state.ended


async def test_ending_with_a_draft_can_drop_it_when_asked(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-reflect", ["Ana", "Ben"])
        await pilot.pause()
        live = app.screen
        await pilot.press("slash", *"never mind", "escape", "e", "y")
        await pilot.pause()
        assert "Save the draft note" in str(app.screen.query_one(".dialog-title").content)  # used to end unasked
        await pilot.press("n")
        await pilot.pause()
        assert live.session.state.notes == [] and live.session.state.ended


async def test_add_remove_and_offer_dialogs_leave_the_countdown_in_sight(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("reciprocity-2-money", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        live = app.screen
        await pilot.press("space")
        for key in ("a", "r", "o"):
            await pilot.press(key)
            await pilot.pause()
            dialog = app.screen
            assert dialog is not live
            frame = dialog.query_one(".dialog").region
            assert not _overlaps(frame, live.query_one(TurnClock).region), key  # used to sit over the digits
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is live
