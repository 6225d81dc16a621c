"""A round of 200 people on the live screen: key to repaint, next to a round of 5 in the same run.

Run from the repository root with the development virtualenv:

    .venv/bin/python benchmarks/big_round.py            # 4 interleaved rounds, 5 measured cycles each
    .venv/bin/python benchmarks/big_round.py --quick    # 2 rounds of 2 cycles: under a minute
    .venv/bin/python benchmarks/big_round.py --rounds 8 --cycles 10

The real app (``circle.tui.app.make_app`` through the gallery's ``World``: a real store
in a temporary folder, the bundled protocols, a frozen clock) runs headless under
``App.run_test`` at 80x24 and at 160x48 on the live screen of 'feelz-checkin' (past
its arrival silence, in the check-in round), once with 200 people and once with 5,
the baseline. Half the round has spoken, so the 200-name roster is scrolled to the
middle. Each round runs the four (size, roster) combinations one after the other,
the order reversed every other round; each combination is a fresh app in a fresh
child process (so no run inherits the heap of another, which would make the garbage
collector's full passes longer as the run goes on), and runs one unmeasured warm-up
cycle and then --cycles measured ones. A cycle presses the
live keys that change what the wall shows, in an order that brings the round back
to where it was: space (start), + (30 s more), - (30 s less), n (next), b (back),
p (pass), b (back), space (pause); then a (the "who has arrived?" box), enter in
it after typing a new name (they join the end of the round), r (the "who is
leaving?" list of everyone present) and enter in it on the last name (the guest
leaves again).

How a paint is detected: Textual hands every compositor update to the private
``App._display`` (the diagnostic hook ``startup_and_idle.py`` also wraps). Here the
wrapper calls the original, then turns the update into terminal escape codes with
``render_segments`` as a real terminal session does (headless mode skips that
step, so it is added back to count its cost), and logs the update with the time.
A key goes in the way the terminal driver delivers one (``driver.send_message`` of
a ``Key`` event, as ``Pilot.press`` does) with the time taken just before; then the
script waits until the app is quiet: no paint for --quiet seconds, no messages
queued, nothing dirty on the screen. The logged updates are then replayed onto a
model of the terminal (a character and a style per cell), and the frame that
shows the key's effect is the first one after which the model equals the settled
picture; its time minus the key's time is the figure reported ("key to repaint").
The first paint after the key, the process's CPU time over the same span, and the
number of presses during which the garbage collector ran a full (generation 2)
pass (``gc.callbacks``; such a pass stops the app for tens of ms whatever the
roster) are reported too. A key whose settled picture equals the one before it is
counted as "unchanged" (it should be 0). The clock is frozen, so nothing else
repaints while a key is measured; toasts the keys raise (+30s, welcome) are
cleared, unmeasured, before the next key.

Nothing is asserted and the exit code is 0: the figures are for reading, and on a
shared machine they vary from run to run. Target: key to repaint under 100 ms with
200 people, read against each key's 95th percentile, with the presses over it
counted (and how many of those met a full garbage collection); the ratio 200/5
shows what the size of the round costs.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import astuple, dataclass, field
from importlib.metadata import version
from pathlib import Path

from rich.console import Console
from rich.segment import Segment
from textual import events
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Input

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/ (the harness) is at the top of the repository
from circle.tui.screens.live import LiveScreen
from tools.gallery import new_world, settle

TARGET_MS = 100.0
PROTOCOL = "feelz-checkin"
SIZES = ((80, 24), (160, 48))
ROSTERS = (5, 200)  # the first is the baseline
CYCLE = (
    ("space", "space (start)"),
    ("plus", "+ (30 s more)"),
    ("minus", "- (30 s less)"),
    ("n", "n (next)"),
    ("b", "b (back from n)"),
    ("p", "p (pass)"),
    ("b", "b (back from p)"),
    ("space", "space (pause)"),
)
KEYS = [label for _, label in CYCLE] + ["a (box shown)", "enter (added)", "r (list shown)", "enter (left)"]
CHARS = {"space": " ", "plus": "+", "minus": "-", "enter": "\r"}
MARKER = "BENCH-RESULT "  # prefixes the one line of JSON each child prints
Cell = tuple[str, object]


class Terminal:
    """What a terminal shows after the compositor's updates: a character and a style per cell."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rows: list[list[Cell]] = [[(" ", None)] * width for _ in range(height)]

    def picture(self) -> tuple[tuple[Cell, ...], ...]:
        return tuple(tuple(row) for row in self.rows)

    def _put(self, x: int, y: int, strip: Strip) -> None:
        if not 0 <= y < self.height:
            return
        row = self.rows[y]
        for segment in strip:
            text, style, control = segment
            if control:
                continue
            for char in text:
                width = Segment(char).cell_length if not char.isascii() else 1
                if 0 <= x < self.width:
                    row[x] = (char, style)
                if width == 2 and 0 <= x + 1 < self.width:
                    row[x + 1] = ("", style)
                x += width

    def apply(self, update: object) -> None:
        """Replay one update (the same cropping as its ``render_segments``)."""
        if isinstance(update, LayoutUpdate):
            for y, line in enumerate(update.strips, update.region.y):
                x = update.region.x
                for strip in line:
                    self._put(x, y, strip)
                    x += strip.cell_length
        elif isinstance(update, ChopsUpdate):
            for y, x1, x2 in update.spans:
                for end, (x, strip) in zip(update.chop_ends[y], update.chops[y].items(), strict=False):
                    if strip is None or x > x2 or end <= x1:
                        continue
                    if not (x2 > x >= x1 and end <= x2):
                        strip = strip.crop(0, min(end, x2) - x)
                    self._put(x, y, strip)
        else:
            raise TypeError(f"unexpected compositor update {type(update).__name__}")


