"""A six-hour agenda under hundreds of pauses and changes keeps exact time.

A turn's time is the sum of the clock's readings while it ran, never a count of ticks, so
nothing may drift however long the day. A seeded facilitator drives a real six-hour day
through the engine and the SQLite store; after every command the turn's clock and the
agenda's standing must equal an ideal kept here with a stopwatch and a notebook.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import circle.engine.breakouts
from circle.engine import CommandRejected, Person, Session, State, fold
from circle.engine.agenda import propose, standing
from circle.mixer import mix
from circle.protocol.loader import load_protocol
from circle.sessions import start_session

FIXTURES = Path(__file__).parent / "fixtures"

TICK = 1 / 64  # every gap is a whole number of ticks: exact in binary, so the ideal is exact
SIX_HOURS = 6 * 3600
NAMES = ["Ana", "Ben", "Caro", "Dan", "Eve", "Finn", "Gus", "Hana"]  # the agenda's smallest group: 6h planned
MUSIC = 10  # the block the facilitator skips


@dataclass
class Turn:
    allotted: int  # seconds, with every + and - applied
    ran: int = 0  # ticks the clock really ran in this turn


class Ideal:
    """How long each turn and block has really run, and what the plan says, kept apart from the engine.

    The engine says where we are (which block, which turn); this says how much time that turn has.
    """

    def __init__(self, protocol, people: int):
        self.steps = protocol.steps
        self.length = protocol.length
        self.people = people
        self.turns: dict[tuple[int, int], Turn] = {}
        self.plan: dict[int, int] = {}  # block -> length, from accepted rebalances
        self.began: int | None = None  # the tick the first timer started: the plan's start
        self.room: dict[int, int] = {0: people}  # block -> people in the room when it began
        self.running = False
        self.ticks = 0

    def turn(self, key: tuple[int, int]) -> Turn:
        """The turn at (block, turn), as it was first allotted if it is new."""
        if key not in self.turns:
            index, step = key[0], self.steps[key[0]]
            if step.kind in ("round", "pairs"):
                allotted = step.turn
            elif index in self.plan:  # a rebalanced breakout shares its new length among its rounds
                allotted = self.plan[index] // getattr(step, "rounds", 1)
            else:
                allotted = step.duration
            self.turns[key] = Turn(allotted)
        return self.turns[key]

    def planned(self, index: int, rebalanced: bool = True) -> int:
        """A block's length as planned: for the room when it began (one still to come: the room now)."""
        step = self.steps[index]
        if rebalanced and index in self.plan:
            return self.plan[index]
        people = self.room.get(index, self.people)
        if step.kind == "round":
            return step.turn * people
        if step.kind == "pairs":  # an odd room makes one trio
            return step.turn * (3 if people % 2 else 2)
        if step.kind == "groups":
            return step.duration * step.rounds
        return step.duration

    def floor(self, index: int) -> int:
        """The shortest a rebalance may make a block: its own minimum, else half its length as first planned."""
        step, first = self.steps[index], self.planned(index, rebalanced=False)
        if step.fixed or step.kind == "round":
            least = first
        else:
            least = min(step.min, first) if step.min is not None else first // 2
        return min(self.planned(index), least)  # a block already cut below it (the room grew) stays

    def actual(self, index: int) -> float:
        return sum(t.ran for (i, _), t in self.turns.items() if i == index) * TICK

    def each_turn(self, index: int) -> int:
        """What a turn of a block has before any + or -."""
        step = self.steps[index]
        if step.kind in ("round", "pairs"):
            return step.turn
        if index in self.plan:
            return self.plan[index] // getattr(step, "rounds", 1)
        return step.duration

    def restart(self, index: int) -> None:
        """Back out of a block from its first turn: the block had not really begun, so when it
        comes round again it starts from the top, and what it ran so far no longer counts."""
        self.turns = {where: t for where, t in self.turns.items() if where[0] != index}


def where(state: State) -> tuple[int, int]:
    return state.run.index, state.slot


