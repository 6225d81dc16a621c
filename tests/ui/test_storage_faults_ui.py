"""Pilot tests: the screen under storage faults says what happened and shows nothing unrecorded."""

from __future__ import annotations

from circle.store import Store, StoreError
from circle.tui.app import make_app
from circle.tui.screens.ledger import LedgerScreen
from tools.gallery import home_ready, ledger_ready


async def test_looking_read_only_shows_the_history_and_changes_nothing(world, notices):
    world.past("feelz-checkin", ["Ana", "Ben", "Caro"])
    path = world.store.path
    before = path.read_bytes()
    app = make_app(Store(path, readonly=True), clock=world.clock, library=world.library, check_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await home_ready(pilot)
        assert "read-only" in str(app.home.query_one("#title").render())
        assert app.home.query_one("#sessions").option_count == 1
        await pilot.press("ctrl+n", *"Dee, Esi", "enter")  # try to start a session
        await pilot.pause()
        assert any("read-only" in message for message, _ in notices)
        await pilot.press("ctrl+l")  # the ledger can be looked at
        await ledger_ready(pilot)
        assert isinstance(app.screen, LedgerScreen)
    assert len(world.store.sessions()) == 1
    assert path.read_bytes() == before


async def test_a_full_disk_mid_session_is_said_and_the_wall_does_not_move(app_factory, world, notices):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        screen = app.screen
        await pilot.press("space")
        store = world.store
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        for size in (2000, 200, 20, 1):  # use up the last free space in the file, down to a byte
            try:
                for _ in range(500):
                    screen.session.note("x" * size)
            except StoreError:
                continue
        await pilot.press("n")
        await pilot.pause()
        assert str(screen.query_one("#speaker").content) == "Ana"  # the turn did not move on
        messages = [message for message, _ in notices]
        assert any(m.startswith("not saved, so not done:") and "disk is full" in m for m in messages)
        store.conn.execute("PRAGMA max_page_count = 1073741823")  # space again
        await pilot.press("n")
        await pilot.pause()
        assert str(screen.query_one("#speaker").content) == "Ben"


async def test_when_nothing_can_be_saved_the_clock_stops_where_it_was_saved(small_disk, notices):
    """On a real full disk the heartbeat failed unseen, and the wall went on counting time it
    had not saved (last frame 1:14, resumed 1:29)."""
    from circle.tui.widgets.big_clock import BigClock
    from tools.gallery import new_world

    world = new_world(small_disk.path)
    clock = world.clock
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        screen = app.screen
        await pilot.press("space")
        clock.advance(10)
        screen._tick()  # a heartbeat: 10 s of Ana's minute saved
        small_disk.fill()
        for _ in range(30):  # the disk is full now, and the turn goes on, a second at a time
            clock.advance(1)
            screen._tick()
        await pilot.pause()
        shown = screen.query_one(BigClock).text
        clock.advance(20)
        screen._tick()
        await pilot.pause()
        assert screen.query_one(BigClock).text == shown  # where it was last saved, not counting on
        message = str(screen.query_one("#message").content)
        assert "Not saving:" in message and "last moment saved" in message
        stopped = screen.session.state.remaining(screen.now())
        assert shown == f"0:{int(stopped):02d}"
        small_disk.free()  # space again
        clock.advance(5)
        screen._tick()
        await pilot.pause()
        state = screen.session.state
        assert not state.running and state.remaining(clock.now()) == stopped  # the gap counts as paused
        assert screen.query_one(BigClock).text == shown
        assert "Not saving" not in str(screen.query_one("#message").content)
        assert any("saving again" in message for message, _ in notices)
        logged = world.store.events(state.session_id)
        assert logged[-1].kind == "recovered"
    world.store.close()
