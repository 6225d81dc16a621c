"""Breakout steps in the engine: groups mixed for several rounds, reshuffled, mended, replayed."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from circle.core.clock import FakeClock
from circle.engine import CommandRejected, Person, Session, fold, met_in
from circle.mixer import count_repeats
from circle.protocol.loader import load_protocol

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = [f"P{n:02d}" for n in range(12)]


@pytest.fixture
def protocol():
    return load_protocol(FIXTURES / "breakouts.yaml")


def start(protocol, clock, names=NAMES, history=None, group=None):
    log: list = []
    people = [Person(name.lower(), name) for name in names]
    session = Session.create(
        protocol, people, clock, sink=log.extend, rng=random.Random(3), group=group, group_history=history
    )
    return session, log


def to_tables(session, clock, under_way: float | None = None):
    """Through both pairs rounds into the first round of tables of four (``under_way`` seconds in)."""
    for _ in range(2):
        session.start()
        clock.advance(180)
        session.next()
    if under_way is not None:
        session.start()
        clock.advance(under_way)
    return session.state.run


def everyone_once(rounds, people):
    return all(sorted(p for g in groups for p in g) == sorted(people) for groups in rounds)


def test_a_breakout_mixes_the_room_for_every_round_with_no_repeats(protocol):
    clock = FakeClock()
    session, _ = start(protocol, clock)
    run = session.state.run
    assert [s.label for s in run.slots] == ["Round 1 of 2", "Round 2 of 2"]
    assert all(len(g) == 2 for groups in run.rounds for g in groups)
    assert run.repeats == 0
    run = to_tables(session, clock)
    ids = [n.lower() for n in NAMES]
    assert [s.label for s in run.slots] == ["Round 1 of 2", "Round 2 of 2"]
    assert everyone_once(run.rounds, ids)
    assert all(len(g) == 4 for groups in run.rounds for g in groups)
    # The pairs before count as having met: as few meet again as any plan could manage.
    assert run.repeats == count_repeats(run.rounds, met_in(session.state, before=run.index))
    assert run.repeats == run.fewest
    assert session.state.remaining(clock.now()) == 600  # each round has its own 10 minutes


def test_groups_are_part_of_the_log_and_replay_exactly(protocol):
    clock = FakeClock()
    session, log = start(protocol, clock)
    to_tables(session, clock)
    session.reshuffle()
    replayed = fold(log)
    assert replayed.run.rounds == session.state.run.rounds
    assert met_in(replayed) == met_in(session.state)


def test_reshuffle_mixes_from_this_round_on_and_keeps_what_was(protocol):
    clock = FakeClock()
    session, log = start(protocol, clock)
    run = to_tables(session, clock, under_way=300)
    session.next()  # round 1 of the tables done
    before = [list(map(list, groups)) for groups in run.rounds]
    session.reshuffle()
    assert log[-1].kind == "groups_set" and log[-1].data["from_round"] == 1
    assert run.rounds[0] == before[0]
    assert run.rounds[1:] != before[1:]
    assert everyone_once(run.rounds, [n.lower() for n in NAMES])
    assert run.repeats == count_repeats(run.rounds, met_in(session.state, before=run.index))


def test_move_one_person_and_the_refusals_change_nothing(protocol):
    clock = FakeClock()
    session, log = start(protocol, clock)
    run = to_tables(session, clock)
    first = run.rounds[0]
    who = first[0][0]
    session.move_person(who, 1)
    assert who in run.rounds[0][1] and who not in run.rounds[0][0]
    assert [len(g) for g in run.rounds[0]] == [3, 5, 4]
    count = len(log)
    with pytest.raises(CommandRejected, match="already in group 2"):
        session.move_person(who, 1)
    with pytest.raises(CommandRejected, match="no group 9"):
        session.move_person(who, 8)
    with pytest.raises(CommandRejected, match="not in the room|not in a group"):
        session.move_person("nobody", 0)
    assert len(log) == count  # nothing was recorded


def test_a_pair_cannot_be_split_into_someone_alone(protocol):
    clock = FakeClock()
    session, _ = start(protocol, clock)
    pair = session.state.run.rounds[0][0]
    with pytest.raises(CommandRejected, match="on their own"):
        session.move_person(pair[0], 1)


def test_someone_leaving_mid_round_keeps_the_tables_and_regroups_the_later_rounds(protocol):
    clock = FakeClock()
    session, log = start(protocol, clock)
    run = to_tables(session, clock, under_way=60)
    table = [list(g) for g in run.rounds[0]]
    leaving = table[0][0]
    session.remove_person(leaving)
    assert [e.kind for e in log[-2:]] == ["person_removed", "groups_set"]
    assert run.rounds[0][0] == table[0][1:]  # the rest of that table stays put
    assert run.rounds[0][1:] == table[1:]
    here = [p for p in (n.lower() for n in NAMES) if p != leaving]
    assert everyone_once(run.rounds, here)
    assert session.state.running  # the round's clock did not stop


def test_someone_leaving_a_pair_joins_the_smallest_other_group_and_numbers_stay(protocol):
    clock = FakeClock()
    session, _ = start(protocol, clock, names=NAMES[:6])
    session.start()
    clock.advance(30)
    before = [list(g) for g in session.state.run.rounds[0]]
    session.remove_person(before[0][0])
    groups = session.state.run.rounds[0]
    # Pair 1 is gone, and pairs 2 and 3 are still pairs 2 and 3 (people were told their number).
    assert groups[0] == [] and sorted(len(g) for g in groups[1:]) == [2, 3]
    assert before[0][1] in next(g for g in groups if len(g) == 3)
    assert all(set(old) <= set(new) for old, new in zip(before[1:], groups[1:], strict=True))


def test_numbers_on_the_wall_stay_when_a_group_empties(protocol):
    from circle.views.live import live_view

    clock = FakeClock()
    session, _ = start(protocol, clock, names=NAMES[:6])
    session.start()
    clock.advance(30)
    shown = dict(live_view(session.state, clock.now()).cards)
    third = shown["Pair 3"]
    session.remove_person(session.state.run.rounds[0][0][0])
    cards = dict(live_view(session.state, clock.now()).cards)
    assert "Pair 1" not in cards and cards["Pair 3"] == third  # the one left alone joined pair 2


def test_before_a_round_begins_a_latecomer_joins_the_smallest_group(protocol):
    """A latecomer used to remix every table of a round not yet begun; the tables were on the wall."""
    clock = FakeClock()
    session, _ = start(protocol, clock)
    run = to_tables(session, clock)  # round 1 of the tables is ready, not started
    tables = [list(g) for g in run.rounds[0]]
    session.add_person("Late Lou")
    lou = session.state.present[-1]
    smallest = tables.index(min(tables, key=len))
    assert run.rounds[0][smallest] == [*tables[smallest], lou]
    others = [g for i, g in enumerate(tables) if i != smallest]
    assert [g for i, g in enumerate(run.rounds[0]) if i != smallest] == others  # every other table as it was
    assert everyone_once(run.rounds, [*(n.lower() for n in NAMES), lou])  # later rounds seat them too


def test_a_late_arrival_mid_round_joins_the_smallest_group(protocol):
    clock = FakeClock()
    session, _ = start(protocol, clock, names=NAMES[:10])  # tables of 4, 3, 3
    run = to_tables(session, clock, under_way=10)
    assert sorted(len(g) for g in run.rounds[0]) == [3, 3, 4]
    session.add_person("Late Lou")
    lou = session.state.present[-1]
    assert sorted(len(g) for g in run.rounds[0]) == [3, 4, 4]
    assert any(lou in g and len(g) == 4 for g in run.rounds[0])
    assert all(any(lou in g for g in groups) for groups in run.rounds)


def test_in_pairs_two_people_swap_places(protocol):
    clock = FakeClock()
    session, log = start(protocol, clock)
    pairs = [list(g) for g in session.state.run.rounds[0]]
    a, b = pairs[0][0], pairs[2][1]
    session.swap_people(a, b)
    assert log[-1].kind == "groups_set" and log[-1].data["reason"] == "swapped"
    now = session.state.run.rounds[0]
    assert now[0] == [b, pairs[0][1]] and now[2] == [pairs[2][0], a]
    assert now[1] == pairs[1]
    with pytest.raises(CommandRejected, match="already together"):
        session.swap_people(now[1][0], now[1][1])
    assert fold(log).run.rounds == session.state.run.rounds


def test_arrivals_and_departures_in_the_last_round_keep_its_tables(protocol):
    """Found by the crash fuzz: with no rounds left to mix, this used to raise (the app died)."""
    clock = FakeClock()
    session, log = start(protocol, clock)
    run = to_tables(session, clock)
    session.start()
    clock.advance(600)
    session.next()  # the last round of tables is under way
    session.start()
    clock.advance(60)
    tables = [list(g) for g in run.rounds[1]]
    session.add_person("Late Lou")
    lou = session.state.present[-1]
    assert [e.kind for e in log[-2:]] == ["person_added", "groups_set"]
    assert any(lou in g for g in run.rounds[1])
    leaving = tables[0][0]
    session.remove_person(leaving)
    assert [e.kind for e in log[-2:]] == ["person_removed", "groups_set"]
    assert all(leaving not in g for g in run.rounds[1])
    assert run.rounds[0] == [list(g) for g in fold(log).run.rounds[0]]  # the first round is as it was
    here = sorted(p for g in run.rounds[1] for p in g)
    assert here == sorted(session.state.present)
    assert session.state.running  # the round's clock did not stop


def test_earlier_sessions_of_the_group_count_as_having_met(protocol):
    """Eight people: four pairs in an earlier session. Tonight's pairs avoid all of those."""
    clock = FakeClock()
    people = [n.lower() for n in NAMES[:8]]
    earlier = [[people[i : i + 2] for i in range(0, 8, 2)]]
    group = {"id": "g1", "name": "Crew"}
    session, _ = start(protocol, clock, names=NAMES[:8], history=lambda: earlier, group=group)
    rounds = session.state.run.rounds
    met_before = {frozenset(p) for p in earlier[0]}
    assert not any(frozenset(pair) in met_before for groups in rounds for pair in groups)
    assert session.state.run.repeats == 0


