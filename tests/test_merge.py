"""`circle merge`: two laptops' logs of one crew become one history, by id, and nothing else changes."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from circle.cli import main
from circle.core.clock import FakeClock
from circle.core.events import Event
from circle.core.resources import bundled_dir
from circle.games.reciprocity.ledger import compute
from circle.games.reciprocity.scoring import load_rules
from circle.protocol.loader import load_library
from circle.sessions import open_session, start_session
from circle.store import _MIGRATIONS, APPLICATION_ID, SCHEMA_VERSION, Store
from circle.store.lock import DatabaseLock
from circle.store.merge import merge as merge_into

CREW = ["Ana", "Ben", "Caro", "Dee"]
LIBRARY = load_library(dirs=[bundled_dir("protocols")])


def at(month: int, day: int = 15) -> float:
    return datetime(2026, month, day, 19, 0, tzinfo=UTC).timestamp()


def run(store: Store, protocol_id: str, names: list[str], when: float, group: str | None = "Tuesday crew"):
    return start_session(store, LIBRARY.get(protocol_id), names, FakeClock(when), group=group)


def met(session) -> None:
    """Someone speaks, then the meeting ends: a meeting that counts."""
    session.start()
    session.next()
    session.end()


def ids(store: Store) -> dict[str, str]:
    return {p.name: p.id for p in store.people_named(CREW)}


def laptop_a(store: Store) -> None:
    """February: a meeting Dee misses, and a money session in which Ana offers Ben an introduction."""
    met(run(store, "reciprocity-3-consistency", ["Ana", "Ben", "Caro"], at(2)))
    money = run(store, "reciprocity-2-money", CREW, at(2, 20))
    money.record_offer(ids(store)["Ana"], ids(store)["Ben"], "intro to a funder")
    money.end()


def laptop_b(store: Store) -> None:
    """March: a meeting everyone comes to, a listening round without Dee, and evidence for the group."""
    met(run(store, "reciprocity-3-consistency", CREW, at(3)))
    listening = run(store, "reciprocity-1-listening", ["Ana", "Ben", "Caro"], at(3, 20))
    listening.record_listened()
    listening.end()
    store.append_group_event(store.group("Tuesday crew")["id"], "evidence", {"text": "monthly potlucks"}, at(3, 21))


def copy_of(db: Path, to: Path) -> Path:
    shutil.copyfile(db, to)  # a closed database is one file
    return to


@pytest.fixture
def base(tmp_path) -> Path:
    """The crew's database as both laptops had it: the group and January's meeting."""
    store = Store(tmp_path / "base.db")
    store.create_group("Tuesday crew", store.people_named(CREW), at=at(1, 1))
    met(run(store, "reciprocity-3-consistency", CREW, at(1)))
    store.close()
    return tmp_path / "base.db"


@pytest.fixture
def laptops(base, tmp_path) -> tuple[Path, Path]:
    a, b = copy_of(base, tmp_path / "laptop-a.db"), copy_of(base, tmp_path / "laptop-b.db")
    for db, work in ((a, laptop_a), (b, laptop_b)):
        store = Store(db)
        work(store)
        store.close()
    return a, b


def merge(other: Path, db: Path, capsys) -> tuple[int, str, str]:
    code = main(["merge", str(other), "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def log(db: Path) -> dict[str, list[tuple]]:
    """Every session's events as stored: (seq, id, at, kind, data)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT session_id, seq, id, at, kind, data FROM events ORDER BY session_id, seq")
        sessions: dict[str, list[tuple]] = {}
        for session_id, *event in rows:
            sessions.setdefault(session_id, []).append(tuple(event))
        return sessions
    finally:
        conn.close()


def scored(db: Path) -> tuple:
    """The ledger, without session ids (a session run on another copy has another id)."""
    store = Store(db, readonly=True)
    ledger = compute(store, load_rules())
    group = store.group("Tuesday crew")["id"]
    store.close()
    entries = sorted((e.person, e.points, e.level, e.reason, e.at, e.group) for e in ledger.entries)
    return entries, ledger.totals(), [m.nth for m in ledger.meetings[group]], ledger.misses(group)


# -- the union ------------------------------------------------------------------------------------


