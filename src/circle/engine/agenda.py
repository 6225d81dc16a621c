"""Agenda arithmetic: where a long session stands against its plan, and how to end on time.

Pure functions over engine state. A block's planned length is what the
protocol says (or what an accepted rebalance made it). The block under way is
expected to take what its turns still have (with every + and -, arrivals and
departures), and the blocks after it their planned lengths.

An agenda may run over several days (a block's ``day`` opens one). Each day
is planned on its own: it starts when a timer first runs in it and has its own
length, so the night between two days is never "behind", and a rebalance only
ever moves time between blocks of the day under way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from circle.engine.state import State, StepRun, returns_due
from circle.protocol.models import planned_step_seconds, shortest_seconds

MINUTE = 60

# Where a block stands against the plan; "next" is the first block still to come.
BlockStatus = Literal["done", "now", "next", "later", "skipped"]


@dataclass(frozen=True)
class Block:
    index: int
    title: str
    kind: str
    planned: int  # seconds, as planned now
    floor: int  # the shortest it may become
    status: BlockStatus
    actual: float  # seconds run so far
    day: int = 0  # the day it belongs to, from 0
    expected: float = 0.0  # seconds it is expected to take in all: run so far plus what it still needs


@dataclass(frozen=True)
class Day:
    number: int  # from 0
    title: str  # "" for the one day of an agenda that names none
    length: int
    first: int  # its first block's index
    end: int  # one past its last block's index
    began_at: float | None  # when a timer first ran in it


@dataclass(frozen=True)
class Standing:
    """Where the session stands in the day under way: positive ``behind`` means it would end late."""

    blocks: list[Block]
    planned_end: float | None
    projected_end: float | None
    behind: float
    days: tuple[Day, ...] = ()
    day: int = 0  # the day under way (or the last one, once it is over)

    @property
    def minutes(self) -> int:
        """Whole minutes behind (negative: ahead), as the wall says them: towards "on time", so the
        proposal appears exactly when the wall first says "1 min behind", and accepting one that
        ends on time brings it back to "on time"."""
        return int(self.behind / MINUTE)

    @property
    def ahead(self) -> list[Block]:
        """The blocks still to come in the day under way: all a rebalance may change."""
        return [b for b in self.blocks if b.day == self.day and b.status in ("next", "later")]

    @property
    def today(self) -> Day:
        return self.days[self.day]


@dataclass(frozen=True)
class Proposal:
    lengths: dict[int, int]  # step index -> new length in seconds
    saved: int
    shortfall: int  # seconds still over after every flexible block is at its minimum

    @property
    def ends_on_time(self) -> bool:
        return self.shortfall == 0


def still_needed(state: State, run: StepRun, now: float) -> float:
    """What the block under way still needs: the rest of this turn, every turn still to come
    (with + and -, arrivals and departures), and the returns to those who passed."""
    left = 0.0
    for i, slot in enumerate(run.slots):
        if i == state.slot and slot is state.current:
            left += max(0.0, state.remaining(now))
        elif slot.status == "todo":  # one gone back over has had some of its time already
            left += max(0.0, slot.allotted - slot.spent)
    for _ in returns_due(state, run, "done") if state.current is not None else ():
        left += getattr(run.step, "turn", 0) or 0
    return left


def standing(state: State, now: float) -> Standing:
    protocol = state.protocol
    assert protocol is not None
    people = len(state.present)
    run = state.run
    current = run.index if run and run.ended_at is None and not state.ended else None
    runs = {r.index: r for r in state.runs}
    done = {r.index: r for r in state.runs if r.ended_at is not None or state.ended}
    spans = protocol.days
    day_of = {i: span.number for span in spans for i in range(span.first, span.end)}
    blocks: list[Block] = []
    firsts: list[int] = []
    for index, step in enumerate(protocol.steps):
        # The plan as first made: a round for the room when it began (or for the room now, to come).
        first = runs[index].planned if index in runs else planned_step_seconds(step, people)
        firsts.append(first)
        planned = state.plan.get(index, first)
        status: BlockStatus
        if index in done and index != current:
            status, actual = ("skipped" if done[index].skipped else "done"), done[index].actual
            expected = actual
        elif index == current:
            assert run is not None
            status, actual = "now", run.actual + (state.elapsed(now) - (state.current.spent if state.current else 0))
            expected = actual + still_needed(state, run, now)
        else:
            upcoming = index > (current if current is not None else max(done, default=-1))
            status, actual = ("next" if upcoming and not any(b.status == "next" for b in blocks) else "later"), 0.0
            expected = float(planned)
        # The floor comes from the length first planned, so rebalancing again cannot halve it again.
        floor = min(planned, shortest_seconds(step, first))
        blocks.append(Block(index, step.title, step.kind, planned, floor, status, actual, day_of[index], expected))

    days = tuple(
        Day(
            span.number,
            span.title,
            span.length or sum(firsts[span.first : span.end]),  # a plan with no length: its blocks
            span.first,
            span.end,
            min((at for i, at in state.began.items() if span.first <= i < span.end), default=None),
        )
        for span in spans
    )
    if current is not None:
        today = day_of[current]
    elif run is not None:
        today = day_of[run.index]
    else:
        today = 0
    day = days[today]
    if day.began_at is None:
        return Standing(blocks, None, None, 0.0, days, today)
    planned_end = day.began_at + day.length
    if current is None:  # the day's last block is over (or the session ended): it ended when that did
        ends = [r.ended_at for r in state.runs if day.first <= r.index < day.end and r.ended_at is not None]
        projected_end = max(ends, default=now)
    else:
        later = sum(b.planned for b in blocks[current + 1 : day.end] if b.status in ("next", "later"))
        projected_end = now + (blocks[current].expected - blocks[current].actual) + later
    return Standing(blocks, planned_end, projected_end, projected_end - planned_end, days, today)


def propose(blocks: list[Block], behind: float) -> Proposal | None:
    """Shrink blocks still to come, within their minimums, to win back ``behind`` seconds.

    ``blocks`` are those a rebalance may change (``Standing.ahead``: the day under way). Cuts
    are whole minutes, shared in proportion to how much each block can give; the most
    flexible blocks give first when minutes are rounded. None when there is nothing to win back.
    """
    if behind < MINUTE:
        return None
    needed = -(-int(behind) // MINUTE)  # whole minutes, rounded up
    slack = {b.index: (b.planned - b.floor) // MINUTE for b in blocks if b.status in ("next", "later")}
    slack = {i: s for i, s in slack.items() if s > 0}
    total = sum(slack.values())
    if total == 0:
        return Proposal({}, 0, needed * MINUTE)
    take = min(needed, total)
    shares = {i: take * s / total for i, s in slack.items()}
    cuts = {i: min(slack[i], int(share)) for i, share in shares.items()}
    leftover = take - sum(cuts.values())
    for i in sorted(slack, key=lambda i: (shares[i] - int(shares[i]), slack[i]), reverse=True):
        if leftover == 0:
            break
        if cuts[i] < slack[i]:
            cuts[i] += 1
            leftover -= 1
    planned = {b.index: b.planned for b in blocks}
    lengths = {i: planned[i] - c * MINUTE for i, c in cuts.items() if c}
    saved = sum(cuts.values()) * MINUTE
    return Proposal(lengths, saved, max(0, needed * MINUTE - saved))


def proposal_for(where: Standing) -> Proposal | None:
    """The rebalance the wall offers now: within the day under way, once it is a minute behind."""
    return propose(where.ahead, where.behind)
