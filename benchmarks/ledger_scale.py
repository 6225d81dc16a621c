"""The Reciprocity Game ledger at congregation scale: prints figures, asserts nothing.

    .venv/bin/python benchmarks/ledger_scale.py [--db PATH] [--rebuild] [--runs 7] [--screen-runs 5]

A congregation of 200 people in 40 crews of five, ten years of monthly level-3
meetings per crew (4,800 sessions) plus 200 other sessions (levels 1, 2, 4 and 5,
and check-ins run for no group): about 5,000 sessions and 500,000 events.

The database is built once through the real engine: ``start_session(..., group=...)``
with a ``FakeClock``, then the ``Session`` commands a facilitator would press (start,
pause, next, pass, +30 s, notes, offers, asks, listened, conflicts, latecomers, undo,
co-owners). Every event is written by ``Store.append``; the only liberty taken is that
each session's events after its opening are handed to ``Store.append`` in one batch
when the session ends (one transaction per session instead of one per key press), on
a connection with ``synchronous=OFF``. Neither changes a byte of what is stored. The
file is kept at --db (a JSON note beside it records how it was built) and reused
until --rebuild, or until this script's BUILD_VERSION changes.

Then, each on a freshly opened ``Store`` and interleaved over --runs rounds:

- the whole ledger, ``compute(store, rules)`` (target: under 100 ms), and with the
  report the ledger screen shows for everyone (totals, months, sparklines);
- baselines: ``SELECT count(*) FROM events`` and reading every row of the events
  table (``SELECT id, data FROM events``, plain tuples, cycle collector paused as
  ``compute`` pauses it);

and the ledger screen, --screen-runs times in fresh headless apps (120x40): from
ctrl+l on home to the screen's first paint, and to the frame that shows its table
filled (the ledger is added up in a worker once the screen is on show). Target:
under 300 ms. The OS page cache is warm (the file was just built or read).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import textual

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/ (the harness) is at the top of the repository
from circle.core.clock import FakeClock
from circle.engine import CommandRejected, PairsStep, Person, RoundStep, Session
from circle.games.reciprocity.ledger import compute
from circle.games.reciprocity.report import report
from circle.games.reciprocity.scoring import load_rules
from circle.protocol.loader import load_library
from circle.protocol.models import Protocol
from circle.sessions import start_session
from circle.store import Store

BUILD_VERSION = 2  # bump when the generated data changes, so cached files are rebuilt
DEFAULT_DB = Path("/tmp/circle-ledger-scale.db")

CREWS, CREW_SIZE, MONTHS = 40, 5, 120
START = datetime(2016, 1, 1, tzinfo=UTC).timestamp()
DAY, MONTH = 86_400.0, 30.44 * 86_400.0
# Sessions beyond the monthly meetings: (protocol id, how many, run for a crew?)
EXTRA_SESSIONS = [
    ("reciprocity-1-listening", 60, True),
    ("reciprocity-2-money", 60, True),
    ("reciprocity-4-conflict", 40, True),
    ("reciprocity-5-co-owners", 10, True),
    ("feelz-checkin", 30, False),
]
PAUSES_PER_TURN = (0, 1, 1, 2, 2, 3, 3)  # how often a facilitator pauses a turn (crosstalk, a phone, a door)
FIRST = ("Ada", "Bea", "Cai", "Dev", "Eli", "Fen", "Gus", "Hal", "Ida", "Jon")
FIRST += ("Kai", "Lea", "Max", "Noa", "Oli", "Pia", "Rui", "Sam", "Tea", "Uma")
LAST = ("Ash", "Birch", "Cedar", "Elm", "Fir", "Hazel", "Lime", "Oak", "Pine", "Yew")
LABELS = ("a lift", "soup", "an hour of help", "a loan", "childcare", "a ladder", "advice", "a bike repair")
NOTES = ("follow up next time", "someone arrived late", "a good round", "park this for later")


@dataclass
class Crew:
    """A saved group of five, and the conflicts among them still waiting to be resolved."""

    name: str
    members: list[Person]
    open_conflicts: list[tuple[str, list[str], int]] = field(default_factory=list)  # (id, between, month)


class Builder:
    """Runs the congregation's decade through the engine, in time order, into one store."""

    def __init__(self, store: Store, seed: int = 2026):
        self.store = store
        self.rng = random.Random(seed)
        self.clock = FakeClock(START)
        self.library = load_library()
        names = [f"{FIRST[i % len(FIRST)]} {LAST[i // len(FIRST)]}" for i in range(CREWS * CREW_SIZE)]
        self.people = store.people_named(names)
        self.crews: list[Crew] = []
        for c in range(CREWS):
            members = self.people[c * CREW_SIZE : (c + 1) * CREW_SIZE]
            crew = Crew(f"Crew {c + 1:02d}", members)
            store.create_group(crew.name, members, at=START - 30 * DAY)
            self.crews.append(crew)

    # -- the schedule -------------------------------------------------------------
    def schedule(self) -> list[tuple[float, str, int | None, int]]:
        """Every session as (at, protocol id, crew index or None, month), oldest first."""
        plan: list[tuple[float, str, int | None, int]] = []
        for month in range(MONTHS):
            for c in range(CREWS):  # each crew has its own evening of the month
                at = START + month * MONTH + (c % 25) * DAY + (18 + c // 25 * 2) * 3600
                plan.append((at, "reciprocity-3-consistency", c, month))
        for protocol_id, count, for_crew in EXTRA_SESSIONS:
            for _ in range(count):
                month = self.rng.randrange(MONTHS)
                at = START + month * MONTH + self.rng.randrange(28) * DAY + 10 * 3600
                plan.append((at, protocol_id, self.rng.randrange(CREWS) if for_crew else None, month))
        return sorted(plan, key=lambda item: item[0])

    def run(self, progress: Callable[[int, int], None] = lambda done, total: None) -> None:
        """Run every scheduled session."""
        plan = self.schedule()
        for i, (at, protocol_id, crew_index, month) in enumerate(plan):
            self.clock.t = at
            crew = self.crews[crew_index] if crew_index is not None else None
            self.session(self.library.get(protocol_id), crew, month)
            if i % 500 == 499:
                progress(i + 1, len(plan))

    # -- one session ------------------------------------------------------------------
    def session(self, protocol: Protocol, crew: Crew | None, month: int) -> None:
        """Take attendance, run every turn with its pauses, record the moments of its level, end."""
        rng = self.rng
        if crew is None:  # a check-in open to anyone: six to eight people from across the congregation
            present, absent = rng.sample(self.people, rng.randint(6, 8)), []
        else:
            absent = []
            if rng.random() < 0.10:  # someone is missing from about one meeting in ten
                absent = rng.sample(crew.members, 2 if rng.random() < 0.1 else 1)
            present = [p for p in crew.members if p not in absent]
        session = start_session(
            self.store, protocol, [p.name for p in present], self.clock, rng=rng, group=crew and crew.name
        )
        session_id = session.state.session_id
        pending: list = []
        session.sink = pending.extend  # the rest of the session is written by Store.append when it ends
        moments = self.moments(session, protocol, crew, month, present, absent)
        turns = self.turn_estimate(protocol, len(present))
        planned: dict[int, list[Callable[[], object]]] = {}
        for moment in moments:
            planned.setdefault(rng.randrange(turns), []).append(moment)
        self.run_turns(session, planned)
        session.end()
        self.store.append(session_id, pending)

    @staticmethod
    def turn_estimate(protocol: Protocol, present: int) -> int:
        """How many turns the protocol will take with this many people (for placing moments)."""
        turns = 0
        for step in protocol.steps:
            turns += present if isinstance(step, RoundStep) else 3 if isinstance(step, PairsStep) else 1
        return max(1, turns)

    def run_turns(self, session: Session, planned: dict[int, list[Callable[[], object]]]) -> None:
        """Press space, pause and resume, +30 s, note, next or pass, until every step is done."""
        rng, clock = self.rng, self.clock
        turn = 0
        while (slot := session.state.current) is not None:
            session.start()
            for moment in planned.pop(turn, ()):
                press(moment)
            turn += 1
            if slot.speaker is not None and rng.random() < 0.04:
                clock.advance(rng.uniform(3, 10))
                session.pass_turn()
                continue
            pauses = rng.choice(PAUSES_PER_TURN)
            chunk = slot.allotted * rng.uniform(0.6, 1.3) / (pauses + 1)
            for _ in range(pauses):
                clock.advance(chunk)
                session.pause()
                clock.advance(rng.uniform(5, 90))
                session.start()
            if rng.random() < 0.2:
                session.adjust(30)
            if rng.random() < 0.1:
                session.note(rng.choice(NOTES))
            clock.advance(chunk)
            session.next()
        for moments in planned.values():  # moments placed beyond the last turn happen before the end
            for moment in moments:
                press(moment)

    def moments(
        self, session: Session, protocol: Protocol, crew: Crew | None, month: int, present: list, absent: list
    ) -> list[Callable[[], object]]:
        """The reciprocity moments of one session, as commands to press at some turn."""
        rng = self.rng
        level = protocol.reciprocity_level
        out: list[Callable[[], object]] = []

        def exchange() -> None:
            if len(session.state.present) < 2:
                return
            by, to = rng.sample(list(session.state.present), 2)
            record = session.record_offer if rng.random() < 0.5 else session.record_ask
            record(by, to, rng.choice(LABELS))

        def mistaken_offer() -> None:
            exchange()
            session.undo_record()

        offers = {2: rng.randint(4, 8), 3: rng.choice((1, 2, 2, 3, 3, 4))}.get(level, rng.randint(0, 1))
        out += [exchange] * offers
        if rng.random() < 0.02:
            out.append(mistaken_offer)
        if level == 1 or rng.random() < 0.10:
            out.append(session.record_listened)
        if crew is not None:
            out += self.conflict_moments(session, crew, month, present, forced=level == 4)
        if level == 5 and len(present) >= 2:
            owners = [p.id for p in rng.sample(present, rng.randint(2, len(present)))]
            out.append(lambda: session.record_co_owners(owners, "the shared workshop"))
        if absent and rng.random() < 0.2:  # a latecomer: attendance said absent, the ledger counts them
            late = absent[0]
            out.append(lambda: session.add_person(late.name, person_id=late.id))
        return out

    def conflict_moments(
        self, session: Session, crew: Crew, month: int, present: list, forced: bool
    ) -> list[Callable[[], object]]:
        """Open a conflict now and then; resolve (or fail to resolve) an older one a month or more later."""
        rng = self.rng
        out: list[Callable[[], object]] = []
        older = [c for c in crew.open_conflicts if c[2] < month]
        if older and (forced or rng.random() < 0.5):
            conflict = older[0]
            crew.open_conflicts.remove(conflict)
            resolved = rng.random() < 0.75
            out.append(lambda: session.resolve_conflict(conflict[0], conflict[1], resolved))
        elif (forced or rng.random() < 0.03) and len(present) >= 2:
            a, b = rng.sample(present, 2)
            conflict_id = f"conflict-{crew.name}-{month}-{rng.randrange(10**6)}"
            crew.open_conflicts.append((conflict_id, [a.id, b.id], month))
            out.append(lambda: session.open_conflict(a.id, b.id, "who tidies the shed", conflict_id))
        return out


def press(moment: Callable[[], object]) -> None:
    """Run a command; one the engine rejects (say, 'everyone listened' twice) is skipped, as a facilitator would."""
    with contextlib.suppress(CommandRejected):
        moment()


# -- the database ---------------------------------------------------------------------------


def note_path(db: Path) -> Path:
    return db.with_name(db.name + ".json")


def remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".json"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def build(db: Path) -> dict:
    """Build the database at ``db`` (through a temporary file, so an interrupted build leaves nothing)."""
    tmp = db.with_name(db.name + ".building")
    remove_db(tmp)
    started = time.perf_counter()
    store = Store(tmp)
    store.conn.execute("PRAGMA synchronous=OFF")  # a build, not a meeting: no need to survive a power cut
    builder = Builder(store)
    builder.run(lambda done, total: print(f"  {done:,}/{total:,} sessions, {time.perf_counter() - started:.0f} s"))
    store.close()  # the last connection checkpoints the WAL into the file
    os.replace(tmp, db)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    info = {
        "version": BUILD_VERSION,
        "seconds": round(time.perf_counter() - started, 1),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "how": "engine: start_session + Session commands with a FakeClock, written by Store.append "
        "(one batch per session, synchronous=OFF)",
    }
    note_path(db).write_text(json.dumps(info, indent=2))
    return info


def ensure_db(db: Path, rebuild: bool) -> tuple[dict, bool]:
    """The build note of a usable database at ``db``, building it if needed; and whether it was built now."""
    note = note_path(db)
    info = json.loads(note.read_text()) if note.is_file() else None
    current = db.is_file() and info is not None and info.get("version") == BUILD_VERSION
    if current and not rebuild:
        Store(db).close()  # brings a file built by an older circle up to this schema (after a backup)
        return info, False
    if db.exists() and info is None and not rebuild and db != DEFAULT_DB:
        sys.exit(f"{db} exists and was not built by this benchmark; pass --rebuild to replace it")
    remove_db(db)
    print(f"building {db} ...")
    return build(db), True


def counts(db: Path) -> dict[str, float]:
    """Rows per table and the file's size."""
    store = Store(db, readonly=True)
    try:
        out: dict[str, float] = {
            table: store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("sessions", "events", "people", "groups")
        }
        by_kind = store.conn.execute("SELECT kind, count(*) FROM events GROUP BY kind ORDER BY 2 DESC").fetchall()
    finally:
        store.close()
    out["MiB"] = db.stat().st_size / 2**20
    out["kinds"] = {kind: n for kind, n in by_kind}  # type: ignore[assignment]
    return out


# -- measuring ---------------------------------------------------------------------------------


def timed(label: str, fn: Callable[[Store], object]) -> Callable[[Store], dict[str, float]]:
    def probe(store: Store) -> dict[str, float]:
        start = time.perf_counter()
        fn(store)
        return {label: time.perf_counter() - start}

    return probe


def read_all_events(store: Store) -> None:
    """The baseline: every row of the events table, as plain tuples, the cycle collector paused."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        cursor = store.conn.cursor()
        cursor.row_factory = None
        cursor.execute("SELECT id, data FROM events").fetchall()
    finally:
        if enabled:
            gc.enable()


def measure(db: Path, probes: list[Callable[[Store], dict[str, float]]], runs: int) -> dict[str, list[float]]:
    """Run every probe once per round, each on a freshly opened Store, rounds interleaved."""
    times: dict[str, list[float]] = {}
    for _ in range(runs):
        for probe in probes:
            store = Store(db, readonly=True)
            try:
                for label, seconds in probe(store).items():
                    times.setdefault(label, []).append(seconds)
            finally:
                store.close()
            gc.collect()  # each probe starts with no garbage of the one before
    return times


# -- the ledger screen -------------------------------------------------------------------------------


async def open_screen_once(db: Path, library) -> dict[str, float]:
    """Seconds from pressing ctrl+l on home to the ledger screen's first paint, and to its table filled."""
    from circle.tui.app import make_app
    from circle.tui.screens.ledger import LedgerScreen
    from tools.gallery import home_ready

    app = make_app(db, library=library, check_resume=False)
    paints: list[tuple[float, object]] = []
    display = app._display  # private Textual API, wrapped to see when a frame is handed over

    def recording_display(screen, renderable):
        display(screen, renderable)
        if renderable is not None:
            paints.append((time.perf_counter(), screen))

    app._display = recording_display
    shown: list[float] = []  # when the screen put the added-up ledger into its widgets
    show = LedgerScreen.show

    def recording_show(screen, *args):
        show(screen, *args)
        if screen.ledger is not None:
            shown.append(time.perf_counter())

    LedgerScreen.show = recording_show
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await home_ready(pilot)
            await pilot.pause()
            start = time.perf_counter()
            await pilot.press("ctrl+l")
            deadline = start + 30
            while time.perf_counter() < deadline:
                await pilot.pause(0.001)
                screen = app.screen
                if not isinstance(screen, LedgerScreen) or not shown:
                    continue
                frames = [t for t, s in paints if s is screen]
                filled = [t for t in frames if t > shown[0]]
                if frames and filled:
                    return {
                        "screen: ctrl+l to first paint": frames[0] - start,
                        "screen: ctrl+l to table filled": filled[0] - start,
                    }
    finally:
        LedgerScreen.show = show
    raise RuntimeError("the ledger screen did not paint within 30 s")


def measure_screen(db: Path, runs: int) -> dict[str, list[float]]:
    """The ledger screen opened ``runs`` times, each in a fresh headless app."""
    from circle.protocol.loader import load_library

    library = load_library()
    times: dict[str, list[float]] = {}
    for _ in range(runs):
        for label, seconds in asyncio.run(open_screen_once(db, library)).items():
            times.setdefault(label, []).append(seconds)
    return times


# -- reporting ------------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f}"


def table(times: dict[str, list[float]], targets: dict[str, float]) -> None:
    """min and median per measurement, in ms, with the target where there is one."""
    print(f"{'measurement':42} {'min ms':>9} {'median ms':>9}  runs  target")
    for label, values in times.items():
        target = targets.get(label)
        verdict = ""
        if target is not None:
            verdict = f"< {target * 1000:.0f} ms: " + ("met" if statistics.median(values) < target else "MISSED")
        print(f"{label:42} {ms(min(values))} {ms(statistics.median(values))}  {len(values):4}  {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"the database to build or reuse ({DEFAULT_DB})")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--runs", type=int, default=7, help="rounds of the ledger measurements (7)")
    parser.add_argument("--screen-runs", type=int, default=5, help="times the ledger screen is opened (5)")
    args = parser.parse_args()

    info, built = ensure_db(args.db, args.rebuild)
    found = counts(args.db)
    state = "built now" if built else f"cached, built {info['built_at']}"
    print(f"database {args.db} ({state}); build took {info['seconds']:.1f} s")
    print(f"  how: {info['how']}")
    print(
        f"  {found['sessions']:,} sessions, {found['events']:,} events, {found['people']:,} people, "
        f"{found['groups']:,} groups, {found['MiB']:.1f} MiB"
    )
    print("  events by kind: " + ", ".join(f"{k} {n:,}" for k, n in found["kinds"].items()))

    rules = load_rules()
    store = Store(args.db, readonly=True)
    ledger = compute(store, rules)  # once, for the shape of what is measured (and to warm the page cache)
    store.close()
    meetings = sum(len(m) for m in ledger.meetings.values())
    print(
        f"  ledger: {len(ledger.entries):,} scoring entries, {meetings:,} level-3 meetings, "
        f"{len(ledger.conflicts)} conflicts ({len(ledger.open_conflicts())} open), {len(ledger.problems)} problems"
    )

    probes = [
        timed("baseline: SELECT count(*)", lambda s: s.conn.execute("SELECT count(*) FROM events").fetchone()),
        timed("baseline: read all events (id, data)", read_all_events),
        timed("ledger: compute() whole", lambda s: compute(s, rules)),
        timed("ledger: compute() + report for everyone", lambda s: report(compute(s, rules))),
    ]
    print(f"\nmeasuring: {args.runs} interleaved rounds, each probe on a freshly opened Store ...")
    times = measure(args.db, probes, args.runs)
    screen = measure_screen(args.db, args.screen_runs)

    print(
        f"\nPython {platform.python_version()} ({platform.python_implementation()}), SQLite {sqlite3.sqlite_version}, "
        f"Textual {textual.__version__}, {platform.machine()}, {os.cpu_count()} CPUs"
    )
    table(times, {"ledger: compute() whole": 0.100})
    whole = statistics.median(times["ledger: compute() whole"])
    full = statistics.median(times["baseline: read all events (id, data)"])
    print(f"ledger / full read of the events table (medians): {whole / full:.2f}")
    print()
    table(screen, {"screen: ctrl+l to first paint": 0.300, "screen: ctrl+l to table filled": 0.300})
    return 0


if __name__ == "__main__":
    sys.exit(main())
