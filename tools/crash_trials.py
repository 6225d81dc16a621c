"""Crash trials: a session driven by random commands is "killed" at a random moment, and what the
wall last showed is compared with what the crash copy rebuilds; then it is resumed and finished.

The promise checked: if the laptop dies (SIGKILL, power loss) at any moment, nothing that was
shown on screen is lost, and the session can be resumed and finished. A kill is a copy of the
database file and its ``-wal``/``-shm`` files exactly as they are on disk while the writer's
connection is still open (no close, no checkpoint). A kill comes in one of four ways:

- ``idle``: between commands, at a random moment while the clock runs;
- ``mid-write``: inside a write transaction, just before its COMMIT (a command's events, a
  heartbeat, a new person's row, the session's first rows);
- ``torn-commit``: power lost while a COMMIT was being written: the copied WAL is cut at a random
  byte inside that transaction's frames (WAL checksums make recovery drop the partial commit);
- ``heartbeat``: inside a heartbeat's transaction, so the latest "still alive" is lost;
- ``full-disk``: the disk fills up: every write fails from then on (commands are refused, the
  heartbeat fails, and the wall stops at the last moment saved, as the live screen does), and a
  few commands later the laptop dies.

Some resumes are killed too (``resuming``): the resume's own commit (the time away, recorded as
a pause) is kept or torn, and the session is resumed again from that copy.

The live screen is modelled as it behaves: it ticks every 0.2 s (each tick a little late),
records a heartbeat on a tick when one is due while a turn runs, then paints; it also paints
after a command that changed something. The wall is what was painted last. About a third of the
trials crash a second time after resuming. The breakout mixer is bounded by search steps rather
than by a second of wall time, so a seed gives the same trial on any machine (event ids aside).

The facilitator's random commands are in ``tools.facilitator``, the wall at a kill and its checks
in ``tools.crash_wall``, and the screen's heartbeat is the live screen's own ticker
(``circle.sessions.ticker``). Used by ``tests/test_crash_fuzz.py`` and ``benchmarks/crash_fuzz.py``;
no Textual here.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import circle.engine.breakouts
from circle.core.clock import FakeClock
from circle.core.resources import bundled_dir
from circle.engine import Session
from circle.games.reciprocity.ledger import compute
from circle.games.reciprocity.scoring import ScoringRules, load_rules
from circle.protocol.loader import Library, load_library
from circle.protocol.models import Protocol
from circle.sessions import resumable, resume_session, start_session
from circle.sessions.ticker import TICK, Ticker
from circle.store import Store, StoreError
from circle.views.export import UTC, export
from tools.crash_wall import Wall, compared, resumed, snapshot
from tools.facilitator import NAMES, Facilitator, finish

LATENESS = 0.01  # how late a tick may wake (Textual's timer keeps to its schedule, each wake-up a little late)

KILLS = ("idle", "mid-write", "torn-commit", "heartbeat", "full-disk", "resuming")
RESUME_KILLS = 0.35  # how often a resume is itself killed
START = 1_800_000_000.0
WEIGHTS = {"congregation-mixer": 4, "cop-workshop-call": 2}  # breakouts have the most to keep
MIX_STEPS = 500  # the breakout mixer's search, bounded by steps instead of a second of wall time


@contextmanager
def steady_mixer(steps: int = MIX_STEPS) -> Iterator[None]:
    """The engine's mixer stops after ``steps`` search steps rather than after a second, so a
    trial's groups, and so the whole trial, follow from its seed alone on any machine."""
    mix = circle.engine.breakouts.mix

    def bounded(*args, **options):
        return mix(*args, **{**options, "time_limit": 600.0, "max_steps": steps})

    circle.engine.breakouts.mix = bounded
    try:
        yield
    finally:
        circle.engine.breakouts.mix = mix


@dataclass
class Outcome:
    """What one trial found."""

    seed: int
    protocol: str
    people: int = 0
    kills: list[str] = field(default_factory=list)  # how each kill came (a trial may crash twice)
    breakout_kills: int = 0  # kills while the wall showed breakout groups
    running_kills: int = 0  # kills while a turn's clock was running
    stalled_kills: int = 0  # kills on a full disk with the wall stopped at the last moment saved
    commands: int = 0  # commands given, in every life of the session
    rejected: int = 0  # of them, refused by the engine (the facilitator saw a notice)
    committed: int = 0  # events of the session committed before each kill, added up
    lost: int = 0  # of them, missing from the copy
    differences: list[str] = field(default_factory=list)  # what the copy rebuilds unlike the wall
    started: bool = True  # False: killed while the session was being started, before the wall showed it
    resumed: int = 0  # times the session was resumed from a crash copy
    finished: bool = False  # run to its end and ended after the last resume
    exported: bool = False  # and its notes exported (Markdown, JSON, CSV)

    @property
    def ok(self) -> bool:
        return not self.lost and not self.differences and (self.finished and self.exported or not self.started)


