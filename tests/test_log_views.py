"""The log's views (`turns`, `attendance`) give the export's figures, for anyone with sqlite3 or Datasette.

A session is run through the engine with a fake clock into a real database, exported, and each
person's seconds, turns, passes and overtime, and who was present, absent, arrived and left, are
read back from the views and compared with the export. Random sessions (every key of the live
screen, breakouts and agendas too) check the same against the report.
"""

from __future__ import annotations

import contextlib
import csv
import io
import random
import sqlite3
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from test_one_truth import LIBRARY, give, sessions

from circle.core.clock import FakeClock
from circle.engine import CommandRejected, Event, Person, Session
from circle.sessions import start_session
from circle.store import Store
from circle.views.export import to_csv, to_dict
from circle.views.report import build

EVENING = datetime(2026, 3, 5, 18, 0).timestamp()


def by_person(store: Store, session_id: str) -> dict[str, dict]:
    """Each person's figures as a query of the `turns` view gives them."""
    rows = store.conn.execute(
        """SELECT person_id, sum(seconds) AS seconds, sum(status IN ('done', 'ended')) AS turns,
                  sum(passed) AS passes, sum(overtime) AS overtime
           FROM turns WHERE session_id = ? AND person_id IS NOT NULL GROUP BY person_id""",
        (session_id,),
    )
    return {r["person_id"]: dict(r) for r in rows}


def attendance(store: Store, session_id: str) -> dict[str, tuple]:
    rows = store.conn.execute(
        'SELECT person_id, person, status, arrived, "left" FROM attendance WHERE session_id = ?', (session_id,)
    )
    return {r["person_id"]: (r["person"], r["status"], r["arrived"], r["left"]) for r in rows}


def rows(store: Store, sql: str) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute(sql)]


def local_iso(at: float | None) -> str | None:
    return None if at is None else datetime.fromtimestamp(at).strftime("%Y-%m-%dT%H:%M:%S")


def assert_views_match_report(store: Store, session_id: str, state) -> None:
    """Every person's figures in the views are the report's, and every turn taken is one row."""
    report = build(state, now=state.last_at)
    figures = by_person(store, session_id)
    for person in report.people:
        got = figures.get(person.id, {"seconds": 0, "turns": 0, "passes": 0, "overtime": 0})
        assert got["seconds"] == pytest.approx(person.time, abs=0.01), person
        assert (got["turns"], got["passes"]) == (person.turns, person.passes), person
        assert got["overtime"] == pytest.approx(person.overtime, abs=0.01), person
    # Every turn with time, or passed, is one row with the report's figures (the rest have none to give).
    shown = {
        (r["step"], r["turn"]): (r["seconds"], r["passed"])
        for r in store.conn.execute("SELECT * FROM turns WHERE session_id = ?", (session_id,))
        if r["seconds"] > 0 or r["passed"]
    }
    taken = {
        (step.number, n): (round(t.time, 3), int(t.status == "passed"))
        for step in report.steps
        for n, t in enumerate(step.turns, start=1)
        if t.time > 0 or t.status == "passed"
    }
    assert shown == taken
    room = attendance(store, session_id)
    for person in report.people:
        assert room.pop(person.id) == (person.name, "present", local_iso(person.arrived), local_iso(person.left))
    assert sorted(name for name, status, *_ in room.values() if status == "absent") == sorted(report.absent)
    assert not [r for r in room.values() if r[1] != "absent"]


# -- one evening, every kind of turn ------------------------------------------------------------


