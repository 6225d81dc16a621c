import os
import sqlite3

import pytest

from circle.core.clock import FakeClock
from circle.engine import fold
from circle.sessions import open_session, resumable, resume_session, start_session
from circle.store import SCHEMA_VERSION, Store, StoreError

TURN = 120  # the round's turn in tests/fixtures/round-open.yaml


def run_a_little(store, protocol, clock, names=("Ana", "Ben", "Caro")):
    """Start a session and give Ana 50s and Ben a running turn."""
    session = start_session(store, protocol, list(names), clock)
    session.start()
    clock.advance(50)
    session.next()
    clock.advance(20)
    session.note("Ben is speaking")
    return session


def view(state, now):
    return (
        state.phase(now),
        state.remaining(now),
        [[(s.label, s.status, s.spent) for s in run.slots] for run in state.runs],
        [n.text for n in state.notes],
    )


def assert_one_line_error(exc, *words):
    message = str(exc.value)
    assert "\n" not in message
    for word in words:
        assert word in message


# -- the schema ---------------------------------------------------------------------------


def test_a_new_database_has_the_schema_in_wal_mode(store):
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")}
    assert {"people", "groups", "group_members", "sessions", "events", "notes"} <= names


def test_events_are_append_only(store, protocol, clock):
    session = run_a_little(store, protocol, clock)
    sid = session.state.session_id
    before = store.events(sid)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("UPDATE events SET kind = 'turn_done'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("DELETE FROM events")
    store.conn.rollback()
    assert store.events(sid) == before


def test_every_command_is_logged_in_order(store, protocol, clock):
    session = run_a_little(store, protocol, clock)
    kinds = [e.kind for e in store.events(session.state.session_id)]
    assert kinds == [
        "session_created",
        "step_started",
        "timer_started",
        "turn_done",
        "note",
    ]


# -- surviving a crash ----------------------------------------------------------------------


def test_reopening_after_an_abrupt_stop_replays_to_the_same_state(tmp_path, protocol, clock):
    path = tmp_path / "circle.db"
    first = Store(path)
    session = run_a_little(first, protocol, clock)
    session.adjust(30)
    # no close(): the process died here

    second = Store(path)
    reopened = open_session(second, session.state.session_id, clock)
    assert view(reopened.state, clock.now()) == view(session.state, clock.now())
    reopened.next()  # and it takes commands again
    assert reopened.state.current.label == "Caro"
    assert [e.kind for e in second.events(session.state.session_id)][-1] == "turn_done"
    second.close()


def test_resume_counts_the_downtime_as_paused(tmp_path, protocol, clock):
    path = tmp_path / "circle.db"
    first = Store(path)
    session = run_a_little(first, protocol, clock)
    clock.advance(15)
    first.touch(session.state.session_id, clock.now())  # the app was alive until here
    remaining_at_last_seen = session.state.remaining(clock.now())
    clock.advance(2 * 3600)  # then the laptop died

    second = Store(path)
    row = resumable(second)
    assert row.id == session.state.session_id
    resumed = resume_session(second, row, clock)
    assert resumed.state.phase(clock.now()) == "paused"
    assert resumed.state.remaining(clock.now()) == remaining_at_last_seen == TURN - 35
    assert second.events(row.id)[-1].kind == "recovered"
    second.close()


def test_resume_of_a_paused_session_changes_nothing(tmp_path, protocol, clock):
    path = tmp_path / "circle.db"
    first = Store(path)
    session = run_a_little(first, protocol, clock)
    session.pause()
    count = len(first.events(session.state.session_id))
    clock.advance(600)

    second = Store(path)
    resumed = resume_session(second, resumable(second), clock)
    assert view(resumed.state, clock.now()) == view(session.state, clock.now())
    assert len(second.events(session.state.session_id)) == count
    second.close()


def test_an_ended_session_is_not_offered_for_resuming(store, protocol, clock):
    run_a_little(store, protocol, clock).end()
    assert resumable(store) is None


# -- people and sessions ----------------------------------------------------------------------


def test_people_are_reused_by_name_whatever_the_case(store):
    (ana,) = store.people_named(["Ana"])
    again, ben = store.people_named(["ANA", "Ben"])
    assert again == ana  # same id, and the name as first saved
    assert ben.id != ana.id
    assert store.conn.execute("SELECT count(*) FROM people").fetchone()[0] == 2


def test_a_new_session_reuses_the_saved_people(store, protocol, clock):
    first = start_session(store, protocol, ["Ana", "Ben"], clock)
    second = start_session(store, protocol, ["ben", "Caro"], clock)
    assert first.state.present[1] == second.state.present[0]
    assert second.state.people_present()[0].name == "Ben"


def test_session_by_latest_and_by_id_prefix(store, protocol, clock):
    older = start_session(store, protocol, ["Ana", "Ben"], clock)
    clock.advance(3600)
    newer = start_session(store, protocol, ["Caro", "Dan"], clock)
    assert store.session("latest").id == newer.state.session_id
    old_id = older.state.session_id
    assert store.session(old_id[:8]).id == old_id
    assert store.session(old_id[:8].upper()).id == old_id
    row = store.session(old_id)
    assert (row.protocol_id, row.people, row.ended) == (protocol.id, 2, False)


def test_an_unknown_or_ambiguous_session_is_a_clear_error(store):
    with pytest.raises(StoreError, match="no sessions are logged"):
        store.session("latest")
    store.create_session("abc-1", "p", "P", 1.0)
    store.create_session("abc-2", "p", "P", 2.0)
    with pytest.raises(StoreError) as exc:
        store.session("abc")
    assert_one_line_error(exc, "'abc' matches 2 sessions")
    with pytest.raises(StoreError) as exc:
        store.session("zzz")
    assert_one_line_error(exc, "no session 'zzz'", "circle sessions")


def test_groups_keep_their_members(store):
    people = store.people_named(["Ana", "Ben"])
    store.create_group("Tuesday crew", people)
    assert store.group_members("Tuesday crew") == people
    with pytest.raises(StoreError, match="already exists"):
        store.create_group("Tuesday crew", people)
    with pytest.raises(StoreError, match="saved groups: Tuesday crew"):
        store.group_members("Wednesday")


# -- files that are not ours ----------------------------------------------------------------------


def assert_refused(path, *words, readonly=False):
    before = path.read_bytes()
    with pytest.raises(StoreError) as exc:
        Store(path, readonly=readonly)
    assert_one_line_error(exc, str(path), *words)
    assert path.read_bytes() == before


@pytest.mark.parametrize("readonly", [False, True])
def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path, readonly):
    path = tmp_path / "notes.db"
    path.write_text("These are my meeting notes, not a database.\n" * 40)
    assert_refused(path, "is not a circle database", readonly=readonly)


