"""Agenda arithmetic: ahead or behind, and rebalancing that ends on time."""

from __future__ import annotations

from pathlib import Path

import pytest

from circle.agenda import Block, propose, standing
from circle.clock import FakeClock
from circle.engine import Person, Session
from circle.loader import LoadError, load_protocol

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
    from circle.methods import load_methods, method_problems
    from circle.resources import bundled_dir

    methods = load_methods()
    agendas = []
    for path in sorted(bundled_dir("protocols").glob("*.yaml")):
        protocol = load_protocol(path)
        assert method_problems(path, methods) == []
        if protocol.layout == "agenda":
            agendas.append(protocol.id)
            assert protocol.planned_seconds(protocol.group_size.min) == protocol.length, protocol.id
    assert {"collaboratory-friendly", "collaboratory-inquiry", "collaboratory-action", "dreaming-gathering"} <= set(
        agendas
    )
