"""Agenda arithmetic: ahead or behind, and rebalancing that ends on time."""

from __future__ import annotations

from pathlib import Path

import pytest

from circle.core.clock import FakeClock
from circle.engine import Person, Session
from circle.engine.agenda import Block, propose, standing
from circle.protocol.loader import LoadError, load_protocol
from circle.protocol.models import planned_step_seconds

FIXTURES = Path(__file__).parent / "fixtures"

MIN = 60


def block(index, planned, floor, status="later"):
    return Block(index, f"b{index}", "open", planned * MIN, floor * MIN, status, 0.0)


def test_proposal_ends_on_time_within_minimums():
    blocks = [block(0, 30, 30, "now"), block(1, 40, 20), block(2, 10, 5), block(3, 20, 15), block(4, 15, 15)]
    proposal = propose(blocks, behind=9 * MIN + 20)  # rounds up to 10 whole minutes
    assert proposal.ends_on_time and proposal.saved == 10 * MIN
    cuts = {i: (blocks[i].planned - length) // MIN for i, length in proposal.lengths.items()}
    assert sum(cuts.values()) == 10
    assert cuts[1] >= cuts[2] and cuts[1] >= cuts[3]  # the most flexible block gives most
    for i, length in proposal.lengths.items():
        assert blocks[i].floor <= length < blocks[i].planned
    assert 0 not in proposal.lengths and 4 not in proposal.lengths  # current and fixed untouched


def test_proposal_says_when_it_cannot_end_on_time():
    blocks = [block(0, 30, 30, "now"), block(1, 10, 5), block(2, 20, 20)]
    proposal = propose(blocks, behind=12 * MIN)
    assert not proposal.ends_on_time
    assert proposal.lengths == {1: 5 * MIN}
    assert proposal.shortfall == 7 * MIN


def test_no_proposal_when_on_time_or_nothing_can_give():
    blocks = [block(0, 30, 30, "now"), block(1, 10, 5)]
    assert propose(blocks, behind=45) is None
    assert propose(blocks, behind=-300) is None
    fixed = [block(0, 30, 30, "now"), block(1, 10, 10)]
    assert propose(fixed, behind=5 * MIN).shortfall == 5 * MIN


def test_running_late_then_accepting_the_proposal_ends_on_time():
    clock = FakeClock()
    protocol = load_protocol(FIXTURES / "evening-agenda.yaml")
    session = Session.create(protocol, [Person("a", "Ana"), Person("b", "Ben")], clock)
    start = clock.now()
    session.start()
    clock.advance(40 * MIN)  # the meal runs ten minutes long
    now = standing(session.state, clock.now())
    assert now.planned_end == start + 100 * MIN
    assert now.behind == pytest.approx(10 * MIN)
    assert [b.status for b in now.blocks] == ["now", "next", "later", "later"]

    session.next()
    session.start()
    proposal = propose(standing(session.state, clock.now()).blocks, standing(session.state, clock.now()).behind)
    assert proposal.ends_on_time and 0 not in proposal.lengths
    session.adjust_plan(proposal.lengths)
    after = standing(session.state, clock.now())
    assert after.behind == pytest.approx(0)
    assert after.projected_end == pytest.approx(start + 100 * MIN)
    # The conversation now runs to its new length.
    assert session.state.current.allotted == proposal.lengths.get(1, 40 * MIN)


def test_an_agenda_that_cannot_fit_its_fixed_blocks(tmp_path):
    path = tmp_path / "tight.yaml"
    path.write_text((FIXTURES / "evening-agenda.yaml").read_text().replace("length: 1h40m", "length: 1h"))
    with pytest.raises(LoadError) as caught:
        load_protocol(path)
    (problem,) = caught.value.problems
    assert "need at least 70 min even at their minimums, but the agenda has 60 min" in problem.message
    assert (problem.line, problem.col) == (4, 1)  # the length key


def test_bundled_agendas_plan_exactly_their_length_and_name_known_methods():
    from circle.core.resources import bundled_dir
    from circle.protocol.methods import load_methods, method_problems

    methods = load_methods()
    agendas = []
    for path in sorted(bundled_dir("protocols").glob("*.yaml")):
        protocol = load_protocol(path)
        assert method_problems(path, methods) == []
        if protocol.layout == "agenda":
            agendas.append(protocol.id)
            for day in protocol.days:  # each day (or the one day) plans exactly its length
                planned = sum(
                    planned_step_seconds(s, protocol.group_size.min) for s in protocol.steps[day.first : day.end]
                )
                assert planned == day.length, (protocol.id, day.title)
    assert {
        "collaboratory-friendly",
        "collaboratory-inquiry",
        "collaboratory-inquiry-weekend",
        "collaboratory-action",
        "dreaming-gathering",
    } <= set(agendas)


# -- the standing follows every change of a block's length (issue 12, item 1) ---------------------

FRIENDLY_ROOM = [Person(f"p{n}", f"P{n}") for n in range(8)]


def friendly(clock):
    from circle.protocol.loader import load_library

    protocol = load_library().get("collaboratory-friendly")  # 40m meal (min 30m), 2h30m in all
    session = Session.create(protocol, FRIENDLY_ROOM, clock)
    session.start()
    return session


def test_more_time_for_a_block_puts_the_agenda_behind_and_offers_a_rebalance(clock):
    """+ sixteen times on the meal used to leave the header at "on time"."""
    from circle.engine.agenda import proposal_for

    session = friendly(clock)
    clock.advance(5 * MIN)
    for _ in range(16):
        session.adjust(+30)
    where = standing(session.state, clock.now())
    assert where.behind == 8 * MIN and where.minutes == 8
    assert where.projected_end == where.planned_end + 8 * MIN
    proposal = proposal_for(where)
    assert proposal is not None and proposal.ends_on_time and proposal.saved == 8 * MIN


def test_less_time_for_a_block_puts_the_agenda_ahead_and_overtime_eats_into_it(clock):
    session = friendly(clock)
    clock.advance(5 * MIN)
    for _ in range(20):
        session.adjust(-30)  # the meal is now 30 minutes
    assert standing(session.state, clock.now()).minutes == -10
    clock.advance(28 * MIN)  # three minutes into its overtime: only the overtime counts against the plan
    where = standing(session.state, clock.now())
    assert session.state.phase(clock.now()) == "overtime"
    assert where.behind == -7 * MIN and proposal_for_none(where)


def proposal_for_none(where) -> bool:
    from circle.engine.agenda import proposal_for

    return proposal_for(where) is None


def test_skipping_a_block_and_bringing_it_back_moves_the_projection_both_ways(clock):
    session = friendly(clock)
    clock.advance(10 * MIN)
    session.next()  # the meal ends 30 minutes early
    assert standing(session.state, clock.now()).minutes == -30
    session.start()
    clock.advance(MIN)
    session.skip_step()  # nine minutes of names left unused
    assert standing(session.state, clock.now()).minutes == -39
    session.back()  # back where it stopped
    where = standing(session.state, clock.now())
    assert where.minutes == -30 and where.blocks[1].status == "now" and where.blocks[1].actual == MIN


def test_people_arriving_in_a_round_add_their_turns_to_the_projection(clock):
    protocol = load_protocol(FIXTURES / "six-hour-agenda.yaml")  # opens with a round of 2m turns
    session = Session.create(protocol, [Person(f"p{n}", f"P{n}") for n in range(8)], clock)
    session.start()
    clock.advance(30)
    for name in ("Lou", "Max", "Noor"):
        session.add_person(name)
    # Three more 2m turns now, three more 3m turns in the closing round, and the pairs (an odd
    # room: a trio) take a third turn of 6m.
    assert standing(session.state, clock.now()).behind == (3 * 2 + 3 * 3 + 6) * MIN
    session.remove_person(session.state.present[-1])
    assert standing(session.state, clock.now()).behind == (2 * 2 + 2 * 3) * MIN


def test_right_after_accepting_a_rebalance_the_agenda_is_on_time(clock):
    """The proposal cuts whole minutes, so it wins back up to a minute more than needed; the header
    used to round that to "1 min ahead"."""
    from circle.engine.agenda import proposal_for

    session = friendly(clock)
    clock.advance(49 * MIN + 20)  # 9m 20s over
    where = standing(session.state, clock.now())
    assert where.minutes == 9
    proposal = proposal_for(where)
    assert proposal.saved == 10 * MIN
    session.adjust_plan(proposal.lengths, where.behind)
    after = standing(session.state, clock.now())
    assert after.behind == -40 and after.minutes == 0  # "on time", not "1 min ahead"
    assert proposal_for(after) is None


# -- agendas over more than one day (issue 12, item 3) ----------------------------------------------


def two_days(tmp_path):
    from circle.protocol.loader import load_library

    return load_library().get("dreaming-gathering")  # two days of 6h


def run_the_day(session, clock) -> None:
    """Every block of the day to its planned length, then the facilitator closes the laptop."""
    day = session.state.protocol.day_of(session.state.run.index)
    while session.state.protocol.day_of(session.state.run.index) == day and session.state.current is not None:
        session.start()
        clock.advance(session.state.remaining(clock.now()))
        session.next()
    session.pause()


def test_the_night_between_two_days_is_not_behind(tmp_path, store):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from circle.engine.agenda import proposal_for
    from circle.sessions import open_session, resume_session, start_session

    friday = datetime(2026, 10, 23, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()
    clock = FakeClock(friday)
    protocol = two_days(tmp_path)
    session = start_session(store, protocol, [f"P{n}" for n in range(12)], clock)
    run_the_day(session, clock)
    where = standing(session.state, clock.now())
    assert clock.now() == friday + 6 * 3600
    assert where.day == 1 and where.today.title == "Day 2" and where.projected_end is None
    assert [b.status for b in where.blocks[:6]] == ["done"] * 6

    clock.advance(18 * 3600)  # Saturday, 09:00
    row = store.session(session.state.session_id)
    resumed = resume_session(store, row, clock)
    morning = standing(resumed.state, clock.now())
    assert morning.behind == 0 and proposal_for(morning) is None  # the night is not 18 hours behind
    assert resumed.state.run.index == 6 and resumed.state.current.spent == 0
    resumed.start()
    clock.advance(35 * 60)  # the check-in runs 15 minutes long
    where = standing(resumed.state, clock.now())
    assert where.planned_end == clock.now() - 35 * 60 + 6 * 3600
    assert where.minutes == 15
    proposal = proposal_for(where)
    assert proposal.ends_on_time and min(proposal.lengths) > 6  # only day 2's blocks, and not the one under way
    # Day 1 is as it was: what reopening it from the store on day 2 shows.
    again = open_session(store, session.state.session_id, clock)
    assert [b.actual for b in standing(again.state, clock.now()).blocks[:6]] == [b.actual for b in where.blocks[:6]]


def test_days_that_cannot_hold_their_blocks_are_refused_where_they_say_so(tmp_path):
    path = tmp_path / "weekend.yaml"
    path.write_text(
        "id: weekend\ntitle: Weekend\nlayout: agenda\nsteps:\n"
        "  - kind: open\n    title: Talk\n    duration: 3h\n    day: {title: Saturday, length: 4h}\n"
        "  - kind: meal\n    title: Lunch\n    duration: 2h\n    fixed: true\n"
        "    day:\n      title: Sunday\n      length: 1h\n"
    )
    with pytest.raises(LoadError) as caught:
        load_protocol(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.col) == (15, 7)  # Sunday's length
    assert "Sunday needs at least 120 min" in problem.message and "the day has 60 min" in problem.message


def test_a_later_day_needs_the_first_block_to_open_the_first(tmp_path):
    path = tmp_path / "weekend.yaml"
    path.write_text(
        "id: weekend\ntitle: Weekend\nlayout: agenda\nsteps:\n"
        "  - kind: open\n    title: Talk\n    duration: 3h\n"
        "  - kind: open\n    title: More\n    duration: 3h\n    day: {title: Sunday, length: 4h}\n"
    )
    with pytest.raises(LoadError) as caught:
        load_protocol(path)
    assert "the first block opens the first day" in str(caught.value)
