"""Where a session stands: the state the events fold into, and what it says about now.

``State`` is plain data; its properties answer "where are we" (the step, the turn, who is
next) and "how long" (a turn's time is its closed running segments plus the open one).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from circle.core.events import Event, Person
from circle.mixer import Rounds
from circle.protocol.models import Protocol, RoundStep, Step

# A turn's status. "ended": cut short by the end of the session.
SlotStatus = Literal["todo", "now", "done", "passed", "left", "skipped", "ended"]
# What the wall says of the clock: State.phase.
Phase = Literal["ready", "running", "warning", "overtime", "paused", "between", "finished", "ended"]
# Someone coming or going mid-session: State.comings.
Coming = Literal["arrived", "left"]


@dataclass
class Slot:
    """One timed turn within a step: a person's turn, or a block for everyone."""

    label: str
    allotted: int
    warn: int
    speaker: str | None = None
    spent: float = 0.0
    status: SlotStatus = "todo"
    again: bool = False  # the round came back to someone who passed (return_to_passed)
    started: float | None = None  # when its clock first ran


# Where a hand came from: the facilitator's keys, or a participant's phone.
Source = Literal["wall", "phone"]


@dataclass
class Hand:
    """A raised hand in a speaking queue: to speak in turn, or (``respond``) to answer the point now."""

    person: str
    at: float
    respond: bool = False
    source: Source = "wall"


@dataclass
class QueueTurn:
    """A turn someone was called to in a speaking queue. Its clock is the block's: it runs while
    the block's does, from the block's elapsed time at ``since`` (None once it is closed)."""

    person: str
    allotted: int
    warn: int
    respond: bool = False
    spent: float = 0.0
    since: float | None = None  # the block's elapsed seconds when this turn's time last began
    status: SlotStatus = "now"
    started: float | None = None  # when it was called
    hand: Hand | None = None  # the hand it was called from (back puts it back)


@dataclass
class HandQueue:
    """A queue block's hands, in the order they will be called, and the turns called so far."""

    order: Literal["arrival", "progressive"]
    turn: int
    hands: list[Hand] = field(default_factory=list)  # the queue, in the order it will be called
    respond: Hand | None = None  # a direct response, called before the queue
    turns: list[QueueTurn] = field(default_factory=list)

    @property
    def speaking(self) -> QueueTurn | None:
        last = self.turns[-1] if self.turns else None
        return last if last is not None and last.status == "now" else None

    def waiting(self) -> list[Hand]:
        """Everyone waiting, in the order they will be called: the direct response first."""
        return ([self.respond] if self.respond else []) + self.hands

    def place(self, person: str) -> int | None:
        """A person's place in the queue (1 is called next), or None."""
        for n, hand in enumerate(self.waiting(), start=1):
            if hand.person == person:
                return n
        return None


@dataclass
class StepRun:
    index: int
    step: Step
    slots: list[Slot]
    started_at: float
    planned: int
    groups: list[list[str]] = field(default_factory=list)  # a pairs step's pairs
    rounds: Rounds = field(default_factory=list)  # a groups step: each round's groups of ids
    repeats: int = 0  # a groups step: meetings of people who had met before (see circle.mixer)
    fewest: int = 0  # a groups step: the fewest repeats any plan could have had, when it was mixed
    ended_at: float | None = None
    skipped: bool = False
    # Where a skip found the step (its slot, and each slot's status), so back can bring it back.
    skipped_from: tuple[int, tuple[SlotStatus, ...]] | None = None
    cut_short: bool = False  # it was under way when the session ended
    queue: HandQueue | None = None  # an open step with a speaking queue

    @property
    def actual(self) -> float:
        return sum(slot.spent for slot in self.slots)


@dataclass(frozen=True)
class Replan:
    """An accepted rebalance: when, how far behind it was, and each step's length before and after."""

    at: float
    lengths: dict[int, tuple[int, int]]
    behind: float | None = None


@dataclass(frozen=True)
class Note:
    at: float
    text: str
    step: int | None
    speaker: str | None


