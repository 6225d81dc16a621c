"""The world the gallery's scenes and the Pilot tests are set in: a database, the bundled
protocols and a frozen clock, the demo people, and waiting for the app to catch up."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel
from textual.pilot import Pilot

from circle.core.clock import FakeClock
from circle.core.resources import bundled_dir
from circle.engine import Session
from circle.protocol.loader import Library, load_library, load_model
from circle.sessions import start_session
from circle.store import Store
from circle.tui.app import CircleApp
from circle.tui.config import AppConfig
from circle.views.export import UTC

START = 1_795_000_000.0  # a fixed moment, so every snapshot shows the same times


class DemoRoster(BaseModel):
    people: list[str]
    everywhere: list[str] = []


_ROSTER = load_model(DemoRoster, Path(__file__).with_name("demo-roster.yaml"))
DEMO_PEOPLE = _ROSTER.people
# Names in many scripts, with emoji and combining accents, for the scenes that prove the wall stays aligned.
WORLD_PEOPLE = _ROSTER.everywhere
# A whole congregation: every demo name with an initial, then numbered guests.
CONGREGATION = [f"{name} {initial}." for initial in "ABCDE" for name in DEMO_PEOPLE] + [
    f"Guest {n}" for n in range(1, 51)
]


@dataclass
class World:
    """A database, protocols and a frozen clock for one scene."""

    store: Store
    library: Library
    clock: FakeClock
    export_dir: Path  # the folder circle was started from, as the app sees it
    settings: Path  # what its apps remember, kept in the world's own folder (never the user's)

    def app(self, check_resume: bool = False, **options) -> CircleApp:
        """The app on this world's data; ``options`` are AppConfig's (follow, follow_at_start, ...)."""
        return CircleApp(
            AppConfig(
                self.store,
                self.clock,
                self.library,
                check_resume=check_resume,
                tz=UTC,
                export_dir=self.export_dir,
                **{"settings": self.settings, **options},
            )
        )

    def session(self, protocol_id: str, people: list[str] | None = None, group: str | None = None) -> Session:
        people = people or DEMO_PEOPLE[:5]
        protocol = self.library.get(protocol_id)
        return start_session(self.store, protocol, people, self.clock, rng=random.Random(7), group=group)

    def past(self, protocol_id: str, people: list[str], end: bool = True) -> Session:
        """A session run earlier: every turn a little over a minute."""
        session = self.session(protocol_id, people)
        session.start()
        clock = self.clock
        while session.state.current is not None:
            clock.advance(40 if session.state.current.speaker is None else 70)
            session.next()
            if session.state.current is not None:
                session.start()
        if end:
            session.end()
        clock.advance(3600)
        return session


def spoke_and_ended(session: Session) -> Session:
    """Through any opening silence to the first person's turn; they speak, and the session ends.

    A crew meeting counts once someone has spoken, so this is the shortest one that does.
    """
    session.start()
    while session.state.current is not None and session.state.current.speaker is None:
        session.next()
    session.next()
    session.end()
    return session


def new_world(folder: Path) -> World:
    (folder / "exports").mkdir(exist_ok=True)  # the folder circle is started from is there
    return World(
        Store(folder / "circle.db"),
        load_library(dirs=[bundled_dir("protocols")]),
        FakeClock(START),
        folder / "exports",
        folder / "settings.toml",
    )


async def wait_for(pilot: Pilot, ready: Callable[[], bool], what: str) -> None:
    """Let the app run until ``ready()`` (work done in a worker has come back), then settle."""
    for _ in range(500):
        if ready():
            await pilot.pause()
            return
        await pilot.pause(0.01)
    raise TimeoutError(f"{what} never happened")


async def home_ready(pilot: Pilot) -> None:
    """Wait until home has its protocol table and inputs (mounted after its first paint)."""
    await wait_for(pilot, lambda: pilot.app.home.ready, "home showing the protocol list")


async def ledger_ready(pilot: Pilot) -> None:
    """Wait until the ledger screen has added up the ledger and shown it."""
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "ledger", None) is not None, "the ledger adding up")


async def settle(pilot: Pilot) -> None:
    """Let the screen catch up with a clock that was moved by hand."""
    from circle.tui.screens.live import LiveScreen

    await pilot.pause()
    if isinstance(pilot.app.screen, LiveScreen):
        pilot.app.screen.refresh_view()
    await pilot.pause()


def crew(world: World) -> dict[str, str]:
    """A crew of five, saved as a group; returns name -> person id."""
    people = world.store.people_named(DEMO_PEOPLE[:5])
    if "Tuesday crew" not in world.store.group_names():
        world.store.create_group("Tuesday crew", people, at=world.clock.now())
    return {p.name: p.id for p in people}


def crew_history(world: World) -> None:
    """Seven monthly meetings of the crew, one absence, an extra meeting, offers, a conflict named."""
    ids = crew(world)
    month = 30 * 86400

    def meet(here: list[str]) -> None:
        spoke_and_ended(world.session("reciprocity-3-consistency", here, group="Tuesday crew"))

    for n in range(7):
        meet([p for p in DEMO_PEOPLE[:5] if not (n == 4 and p == DEMO_PEOPLE[2])])
        if n == 2:
            world.clock.advance(7 * 86400)
            meet(DEMO_PEOPLE[:5])  # a second one that month: logged, no points
            world.clock.advance(-7 * 86400)
        if n % 2:
            money = world.session("reciprocity-2-money", DEMO_PEOPLE[:5], group="Tuesday crew")
            money.record_offer(ids[DEMO_PEOPLE[n % 5]], ids[DEMO_PEOPLE[(n + 1) % 5]], "help")
            money.record_ask(ids[DEMO_PEOPLE[(n + 2) % 5]], ids[DEMO_PEOPLE[n % 5]], "advice")
            money.end()
        if n == 5:
            talk = world.session("reciprocity-4-conflict", DEMO_PEOPLE[:2], group="Tuesday crew")
            talk.open_conflict(ids[DEMO_PEOPLE[0]], ids[DEMO_PEOPLE[1]], "the van")
            talk.end()
        world.clock.advance(month)


def community(world: World) -> None:
    """Riverside CAN placed at Nourish on the Two Loops, with a history, roles and sessions per stage."""
    from circle.games import two_loops as loops

    model = loops.load_loops()
    people = world.store.people_named(DEMO_PEOPLE[:8])
    world.store.create_group("Riverside CAN", people, kind="community", at=world.clock.now())
    day = 86400
    steps = [
        ("name", "twelve local pioneers listed at the Friendly", "Ana"),
        ("connect", "monthly potlucks since March, 25-30 people", "the crew"),
        ("nourish", "a community of practice meets fortnightly", "Ana, Ben and Dee"),
    ]
    for i, (stage, evidence, by) in enumerate(steps):
        loops.move(world.store, model, "Riverside CAN", stage, evidence, by, at=world.clock.now() + i * 40 * day)
    loops.assign_role(world.store, model, "Riverside CAN", DEMO_PEOPLE[1], "connector", at=world.clock.now())
    loops.assign_role(world.store, model, "Riverside CAN", DEMO_PEOPLE[3], "steward", at=world.clock.now())
    for protocol_id in ("cop-intro-call", "cop-intro-call", "cop-workshop-call"):
        world.session(protocol_id, DEMO_PEOPLE[:5], group="Riverside CAN").end()
