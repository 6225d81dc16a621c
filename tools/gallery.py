"""Scenes of every screen, built from the demo data with a frozen clock.

The same scenes feed the snapshot tests and the README gallery, so what the
README shows is what the tests check:

    python -m tools.gallery screens/
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from circle.core.clock import FakeClock
from circle.core.files import write_text
from circle.engine import Session
from circle.tui.app import CircleApp
from tools.world import (
    CONGREGATION,
    DEMO_PEOPLE,
    WORLD_PEOPLE,
    World,
    community,
    crew,
    crew_history,
    home_ready,
    ledger_ready,
    new_world,
    settle,
    spoke_and_ended,
    wait_for,
)

__all__ = ["World", "home_ready", "ledger_ready", "spoke_and_ended", "wait_for"]  # the tests' and benchmarks' too

RunBefore = Callable[[Pilot], Awaitable[None]]


@dataclass(frozen=True)
class Scene:
    name: str
    size: tuple[int, int]
    build: Callable[[World], tuple[CircleApp, RunBefore | None]]


def _live(
    world: World,
    protocol_id: str,
    act: Callable[[Session, FakeClock], None],
    press=(),
    people: list[str] | None = None,
):
    """An app on the live screen of a new session, after ``act`` has run."""
    session = world.session(protocol_id, people)
    app = world.app()

    async def run_before(pilot: Pilot) -> None:
        await pilot.pause()
        app.show_live(session)
        await pilot.pause()
        act(session, world.clock)
        await settle(pilot)
        if press:
            await pilot.press(*press)
            await pilot.pause()

    return app, run_before


def _breakout(world: World, people: int | list[str], tables: bool):
    """The congregation mixer on the wall: a round of pairs (or of tables) under way."""
    session = world.session("congregation-mixer", DEMO_PEOPLE[:people] if isinstance(people, int) else people)
    app = world.app()

    async def run_before(pilot: Pilot) -> None:
        await pilot.pause()
        app.show_live(session)
        await pilot.pause()
        session.skip_step()  # past the welcome
        if tables:
            session.skip_step()
        session.start()
        world.clock.advance(100)
        await settle(pilot)

    return app, run_before


def _follow(world: World):
    """The follow-along code on the wall (a fixed address, so the code is always the same)."""
    from circle.tui.screens.follow import FollowDialog

    app, live = _live(world, "feelz-reflect", _running)

    async def run_before(pilot: Pilot) -> None:
        await live(pilot)
        url = "http://192.168.1.20:8765/Zq3-demo-token-for-the-gallery/"
        app.push_screen(FollowDialog(url, lambda: 12, app.screen.clock_line))
        await pilot.pause()

    return app, run_before


def _with_history(world: World) -> None:
    world.past("feelz-checkin", DEMO_PEOPLE[:3])
    world.past("feelz-appreciation", DEMO_PEOPLE[:5], end=False)


def _home(world: World):
    _with_history(world)
    return world.app(), None


def _resume(world: World):
    _with_history(world)
    return world.app(check_resume=True), None


def _ready(session: Session, clock: FakeClock) -> None:
    pass


def _running(session: Session, clock: FakeClock) -> None:
    session.start()
    clock.advance(200)
    session.next()
    clock.advance(65)


def _queue(session: Session, clock: FakeClock) -> None:
    """The spotlight call's questions: one speaks, a response and three hands wait (one from a phone)."""
    session.start()
    for seconds in (30, 25, 35, 20, 28):  # the check-in round
        clock.advance(seconds)
        session.next()
    session.skip_step()  # past the spotlight itself
    session.start()
    ids = {p.name: p.id for p in session.state.people_present()}
    session.raise_hand(ids["Caro"])
    session.raise_hand(ids["Ana"], source="phone")
    session.raise_hand(ids["Esi"])
    clock.advance(40)
    session.next()  # Esi has spoken least: called first
    clock.advance(75)
    session.raise_hand(ids["Ben"], respond=True)


def _warning(session: Session, clock: FakeClock) -> None:
    session.start()
    clock.advance(160)  # 20 s left of 3 minutes: past the 30 s warning mark


def _overtime(session: Session, clock: FakeClock) -> None:
    session.start()
    session.pass_turn()
    clock.advance(197)


def _paused(session: Session, clock: FakeClock) -> None:
    session.start()
    clock.advance(42)
    session.pause()
    clock.advance(300)


def _far_into_round(session: Session, clock: FakeClock) -> None:
    """Thirty turns of a long round done (one passed), the thirty-first under way."""
    session.start()
    for turn in range(30):
        clock.advance(45)
        if turn == 12:
            session.pass_turn()
        else:
            session.next()
        session.start()
    clock.advance(20)