def test_an_sqlite_file_of_another_program_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.close()
    assert_refused(path, "is not a circle database (it holds other tables)")


@pytest.mark.parametrize("readonly", [False, True])
def test_a_database_from_a_newer_circle_is_refused_untouched(tmp_path, readonly):
    path = tmp_path / "circle.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    assert_refused(path, "newer circle", "upgrade circle", readonly=readonly)


def test_a_read_only_file_is_refused_untouched(tmp_path, protocol):
    path = tmp_path / "circle.db"
    Store(path).close()
    os.chmod(path, 0o444)
    if os.access(path, os.W_OK):
        pytest.skip("running as a user who can write to read-only files (root)")
    before = path.read_bytes()
    with pytest.raises(StoreError) as exc:  # on opening, or at the first write
        start_session(Store(path), protocol, ["Ana", "Ben"], FakeClock())
    assert_one_line_error(exc, "read-only")
    assert path.read_bytes() == before


def test_a_failed_write_shows_nothing_that_was_not_recorded(store, protocol, clock):
    session = run_a_little(store, protocol, clock)
    sid = session.state.session_id
    before, logged = view(session.state, clock.now()), len(store.events(sid))

    other = sqlite3.connect(store.path)  # another program holds the write lock
    other.execute("BEGIN EXCLUSIVE")
    store.conn.execute("PRAGMA busy_timeout = 0")
    try:
        with pytest.raises(StoreError) as exc:
            session.next()
        assert_one_line_error(exc, "locked by another program")
        assert view(session.state, clock.now()) == before
    finally:
        other.rollback()
        other.close()
    assert len(store.events(sid)) == logged
    session.next()  # once the lock is gone, the command goes through
    assert session.state.current.label == "Caro"
    assert fold(store.events(sid)).current.label == "Caro"


def test_older_database_is_migrated_after_a_backup(tmp_path):
    import sqlite3

    from circle import store as store_module

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # a database as the first version left it
        for statement in store_module._MIGRATIONS[1]:
            conn.execute(statement)
        conn.execute(f"PRAGMA application_id={store_module.APPLICATION_ID}")
        conn.execute("PRAGMA user_version=1")
        conn.execute("INSERT INTO sessions VALUES ('s1', 'p', 'Old session', 1, 1, NULL)")
    conn.close()

    migrated = Store(path)
    assert migrated.conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION
    assert [r.title for r in migrated.sessions()] == ["Old session"]
    backup = tmp_path / "old.db.v1.bak"
    with sqlite3.connect(backup) as copy:
        assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
        assert copy.execute("SELECT title FROM sessions").fetchone()[0] == "Old session"
    copy.close()


