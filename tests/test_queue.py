"""The speaking queue, with a fake clock: hands, order, responses, calls, pass, back, overtime."""

from pathlib import Path

import pytest

from circle.core.clock import FakeClock
from circle.engine import CommandRejected, Person, Session, fold
from circle.protocol.loader import load_protocol
from circle.views.report import build

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = ("Ana", "Ben", "Caro", "Dee")


def queue_step(clock, *, step=1, spoken=(60, 0, 0, 0)):
    """A session at its queue step (``step``: 1 progressive, 2 arrival), after a round where each
    spoke the seconds in ``spoken``."""
    protocol = load_protocol(FIXTURES / "round-queue.yaml")
    log = []
    people = [Person(n.lower(), n) for n in NAMES]
    session = Session.create(protocol, people, clock, sink=log.extend)
    session.start()
    for seconds in spoken:
        clock.advance(seconds)
        session.next()
    assert session.state.run.index == 1
    if step == 2:
        session.next()  # the first queue block ends: nobody raised a hand
    session.start()
    return session, log


def waiting(session):
    return [(h.person, h.respond) for h in session.state.queue.waiting()]


def speaking(session):
    turn = session.state.queue.speaking
    return turn.person if turn else None


def test_arrival_calls_hands_in_the_order_they_went_up():
    clock = FakeClock(1000.0)
    s, _ = queue_step(clock, step=2)
    for p in ("caro", "ana", "ben"):
        s.raise_hand(p)
        clock.advance(1)
    assert waiting(s) == [("caro", False), ("ana", False), ("ben", False)]
    s.next()
    assert speaking(s) == "caro" and s.state.queue.place("ana") == 1


def test_progressive_puts_who_has_spoken_least_first_ties_by_arrival():
    clock = FakeClock(1000.0)
    s, _ = queue_step(clock, spoken=(60, 0, 30, 0))  # Ana spoke 60 s, Caro 30 s, Ben and Dee nothing
    for p in ("ana", "caro", "ben", "dee"):
        s.raise_hand(p)
    assert [p for p, _ in waiting(s)] == ["ben", "dee", "caro", "ana"]
    # A turn in the queue counts as speaking: Ben, having spoken 90 s now, goes after Ana (60 s).
    s.next()
    clock.advance(90)
    s.next()  # Dee now
    s.raise_hand("ben")
    assert [p for p, _ in waiting(s)] == ["caro", "ana", "ben"]


def test_a_direct_response_goes_first_one_at_a_time():
    clock = FakeClock(1000.0)
    s, _ = queue_step(clock, step=2)
    s.raise_hand("ana")
    s.raise_hand("ben")
    s.next()  # Ana speaks
    s.raise_hand("dee", respond=True)
    with pytest.raises(CommandRejected, match="Dee's response is waiting"):
        s.raise_hand("caro", respond=True)
    assert waiting(s) == [("dee", True), ("ben", False)]
    s.next()
    assert speaking(s) == "dee" and s.state.queue.speaking.respond
    s.raise_hand("caro", respond=True)  # the response has been called: another may wait
    assert waiting(s)[0] == ("caro", True)


def test_a_called_turn_is_timed_warns_and_runs_over_with_the_block():
    clock = FakeClock(1000.0)
    s, _ = queue_step(clock)
    s.raise_hand("ben")
    s.next()
    state = s.state
    turn = state.queue.speaking
    assert turn.allotted == 120 and turn.warn == 20
    clock.advance(110)
    assert 120 - state.turn_elapsed(turn, clock.now()) == 10
    s.pause()
    clock.advance(300)  # paused: neither clock runs
    assert state.turn_elapsed(turn, clock.now()) == 110
    s.start()
    clock.advance(40)
    assert state.turn_elapsed(turn, clock.now()) == 150  # 30 s over
    assert state.remaining(clock.now()) == 600 - 150  # the block's own countdown ran beside it
    s.adjust(30)  # + gives the speaker more, not the block
    assert turn.allotted == 150 and state.current.allotted == 600


def test_pass_back_and_leaving():
    clock = FakeClock(1000.0)
    s, _ = queue_step(clock, step=2)
    for p in ("ana", "ben", "caro"):
        s.raise_hand(p)
    s.next()  # Ana
    clock.advance(20)
    s.pass_turn()  # Ana passes: Ben is called
    assert speaking(s) == "ben" and s.state.queue.turns[0].status == "passed"
    clock.advance(15)
    s.back()  # undo the call: Ben waits first again, Ana's turn carries on from 20 s
    assert speaking(s) == "ana" and waiting(s)[0] == ("ben", False)
    assert s.state.turn_elapsed(s.state.queue.speaking, clock.now()) == 20
    s.next()  # Ben again
    s.remove_person("caro")  # leaves while queued: the hand goes
    assert waiting(s) == []
    s.remove_person("ben")  # leaves while speaking: the turn ends, the floor is open
    assert speaking(s) is None and s.state.queue.turns[-1].status == "left"
    with pytest.raises(CommandRejected, match="no one has been called"):
        s.pass_turn()


def test_lower_move_and_bad_hands_are_refused_in_words():
    clock = FakeClock(1000.0)
    s, _ = queue_step(clock, step=2)
    s.raise_hand("ana")
    s.raise_hand("ben")
    s.raise_hand("caro")
    with pytest.raises(CommandRejected, match="Ana already has a hand up"):
        s.raise_hand("ana")
    s.move_hand("caro", -1)
    assert [p for p, _ in waiting(s)] == ["ana", "caro", "ben"]
    with pytest.raises(CommandRejected, match="already first"):
        s.move_hand("ana", -1)
    s.lower_hand("caro")
    with pytest.raises(CommandRejected, match="has no hand up"):
        s.lower_hand("caro")
    s.next()
    s.next()  # Ben
    s.next()  # nobody waits: Ben's turn ends, the block goes on
    assert s.state.run.index == 2 and speaking(s) is None
    s.next()  # now the block ends
    assert s.state.run is None or s.state.run.ended_at is not None or s.state.run.index != 2


def test_hands_outside_a_queue_step_are_refused():
    clock = FakeClock(1000.0)
    protocol = load_protocol(FIXTURES / "round-queue.yaml")
    s = Session.create(protocol, [Person(n.lower(), n) for n in NAMES], clock)
    with pytest.raises(CommandRejected, match="speaking queue"):
        s.raise_hand("ana")


def test_the_queue_replays_exactly_and_its_turns_are_in_the_report():
    clock = FakeClock(1000.0)
    s, log = queue_step(clock)
    s.raise_hand("ben", source="phone")
    s.raise_hand("dee")
    s.next()
    clock.advance(70)
    s.next()
    clock.advance(30)
    again = fold(log)
    assert [(t.person, t.status, t.spent) for t in again.queue.turns] == [
        (t.person, t.status, t.spent) for t in s.state.queue.turns
    ]
    assert again.queue.turns[0].hand.source == "phone"
    s.end()
    report = build(s.state)
    questions = report.steps[1]
    assert [(t.who, t.time, t.status) for t in questions.turns] == [("Ben", 70, "done"), ("Dee", 30, "ended")]
    people = {p.name: p for p in report.people}
    assert people["Ben"].time == 70 and people["Dee"].time == 30 and people["Ana"].time == 60
    assert questions.actual == 100  # the block's own time
