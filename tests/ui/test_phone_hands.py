"""Hands from phones in a speaking queue: real headless browsers (Debian's Chromium), each phone in
its own browser context (its own storage, as two phones are), and plain HTTP for the refusals."""

from __future__ import annotations

import aiohttp
import pytest

from circle.tui.screens.dialogs import ConfirmDialog
from tests.ui.test_follow_ui import LOOPBACK
from tests.ui.test_queue_wall import at_questions as questions
from tools.shown import screen_lines

PEOPLE = ["Ana", "Ben", "Caro", "Dee"]


@pytest.fixture
async def phones(browser):
    """Two phones, 390 px wide, each with its own storage."""
    pages = []
    for _ in range(2):
        context = await browser.new_context(viewport={"width": 390, "height": 844})
        pages.append(await context.new_page())
    return pages


async def at_questions(app, pilot):
    """The spotlight call at its questions, the clock running, phones invited."""
    live = await questions(app, pilot)
    await pilot.press("q")
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()
    return live


def shows(selector: str, text: str) -> str:
    return f"document.querySelector({selector!r}).textContent.includes({text!r})"


async def test_two_phones_raise_hands_see_their_places_and_the_wall_shows_the_order(world, phones):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(80, 24)) as pilot:
        live = await at_questions(app, pilot)
        first, second = phones
        for page, name in ((first, "Caro"), (second, "Ben")):
            await page.goto(app.follow.url)
            await page.wait_for_function("document.body.classList.contains('queue')")
            await page.select_option("#me", name)
        await first.click("#raise")
        await first.wait_for_function(shows("#place", "number 1"))
        await second.click("#raise")
        await second.wait_for_function(shows("#place", "number 2"))
        state = live.session.state
        assert [(state.name(h.person), h.source) for h in state.queue.hands] == [("Caro", "phone"), ("Ben", "phone")]
        await pilot.pause()
        wall = "\n".join(screen_lines(app))
        assert "Hands (2)" in wall and wall.index("Caro") < wall.index("Ben")
        await second.click("#respond")  # Ben responds to the point: before the queue
        await second.wait_for_function(shows("#place", "Your response is called next"))
        await first.wait_for_function(shows("#place", "number 2"))
        await first.click("#lower")
        await first.wait_for_function("document.querySelector('#place').textContent === ''")
        assert [(state.name(h.person), h.respond) for h in state.queue.waiting()] == [("Ben", True), ("Ben", False)]
        await pilot.press("n")  # the wall calls Ben's response
        await second.wait_for_function(shows("#place", "You are speaking"))


async def test_a_name_taken_by_another_phone_waits_for_the_walls_yes(world, phones):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(80, 24)) as pilot:
        live = await at_questions(app, pilot)
        first, second = phones
        for page in phones:
            await page.goto(app.follow.url)
            await page.wait_for_function("document.body.classList.contains('queue')")
        await first.select_option("#me", "Ana")
        await first.wait_for_function("document.querySelector('#hand-note').textContent === ''")
        await second.select_option("#me", "Ana")  # one phone raising hands for someone else
        await second.wait_for_function(shows("#hand-note", "the facilitator is asked"))
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmDialog) and "asks to be Ana" in app.screen.question
        await second.click("#raise")  # still waiting: no hand goes up
        await second.wait_for_function(shows("#hand-note", "the facilitator is asked"))
        assert live.session.state.queue.waiting() == []
        await pilot.press("y")
        await pilot.pause()
        await second.click("#raise")
        await second.wait_for_function(shows("#place", "number 1"))
        await first.click("#lower")  # the first phone no longer holds Ana: it cannot lower her hand
        await first.wait_for_function(shows("#hand-note", "another phone already picked Ana"))
        assert len(live.session.state.queue.waiting()) == 1


async def post(url: str, body, content_type: str = "application/json") -> tuple[int, dict]:
    data = body if isinstance(body, str) else __import__("json").dumps(body)
    async with aiohttp.ClientSession() as http, http.post(url, data=data, headers={"Content-Type": content_type}) as r:
        return r.status, await r.json()


async def test_hands_are_refused_in_words_outside_a_queue_and_for_bad_requests(world):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("cop-spotlight-call", PEOPLE)  # a round: no queue
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        hand = app.follow.url + "hand"
        phone = "0123456789abcdef"
        assert await post(hand, {"phone": phone, "name": "Ana", "action": "raise"}) == (
            409,
            {"error": "hands are taken while the wall runs a speaking queue"},
        )
        status, answer = await post(hand, "phone=x&name=Ana", "application/x-www-form-urlencoded")
        assert status == 415  # a form on another site cannot send a hand
        status, answer = await post(hand, {"phone": phone, "name": "Ana", "action": "shout"})
        assert status == 400 and "unknown action 'shout'" in answer["error"]
        status, answer = await post(hand, {"phone": "x", "name": "Ana", "action": "raise"})
        assert status == 400
        statuses = [(await post(hand, {"phone": phone, "name": "Ana", "action": "claim"}))[0] for _ in range(10)]
        assert 429 in statuses  # a few taps a minute, not a flood
        wrong = app.follow.url.replace(app.follow.token, "not-the-token") + "hand"
        async with aiohttp.ClientSession() as http, http.post(wrong, json={}) as r:
            assert r.status == 404


async def test_the_phone_page_with_a_hand_raised_at_390px(world, phones, snapshot):
    app = world.app(follow=LOOPBACK)
    async with app.run_test(size=(80, 24)) as pilot:
        live = await at_questions(app, pilot)
        ids = {p.name: p.id for p in live.session.state.people_present()}
        live.session.raise_hand(ids["Dee"])
        live.session.next()  # Dee speaks
        world.clock.advance(50)
        live.session.raise_hand(ids["Ana"])
        live.session.pause()  # a still clock: the page's text is the same every run
        live.refresh_view()
        page = phones[0]
        await page.goto(app.follow.url)
        await page.wait_for_function("document.body.classList.contains('queue')")
        await page.select_option("#me", "Caro")
        await page.click("#raise")
        await page.wait_for_function(shows("#place", "number 2"))
        width = await page.evaluate("document.documentElement.scrollWidth")
        text = await page.inner_text("body")
    assert width <= 390
    assert text == snapshot
