"""Follow along on phones: how quickly a change on the wall reaches followers, and what it costs.

    .venv/bin/python benchmarks/follow_latency.py                    # 1, 10 and 100 followers
    .venv/bin/python benchmarks/follow_latency.py --seconds 60       # the 60 s load run at 100
    .venv/bin/python benchmarks/follow_latency.py --hands            # hands from phones, 100 following

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

With --hands the child runs a speaking queue instead, with 100 followers connected: 70
phones each raise a hand (a JSON post, as the page sends it), timed from the post to the
wall's repaint that shows the hand; the wall's n calls 15 of them, timed from the key to
the update arriving on the followers (the read-only figure, the baseline measured in the
same run); then the facilitator's remote calls 50 more (its "next" command), timed from
the post to the wall's repaint that shows the one called.
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


QUEUE_PROTOCOL = """\
id: bench-queue
title: A long discussion
steps:
  - kind: open
    title: Questions
    duration: 2h
    queue: arrival
    turn: 10m
"""

HANDS_CHILD = textwrap.dedent(
    r"""
    import asyncio, json, sys, time
    from circle.tui.app import make_app
    from circle.core.clock import SystemClock
    from circle.protocol.loader import load_library
    from circle.sessions import StartRequest
    from circle.tui.widgets.roster import Roster

    db, protocol, presses, interval = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    people = json.loads(sys.argv[5])
    library = load_library(extra=[protocol])
    app = make_app(db, clock=SystemClock(), library=library, check_resume=False,
                   start=StartRequest("bench-queue", people), follow=("127.0.0.1", 0))

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
        roster, shown = live.query_one(Roster), set()
        show = roster.show

        speaking = [None]

        def showing(rows, title):  # each hand, and each one called, once the wall has drawn it
            show(rows, title)
            for name, status in rows:
                if name not in shown:
                    shown.add(name)
                    app.call_after_refresh(lambda name=name: say(painted=name, at=time.monotonic()))
                if status == "now" and name != speaking[0]:
                    speaking[0] = name
                    app.call_after_refresh(lambda name=name: say(called=name, at=time.monotonic()))

        roster.show = showing
        say(url=app.follow.url, remote=app.follow.remote_url)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # the hands are up
        state = live.session.state
        for _ in range(presses):
            await asyncio.sleep(interval)
            pressed = time.monotonic()
            await pilot.press("n")  # the next hand is called: the phones follow
            say(press=state.queue.speaking.person and state.name(state.queue.speaking.person), at=pressed)
        say(keys_done=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # the remote has called
        say(done=True)
        await app.stop_following()
        app.exit()

    app.run(headless=True, size=(100, 30), auto_pilot=drive)
    """
)


async def hands(count: int, raised: int, presses: int, commands: int, interval: float, folder: Path) -> dict:
    """Hands from phones to the wall's repaint, then the wall's n to the followers, in one run."""
    protocol = folder / "bench-queue.yaml"
    protocol.write_text(QUEUE_PROTOCOL)
    people = PEOPLE[:raised]
    db = folder / "hands.db"
    args = [sys.executable, "-c", HANDS_CHILD, str(db), str(protocol), str(presses), str(interval), json.dumps(people)]
    child = await asyncio.create_subprocess_exec(
        *args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    first = json.loads(await child.stdout.readline())
    url, remote = first["url"], first["remote"]
    stop = asyncio.Event()
    logs: list[dict[str, float]] = [{} for _ in range(count)]
    readies = [asyncio.Event() for _ in range(count)]
    tasks = []
    for n in range(count):
        tasks.append(asyncio.create_task(follower(url, logs[n], readies[n], stop)))
        await asyncio.sleep(0.06)
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
    painted: dict[str, float] = {}
    called: dict[str, float] = {}
    keys_done = asyncio.Event()

    async def read() -> None:
        while line := await child.stdout.readline():
            doc = json.loads(line)
            if "painted" in doc:
                painted[doc["painted"]] = doc["at"]
            elif "called" in doc:
                called[doc["called"]] = doc["at"]
            elif "press" in doc:
                presses_at.append((doc["press"], doc["at"]))
            elif "keys_done" in doc:
                keys_done.set()

    presses_at: list[tuple[str, float]] = []
    reader = asyncio.create_task(read())
    posted, answered = {}, []
    async with aiohttp.ClientSession() as http:
        for n, name in enumerate(people):  # one phone each, as a room's phones would
            await asyncio.sleep(interval / 2)
            body = {"phone": f"bench-phone-{n:04d}", "name": name, "action": "raise"}
            posted[name] = time.monotonic()
            async with http.post(url + "hand", json=body) as response:
                answered.append((response.status, time.monotonic() - posted[name]))
        await asyncio.sleep(1)
        child.stdin.write(b"go\n")
        await child.stdin.drain()
        await keys_done.wait()
        # The facilitator's remote calls the next hand, as n does: from its post to the wall's repaint.
        token = remote.rstrip("/").rsplit("/", 1)[-1]
        commanded = []
        for _ in range(commands):
            await asyncio.sleep(interval / 2)
            sent = time.monotonic()
            async with http.post(remote + "command", json={"command": "next"}, headers={"X-Circle-Remote": token}) as r:
                doc = await r.json()
            commanded.append((doc.get("speaker"), sent, r.status))
        await asyncio.sleep(0.5)
        child.stdin.write(b"done\n")
        await child.stdin.drain()
    await reader
    await child.wait()
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    to_wall = [painted[name] - at for name, at in posted.items() if name in painted]
    key_to_phone, missed = [], 0
    for log in logs:
        for speaker, pressed in presses_at:
            if speaker in log:
                key_to_phone.append(log[speaker] - pressed)
            else:
                missed += 1
    refused = sum(1 for status, _ in answered if status != 200)
    by_remote = [called[speaker] - sent for speaker, sent, status in commanded if status == 200 and speaker in called]
    return {
        "followers": count,
        "hands": to_wall,
        "answered": [t for _, t in answered],
        "refused": refused,
        "keys": key_to_phone,
        "missed": missed,
        "unpainted": len(posted) - len(to_wall),
        "remote": by_remote,
        "commands": len(commanded),
    }


def figures(values: list[float]) -> tuple[str, str, str]:
    values = sorted(values) or [float("nan")]
    return ms(statistics.median(values)), ms(values[min(len(values) - 1, int(len(values) * 0.95))]), ms(values[-1])


async def follower(url: str, received: dict[str, float], ready: asyncio.Event, stop: asyncio.Event) -> None:
    """One phone: records when each new speaker reached it."""
    async with aiohttp.ClientSession() as http, http.get(url + "events") as response:
        while not stop.is_set():
            line = await response.content.readline()
            if not line:
                return
            doc = json.loads(line[6:]) if line.startswith(b"data: ") else None
            if isinstance(doc, dict):  # a state; "alive" events carry only a 1
                speaker = doc.get("speaker", "")
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
    parser.add_argument("--hands", action="store_true", help="hands from 50 phones with 100 following, instead")
    args = parser.parse_args()
    if args.hands:
        with tempfile.TemporaryDirectory(prefix="circle-hands-") as tmp:
            print("running a speaking queue: 100 followers, 70 phones raise a hand, 15 keys, 50 remote calls ...")
            r = asyncio.run(hands(100, 70, 15, 50, args.interval / 2, Path(tmp)))
        print(f"\nPython {sys.version.split()[0]}; {r['followers']} followers connected throughout")
        print(f"{'':34}{'median ms':>10}{'p95 ms':>10}{'max ms':>10}")
        hand, key = figures(r["hands"]), figures(r["keys"])
        rows = [
            ("hand posted -> wall repainted", hand),
            ("hand posted -> phone answered", figures(r["answered"])),
            ("remote command -> wall repainted", figures(r["remote"])),
            ("baseline: key -> 100 phones", key),
        ]
        for label, cells in rows:
            print(f"{label:34}" + "".join(f"{c:>10}" for c in cells))
        ratio = (
            statistics.median(r["hands"]) / statistics.median(r["keys"]) if r["hands"] and r["keys"] else float("nan")
        )
        print(
            f"hands {len(r['hands'])} painted, {r['unpainted']} not, {r['refused']} refused; "
            f"calls missed by followers: {r['missed']}; hand/baseline median ratio {ratio:.2f}; target: under 150 ms"
        )
        remote = (
            statistics.median(r["remote"]) / statistics.median(r["keys"]) if r["remote"] and r["keys"] else float("nan")
        )
        print(
            f"remote commands {r['commands']}, {len(r['remote'])} repainted; remote/baseline median ratio {remote:.2f}"
        )
        return 0
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
