import random
from pathlib import Path

import pytest

from circle.core.clock import FakeClock
from circle.engine import (
    CommandRejected,
    Person,
    RosterError,
    Session,
    State,
    check_roster,
    countdown_seconds,
    fold,
    pair_up,
)
from circle.protocol.loader import load_protocol
from circle.views.report import build

FIXTURES = Path(__file__).parent / "fixtures"
TURN = 120  # round-open.yaml: the round's turn is 2m with a 20s warning
TALK = 300  # round-open.yaml: the open step is 5m


def start(protocol, clock, names=("Ana", "Ben", "Caro"), rng=None):
    """A live session whose events are collected in a list, as the store would keep them."""
    log = []
    people = [Person(name.lower(), name) for name in names]
    session = Session.create(protocol, people, clock, sink=log.extend, rng=rng)
    return session, log


def statuses(state: State) -> list[tuple[str, str]]:
    return [(slot.label, slot.status) for slot in state.run.slots]


def totals(state: State) -> dict:
    """Each person's figures, as the summary and every export give them."""
    return {p.name: p for p in build(state).people}


def snapshot(state: State, now: float) -> dict:
    """Everything a facilitator sees, to compare a live state with a replayed one."""
    return {
        "phase": state.phase(now),
        "remaining": state.remaining(now),
        "elapsed": state.elapsed(now),
        "steps": [
            (
                run.index,
                run.skipped,
                run.ended_at,
                run.groups,
                [(s.label, s.speaker, s.status, s.spent, s.allotted) for s in run.slots],
            )
            for run in state.runs
        ],
        "present": list(state.present),
        "left": dict(state.left),
        "notes": list(state.notes),
        "totals": build(state, now).people,
        "next": state.next_up(),
    }


def assert_replays(session: Session, log: list, clock: FakeClock) -> None:
    now = clock.now()
    assert snapshot(fold(log), now) == snapshot(session.state, now)


# -- starting, pausing, moving on -------------------------------------------------------


def test_a_new_session_waits_for_the_facilitator(protocol, clock):
    session, _ = start(protocol, clock)
    clock.advance(60)
    state = session.state
    assert state.phase(clock.now()) == "ready"
    assert state.current.label == "Ana"
    assert state.remaining(clock.now()) == TURN


def test_started_turn_counts_down_and_warns(protocol, clock):
    session, _ = start(protocol, clock)
    session.start()
    clock.advance(45)
    assert session.state.phase(clock.now()) == "running"
    assert session.state.remaining(clock.now()) == TURN - 45
    clock.advance(TURN - 45 - 20)  # 20s left: the warning time set in the file
    assert session.state.phase(clock.now()) == "warning"


def test_pausing_stops_the_clock_for_the_turn(protocol, clock):
    session, log = start(protocol, clock)
    session.start()
    clock.advance(10)
    session.pause()
    clock.advance(500)
    assert session.state.phase(clock.now()) == "paused"
    assert session.state.remaining(clock.now()) == TURN - 10
    session.toggle()  # resume
    clock.advance(5)
    assert session.state.phase(clock.now()) == "running"
    assert session.state.remaining(clock.now()) == TURN - 15
    assert_replays(session, log, clock)


def test_start_and_pause_twice_record_nothing_more(protocol, clock):
    session, log = start(protocol, clock)
    session.start()
    assert session.start() == []
    session.pause()
    assert session.pause() == []
    assert [e.kind for e in log[-2:]] == ["timer_started", "timer_paused"]


def test_next_hands_the_turn_on_and_keeps_the_clock_running(protocol, clock):
    session, _ = start(protocol, clock)
    session.start()
    clock.advance(30)
    session.next()
    clock.advance(7)
    state = session.state
    assert statuses(state) == [("Ana", "done"), ("Ben", "now"), ("Caro", "todo")]
    assert state.remaining(clock.now()) == TURN - 7
    assert state.next_up() == "Caro"
    assert totals(state)["Ana"].time == 30


def test_pass_moves_on_and_counts_as_a_pass_not_a_turn(protocol, clock):
    session, _ = start(protocol, clock)
    session.start()
    clock.advance(4)
    session.pass_turn()
    assert statuses(session.state)[0] == ("Ana", "passed")
    assert session.state.current.label == "Ben"
    ana = totals(session.state)["Ana"]
    # The four seconds before the pass are hers in the totals as in the turn's own row.
    assert (ana.passes, ana.turns, ana.time) == (1, 0, 4)
    assert build(session.state).steps[0].turns[0].time == 4