def _sessions_work(store: Store, count: int) -> tuple[int, list]:
    """SQLite's work (virtual machine steps) to list the 12 latest of ``count`` logged sessions."""
    from circle.engine import Event

    for n in range(count):
        sid = f"s{n:04d}"
        store.create_session(sid, "p", f"Session {n}", float(n))
        created = Event("session_created", float(n), {"people": [{"id": "a", "name": "Ana"}]})
        turns = [Event("turn_done", float(n), {}) for _ in range(20)]
        store.append(sid, [created, *turns, Event("session_ended", float(n) + 1)])
    steps = []
    store.conn.set_progress_handler(lambda: steps.append(1), 100)
    rows = store.sessions(limit=12)
    store.conn.set_progress_handler(None, 0)
    return len(steps), rows


def test_listing_recent_sessions_costs_the_same_after_years_of_them(tmp_path):
    """Home lists the 12 latest sessions; with ten years logged that once took 27 s (every
    session's events were scanned for every session). The work must not grow with the history."""
    few, rows = _sessions_work(Store(tmp_path / "few.db"), 20)
    many, _ = _sessions_work(Store(tmp_path / "many.db"), 400)
    assert [r.title for r in rows][:2] == ["Session 19", "Session 18"] and rows[0].ended and rows[0].people == 1
    assert many < few * 3, (few, many)


def test_group_names_match_without_case_in_every_script(store):
    store.create_group("Équipe Été", [])
    assert store.group("équipe été")["name"] == "Équipe Été"
    assert store.group("Équipe Été")["name"] == "Équipe Été"  # typed with a separate accent
    with pytest.raises(StoreError, match="already exists"):
        store.create_group("ÉQUIPE ÉTÉ", [])


def test_another_programs_empty_file_with_a_version_is_left_untouched(tmp_path):
    """Such a file used to be switched to WAL and backed up as if it were an old circle database."""
    import sqlite3

    path = tmp_path / "theirs.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 3")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a circle database"):
        Store(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.db"]  # no backup, no journal


def test_a_backup_is_never_written_over(tmp_path):
    import sqlite3

    import circle.store as store_module

    def old_file(path):
        with sqlite3.connect(path) as conn:
            for target in range(1, 5):
                for statement in store_module._MIGRATIONS[target]:
                    conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {store_module.APPLICATION_ID}")
            conn.execute("PRAGMA user_version = 4")

    path = tmp_path / "c.db"
    old_file(path)
    Store(path).close()
    first = (tmp_path / "c.db.v4.bak").read_bytes()
    for leftover in tmp_path.glob("c.db*"):
        if not leftover.name.endswith(".bak"):
            leftover.unlink()
    old_file(path)  # another v4 file at the same place
    Store(path).close()
    assert (tmp_path / "c.db.v4.bak").read_bytes() == first
    assert (tmp_path / "c.db.v4.2.bak").exists()


def test_a_share_from_version_7_is_kept_and_gains_a_remote(tmp_path):
    """Version 8 adds the remote's token (and the host) to where a session is shared."""
    import sqlite3

    from circle import store as store_module

    path = tmp_path / "v7.db"
    with sqlite3.connect(path) as conn:  # as version 7 left it, with a shared session
        for target in range(1, 8):
            for statement in store_module._MIGRATIONS[target]:
                if callable(statement):
                    statement(conn)
                else:
                    conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {store_module.APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 7")
        conn.execute("INSERT INTO sessions VALUES ('s1', 'p', 'Tuesday', 1, 1, NULL)")
        conn.execute("INSERT INTO shares VALUES ('s1', 8123, 'follow-token', 1)")
    conn.close()
    store = Store(path)
    assert store.share("s1") == (8123, "follow-token", True, None, None)
    store.set_share("s1", 8123, "follow-token", True, "remote-token", "192.168.1.5")
    store.set_share("s1", 8124, "follow-token", False)  # stopped: the remote's token is kept
    share = store.share("s1")
    assert (share.port, share.active, share.remote_token, share.host) == (8124, False, "remote-token", "192.168.1.5")
    store.close()


def test_the_session_run_now_is_the_latest_unfinished_one_shared(store):
    from circle.engine import Event

    for n, sid in enumerate(["old", "ended", "new-unshared"]):
        store.create_session(sid, "p", sid, float(n), events=[Event("session_created", float(n), {"people": []})])
    store.append("ended", [Event("session_ended", 5.0)])
    assert store.running_share() is None
    store.set_share("old", 1, "f1", True, "r1", "127.0.0.1")
    store.set_share("ended", 2, "f2", True, "r2", "127.0.0.1")
    row, share = store.running_share()
    assert (row.id, share.remote_token) == ("old", "r1")
    store.set_share("old", 1, "f1", False)
    assert store.running_share() is None