@pytest.fixture
def evening_db(tmp_path, protocol):
    """Ana speaks with a pause and +30s, Ben passes, Caro is cut by a back to Ben, who speaks after
    all; an offer is recorded and undone, Esi arrives, Ben leaves; the talk, then the end."""
    store = Store(tmp_path / "circle.db")
    store.create_group("Tuesday crew", store.people_named(["Ana", "Ben", "Caro", "Dee"]))
    clock = FakeClock(EVENING)
    session = start_session(store, protocol, ["Ana", "Ben", "Caro"], clock, group="Tuesday crew")
    ids = {p.name: p.id for p in session.state.people.values()}
    session.start()
    clock.advance(60)
    session.pause()
    clock.advance(300)  # a pause: no time of Ana's
    session.adjust(30)
    session.start()
    clock.advance(100)
    session.next()  # Ana: 160s of 150s allowed, 10s over
    clock.advance(5)
    session.pass_turn()  # Ben passes after 5s
    clock.advance(40)
    session.back()  # Caro's 40s stand; back to Ben, who speaks after all
    clock.advance(20)
    session.next()  # Ben: 25s, done
    clock.advance(30)
    session.note("Caro asked to go first next time")
    session.record_offer(ids["Ana"], ids["Caro"], "a lift")
    session.undo_record()
    session.next()  # Caro: 70s
    session.add_person("Esi")
    session.start()
    clock.advance(100)
    session.remove_person(ids["Ben"])
    clock.advance(20)
    session.next()  # the talk: 120s
    session.start()
    clock.advance(10)
    session.end()  # the silence cut short at 10s
    yield store, session, ids
    store.close()


def test_the_turns_view_gives_every_persons_figures_as_the_export_does(evening_db):
    store, session, ids = evening_db
    events = store.events(session.state.session_id)
    exported = to_dict(build(session.state), events)
    figures = by_person(store, session.state.session_id)
    for person in exported["people"]:
        got = figures.get(person["id"], {"seconds": 0, "turns": 0, "passes": 0, "overtime": 0})
        assert (got["seconds"], got["turns"], got["passes"], got["overtime"]) == (
            person["spoken_s"],
            person["turns"],
            person["passes"],
            person["overtime_s"],
        ), person["name"]
    assert figures[ids["Ana"]] == {"person_id": ids["Ana"], "seconds": 160, "turns": 1, "passes": 0, "overtime": 10}
    assert figures[ids["Ben"]]["seconds"] == 25 and figures[ids["Ben"]]["passes"] == 0  # back made it a turn
    assert figures[ids["Caro"]]["seconds"] == 70  # one row, with its final figures


def test_each_turn_is_one_row_with_its_final_figures_and_local_times(evening_db):
    store, session, ids = evening_db
    rows = store.conn.execute(
        "SELECT step, step_title, turn, label, person, started, ended, seconds, allowed, overtime, passed, status"
        " FROM turns ORDER BY step, turn"
    ).fetchall()
    at = lambda minutes: datetime.fromtimestamp(EVENING + minutes).strftime("%Y-%m-%dT%H:%M:%S")  # noqa: E731
    assert [tuple(r) for r in rows] == [
        (1, "Round", 1, "Ana", "Ana", at(0), at(460), 160, 150, 10, 0, "done"),
        (1, "Round", 2, "Ben", "Ben", at(460), at(525), 25, 120, 0, 0, "done"),
        (1, "Round", 3, "Caro", "Caro", at(465), at(555), 70, 120, 0, 0, "done"),
        (2, "Talk", 1, "Everyone", None, at(555), at(675), 120, 300, 0, 0, "done"),
        (3, "Close", 1, "Silence", None, at(675), at(685), 10, 30, 0, 0, "ended"),
    ]
    # The CSV export says the same of each turn.
    csv_rows = list(csv.DictReader(io.StringIO(to_csv(build(session.state)))))
    exported = [(int(r["step"]), r["who"], float(r["actual_s"])) for r in csv_rows]
    assert exported == [(r[0], r[3], r[7]) for r in rows]


def test_the_attendance_view_gives_who_came_as_the_export_does(evening_db):
    store, session, ids = evening_db
    exported = to_dict(build(session.state), store.events(session.state.session_id))
    room = attendance(store, session.state.session_id)
    for person in exported["people"]:
        assert room.pop(person["id"]) == (
            person["name"],
            "present",
            local_iso(person["arrived_at"]),
            local_iso(person["left_at"]),
        )
    assert [(name, status) for name, status, *_ in room.values()] == [(n, "absent") for n in exported["absent"]]
    assert rows(store, "SELECT DISTINCT group_name FROM attendance") == [("Tuesday crew",)]
    assert attendance(store, session.state.session_id)[ids["Ben"]][3] is not None  # he left