def _silence(session: Session, clock: FakeClock) -> None:
    session.start()
    clock.advance(12)


def _summary(world: World, people: list[str] | None = None):
    people = people or DEMO_PEOPLE[:4]
    session = world.session("feelz-appreciation", people)
    app = world.app()

    async def run_before(pilot: Pilot) -> None:
        clock = world.clock
        session.start()
        for seconds in (50, 75, 5, 61):
            clock.advance(seconds)
            (session.pass_turn if seconds == 5 else session.next)()
        session.note(f"{people[3]} offered to host the next circle")
        session.start()
        clock.advance(95)
        session.end()
        await pilot.pause()
        app.show_summary(session)
        await pilot.pause()

    return app, run_before


def _agenda_summary(world: World, size_people: int = 10):
    """The Friendly after a long meal, a rebalance accepted, a late arrival and an early leaver."""
    from circle.engine.agenda import proposal_for, standing

    session = world.session("collaboratory-friendly", DEMO_PEOPLE[:size_people])
    app = world.app()

    async def run_before(pilot: Pilot) -> None:
        clock = world.clock
        session.start()
        clock.advance(52 * 60)
        where = standing(session.state, clock.now())
        session.adjust_plan(proposal_for(where).lengths, where.behind)
        session.next()
        session.start()
        clock.advance(7 * 60)
        session.add_person(DEMO_PEOPLE[size_people])
        session.next()
        session.start()
        clock.advance(31 * 60)
        session.remove_person(session.state.present[2])
        session.note("The choir offered to play at the Inquiry")
        session.next()
        clock.advance(4 * 60)
        session.end()
        await pilot.pause()
        app.show_summary(session)
        await pilot.pause()

    return app, run_before


def _paused_overtime(session: Session, clock: FakeClock) -> None:
    session.start()
    clock.advance(184)  # 4 s past the 3 minutes
    session.pause()
    clock.advance(30)


def _back_to_passed(session: Session, clock: FakeClock) -> None:
    session.skip_step()  # past the silence
    session.start()
    session.pass_turn()
    for _ in range(4):
        clock.advance(80)
        session.next()
    clock.advance(25)


def _day_two(world: World):
    """The dreaming gathering the morning after its first day: day 2 not yet begun."""
    session = world.session("dreaming-gathering", CONGREGATION[:14])
    app = world.app()

    async def run_before(pilot: Pilot) -> None:
        clock = world.clock
        await pilot.pause()
        app.show_live(session)
        while session.state.protocol.day_of(session.state.run.index) == 0:
            session.start()
            clock.advance(session.state.remaining(clock.now()) + 120)
            session.next()
        clock.advance(17 * 3600)
        await settle(pilot)

    return app, run_before


def _level(world: World, protocol_id: str, act: Callable[[Session, dict[str, str]], None]):
    ids = crew(world)
    session = world.session(protocol_id, DEMO_PEOPLE[:4], group="Tuesday crew")
    app = world.app()

    async def run_before(pilot: Pilot) -> None:
        await pilot.pause()
        app.show_live(session)
        session.start()
        world.clock.advance(50)
        act(session, ids)
        await settle(pilot)

    return app, run_before


def _level_1(s: Session, ids: dict[str, str]) -> None:
    s.record_listened()


def _level_2(s: Session, ids: dict[str, str]) -> None:
    a, b, c, d = DEMO_PEOPLE[:4]
    s.record_offer(ids[b], ids[a], "an introduction to a grant maker")
    s.record_offer(ids[c], ids[a], "a weekly co-working morning")
    s.record_ask(ids[a], ids[d], "feedback on a pitch")


def _level_4(s: Session, ids: dict[str, str]) -> None:
    a, b = DEMO_PEOPLE[:2]
    s.open_conflict(ids[a], ids[b], "the cancelled workshop")


def _level_5(s: Session, ids: dict[str, str]) -> None:
    s.record_co_owners([ids[p] for p in DEMO_PEOPLE[:3]], "the bakery co-op")


def _ledger(world: World):
    crew_history(world)
    app = world.app()

    async def run_before(pilot: Pilot) -> None:
        await pilot.pause()
        app.action_show_ledger()
        await ledger_ready(pilot)
        pilot.app.screen.query_one("#group").value = "Tuesday crew"
        await pilot.pause()

    return app, run_before


def _ledger_trace(world: World):
    """The ledger with the top person's total opened into its moments."""
    app, shown = _ledger(world)

    async def run_before(pilot: Pilot) -> None:
        await shown(pilot)
        pilot.app.screen.query_one("#points").focus()
        await pilot.press("enter")
        await pilot.pause()

    return app, run_before


