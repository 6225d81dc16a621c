"""Several processes on one database: the app writing while `circle export` reads, two tools writing.

Every test here runs real processes against one SQLite file. What is checked is what a person would
notice: a reader never fails or sees half a write, and no event is lost, doubled or out of order.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from circle.core.clock import FakeClock
from circle.core.events import Event
from circle.sessions import open_session, start_session
from circle.store import Store, StoreError

NAMES = ["Ana", "Ben", "Caro", "Dee", "Esi", "Femi"]

# A facilitator's process: a session of hundreds of events, written through Session and Store.
WRITER = textwrap.dedent(
    """
    import json, random, sys, time
    from pathlib import Path
    from circle.core.clock import FakeClock
    from circle.engine import CommandRejected
    from circle.protocol.loader import load_library
    from circle.sessions import start_session
    from circle.store import Store

    db, target, halfway_flag, go_flag, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])


    def wait_for(flag):
        deadline = time.monotonic() + 60
        while flag != "-" and not Path(flag).exists() and time.monotonic() < deadline:
            time.sleep(0.01)


    class Counting(Store):
        '''Remembers the events it committed: the log's length after each write, and their ids.'''

        counts, ids = [], []

        def create_session(self, *args, events=(), **kwargs):
            super().create_session(*args, events=events, **kwargs)
            self.counts.append(len(events))
            self.ids.extend(e.id for e in events)

        def append(self, session_id, events):
            super().append(session_id, events)
            if events:
                self.counts.append(self.counts[-1] + len(events))
                self.ids.extend(e.id for e in events)


    library = load_library()
    print("ready", flush=True)
    wait_for(go_flag)
    store = Counting(db)
    clock = FakeClock(1_800_000_000 + seed)
    rng = random.Random(seed)
    session = start_session(store, library.get("feelz-reflect"), sys.argv[6].split(","), clock, rng=rng)
    commands = [session.toggle, session.next, session.back, lambda: session.adjust(30),
                lambda: session.note(f"note {rng.random()}")]
    halfway = False
    while store.counts[-1] < target:
        clock.advance(rng.randint(1, 30))
        try:
            rng.choice(commands)()
        except CommandRejected:
            pass
        if not halfway and store.counts[-1] >= target // 2:
            wait_for(halfway_flag)  # until a reader has seen the session half written
            halfway = True
    session.end()
    print(json.dumps({"session": session.state.session_id, "counts": store.counts, "ids": store.ids}), flush=True)
    """
)

# `circle export latest --format json` and `circle sessions`, again and again, in one process.
READER = textwrap.dedent(
    """
    import contextlib, hashlib, io, json, sys
    from pathlib import Path
    from circle.cli import main

    db, stop_flag, seen_flag, records = sys.argv[1:5]
    log = open(records, "w")  # a file, not a pipe: the reader never waits for the test to read


    def run(*args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*args, "--db", db])
        return code, out.getvalue(), err.getvalue()


    while True:
        last = Path(stop_flag).exists()
        code, out, err = run("export", "latest", "--format", "json")
        record = {"command": "export", "code": code, "err": err}
        if code == 0:
            notes = json.loads(out)
            events = notes["events"]
            digest = hashlib.sha256(json.dumps(events, sort_keys=True).encode()).hexdigest()
            record.update(count=len(events), digest=digest)
            if notes["session"]["status"] == "still running":
                Path(seen_flag).touch()
        print(json.dumps(record), file=log, flush=True)
        code, out, err = run("sessions")
        print(json.dumps({"command": "sessions", "code": code, "out": out, "err": err}), file=log, flush=True)
        if last:
            break
    """
)


def digest(events: list[dict]) -> str:
    return hashlib.sha256(json.dumps(events, sort_keys=True).encode()).hexdigest()


def python(script: str, *args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
        **kwargs,
    )


def finish(proc: subprocess.Popen) -> list[str]:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    return out.splitlines()


def assert_log_is_whole(db: Path, written: dict[str, list[str]]) -> None:
    """Each session holds exactly the events its writer committed, numbered 1..n without gaps."""
    conn = sqlite3.connect(db)
    try:
        for session_id, ids in written.items():
            rows = conn.execute(
                "SELECT seq, id FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
            ).fetchall()
            assert [seq for seq, _ in rows] == list(range(1, len(ids) + 1))
            assert [event_id for _, event_id in rows] == ids
        total = conn.execute("SELECT count(*), count(DISTINCT id) FROM events").fetchone()
        assert total == (sum(map(len, written.values())),) * 2
    finally:
        conn.close()


def test_readers_see_whole_writes_while_a_session_is_written(tmp_path):
    db, stop, seen, log = tmp_path / "circle.db", tmp_path / "stop", tmp_path / "seen", tmp_path / "read.jsonl"
    reader = python(READER, db, stop, seen, log)  # reading before the database even exists
    writer = python(WRITER, db, 400, seen, "-", 1, ",".join(NAMES))
    result = json.loads(finish(writer)[-1])
    stop.touch()
    finish(reader)
    records = [json.loads(line) for line in log.read_text().splitlines()]

    final = json.loads(
        subprocess.run(
            [sys.executable, "-m", "circle.cli", "export", "latest", "--format", "json", "--db", str(db)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )["events"]
    assert [e["id"] for e in final] == result["ids"]
    assert_log_is_whole(db, {result["session"]: result["ids"]})

    exports = [r for r in records if r["command"] == "export"]
    read = [r for r in exports if r["code"] == 0]
    before = exports[: exports.index(read[0])]
    # Until the session exists, the reader is told so in one line; after that it never fails.
    assert all(
        r["code"] == 1 and ("no database at" in r["err"] or "no sessions are logged" in r["err"]) for r in before
    )
    assert all(r["code"] == 0 for r in exports[len(before) :]), [r["err"] for r in exports if r["code"]]
    # Every export was the log as it stood after one of the writer's commits: never half a write.
    for r in read:
        assert r["count"] in result["counts"]
        assert r["digest"] == digest(final[: r["count"]])
    assert any(0 < r["count"] < len(final) for r in read), "no export overlapped the writing"
    assert read[-1]["count"] == len(final)

    listings = [r for r in records if r["command"] == "sessions"]
    assert all(r["code"] == 0 and r["err"] == "" for r in listings)
    assert result["session"][:8] in listings[-1]["out"] and "ended" in listings[-1]["out"]


def test_two_processes_write_their_own_sessions_to_one_file_at_once(tmp_path):
    db, go = tmp_path / "circle.db", tmp_path / "go"
    # Both create the file, name the same new people and write, at the same moment.
    writers = [python(WRITER, db, 300, "-", go, seed, ",".join(NAMES)) for seed in (1, 2)]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready"
    go.touch()
    results = [json.loads(finish(writer)[-1]) for writer in writers]

    assert_log_is_whole(db, {r["session"]: r["ids"] for r in results})
    store = Store(db, readonly=True)
    # The same names are the same people, however close together both processes added them.
    assert tuple(store.conn.execute("SELECT count(*), count(DISTINCT key) FROM people").fetchone()) == (6, 6)
    for r in results:
        replayed = open_session(store, r["session"], FakeClock())
        assert replayed.state.ended and replayed.state.event_count == len(r["ids"])
        assert sorted(p.name for p in replayed.state.people.values()) == sorted(NAMES)
    store.close()


# -- waiting for another writer ----------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO people VALUES ('other', 'Other', 'other', 0)")
    print("holding", flush=True)
    if sys.argv[2] == "until-told":
        sys.stdin.readline()
    else:
        time.sleep(float(sys.argv[2]))
    conn.execute("COMMIT")
    """
)


