"""Every CSV circle writes: whole session ids, the session each row is of, one line ending (LF)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from circle.cli import main
from circle.core.clock import FakeClock
from circle.engine import Person, Session
from circle.sessions import start_session
from circle.store import Store
from circle.views.export import export

BERLIN = ZoneInfo("Europe/Berlin")
# A session id whose first eight characters are digits: a spreadsheet would read them as a number.
NUMERIC_ID = "06026364-1e5a-4c5e-9a7b-0d6f1c2b3a4d"
LATE = datetime(2026, 3, 5, 23, 30, tzinfo=BERLIN).timestamp()  # 22:30 in UTC: the date is Berlin's


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_session_csv_names_its_session_in_every_row(protocol):
    clock = FakeClock(LATE)
    log: list = []
    session = Session.create(protocol, [Person("a", "Ana"), Person("b", "Ben")], clock, log.extend, NUMERIC_ID)
    session.start()
    clock.advance(90)
    session.next()
    text = export(log, "csv", tz=BERLIN)
    rows = rows_of(text)
    assert list(rows[0])[:4] == ["session_id", "session_title", "session_date", "step"]
    assert {(r["session_id"], r["session_title"], r["session_date"]) for r in rows} == {
        (NUMERIC_ID, "Test round and talk", "2026-03-05")
    }
    assert [(r["who"], r["actual_s"]) for r in rows[:2]] == [("Ana", "90.0"), ("Ben", "0.0")]
    assert "\r" not in text and text.endswith("\n")


def test_the_ledger_csv_gives_each_moment_its_whole_session_id(tmp_path, capsys):
    from circle.protocol.loader import load_library

    db = tmp_path / "circle.db"
    store = Store(db)
    store.create_group("Crew", store.people_named(["Ana", "Ben"]), at=LATE)
    protocol = load_library().get("reciprocity-3-consistency")
    session = start_session(store, protocol, ["Ana", "Ben"], FakeClock(LATE), group="Crew")
    session.start()
    session.next()  # someone spoke: a meeting, a point each
    session.end()
    store.close()
    assert main(["ledger", "--format", "csv", "--db", str(db)]) == 0
    text = capsys.readouterr().out
    rows = rows_of(text)
    assert len(rows) == 2 and {r["session"] for r in rows} == {session.state.session_id}
    assert "\r" not in text


def test_every_csv_ends_its_lines_alike(tmp_path, capsys, protocol):
    room = tmp_path / "room.txt"
    room.write_text("Ana\nBen\nCaro\nDee\n", encoding="utf-8")
    assert main(["mix", "--people", str(room), "--size", "2", "--rounds", "2", "--format", "csv"]) == 0
    mixed = capsys.readouterr().out
    log: list = []
    Session.create(protocol, [Person("a", "Ana"), Person("b", "Ben")], FakeClock(LATE), log.extend)
    exported = export(log, "csv")
    for text in (mixed, exported):
        assert text.count("\n") == len(text.splitlines()) and "\r" not in text