def test_merging_two_laptops_gives_exactly_the_union(laptops, base, tmp_path, capsys):
    a, b = laptops
    before_a, before_b, b_bytes = log(a), log(b), b.read_bytes()

    code, out, err = merge(b, a, capsys)
    assert code == 0, err
    added = sum(len(before_b[s]) for s in before_b.keys() - before_a.keys())
    assert out.splitlines() == [f"merged {b} into {a}: 2 sessions, {added} events, 1 group event"]
    assert err == ""

    merged = log(a)
    # Every session of both, once, each with exactly the events it had, in the same order.
    assert merged.keys() == before_a.keys() | before_b.keys()
    for session, events in {**before_a, **before_b}.items():
        assert merged[session] == events
    assert len(merged) == 5  # January's, February's two, March's two
    assert b.read_bytes() == b_bytes
    assert sorted(p.name for p in b.parent.iterdir() if p.name.startswith("laptop-b")) == ["laptop-b.db"]

    store = Store(a, readonly=True)
    for session in merged:  # every session replays
        assert open_session(store, session, FakeClock(at(4))).state.ended
    assert store.group_events(store.group("Tuesday crew")["id"]) == [
        (at(3, 21), "evidence", {"text": "monthly potlucks"})
    ]
    store.close()


def test_the_merged_ledger_counts_both_laptops_meetings_in_order(laptops, base, tmp_path, capsys):
    a, b = laptops
    assert merge(b, a, capsys)[0] == 0
    entries, totals, meetings, misses = scored(a)
    person = ids(Store(a, readonly=True))
    # Meetings in January, February (Dee away) and March are the crew's 1st, 2nd and 3rd: 1, 3, 5 points.
    # Neither laptop alone knew March's was the third. Ana's offer: 5 and the respect bonus; listening: 1.
    assert totals[person["Ana"]] == {1: 1, 2: 6, 3: 9, 4: 0, 5: 0}
    assert totals[person["Ben"]] == {1: 1, 2: 0, 3: 9, 4: 0, 5: 0}
    assert totals[person["Caro"]] == {1: 1, 2: 0, 3: 9, 4: 0, 5: 0}
    # Dee: her own first meeting 1, the miss -5 (her count stays), then her second 3.
    assert totals[person["Dee"]] == {1: 0, 2: 0, 3: -1, 4: 0, 5: 0}
    assert meetings == [1, 2, 3] and misses == {person["Dee"]: 1}

    # The same as if everything had been run on one laptop.
    one = copy_of(base, tmp_path / "one-laptop.db")
    store = Store(one)
    laptop_a(store)
    laptop_b(store)
    store.close()
    assert scored(a) == scored(one)


def test_merging_again_changes_nothing(laptops, capsys):
    a, b = laptops
    assert merge(b, a, capsys)[0] == 0
    before = dump(a)
    code, out, err = merge(b, a, capsys)
    assert code == 0 and err == ""
    assert out.strip() == f"nothing to merge: everything in {b} is already in {a}"
    assert dump(a) == before
    store = Store(a)
    report = merge_into(store, b)  # the same through the Python API
    store.close()
    assert not report.added and not report.ended and dump(a) == before
    # And the other way round, B gets A's sessions: both laptops now hold the same history.
    assert merge(a, b, capsys)[0] == 0
    assert log(a) == log(b)


def test_merging_into_a_new_file_copies_the_history(laptops, tmp_path, capsys):
    a, _ = laptops
    combined = tmp_path / "combined.db"
    code, out, _ = merge(a, combined, capsys)
    assert code == 0 and "3 sessions" in out and "4 people" in out and "1 group" in out and "4 memberships" in out
    assert log(combined) == log(a)
    assert [p.name for p in Store(combined, readonly=True).group_members("Tuesday crew")] == CREW


def test_a_database_open_in_another_circle_is_read_as_it_stands(laptops, tmp_path, capsys):
    a, b = laptops
    running = Store(b)  # still open: its newest events may be only in its write-ahead log
    session = run(running, "feelz-checkin", ["Ana", "Ben"], at(4), group=None)
    session.note("written while the merge reads")
    assert merge(b, a, capsys)[0] == 0
    assert log(a)[session.state.session_id] == log(b)[session.state.session_id]
    running.close()


# -- what cannot be merged --------------------------------------------------------------------------