@dataclass
class Paints:
    """Compositor updates handed to the driver and not yet replayed, with their times (escape codes made).

    Replayed updates are dropped, so the benchmark holds no more than the app does (a growing
    heap would make the garbage collector's full passes slower as the run goes on).
    """

    log: list[tuple[float, float, object]] = field(default_factory=list)  # wall time, CPU time, update
    last: float = 0.0  # when the latest paint was logged

    def hook(self, app) -> None:
        display = app._display
        console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=app.size.width)

        def logging_display(screen, renderable):
            display(screen, renderable)
            if renderable is not None and not app._batch_count:
                renderable.render_segments(console)  # what a real terminal session does next
                self.last = time.perf_counter()
                self.log.append((self.last, time.process_time(), renderable))

        app._display = logging_display


class FullCollections:
    """When the garbage collector ran its full (generation 2) passes: they stop the app for tens of ms."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float]] = []
        self._began = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                self._began = time.perf_counter()
            else:
                self.spans.append((self._began, time.perf_counter()))

    def within(self, start: float, end: float) -> float:
        """Seconds of full collections between ``start`` and ``end``."""
        return sum(max(0.0, min(b, end) - max(a, start)) for a, b in self.spans)


COLLECTIONS = FullCollections()


@dataclass
class Result:
    first: float  # seconds from the key to the first paint after it
    effect: float  # to the paint that shows its effect
    cpu: float  # CPU time the process spent in between
    full_gc: float  # of which in full (generation 2) garbage collections
    frames: int
    changed: bool


async def quiet(pilot: Pilot, paints: Paints, since: float, gap: float) -> None:
    """Wait until nothing has been painted for ``gap`` seconds and nothing is pending."""
    app = pilot.app
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        await asyncio.sleep(0.005)
        last = paints.last
        screen = app.screen
        pending = (
            not app._message_queue.empty()
            or not screen._message_queue.empty()
            or screen._dirty_widgets
            or screen._layout_required
            or screen._repaint_required
        )
        if not pending and time.perf_counter() - max(last, since) >= gap:
            return
    raise TimeoutError("the app never went quiet")


async def catch_up(pilot: Pilot, paints: Paints, terminal: Terminal, gap: float) -> None:
    """Let the app settle and replay what it painted, unmeasured."""
    await quiet(pilot, paints, time.perf_counter(), gap)
    for _, _, update in paints.log:
        terminal.apply(update)
    paints.log.clear()


async def press(pilot: Pilot, paints: Paints, terminal: Terminal, key: str, gap: float) -> Result:
    """Deliver one key as the driver does; time the first paint and the paint that shows its effect.

    The app must be settled and its paints replayed (``catch_up``) before the call; it is after it.
    """
    app = pilot.app
    before = terminal.picture()
    event = events.Key(key, CHARS.get(key, key))
    event.set_sender(app)
    pressed, cpu = time.perf_counter(), time.process_time()
    app._driver.send_message(event)
    await quiet(pilot, paints, pressed, gap)
    frames = []
    for at, cpu_at, update in paints.log:
        terminal.apply(update)
        frames.append((at, cpu_at, terminal.picture()))
    paints.log.clear()
    settled = terminal.picture()
    if not frames:
        return Result(float("nan"), float("nan"), float("nan"), 0.0, 0, False)
    effect, effect_cpu = next((at, cpu_at) for at, cpu_at, picture in frames if picture == settled)
    if app._notifications:  # a toast would otherwise time out while a later key is measured
        app.clear_notifications()
        await catch_up(pilot, paints, terminal, gap)
    full_gc = COLLECTIONS.within(pressed, effect)
    return Result(frames[0][0] - pressed, effect - pressed, effect_cpu - cpu, full_gc, len(frames), settled != before)


async def cycle(pilot: Pilot, paints: Paints, terminal: Terminal, gap: float, guest: str) -> dict[str, Result]:
    """One pass over the keys; the round is where it started afterwards (and has one more row: a guest who left)."""
    results = {}
    for key, label in CYCLE:
        results[label] = await press(pilot, paints, terminal, key, gap)
    results["a (box shown)"] = await press(pilot, paints, terminal, "a", gap)
    pilot.app.screen.query_one(Input).value = guest  # typed, unmeasured
    await catch_up(pilot, paints, terminal, gap)
    results["enter (added)"] = await press(pilot, paints, terminal, "enter", gap)
    results["r (list shown)"] = await press(pilot, paints, terminal, "r", gap)
    await pilot.press("end")  # the guest who just arrived leaves again
    await catch_up(pilot, paints, terminal, gap)
    results["enter (left)"] = await press(pilot, paints, terminal, "enter", gap)
    return results


async def run_app(size: tuple[int, int], people: int, cycles: int, gap: float, tag: str) -> dict[str, list[Result]]:
    """A fresh app on a live round of ``people``; one warm-up cycle, then ``cycles`` measured ones."""
    with tempfile.TemporaryDirectory(prefix="circle-big-round-") as tmp:
        world = new_world(Path(tmp))
        names = [f"Person {n:03d}" for n in range(people)]
        session = world.session(PROTOCOL, names)
        session.skip_step()  # past the arrival silence, into the check-in round
        session.start()
        for _ in range(people // 2):  # half the round has spoken
            world.clock.advance(70)
            session.next()
        session.pause()
        app = world.app()
        paints = Paints()
        paints.hook(app)
        terminal = Terminal(*size)
        results: dict[str, list[Result]] = {label: [] for label in KEYS}
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            app.show_live(session)
            await settle(pilot)
            assert isinstance(app.screen, LiveScreen)
            await catch_up(pilot, paints, terminal, gap)
            for n in range(cycles + 1):
                done = await cycle(pilot, paints, terminal, gap, f"Guest {tag}{n:02d}")
                if n:  # the first cycle warms up
                    for label, result in done.items():
                        results[label].append(result)
            app.exit()
        return results


def quantile(values: list[float], q: float) -> float:
    """The nearest-rank quantile: the smallest value with at least ``q`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def print_environment() -> None:
    print(f"Python {platform.python_version()} ({sys.executable})")
    print(f"Textual {version('textual')}, circle {version('circle-facilitator')}")
    print(f"os.cpu_count() = {os.cpu_count()}, {platform.platform()}")


def print_table(runs: dict[tuple[tuple[int, int], int], dict[str, list[Result]]], cycles: int, rounds: int) -> None:
    """One table per terminal size: each key with 5 and with 200 people, and the ratios."""
    base, big = ROSTERS
    for size in SIZES:
        print(f"\n{size[0]}x{size[1]}: ms from the key to the paint that shows its effect ({rounds * cycles} each)")
        head = f"  {'key':16} {'people':>6} {'median':>7} {'p95':>7} {'max':>7} {'1st paint':>9} {'CPU':>7}"
        print(head + f" {'frames':>6} {'full GC':>7} {'unchanged':>9}   {'200/5 median':>12} {'p95':>6}")
        for label in [*KEYS, "all keys"]:
            figures = {}
            for people in ROSTERS:
                found = runs[(size, people)]
                results = [r for key in KEYS for r in found[key]] if label == "all keys" else found[label]
                effect = [r.effect for r in results]
                figures[people] = statistics.median(effect), quantile(effect, 0.95)
                first, cpu = statistics.median(r.first for r in results), statistics.median(r.cpu for r in results)
                line = (
                    f"  {label:16} {people:>6} {ms(figures[people][0])} {ms(figures[people][1])} {ms(max(effect))} "
                    f"{ms(first):>9} {ms(cpu)} "
                    f"{statistics.median(r.frames for r in results):>6g} {sum(r.full_gc > 0 for r in results):>7} "
                    f"{sum(not r.changed for r in results):>9}"
                )
                if people == big:
                    ratio = figures[big][0] / figures[base][0], figures[big][1] / figures[base][1]
                    line += f"   {ratio[0]:11.2f}x {ratio[1]:5.2f}x"
                print(line)
    print(
        "  (CPU: the process's CPU time over the same span, median. frames: paints from the key to settled,\n"
        "   median. full GC: presses during which the garbage collector ran a full pass before the paint.)"
    )


def print_verdict(runs: dict[tuple[tuple[int, int], int], dict[str, list[Result]]]) -> None:
    """The target against each key's 95th percentile, and the presses over it."""
    limit = TARGET_MS / 1000
    big = ROSTERS[1]
    worst = max(
        (quantile([r.effect for r in runs[(size, big)][key]], 0.95), key, size) for size in SIZES for key in KEYS
    )
    verdict = "meets" if worst[0] < limit else "MISSES"
    print(
        f"\ntarget: key to repaint under {TARGET_MS:g} ms with {big} people -> the 95th percentile of every key "
        f"is under it: {verdict} (worst {worst[0] * 1000:.1f} ms, {worst[1]} at {worst[2][0]}x{worst[2][1]})"
    )
    for people in reversed(ROSTERS):
        every = [r for size in SIZES for results in runs[(size, people)].values() for r in results]
        over = [r for r in every if r.effect >= limit]
        print(
            f"  {people:3d} people: {len(over)} of {len(every)} presses took {TARGET_MS:g} ms or more "
            f"(max {max(r.effect for r in every) * 1000:.1f} ms), {sum(r.full_gc > 0 for r in over)} of them "
            "during a full garbage collection"
        )


def run_child(size: tuple[int, int], people: int, cycles: int, gap: float, tag: str) -> dict[str, list[Result]]:
    """One app in a fresh process, so no run inherits another's heap (its full collections grow with it)."""
    args = [sys.executable, __file__, "--child", f"{size[0]}x{size[1]}", str(people), str(cycles), str(gap), tag]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"the child failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    found = json.loads(lines[-1][len(MARKER) :])
    return {label: [Result(*values) for values in results] for label, results in found.items()}


def child(size: str, people: str, cycles: str, gap: str, tag: str) -> int:
    """The child's side: run one app and print its results as one line of JSON."""
    width, height = map(int, size.split("x"))
    gc.callbacks.append(COLLECTIONS)
    found = asyncio.run(run_app((width, height), int(people), int(cycles), float(gap), tag))
    print(MARKER + json.dumps({label: [astuple(r) for r in results] for label, results in found.items()}))
    return 0


def measure(rounds: int, cycles: int, gap: float) -> dict:
    """Interleaved rounds: each runs every (size, roster) once, the order reversed every other round."""
    combos = [(size, people) for size in SIZES for people in ROSTERS]
    runs: dict = {combo: {label: [] for label in KEYS} for combo in combos}
    for r in range(rounds):
        order = combos if r % 2 == 0 else combos[::-1]
        for size, people in order:
            began = time.perf_counter()
            found = run_child(size, people, cycles, gap, f"{r}-{people}-{size[0]}-")
            for label, results in found.items():
                runs[(size, people)][label].extend(results)
            every = [x.effect for results in found.values() for x in results]
            print(
                f"  round {r + 1}/{rounds} {size[0]}x{size[1]} {people:3d} people: "
                f"median {ms(statistics.median(every)).strip()} ms, max {ms(max(every)).strip()} ms "
                f"({time.perf_counter() - began:.1f} s)",
                flush=True,
            )
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds over the four combinations (4)")
    parser.add_argument("--cycles", type=int, default=5, help="measured cycles of every key in each app (5)")
    parser.add_argument("--quiet", type=float, default=0.05, help="seconds without a paint that count as settled")
    parser.add_argument("--quick", action="store_true", help="2 rounds of 2 cycles (under a minute)")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)  # SIZE PEOPLE CYCLES QUIET TAG
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    if args.quick:
        args.rounds, args.cycles = 2, 2
    if args.rounds < 1 or args.cycles < 1 or args.quiet <= 0:
        parser.error("--rounds and --cycles must be at least 1 and --quiet above 0")
    print_environment()
    print(f"\nMeasuring {args.rounds} round(s) of {args.cycles} cycle(s) of {len(KEYS)} keys, plus a warm-up cycle...")
    runs = measure(args.rounds, args.cycles, args.quiet)
    print("\n" + "=" * 100)
    print_environment()
    print(f"'{PROTOCOL}' check-in round, half spoken; headless run_test, escape codes made as for a terminal")
    print_table(runs, args.cycles, args.rounds)
    print_verdict(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
