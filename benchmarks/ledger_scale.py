"""The Reciprocity Game ledger at congregation scale: prints figures, asserts nothing.

A congregation of 200 people in 40 crews of five, ten years of monthly
meetings (about 5,000 sessions, 500,000 events, with the payloads the engine
writes), then:

- the whole ledger computed from a freshly opened database (target: < 100 ms),
  against a baseline measured in the same run: reading every event row;
- opening the ledger screen until it has painted (target: < 300 ms).

    .venv/bin/python benchmarks/ledger_scale.py [--db PATH] [--rebuild] [--runs N]

The database is built once (rows inserted in bulk, shaped exactly as the
engine's events) and kept at --db for later runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import time
import uuid
from pathlib import Path

from circle.ledger import compute
from circle.loader import load_library
from circle.scoring import load_rules
from circle.store import Store

CREWS, CREW_SIZE, MONTHS = 40, 5, 120
EVENTS_PER_MEETING = 100  # turns, pauses and the like, as a real hour-long meeting logs them


def build(path: Path) -> None:
    """Write the congregation's decade into a new circle database."""
    rng = random.Random(2026)
    store = Store(path)
    protocol = load_library().get("reciprocity-3-consistency").model_dump(mode="json")
    money = load_library().get("reciprocity-2-money").model_dump(mode="json")
    people = store.people_named([f"Person {i:03d}" for i in range(CREWS * CREW_SIZE)])
    sessions, events = [], []
    start = 1_480_000_000.0  # late 2016
    for c in range(CREWS):
        crew = people[c * CREW_SIZE : (c + 1) * CREW_SIZE]
        group = {"id": store.create_group(f"Crew {c:02d}", crew, at=start), "name": f"Crew {c:02d}"}
        for month in range(MONTHS):
            at = start + month * 30.4 * 86400 + c * 600
            level_two = month % 12 == 6  # once a year the crew plays the money level instead
            here = [p for p in crew if rng.random() > 0.1] or crew[:2]
            absent = [p for p in crew if p not in here]
            sid = str(uuid.uuid4())
            sessions.append((sid, "reciprocity-3-consistency", "Monthly meeting", at, at + 3600, group["id"]))
            seq = 0

            def log(kind: str, data: dict, when: float, sid: str = sid) -> None:
                nonlocal seq
                seq += 1
                events.append((str(uuid.uuid4()), sid, seq, when, kind, json.dumps(data)))

            people_json = [{"id": p.id, "name": p.name} for p in here]
            log(
                "session_created",
                {"session_id": sid, "protocol": money if level_two else protocol, "people": people_json},
                at,
            )
            log(
                "attendance",
                {
                    "group": group,
                    "level": 2 if level_two else 3,
                    "present": [p.id for p in here],
                    "absent": [{"id": p.id, "name": p.name} for p in absent],
                },
                at,
            )
            log("step_started", {"step": 0, "order": [p.id for p in here]}, at)
            routine = ("timer_started", "turn_done", "timer_paused", "timer_started", "turn_done")
            for k in range(EVENTS_PER_MEETING - 12):
                log(routine[k % len(routine)], {}, at + 30 * k)
            for _ in range(3):
                a, b = rng.sample(here, 2) if len(here) > 1 else (here[0], crew[-1])
                log(rng.choice(("offer", "ask")), {"by": a.id, "to": b.id, "label": "help"}, at + 2000)
            if month % 4 == 0:
                log("listened", {"present": [p.id for p in here]}, at + 2100)
            if month % 24 == 3 and len(here) > 1:
                conflict = str(uuid.uuid4())
                between = [here[0].id, here[1].id]
                log("conflict_opened", {"conflict": conflict, "between": between, "label": "x"}, at + 2200)
                outcome = {"conflict": conflict, "between": between, "resolved": month % 48 == 3}
                log("conflict_resolved", outcome, at + 2300)
            log("session_ended", {}, at + 3600)
    with store.conn:
        store.conn.executemany("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)", sessions)
        store.conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", events)
    store.close()


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def paint_ledger_screen(path: Path, runs: int) -> list[float]:
    """Seconds from pushing the ledger screen to its first paint, in a headless app."""
    from circle.app import make_app
    from circle.screens.ledger import LedgerScreen

    async def once() -> float:
        app = make_app(path, check_resume=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            start = time.perf_counter()
            await app.push_screen(LedgerScreen(app.store, app.rules, Path("/tmp")))
            await pilot.pause()
            return time.perf_counter() - start

    return [asyncio.run(once()) for _ in range(runs)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/circle-ledger-scale.db"))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if args.rebuild or not args.db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        start = time.perf_counter()
        build(args.db)
        print(f"built {args.db} in {time.perf_counter() - start:.1f} s (bulk rows shaped as the engine writes them)")

    store = Store(args.db, readonly=True)
    counts = {
        t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("sessions", "events", "people")
    }
    size = args.db.stat().st_size / 2**20
    print(f"{counts['sessions']:,} sessions, {counts['events']:,} events, {counts['people']} people, {size:.0f} MiB")
    rules = load_rules()
    ledger = compute(store, rules)
    print(f"{len(ledger.entries):,} scoring entries, {sum(len(m) for m in ledger.meetings.values()):,} meetings")

    baseline = timed(lambda: store.conn.execute("SELECT id, data FROM events").fetchall(), args.runs)
    ledger_times = timed(lambda: compute(Store(args.db, readonly=True), rules), args.runs)
    paints = paint_ledger_screen(args.db, max(3, args.runs // 2))

    def ms(values: list[float]) -> str:
        return f"min {min(values) * 1000:6.0f} ms   median {statistics.median(values) * 1000:6.0f} ms"

    print()
    print(f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}")
    print(f"baseline: read every event row      {ms(baseline)}")
    print(f"the whole ledger (target < 100 ms)  {ms(ledger_times)}")
    print(f"ledger screen painted (< 300 ms)    {ms(paints)}")
    ratio = statistics.median(ledger_times) / statistics.median(baseline)
    print(f"ledger / baseline (medians): {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
