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


QUEUE_DRIVER = textwrap.dedent(
    """
    import json, random, sys, time
    from circle.core.clock import FakeClock
    from circle.protocol.loader import load_library
    from circle.sessions import start_session
    from circle.store import Store

    store = Store(sys.argv[1])
    clock = FakeClock(1_800_000_000)
    names = ["Ana", "Ben", "Caro", "Dee", "Esi"]
    session = start_session(store, load_library().get("cop-spotlight-call"), names, clock)
    session.skip_step()
    session.skip_step()  # to the questions: a progressive queue
    session.start()
    ids = [p.id for p in session.state.people_present()]
    rng = random.Random(11)
    def busy():  # n and b stay inside the queue: with nobody waiting or called they leave the step
        queue = session.state.queue
        return queue.waiting() or queue.speaking

    commands = [
        lambda: session.raise_hand(rng.choice(ids), rng.random() < 0.2, rng.choice(["wall", "phone"])),
        lambda: session.raise_hand(rng.choice(ids)),
        lambda: session.lower_hand(rng.choice(ids)),
        lambda: session.move_hand(rng.choice(ids), rng.choice([-1, 1])),
        lambda: busy() and session.next(), session.pass_turn, lambda: session.state.queue.turns and session.back(),
        session.toggle, lambda: session.adjust(30),
    ]
    while True:
        clock.advance(rng.randint(1, 20))
        try:
            rng.choice(commands)()
        except Exception:
            pass
        queue = session.state.queue
        if queue is None:
            break
        turn = queue.speaking
        # What the wall and the phones would show, printed only after the events are committed.
        print(json.dumps([session.state.event_count, [[h.person, h.respond] for h in queue.waiting()],
                          turn.person if turn else None,
                          round(session.state.turn_elapsed(turn, clock.now()), 3) if turn else None, clock.now()]),
              flush=True)
        time.sleep(0.002)
    """
)


def test_sigkill_in_a_speaking_queue_resumes_it_exactly(tmp_path):
    db = tmp_path / "queue.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", QUEUE_DRIVER, str(db)], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    shown = [json.loads(proc.stdout.readline()) for _ in range(60)]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    count, waiting, speaking, elapsed, now = shown[-1]
    assert any(line[1] for line in shown) and any(line[2] for line in shown)  # hands went up, people spoke
    store = Store(db)
    latest = store.sessions(limit=1)[0]
    at_print = fold(store.events(latest.id)[:count])
    queue = at_print.queue
    assert [[h.person, h.respond] for h in queue.waiting()] == waiting
    assert (queue.speaking.person if queue.speaking else None) == speaking
    if queue.speaking:
        assert abs(at_print.turn_elapsed(queue.speaking, now) - elapsed) < 1e-6
    resumed = open_session(store, latest.id, FakeClock(now + 60))  # as the app resumes it
    assert resumed.state.queue is not None and resumed.state.event_count >= count
    store.close()
