import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from circle.core.clock import FakeClock
from circle.core.errors import CircleError
from circle.engine import Person, Session
from circle.views.export import UTC, export

SIX_PM = datetime(2026, 3, 5, 18, 0, tzinfo=UTC).timestamp()


@pytest.fixture
def evening():
    return FakeClock(SIX_PM)


def circle_so_far(protocol, clock):
    """Ana speaks 2m30s (30s over), Ben passes after 5s, Caro speaks 1m, then talk for 1m40s."""
    log = []
    people = [Person(name.lower(), name) for name in ("Ana", "Ben", "Caro")]
    session = Session.create(protocol, people, clock, sink=log.extend)
    session.start()
    clock.advance(150)
    session.next()
    clock.advance(5)
    session.note("Ben would like to go first next time")
    session.pass_turn()
    clock.advance(60)
    session.next()
    session.start()
    clock.advance(100)
    session.pause()  # 18:05:15
    return session, log


def test_markdown_tells_the_story_of_a_running_session(protocol, evening):
    _, log = circle_so_far(protocol, evening)
    lines = export(log, "md", tz=UTC).splitlines()
    assert lines[0] == "# Test round and talk"
    assert "- **When:** 2026-03-05 18:00 to 18:05 (5m 15s, still running)" in lines
    assert "- **Protocol:** test-round-open" in lines
    assert "- **Present:** Ana, Ben, Caro" in lines
    # every step, planned against actual, the one to come too
    assert "| 1 | Round | round | 6m | 3m 35s | done |" in lines
    assert "| 2 | Talk | open | 5m | 1m 40s | under way |" in lines
    assert "| 3 | Close | silence | 30s |  | to come |" in lines
    # each turn: who, time, what it was allowed, overtime, passed or done
    assert "| Ana | 2m 30s | 2m | 30s | done |" in lines
    assert "| Ben | 5s | 2m |  | passed |" in lines
    assert "| Caro | 1m | 2m |  | done |" in lines
    assert "| Everyone | 1m 40s | 5m |  | now |" in lines
    # speaking time per person: Ben's pass took 5s, and his total says the same as his turn
    assert "| Ana | 2m 30s | 1 | 0 | 30s |  |" in lines
    assert "| Ben | 5s | 0 | 1 |  |  |" in lines
    # the facilitator's note, with where it was taken
    assert "- 18:02 (Round, Ben's turn): Ben would like to go first next time" in lines


def test_markdown_of_an_ended_session_says_what_was_not_reached(protocol, evening):
    session, log = circle_so_far(protocol, evening)
    evening.advance(45)
    session.end()
    lines = export(log, "md", tz=UTC).splitlines()
    assert "- **When:** 2026-03-05 18:00 to 18:06 (6m, ended)" in lines
    assert "| 3 | Close | silence | 30s |  | not reached |" in lines
    assert "| 2 | Talk | open | 5m | 1m 40s | ended early |" in lines  # under way at the end, not skipped
    assert "| Everyone | 1m 40s | 5m |  | ended |" in lines


def test_markdown_lists_late_arrivals_and_early_leavers(protocol, evening):
    log = []
    people = [Person("ana", "Ana"), Person("ben", "Ben")]
    session = Session.create(protocol, people, evening, sink=log.extend)
    evening.advance(60)
    session.add_person("Dana", "dana")
    evening.advance(60)
    session.remove_person("ben")
    lines = export(log, "md", tz=UTC).splitlines()
    assert "- **Present:** Ana, Ben (left 18:02), Dana (arrived 18:01)" in lines
    # Ben has no time of his own, and is still listed with when he left
    assert "| Ben | 0s | 0 | 0 |  | left 18:02 |" in lines
    assert "- 18:01 Dana arrived" in lines and "- 18:02 Ben left" in lines


def test_markdown_without_notes_says_so(protocol, evening):
    log = []
    Session.create(protocol, [Person("ana", "Ana")], evening, sink=log.extend)
    assert "_No notes were taken._" in export(log, "md", tz=UTC)