def _groups(world: World):
    crew(world)
    big = world.store.people_named(DEMO_PEOPLE)
    world.store.create_group("Riverside congregation", big, kind="congregation", at=world.clock.now())
    app = world.app()

    async def run_before(pilot: Pilot) -> None:
        await pilot.pause()
        app.action_show_groups()
        await pilot.pause()

    return app, run_before


def _agenda(world: World, late_by: int):
    """The Friendly under way: the meal over, and the names round ``late_by`` minutes over."""
    session = world.session("collaboratory-friendly", DEMO_PEOPLE[:10])
    app = world.app()

    async def run_before(pilot: Pilot) -> None:
        clock = world.clock
        await pilot.pause()
        app.show_live(session)
        session.start()
        clock.advance(40 * 60)
        session.next()
        session.start()
        clock.advance((10 + late_by) * 60)
        await settle(pilot)

    return app, run_before


def _market(world: World, harvest: bool):
    """The Action's marketplace with proposals placed; optionally harvested, with a project."""
    session = world.session("collaboratory-action", DEMO_PEOPLE[:10])
    app = world.app()

    async def run_before(pilot: Pilot) -> None:
        from circle.games.openspace import OpenSpace
        from circle.tui.screens.market import MarketScreen

        space = OpenSpace(session)
        space.set_grid(["10:00", "11:00"], [("Hall", 40), ("Garden", 15), ("Kitchen", 8)])
        wanted = [
            ("Repair cafe", DEMO_PEOPLE[1], 14),
            ("Community choir", DEMO_PEOPLE[3], 9),
            ("Food hub", DEMO_PEOPLE[0], 22),
            ("Bike library", DEMO_PEOPLE[5], 6),
            ("Street party", DEMO_PEOPLE[0], 11),
        ]
        ids = {}
        for title, convenor, interest in wanted:
            ids[title] = space.propose(title, convenor)
            space.set_interest(ids[title], interest)
        space.fill()
        for person in DEMO_PEOPLE[6:10]:
            space.sign_up(person, ids["Food hub"])
        if harvest:
            space.harvest(ids["Food hub"], "A weekly veg box from three growers, packed at the church hall")
            space.harvest(ids["Repair cafe"], "First Saturday of the month; the library lends its back room")
            space.record_project(
                "Food hub",
                DEMO_PEOPLE[0],
                DEMO_PEOPLE[6:9],
                "a van on Fridays",
                "cold storage",
                "meet growers",
                "Dec 5",
            )
        await pilot.pause()
        app.show_live(session)
        await pilot.pause()
        app.push_screen(MarketScreen(session, world.store))
        await pilot.pause()

    return app, run_before


async def _open_export(pilot: Pilot, key: str = "x") -> None:
    """The export dialog, its folder one that reads the same on every machine, its cursor still."""
    from circle.tui.widgets.typed_line import TypedLine

    pilot.app.remembered.start_dir = Path("/home/facilitator/circle")
    await pilot.press(key)
    await pilot.pause()
    for line in pilot.app.screen.query(TypedLine):
        line.cursor_blink = False
    await pilot.pause()


def _exporting(build: Callable[[World], tuple[CircleApp, RunBefore | None]], key: str = "x"):
    """A screen's export dialog open over it."""

    def scene(world: World):
        app, shown = build(world)

        async def run_before(pilot: Pilot) -> None:
            if shown is not None:
                await shown(pilot)
            await _open_export(pilot, key)

        return app, run_before

    return scene


def _loops(world: World):
    community(world)
    app = world.app()

    async def run_before(pilot: Pilot) -> None:
        await pilot.pause()
        app.action_show_loops()
        await pilot.pause()

    return app, run_before


def _editor(world: World, step: int | None):
    """The protocol editor on a copy of the check-in: its header, or one step's fields."""
    from circle.tui.editing import draft_for, open_editor

    app = world.app()

    async def run_before(pilot: Pilot) -> None:
        await home_ready(pilot)
        open_editor(app, draft_for(app, "feelz-checkin"))
        await pilot.pause()
        if step is not None:
            for _ in range(step + 1):
                await pilot.press("down")
        await settle(pilot)

    return app, run_before


