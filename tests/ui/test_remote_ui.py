"""Pilot tests: the facilitator's phone as a remote for the wall, through the keys' own path."""

from __future__ import annotations

import contextlib
import io

import aiohttp

from circle.cli import main
from circle.tui.screens.dialogs import ConfirmDialog
from circle.tui.screens.remote import PRIVACY_QUESTION, RemoteDialog
from circle.tui.screens.summary import SummaryScreen
from tests.ui.test_follow_ui import LOOPBACK, page_status, text_is


async def open_remote(app, pilot) -> RemoteDialog:
    """ctrl+r, then y to the privacy question: the remote's code on the (private) screen."""
    await pilot.press("ctrl+r")
    await pilot.pause()
    assert isinstance(app.screen, ConfirmDialog) and app.screen.question == PRIVACY_QUESTION
    await pilot.press("y")
    for _ in range(50):
        await pilot.pause(0.02)
        if isinstance(app.screen, RemoteDialog):
            break
    assert isinstance(app.screen, RemoteDialog)
    return app.screen


async def command(url: str, name: str, text: str = "", token: str | None = None) -> tuple[int, dict | str]:
    """POST a command as the remote page does; the status and the JSON (or text) answered."""
    token = token if token is not None else url.rstrip("/").rsplit("/", 1)[1]
    async with (
        aiohttp.ClientSession() as http,
        http.post(url + "command", json={"command": name, "text": text}, headers={"X-Circle-Remote": token}) as r,
    ):
        return r.status, await (r.json() if r.content_type == "application/json" else r.text())


async def test_the_remote_asks_first_and_shows_nothing_on_no(world):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.screen.question == PRIVACY_QUESTION
        await pilot.press("n")
        await pilot.pause()
        assert type(app.screen).__name__ == "LiveScreen"
        assert app.follow is None  # nothing served, nothing shown


async def test_on_yes_the_remote_has_its_own_code_and_x_makes_a_new_one(world):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(120, 40)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        sid = app.screen.session.state.session_id
        dialog = await open_remote(app, pilot)
        server = app.follow
        url = dialog.url
        assert url == server.remote_url and url != server.url and server.token not in url
        assert "█" in str(dialog.query_one("#qr").content)  # the code is drawn
        assert str(dialog.query_one("#follow-url").content) == url
        assert await page_status(url) == 200
        assert world.store.share(sid).remote_token == server.remote_token  # for `circle remote`
        await pilot.press("x")
        await pilot.pause()
        new = app.screen.url
        assert new != url and str(app.screen.query_one("#follow-url").content) == new
        assert await page_status(url) == 404 and await page_status(new) == 200  # the old phone stops working
        assert (await command(url, "toggle"))[0] == 404
        assert world.store.share(sid).remote_token == server.remote_token
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "LiveScreen" and await page_status(new) == 200  # closing is not stopping
        await app.following.stop()


async def test_commands_take_the_keys_path_and_never_more(world):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(120, 40)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        live = app.screen
        session = live.session
        await open_remote(app, pilot)
        url = app.follow.remote_url
        await pilot.press("escape")
        await pilot.pause()
        status, state = await command(url, "toggle")
        assert status == 200 and session.state.running and state["running"] and state["speaker"] == "Ana"
        status, state = await command(url, "more")
        assert status == 200 and state["remaining"] == 90  # a minute's turn, +30 s
        status, state = await command(url, "note", "Ana asked for a break")
        assert status == 200 and [n.text for n in session.state.notes] == ["Ana asked for a break"]
        status, answer = await command(url, "dance")
        assert status == 400 and "unknown command" in answer["error"] and "\n" not in answer["error"]
        await pilot.press("slash")  # the facilitator types on the wall: no key is the wall's now
        await pilot.pause()
        count = session.state.event_count
        status, answer = await command(url, "next")
        assert status == 409 and "cannot be done" in answer["error"]
        assert session.state.event_count == count and session.state.current.label == "Ana"  # nothing changed
        await pilot.press("d", "r", "a", "f", "t", "escape")  # left as a draft
        await pilot.pause()
        status, answer = await command(url, "end")
        assert status == 409 and answer["error"] == "finish or clear the draft note on the wall first"
        assert not session.state.ended
        status, state = await command(url, "next")
        assert status == 200 and state["speaker"] == "Ben"
        await pilot.press("ctrl+r")  # a question open on the wall: the remote waits for its answer
        await pilot.pause()
        status, answer = await command(url, "toggle")
        assert status == 409 and "answer it there first" in answer["error"]
        await pilot.press("n")
        await pilot.pause()
        await command(url, "next")  # to the open step: nobody speaks
        count = session.state.event_count
        status, answer = await command(url, "pass")
        assert status == 409 and session.state.event_count == count
        await pilot.press("slash")  # the draft is finished and saved: now the remote may end
        await pilot.press("enter")
        await pilot.pause()
        status, state = await command(url, "end")
        assert status == 200 and state["phase"] == "ended" and session.state.ended
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, SummaryScreen):
                break
        assert isinstance(app.screen, SummaryScreen) and app.follow is None  # as e then y