# -- the hard cases -------------------------------------------------------------------------------


def logged(tmp_path, protocol, commands, names=("Ana", "Ben", "Caro")):
    store = Store(tmp_path / "c.db")
    clock = FakeClock(EVENING)
    session = start_session(store, protocol, list(names), clock)
    for name, gap in commands:
        clock.advance(gap)
        getattr(session, name)()
    return store, session


def test_back_across_into_the_step_before_drops_that_steps_turns(tmp_path, protocol):
    """The step left by back starts afresh: what its first turn had is in no report and no view."""
    store, session = logged(tmp_path, protocol, [("start", 0), ("next", 60), ("next", 60), ("next", 60)])
    session.start()
    session.clock.advance(45)
    session.back()  # from the talk, back into Caro's turn: the talk's 45s are dropped
    session.clock.advance(15)
    session.next()
    session.end()
    assert_views_match_report(store, session.state.session_id, session.state)
    assert rows(store, "SELECT label, seconds FROM turns WHERE step = 2") == []
    assert rows(store, "SELECT seconds FROM turns WHERE label = 'Caro'") == [(75,)]


def test_a_turn_in_a_step_dropped_by_back_is_in_no_view(tmp_path):
    """Ana speaks 12s in the second round and leaves; back returns into the first round, and the
    session ends there: the second round was never run, in the report and in the view."""
    from circle.protocol.models import Protocol

    rounds = Protocol.model_validate(
        {
            "id": "two-rounds",
            "title": "Two rounds",
            "steps": [{"kind": "round", "title": t, "turn": "1m"} for t in ("First", "Second")],
        }
    )
    store, session = logged(tmp_path, rounds, [("start", 0), ("next", 10), ("next", 10), ("next", 10)])
    session.start()
    session.clock.advance(12)
    session.remove_person(session.state.current.speaker)  # Ana leaves mid-turn
    session.back()  # no turn taken in this round: back into the first
    session.end()
    assert_views_match_report(store, session.state.session_id, session.state)
    assert rows(store, "SELECT DISTINCT step FROM turns") == [(1,)]


def test_a_pass_taken_back_and_never_taken_up_again_is_no_pass(tmp_path, protocol):
    store, session = logged(tmp_path, protocol, [("start", 0), ("pass_turn", 0), ("back", 0), ("end", 0)])
    # Ana passed, back gave her the turn again, and the session ended before she spoke: no pass.
    assert_views_match_report(store, session.state.session_id, session.state)
    assert store.conn.execute("SELECT count(*) FROM turns").fetchone()[0] == 0


def test_a_turn_left_by_back_keeps_its_time_when_the_session_ends_before_it_returns(tmp_path, protocol):
    store, session = logged(tmp_path, protocol, [("start", 0), ("next", 30), ("back", 50), ("end", 10)])
    assert_views_match_report(store, session.state.session_id, session.state)
    assert rows(store, "SELECT label, seconds, status FROM turns ORDER BY turn") == [
        ("Ana", 40, "ended"),
        ("Ben", 50, "back"),
    ]


def test_a_speaker_who_leaves_ends_their_turn_with_its_time(tmp_path, protocol):
    store, session = logged(tmp_path, protocol, [("start", 0), ("next", 30)])
    session.clock.advance(12)
    session.remove_person(session.state.current.speaker)
    session.clock.advance(5)
    session.skip_step()
    assert_views_match_report(store, session.state.session_id, session.state)
    assert rows(store, "SELECT label, seconds, status FROM turns WHERE step = 1 ORDER BY turn") == [
        ("Ana", 30, "done"),
        ("Ben", 12, "left"),
        ("Caro", 5, "done"),  # skipped while she spoke: her 5s count, as the report has them
    ]


