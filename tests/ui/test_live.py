"""Pilot tests: a facilitator runs a whole round with single keys."""

from __future__ import annotations

from textual.widgets import Input

from circle.sessions import resumable, resume_session
from circle.tui.screens.home import HomeScreen
from circle.tui.screens.live import LiveScreen
from circle.tui.screens.summary import SummaryScreen
from circle.tui.widgets.big_clock import BigClock
from circle.tui.widgets.turn_clock import TurnClock
from tools.gallery import home_ready


async def test_whole_round_by_keys(app_factory, clock, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        assert isinstance(app.screen, HomeScreen)
        # Pick the check-in from the library and type who is here.
        table = app.screen.query_one("#protocols")
        keys = [row.value for row in table.rows]
        table.move_cursor(row=keys.index("feelz-checkin"))
        await pilot.press("ctrl+n", *"Ana, Ben, Caro", "enter")
        await pilot.pause()
        live = app.screen
        assert isinstance(live, LiveScreen)
        assert live.query_one(BigClock).text == "0:30"  # the arrival silence, not started

        await pilot.press("space")
        clock.advance(30)
        await pilot.press("n")  # silence over: the check-in round waits for space
        assert live.session.state.phase(clock.now()) == "ready"
        assert live.query_one("#speaker").content == "Ana"

        await pilot.press("space")
        clock.advance(60)
        await pilot.press("n")  # Ana done
        await pilot.press("p")  # Ben passes
        assert str(live.query_one("#speaker").content) == "Caro"
        await pilot.press("plus")  # Caro gets 30 s more
        clock.advance(130)  # 90 + 30 allotted, 10 s over
        live.refresh_view()
        await pilot.pause()
        assert live.query_one(BigClock).text == "+0:10"
        assert live.has_class("-overtime")

        await pilot.press("slash", *"Caro named a hard week", "enter")
        await pilot.press("n", "e", "y")
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        table = summary.query_one("#people")
        totals = {str(r[0]): tuple(str(c) for c in r[1:]) for r in map(table.get_row_at, range(3))}
        assert totals["Ana"] == ("1m", "1", "0", "", "")
        assert totals["Ben"][2] == "1"  # one pass
        assert totals["Caro"] == ("2m 10s", "1", "0", "10s", "")

        await pilot.press("x", "enter")  # the export dialog: its folder and name as they come
        await pilot.pause()
        exported = list(world.export_dir.glob("*.md"))
        assert len(exported) == 1
        text = exported[0].read_text()
        assert "Caro named a hard week" in text
        assert "| Caro | 2m 10s | 2m | 10s | done |" in text  # allowed her 90 s and 30 s more


async def test_pause_stops_the_clock_and_back_returns(app_factory, clock):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        live = app.screen
        await pilot.press("space")
        clock.advance(20)
        await pilot.press("space")  # pause
        clock.advance(300)  # a long interruption does not count
        live.refresh_view()
        await pilot.pause()
        assert live.query_one(BigClock).text == "0:40"
        assert "paused" in str(live.query_one("#clock-caption").content)
        await pilot.press("space", "n")
        assert str(live.query_one("#speaker").content) == "Ben"
        await pilot.press("b")
        assert str(live.query_one("#speaker").content) == "Ana"
        assert live.query_one(BigClock).text == "0:40"  # Ana's turn resumes where it was


async def test_add_and_remove_people_mid_round(app_factory, clock):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        live = app.screen
        await pilot.press("a", *"Dee", "enter")
        await pilot.pause()
        assert [s.label for s in live.session.state.run.slots] == ["Ana", "Ben", "Dee"]
        await pilot.press("a", *"dee", "enter")  # already here: refused, not duplicated
        await pilot.pause()
        assert len(live.session.state.run.slots) == 3
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("down", "enter")  # Ben leaves
        await pilot.pause()
        statuses = {s.label: s.status for s in live.session.state.run.slots}
        assert statuses["Ben"] == "left"


async def test_bad_roster_is_refused_with_a_message(app_factory, store, notices):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("ctrl+n", *"Ana, ana", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("named twice" in message for message, _ in notices)
        assert store.sessions() == []
        await pilot.press("ctrl+n")
        app.screen.query_one("#names", Input).value = " , "
        await pilot.press("enter")
        await pilot.pause()
        assert any("no one is present" in message for message, _ in notices)


async def test_quit_and_resume_keeps_step_speaker_and_time(app_factory, clock, store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        await pilot.press("space")
        clock.advance(25)
        await pilot.press("n")
        clock.advance(12)
        await pilot.press("slash", *"tea break soon", "enter")
        await pilot.press("ctrl+q")
    clock.advance(600)  # circle is closed for ten minutes

    app = app_factory(check_resume=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Resume" in str(app.screen.query_one(".dialog-title").content)
        await pilot.press("r")
        await pilot.pause()
        live = app.screen
        assert isinstance(live, LiveScreen)
        assert str(live.query_one("#speaker").content) == "Ben"
        assert live.query_one(BigClock).text == "0:48"
        assert live.session.state.notes[0].text == "tea break soon"


def test_crash_recovery_counts_downtime_as_paused(store, library, clock):
    """A kill -9 leaves no pause event; the heartbeat tells when the app was last alive."""
    from circle.sessions import start_session

    session = start_session(store, library.get("feelz-appreciation"), ["Ana", "Ben"], clock)
    session.start()
    clock.advance(20)
    store.touch(session.state.session_id, clock.now())  # last heartbeat before the crash
    clock.advance(900)  # the laptop died; restarted fifteen minutes later
    row = resumable(store)
    resumed = resume_session(store, row, clock)
    assert resumed.state.remaining(clock.now()) == 40
    assert resumed.state.phase(clock.now()) == "paused"


async def test_bell_rings_once_when_a_turn_runs_out(app_factory, clock):
    app = app_factory()
    rings = []
    app.bell = lambda: rings.append(clock.now())
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        live = app.screen
        await pilot.press("space")
        for _ in range(70):  # a minute's turn, checked every second
            clock.advance(1)
            live.refresh_view()
        assert len(rings) == 1
        assert live.session.state.phase(clock.now()) == "overtime"


async def test_reuse_names_from_an_earlier_session(app_factory, world):
    earlier = world.past("feelz-checkin", ["Ana", "Ben", "Caro"])
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        app.screen.query_one("#reuse").value = f"roster:{earlier.state.session_id}"
        await pilot.pause()
        assert app.screen.query_one("#names").value == "Ana, Ben, Caro"


async def test_command_palette_offers_the_live_commands(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Skip step", "Remove someone", "Script", "+30s", "-30s"} <= titles
        assert "Offer" not in titles  # a Feelz circle has no reciprocity keys


async def test_a_crash_gives_back_less_than_a_second_of_what_the_wall_showed(app_factory, clock, store):
    """About once a second a running turn records that the app is alive, always before the wall
    paints (on a tick or after a key): killed at any moment, even while that is being written, a
    resume goes by a heartbeat less than a second older than the countdown last painted."""
    import random

    from circle.tui.screens.live import TICK

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        live = app.screen
        await pilot.press("space")
        painted, beats, lost = [clock.now()], [clock.now()], []  # the turn's start counts as a heartbeat
        refresh, touch = live.refresh_view, store.touch

        def painting() -> None:
            refresh()
            painted.append(clock.now())

        def beating(session_id: str, at: float) -> None:
            lost.append(painted[-1] - beats[-1])  # killed in this write: the wall showed this much more
            touch(session_id, at)
            beats.append(at)

        live.refresh_view, store.touch = painting, beating
        rng, start = random.Random(4), clock.now()
        for n in range(1, 51):  # ten seconds of ticks, each woken a little late, as a timer's are
            if n % 7 == 0:  # a key between two ticks paints too
                clock.t = start + n * TICK - 0.05
                await pilot.press("plus")
            clock.t = start + n * TICK + rng.uniform(0, 0.01)
            live._tick()  # the screen's timer, called by hand so the fake clock sets the times
        assert len(beats) - 1 >= 9  # about once a second
        assert max(lost) < 1.0


async def test_k_asks_before_skipping_a_long_step_and_b_brings_it_back(app_factory, clock):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-reflect", ["Ana", "Ben", "Caro"])
        await pilot.pause()
        live = app.screen
        await pilot.press("space")
        clock.advance(20)
        await pilot.press("k")  # nine minutes of sharing left: it asks
        await pilot.pause()
        assert "Skip Share?" in str(app.screen.query_one(".dialog-title").content)
        await pilot.press("n")
        await pilot.pause()
        assert live.session.state.run.index == 0
        await pilot.press("k", "y")
        await pilot.pause()
        assert live.session.state.run.index == 1
        await pilot.press("b")  # used to say "already at the first turn"
        await pilot.pause()
        state = live.session.state
        assert state.run.index == 0 and state.current.label == "Ana" and state.current.spent == 20


async def test_paused_in_overtime_shows_overtime(app_factory, clock):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        live = app.screen
        await pilot.press("space")
        clock.advance(64)  # 4 s past the minute
        await pilot.press("space")
        live.refresh_view()
        await pilot.pause()
        assert live.query_one(BigClock).text == "+0:04"  # used to read "0:04", as if 4 s were left
        assert "paused · overtime" in str(live.query_one("#clock-caption").content)
        assert live.query_one(TurnClock).has_class("-over")


async def test_a_round_comes_back_to_who_passed_on_the_wall(app_factory, clock):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        live = app.screen
        await pilot.press("space", "p")  # Ana passes
        clock.advance(30)
        await pilot.press("n")  # Ben, the last, is done: back to Ana
        await pilot.pause()
        assert str(live.query_one("#caption").content) == "back to Ana, who passed"
        assert str(live.query_one("#speaker").content) == "Ana"