def test_json_is_valid_and_carries_the_events(protocol, evening):
    _, log = circle_so_far(protocol, evening)
    data = json.loads(export(log, "json"))
    assert data["session"]["protocol"] == "test-round-open"
    assert data["session"]["status"] == "still running"
    assert [e["kind"] for e in data["events"]] == [e.kind for e in log]
    assert [e["id"] for e in data["events"]] == [e.id for e in log]
    round_step = data["steps"][0]
    assert (round_step["planned_s"], round_step["actual_s"]) == (360, 215)
    assert [(t["who"], t["status"], t["overtime_s"]) for t in round_step["turns"]] == [
        ("Ana", "done", 30),
        ("Ben", "passed", 0),
        ("Caro", "done", 0),
    ]
    assert data["notes"][0]["text"] == "Ben would like to go first next time"
    assert [p["name"] for p in data["people"]] == ["Ana", "Ben", "Caro"]


def test_csv_has_a_row_per_turn(protocol, evening):
    _, log = circle_so_far(protocol, evening)
    rows = list(csv.DictReader(io.StringIO(export(log, "csv"))))
    assert [(r["step"], r["who"], r["status"]) for r in rows] == [
        ("1", "Ana", "done"),
        ("1", "Ben", "passed"),
        ("1", "Caro", "done"),
        ("2", "Everyone", "now"),
        ("3", "", ""),  # a step not begun has a row of its own
    ]
    assert [float(r["actual_s"]) for r in rows[:4]] == [150, 5, 60, 100]
    assert [float(r["overtime_s"]) for r in rows[:4]] == [30, 0, 0, 0]


def test_time_already_spoken_is_kept_after_going_back(protocol, evening):
    log = []
    session = Session.create(protocol, [Person("ana", "Ana"), Person("ben", "Ben")], evening, sink=log.extend)
    session.start()
    evening.advance(30)
    session.next()
    evening.advance(12)
    session.back()  # Ben had begun; his 12s still happened
    rows = list(csv.DictReader(io.StringIO(export(log, "csv"))))
    assert [(r["who"], r["status"], float(r["actual_s"])) for r in rows if r["step"] == "1"] == [
        ("Ana", "now", 30),
        ("Ben", "to come", 12),
    ]


def csv_turns(log):
    return [(r["who"], r["status"]) for r in csv.DictReader(io.StringIO(export(log, "csv")))]


def test_turns_still_to_come_are_listed_and_then_marked_not_reached(protocol, evening):
    log = []
    people = [Person("ana", "Ana"), Person("ben", "Ben")]
    session = Session.create(protocol, people, evening, sink=log.extend)
    session.start()
    evening.advance(20)
    assert csv_turns(log)[:2] == [("Ana", "now"), ("Ben", "to come")]
    session.end()
    assert csv_turns(log)[:2] == [("Ana", "ended"), ("Ben", "not reached")]


def test_unknown_format_and_empty_log_are_refused(protocol, evening):
    _, log = circle_so_far(protocol, evening)
    # CircleErrors: the command line words them in one line, as a mistake of the input
    with pytest.raises(CircleError, match="unknown format 'pdf'; choose one of: md, json, csv"):
        export(log, "pdf")
    with pytest.raises(CircleError, match="no events to export"):
        export([], "md")


def test_html_is_a_printable_page_with_everything_escaped(store, protocol, clock):
    from circle.sessions import start_session
    from circle.views.export import export

    session = start_session(store, protocol, ["Ana", "<Ben>"], clock)
    session.start()
    clock.advance(61)
    session.next()
    session.note("tea & biscuits <next time>")
    page = export(store.events(session.state.session_id), "html", UTC)
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert "&lt;Ben&gt;" in page and "<Ben>" not in page
    assert "tea &amp; biscuits &lt;next time&gt;" in page
    assert "<th>Planned</th>" in page and "@media print" in page


def test_a_breakout_exports_who_sat_together_in_each_round_begun(clock):
    from circle.engine import Person, Session
    from circle.protocol.loader import load_protocol
    from circle.views.export import export

    protocol = load_protocol(Path(__file__).parent / "fixtures" / "breakouts.yaml")
    log: list = []
    people = [Person(f"id{n}", name) for n, name in enumerate(["Ana", "Ben", "Caro", "Dee"])]
    session = Session.create(protocol, people, clock, sink=log.extend)
    session.start()
    clock.advance(60)
    session.pause()
    session.next()  # round 1 of the pairs done, round 2 not begun
    text = export(log, "md", now=clock.now())
    round_one = " · ".join(", ".join(session.state.name(p) for p in g) for g in session.state.run.rounds[0])
    assert f"| 1 | {round_one} |" in text
    assert "| 2 |" not in text.split("Who sat together")[1].split("###")[0]  # not begun: not history
    assert "\n\n| Round | Who sat together |" in text  # its own table, apart from the turns