def test_a_session_begun_before_turns_carried_figures_has_no_rows(tmp_path, protocol):
    """A database from before: its turns would be partial, so there are none (never wrong figures)."""
    store, session = logged(tmp_path, protocol, [("start", 0), ("next", 30)])
    drop = ("turn", "turn_figures")
    old = [
        Event(e.kind, e.at, {k: v for k, v in e.data.items() if k not in drop})
        for e in store.events(session.state.session_id)
    ]
    store.create_session("old", "p", "Before", EVENING, events=old)
    resumed = Session(session.clock, old, sink=lambda new: store.append("old", new))
    resumed.next()  # carried on by this circle: its later turns carry figures, the first did not
    assert store.conn.execute("SELECT count(*) FROM turns WHERE session_id = 'old'").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM attendance WHERE session_id = 'old'").fetchone()[0] == 3


def test_a_damaged_event_does_not_stop_the_views(tmp_path, protocol):
    store, session = logged(tmp_path, protocol, [("start", 0), ("next", 30)])
    store.conn.execute("DROP TRIGGER events_no_update")
    store.conn.execute("UPDATE events SET data = '{not json' WHERE kind = 'timer_started'")
    store.conn.commit()
    assert rows(store, "SELECT label, seconds FROM turns") == [("Ana", 30)]
    assert len(rows(store, "SELECT * FROM attendance")) == 3


# -- random sessions ----------------------------------------------------------------------------


@pytest.fixture
def quick_mixer(monkeypatch):
    import circle.engine.breakouts
    from circle.mixer import mix

    monkeypatch.setattr(circle.engine.breakouts, "mix", lambda *args, **kw: mix(*args, **{**kw, "max_steps": 200}))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=sessions)
def test_random_sessions_give_the_reports_figures_in_the_views(quick_mixer, tmp_path_factory, case):
    protocol = LIBRARY.get(case["protocol"])
    clock = FakeClock(case["start"])
    room = [Person(f"p{n}", f"Person {n}") for n in range(max(case["people"], protocol.group_size.min))]
    log: list[Event] = []
    session = Session.create(protocol, room, clock, sink=log.extend, rng=random.Random(1))
    for n, (name, gap, pick) in enumerate(case["commands"]):
        clock.advance(gap)
        with contextlib.suppress(CommandRejected):
            give(session, name, pick, n)
    if not session.state.ended:
        session.end()  # a turn under way is in the view once it ends
    store = Store(tmp_path_factory.mktemp("random") / "c.db")
    try:
        store.create_session(session.state.session_id, protocol.id, protocol.title, log[0].at, events=log)
        assert_views_match_report(store, session.state.session_id, session.state)
    finally:
        store.close()


def test_the_views_read_a_file_opened_by_plain_sqlite3(evening_db):
    store, *_ = evening_db
    conn = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True)
    assert conn.execute("SELECT person, sum(seconds) FROM turns GROUP BY person_id ORDER BY 2 DESC LIMIT 1").fetchone()
    conn.close()


# -- the metadata Datasette reads -----------------------------------------------------------------


def test_the_datasette_metadata_names_every_table_view_and_column_the_schema_makes(store):
    import json
    from pathlib import Path

    meta = json.loads((Path(__file__).parents[1] / "docs" / "datasette-metadata.json").read_text())
    described = meta["databases"]["circle"]["tables"]
    made = {
        name: kind
        for _, name, kind, *_ in store.conn.execute("PRAGMA main.table_list")
        if kind in ("table", "view", "virtual") and not name.startswith("sqlite_")
    }
    assert set(described) == set(made)
    for name in made:
        columns = [r["name"] for r in store.conn.execute(f"PRAGMA table_xinfo({name})") if not r["hidden"]]
        assert list(described[name]["columns"]) == columns, name
        assert described[name]["title"] and described[name]["description"]
        assert all(described[name]["columns"].values()), name