SCENES = [
    Scene("home", (80, 24), _home),
    Scene("home-large", (200, 60), _home),
    Scene("resume", (80, 24), _resume),
    Scene("live-ready", (80, 24), lambda w: _live(w, "feelz-reflect", _ready)),
    Scene("live", (80, 24), lambda w: _live(w, "feelz-reflect", _running)),
    Scene("live-warning", (80, 24), lambda w: _live(w, "feelz-reflect", _warning)),
    Scene("live-overtime", (80, 24), lambda w: _live(w, "feelz-reflect", _overtime)),
    Scene("live-paused-script", (80, 24), lambda w: _live(w, "feelz-reflect", _paused, press=("s",))),
    Scene("live-silence", (80, 24), lambda w: _live(w, "feelz-checkin", _silence)),
    Scene("live-large", (200, 60), lambda w: _live(w, "feelz-reflect", _running)),
    Scene("live-names", (80, 24), lambda w: _live(w, "feelz-reflect", _running, people=WORLD_PEOPLE)),
    Scene("live-queue", (80, 24), lambda w: _live(w, "cop-spotlight-call", _queue)),
    Scene("live-queue-large", (160, 48), lambda w: _live(w, "cop-spotlight-call", _queue)),
    Scene("live-names-large", (160, 48), lambda w: _live(w, "feelz-reflect", _running, people=WORLD_PEOPLE)),
    Scene("summary-names", (80, 24), lambda w: _summary(w, WORLD_PEOPLE[2:8])),
    Scene("breakout-names", (80, 24), lambda w: _breakout(w, WORLD_PEOPLE, tables=True)),
    Scene("live-200", (80, 24), lambda w: _live(w, "reciprocity-1-listening", _far_into_round, people=CONGREGATION)),
    Scene(
        "live-200-large",
        (160, 48),
        lambda w: _live(w, "reciprocity-1-listening", _far_into_round, people=CONGREGATION),
    ),
    Scene("help", (80, 24), lambda w: _live(w, "feelz-reflect", _ready, press=("question_mark",))),
    Scene("summary", (80, 24), _summary),
    Scene("summary-large", (160, 48), _summary),
    Scene("summary-agenda", (80, 24), _agenda_summary),
    Scene("summary-agenda-large", (160, 48), _agenda_summary),
    Scene("live-paused-overtime", (80, 24), lambda w: _live(w, "feelz-reflect", _paused_overtime)),
    Scene("live-back-to-passed", (80, 24), lambda w: _live(w, "feelz-checkin", _back_to_passed)),
    Scene("agenda-day-two", (80, 24), _day_two),
    Scene("agenda-day-two-large", (160, 48), _day_two),
    Scene("follow-qr", (80, 24), _follow),
    Scene("follow-qr-large", (160, 48), _follow),
    Scene("breakout-pairs", (80, 24), lambda w: _breakout(w, 12, tables=False)),
    Scene("breakout-tables-large", (160, 48), lambda w: _breakout(w, 30, tables=True)),
    Scene("level-1-listening", (80, 24), lambda w: _level(w, "reciprocity-1-listening", _level_1)),
    Scene("level-2-money", (80, 24), lambda w: _level(w, "reciprocity-2-money", _level_2)),
    Scene("level-3-meeting", (80, 24), lambda w: _level(w, "reciprocity-3-consistency", lambda s, ids: None)),
    Scene("level-4-conflict", (80, 24), lambda w: _level(w, "reciprocity-4-conflict", _level_4)),
    Scene("level-5-co-owners", (80, 24), lambda w: _level(w, "reciprocity-5-co-owners", _level_5)),
    Scene("ledger", (80, 24), _ledger),
    Scene("ledger-large", (160, 48), _ledger),
    Scene("ledger-trace", (80, 24), _ledger_trace),
    Scene("groups", (80, 24), _groups),
    Scene("agenda", (80, 24), lambda w: _agenda(w, 0)),
    Scene("agenda-behind", (80, 24), lambda w: _agenda(w, 12)),
    Scene("agenda-large", (160, 48), lambda w: _agenda(w, 12)),
    Scene("marketplace", (80, 24), lambda w: _market(w, harvest=False)),
    Scene("harvest", (100, 30), lambda w: _market(w, harvest=True)),
    Scene("loops", (80, 24), _loops),
    Scene("editor", (80, 24), lambda w: _editor(w, None)),
    Scene("editor-step", (80, 24), lambda w: _editor(w, 1)),
    Scene("editor-large", (160, 48), lambda w: _editor(w, 1)),
    Scene("loops-large", (160, 48), _loops),
    Scene("loops-huge", (200, 60), _loops),
    Scene("summary-export", (80, 24), _exporting(_summary)),
    Scene("ledger-export", (80, 24), _exporting(_ledger, "v")),
]


async def _shoot(scene: Scene, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        app, run_before = scene.build(new_world(Path(tmp)))
        async with app.run_test(size=scene.size) as pilot:
            if run_before is not None:
                await run_before(pilot)
            await pilot.pause()
            target = out / f"{scene.name}.svg"
            write_text(target, app.export_screenshot())  # whole or not at all
            return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "screens")
    out.mkdir(parents=True, exist_ok=True)
    for scene in SCENES:
        print(asyncio.run(_shoot(scene, out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
