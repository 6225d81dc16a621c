"""Golden scenarios for the Reciprocity Game ledger, worked out by hand from the rules."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circle.core.clock import FakeClock
from circle.core.resources import bundled_dir
from circle.engine import CommandRejected
from circle.games.reciprocity.ledger import MonthFinder, compute, json_ids, sparkline
from circle.games.reciprocity.scoring import load_rules
from circle.protocol.loader import load_library
from circle.sessions import start_session
from circle.store import Store

CREW = ["Ana", "Ben", "Caro", "Dee"]


def at(month: int, day: int = 15) -> float:
    return datetime(2026, month, day, 19, 0, tzinfo=UTC).timestamp()


@pytest.fixture
def world(tmp_path):
    store = Store(tmp_path / "circle.db")
    library = load_library(dirs=[bundled_dir("protocols")])
    clock = FakeClock(at(1, 1))
    people = store.people_named(CREW)
    store.create_group("Tuesday crew", people, at=clock.now())
    ids = {p.name: p.id for p in people}
    return store, library, clock, ids


def run(store, library, clock, protocol_id, names, when, group="Tuesday crew"):
    clock.t = when
    return start_session(store, library.get(protocol_id), names, clock, group=group)


def met(session):
    """Someone speaks, then the meeting ends: a meeting that counts."""
    session.start()
    session.next()
    session.end()


def test_crew_of_four_over_five_months(world):
    store, library, clock, ids = world
    # Five monthly meetings; Dee misses the third.
    for month in range(1, 6):
        names = [n for n in CREW if not (month == 3 and n == "Dee")]
        met(run(store, library, clock, "reciprocity-3-consistency", names, at(month)))

    # February: a money session with two offers and one ask, and one mistake undone.
    money = run(store, library, clock, "reciprocity-2-money", CREW, at(2, 20))
    money.record_offer(ids["Ana"], ids["Ben"], "intro to a funder")
    money.record_offer(ids["Caro"], ids["Ben"], "design review")
    money.record_ask(ids["Ben"], ids["Dee"], "help with accounts")
    money.record_offer(ids["Dee"], ids["Ana"], "typed by mistake")
    money.undo_record()
    money.end()

    # March: two conflicts named; one repaired then, the other only closed in April.
    conflict = run(store, library, clock, "reciprocity-4-conflict", CREW, at(3, 20))
    conflict.open_conflict(ids["Ana"], ids["Ben"], "missed deadline")
    repaired = conflict.state.records[-1].data["conflict"]
    conflict.open_conflict(ids["Caro"], ids["Dee"], "the van")
    stuck = conflict.state.records[-1].data["conflict"]
    conflict.resolve_conflict(repaired, [ids["Ana"], ids["Ben"]], resolved=True)
    conflict.end()
    assert [c.id for c in compute(store, load_rules()).open_conflicts()] == [stuck]

    later = run(store, library, clock, "reciprocity-4-conflict", CREW, at(4, 20))
    later.resolve_conflict(stuck, [ids["Caro"], ids["Dee"]], resolved=False)
    later.end()

    # A listening round in May, everyone present.
    listening = run(store, library, clock, "reciprocity-1-listening", CREW, at(5, 20))
    listening.record_listened()
    listening.end()

    ledger = compute(store, load_rules())
    totals = {ledger.names[p]: levels for p, levels in ledger.totals().items()}
    # Meetings: 1 + 3 + 5 + 5 + 5 = 19 each; Dee 1 + 3 - 5 + 5 + 5 = 9.
    # Money: an offer or an ask is 5, plus the 1-point respect bonus.
    # Conflict: +10 each when repaired, -20 each when not. Listening: 1 each.
    assert totals["Ana"] == {1: 1, 2: 6, 3: 19, 4: 10, 5: 0}
    assert totals["Ben"] == {1: 1, 2: 6, 3: 19, 4: 10, 5: 0}
    assert totals["Caro"] == {1: 1, 2: 6, 3: 19, 4: -20, 5: 0}
    assert totals["Dee"] == {1: 1, 2: 0, 3: 9, 4: -20, 5: 0}
    assert {name: sum(levels.values()) for name, levels in totals.items()} == {
        "Ana": 36,
        "Ben": 36,
        "Caro": 6,
        "Dee": -10,
    }

    group = store.group("Tuesday crew")["id"]
    assert ledger.streak(group) == 5
    assert {ledger.names[p]: n for p, n in ledger.misses(group).items()} == {"Dee": 1}
    assert [m.nth for m in ledger.meetings[group]] == [1, 2, 3, 4, 5]
    assert ledger.open_conflicts() == []
    # By month, Ana: Jan 1; Feb 3 + 6; Mar 5 + 10; Apr 5; May 5 + 1.
    ana = ids["Ana"]
    assert ledger.by_month(person=ana) == {"2026-01": 1, "2026-02": 9, "2026-03": 15, "2026-04": 5, "2026-05": 6}


def test_co_owners_and_points_only_during_a_session(world):
    store, library, clock, ids = world
    session = run(store, library, clock, "reciprocity-5-co-owners", ["Ana", "Ben", "Caro"], at(6))
    session.record_co_owners([ids["Ana"], ids["Ben"]], "bakery co-op")
    with pytest.raises(CommandRejected, match="not in the room"):
        session.record_co_owners([ids["Ana"], ids["Dee"]])
    session.end()
    with pytest.raises(CommandRejected, match="has ended"):
        session.record_offer(ids["Ana"], ids["Ben"])
    totals = compute(store, load_rules()).totals()
    assert totals[ids["Ana"]][5] == 100 and totals[ids["Ben"]][5] == 100
    assert ids["Caro"] not in totals


def conflict_closed(world, when: float, resolved: bool):
    """A level-4 session in which Ana and Ben name a conflict and close it; the session and its id."""
    store, library, clock, ids = world
    session = run(store, library, clock, "reciprocity-4-conflict", ["Ana", "Ben"], when)
    session.open_conflict(ids["Ana"], ids["Ben"], "noise")
    conflict = session.state.records[-1].data["conflict"]
    session.resolve_conflict(conflict, [ids["Ana"], ids["Ben"]], resolved=resolved)
    return session, conflict


def test_a_conflict_cannot_be_resolved_twice(world):
    store, library, clock, ids = world
    session, conflict = conflict_closed(world, at(7), resolved=True)
    with pytest.raises(CommandRejected, match="already been resolved"):
        session.resolve_conflict(conflict, [ids["Ana"], ids["Ben"]], resolved=False)
    assert compute(store, load_rules()).totals()[ids["Ana"]][4] == 10


def test_rules_are_data(world, tmp_path):
    store, library, clock, ids = world
    rules_file = tmp_path / "rules.yaml"
    text = (bundled_dir("data") / "reciprocity.yaml").read_text().replace("listened: 1 ", "listened: 2 ")
    rules_file.write_text(text)
    session = run(store, library, clock, "reciprocity-1-listening", CREW, at(8))
    session.record_listened()
    assert compute(store, load_rules(rules_file)).totals()[ids["Dee"]][1] == 2


def test_sparkline():
    assert sparkline([0, 5, 10]) == "▁▅█"
    assert sparkline([]) == ""
    assert sparkline([3, 3]) == "▄▄"


def test_an_undone_resolution_leaves_the_conflict_open_and_scores_nothing(world):
    store, library, clock, ids = world
    session, conflict = conflict_closed(world, at(9), resolved=False)
    session.undo_record()  # the resolution was pressed by mistake
    ledger = compute(store, load_rules())
    assert [c.id for c in ledger.open_conflicts()] == [conflict]
    assert ids["Ana"] not in ledger.totals()


ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe"]


@given(
    # moments to the microsecond, the resolution datetime shows them at
    moments=st.lists(
        st.integers(946_684_800 * 10**6, 2_524_608_000 * 10**6).map(lambda us: us / 10**6), min_size=1, max_size=40
    ),
    zone=st.sampled_from(ZONES),
)
def test_the_month_of_a_moment_is_its_calendar_month_in_the_zone(moments, zone):
    """The quick month lookup agrees with the calendar, across DST and half- and quarter-hour zones."""
    tz = ZoneInfo(zone)
    find = MonthFinder(min(moments), max(moments), tz)
    for moment in moments:
        assert find(moment) == datetime.fromtimestamp(moment, tz).strftime("%Y-%m")


def test_month_boundaries_fall_at_local_midnight():
    tz = ZoneInfo("America/New_York")
    midnight = datetime(2026, 3, 1, tzinfo=tz).timestamp()
    find = MonthFinder(midnight - 10, midnight + 10, tz)
    assert (find(midnight - 1), find(midnight)) == ("2026-02", "2026-03")


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        (None, []),
        ("[]", []),
        ('["a1","b2"]', ["a1", "b2"]),
        ('["with \\"quote\\"","b"]', ['with "quote"', "b"]),  # escapes: read as JSON
        ("[1,2]", ["1", "2"]),
    ],
)
def test_ids_as_sqlite_gives_them(text, ids):
    assert json_ids(text) == ids


def test_summary_adds_up_exactly_what_the_entries_say(world):
    """totals and months are summed per moment for speed; they must equal the sums of the entries."""
    store, library, clock, ids = world
    test_crew_of_four_over_five_months(world)  # every kind of moment, an undo and a late resolution
    session = run(store, library, clock, "reciprocity-5-co-owners", CREW, at(6))
    session.record_co_owners([ids["Ana"], ids["Dee"]], "the bakery")
    session.end()
    ledger = compute(store, load_rules())
    group = store.group("Tuesday crew")["id"]
    tz = ZoneInfo("Asia/Kolkata")
    for group_id in (None, group):
        levels: dict = {}
        months: dict = {}
        for person, points, level, _, moment, _, _ in ledger.iter_entries(group_id):
            levels.setdefault(person, dict.fromkeys(range(1, 6), 0))[level] += points
            month = datetime.fromtimestamp(moment, tz).strftime("%Y-%m")
            months.setdefault(person, {}).setdefault(month, 0)
            months[person][month] += points
        assert ledger.summary(group_id, tz) == (levels, months)