def check(state: State, ideal: Ideal, t0: float, now: float) -> None:
    """The turn's clock and the agenda's standing equal the ideal, exactly."""
    assert state.running == ideal.running
    assert len(state.present) == ideal.people
    if state.current is None:  # the last block is over
        assert state.finished and state.remaining(now) == 0
        current = None
    else:
        turn = ideal.turn(where(state))
        assert state.current.allotted == turn.allotted
        assert state.remaining(now) == turn.allotted - turn.ran * TICK
        current = state.run.index
    where_we_stand = standing(state, now)
    assert [b.actual for b in where_we_stand.blocks] == [ideal.actual(i) for i in range(len(ideal.steps))]
    assert [b.planned for b in where_we_stand.blocks] == [ideal.planned(i) for i in range(len(ideal.steps))]
    assert [b.floor for b in where_we_stand.blocks] == [ideal.floor(i) for i in range(len(ideal.steps))]
    if ideal.began is None:
        assert where_we_stand.planned_end is None
        return
    planned_end = t0 + ideal.began * TICK + ideal.length
    # What is still to run: the rest of this turn (with its + and -), each turn of this block
    # still to come (the engine says how many there are, this says what each has), then every
    # later block at its planned length.
    if current is None:
        projected_end = max(r.ended_at for r in state.runs)
    else:
        waiting = [(current, j) for j, s in enumerate(state.run.slots) if s.status == "todo"]
        left_now = sum(
            max(0, t.allotted - t.ran * TICK) if (t := ideal.turns.get(key)) else ideal.each_turn(current)
            for key in [where(state), *waiting]
        )
        later = range(current + 1, len(ideal.steps))
        projected_end = now + left_now + sum(ideal.planned(i) for i in later)
    assert where_we_stand.planned_end == planned_end
    assert where_we_stand.projected_end == projected_end
    assert where_we_stand.behind == projected_end - planned_end


def seen(state: State, now: float) -> tuple:
    """Everything the facilitator sees: where we are, whose turn, the clock, the plan."""
    current = state.current
    return (
        state.phase(now),
        state.remaining(now),
        where(state),
        current and (current.label, current.speaker),
        [[(s.label, s.status, s.spent, s.allotted) for s in run.slots] for run in state.runs],
        list(state.present),
        standing(state, now),
    )


def applicable(command: str, state: State, ideal: Ideal, done: dict[str, int]) -> bool:
    turn = ideal.turn(where(state))
    step = state.run.step
    match command:
        case "minus":
            return turn.allotted > 0
        case "pass":
            return step.kind == "round"
        case "next":  # a speaker done before their time; a block or breakout runs until its time is up
            return step.kind in ("round", "pairs")
        case "back":  # moved on by mistake: noticed within the minute
            return (len(state.runs) > 1 or state.slot > 0) and turn.ran < 60 / TICK
        case "arrive":
            return ideal.people < 14
        case "leave":
            return ideal.people > 5
        case "skip":
            return state.run.index == MUSIC and not done["skip"]
        case "fit":
            return ideal.began is not None
    return True


# How often a facilitator does each thing while a turn runs, roughly (back and skip are given
# only when they make sense: see applicable).
WEIGHTS = {
    "toggle": 30,
    "plus": 12,
    "minus": 12,
    "next": 3,
    "pass": 5,
    "back": 20,
    "arrive": 3,
    "leave": 3,
    "note": 5,
    "skip": 20,
    "fit": 3,
}


def choose(rng: random.Random, state: State, ideal: Ideal, done: dict[str, int]) -> str:
    turn = ideal.turn(where(state))
    if not ideal.running and rng.random() < 0.7:
        return "toggle"  # the gap just gone was the pause (or the wait before a block)
    if turn.allotted - turn.ran * TICK <= 0 and rng.random() < 0.6:
        return "next"  # time is up: move on
    commands = [c for c in WEIGHTS if applicable(c, state, ideal, done)]
    return rng.choices(commands, weights=[WEIGHTS[c] for c in commands])[0]