def test_pass_is_rejected_when_the_round_does_not_allow_it(clock):
    session, log = start(load_protocol(FIXTURES / "all-kinds.yaml"), clock)
    before = len(log)
    with pytest.raises(CommandRejected, match="passing is not part of this round"):
        session.pass_turn()
    assert len(log) == before
    assert session.state.current.status == "now"


def test_pass_is_rejected_on_an_open_step(protocol, clock):
    session, _ = start(protocol, clock, names=("Ana",))
    session.next()  # Ana's turn; the round is over
    assert session.state.run.step.kind == "open"
    with pytest.raises(CommandRejected, match="only a person's turn can be passed"):
        session.pass_turn()


# -- going back ---------------------------------------------------------------------------


def test_back_within_a_step_returns_to_the_previous_turn_with_its_time(protocol, clock):
    session, log = start(protocol, clock)
    session.start()
    clock.advance(30)
    session.next()
    clock.advance(12)
    session.back()
    clock.advance(10)
    state = session.state
    assert statuses(state) == [("Ana", "now"), ("Ben", "todo"), ("Caro", "todo")]
    assert state.elapsed(clock.now()) == 40  # Ana's 30s, then 10 more: the clock kept running
    assert state.phase(clock.now()) == "running"
    session.next()
    assert session.state.current.label == "Ben"
    assert_replays(session, log, clock)


def test_back_across_a_step_boundary_returns_to_the_last_turn(protocol, clock):
    session, log = start(protocol, clock, names=("Ana", "Ben"))
    session.start()
    clock.advance(50)
    session.next()
    clock.advance(70)
    session.next()  # the round is over; Talk waits to be started
    assert session.state.run.step.title == "Talk"
    session.back()
    state = session.state
    assert state.run.step.title == "Round"
    assert statuses(state) == [("Ana", "done"), ("Ben", "now")]
    assert state.phase(clock.now()) == "paused"
    assert state.remaining(clock.now()) == TURN - 70
    session.start()
    clock.advance(5)
    assert state.elapsed(clock.now()) == 75
    assert_replays(session, log, clock)


def test_back_at_the_first_turn_is_rejected(protocol, clock):
    session, _ = start(protocol, clock)
    with pytest.raises(CommandRejected, match="already at the first turn"):
        session.back()


# -- more or less time -------------------------------------------------------------------


def test_plus_and_minus_change_the_time_for_this_turn_only(protocol, clock):
    session, _ = start(protocol, clock)
    session.start()
    clock.advance(10)
    session.adjust(+30)
    assert session.state.remaining(clock.now()) == TURN + 30 - 10
    session.adjust(-30)
    session.adjust(-30)
    assert session.state.remaining(clock.now()) == TURN - 30 - 10
    session.next()
    assert session.state.current.allotted == TURN