@dataclass
class State:
    protocol: Protocol | None = None
    session_id: str | None = None
    people: dict[str, Person] = field(default_factory=dict)
    present: list[str] = field(default_factory=list)  # seating order of who is here now
    left: dict[str, float] = field(default_factory=dict)
    joined: dict[str, float] = field(default_factory=dict)
    comings: list[tuple[float, str, Coming]] = field(default_factory=list)  # (at, person, coming), in order
    runs: list[StepRun] = field(default_factory=list)
    slot: int = 0
    running_since: float | None = None
    created_at: float | None = None
    began_at: float | None = None  # when a timer first ran: where an agenda's plan starts
    # Step index -> the first moment the clock ran in that step (kept when back leaves it): where
    # a day of an agenda starts.
    began: dict[int, float] = field(default_factory=dict)
    ended_at: float | None = None
    notes: list[Note] = field(default_factory=list)
    group: dict[str, str] | None = None  # {"id", "name"} when run for a saved group
    absent: list[str] = field(default_factory=list)  # group members not here at the start
    records: list[Event] = field(default_factory=list)  # reciprocity moments, in order
    plan: dict[int, int] = field(default_factory=dict)  # step index -> length, from accepted rebalances
    replans: list[Replan] = field(default_factory=list)  # every accepted rebalance, in order
    extra: list[Event] = field(default_factory=list)  # events of other modules (open space), in order

    def records_of(self, kinds: Iterable[str]) -> list[Event]:
        kinds = set(kinds)
        return [e for e in self.extra if e.kind in kinds]

    undone: set[str] = field(default_factory=set)  # ids of records taken back
    event_count: int = 0
    last_at: float | None = None

    # -- where we are -------------------------------------------------------
    @property
    def run(self) -> StepRun | None:
        return self.runs[-1] if self.runs else None

    @property
    def current(self) -> Slot | None:
        run = self.run
        if run is None or run.ended_at is not None or self.ended_at is not None:
            return None
        return run.slots[self.slot] if self.slot < len(run.slots) else None

    @property
    def finished(self) -> bool:
        """Every step has been run (the facilitator may still go back, or end)."""
        run = self.run
        return (
            run is not None
            and run.ended_at is not None
            and self.protocol is not None
            and run.index == len(self.protocol.steps) - 1
        )

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def name(self, person_id: str | None) -> str:
        if person_id is None:
            return ""
        person = self.people.get(person_id)
        return person.name if person else "?"

    # -- time ---------------------------------------------------------------
    def elapsed(self, now: float) -> float:
        slot = self.current
        if slot is None:
            return 0.0
        live = now - self.running_since if self.running_since is not None else 0.0
        return slot.spent + max(0.0, live)

    def remaining(self, now: float) -> float:
        slot = self.current
        return 0.0 if slot is None else slot.allotted - self.elapsed(now)

    def phase(self, now: float) -> Phase:
        """What the wall says of the clock now."""
        if self.ended:
            return "ended"
        slot = self.current
        if slot is None:
            return "finished" if self.finished else "between"
        if not self.running:
            return "ready" if slot.spent == 0 else "paused"
        left = self.remaining(now)
        if left < 0:
            return "overtime"
        if left <= slot.warn:
            return "warning"
        return "running"

    def next_up(self) -> str:
        """Who or what comes after the current turn."""
        run = self.run
        if run is None or self.protocol is None:
            return ""
        for slot in run.slots[self.slot + 1 :]:
            if slot.status == "todo":
                return again_label(slot)
        returns = returns_due(self, run, "done") if self.current is not None else []
        if returns:
            return again_label(Slot(self.name(returns[0]), 0, 0, returns[0], again=True))
        if run.index + 1 < len(self.protocol.steps):
            return f"{self.protocol.steps[run.index + 1].title} (next step)"
        return "the end"

    # -- a speaking queue ------------------------------------------------------
    @property
    def queue(self) -> HandQueue | None:
        """The speaking queue of the step under way, if it has one."""
        run = self.run
        if run is None or run.ended_at is not None or self.ended_at is not None:
            return None
        return run.queue

    def turn_elapsed(self, turn: QueueTurn, now: float) -> float:
        """Seconds a queue turn has had: its closed time, and the block's time since it last began."""
        if turn.since is None:
            return turn.spent
        return turn.spent + max(0.0, self.elapsed(now) - turn.since)

    def spoken(self, person: str, now: float) -> float:
        """Seconds ``person`` has spoken in this session: their turns in rounds and in queues."""
        total = 0.0
        for run in self.runs:
            for slot in run.slots:
                if slot.speaker == person:
                    total += slot.spent
            if run.queue is not None:
                total += sum(self.turn_elapsed(t, now) for t in run.queue.turns if t.person == person)
        return total

    def people_present(self) -> list[Person]:
        return [self.people[pid] for pid in self.present]

    @property
    def round_index(self) -> int:
        """A breakout's round now (or the last one, once it is over)."""
        run = self.run
        if run is None or not run.rounds:
            return 0
        return min(self.slot, len(run.rounds) - 1)

    def breakout_groups(self) -> list[list[str]]:
        """The groups of ids sitting together now, in a breakout step; else []."""
        run = self.run
        return run.rounds[self.round_index] if run is not None and run.rounds else []


def again_label(slot: Slot) -> str:
    """A turn as the wall names it: a return to someone who passed says so."""
    return f"back to {slot.label}, who passed" if slot.again else slot.label


def returns_due(state: State, run: StepRun, status: SlotStatus) -> list[str]:
    """Who a round comes back to once its last turn ends with ``status``: everyone here who passed,
    in order, if the round returns to those who passed and has not come back yet."""
    step = run.step
    if not isinstance(step, RoundStep) or not step.return_to_passed or any(s.again for s in run.slots):
        return []
    current = state.current if state.run is run else None
    passed = [s.speaker for s in run.slots if (status if s is current else s.status) == "passed"]
    return [pid for pid in dict.fromkeys(passed) if pid in state.present]


def previous_slot(run: StepRun, before: int) -> int | None:
    """The last turn before ``before`` that was taken (done or passed): where back goes."""
    for i in range(min(before, len(run.slots)) - 1, -1, -1):
        if run.slots[i].status in ("done", "passed"):
            return i
    return None


def met_in(state: State, before: int | None = None) -> Rounds:
    """The groups people really sat in this session, as rounds of groups of ids: the pairs of
    pairs steps and the breakout rounds that were begun. ``before``: only steps before that index."""
    out: Rounds = []
    for run in state.runs:
        if before is not None and run.index >= before:
            continue
        now = state.current if state.running else None  # a running turn has begun, though none of it is counted yet
        begun = [slot.status == "done" or slot.spent > 0 or slot is now for slot in run.slots]
        if run.groups and any(begun):
            out.append(run.groups)
        out.extend(groups for r, groups in enumerate(run.rounds) if r < len(begun) and begun[r])
    return out


def countdown_seconds(remaining: float) -> int:
    """Whole seconds to show: rounded up while time is left, counting up in overtime."""
    return math.ceil(remaining) if remaining > 0 else math.floor(-remaining)