def test_too_few_people_for_a_group_sit_together(protocol):
    clock = FakeClock()
    session, _ = start(protocol, clock, names=NAMES[:3])
    to_tables(session, clock)
    assert session.state.run.rounds == [[["p00", "p01", "p02"]]] * 2


def test_reshuffle_outside_a_breakout_is_refused(protocol):
    clock = FakeClock()
    session, _ = start(protocol, clock)
    session.skip_step()
    session.skip_step()
    with pytest.raises(CommandRejected, match="breakout"):
        session.reshuffle()


def test_a_groups_next_session_remembers_who_met_in_the_last(tmp_path, protocol):
    """Run for a saved group, the second evening's pairs avoid everyone the first evening paired."""
    from circle.sessions import open_session, start_session
    from circle.store import Store

    store = Store(tmp_path / "circle.db")
    store.create_group("Crew", store.people_named(NAMES[:8]), at=0)
    clock = FakeClock()
    first = start_session(store, protocol, NAMES[:8], clock, rng=random.Random(1), group="Crew")
    for _ in range(2):  # both rounds of pairs
        first.start()
        clock.advance(180)
        first.next()
    first.end()
    met = {frozenset(pair) for groups in met_in(first.state) for pair in groups}
    assert len(met) == 8

    second = start_session(store, protocol, NAMES[:8], clock, rng=random.Random(2), group="Crew")
    pairs = {frozenset(pair) for groups in second.state.run.rounds for pair in groups}
    assert not pairs & met
    # Reopened (after a crash, say), the session still remembers the group's history.
    again = open_session(store, second.state.session_id, clock)
    again.reshuffle()
    assert not {frozenset(p) for groups in again.state.run.rounds for p in groups} & met