async def test_a_phone_runs_the_wall(world, phone):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(120, 40)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        session = app.screen.session
        await open_remote(app, pilot)
        url = app.screen.url
        await pilot.press("escape")
        await phone.goto(url)
        await phone.wait_for_function(text_is("#speaker", "Ana"))
        assert await phone.inner_text("#toggle") == "Start" and not session.state.running
        await phone.click("#toggle")
        await phone.wait_for_function(text_is("#toggle", "Pause"))
        assert session.state.running
        await phone.click("#toggle")
        await phone.wait_for_function(text_is("#toggle", "Start"))
        assert not session.state.running
        await phone.click("#next-turn")
        await phone.wait_for_function(text_is("#speaker", "Ben"))
        assert session.state.current.label == "Ben"
        await pilot.pause()
        assert str(app.screen.query_one("#speaker").content) == "Ben"  # the wall moved on
        await phone.fill("#note", "Ben is new here")
        await phone.click("#send")
        await phone.wait_for_function(text_is("#answer", "note saved"))
        assert [n.text for n in session.state.notes] == ["Ben is new here"]
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        await phone.click("#end")  # the page asks first
        assert not session.state.ended
        await phone.click("#end-no")
        await phone.click("#end")
        await phone.click("#end-yes")
        await phone.wait_for_function("document.getElementById('clock-note').textContent.includes('ended')")
        assert session.state.ended


async def test_a_phone_whose_address_was_replaced_says_so(world, phone):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(120, 40)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        await open_remote(app, pilot)
        await phone.goto(app.screen.url)
        await phone.wait_for_function(text_is("#speaker", "Ana"))
        await pilot.press("x")  # a new address: the old phone stops working
        await pilot.pause()
        await phone.wait_for_function("document.getElementById('status').textContent.includes('replaced')")
        assert await phone.is_disabled("#toggle")
        await pilot.press("escape")
        await app.following.stop()


async def test_a_resumed_session_keeps_its_remote_address(world):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(120, 40)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        await open_remote(app, pilot)
        url = app.screen.url
        await pilot.press("escape", "ctrl+q")  # quit (or be killed) while shared
    again = world.app(follow=LOOPBACK, check_resume=True)
    async with again.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            await pilot.pause(0.02)
            if "ResumeDialog" in type(again.screen).__name__:
                break
        await pilot.press("r")
        for _ in range(100):
            await pilot.pause(0.02)
            if again.follow is not None:
                break
        assert again.follow is not None and again.follow.remote_url == url  # the phone finds the wall again
        status, state = await command(url, "toggle")
        assert status == 200 and state["running"]
        await again.following.stop()


def circle(*argv: str) -> tuple[int, str, str]:
    """`circle ARGV` as from another terminal: its exit code, output and errors."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


async def test_circle_remote_prints_the_address_of_the_session_being_run(world):
    db = str(world.store.path)
    code, out, err = circle("remote", "--db", db)
    assert (code, out) == (1, "") and err.startswith("circle: no session is being shared now")
    assert err.count("\n") == 1 and "Traceback" not in err
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(120, 40)) as pilot:
        app.start_session("feelz-appreciation", ["Ana", "Ben"])
        await pilot.pause()
        await open_remote(app, pilot)
        url = app.follow.remote_url
        assert circle("remote", "--db", db) == (0, url + "\n", "")
        await pilot.press("x")
        await pilot.pause()
        new = app.follow.remote_url
        assert new != url and circle("remote", "--db", db) == (0, new + "\n", "")
        await pilot.press("escape", "e", "y")
        await pilot.pause()
    code, out, err = circle("remote", "--db", db)  # ended: nothing is shared
    assert code == 1 and "no session is being shared now" in err


async def test_in_a_speaking_queue_the_remote_calls_the_next_hand(world, phone):
    from tests.ui.test_queue_wall import at_questions

    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(80, 24)) as pilot:
        live = await at_questions(app, pilot)
        ids = {p.name: p.id for p in live.session.state.people_present()}
        live.session.raise_hand(ids["Caro"])
        live.session.raise_hand(ids["Ana"])
        live.refresh_view()
        await open_remote(app, pilot)
        url = app.screen.url
        await pilot.press("escape")
        await phone.goto(url)
        await phone.wait_for_function(text_is("#next-turn", "Call the next hand (2 up)"))
        await phone.click("#next-turn")
        await phone.wait_for_function(text_is("#speaker", "Caro"))
        queue = live.session.state.queue
        assert live.session.state.name(queue.speaking.person) == "Caro"
        assert await phone.inner_text("#next-turn") == "Call the next hand (1 up)"