def one_event_session(store: Store) -> str:
    store.create_session("s1", "p", "Session", 1.0, events=[Event("note", 1.0, {"text": "first"})])
    return "s1"


def hold_the_write_lock(db: Path, how_long: str) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), how_long], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_write_waits_while_another_process_is_writing(tmp_path):
    store = Store(tmp_path / "circle.db")
    sid = one_event_session(store)
    holder = hold_the_write_lock(store.path, "0.4")
    store.append(sid, [Event("note", 2.0, {"text": "second"})])  # waits, then goes through
    assert holder.wait(timeout=30) == 0
    assert [e.data["text"] for e in store.events(sid)] == ["first", "second"]
    assert store.people_named(["Other"])[0].id == "other"  # the other process's write is there too


def test_a_write_that_cannot_get_its_turn_is_one_line_and_records_nothing(tmp_path):
    store = Store(tmp_path / "circle.db", wait=0.3)
    sid = one_event_session(store)
    holder = hold_the_write_lock(store.path, "until-told")
    try:
        with pytest.raises(StoreError) as exc:
            store.append(sid, [Event("note", 2.0, {"text": "second"})])
        assert "\n" not in str(exc.value) and "locked by another program" in str(exc.value)
        assert [e.data["text"] for e in store.events(sid)] == ["first"]
    finally:
        holder.communicate("done\n", timeout=30)
    store.append(sid, [Event("note", 2.0, {"text": "second"})])  # once it is free, the write goes through
    assert [e.data["text"] for e in store.events(sid)] == ["first", "second"]


