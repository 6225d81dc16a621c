"""Follow along on phones: how quickly a change on the wall reaches followers, and what it costs.

    .venv/bin/python benchmarks/follow_latency.py                    # 1, 10 and 100 followers
    .venv/bin/python benchmarks/follow_latency.py --seconds 60       # the 60 s load run at 100

For each number of followers, a child process runs the real app headless (a real
SystemClock, the live screen of a 200-person round, follow-along on loopback), and
this process connects the followers (aiohttp, server-sent events), so the app's
loop serves them as it would serve phones. The child presses n at an even pace
for --seconds and prints when it pressed each key; every follower records when
each new speaker reached it. Times come from time.monotonic(), which is one clock
for every process on Linux.

Printed per run: changes, followers, deliveries (target: every follower sees every
change), latency from the key to the update arriving (median, 95th percentile, max;
target under 1 s), the app's CPU over the window (a key a second) and over 5 quiet
seconds after it (the turn running, the followers connected), and whether the wall's
timer kept time over those 5 s (the countdown against the monotonic clock). Nothing
is asserted: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import aiohttp

PEOPLE = [f"Person {n:03d}" for n in range(200)]  # a congregation's round: more turns than presses
PROTOCOL = """\
id: bench-round
title: A long round
steps:
  - kind: round
    title: Round
    turn: 10m
"""

CHILD = textwrap.dedent(
    r"""
    import asyncio, json, sys, time
    from pathlib import Path
    from circle.tui.app import make_app
    from circle.core.clock import SystemClock
    from circle.protocol.loader import load_library
    from circle.sessions import StartRequest

    db, protocol, seconds, interval = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    people = json.loads(sys.argv[5])
    library = load_library(extra=[protocol])
    app = make_app(db, clock=SystemClock(), library=library, check_resume=False,
                   start=StartRequest("bench-round", people), follow=("127.0.0.1", 0))

    def say(**fields):
        print(json.dumps(fields), flush=True)

    async def drive(pilot):
        while getattr(app.screen, "session", None) is None:
            await pilot.pause(0.05)
        live = app.screen
        await pilot.press("space")
        await live.run_action("follow")
        await pilot.pause()
        await pilot.press("escape")
        say(url=app.follow.url)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # "go"
        state = live.session.state
        cpu0, wall0 = time.process_time(), time.monotonic()
        presses = int(seconds / interval)
        for _ in range(presses):
            await asyncio.sleep(interval)
            pressed = time.monotonic()  # the key goes in now; the wall and the phones follow
            await pilot.press("n")
            say(press=state.current.label, at=pressed)
        # The timer check: with no presses, does the wall's countdown follow the clock?
        cpu1 = time.process_time()
        shown0, t0 = state.remaining(time.time()), time.monotonic()
        await asyncio.sleep(5)
        shown1, t1 = state.remaining(time.time()), time.monotonic()
        quiet = (time.process_time() - cpu1) / (t1 - t0)
        say(cpu=cpu1 - cpu0, wall=t0 - wall0, quiet=quiet, followers=app.follow.followers,
            drift=(shown0 - shown1) - (t1 - t0), painted=live.query_one("TurnClock").query_one("BigClock").text)
        await app.stop_following()
        app.exit()

    app.run(headless=True, size=(100, 30), auto_pilot=drive)
    """
)


async def follower(url: str, received: dict[str, float], ready: asyncio.Event, stop: asyncio.Event) -> None:
    """One phone: records when each new speaker reached it."""
    async with aiohttp.ClientSession() as http, http.get(url + "events") as response:
        while not stop.is_set():
            line = await response.content.readline()
            if not line:
                return
            if line.startswith(b"data: "):
                speaker = json.loads(line[6:]).get("speaker", "")
                received.setdefault(speaker, time.monotonic())
                ready.set()


async def run(count: int, seconds: float, interval: float, folder: Path) -> dict:
    protocol = folder / "bench-round.yaml"
    protocol.write_text(PROTOCOL)
    db = folder / f"follow-{count}.db"
    args = [sys.executable, "-c", CHILD, str(db), str(protocol), str(seconds), str(interval), json.dumps(PEOPLE)]
    child = await asyncio.create_subprocess_exec(
        *args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    url = json.loads(await child.stdout.readline())["url"]
    stop = asyncio.Event()
    logs: list[dict[str, float]] = [{} for _ in range(count)]
    readies = [asyncio.Event() for _ in range(count)]
    tasks = []
    for n in range(count):  # at a steady pace, as phones arrive (and within the rate limit)
        tasks.append(asyncio.create_task(follower(url, logs[n], readies[n], stop)))
        await asyncio.sleep(0.06)
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
    child.stdin.write(b"go\n")
    await child.stdin.drain()
    presses, result = [], {}
    while line := await child.stdout.readline():
        doc = json.loads(line)
        if "press" in doc:
            presses.append((doc["press"], doc["at"]))
        else:
            result = doc
    await child.wait()
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    latencies, missed = [], 0
    for log in logs:
        for speaker, pressed in presses:
            if speaker in log:
                latencies.append(log[speaker] - pressed)
            else:
                missed += 1
    return {"followers": count, "changes": len(presses), "latencies": latencies, "missed": missed, **result}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="1,10,100", help="numbers of followers, one run each (1,10,100)")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each run's window (15)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between key presses (1)")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="circle-follow-") as tmp:
        for count in counts:
            print(f"running with {count} follower(s) for {args.seconds:g} s ...", flush=True)
            rows.append(asyncio.run(run(count, args.seconds, args.interval, Path(tmp))))
    print(f"\nPython {sys.version.split()[0]}; key presses every {args.interval:g} s; latency: key to update arriving")
    head = ("followers", "changes", "missed", "median ms", "p95 ms", "max ms")
    print(" ".join(f"{h:>9}" for h in head) + "   app CPU  quiet CPU  timer")
    for r in rows:
        lat = sorted(r["latencies"]) or [float("nan")]
        p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        cpu = 100 * r["cpu"] / r["wall"]
        timer = f"drift {r['drift'] * 1000:+.0f} ms over 5 s, showing {r['painted']}"
        cells = (r["followers"], r["changes"], r["missed"], ms(statistics.median(lat)), ms(p95), ms(lat[-1]))
        print(" ".join(f"{c:>9}" for c in cells) + f"  {cpu:7.2f}%  {100 * r['quiet']:8.2f}%  {timer}")
    worst = max(max(r["latencies"] or [0]) for r in rows)
    print(
        f"targets: every change reaches every follower -> {sum(r['missed'] for r in rows)} missed; "
        f"within 1 s -> worst {worst * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