def assert_refused(other: Path, db: Path, capsys, *words: str) -> None:
    before_other = other.read_bytes() if other.is_file() else None
    before_db = dump(db)
    code, out, err = merge(other, db, capsys)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("circle: "), err
    for word in words:
        assert word in lines[0]
    assert dump(db) == before_db
    if before_other is not None:
        assert other.read_bytes() == before_other


def text_file(path: Path) -> Path:
    path.write_text("my notes, not a database\n" * 40)
    return path


def empty_file(path: Path) -> Path:
    path.touch()
    return path


def folder(path: Path) -> Path:
    path.mkdir()
    return path


def newer_circle(path: Path) -> Path:
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    return path


def another_program(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (text_file, ("not a circle database", "not an SQLite file")),
        (empty_file, ("not a circle database", "empty")),
        (another_program, ("not a circle database", "other tables")),
        (newer_circle, ("newer circle", "upgrade circle")),
        (lambda path: path, ("does not exist",)),
        (folder, ("is a directory",)),
    ],
    ids=["text", "empty", "another program", "newer circle", "missing", "folder"],
)
def test_a_file_that_is_not_a_circle_history_is_refused_and_left_as_it_was(laptops, tmp_path, capsys, make, words):
    a, _ = laptops
    other = make(tmp_path / "other.db")
    assert_refused(other, a, capsys, str(other), *words, "nothing was merged")


def test_a_refused_merge_does_not_even_create_the_database(tmp_path, capsys):
    db = tmp_path / "new.db"
    assert merge(text_file(tmp_path / "notes.db"), db, capsys)[0] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_the_database_itself_is_refused(laptops, capsys):
    a, _ = laptops
    assert_refused(a, a, capsys, "this database itself")


def test_merging_while_a_circle_has_the_database_open_is_refused(laptops, capsys):
    a, b = laptops
    lock = DatabaseLock(a).acquire()
    try:
        assert_refused(b, a, capsys, "open in another circle")
    finally:
        lock.release()


def test_an_event_id_in_both_with_different_content_is_refused(base, tmp_path, capsys):
    a, b = copy_of(base, tmp_path / "a.db"), copy_of(base, tmp_path / "b.db")
    for db, text in ((a, "from a"), (b, "from b")):
        store = Store(db)
        session = store.sessions()[0].id
        store.append(session, [Event("note", at(1, 16), {"text": text}, id="11111111-0000-0000-0000-000000000000")])
        store.close()
    assert_refused(
        b, a, capsys, "event 11111111-0000-0000-0000-000000000000", "different content", "nothing was merged"
    )


def unfinished_session(tmp_path) -> tuple[Path, str]:
    store = Store(tmp_path / "base.db")
    session = run(store, "feelz-checkin", ["Ana", "Ben"], at(5), group=None)
    session.start()
    store.close()
    return tmp_path / "base.db", session.state.session_id


def carry_on(db: Path, session_id: str, text: str) -> None:
    store = Store(db)
    session = open_session(store, session_id, FakeClock(at(5) + 60))
    session.note(text)
    session.next()
    store.close()


def test_a_session_carried_on_by_the_other_laptop_gets_the_rest(tmp_path, capsys):
    base, session = unfinished_session(tmp_path)
    a, b = copy_of(base, tmp_path / "a.db"), copy_of(base, tmp_path / "b.db")
    carry_on(b, session, "finished on the other laptop")
    more = len(log(b)[session]) - len(log(a)[session])
    code, out, _ = merge(b, a, capsys)
    assert code == 0 and out.endswith(f": {more} events, 1 session continued\n")
    assert log(a) == log(b)
    assert merge(a, b, capsys)[1].startswith("nothing to merge")  # B already has all A has


def test_a_session_carried_on_by_both_laptops_is_refused(tmp_path, capsys):
    base, session = unfinished_session(tmp_path)
    a, b = copy_of(base, tmp_path / "a.db"), copy_of(base, tmp_path / "b.db")
    carry_on(a, session, "on this laptop")
    carry_on(b, session, "on the other")
    assert_refused(b, a, capsys, f"session {session[:8]}", "went on differently", "nothing was merged")