class BusyAtFirst:
    """A connection whose first BEGIN IMMEDIATE answers busy at once, as SQLite does when a
    snapshot is stale or the log is being recovered (the busy timeout does not wait for those)."""

    def __init__(self, conn: sqlite3.Connection, refusals: int):
        self._conn, self.refusals = conn, refusals

    def execute(self, sql, *args):
        if sql == "BEGIN IMMEDIATE" and self.refusals:
            self.refusals -= 1
            busy = sqlite3.OperationalError("database is locked")
            busy.sqlite_errorcode = 5 | (2 << 8)  # SQLITE_BUSY_SNAPSHOT
            raise busy
        return self._conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def __enter__(self):
        return self._conn.__enter__()

    def __exit__(self, *exc):
        return self._conn.__exit__(*exc)


def test_a_busy_answer_without_waiting_is_tried_again_once_per_write(tmp_path):
    store = Store(tmp_path / "circle.db")
    sid = one_event_session(store)
    store.conn = BusyAtFirst(store.conn, refusals=3)
    store.append(sid, [Event("note", 2.0, {"text": "second"})])
    assert store.conn.refusals == 0
    assert [e.data["text"] for e in store.events(sid)] == ["first", "second"]


def test_a_reader_of_a_file_still_being_created_sees_an_empty_log(tmp_path):
    db = tmp_path / "circle.db"
    db.touch()  # the file exists; its first writer has not begun
    assert Store(db, readonly=True).sessions() == []
    assert db.read_bytes() == b""
    first = sqlite3.connect(db, isolation_level=None)  # now it is making the tables
    first.execute("PRAGMA journal_mode=WAL")
    first.execute("BEGIN IMMEDIATE")
    first.execute("CREATE TABLE people (id TEXT PRIMARY KEY)")
    try:
        assert Store(db, readonly=True).sessions() == []
    finally:
        first.execute("ROLLBACK")
        first.close()


def test_a_new_session_reaches_readers_with_its_first_events(tmp_path, protocol, clock):
    """`circle export latest` run just as a session starts finds it with its events, never empty."""
    db = tmp_path / "circle.db"
    Store(db).close()
    reader = Store(db, readonly=True)
    seen: list[int] = []

    class Watched(Store):
        def append(self, session_id, events):  # what a reader finds just before each write
            seen.extend(len(reader.events(row.id)) for row in reader.sessions())
            super().append(session_id, events)

    session = start_session(Watched(db), protocol, ["Ana", "Ben"], clock)
    session.start()
    session.next()
    assert seen and 0 not in seen
    assert len(reader.events(session.state.session_id)) == session.state.event_count


def test_many_processes_opening_a_new_file_at_once_all_succeed(tmp_path):
    # Each round, six processes race to create one new file; a loser must wait, never see the
    # winner's tables before its mark and call the file another program's. (Rounds, because a
    # race is caught only some of the time.)
    script = "import sys, time, pathlib\n" + textwrap.dedent(
        """
        from circle.store import Store
        while not pathlib.Path(sys.argv[2]).exists():
            time.sleep(0.0005)
        Store(sys.argv[1]).people_named(["Ana", "Ben"])
        """
    )
    for round_ in range(5):
        db, go = tmp_path / f"circle-{round_}.db", tmp_path / f"go-{round_}"
        procs = [python(script, db, go) for _ in range(6)]
        time.sleep(0.4)  # let them all start waiting; correctness does not depend on it
        go.touch()
        for proc in procs:
            finish(proc)
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT count(*) FROM people").fetchone()[0] == 2
        conn.close()
