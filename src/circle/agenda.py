"""Agenda arithmetic: where a long session stands against its plan, and how to end on time.

Pure functions over engine state. A block's planned length is what the
protocol says (or what an accepted rebalance made it); the plan starts when
a timer first started (not when the session opened).
"""

from __future__ import annotations

from dataclasses import dataclass

from circle.engine import State
from circle.protocol import planned_step_seconds, shortest_seconds

MINUTE = 60


@dataclass(frozen=True)
class Block:
    index: int
    title: str
    kind: str
    planned: int  # seconds, as planned now
    floor: int  # the shortest it may become
    status: str  # done | now | next | later | skipped
    actual: float  # seconds run so far


@dataclass(frozen=True)
class Standing:
    """Where the session stands: positive ``behind`` means it would end late."""

    blocks: list[Block]
    planned_end: float | None
    projected_end: float | None
    behind: float


@dataclass(frozen=True)
class Proposal:
    lengths: dict[int, int]  # step index -> new length in seconds
    saved: int
    shortfall: int  # seconds still over after every flexible block is at its minimum

    @property
    def ends_on_time(self) -> bool:
        return self.shortfall == 0


def standing(state: State, now: float) -> Standing:
    protocol = state.protocol
    assert protocol is not None
    people = len(state.present)
    run = state.run
    current = run.index if run and run.ended_at is None and not state.ended else None
    done = {r.index: r for r in state.runs if r.ended_at is not None or state.ended}
    blocks = []
    for index, step in enumerate(protocol.steps):
        first = planned_step_seconds(step, people)
        planned = state.plan.get(index, first)
        if index in done and index != current:
            status, actual = ("skipped" if done[index].skipped else "done"), done[index].actual
        elif index == current:
            status, actual = "now", run.actual + (state.elapsed(now) - (state.current.spent if state.current else 0))
        else:
            upcoming = index > (current if current is not None else max(done, default=-1))
            status, actual = ("next" if upcoming and not any(b.status == "next" for b in blocks) else "later"), 0.0
        # The floor comes from the length first planned, so rebalancing again cannot halve it again.
        floor = min(planned, shortest_seconds(step, first))
        blocks.append(Block(index, step.title, step.kind, planned, floor, status, actual))

    first_start = state.began_at
    if first_start is None:
        return Standing(blocks, None, None, 0.0)
    # The end as first planned: accepting a rebalance brings the projection back to it.
    planned_end = first_start + (protocol.length or sum(planned_step_seconds(s, people) for s in protocol.steps))
    remaining_now = 0.0
    if current is not None:
        now_block = blocks[current]
        remaining_now = max(0.0, now_block.planned - now_block.actual)
    future = sum(b.planned for b in blocks if b.status in ("next", "later"))
    projected_end = now + remaining_now + future
    return Standing(blocks, planned_end, projected_end, projected_end - planned_end)


def propose(blocks: list[Block], behind: float) -> Proposal | None:
    """Shrink blocks still to come, within their minimums, to win back ``behind`` seconds.

    Cuts are whole minutes, shared in proportion to how much each block can
    give; the most flexible blocks give first when minutes are rounded. None
    when there is nothing to win back.
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
