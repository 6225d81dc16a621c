"""A damaged database: every command says so in one line, names the damaged session, and lists
the rest; nothing writes to a file cut short; `circle check` finds the damage and `circle
salvage` keeps what is whole."""

from __future__ import annotations

import hashlib
import os
import sqlite3

import pytest

from circle.cli import main
from circle.core.clock import FakeClock
from circle.protocol.loader import load_library
from circle.sessions import start_session
from circle.store import Store


@pytest.fixture
def logged(tmp_path):
    """Four ended check-ins, each with a note; returns the database and the sessions' ids, oldest first."""
    db = tmp_path / "circle.db"
    store, clock, library = Store(db), FakeClock(), load_library()
    ids = []
    for n in range(4):
        s = start_session(store, library.get("feelz-checkin"), ["Ana", "Ben", "Caro"], clock)
        s.start()
        clock.advance(40)
        s.next()
        s.note(f"base note {n}")
        s.start()
        clock.advance(50)
        s.end()
        clock.advance(3600)
        ids.append(s.state.session_id)
    store.close()
    return db, ids


def tamper(db, sql: str, *params) -> None:
    """Change an event behind circle's back (the log refuses updates, as it should)."""
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute(sql, params)


def cut_short(db, by: int = 1000) -> None:
    os.truncate(db, os.path.getsize(db) - by)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err


NO_NOTE = "UPDATE events SET data = '{broken' WHERE session_id = ? AND kind = 'note'"
NO_STEP = """UPDATE events SET data = json_set(data, '$.step', 99)
    WHERE session_id = ? AND kind = 'step_started' AND json_extract(data, '$.step') = 1"""
DAMAGES = {
    "broken JSON": lambda db, ids: tamper(db, NO_NOTE, ids[1]),
    "an impossible step": lambda db, ids: tamper(db, NO_STEP, ids[1]),
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_a_damaged_session_is_named_and_the_rest_still_read(damage, logged, capsys):
    db, ids = logged
    DAMAGES[damage](db, ids)
    code, out, err = run(capsys, "sessions", "--db", str(db))
    assert code == 0 and len(out.splitlines()) == 4  # every session still listed
    code, out, err = run(capsys, "export", ids[1][:8], "--db", str(db))
    assert code == 1 and one_line(err) and f"session {ids[1][:8]} is damaged at event" in err
    code, out, _ = run(capsys, "export", ids[2][:8], "--db", str(db))
    assert code == 0 and "base note 2" in out
    assert run(capsys, "ledger", "--db", str(db))[0] == 0
    code, out, err = run(capsys, "check", "--db", str(db))
    assert code == 1 and f"session {ids[1][:8]}" in out and "1 of 4 sessions damaged" in out


def test_broken_json_is_marked_in_the_sessions_list(logged, capsys):
    db, ids = logged
    DAMAGES["broken JSON"](db, ids)
    _, out, _ = run(capsys, "sessions", "--db", str(db))
    (marked,) = [line for line in out.splitlines() if "damaged" in line]
    assert marked.startswith(ids[1][:8])


def test_a_file_cut_short_is_read_but_never_written(logged, capsys):
    db, ids = logged
    cut_short(db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    code, _, err = run(capsys, "group", "create", "Oak", "--people", "Ana", "--db", str(db))
    assert code == 1 and one_line(err) and "damaged: it ends partway through a page" in err
    code, _, err = run(capsys, "run", "feelz-checkin", "--people", "Ana,Ben", "--db", str(db))
    assert code == 1 and one_line(err)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # not a byte written
    code, out, err = run(capsys, "sessions", "--db", str(db))
    assert code == 0 and "is damaged (cut short)" in err and len(out.splitlines()) == 4
    code, out, err = run(capsys, "export", "latest", "--db", str(db))
    assert code in (0, 1) and "Traceback" not in err + out


def test_check_says_a_whole_file_is_whole(logged, capsys):
    db, _ = logged
    code, out, _ = run(capsys, "check", "--db", str(db))
    assert code == 0 and "whole: 4 sessions" in out


@pytest.mark.parametrize("damage", ["broken JSON", "an impossible step", "cut short"])
def test_salvage_copies_every_whole_session_into_a_new_file(damage, logged, capsys, tmp_path):
    db, ids = logged
    if damage == "cut short":
        cut_short(db)
    else:
        DAMAGES[damage](db, ids)
    new = tmp_path / "salvaged.db"
    code, out, err = run(capsys, "salvage", str(new), "--db", str(db))
    assert code == 0, err
    assert out.startswith("salvaged 3 session(s)") and "left out: session" in out
    code, out, _ = run(capsys, "check", "--db", str(new))
    assert code == 0 and "whole: 3 sessions" in out
    salvaged = Store(new, readonly=True)
    assert len(salvaged.sessions()) == 3 and {p.name for p in salvaged.people_named([])} == set()
    assert [p.name for p in salvaged.people_named(["Ana"])] == ["Ana"]  # the people came too
    code, _, err = run(capsys, "salvage", str(new), "--db", str(db))
    assert code == 1 and one_line(err) and "already exists" in err  # never over a file


@pytest.fixture
def notices(monkeypatch) -> list[tuple[str, str]]:
    """Every toast the app shows during the test, as (message, severity)."""
    from tools.shown import watch_notices

    return watch_notices(monkeypatch)


def test_a_damaged_session_in_the_app_is_a_notice_not_a_crash(logged, notices):
    import asyncio

    from circle.store import Store as S
    from circle.tui.app import make_app

    db, ids = logged
    tamper(
        db,
        "UPDATE events SET data = json_set(data, '$.step', 99) WHERE session_id = ? AND kind = 'step_started'",
        ids[3],
    )
    with sqlite3.connect(db) as conn:  # the damaged one was never ended: it is offered for resuming
        conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
        conn.execute("DELETE FROM events WHERE session_id = ? AND kind = 'session_ended'", (ids[3],))

    async def go():
        app = make_app(S(db), clock=FakeClock())
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(50):
                await pilot.pause(0.02)
                if any("cannot resume" in message for message, _ in notices):
                    break
            assert any(f"session {ids[3][:8]} is damaged" in message for message, _ in notices)
            assert app.is_running

    asyncio.run(go())
