"""Pilot tests: a speaking queue on the wall, run from the keyboard with no phones at all."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from circle.tui.screens.dialogs import PickPerson
from tools.shown import screen_lines

PEOPLE = ["Ana", "Ben", "Caro", "Dee"]


async def at_questions(app, pilot):
    """The spotlight call at its questions, the clock running."""
    app.start_session("cop-spotlight-call", PEOPLE)
    await pilot.pause()
    live = app.screen
    live.session.skip_step()
    live.session.skip_step()
    live.session.start()
    live.refresh_view()
    await pilot.pause()
    return live


def footer_keys(app) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]


async def test_h_and_a_few_letters_raise_a_hand_and_n_calls_it(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_session("cop-spotlight-call", PEOPLE)
        await pilot.pause()
        assert "Hand" not in footer_keys(app)  # a round: no queue, no hand key
        live = await at_questions(app, pilot)
        assert "Hand" in footer_keys(app) and "Pass" not in footer_keys(app)  # nobody called yet
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, PickPerson)
        await pilot.press(*"ca", "enter")
        await pilot.pause()
        await pilot.press("h", *"d", "enter")
        await pilot.pause()
        queue = live.session.state.queue
        assert [live.session.state.name(h.person) for h in queue.hands] == ["Caro", "Dee"]
        assert all(h.source == "wall" for h in queue.hands)
        shown = "\n".join(screen_lines(app))
        assert "Hands (2)" in shown and "next: Caro" in shown
        await pilot.press("n")
        await pilot.pause()
        assert live.session.state.name(queue.speaking.person) == "Caro"
        shown = "\n".join(screen_lines(app))
        assert "speaking now" in shown and "next: Dee" in shown and "left in this step" in shown
        assert "Pass" in footer_keys(app)


async def test_d_puts_a_response_first_and_H_lowers_or_moves_a_hand(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        live = await at_questions(app, pilot)
        for name in ("a", "b", "c"):
            await pilot.press("h", name, "enter")
            await pilot.pause()
        await pilot.press("d", *"dee", "enter")
        await pilot.pause()
        state = live.session.state
        assert [(state.name(h.person), h.respond) for h in state.queue.waiting()] == [
            ("Dee", True),
            ("Ana", False),
            ("Ben", False),
            ("Caro", False),
        ]
        await pilot.press("H")  # which hand: Caro (the fourth), then move it up
        await pilot.pause()
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert [state.name(h.person) for h in state.queue.hands] == ["Ana", "Caro", "Ben"]
        await pilot.press("H", "down", "enter", "enter")  # Ana: lower the hand
        await pilot.pause()
        assert [state.name(h.person) for h in state.queue.hands] == ["Caro", "Ben"]


async def test_no_match_says_so_and_escape_leaves_the_queue_as_it_was(app_factory, world):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        live = await at_questions(app, pilot)
        await pilot.press("h", *"zz")
        await pilot.pause()
        assert "no one here matches 'zz'" in "\n".join(screen_lines(app))
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert live.session.state.queue.waiting() == [] and app.screen is live


async def test_the_status_line_says_what_was_done_then_clears(app_factory, world, monkeypatch):
    # "Ana's hand is up, number 1" stayed under the clock after she had spoken and gone.
    monkeypatch.setattr("circle.tui.screens.live.STATUS_SECONDS", 0.3)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        live = await at_questions(app, pilot)
        await pilot.press("h", "a", "enter")
        await pilot.pause()
        assert str(live.query_one("#status-line").content) == "Ana's hand is up, number 1"
        await pilot.press("d", "b", "enter")
        await pilot.pause()
        assert str(live.query_one("#status-line").content) == "Ben responds first"
        await pilot.pause(0.6)
        assert str(live.query_one("#status-line").content) == ""