def test_the_wall_says_when_the_room_is_too_small_to_split(protocol):
    from circle.views.live import live_view

    clock = FakeClock()
    session, _ = start(protocol, clock, names=NAMES[:3])
    run = to_tables(session, clock)
    view = live_view(session.state, clock.now())
    assert view.cards == [("Group 1", ("P00", "P01", "P02"))]
    assert "3 here, not enough for two groups" in view.next_line
    assert run.repeats == run.fewest  # they cannot help meeting again


def test_the_wall_says_the_fewest_possible_only_when_proven():
    from circle.views.live import repeats_line

    assert repeats_line(0, 0) == "no one meets anyone twice"
    assert repeats_line(2, 2) == "2 repeat meetings (the fewest possible)"
    assert repeats_line(3, 1) == "3 repeat meetings (at least 1 is unavoidable)"
    assert repeats_line(5, 2) == "5 repeat meetings (at least 2 are unavoidable)"
    assert repeats_line(1, 0) == "1 pair meets again"


def test_someone_leaving_between_rounds_keeps_a_plan_with_no_repeats(tmp_path):
    """25 in fives for 6 rounds meet no one twice; one leaving after round 2 need not change that."""
    path = tmp_path / "fives.yaml"
    path.write_text(
        "id: fives\ntitle: Fives\ngroup_size: {min: 2}\nsteps:\n"
        "  - kind: groups\n    title: Fives\n    size: 5\n    rounds: 6\n    duration: 3m\n"
    )
    clock = FakeClock()
    names = [f"P{n:02d}" for n in range(25)]
    session, _ = start(load_protocol(path), clock, names=names)
    run = session.state.run
    assert count_repeats(run.rounds) == 0
    for _ in range(2):
        session.start()
        clock.advance(180)
        session.next()
    leaving = run.rounds[2][0][0]
    session.remove_person(leaving)
    run = session.state.run
    assert everyone_once(run.rounds[2:], [n.lower() for n in names if n.lower() != leaving])
    assert count_repeats(run.rounds) == 0
    assert run.repeats == 0
