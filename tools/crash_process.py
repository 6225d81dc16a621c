"""Crash trials with a real process: the app runs headless in a child process, random keys are
pressed on its live screen, and the child is killed with SIGKILL at a random moment.

The child reports each paint of the wall as a line of JSON (the view, the clock, the events
committed so far) and each move of its fake clock before making it. After the kill the parent
opens the database as the crash left it and checks it against the last paint reported: every
event behind it is there, folding them gives exactly that view, the session is offered for
resuming, gives back less than a second of a running turn, and runs to its end and exports.

The child imports Textual; this module does not until the child runs. Used by
``tests/test_crash_fuzz.py`` and ``benchmarks/crash_fuzz.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from circle.core.clock import FakeClock
from circle.engine import fold
from circle.games.reciprocity.scoring import load_rules
from circle.sessions import HEARTBEAT, resumable, resume_session
from circle.store import Store
from circle.views.export import UTC, export
from circle.views.live import live_view
from tools.crash_trials import START, WEIGHTS, library
from tools.facilitator import finish

CHILD = "from tools.crash_process import child; child()"
NAMES = ["Ana", "Ben", "Caro", "Dee", "Emeka", "Gus", "Hana", "Ivo", "Jun", "Lars", "Noor", "Ola", "Rosa", "Uma"]


@dataclass
class ProcessOutcome:
    """What one real-process trial found."""

    seed: int
    protocol: str = ""
    paints: int = 0  # paints of the wall the child reported before it was killed
    committed: int = 0  # events behind the last paint reported
    after: int = 0  # events committed after it (the command whose paint was not reported yet)
    lost: int = 0  # events behind the last paint that the database does not have
    differences: list[str] = field(default_factory=list)
    resumed: bool = False
    finished: bool = False
    exported: bool = False

    @property
    def ok(self) -> bool:
        return not self.lost and not self.differences and self.finished and self.exported


def digest(ids: list[str]) -> str:
    return hashlib.sha1("\n".join(ids).encode()).hexdigest()


# -- the child -------------------------------------------------------------------------


def child() -> None:
    """Run in the child: ``python -c CHILD DB SEED``."""
    asyncio.run(_drive(Path(sys.argv[1]), int(sys.argv[2])))


def _report(**line) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


def _keys(rng: random.Random, state, level: int | None) -> list[str]:
    """A random key from the live screen, with what its dialog needs typed after it."""
    down = lambda: ["down"] * rng.randrange(6)  # noqa: E731
    pair = ["enter", *down(), "enter", "tab", "enter", *down(), "enter", "tab", *"soup", "enter"]
    choices: list[tuple[float, list[str]]] = [
        (6, ["space"]),
        (4, ["n"]),
        (1.5, ["p"]),
        (1.5, ["b"]),
        (1, ["plus"]),
        (1.5, ["minus"]),
        (0.3, ["k"]),
        (1, ["slash", *rng.choice(["tea soon", "ask Ana", "venue?"]), "enter"]),
        (0.7, ["a", *rng.choice(NAMES + ["Zed", "Yan"]), "enter"]),
        (0.7, ["r", *down(), "enter"]),
    ]
    run = state.run
    if run is not None and run.rounds:
        choices += [(1.5, ["g"]), (1, ["v", *down(), "enter", *down(), "enter"])]
    if level == 1:
        choices.append((1, ["l", "y"]))
    elif level == 2:
        choices.append((1.5, [rng.choice("oi"), *pair]))
    elif level == 4:
        choices.append((1.5, ["c", "enter", *pair]))
    elif level == 5:
        choices.append((1, ["w", "space", "down", "space", "tab", *"Co", "enter"]))
    if level in (1, 2, 4, 5):
        choices.append((0.5, ["u", "y"]))
    keys = rng.choices([k for _, k in choices], weights=[w for w, _ in choices])[0]
    return keys + (["escape", "escape"] if len(keys) > 1 else [])  # leave any dialog left open


async def _drive(db: Path, seed: int) -> None:
    from circle.sessions import StartRequest
    from circle.tui.app import make_app
    from circle.tui.screens.live import LiveScreen

    rng = random.Random(seed)
    protocols = library()
    ids = sorted(protocols.protocols)
    protocol = protocols.get(rng.choices(ids, [WEIGHTS.get(i, 1) for i in ids])[0])
    names = rng.sample(NAMES, rng.randint(2, len(NAMES)))
    clock = FakeClock(START + seed * 86_400)
    start = StartRequest(protocol.id, names)
    app = make_app(db, clock=clock, library=protocols, tz=UTC, check_resume=False, start=start)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, LiveScreen) and app.screen.is_mounted):
            await pilot.pause(0.05)
        await pilot.pause()
        live, store = app.screen, app.store
        session = live.session
        committed = [e.id for e in store.events(session.state.session_id or "")]
        sink, paint = session.sink, live._paint

        def recording(events) -> None:
            sink(events)
            committed.extend(e.id for e in events)

        def reporting(view, minute) -> None:
            paint(view, minute)
            state, now = session.state, live.ticker.now()  # the moment the wall shows
            _report(
                at=now,
                view=asdict(view),
                events=len(committed),
                digest=digest(committed),
                remaining=state.remaining(now),
                running=state.running,
                protocol=protocol.id,
            )

        session.sink, live._paint = recording, reporting
        live._shown = None  # paint (and so report) what is on the wall now
        live.refresh_view()
        while True:
            roll = rng.random()
            later = clock.now() + (rng.uniform(0, 15) if roll < 0.7 else rng.uniform(15, 150))
            _report(clock=later)  # said before it is done: the parent knows how far time may have run
            clock.t = later
            await pilot.pause(rng.uniform(0, 0.25))  # the screen's ticks paint the time
            await pilot.press(*_keys(rng, session.state, protocol.reciprocity_level))
            await pilot.pause()


# -- the parent ------------------------------------------------------------------------


def run_process_trial(seed: int, folder: Path, kill_within: tuple[float, float] = (0.5, 4.0)) -> ProcessOutcome:
    """Start the child, let it run for a random time once the wall is up, SIGKILL it, check."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "circle.db"
    out = ProcessOutcome(seed)
    with open(folder / "child.err", "w") as errors:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db), str(seed)],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=os.environ.copy(),
        )
        lines: list[str] = []
        up = threading.Event()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                up.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        started = time.monotonic()
        while not up.wait(0.1) and proc.poll() is None and time.monotonic() - started < 120:
            pass
        if not up.is_set():
            proc.kill()
            proc.wait()
            out.differences.append(f"the child never showed the wall: {(folder / 'child.err').read_text()[-300:]}")
            return out
        time.sleep(random.Random(seed).uniform(*kill_within))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        reader.join(10)
    reports = []
    for line in lines:
        with contextlib.suppress(json.JSONDecodeError):  # a line cut by the kill
            reports.append(json.loads(line))
    paints = [r for r in reports if "view" in r]
    if proc.returncode != -signal.SIGKILL or not paints:
        out.differences.append(
            f"the child ended on its own ({proc.returncode}): {(folder / 'child.err').read_text()[-300:]}"
        )
        return out
    out.paints = len(paints)
    latest = max(r.get("clock", r.get("at")) for r in reports)  # how far the child's clock may have gone
    _check(out, db, paints[-1], latest, random.Random(seed))
    return out