def test_minus_stops_at_zero(protocol, clock):
    session, _ = start(protocol, clock)
    for _ in range(TURN // 30):
        session.adjust(-30)
    assert session.state.current.allotted == 0
    with pytest.raises(CommandRejected, match="no time left to take away"):
        session.adjust(-30)


def test_overtime_counts_up_and_shows_in_the_totals(protocol, clock):
    session, _ = start(protocol, clock)
    session.start()
    clock.advance(TURN + 25.5)
    state = session.state
    assert state.phase(clock.now()) == "overtime"
    assert state.remaining(clock.now()) == -25.5
    assert countdown_seconds(state.remaining(clock.now())) == 25
    clock.advance(1)
    assert countdown_seconds(state.remaining(clock.now())) == 26
    session.next()
    ana = totals(state)["Ana"]
    assert (ana.turns, ana.time, ana.overtime) == (1, TURN + 26.5, 26.5)
    assert totals(state)["Ben"].overtime == 0


# -- people coming and going ---------------------------------------------------------------


def test_a_late_arrival_joins_the_end_of_the_current_round(protocol, clock):
    session, log = start(protocol, clock, names=("Ana", "Ben"))
    session.start()
    session.add_person("Dana", person_id="dana")
    assert statuses(session.state) == [("Ana", "now"), ("Ben", "todo"), ("Dana", "todo")]
    session.next()
    session.next()
    assert session.state.current.label == "Dana"
    assert session.state.joined["dana"] == clock.now()
    assert_replays(session, log, clock)


def test_adding_someone_already_here_is_rejected(protocol, clock):
    session, _ = start(protocol, clock)
    with pytest.raises(CommandRejected, match="'ben' is already here"):
        session.add_person("  ben ")


def test_someone_leaving_before_their_turn_is_skipped(protocol, clock):
    session, log = start(protocol, clock)
    session.remove_person("ben")
    assert statuses(session.state) == [("Ana", "now"), ("Ben", "left"), ("Caro", "todo")]
    session.next()
    assert session.state.current.label == "Caro"
    assert session.state.present == ["ana", "caro"]
    assert_replays(session, log, clock)


def test_the_speaker_leaving_hands_the_turn_on(protocol, clock):
    session, log = start(protocol, clock)
    session.start()
    clock.advance(20)
    session.remove_person("ana")
    clock.advance(3)
    state = session.state
    assert statuses(state) == [("Ana", "left"), ("Ben", "now"), ("Caro", "todo")]
    assert state.remaining(clock.now()) == TURN - 3
    assert totals(state)["Ana"].time == 20
    assert_replays(session, log, clock)


def test_the_last_speaker_leaving_moves_to_the_next_step(protocol, clock):
    session, _ = start(protocol, clock, names=("Ana", "Ben"))
    session.next()
    session.remove_person("ben")
    assert session.state.run.step.title == "Talk"
    assert session.state.phase(clock.now()) == "ready"


def test_the_last_person_cannot_leave(protocol, clock):
    session, _ = start(protocol, clock, names=("Ana",))
    with pytest.raises(CommandRejected, match="the last person cannot leave"):
        session.remove_person("ana")


# -- steps -------------------------------------------------------------------------------


def test_after_the_last_turn_the_next_step_waits_until_started(protocol, clock):
    session, log = start(protocol, clock, names=("Ana", "Ben"))
    session.start()
    session.next()
    clock.advance(30)
    session.next()
    clock.advance(100)
    state = session.state
    assert state.run.step.title == "Talk"
    assert state.phase(clock.now()) == "ready"
    assert state.remaining(clock.now()) == TALK
    session.start()
    clock.advance(60)
    assert state.remaining(clock.now()) == TALK - 60
    assert_replays(session, log, clock)


def test_skipping_a_step_marks_the_rest_skipped_and_readies_the_next(protocol, clock):
    session, _ = start(protocol, clock)
    session.start()
    clock.advance(15)
    session.skip_step()
    state = session.state
    first = state.runs[0]
    assert first.skipped
    assert [s.status for s in first.slots] == ["done", "skipped", "skipped"]
    assert state.run.step.title == "Talk"
    assert state.phase(clock.now()) == "ready"


def test_after_the_last_step_the_session_is_finished_until_ended(protocol, clock):
    session, _ = start(protocol, clock, names=("Ana",))
    for _ in protocol.steps:
        session.next()
    state = session.state
    assert state.phase(clock.now()) == "finished"
    with pytest.raises(CommandRejected, match="all steps are done"):
        session.start()
    session.end()
    assert state.phase(clock.now()) == "ended"


def test_end_stops_everything(protocol, clock):
    session, _ = start(protocol, clock)
    session.start()
    clock.advance(40)
    session.end()
    clock.advance(100)
    state = session.state
    assert state.phase(clock.now()) == "ended"
    assert state.runs[0].slots[0].spent == 40
    for command in (session.start, session.next, session.skip_step, session.end):
        with pytest.raises(CommandRejected, match="this session has ended"):
            command()


def test_notes_remember_the_step_and_speaker(protocol, clock):
    session, log = start(protocol, clock)
    session.next()
    clock.advance(2)
    session.note("  Ben asked for a longer round next time  ")
    (note,) = session.state.notes
    assert (note.text, note.step, note.speaker, note.at) == (
        "Ben asked for a longer round next time",
        0,
        "Ben",
        clock.now(),
    )
    with pytest.raises(CommandRejected, match="the note is empty"):
        session.note("   ")
    assert_replays(session, log, clock)


def test_random_order_is_recorded_so_a_replay_gives_the_same_order(clock):
    names = ("Ana", "Ben", "Caro", "Dan", "Eve", "Finn")
    protocol = load_protocol(FIXTURES / "all-kinds.yaml")
    orders = set()
    for seed in range(5):
        session, log = start(protocol, clock, names=names, rng=random.Random(seed))
        (step_started,) = [e for e in log if e.kind == "step_started"]
        order = step_started.data["order"]
        assert sorted(order) == sorted(name.lower() for name in names)
        assert [s.speaker for s in session.state.run.slots] == order
        replayed = Session(clock, log, rng=random.Random(seed + 100))
        assert [s.speaker for s in replayed.state.run.slots] == order
        orders.add(tuple(order))
    assert len(orders) > 1  # it really is shuffled


def test_pairs_are_neighbours_and_an_odd_one_out_makes_a_trio():
    assert pair_up(["a", "b", "c", "d"]) == [["a", "b"], ["c", "d"]]
    assert pair_up(["a", "b", "c", "d", "e"]) == [["a", "b"], ["c", "d", "e"]]
    assert pair_up(["a"]) == [["a"]]


def test_a_pairs_step_gives_each_partner_a_turn(clock):
    session, _ = start(load_protocol(FIXTURES / "all-kinds.yaml"), clock, names=("A", "B", "C"))
    session.skip_step()
    state = session.state
    assert state.run.groups == [["a", "b", "c"]]
    assert [s.label for s in state.run.slots] == [
        "Partner A speaks",
        "Partner B speaks",
        "Partner C speaks",
    ]
    assert state.remaining(clock.now()) == 90


# -- replay and timing -------------------------------------------------------------------


def test_replaying_every_event_gives_the_live_state(clock):
    protocol = load_protocol(FIXTURES / "all-kinds.yaml")
    session, log = start(protocol, clock, names=("Ana", "Ben", "Caro"), rng=random.Random(7))
    script = [
        session.start, session.next, session.pause, session.start,
        lambda: session.adjust(30), lambda: session.add_person("Dan", "dan"),
        session.back, session.next, lambda: session.note("quiet today"),
        lambda: session.remove_person("caro"), session.next, session.next,
        session.start, session.next, session.skip_step, session.start,
        lambda: session.adjust(-30), session.pause, session.start, session.next,
    ]  # fmt: skip
    for i, command in enumerate(script):
        clock.advance(3.25 * (i % 5) + 1)
        command()
        assert_replays(session, log, clock)
    session.end()
    assert_replays(session, log, clock)


def test_three_hours_of_pauses_and_extends_do_not_drift(clock):
    """Time is summed from the clock, never counted in ticks, so nothing accumulates."""
    session, log = start(load_protocol(FIXTURES / "marathon.yaml"), clock)
    rng = random.Random(1234)
    tick = 1 / 64  # exact in binary, so the ideal below is exact too
    allotted, ran, passed, running, commands = 3 * 3600, 0, 0, False, 0
    while passed < 3 * 3600 * 64:
        gap = rng.randint(1, 60 * 64)
        clock.advance(gap * tick)
        passed += gap
        ran += gap if running else 0
        action = rng.choice(["toggle", "toggle", "toggle", "plus", "minus"])
        if action == "toggle":
            session.toggle()
            running = not running
        elif action == "plus":
            session.adjust(30)
            allotted += 30
        else:
            session.adjust(-30)
            allotted = max(0, allotted - 30)
        commands += 1
        assert session.state.remaining(clock.now()) == allotted - ran * tick
    assert commands > 300
    assert fold(log).remaining(clock.now()) == allotted - ran * tick


def test_recover_counts_the_time_away_as_paused(protocol, clock):
    session, log = start(protocol, clock)
    session.start()
    clock.advance(30)
    last_seen = clock.now()
    clock.advance(3600)  # the laptop was asleep
    session.recover(since=last_seen)
    state = session.state
    assert state.phase(clock.now()) == "paused"
    assert state.remaining(clock.now()) == TURN - 30
    session.start()
    clock.advance(10)
    assert state.remaining(clock.now()) == TURN - 40
    assert_replays(session, log, clock)


# -- the roster --------------------------------------------------------------------------


def test_roster_cleans_spaces_and_drops_blank_names():
    assert check_roster(["  Ana ", "", "Ben   Lee", "   "]) == ["Ana", "Ben Lee"]


@pytest.mark.parametrize("names", [[], ["", "  "]])
def test_an_empty_roster_is_rejected(names):
    with pytest.raises(RosterError, match="no one is present: type at least one name"):
        check_roster(names)


def test_a_name_given_twice_is_rejected_whatever_the_case():
    with pytest.raises(RosterError) as exc:
        check_roster(["Ana", "Ben", "ana"])
    assert str(exc.value) == "'ana' is named twice; add an initial to tell them apart"


def test_a_session_cannot_start_with_a_bad_roster(protocol, clock):
    with pytest.raises(RosterError):
        Session.create(protocol, [Person("1", "Ana"), Person("2", "ANA")], clock)
    with pytest.raises(RosterError):
        Session.create(protocol, [], clock)


def test_a_failing_sink_leaves_the_state_as_it_was(protocol, clock):
    session, _ = start(protocol, clock)
    session.start()
    clock.advance(20)
    before = snapshot(session.state, clock.now())

    def broken(events):
        raise OSError("disk full")

    session.sink = broken
    for command in (session.next, session.pause, lambda: session.note("x"), session.end):
        with pytest.raises(OSError):
            command()
    assert snapshot(session.state, clock.now()) == before


# -- undoing a skip (issue 12, item 6) ---------------------------------------------------------


def test_back_right_after_a_skip_brings_the_step_back_where_it_stopped(protocol, clock):
    session, log = start(protocol, clock)
    session.start()
    clock.advance(50)
    session.next()  # Ana done; Ben has 40 s of his turn
    clock.advance(40)
    session.skip_step()  # by mistake: the round had minutes to go
    assert session.state.run.index == 1
    session.back()
    state = session.state
    assert state.run.index == 0 and not state.run.skipped and state.run.ended_at is None
    assert statuses(state) == [("Ana", "done"), ("Ben", "now"), ("Caro", "todo")]
    assert state.current.spent == 40 and state.remaining(clock.now()) == TURN - 40
    assert_replays(session, log, clock)
    session.next()
    assert state.current.label == "Caro"  # and the round carries on


def test_back_after_skipping_the_last_step_brings_it_back(protocol, clock):
    session, log = start(protocol, clock, names=("Ana",))
    for _ in range(2):
        session.skip_step()
    session.start()
    clock.advance(10)
    session.skip_step()  # the silence, the last step
    assert session.state.finished
    session.back()
    assert not session.state.finished and session.state.current.label == "Silence"
    assert session.state.current.spent == 10
    assert_replays(session, log, clock)


# -- coming back to those who passed (issue 12, item 8) --------------------------------------------


def feelz_checkin():
    from circle.protocol.loader import load_library

    return load_library().get("feelz-checkin")  # a silence, then a round that comes back to those who passed


def test_a_round_comes_back_once_to_those_who_passed(clock):
    session, log = start(feelz_checkin(), clock, names=("Ana", "Ben", "Caro"))
    session.skip_step()  # past the silence
    session.start()
    session.pass_turn()  # Ana passes
    assert session.state.next_up() == "Caro"
    clock.advance(60)
    session.next()  # Ben
    assert session.state.next_up() == "back to Ana, who passed"
    clock.advance(30)
    session.pass_turn()  # Caro, the last, passes too
    state = session.state
    assert state.run.index == 1, "the round ended instead of coming back"
    assert state.current.label == "Ana" and state.current.again
    assert state.next_up() == "back to Caro, who passed"
    clock.advance(45)
    session.next()
    assert state.current.label == "Caro" and state.current.again
    session.pass_turn()  # passing again: the round does not come back a second time
    assert state.finished
    assert [(s.label, s.status, s.again) for s in state.run.slots] == [
        ("Ana", "passed", False),
        ("Ben", "done", False),
        ("Caro", "passed", False),
        ("Ana", "done", True),
        ("Caro", "passed", True),
    ]
    assert_replays(session, log, clock)
    ana = totals(state)["Ana"]
    assert (ana.turns, ana.passes, ana.time) == (1, 1, 45)


def test_someone_who_passed_and_left_is_not_come_back_to(clock):
    session, _ = start(feelz_checkin(), clock, names=("Ana", "Ben", "Caro"))
    session.skip_step()
    session.start()
    session.pass_turn()
    session.remove_person("ana")
    session.next()
    session.next()
    assert session.state.finished


def test_a_round_without_return_to_passed_ends_at_its_last_turn(protocol, clock):
    session, _ = start(protocol, clock, names=("Ana", "Ben"))
    session.start()
    session.pass_turn()
    session.next()
    assert session.state.run.index == 1  # on to the open step
