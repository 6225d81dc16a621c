"""Pilot tests: the follow-along code on the wall, and a phone (a real headless browser) following."""

from __future__ import annotations

import aiohttp

from circle.tui.screens.follow import FollowDialog
from circle.tui.screens.summary import SummaryScreen
from tools.gallery import DEMO_PEOPLE

LOOPBACK = ("127.0.0.1", 0)


async def page_status(url: str) -> int | None:
    """The HTTP status of ``url``, or None when nothing answers there."""
    try:
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            return response.status
    except aiohttp.ClientConnectionError:
        return None


async def test_q_puts_the_code_on_the_wall_and_x_stops_sharing(world):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, FollowDialog)
        url = app.follow.url
        assert url.startswith("http://127.0.0.1:") and app.screen.url == url
        assert await page_status(url) == 200
        await pilot.press("x")
        await pilot.pause()
        assert app.follow is None and not isinstance(app.screen, FollowDialog)
        assert await page_status(url) is None  # the port is closed


async def test_the_code_keeps_the_turns_time_in_sight(world):
    # The code covers the big digits while people scan it: the dialog says the time itself.
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        await pilot.press("space")
        world.clock.advance(5)
        await pilot.pause(0.3)
        await pilot.press("q")
        await pilot.pause(0.3)
        dialog = app.screen
        assert isinstance(dialog, FollowDialog)
        live = app.screen_stack[-2]
        line = str(dialog.query_one("#follow-clock").content)
        assert line == live.clock_line() and line.startswith("Ana · ")
        world.clock.advance(10)
        await pilot.pause(0.4)
        later = str(dialog.query_one("#follow-clock").content)
        assert later != line and later.startswith("Ana · ")
        await pilot.press("x")
        await pilot.pause()


async def test_ending_the_session_stops_sharing(world):
    app = world.app(follow=LOOPBACK, follow_at_start=True)  # as `circle run --follow`
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        for _ in range(20):
            await pilot.pause(0.05)
            if isinstance(app.screen, FollowDialog):
                break
        assert isinstance(app.screen, FollowDialog)
        url = app.follow.url
        await pilot.press("escape")  # the code goes; sharing goes on
        await pilot.pause()
        assert await page_status(url) == 200
        await pilot.press("e", "y")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert app.follow is None and await page_status(url) is None


def pair_of(session, name: str) -> int:
    """The number of the pair ``name`` sits in now, as the wall shows it."""
    state = session.state
    return next(i for i, group in enumerate(state.breakout_groups(), 1) if name in map(state.name, group))


def text_is(selector: str, text: str) -> str:
    return f"document.querySelector({selector!r}).textContent === {text!r}"


async def test_a_phone_follows_the_speaker_and_the_countdown(world, phone):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        await pilot.press("space")  # Ana's turn is running
        world.clock.advance(20)
        await pilot.press("q")
        await pilot.pause()
        await phone.goto(app.follow.url)
        await phone.wait_for_function(text_is("#speaker", "Ana"))
        assert await phone.inner_text("#clock") in ("0:40", "0:39")  # a minute's turn, 20 s gone
        assert await phone.inner_text("#next") == "next: Ben"
        await pilot.press("escape", "n")  # the facilitator moves on
        await phone.wait_for_function(text_is("#speaker", "Ben"), timeout=5000)
        assert await phone.inner_text("#next") == "next: Anything unsaid (next step)"
        await pilot.press("e", "y")  # the session ends: the page says so and stops asking
        await phone.wait_for_function("document.getElementById('clock-note').textContent.includes('ended')")


async def test_in_a_breakout_a_phone_shows_the_group_of_whoever_holds_it(world, phone):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(100, 30)) as pilot:
        session = world.session("congregation-mixer", DEMO_PEOPLE[:8])
        session.skip_step()  # to the pairs
        app.show_live(session)
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        await phone.goto(app.follow.url)
        await phone.wait_for_function("document.querySelectorAll('.group').length === 4")
        await phone.select_option("#me", "Caro")
        pair = pair_of(session, "Caro")
        assert (await phone.inner_text("#mine")).startswith(f"You are in Pair {pair}")
        await pilot.press("escape", "g")  # new pairs: the phone follows
        await pilot.pause()
        pair = pair_of(session, "Caro")
        await phone.wait_for_function(
            f"document.getElementById('mine').textContent.startsWith('You are in Pair {pair}')"
        )


async def test_a_phone_shows_a_turn_paused_in_overtime_as_overtime(world, phone):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        await pilot.press("space")
        world.clock.advance(64)  # 4 s past Ana's minute
        await pilot.press("space")  # paused in overtime
        await pilot.press("q")
        await pilot.pause()
        await phone.goto(app.follow.url)
        await phone.wait_for_function(text_is("#clock", "+0:04"))  # as on the wall, not "0:04"
        assert await phone.get_attribute("#clock", "class") == "overtime"
        assert await phone.inner_text("#clock-note") == "paused · overtime"


async def test_a_phone_that_loses_the_wall_stops_its_clock_and_finds_it_again(world, phone):
    """Killed or quit, the wall went quiet and phones counted down a clock no longer live."""
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        session = app.screen.session
        await pilot.press("space", "q")
        await pilot.pause()
        server = app.follow
        port, token = server.port, server.token
        await phone.goto(server.url)
        await phone.wait_for_function(text_is("#speaker", "Ana"))
        assert not await phone.is_visible("#lost")
        await server.stop()  # as when circle is killed: the page hears nothing more
        await phone.wait_for_selector("#lost", state="visible", timeout=6000)
        frozen = await phone.inner_text("#clock")
        await phone.wait_for_timeout(1500)
        assert await phone.inner_text("#clock") == frozen  # stopped, not counting on alone
        from circle.follow.server import FollowServer

        again = FollowServer("127.0.0.1", port, token=token)  # the session resumed, at the same address
        await again.start()
        try:
            again.update(session.state, world.clock.now())
            await phone.wait_for_selector("#lost", state="hidden", timeout=8000)
        finally:
            await again.stop()


async def test_long_names_wrap_and_in_a_breakout_the_picker_comes_first(world, phone):
    long = "Maria-Fernanda Alexandrina von Hohenzollern-Sigmaringen de la Cruz y Ortega"  # 75 characters
    people = [long, *[f"Guest {n}" for n in range(29)]]
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(100, 30)) as pilot:
        session = world.session("congregation-mixer", people)
        session.skip_step()  # pairs: fifteen cards
        app.show_live(session)
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        await phone.goto(app.follow.url)
        await phone.wait_for_function("document.querySelectorAll('.group').length === 15")
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # nothing pushes the page wider than the phone
        top = await phone.evaluate("document.getElementById('me').getBoundingClientRect().top")
        assert top < 844  # "Who are you?" on the first screen, not two screens down


async def test_a_resumed_session_is_shared_again_at_the_same_address(world):
    """After a resume the page was not served until q was pressed, and then at a new port and token."""
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        await pilot.press("space", "q")
        await pilot.pause()
        url = app.follow.url
        await pilot.press("escape", "ctrl+q")  # quit (or be killed): sharing was on
    assert await page_status(url) is None
    again = world.app(follow=LOOPBACK, check_resume=True)
    async with again.run_test(size=(100, 30)) as pilot:
        for _ in range(100):
            await pilot.pause(0.02)
            if "ResumeDialog" in type(again.screen).__name__:
                break
        await pilot.press("r")
        for _ in range(100):
            await pilot.pause(0.02)
            if again.follow is not None:
                break
        assert again.follow is not None and again.follow.url == url  # the same port and token
        assert await page_status(url) == 200
        await again.following.stop()