def library() -> Library:
    """The bundled protocols only (not the user's own)."""
    return load_library(dirs=[bundled_dir("protocols")])


def crash_copy(db: Path, dest: Path, cut_wal_at: int | None = None) -> Path:
    """Copy the database and its WAL files as they are on disk now; ``cut_wal_at`` tears the WAL."""
    dest.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        source = db.with_name(db.name + suffix)
        if source.exists():
            shutil.copyfile(source, dest / source.name)
    if cut_wal_at is not None:
        os.truncate(dest / (db.name + "-wal"), cut_wal_at)
    return dest / db.name


class Trial:
    """One seeded trial in ``folder``: a session is started, driven and killed (once, or twice with a
    resume between), each crash copy is checked against the wall, and the last is resumed and finished."""

    def __init__(self, seed: int, folder: Path, protocols: Library, rules: ScoringRules):
        self.seed, self.folder, self.rules = seed, folder, rules
        self.rng = random.Random(seed)
        ids = sorted(protocols.protocols)
        self.protocol: Protocol = protocols.get(self.rng.choices(ids, [WEIGHTS.get(i, 1) for i in ids])[0])
        self.outcome = Outcome(seed, self.protocol.id)
        # The life of the session now: its database, store, session and clock (a resume starts another).
        self.db = folder / "live" / "circle.db"
        self.store = Store(self.db)
        self.clock = FakeClock(START + seed * 86_400)
        self.session: Session | None = None
        self.committed: list[str] = []  # ids of the session's events the store has accepted
        self.life = 0
        self._new_life()

    def _new_life(self) -> None:
        """A fresh screen and a fresh plan for the next kill."""
        self.life += 1
        self.kill = self.rng.choice([k for k in KILLS if k != "resuming"])
        self.full = False  # full-disk: every write fails from now on
        self.crash_at: int | None = None  # full-disk: the command after which the laptop dies
        # The wall's heartbeat and stall, as the live screen has them (the first life's comes with its session).
        self.ticker: Ticker | None = self._ticker() if self.session is not None else None
        self.wall: Wall | None = None
        self.copy: Path | None = None
        self.first_tick = self.clock.now() + self.rng.uniform(0, TICK)
        self.ticks = 0
        self.tick = self.first_tick  # when the screen ticks next
        self.painted_at = self.clock.now()  # when the wall was last painted
        self.writes = 0  # commits so far in this life
        self.kill_at_write = 0  # mid-write and torn-commit: the commit to kill in
        self.heartbeat_armed = False  # heartbeat: kill in the next heartbeat that is the last of a wait
        self.beat: str | None = None  # a heartbeat being written: the "last" of a wait, or an "early" one
        self.torn: tuple[int, bytes, tuple] | None = None  # the WAL and database before the commit to tear
        self.kill_after_command = False  # a torn commit that could not be cut: kill once the command is done

    def _ticker(self) -> Ticker:
        """The live screen's heartbeat for this life of the session (a resume opens a new screen)."""
        assert self.session is not None
        return Ticker(self.session, self.store, self.clock, saved_at=self.clock.now())

    # -- the world before the session ------------------------------------------------
    def _roster(self) -> tuple[list[str], str | None]:
        rng = self.rng
        count = rng.choice([1, 2, 3, 4, 5, 5, 6, 6, 7, 8, 9, 10, 12, 14])
        names = rng.sample(NAMES[:24], count)
        if rng.random() >= 0.45:
            return names, None
        # Run for a saved group: some members are away, some here are guests.
        others = [n for n in NAMES[:24] if n not in names]
        members = names[: max(1, count - rng.randint(0, 2))] + rng.sample(others, rng.randint(0, 3))
        self.store.create_group("The crew", self.store.people_named(members), at=self.clock.now() - 86_400 * 30)
        if rng.random() < 0.5:
            self._earlier_session(members)
        return names, "The crew"

    def _earlier_session(self, members: list[str]) -> None:
        """A session run for the group a week before: history for the mixer, conflicts to close, meetings."""
        rng = random.Random(self.seed + 1)
        clock = FakeClock(self.clock.now() - 86_400 * 7)
        names = rng.sample(members, max(1, len(members) - 1))
        session = start_session(self.store, self.protocol, names, clock, rng=rng, group="The crew")
        facilitator = Facilitator(session, self.store, clock, rng, self.rules)
        for _ in range(rng.randint(0, 30)):
            clock.advance(facilitator.pause())
            facilitator.act()
        finish(session, clock, rng)

    # -- watching the writes -------------------------------------------------------------
    def _watch(self) -> None:
        """See every statement the store runs, and every write it finishes."""
        store = self.store
        store.conn.set_trace_callback(self._traced)
        write, append, create, transaction = store._write, store.append, store.create_session, store.transaction

        def watched_transaction(work):
            if self.full:
                raise StoreError(f"cannot write {store.path}: the disk is full; nothing shown so far was lost")
            return transaction(work)

        store.transaction = watched_transaction

        def watched_write(statements) -> None:
            write(statements)
            self._committed()

        def watched_create(*args, **kwargs) -> None:
            create(*args, **kwargs)
            self._committed()

        def watched_append(session_id, events) -> None:
            append(session_id, events)
            if self.session is not None and session_id == self.session.state.session_id:
                self.committed.extend(e.id for e in events)
                if self.ticker is not None and events:
                    self.ticker.saved_at = max(self.ticker.saved_at, *(e.at for e in events))
            self._committed()

        store._write, store.append, store.create_session = watched_write, watched_append, watched_create

    def _traced(self, sql: str) -> None:
        """A COMMIT is about to make a transaction durable: kill in it, if this is the one."""
        if sql != "COMMIT" or self.copy is not None or self.torn is not None or self.beat == "early":
            return
        self.writes += 1
        if self.kill in ("mid-write", "torn-commit"):
            due = self.writes == self.kill_at_write
        else:
            due = self.kill == "heartbeat" and self.heartbeat_armed and self.beat == "last"
        if not due:
            return
        self.wall = self._snapshot()  # the command has not returned: the wall shows the state before it
        if self.kill == "torn-commit":
            wal = self.db.with_name(self.db.name + "-wal")
            stat = self.db.stat()
            self.torn = (wal.stat().st_size, wal.read_bytes()[:32], (stat.st_size, stat.st_mtime_ns))
        else:
            self.copy = crash_copy(self.db, self.folder / f"crash-{self.life}")

    def _committed(self) -> None:
        """Just after a commit: the one to tear is copied with its WAL cut inside its own frames."""
        if self.torn is None or self.copy is not None:
            return
        before, header, db_stat = self.torn
        wal = self.db.with_name(self.db.name + "-wal")
        stat = self.db.stat()
        after = wal.stat().st_size
        dest = self.folder / f"crash-{self.life}"
        if wal.read_bytes()[:32] == header and after > before and (stat.st_size, stat.st_mtime_ns) == db_stat:
            self.copy = crash_copy(self.db, dest, cut_wal_at=self.rng.randrange(before, after))
        else:  # the WAL restarted, or was checkpointed, in this commit: no clean cut; kill just after it
            self.kill, self.torn = "idle", None
            if self.beat is None:  # a command's write: once it has returned and the wall shows it
                self.kill_after_command = True
            else:
                self._crash_now()

    # -- time, with the screen's heartbeat ------------------------------------------------
    def _wait(self, seconds: float) -> None:
        """Let ``seconds`` pass. The screen ticks: while a turn runs, a tick records a heartbeat when
        one is due, and then every tick paints the wall (circle.sessions.ticker, as the live screen)."""
        end = self.clock.now() + seconds
        ticker = self.ticker
        ticks: list[tuple[float, bool]] = []
        while self.tick <= end:
            ticks.append((self.tick, ticker is not None and ticker.due(self.tick)))
            self.ticks += 1  # a timer's ticks keep to its schedule, each woken a little late
            self.tick = self.first_tick + self.ticks * TICK + self.rng.uniform(0, LATENESS)
        # Only the last two heartbeats are written (last_seen keeps the latest, so the earlier ones
        # change nothing after them), and only the last may be the one a kill interrupts.
        beats = [i for i, (_, beat) in enumerate(ticks) if beat][-2:]
        for n, i in enumerate(beats):
            assert ticker is not None
            if i > 0:
                self.painted_at = ticks[i - 1][0]
            self.clock.t = ticks[i][0]
            self.beat = "last" if n == len(beats) - 1 else "early"
            ticker.beat(self.clock.t)  # the disk full: the wall stops at the last moment saved
            self.beat = None
            if self.copy is not None:
                return
        if ticks:
            self.painted_at = ticks[-1][0]
        if ticker is not None and ticker.stalled_at is not None:
            self.painted_at = ticker.stalled_at
        self.clock.t = end

    # -- the wall ----------------------------------------------------------------------
    def _snapshot(self) -> Wall:
        return snapshot(self.db, self.session, self.painted_at, self.committed, self.rules)

    def _command_done(self) -> None:
        if self.kill_after_command and self.copy is None:
            self.painted_at = self.clock.now()
            self._crash_now()

    def _crash_now(self) -> None:
        self.wall = self._snapshot()
        self.copy = crash_copy(self.db, self.folder / f"crash-{self.life}")

    # -- the trial ---------------------------------------------------------------------
    def run(self) -> Outcome:
        rng, out = self.rng, self.outcome
        names, group = self._roster()
        out.people = len(names)
        lives = 2 if rng.random() < 0.3 else 1
        self._watch()
        commands = rng.randint(0, 150)
        self._plan(commands)
        self.session = start_session(
            self.store, self.protocol, names, self.clock, rng=random.Random(self.seed), group=group
        )
        self.ticker = self._ticker()
        if self.copy is None:
            self.committed = [e.id for e in self.store.events(self.session.state.session_id or "")]
            self.painted_at = self.clock.now()  # the live screen opens
        self._command_done()
        sid = self.session.state.session_id or ""
        try:
            for life in range(1, lives + 1):
                self._drive(commands)
                if not self._check(sid):
                    return out
                self._resume(sid, last=life == lives)
                commands = rng.randint(0, 60)
                self._plan(commands)
        finally:
            self.store.close()
        return out

    def _plan(self, commands: int) -> None:
        self.kill_after = self.rng.randint(0, commands)
        self.kill_at_write = self.rng.randint(1, 3 + 2 * self.kill_after)

    def _drive(self, commands: int) -> None:
        """Give ``commands`` random commands with pauses between, until the planned kill."""
        assert self.session is not None
        facilitator = Facilitator(self.session, self.store, self.clock, self.rng, self.rules)
        for given in range(commands + 1):
            if self.copy is not None:
                break
            pause = facilitator.pause()
            if given == self.kill_after and self.kill == "idle" or given == self.crash_at:
                self._wait(self.rng.uniform(0, pause))
                break
            if given == self.kill_after and self.kill == "full-disk" and not self.full:
                self.full = True  # from here every write fails; the laptop dies a few commands on
                self.crash_at = given + self.rng.randint(1, 8)
            self.heartbeat_armed = self.kill == "heartbeat" and given >= self.kill_after
            self._wait(pause)
            if self.copy is not None or given == commands or self.session.state.ended:
                break
            before = len(self.committed)
            facilitator.act()
            if len(self.committed) > before and self.copy is None:  # the wall repaints what changed
                self.painted_at = self.clock.now()
            self._command_done()
        self.store.conn.set_trace_callback(None)
        if self.copy is None:  # an idle kill, or the chosen write never came: kill now
            self.kill = "full-disk" if self.full else "idle"
            self._crash_now()
        self.outcome.kills.append(self.kill)
        self.outcome.commands += facilitator.given
        self.outcome.rejected += facilitator.rejected
        self.outcome.differences.extend(facilitator.crashes)

    # -- the checks ----------------------------------------------------------------------
    def _check(self, sid: str) -> bool:
        """The crash copy against the wall; False when there is nothing to resume."""
        wall, out = self.wall, self.outcome
        assert wall is not None and self.copy is not None
        out.committed += len(wall.events)
        out.breakout_kills += bool(wall.view and wall.view.cards)
        out.running_kills += wall.running
        out.stalled_kills += self.ticker is not None and self.ticker.stalled_at is not None
        store = Store(self.copy)
        try:
            events = [e.id for e in store.events(sid)]
            out.lost += len(set(wall.events) - set(events))
            if events[: len(wall.events)] != wall.events and set(wall.events) <= set(events):
                out.differences.append("events: the committed ones are there, but not in the order shown")
            if len(events) > len(wall.events):
                out.differences.append(f"events: {len(events) - len(wall.events)} more than were committed")
            if list(compute(store, self.rules).iter_entries()) != wall.ledger:
                out.differences.append("ledger: the points differ")
            if wall.view is None:  # killed while the session was being started
                out.started = False
                row = resumable(store)
                if row is not None and row.id == sid:
                    out.differences.append("start: a session that never reached the wall is offered for resuming")
                return False
            self._compare(store, sid)
            return True
        except Exception as exc:  # a crash on reopening is a finding, reported with the rest
            out.differences.append(f"reopen: {type(exc).__name__}: {exc}")
            return False
        finally:
            store.close()

    def _compare(self, store: Store, sid: str) -> None:
        assert self.wall is not None
        self.outcome.differences.extend(compared(self.wall, store, sid, self.rules))

    def _resume(self, sid: str, last: bool) -> None:
        """Reopen the crash copy some time later, as the app offers; the last life runs to the end."""
        wall, out = self.wall, self.outcome
        assert wall is not None and wall.view is not None and self.copy is not None
        self.store.close()
        self.db, self.store = self.copy, Store(self.copy)
        row = resumable(self.store)
        if row is None or row.id != sid:
            out.differences.append("resume: the session is not offered for resuming")
            return
        self.clock = FakeClock(wall.at + self.rng.uniform(30, 7200))  # the laptop is back, some time later
        wal = self.db.with_name(self.db.name + "-wal")
        before = wal.stat().st_size if wal.exists() else 0
        try:
            self.session = session = resume_session(self.store, row, self.clock)
        except Exception as exc:
            out.differences.append(f"resume: {type(exc).__name__}: {exc}")
            return
        out.resumed += 1
        self._check_resumed(session)
        if self.rng.random() < RESUME_KILLS:  # killed while resuming: its commit kept, or torn
            session = self._killed_while_resuming(sid, before)
            if session is None:
                return
        self.committed = [e.id for e in self.store.events(sid)]
        self._new_life()
        if not last:
            self._watch()
            return
        try:
            self._drive_and_finish(sid)
        except Exception as exc:
            out.differences.append(f"finish: {type(exc).__name__}: {exc}")

    def _killed_while_resuming(self, sid: str, wal_before: int) -> Session | None:
        """The resume's own write is cut off by a second kill (or kept, just before it), and the
        session is resumed again from that copy: it must come back the same."""
        out = self.outcome
        out.kills.append("resuming")
        wal = self.db.with_name(self.db.name + "-wal")
        after = wal.stat().st_size if wal.exists() else 0
        cut = self.rng.randrange(wal_before, after) if after > wal_before and self.rng.random() < 0.5 else None
        copy = crash_copy(self.db, self.folder / f"resume-crash-{self.life}", cut_wal_at=cut)
        self.store.close()
        self.db, self.store = copy, Store(copy)
        row = resumable(self.store)
        if row is None or row.id != sid:
            out.differences.append("resuming: killed while resuming, the session is not offered again")
            return None
        self.clock = FakeClock(self.clock.now() + self.rng.uniform(5, 600))
        try:
            self.session = session = resume_session(self.store, row, self.clock)
        except Exception as exc:
            out.differences.append(f"resuming: {type(exc).__name__}: {exc}")
            return None
        out.resumed += 1
        self._check_resumed(session)
        return session

    def _check_resumed(self, session: Session) -> None:
        assert self.wall is not None
        self.outcome.differences.extend(resumed(self.wall, session, self.clock.now(), self.rules))

    def _drive_and_finish(self, sid: str) -> None:
        """The facilitator carries on for a while, then runs the session to its end and exports it."""
        out, session = self.outcome, self.session
        assert session is not None and self.wall is None
        facilitator = Facilitator(session, self.store, self.clock, self.rng, self.rules)
        for _ in range(self.rng.randint(0, 20)):
            self.clock.advance(facilitator.pause())
            facilitator.act()
        out.commands += facilitator.given
        out.rejected += facilitator.rejected
        out.differences.extend(facilitator.crashes)
        out.finished = finish(session, self.clock, self.rng)
        events = self.store.events(sid)
        if len(events) != session.state.event_count:
            out.differences.append("finished: the store and the screen disagree on the events")
        texts = [export(events, fmt, tz=UTC, now=self.clock.now()) for fmt in ("md", "json", "csv")]
        out.exported = all(text.strip() for text in texts) and self.protocol.title in texts[0]


def run_trial(seed: int, folder: Path, protocols: Library | None = None, rules: ScoringRules | None = None) -> Outcome:
    """One trial in ``folder`` (made if missing)."""
    with steady_mixer():
        return Trial(seed, folder, protocols or library(), rules or load_rules()).run()