def test_an_older_database_is_read_from_a_migrated_copy_and_left_untouched(laptops, tmp_path, capsys):
    a, _ = laptops
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)  # as the first circle left it
    for statement in _MIGRATIONS[1]:
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute("PRAGMA user_version=1")
    conn.execute("INSERT INTO people VALUES ('p-old', 'Olu', 'olu', 1)")
    conn.execute("INSERT INTO sessions VALUES ('s-old', 'feelz-checkin', 'Old session', 1, 2, NULL)")
    conn.execute("INSERT INTO events VALUES ('e-old', 's-old', 1, 1, 'note', '{\"text\": \"long ago\"}')")
    conn.commit()
    conn.close()
    before = old.read_bytes()

    code, out, _ = merge(old, a, capsys)
    assert code == 0 and "1 session, 1 event, 1 person" in out
    assert old.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("old")) == ["old.db"]  # no backup beside it
    assert log(a)["s-old"] == [(1, "e-old", 1.0, "note", '{"text": "long ago"}')]


# -- groups, people and memberships --------------------------------------------------------------


def test_a_different_group_with_the_same_name_is_kept_under_a_name_of_its_own(tmp_path, capsys):
    a, b = tmp_path / "a.db", tmp_path / "laptop-b.db"
    for db, names in ((a, CREW), (b, ["Esi", "Femi"])):  # two crews that chose the same name
        store = Store(db)
        store.create_group("Tuesday crew", store.people_named(names), at=at(1))
        met(run(store, "reciprocity-3-consistency", names, at(2)))
        store.close()

    code, out, err = merge(b, a, capsys)
    assert code == 0 and "1 group" in out
    assert err.strip() == (
        f"circle: note: the group 'Tuesday crew' in {b} is not the one here (another id); "
        "it was added as 'Tuesday crew (laptop-b)'"
    )
    store = Store(a, readonly=True)
    assert [g["name"] for g in store.groups()] == ["Tuesday crew", "Tuesday crew (laptop-b)"]
    assert [p.name for p in store.group_members("Tuesday crew")] == CREW
    assert [p.name for p in store.group_members("Tuesday crew (laptop-b)")] == ["Esi", "Femi"]
    ledger = compute(store, load_rules())  # each crew's meeting is its own first
    assert {g: [m.nth for m in held] for g, held in ledger.meetings.items()} == {
        store.group("Tuesday crew")["id"]: [1],
        store.group("Tuesday crew (laptop-b)")["id"]: [1],
    }


def test_memberships_keep_their_dates_and_someone_who_left_on_the_other_laptop_has_left(base, tmp_path, capsys):
    a, b = copy_of(base, tmp_path / "a.db"), copy_of(base, tmp_path / "b.db")
    store = Store(a)
    store.add_members("Tuesday crew", store.people_named(["Femi"]), at=at(2))
    store.close()
    store = Store(b)
    store.remove_members("Tuesday crew", ["Dee"], at=at(3))
    store.add_members("Tuesday crew", store.people_named(["Gus"]), at=at(3))
    store.close()

    code, out, _ = merge(b, a, capsys)
    assert code == 0 and "1 person, 1 membership, 1 membership ended" in out
    store = Store(a, readonly=True)
    assert [p.name for p in store.group_members("Tuesday crew")] == ["Ana", "Ben", "Caro", "Femi", "Gus"]
    assert [p.name for p in store.group_members("Tuesday crew", at=at(2, 20))] == CREW + ["Femi"]
    store.close()
    assert merge(b, a, capsys)[1].startswith("nothing to merge")


def test_a_newcomer_typed_on_both_laptops_is_two_people_and_the_merge_says_so(base, tmp_path, capsys):
    """Two people may share a name, so ids decide; the facilitator is told, to sort it out."""
    a, b = copy_of(base, tmp_path / "a.db"), copy_of(base, tmp_path / "b.db")
    for db in (a, b):
        store = Store(db)
        store.add_members("Tuesday crew", store.people_named(["Esi"]), at=at(2))
        store.close()
    code, out, err = merge(b, a, capsys)
    assert code == 0 and out.endswith(": 1 person, 1 membership\n")
    assert err.strip() == f"circle: note: Esi in {b} is not the Esi here (another id); both are kept"
    store = Store(a, readonly=True)
    assert [p.name for p in store.group_members("Tuesday crew")] == [*CREW, "Esi", "Esi"]
    assert store.people_named(["Esi"]) == store.people_named(["esi"])  # new sessions name the first one
