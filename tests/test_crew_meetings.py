"""Level 3 over months: a crew's meetings, whatever process it uses, once a month, by each person's own count."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from circle.core.clock import FakeClock
from circle.games.reciprocity.ledger import COUNTED, EXTRA, SILENT, compute
from circle.games.reciprocity.report import as_text, moments, report
from circle.games.reciprocity.scoring import load_rules
from circle.protocol.loader import load_library
from circle.sessions import start_session
from circle.store import Store
from circle.views.export import export
from circle.views.live import record_lines
from tools.gallery import spoke_and_ended as met

# Auckland, so that a meeting just after midnight on 1 April local is still 31 March in UTC:
# the month a meeting belongs to is the crew's own calendar month.
TZ = ZoneInfo("Pacific/Auckland")


def at(month: int, day: int, hour: int = 19, minute: int = 0) -> float:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).timestamp()


@pytest.fixture
def crew(tmp_path):
    store = Store(tmp_path / "circle.db")
    library = load_library()
    clock = FakeClock(at(1, 1))
    store.create_group("Oak", store.people_named(["Ana", "Ben", "Caro"]), at=clock.now())
    return store, library, clock


def run(crew, protocol_id, names, when):
    store, library, clock = crew
    clock.t = when
    return start_session(store, library.get(protocol_id), names, clock, group="Oak")


def ids(store):
    return {p.name: p.id for p in store.group_members("Oak")}


def named(ledger, by_person):
    return {ledger.names[p]: v for p, v in by_person.items()}


def test_six_months_of_a_crew_worked_by_hand(crew):
    store, _, clock = crew
    rules = load_rules()

    # January: a Feelz check-in, all three there; everyone's first meeting (1 each).
    met(run(crew, "feelz-checkin", ["Ana", "Ben", "Caro"], at(1, 10)))
    # Two weeks later the crew meets again: an extra meeting this month, no points.
    met(run(crew, "reciprocity-3-consistency", ["Ana", "Ben", "Caro"], at(1, 24)))
    # February: Ben is away. Ana and Caro's second (3 each); Ben misses (-5, his count stays at 1).
    met(run(crew, "reciprocity-3-consistency", ["Ana", "Caro"], at(2, 14)))
    # A money round: Ana offers Ben an intro, Ben asks Caro for help (5 + the 1 respect bonus each).
    who = ids(store)
    money = run(crew, "reciprocity-2-money", ["Ana", "Ben", "Caro"], at(2, 20))
    money.record_offer(who["Ana"], who["Ben"], "intro to a funder")
    money.record_ask(who["Ben"], who["Caro"], "help with accounts")
    money.end()
    # March: no meeting. Dee joins.
    clock.t = at(3, 20)
    store.add_members("Oak", store.people_named(["Dee"]), at=clock.now())
    who = ids(store)
    # 00:30 on 1 April in Auckland (31 March in UTC): April's meeting, an appreciation round.
    # Ana and Caro's third (5 each), Ben's second (3), Dee's first (1): a newcomer starts at 1.
    met(run(crew, "feelz-appreciation", ["Ana", "Ben", "Caro", "Dee"], at(4, 1, 0, 30)))
    # A conflict round: Ana and Ben repair theirs (+10 each); Caro and Dee's stays open.
    conflict = run(crew, "reciprocity-4-conflict", ["Ana", "Ben", "Caro", "Dee"], at(4, 18))
    conflict.open_conflict(who["Ana"], who["Ben"], "a missed meeting")
    repaired = conflict.state.records[-1].data["conflict"]
    conflict.open_conflict(who["Caro"], who["Dee"], "the van")
    stuck = conflict.state.records[-1].data["conflict"]
    conflict.resolve_conflict(repaired, [who["Ana"], who["Ben"]], resolved=True)
    conflict.end()
    # May: a reflection started and ended before anyone spoke scores nothing, not even a miss;
    # the practice session a week later counts: Ana and Caro 5, Ben's third 5, Dee's second 3.
    silent = run(crew, "feelz-reflect", ["Ana", "Ben", "Caro"], at(5, 2))
    silent.start()
    silent.end()
    met(run(crew, "practice-session", ["Ana", "Ben", "Caro", "Dee"], at(5, 9)))
    # Caro and Dee close theirs unrepaired (-20 each).
    later = run(crew, "reciprocity-4-conflict", ["Ana", "Ben", "Caro", "Dee"], at(5, 20))
    later.resolve_conflict(stuck, [who["Caro"], who["Dee"]], resolved=False)
    later.end()
    # June: Caro is away (-5); Ana 5, Ben 5, Dee's third 5. Then a listening round, 1 each.
    met(run(crew, "reciprocity-3-consistency", ["Ana", "Ben", "Dee"], at(6, 6)))
    listening = run(crew, "reciprocity-1-listening", ["Ana", "Ben", "Caro", "Dee"], at(6, 20))
    listening.record_listened()
    listening.end()

    ledger = compute(store, rules, TZ)
    totals = named(ledger, ledger.totals())
    # Level 3 by hand:  Ana  1 + 3 + 5 + 5 + 5 = 19
    #                   Ben  1 - 5 + 3 + 5 + 5 =  9
    #                   Caro 1 + 3 + 5 + 5 - 5 =  9
    #                   Dee          1 + 3 + 5 =  9
    assert totals["Ana"] == {1: 1, 2: 6, 3: 19, 4: 10, 5: 0}
    assert totals["Ben"] == {1: 1, 2: 6, 3: 9, 4: 10, 5: 0}
    assert totals["Caro"] == {1: 1, 2: 0, 3: 9, 4: -20, 5: 0}
    assert totals["Dee"] == {1: 1, 2: 0, 3: 9, 4: -20, 5: 0}
    # Ana 1 + 6 + 19 + 10 = 36; Ben 1 + 6 + 9 + 10 = 26; Caro and Dee 1 + 9 - 20 = -10.
    assert {name: sum(levels.values()) for name, levels in totals.items()} == {
        "Ana": 36,
        "Ben": 26,
        "Caro": -10,
        "Dee": -10,
    }

    group = store.group("Oak")["id"]
    held = ledger.meetings[group]
    assert [m.status for m in held] == [COUNTED, EXTRA, COUNTED, COUNTED, SILENT, COUNTED, COUNTED]
    assert [m.nth for m in held if m.status == COUNTED] == [1, 2, 3, 4, 5]
    # April, May and June in a row; March broke the run. Ben missed February, Caro June.
    assert ledger.streak(group, TZ) == 3
    assert named(ledger, ledger.misses(group)) == {"Ben": 1, "Caro": 1}
    rhythm = ledger.rhythm(group, at(6, 25), TZ)
    assert rhythm.months_without == ("2026-03",) and rhythm.met_this_month
    assert rhythm.line(TZ) == "last met 2026-06-06 · this month's meeting: held · no meeting in 2026-03"
    # Into July the meeting is still to come, and June is not yet a month without one.
    assert ledger.rhythm(group, at(7, 2), TZ).line(TZ).endswith("still to come · no meeting in 2026-03")

    # Every total traces to its moments, and the text report says how each meeting went.
    ben = next(p for p, n in ledger.names.items() if n == "Ben")
    assert sum(m.points for m in moments(ledger, group, ben, TZ)) == 26
    assert [(m.date, m.points, m.reason) for m in moments(ledger, group, ben, TZ) if m.level == 3] == [
        ("2026-01-10", 1, "meeting 1"),
        ("2026-01-24", 0, "an extra meeting this month: no points"),
        ("2026-02-14", -5, "missed meeting"),
        ("2026-04-01", 3, "meeting 2"),
        ("2026-05-02", 0, "ended before anyone spoke: no points"),
        ("2026-05-09", 5, "meeting 3"),
        ("2026-06-06", 5, "meeting 4"),
    ]
    text = as_text(report(ledger, store.group("Oak"), TZ, now=at(6, 25)), rules)
    assert "an extra meeting this month: no points" in text
    assert "ended before anyone spoke: no points" in text
    assert "last met 2026-06-06" in text


def test_a_feelz_check_in_for_a_group_is_a_meeting_and_logs_the_miss(crew):
    store, _, _ = crew
    met(run(crew, "feelz-checkin", ["Ana", "Caro"], at(1, 10)))
    ledger = compute(store, load_rules(), TZ)
    assert named(ledger, ledger.totals()) == {
        "Ana": {1: 0, 2: 0, 3: 1, 4: 0, 5: 0},
        "Caro": {1: 0, 2: 0, 3: 1, 4: 0, 5: 0},
        "Ben": {1: 0, 2: 0, 3: -5, 4: 0, 5: 0},
    }


def test_a_protocol_that_is_no_crew_meeting_scores_nothing(crew):
    store, _, _ = crew
    met(run(crew, "reciprocity-1-listening", ["Ana", "Caro"], at(1, 10)))
    assert compute(store, load_rules(), TZ).meetings == {}


def test_three_meetings_in_five_minutes_count_once(crew):
    store, _, _ = crew
    for minute in (0, 2, 4):
        met(run(crew, "reciprocity-3-consistency", ["Ana", "Ben", "Caro"], at(3, 3, 19, minute)))
    ledger = compute(store, load_rules(), TZ)
    group = store.group("Oak")["id"]
    assert {levels[3] for levels in ledger.totals().values()} == {1}
    assert [m.status for m in ledger.meetings[group]] == [COUNTED, EXTRA, EXTRA]
    assert ledger.streak(group, TZ) == 1


def test_a_meeting_ended_before_anyone_spoke_scores_nothing(crew):
    store, _, _ = crew
    silent = run(crew, "feelz-checkin", ["Ana"], at(2, 1))
    silent.start()
    silent.end()
    ledger = compute(store, load_rules(), TZ)
    assert all(v == 0 for levels in ledger.totals().values() for v in levels.values())
    # ... and it does not use up the month: the next one, someone speaking, counts.
    met(run(crew, "feelz-checkin", ["Ana", "Ben", "Caro"], at(2, 8)))
    ledger = compute(store, load_rules(), TZ)
    assert {levels[3] for levels in ledger.totals().values()} == {1}


def test_a_newcomer_earns_1_then_3_then_5(crew):
    store, _, clock = crew
    met(run(crew, "feelz-checkin", ["Ana", "Ben", "Caro"], at(1, 10)))
    met(run(crew, "feelz-checkin", ["Ana", "Ben", "Caro"], at(2, 10)))
    clock.t = at(2, 20)
    store.add_members("Oak", store.people_named(["Dee"]), at=clock.now())
    for month in (3, 4, 5):
        met(run(crew, "feelz-checkin", ["Ana", "Ben", "Caro", "Dee"], at(month, 10)))
    ledger = compute(store, load_rules(), TZ)
    dee = next(p for p, n in ledger.names.items() if n == "Dee")
    assert [m.points for m in moments(ledger, person=dee, tz=TZ)] == [1, 3, 5]
    assert named(ledger, ledger.totals())["Ana"][3] == 1 + 3 + 5 + 5 + 5


def test_a_session_export_carries_its_meeting_and_money_moments(crew):
    store, _, _ = crew
    who = ids(store)
    session = run(crew, "reciprocity-3-consistency", ["Ana", "Ben"], at(1, 10))
    met(session)
    ledger = compute(store, load_rules(), TZ)
    lines = ledger.meeting_lines(session.state.session_id, load_rules())
    assert lines == ["Ana: meeting 1 with Oak  +1", "Ben: meeting 1 with Oak  +1", "Caro: missed the meeting  -5"]
    notes = export(store.events(session.state.session_id), "md", points=tuple(lines))
    assert "Caro: missed the meeting  -5" in notes and "Ana: meeting 1 with Oak  +1" in notes

    money = run(crew, "reciprocity-2-money", ["Ana", "Ben", "Caro"], at(1, 20))
    money.record_offer(who["Ana"], who["Ben"], "intro to a funder")
    money.end()
    notes = export(store.events(money.state.session_id), "md")
    assert "+5, +1 respect bonus" in notes and "intro to a funder" in notes


def test_the_wall_names_who_is_in_conflict_never_what_about(crew):
    store, _, _ = crew
    who = ids(store)
    session = run(crew, "reciprocity-4-conflict", ["Ana", "Ben", "Caro"], at(1, 10))
    session.open_conflict(who["Ben"], who["Caro"], "missed meeting without a word")
    rules = load_rules()
    wall = "\n".join(record_lines(session.state, rules, wall=True))
    assert "Ben & Caro" in wall and "without a word" not in wall
    assert "missed meeting without a word" in export(store.events(session.state.session_id), "md")
