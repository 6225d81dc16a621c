"""kill -9 loses nothing that was shown: a real process is killed mid-session and replayed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

from circle.core.clock import FakeClock
from circle.engine import fold
from circle.sessions import open_session
from circle.store import Store

DRIVER = textwrap.dedent(
    """
    import json, random, sys, time
    from circle.core.clock import FakeClock
    from circle.protocol.loader import load_library
    from circle.sessions import start_session
    from circle.store import Store

    store = Store(sys.argv[1])
    clock = FakeClock(1_800_000_000)
    session = start_session(store, load_library().get("feelz-reflect"), ["Ana", "Ben", "Caro", "Dee"], clock)
    rng = random.Random(5)
    commands = [session.toggle, session.next, session.pass_turn, session.back, lambda: session.adjust(30)]
    while True:
        clock.advance(rng.randint(1, 40))
        try:
            rng.choice(commands)()
        except Exception:
            pass
        state = session.state
        slot = state.current
        # What the screen would show, printed only after the events are committed.
        print(json.dumps([state.event_count, state.run.index, state.slot,
                          slot.label if slot else None, round(state.remaining(clock.now()), 3), clock.now()]),
              flush=True)
        time.sleep(0.002)
    """
)


def test_sigkill_mid_session_loses_nothing_shown(tmp_path):
    for trial in range(3):
        db = tmp_path / f"trial-{trial}.db"
        proc = subprocess.Popen(
            [sys.executable, "-c", DRIVER, str(db)], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
        )
        shown = []
        for _ in range(40 + 25 * trial):
            shown.append(json.loads(proc.stdout.readline()))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        store = Store(db)
        latest = store.sessions(limit=1)[0]
        count, step, slot, label, remaining, now = shown[-1]
        state = open_session(store, latest.id, FakeClock(now)).state
        # Every event behind what was last shown is there (more may have landed after the print).
        assert state.event_count >= count
        replayed = open_session(store, latest.id, FakeClock(now))
        events = store.events(latest.id)[:count]
        at_print = fold(events)
        assert (at_print.run.index, at_print.slot) == (step, slot)
        assert (at_print.current.label if at_print.current else None) == label
        assert abs(at_print.remaining(now) - remaining) < 1e-6
        assert replayed.state.event_count == len(store.events(latest.id))
        store.close()