def _check(out: ProcessOutcome, db: Path, wall: dict, latest: float, rng: random.Random) -> None:
    rules = load_rules()
    out.protocol = wall["protocol"]
    store = Store(db)
    try:
        rows = store.sessions()
        if len(rows) != 1:
            out.differences.append(f"{len(rows)} sessions in the database, not 1")
            return
        sid = rows[0].id
        events = store.events(sid)
        count = wall["events"]
        out.committed, out.after = count, max(0, len(events) - count)
        if len(events) < count:
            out.lost = count - len(events)
        elif digest([e.id for e in events[:count]]) != wall["digest"]:
            out.differences.append("the events behind the last paint are not the ones committed")
        shown = fold(events[:count])
        view = json.loads(json.dumps(asdict(live_view(shown, wall["at"], rules))))
        for name, value in wall["view"].items():
            if view[name] != value:
                out.differences.append(f"wall: {name} {value!r} became {view[name]!r}")
        row = resumable(store)
        if row is None or row.id != sid:
            out.differences.append("resume: the session is not offered for resuming")
            return
        clock = FakeClock(latest + rng.uniform(30, 3600))
        session = resume_session(store, row, clock)
        out.resumed = True
        if not out.after:  # nothing happened after the last paint reported: the resume starts from it
            drift = session.state.remaining(clock.now()) - wall["remaining"]
            since = latest - wall["at"]  # the wall may have shown more time, unreported, before the kill
            if wall["running"] and not -since - 1e-6 <= drift < HEARTBEAT:
                out.differences.append(f"resumed: {drift:+.2f} s on the clock against the last paint")
            if not wall["running"] and abs(drift) > 1e-6:
                out.differences.append(f"resumed: {drift:+.2f} s on a stopped clock")
        out.finished = finish(session, clock, rng)
        events = store.events(sid)
        texts = [export(events, fmt, tz=UTC, now=clock.now()) for fmt in ("md", "json", "csv")]
        out.exported = all(text.strip() for text in texts)
    except Exception as exc:  # a crash on reopening or resuming is a finding
        out.differences.append(f"{type(exc).__name__}: {exc}")
    finally:
        store.close()
