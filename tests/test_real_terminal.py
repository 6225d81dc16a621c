"""circle in a real terminal (tmux): keys sent as one burst land where they were meant to.

tmux sends `send-keys -l` text as one write, as a fast typist or a paste does; the app must
take "/" and what follows as a note, and the key after Enter as the wall's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from circle.store import Store

TMUX = shutil.which("tmux")


@pytest.fixture
def terminal(tmp_path):
    if TMUX is None:
        if os.environ.get("CIRCLE_REQUIRE_TMUX"):
            pytest.fail("no tmux here; .ci/run installs Debian's tmux")
        pytest.skip("no tmux here; .ci/run installs it")
    name = f"circle-test-{os.getpid()}"
    socket = str(tmp_path / "tmux.sock")
    db = tmp_path / "circle.db"

    def tmux(*args: str) -> str:
        done = subprocess.run([TMUX, "-S", socket, *args], capture_output=True, text=True, timeout=10, check=False)
        return done.stdout

    def start(*argv: str) -> None:
        env = f"CIRCLE_HOME={tmp_path / 'home'} CIRCLE_DB={db}"
        command = f"{env} {sys.executable} -m circle.cli {' '.join(argv)}"
        tmux("new-session", "-d", "-s", name, "-x", "80", "-y", "24", command)

    def screen() -> str:
        return tmux("capture-pane", "-p", "-t", name)

    def wait_for(ready, what: str, seconds: float = 20) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if ready():
                return
            time.sleep(0.1)
        raise AssertionError(f"{what} never happened; the screen:\n{screen()}")

    class Terminal:
        pass

    t = Terminal()
    t.start, t.screen, t.wait_for, t.db = start, screen, wait_for, db
    t.keys = lambda *keys: tmux("send-keys", "-t", name, *keys)
    t.type = lambda text: tmux("send-keys", "-t", name, "-l", text)
    yield t
    tmux("kill-server")


def events(db) -> list[tuple[str, str | None]]:
    store = Store(db, readonly=True)
    try:
        rows = store.sessions()
        return [(e.kind, e.data.get("text") or e.data.get("name")) for e in store.events(rows[0].id)] if rows else []
    finally:
        store.close()


def test_a_burst_of_keys_in_a_real_terminal(terminal):
    terminal.start("run", "feelz-appreciation", "--people", "'Ana,Ben,Caro'")
    terminal.wait_for(lambda: "Appreciations" in terminal.screen(), "the live screen")
    terminal.keys("Space")
    terminal.wait_for(lambda: ("timer_started", None) in events(terminal.db), "the turn starting")
    terminal.type("/skip new people")  # one write
    terminal.keys("Enter", "n")
    terminal.wait_for(lambda: events(terminal.db)[-1][0] == "turn_done", "the note, then n")
    terminal.type("aZed")
    terminal.keys("Enter")
    terminal.type("n")
    terminal.wait_for(lambda: len(events(terminal.db)) >= 7, "the name, then n")
    assert events(terminal.db)[3:] == [
        ("note", "skip new people"),  # not a skip, a pass, a start and a next
        ("turn_done", None),
        ("person_added", "Zed"),  # not "Zedn"
        ("turn_done", None),
    ]
