"""Legible from a laptop to a projector: every gallery scene at 80x24, 120x40 and 200x60 has no
footer label cut, no text cut, no widget over another, the countdown whole and uncovered while it
runs, and every person of a breakout round on screen.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from circle.tui.widgets.big_clock import BigClock
from tools.gallery import SCENES, Scene, new_world
from tools.legible import (
    breakouts_missing,
    countdown_covered,
    cut_text,
    footer_cut,
    overlaps,
    problems,
    problems_on_every_page,
)

SIZES = [(80, 24), (120, 40), (200, 60)]


def _then(name: str, base: str, *keys: str) -> Scene:
    """A gallery scene with a dialog opened over it by the facilitator's keys."""
    scene = next(s for s in SCENES if s.name == base)

    def build(world):
        app, shown = scene.build(world)

        async def run_before(pilot) -> None:
            if shown is not None:
                await shown(pilot)
            await pilot.press(*keys)
            await pilot.pause()

        return app, run_before

    return Scene(name, scene.size, build)


def _remote_code(name: str) -> Scene:
    """The remote's code over a running turn, at a fixed address as long as a real one."""
    scene = next(s for s in SCENES if s.name == "live")

    def build(world):
        from circle.tui.screens.remote import RemoteDialog

        app, shown = scene.build(world)

        async def run_before(pilot) -> None:
            if shown is not None:
                await shown(pilot)
            url = "http://192.168.100.200:54321/Zq3-a-32-character-remote-token0/"
            app.push_screen(RemoteDialog(url, lambda: url, app.screen.clock_line))
            await pilot.pause()

        return app, run_before

    return Scene(name, scene.size, build)


# The dialogs the gallery does not open (it has help, follow, export and the ledger's trace).
DIALOGS = [
    _then("live-remote-ask", "live", "ctrl+r"),
    _remote_code("live-remote-code"),
    _then("live-add", "live", "a"),
    _then("live-remove", "live", "r"),
    _then("live-skip", "live", "k"),
    _then("live-end", "live", "e"),
    _then("breakout-regroup", "breakout-pairs", "g"),
    _then("breakout-move", "breakout-pairs", "v"),
    _then("home-help", "home", "question_mark"),
    _then("marketplace-help", "marketplace", "question_mark"),
    _then("agenda-help", "agenda", "question_mark"),
    _then("level-2-offer", "level-2-money", "o"),
    _then("level-1-listened", "level-1-listening", "l"),
    _then("level-5-co-owners-undo", "level-5-co-owners", "u"),
]
# Scenes the gallery builds again only to show at another size: here every size is tried anyway.
TWINS = {
    "home-large",
    "live-large",
    "live-names-large",
    "live-200-large",
    "summary-large",
    "summary-agenda-large",
    "agenda-day-two-large",
    "follow-qr-large",
    "ledger-large",
    "agenda-large",  # agenda-behind
    "loops-large",
    "loops-huge",
}
ALL = [scene for scene in SCENES if scene.name not in TWINS] + DIALOGS


@pytest.mark.parametrize(
    ("scene", "size"),
    [pytest.param(scene, size, id=f"{scene.name}-{size[0]}x{size[1]}") for scene in ALL for size in SIZES],
)
async def test_scene_is_legible(scene, size, tmp_path):
    app, run_before = scene.build(new_world(tmp_path))
    # Toasts shown, as on the wall (run_test leaves them out unless asked).
    async with app.run_test(size=size, notifications=True) as pilot:
        if run_before is not None:
            await run_before(pilot)
        await pilot.pause()
        found = await problems_on_every_page(app, pilot.pause)
    assert not found, f"{scene.name} at {size[0]}x{size[1]}:\n  " + "\n  ".join(found)


# -- each check catches what it is for -----------------------------------------------------------


class _Keys(App):
    # One action each: the Footer shows a binding once per action.
    BINDINGS = [(key, f"nothing('{key}')", f"A long description number {key}") for key in "abcdefgh"]

    def action_nothing(self, key: str) -> None:
        pass

    def compose(self) -> ComposeResult:
        yield Footer()


class _Clock(App):
    def compose(self) -> ComposeResult:
        yield BigClock()


class _Overlap(App):
    CSS = "#b { offset: 0 -1; } Static { height: 2; }"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("first", id="a")
            yield Static("second", id="b")


class _Ellipsis(App):
    CSS = "Label { width: 10; text-overflow: ellipsis; text-wrap: nowrap; }"

    def compose(self) -> ComposeResult:
        yield Label("a name far too long for ten cells")


class _Room(App):
    """A stand-in for the live screen in a breakout: its session's round, and names shown."""

    class _State:
        def breakout_groups(self):
            return [["1", "2"], ["3", "4"]]

        def name(self, person):
            return {"1": "Ada", "2": "Bea", "3": "Cyd", "4": "Dov"}[person]

    def compose(self) -> ComposeResult:
        yield Static("Pair 1: Ada & Bea\nPair 2: Cyd")

    def on_mount(self) -> None:
        self.screen.session = type("Session", (), {"state": self._State()})()


async def test_footer_check_catches_a_cut_label():
    app = _Keys()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        found = footer_cut(app)
    assert any("A long description number" in p for p in found), found


async def test_countdown_check_catches_a_toast_over_the_clock():
    app = _Clock()
    async with app.run_test(size=(40, 12), notifications=True) as pilot:
        await pilot.pause()
        assert countdown_covered(app) == []
        app.notify("a toast over the digits", timeout=30)
        await pilot.pause()
        found = countdown_covered(app)
    assert any("toast" in p for p in found), found


@pytest.mark.parametrize(
    ("make", "size", "check", "caught"),
    [
        (lambda: _Clock(), (8, 6), countdown_covered, lambda p: "needs" in p),  # digits that do not fit
        (lambda: _Overlap(), (40, 12), overlaps, lambda p: "#a" in p and "#b" in p),  # two widgets in one place
        (lambda: _Ellipsis(), (40, 12), cut_text, lambda p: "ellipsised" in p),  # an ellipsised label
    ],
    ids=["digits-that-do-not-fit", "two-widgets-in-one-place", "an-ellipsised-label"],
)
async def test_each_check_catches_its_fault(make, size, check, caught):
    app = make()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        found = check(app)
    assert any(caught(p) for p in found), found


class _Over(ModalScreen):
    CSS = "_Over { align: center middle; } Static { width: 30; height: 5; background: red; }"

    def __init__(self, says: str):
        super().__init__()
        self.says = says

    def compose(self) -> ComposeResult:
        yield Static(self.says)


@pytest.mark.parametrize(("says", "covered"), [("a list of keys", True), ("Ana · 0:00", False)])
async def test_a_dialog_over_the_clock_may_stay_only_if_it_says_the_time(says, covered):
    app = _Clock()
    async with app.run_test(size=(40, 12)) as pilot:
        await app.push_screen(_Over(says))
        await pilot.pause()
        found = countdown_covered(app)
    assert bool(found) is covered, found


async def test_breakout_check_catches_a_missing_person():
    app = _Room()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        found = breakouts_missing(app)
    assert found == ["breakout: 'Dov' not on screen"]


async def test_a_paged_breakout_counts_the_people_of_every_page(tmp_path):
    # 30 people at 80x24 show a page at a time: one page alone misses some, all pages name everyone.
    scene = next(s for s in ALL if s.name == "breakout-tables-large")
    app, run_before = scene.build(new_world(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await run_before(pilot)
        await pilot.pause()
        one_page = [p for p in problems(app) if p.startswith("breakout:")]
        every_page = await problems_on_every_page(app, pilot.pause)
    assert one_page and every_page == []
