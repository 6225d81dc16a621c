"""Crash fuzz: sessions killed at random moments lose nothing that was shown, and resume and finish.

Each trial (see ``tools.crash_trials``) runs a random bundled protocol with a random roster on a
real database and a fake clock, gives random commands from the live screen, copies the database
with its WAL files as they are on disk at a random moment (between commands, inside a write,
halfway through a commit's frames, inside a heartbeat), and checks the copy against the wall.
``pytest -s`` prints the figures.
"""

from __future__ import annotations

import shutil
from collections import Counter

from circle.core.clock import FakeClock
from circle.games.reciprocity.scoring import load_rules
from circle.sessions import open_session, resumable, start_session
from circle.store import Store
from tools.crash_process import run_process_trial
from tools.crash_trials import KILLS, Trial, crash_copy, library, steady_mixer

TRIALS = 120


def test_random_crashes_lose_nothing_shown_and_every_session_resumes_and_finishes(tmp_path):
    protocols, rules = library(), load_rules()
    outcomes = []
    with steady_mixer():
        for seed in range(TRIALS):
            folder = tmp_path / f"trial-{seed}"
            outcomes.append(Trial(seed, folder, protocols, rules).run())
            shutil.rmtree(folder)
    kills = Counter(kill for o in outcomes for kill in o.kills)
    committed = sum(o.committed for o in outcomes)
    lost = sum(o.lost for o in outcomes)
    differing = [o for o in outcomes if o.differences]
    started = [o for o in outcomes if o.started]
    finished = sum(o.finished and o.exported for o in started)
    print(
        f"\ncrash fuzz: {len(outcomes)} trials, {sum(kills.values())} kills ({dict(kills)}), "
        f"{sum(o.commands for o in outcomes)} commands ({sum(o.rejected for o in outcomes)} refused), "
        f"{committed} events committed, {lost} lost, {len(differing)} states differing, "
        f"{sum(o.resumed for o in outcomes)} resumes, {finished} of {len(started)} started sessions finished; "
        f"{sum(o.running_kills for o in outcomes)} kills with a turn running, "
        f"{sum(o.breakout_kills for o in outcomes)} in a breakout, "
        f"{sum(o.stalled_kills for o in outcomes)} on a full disk with the wall stopped"
    )
    for o in differing:
        print(f"  seed {o.seed} ({o.protocol}, {o.kills}): {o.differences[:3]}")

    assert lost == 0
    assert [(o.seed, o.differences) for o in differing] == []
    assert finished == len(started)
    # The fuzz reaches what it claims to: every way of dying, breakouts, every level, second crashes.
    assert set(kills) == set(KILLS)
    assert {o.protocol for o in started} == set(protocols.protocols)
    assert sum(o.breakout_kills for o in outcomes) >= 5
    assert sum(o.running_kills for o in outcomes) >= 30
    assert sum(o.stalled_kills for o in outcomes) >= 5  # full disks while a turn ran
    assert sum(o.resumed == 2 for o in outcomes) >= 10
    assert committed >= 5_000


def test_a_crash_as_a_session_starts_leaves_all_of_it_or_nothing(tmp_path, protocol):
    """The session's row and its first events are one transaction: killed just before any of the
    start's commits, the copy has either no session or one that opens on its first step."""
    store = Store(tmp_path / "live" / "circle.db")
    copies = []

    def traced(sql: str) -> None:
        if sql == "COMMIT":
            copies.append(crash_copy(store.path, tmp_path / f"crash-{len(copies)}"))

    store.conn.set_trace_callback(traced)
    session = start_session(store, protocol, ["Ana", "Ben"], FakeClock())
    store.conn.set_trace_callback(None)
    assert len(copies) >= 2  # the new people, then the session
    for copy in copies:
        crashed = Store(copy)
        row = resumable(crashed)
        if row is not None:
            state = open_session(crashed, row.id, FakeClock()).state
            assert state.run is not None and state.run.index == 0
        crashed.close()
    assert resumable(store).id == session.state.session_id
    store.close()


PROCESS_TRIALS = 4  # a few: each starts the real app (benchmarks/crash_fuzz.py runs more)


def test_the_real_app_killed_at_random_moments_loses_nothing_shown(tmp_path):
    """The app runs headless in a child process, random keys are pressed, and it is killed with
    SIGKILL at a random moment; the database it leaves is checked against its last paint."""
    outcomes = [run_process_trial(seed, tmp_path / f"process-{seed}") for seed in range(PROCESS_TRIALS)]
    print(
        f"\nreal processes: {len(outcomes)} killed, {sum(o.paints for o in outcomes)} paints reported, "
        f"{sum(o.committed for o in outcomes)} events behind the last paints, "
        f"{sum(o.lost for o in outcomes)} lost, {sum(bool(o.differences) for o in outcomes)} states differing, "
        f"{sum(o.resumed for o in outcomes)} resumed, {sum(o.finished and o.exported for o in outcomes)} finished"
    )
    assert sum(o.lost for o in outcomes) == 0
    assert [(o.seed, o.differences) for o in outcomes if o.differences] == []
    assert all(o.resumed and o.finished and o.exported for o in outcomes)
    assert sum(o.paints for o in outcomes) >= 2 * PROCESS_TRIALS  # the wall changed before the kill
