"""Startup time and CPU use of circle, each next to a bare Textual app measured the same way.

Run from the repository root with the development virtualenv:

    .venv/bin/python benchmarks/startup_and_idle.py              # 7 startup rounds, 60 s CPU windows
    .venv/bin/python benchmarks/startup_and_idle.py --seconds 10  # quicker CPU windows

Two measurements, made in one run on this machine:

1. Startup. Each round spawns a fresh ``python -c DRIVER`` for the baseline (a bare
   Textual app showing one Static) and for circle (the real ``circle --db TMP`` entry
   point, ``circle.cli.main``, with only ``App.run`` steered to run headless at 80x24).
   circle's bytecode is compiled first, as an install does. Three times are taken
   from the spawn: the first paint of the home screen (its frame: titles and a
   loading line), home ready (the protocols loaded and listed, inputs and footer
   mounted: the child exits from ``call_after_refresh`` then), and the child's exit.
   The two kinds alternate, and medians are reported. The target is on the first paint.

2. CPU while a turn runs. circle starts headless with a real SystemClock on the live
   screen of a fresh 'feelz-reflect' session; a press of space starts the turn timer.
   After a settling pause the child reads ``time.process_time()`` at the start and
   end of a window of ``--seconds`` seconds and reports the difference. The
   baseline app idles for the same window.

Nothing is asserted: the machine is shared and noisy, so the script prints the
figures and the targets next to each other (first paint within 1.25x of the baseline,
circle under 1% of one core while a turn runs).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

STARTUP_TARGET = 1.25  # circle startup / baseline startup
CPU_TARGET = 1.0  # % of one core while a turn runs
MARKER = "BENCH-RESULT "  # prefixes the one line of JSON each child prints

# The child process. It is given to `python -c`, so it pays only for its own imports:
# the baseline never imports circle, and circle imports what the real command does.
# argv: kind (baseline|circle), mode (startup|cpu), db path, window seconds, settle seconds
DRIVER = r"""
import json
import sys
import time

kind, mode, db = sys.argv[1], sys.argv[2], sys.argv[3]
window, settle = float(sys.argv[4]), float(sys.argv[5])
result = {}
paints = []


def count_paints(app):
    # Count paints (compositor updates handed to the driver): when the first screen
    # was painted, and how often the screen repaints while idle. _display is private
    # Textual API, so this is a diagnostic only.
    if hasattr(app, "_display"):
        display = app._display

        def counting_display(screen, renderable):
            display(screen, renderable)
            if renderable is not None:
                paints.append((time.monotonic(), type(screen).__name__))

        app._display = counting_display


async def startup(pilot):
    # Runs once the app is mounted. circle's home is ready when its protocol table is
    # filled (the library loads after the first paint); the baseline is ready at once.
    app = pilot.app
    while not getattr(app.screen, "ready", True):
        await pilot.pause(0.001)

    def painted():
        result["painted_at"] = time.monotonic()
        result["screen"] = type(app.screen).__name__
        result["paints"] = len(paints)
        result["first_paint_at"] = paints[0][0] if paints else None
        app.exit()

    app.call_after_refresh(painted)


def session_state(app):
    session = getattr(app.screen, "session", None)
    if session is None:
        return {"screen": type(app.screen).__name__}
    from circle.views.live import live_view

    state = session.state
    view = live_view(state, time.time())
    row = app.store.session(state.session_id)
    return {
        "screen": type(app.screen).__name__,
        "running": state.running,
        "phase": view.phase,
        "shown": view.seconds,
        "last_seen": row.last_seen,
    }


async def cpu(pilot):
    import asyncio

    app = pilot.app
    if kind == "circle":  # the session starts once the protocols have loaded
        while getattr(app.screen, "session", None) is None:
            await pilot.pause(0.01)
    await pilot.press("space")  # circle: start the turn; the baseline ignores it
    await asyncio.sleep(settle)
    before = session_state(app)
    paints_before = len(paints)
    wall0, cpu0 = time.monotonic(), time.process_time()
    await asyncio.sleep(window)
    wall1, cpu1 = time.monotonic(), time.process_time()
    paints_after = len(paints)
    result.update(
        wall=wall1 - wall0, cpu=cpu1 - cpu0, paints=paints_after - paints_before,
        before=before, after=session_state(app),
    )
    app.exit()


pilot_for_mode = startup if mode == "startup" else cpu

if kind == "circle" and mode == "startup":
    # The real `circle` command, as typed: its own imports, argument parsing, lock and
    # database; only App.run is steered to run headless at 80x24.
    from textual.app import App

    run = App.run

    def headless_run(app, **kwargs):
        count_paints(app)
        return run(app, headless=True, size=(80, 24), auto_pilot=pilot_for_mode)

    App.run = headless_run
    import circle.cli.screens
    from circle.cli import main

    circle.cli.screens.has_terminal = lambda: True  # headless here, as steered above
    main(["--db", db])
