"""The session report: one story, told the same by the summary screen and every export."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime

import pytest

from circle.core.clock import FakeClock
from circle.engine import Person, Session
from circle.engine.agenda import proposal_for, standing
from circle.protocol.loader import load_library
from circle.tui.screens.summary import summary_tables
from circle.views.export import export, render
from circle.views.report import build, from_events

MIN = 60
ROOM = [Person(f"p{n}", f"P{n}") for n in range(8)]


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.fixture
def berlin(monkeypatch):
    """This machine's zone is Europe/Berlin for the test (the C library's too)."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def friendly_rebalanced(library, clock):
    """The Friendly: the meal runs 12 minutes long, the rebalance is accepted, the evening goes on."""
    log: list = []
    session = Session.create(library.get("collaboratory-friendly"), ROOM, clock, sink=log.extend)
    session.start()
    clock.advance(52 * MIN)
    where = standing(session.state, clock.now())
    proposal = proposal_for(where)
    session.adjust_plan(proposal.lengths, where.behind)
    accepted = clock.now()
    session.next()
    session.start()
    clock.advance(4 * MIN)
    return session, log, proposal, accepted


# -- an accepted rebalance is the plan afterwards (item 2) ------------------------------------


def test_a_rebalance_is_in_the_report_and_the_step_table_agrees_with_the_step_sections(library):
    clock = FakeClock(datetime(2026, 3, 5, 18, 0, tzinfo=UTC).timestamp())
    session, log, proposal, accepted = friendly_rebalanced(library, clock)
    report = build(session.state, clock.now(), UTC)
    names = report.steps[1]
    assert names.title == "Names and neighbourhoods" and names.planned == 10 * MIN
    new = proposal.lengths[1]
    assert names.replanned == new and names.replans[0].at == accepted
    md = export(log, "md", UTC, now=clock.now())
    row = next(line for line in md.splitlines() if line.startswith("| 2 | Names"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[3:6] == ["10m", f"{new // MIN}m (18:52)", "4m"]
    # The step's own section says the same, and its turn was allowed the new length.
    section = md.split("### 2. Names and neighbourhoods")[1].split("###")[0]
    assert f"_Planned 10m; replanned to {new // MIN}m at 18:52; ran 4m; under way._" in section
    assert f"| Everyone | 4m | {new // MIN}m |  | now |" in section
    # The rebalance itself is told, with when and how far behind.
    plan = md.split("## Plan changes")[1].split("###")[0]
    assert "- 18:52 (12 min behind): " in plan and f"Names and neighbourhoods 10m → {new // MIN}m" in plan
    # ...and the summary screen's table has the same cells.
    _, steps = summary_tables(report)
    assert steps.rows[1][1:4] == ["10m", f"{new // MIN}m (18:52)", "4m"]
    data = json.loads(export(log, "json", UTC, now=clock.now()))
    assert data["steps"][1]["replanned"] == [{"at": accepted, "seconds": new}]
    assert data["plan_changes"][0]["behind_s"] == 12 * MIN


# -- times are the local time of the moment (item 4) ---------------------------------------------


def test_times_are_the_local_time_of_their_moment_with_the_zone_named(berlin, library):
    summer = datetime(2026, 7, 1, 21, 50, tzinfo=UTC).timestamp()  # 23:50 in Berlin (CEST, UTC+2)
    clock = FakeClock(summer)
    log: list = []
    session = Session.create(library.get("feelz-checkin"), ROOM[:3], clock, sink=log.extend)
    clock.advance(30 * MIN)  # past midnight
    session.note("after midnight")
    session.end()
    winter = datetime(2027, 1, 10, 12, 0, tzinfo=UTC).timestamp()  # exported in winter (CET, UTC+1)
    md = export(log, "md", now=winter)
    assert "- **When:** 2026-07-01 23:50 to 2026-07-02 00:20 (30m, ended)" in md
    assert "- **Times:** Europe/Berlin (CEST)" in md
    assert "- 2026-07-02 00:20 (Arrive): after midnight" in md


def test_the_sessions_list_and_the_export_agree_on_the_time(berlin, tmp_path, capsys):
    from circle.cli import main
    from circle.sessions import start_session
    from circle.store import Store

    db = tmp_path / "c.db"
    store = Store(db)
    clock = FakeClock(datetime(2026, 7, 1, 22, 57, tzinfo=UTC).timestamp())  # 00:57 on 2 July in Berlin
    start_session(store, load_library().get("feelz-checkin"), ["Ana", "Ben"], clock).end()
    store.close()
    assert main(["sessions", "--db", str(db)]) == 0
    listed = capsys.readouterr().out
    assert main(["export", "latest", "--db", str(db)]) == 0
    exported = capsys.readouterr().out
    assert "2026-07-02 00:57" in listed and "- **When:** 2026-07-02 00:57 to 00:57" in exported


def test_the_ledgers_months_are_local_months(berlin, tmp_path):
    from circle.games.reciprocity.ledger import compute
    from circle.games.reciprocity.scoring import load_rules
    from circle.sessions import start_session
    from circle.store import Store

    store = Store(tmp_path / "c.db")
    people = store.people_named(["Ana", "Ben"])
    store.create_group("Oak", people)
    # 00:30 on 1 August in Berlin, still 31 July in UTC.
    clock = FakeClock(datetime(2026, 7, 31, 22, 30, tzinfo=UTC).timestamp())
    meeting = start_session(store, load_library().get("reciprocity-3-consistency"), ["Ana", "Ben"], clock, group="Oak")
    meeting.end()
    ledger = compute(store, load_rules())
    assert list(ledger.by_month(store.group("Oak")["id"])) == ["2026-08"]
    store.close()


# -- one story, the same everywhere (item 5) -------------------------------------------------


def test_every_step_is_in_the_report_even_those_never_reached(library, clock):
    session = Session.create(library.get("reciprocity-4-conflict"), ROOM[:4], clock)
    session.start()
    clock.advance(30)
    session.end()
    report = build(session.state, clock.now())
    _, steps = summary_tables(report)
    assert len(report.steps) == len(steps.rows) == len(session.state.protocol.steps) == 4
    assert [s.status for s in report.steps] == ["ended early", "not reached", "not reached", "not reached"]


def test_the_summary_and_every_export_list_the_same_people_and_figures(library, clock):
    log: list = []
    session = Session.create(library.get("feelz-reflect"), ROOM[:4], clock, sink=log.extend)
    session.start()
    clock.advance(3)
    session.pass_turn()  # P0 passes after 3 s
    clock.advance(100)
    session.remove_person("p2")  # P2 leaves before speaking
    session.add_person("Lou", "lou")
    clock.advance(70)
    session.end()
    report = from_events(log, clock.now())
    people, _ = summary_tables(report)
    md, html = render(report, "md"), render(report, "html")
    data = json.loads(render(report, "json", log))
    assert [row[0] for row in people.rows] == ["P0", "P1", "P2", "P3", "Lou"]
    assert [p["name"] for p in data["people"]] == ["P0", "P1", "P2", "P3", "Lou"]
    for row in people.rows:
        assert "| " + " | ".join(row) + " |" in md
        assert "".join(f"<td>{cell}</td>" for cell in row) in html
    p0 = next(p for p in data["people"] if p["name"] == "P0")
    assert (p0["spoken_s"], p0["passes"]) == (3, 1)
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert [(r["who"], float(r["actual_s"])) for r in rows if r["step"] == "1"][0] == ("P0", 3.0)
    timeline = md.split("## Timeline")[1].split("##")[0].split()
    at, end = report.time(session.state.left["p2"]), report.time(session.state.ended_at)
    assert " ".join(timeline) == f"- {at} P2 left - {at} Lou arrived - {end} session ended"  # oldest first
