"""`circle notes search`: the facilitator's notes found by word, with when, which session and which step.

The full-text index is kept by a trigger on the append-only events, so it stays right for a new
note, an older database migrated, a merge and a salvage, which all insert events.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import pytest
from test_cli import run

import circle.store as store_module
from circle.core.clock import FakeClock
from circle.core.localtime import date_time
from circle.sessions import start_session
from circle.sessions.repair import salvage
from circle.store import Store
from circle.store.merge import merge

EVENING = datetime(2026, 3, 5, 18, 0).timestamp()


def evening(store: Store, protocol, notes: list[str], group: str | None = None, at: float = EVENING) -> str:
    """A session in which each note is taken during a turn of the round: Ana's, Ben's, ..."""
    clock = FakeClock(at)
    session = start_session(store, protocol, ["Ana", "Ben", "Caro"], clock, group=group)
    session.start()
    for text in notes:
        clock.advance(30)
        session.note(text)
        session.next()
    session.end()
    return session.state.session_id


@pytest.fixture
def db(tmp_path, protocol):
    path = tmp_path / "circle.db"
    store = Store(path)
    store.create_group("Tuesday crew", store.people_named(["Ana", "Ben", "Caro"]))
    crew = evening(store, protocol, ["Ben asked for a longer round", "Caro brought soup"], group="Tuesday crew")
    other = evening(store, protocol, ["the soup was cold"], at=EVENING + 86400)
    store.close()
    return path, crew, other


def test_search_lists_each_matching_note_with_date_session_and_step(capsys, db):
    path, crew, other = db
    code, out, err = run(capsys, "notes", "search", "soup", "--db", path)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{date_time(EVENING + 60)}  Test round and talk ({crew[:8]})  Round, Ben's turn: Caro brought [soup]",
        f"{date_time(EVENING + 86430)}  Test round and talk ({other[:8]})  Round, Ana's turn: the [soup] was cold",
    ]


def test_search_in_one_group_and_with_the_full_text_syntax(capsys, db):
    path, crew, _ = db
    code, out, _ = run(capsys, "notes", "search", "soup", "--group", "tuesday CREW", "--db", path)
    assert code == 0 and len(out.splitlines()) == 1 and crew[:8] in out
    code, out, _ = run(capsys, "notes", "search", "long*", "--db", path)
    assert out.count("\n") == 1 and "[longer]" in out
    code, out, _ = run(capsys, "notes", "search", '"was cold"', "--db", path)
    assert out.count("\n") == 1 and "the soup [was cold]" in out


def test_a_word_finds_its_other_forms_and_its_accented_spelling(capsys, tmp_path, protocol):
    path = tmp_path / "circle.db"
    store = Store(path)
    evening(store, protocol, ["Renée asked for longer rounds", "two more chairs needed"])
    store.close()
    code, out, _ = run(capsys, "notes", "search", "round", "--db", path)  # "rounds" is a form of "round"
    assert code == 0 and "longer [rounds]" in out
    code, out, _ = run(capsys, "notes", "search", "chair", "--db", path)
    assert "more [chairs] needed" in out
    code, out, _ = run(capsys, "notes", "search", "renee", "--db", path)
    assert "[Renée] asked" in out


def test_nothing_found_says_so_in_one_line(capsys, db):
    path, *_ = db
    assert run(capsys, "notes", "search", "bread", "--db", path) == (0, "no note holds 'bread'\n", "")
    code, out, _ = run(capsys, "notes", "search", "cold", "--group", "Tuesday crew", "--db", path)
    assert out == "no note holds 'cold' in the sessions of Tuesday crew\n"


@pytest.mark.parametrize("query", ['"', "soup:", "AND", "(soup"])
def test_a_query_the_full_text_syntax_cannot_read_is_one_line(capsys, db, query):
    path, *_ = db
    code, out, err = run(capsys, "notes", "search", query, "--db", path)
    assert code == 1 and out == ""
    assert err.startswith("circle: cannot search the notes for") and err.count("\n") == 1
    assert "Traceback" not in err


def test_an_unknown_group_is_one_line(capsys, db):
    path, *_ = db
    code, out, err = run(capsys, "notes", "search", "soup", "--group", "Nobody", "--db", path)
    assert code == 1 and out == "" and err == "circle: no group named 'Nobody'; saved groups: Tuesday crew\n"


def test_notes_of_an_older_database_are_searchable_once_it_is_migrated(tmp_path, protocol):
    path = tmp_path / "old.db"
    new = Store(tmp_path / "new.db")
    sid = evening(new, protocol, ["the kettle broke"])
    events = new.events(sid)
    new.close()
    with sqlite3.connect(path) as conn:  # as version 6 left it, with a session in it
        for target in range(1, 7):
            for statement in store_module._MIGRATIONS[target]:
                if callable(statement):
                    statement(conn)
                else:
                    conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {store_module.APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 6")
        conn.execute("INSERT INTO sessions VALUES (?, 'p', 'Old', ?, ?, NULL)", (sid, EVENING, EVENING))
        conn.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, json(?))",
            [(e.id, sid, n, e.at, e.kind, json.dumps(e.data)) for n, e in enumerate(events, 1)],
        )
    conn.close()
    store = Store(path)
    assert [hit.marked for hit in store.search_notes("kettle")] == ["the [kettle] broke"]
    store.close()


def test_a_merge_and_a_salvage_keep_the_notes_searchable(tmp_path, protocol):
    here = Store(tmp_path / "here.db")
    evening(here, protocol, ["soup on the stove"])
    laptop = Store(tmp_path / "laptop-b.db")
    evening(laptop, protocol, ["more soup next week"], at=EVENING + 3600)
    laptop.close()
    merge(here, tmp_path / "laptop-b.db")
    merge(here, tmp_path / "laptop-b.db")  # twice: nothing is added, nor indexed, twice
    assert [h.text for h in here.search_notes("soup")] == ["soup on the stove", "more soup next week"]
    here.close()
    salvage(tmp_path / "here.db", tmp_path / "saved.db")
    saved = Store(tmp_path / "saved.db")
    assert [h.text for h in saved.search_notes("soup")] == ["soup on the stove", "more soup next week"]
    saved.close()
