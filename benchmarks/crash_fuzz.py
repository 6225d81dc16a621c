"""Crash fuzz at length: prints figures, asserts nothing.

    .venv/bin/python benchmarks/crash_fuzz.py [--trials 500] [--processes 10] [--first-seed 0]

In-process trials (``tools.crash_trials``): a random bundled protocol with a random roster
(sometimes run for a saved group with an earlier session behind it) is started on a real
database with a fake clock and driven by random live-screen commands; at a random moment the
database and its WAL files are copied as they are on disk with the writer still open (between
commands, inside a write, with a commit's WAL frames cut halfway, inside a heartbeat, or a few
commands after the disk filled up); some resumes are killed too, their own commit kept or torn. The
copy is checked against what the wall showed, resumed some time later (about a third of the
trials crash a second time after resuming), run to its end, ended and exported.

Real-process trials (``tools.crash_process``): the real app runs headless in a child process,
random keys are pressed, and the child is killed with SIGKILL after a random 1 to 8 seconds;
the database it leaves is checked against the last paint the child reported.

Trials are seeded (the same seeds give the same sessions); the real processes depend on timing.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/ (the harness) is at the top of the repository
from circle.games.reciprocity.scoring import load_rules
from tools.crash_process import run_process_trial
from tools.crash_trials import Trial, library, steady_mixer


def in_process(trials: int, first: int, folder: Path) -> None:
    protocols, rules = library(), load_rules()
    outcomes, seconds = [], []
    with steady_mixer():
        for seed in range(first, first + trials):
            trial_folder = folder / f"trial-{seed}"
            started = time.perf_counter()
            outcomes.append(Trial(seed, trial_folder, protocols, rules).run())
            seconds.append(time.perf_counter() - started)
            shutil.rmtree(trial_folder)
            if len(outcomes) % 50 == 0:
                print(f"  {len(outcomes)} of {trials} trials", flush=True)
    kills = Counter(kill for o in outcomes for kill in o.kills)
    started = [o for o in outcomes if o.started]
    differing = [o for o in outcomes if o.differences]
    print(f"\nIn-process trials (seeds {first} to {first + trials - 1})")
    rows = [
        ("trials", len(outcomes)),
        ("kills", f"{sum(kills.values())}: " + ", ".join(f"{k} {n}" for k, n in sorted(kills.items()))),
        ("  with a turn running", sum(o.running_kills for o in outcomes)),
        ("  with breakout groups on the wall", sum(o.breakout_kills for o in outcomes)),
        ("  on a full disk, the wall stopped", sum(o.stalled_kills for o in outcomes)),
        ("  before the session reached the wall", len(outcomes) - len(started)),
        ("commands given", f"{sum(o.commands for o in outcomes)} ({sum(o.rejected for o in outcomes)} refused)"),
        ("protocols", len({o.protocol for o in outcomes})),
        ("events committed before the kills", sum(o.committed for o in outcomes)),
        ("events lost", sum(o.lost for o in outcomes)),
        ("states differing", len(differing)),
        ("resumed", f"{sum(o.resumed for o in outcomes)} times, {sum(o.resumed == 2 for o in outcomes)} trials twice"),
        ("finished and exported", f"{sum(o.finished and o.exported for o in started)} of {len(started)} started"),
        ("seconds per trial", f"median {statistics.median(seconds):.2f}, max {max(seconds):.2f}"),
    ]
    for name, value in rows:
        print(f"  {name:<40} {value}")
    for o in differing:
        print(f"  seed {o.seed} ({o.protocol}, {', '.join(o.kills)}): {'; '.join(o.differences[:4])}")


def real_processes(count: int, first: int, folder: Path) -> None:
    outcomes = []
    for seed in range(first, first + count):
        started = time.perf_counter()
        o = run_process_trial(seed, folder / f"process-{seed}", kill_within=(1.0, 8.0))
        outcomes.append(o)
        state = "ok" if o.ok else "; ".join(o.differences[:3]) or "not finished"
        print(
            f"  process {seed}: {o.protocol}, {o.paints} paints, {o.committed} events (+{o.after} after the last"
            f" paint), {time.perf_counter() - started:.1f} s: {state}",
            flush=True,
        )
    print(f"\nReal processes killed with SIGKILL (seeds {first} to {first + count - 1})")
    rows = [
        ("trials", len(outcomes)),
        ("paints reported before the kills", sum(o.paints for o in outcomes)),
        ("events behind the last paints", sum(o.committed for o in outcomes)),
        ("events committed after the last paint", sum(o.after for o in outcomes)),
        ("events lost", sum(o.lost for o in outcomes)),
        ("states differing", sum(bool(o.differences) for o in outcomes)),
        ("resumed", sum(o.resumed for o in outcomes)),
        ("finished and exported", sum(o.finished and o.exported for o in outcomes)),
    ]
    for name, value in rows:
        print(f"  {name:<40} {value}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=500, help="in-process trials")
    parser.add_argument("--processes", type=int, default=10, help="real processes killed")
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.system()}, {sys.platform}")
    with tempfile.TemporaryDirectory(prefix="circle-crash-fuzz-") as tmp:
        folder = Path(tmp)
        if args.trials:
            in_process(args.trials, args.first_seed, folder)
        if args.processes:
            print()
            real_processes(args.processes, args.first_seed, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