def test_six_hours_of_pauses_and_changes_keep_exact_time(store, clock, monkeypatch):
    # Who sits with whom never touches the clock: bound the breakout mixer by steps, not
    # seconds, so the run is quick and the same on every machine.
    monkeypatch.setattr(circle.engine.breakouts, "mix", lambda *args, **kw: mix(*args, **{**kw, "max_steps": 200}))
    protocol = load_protocol(FIXTURES / "six-hour-agenda.yaml")
    session = start_session(store, protocol, NAMES, clock, rng=random.Random(7))
    state, sid, t0 = session.state, session.state.session_id, clock.now()
    ideal = Ideal(protocol, len(NAMES))
    rng = random.Random(2024)
    replay_at = set(rng.sample(range(1, 300), 5))
    done: dict[str, int] = dict.fromkeys(WEIGHTS, 0)

    def assert_replays() -> None:
        now = clock.now()
        assert seen(fold(store.events(sid)), now) == seen(state, now)

    while not state.finished:
        gap = rng.randint(1, 90 * 64)
        if ideal.running:
            ideal.turn(where(state)).ran += gap
        ideal.ticks += gap
        clock.advance(gap * TICK)
        check(state, ideal, t0, clock.now())

        command = choose(rng, state, ideal, done)
        before, events = where(state), state.event_count
        turn = ideal.turn(before)
        match command:
            case "toggle":
                session.toggle()
                ideal.running = not ideal.running
                if ideal.running and ideal.began is None:
                    ideal.began = ideal.ticks
            case "plus":
                session.adjust(+30)
                turn.allotted += 30
            case "minus":
                session.adjust(-30)
                turn.allotted = max(0, turn.allotted - 30)
            case "next":
                session.next()
            case "pass":
                session.pass_turn()
            case "leave":
                session.remove_person(rng.choice(state.present))
                ideal.people -= 1
            case "arrive":
                session.add_person(f"Guest {done['arrive'] + 1}")
                ideal.people += 1
            case "note":
                session.note(f"note {sum(done.values())}")
            case "skip":
                session.skip_step()
            case "fit":
                where_now = standing(state, clock.now())
                proposal = propose(where_now.ahead, where_now.behind)
                if proposal is None or not proposal.lengths:
                    continue  # on time, or nothing left to give: the facilitator does nothing
                session.adjust_plan(proposal.lengths)
                ideal.plan.update(proposal.lengths)
            case "back":
                try:
                    session.back()
                except CommandRejected:  # everyone before this turn left: nothing to go back to
                    assert state.event_count == events
                    continue
                if where(state)[0] < before[0]:
                    ideal.restart(before[0])
                    ideal.room.pop(before[0], None)
        if state.finished or where(state)[0] > before[0]:
            ideal.running = False  # a new block waits for the facilitator to start it
            if not state.finished:
                ideal.room[where(state)[0]] = ideal.people
        done[command] += 1
        check(state, ideal, t0, clock.now())
        if sum(done.values()) in replay_at:
            assert_replays()

    session.end()
    assert_replays()
    assert fold(store.events(sid)).ended
    elapsed, commands = clock.now() - t0, sum(done.values())
    assert elapsed >= SIX_HOURS and commands >= 300, (elapsed / 3600, commands)
    assert done["toggle"] >= 200 and done["plus"] + done["minus"] >= 100, done
    assert all(done.values()) and done["skip"] == 1, done  # every kind of command was really given
    assert len(state.notes) == done["note"]


# -- found by the long run ---------------------------------------------------------------

EVENING = FIXTURES / "evening-agenda.yaml"  # 30m fixed meal, 40m talk (min 20m), 10m break, 20m music (min 15m)
MIN = 60


def test_the_plan_starts_when_the_timer_first_starts_not_when_the_session_opens(clock):
    session = Session.create(load_protocol(EVENING), [Person("a", "Ana"), Person("b", "Ben")], clock)
    clock.advance(10 * MIN)  # people settle in before the facilitator presses start
    session.start()
    started = clock.now()
    clock.advance(MIN)
    running = standing(session.state, clock.now())
    session.pause()  # once the first turn had time of its own, the plan used to start when it opened
    paused = standing(session.state, clock.now())
    assert running.planned_end == paused.planned_end == started + 100 * MIN
    assert running.behind == paused.behind == 0


def test_fitting_the_plan_again_never_cuts_a_block_below_its_minimum(clock):
    session = Session.create(load_protocol(EVENING), [Person("a", "Ana"), Person("b", "Ben")], clock)
    session.start()
    clock.advance(60 * MIN)  # the meal runs half an hour long
    where_now = standing(session.state, clock.now())
    session.adjust_plan(propose(where_now.blocks, where_now.behind).lengths)
    where_now = standing(session.state, clock.now())
    # Every later block is at its minimum; the break's is half its 10m, not half of what it became.
    assert [(b.planned, b.floor) for b in where_now.blocks[1:]] == [
        (20 * MIN, 20 * MIN),
        (5 * MIN, 5 * MIN),
        (15 * MIN, 15 * MIN),
    ]
    clock.advance(5 * MIN)
    where_now = standing(session.state, clock.now())
    proposal = propose(where_now.blocks, where_now.behind)
    assert proposal.lengths == {} and proposal.shortfall == 5 * MIN