else:
    if kind == "circle":
        from circle.tui.app import make_app
        from circle.sessions import StartRequest
        from circle.core.clock import SystemClock

        start = StartRequest("feelz-reflect", ["Ana", "Ben", "Caro"])
        app = make_app(db, clock=SystemClock(), start=start, check_resume=False)
    else:
        from textual.app import App
        from textual.widgets import Static

        class Bare(App):
            def compose(self):
                yield Static("A bare Textual app with one Static")

        app = Bare()
    count_paints(app)
    app.run(headless=True, size=(80, 24), auto_pilot=pilot_for_mode)
print("BENCH-RESULT " + json.dumps(result))
"""


@dataclass
class StartupRun:
    """One startup measurement, all in seconds from just before the spawn."""

    total: float  # until the child process had exited
    painted: float  # until the first screen was painted and settled (the exit callback)
    first_paint: float | None  # until the first compositor update of any screen (None: not counted)
    screen: str
    paints: int


@dataclass
class CpuRun:
    """One CPU window measured inside a child."""

    wall: float
    cpu: float
    paints: int
    before: dict
    after: dict

    @property
    def percent(self) -> float:
        """CPU time as a percentage of one core over the window."""
        return 100.0 * self.cpu / self.wall if self.wall else float("nan")


def run_driver(kind: str, mode: str, db: Path, window: float = 0.0, settle: float = 0.0) -> tuple[float, float, dict]:
    """Spawn one driver child; return (spawn time, exit time, its result), times from time.monotonic()."""
    args = [sys.executable, "-c", DRIVER, kind, mode, str(db), str(window), str(settle)]
    timeout = 120 + window + settle
    spawned = time.monotonic()
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    exited = time.monotonic()
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{kind} {mode} driver failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return spawned, exited, json.loads(lines[-1][len(MARKER) :])


def measure_startup(kind: str, db: Path) -> StartupRun:
    """Time one fresh process from spawn to exit right after its first screen is painted."""
    # time.monotonic() is one system-wide clock on Linux, so the child's timestamps
    # can be set against the parent's spawn time.
    spawned, exited, result = run_driver(kind, "startup", db)
    first = result.get("first_paint_at")
    return StartupRun(
        total=exited - spawned,
        painted=result["painted_at"] - spawned,
        first_paint=None if first is None else first - spawned,
        screen=result["screen"],
        paints=result["paints"],
    )


def startup_rounds(rounds: int, db: Path) -> dict[str, list[StartupRun]]:
    """One unmeasured warm-up each, then interleaved rounds (the order alternates)."""
    for kind in ("baseline", "circle"):
        measure_startup(kind, db)  # warms the file cache and creates the database
    runs: dict[str, list[StartupRun]] = {"baseline": [], "circle": []}
    for i in range(rounds):
        order = ("baseline", "circle") if i % 2 == 0 else ("circle", "baseline")
        for kind in order:
            run = measure_startup(kind, db)
            runs[kind].append(run)
            print(f"  round {i + 1}/{rounds} {kind:8} {run.total:6.3f} s  (painted {run.painted:.3f} s, {run.screen})")
    return runs


def measure_cpu(kind: str, db: Path, seconds: float, settle: float) -> CpuRun:
    """CPU time of one child over a window of ``seconds``, after ``settle`` seconds of running."""
    _, _, result = run_driver(kind, "cpu", db, seconds, settle)
    return CpuRun(result["wall"], result["cpu"], result["paints"], result["before"], result["after"])


def median(values: list[float]) -> float:
    """The median, or nan for no values."""
    return statistics.median(values) if values else float("nan")


def print_startup(runs: dict[str, list[StartupRun]]) -> None:
    """The startup table: medians with the spread, and the ratio against the target."""
    base, circ = runs["baseline"], runs["circle"]
    print(f"\nStartup, {len(base)} interleaved rounds each (wall seconds from spawn; median [min-max])")
    print(f"  {'':34} {'baseline':>22} {'circle':>22} {'circle/baseline':>16}")
    rows = [
        ("spawn to first paint of home *", [r.first_paint for r in base], [r.first_paint for r in circ]),
        ("spawn to home ready (list filled)", [r.painted for r in base], [r.painted for r in circ]),
        ("whole process (spawn to exit)", [r.total for r in base], [r.total for r in circ]),
    ]
    for label, b, c in rows:
        if None in b or None in c:  # paints could not be counted on this Textual
            continue
        ratio = median(c) / median(b)
        print(f"  {label:34} {spread(b):>22} {spread(c):>22} {ratio:>15.2f}x")
    if None not in [r.first_paint for r in base + circ]:
        ratio = median([r.first_paint for r in circ]) / median([r.first_paint for r in base])
        verdict = "meets" if ratio <= STARTUP_TARGET else "MISSES"
        print(f"  * target: first paint within {STARTUP_TARGET:.2f}x of the baseline -> {ratio:.2f}x, {verdict} it")
    print(
        "  (home is painted as a frame with its titles and a loading line; the protocol table, recent\n"
        "   sessions, inputs and footer are mounted once the protocols are loaded: 'home ready'. The\n"
        "   baseline's 'ready' is its first paint settled.)"
    )
    screens = sorted({r.screen for r in circ}), sorted({r.screen for r in base})
    print(f"  screen shown at exit: circle {', '.join(screens[0])}; baseline {', '.join(screens[1])}")
    print(
        f"  paints before exit (median): circle {median([r.paints for r in circ]):g}, "
        f"baseline {median([r.paints for r in base]):g}"
    )


def spread(values: list[float]) -> str:
    """'median [min-max]' in seconds."""
    return f"{median(values):.3f} [{min(values):.3f}-{max(values):.3f}]"


def print_cpu(base: CpuRun, circ: CpuRun) -> None:
    """The CPU table: seconds, % of one core, repaints, and a check that the turn really ran."""
    print(f"\nCPU over a {circ.wall:.1f} s window (process_time of the child, all threads)")
    print(f"  {'':28} {'CPU s':>8} {'% of 1 core':>12} {'paints':>7} {'paints/s':>9}")
    for label, run in (("baseline (idle, one Static)", base), ("circle (turn running)", circ)):
        print(f"  {label:28} {run.cpu:8.4f} {run.percent:11.3f}% {run.paints:7d} {run.paints / run.wall:9.2f}")
    if base.cpu > 0:
        note = " (the baseline is near zero, so this ratio is unstable)" if base.cpu < 0.005 else ""
        print(f"  ratio circle/baseline: {circ.cpu / base.cpu:.0f}x{note}")
    else:
        print("  ratio circle/baseline: n/a (the baseline used no measurable CPU)")
    verdict = "meets" if circ.percent < CPU_TARGET else "MISSES"
    print(f"  target: circle under {CPU_TARGET:g}% of one core -> {circ.percent:.2f}%, {verdict} the target")
    b, a = circ.before, circ.after
    if "running" in b:
        beats = a["last_seen"] - b["last_seen"]
        print(
            f"  check: turn running at window start {b['running']} ({b['phase']}, {b['shown']} s shown), "
            f"at end {a['running']} ({a['phase']}, {a['shown']} s shown); last_seen heartbeat advanced {beats:.1f} s"
        )


def print_environment() -> None:
    """Python, Textual and machine facts that the figures depend on."""
    print(f"Python {platform.python_version()} ({sys.executable})")
    print(f"Textual {version('textual')}, circle {version('circle-facilitator')}")
    print(f"os.cpu_count() = {os.cpu_count()}, {platform.platform()}")


def compile_circle() -> None:
    """Write circle's bytecode, as `pip install .` does: a user's circle never starts from source.

    (With PYTHONDONTWRITEBYTECODE set, an editable install would otherwise compile
    every circle module on every start, while Textual's were compiled at install.)
    """
    import circle

    package = Path(circle.__file__).parent
    compileall.compile_dir(package, quiet=1)
    print(f"compiled {package} to bytecode, as an install does")


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the measurements, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="startup rounds for each app (default 7)")
    parser.add_argument("--seconds", type=float, default=60.0, help="CPU window length in seconds (default 60)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds of running before the CPU window opens")
    parser.add_argument("--only", choices=("startup", "cpu"), help="run one of the two measurements")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.seconds <= 0 or args.settle < 0:
        parser.error("--rounds must be at least 1, --seconds above 0 and --settle not negative")

    print_environment()
    compile_circle()
    startup = cpu = None
    with tempfile.TemporaryDirectory(prefix="circle-bench-") as tmp:
        if args.only in (None, "startup"):
            print(f"\nMeasuring startup ({args.rounds} rounds each, plus one warm-up)...")
            startup = startup_rounds(args.rounds, Path(tmp) / "startup.db")
        if args.only in (None, "cpu"):
            print(f"\nMeasuring CPU: {args.seconds:g} s window each, after {args.settle:g} s of settling...")
            cpu = (
                measure_cpu("baseline", Path(tmp) / "baseline.db", args.seconds, args.settle),
                measure_cpu("circle", Path(tmp) / "cpu.db", args.seconds, args.settle),
            )

    print("\n" + "=" * 100)
    print_environment()
    if startup:
        print_startup(startup)
    if cpu:
        print_cpu(*cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
