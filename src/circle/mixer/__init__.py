"""Breakout mixing: rounds of small groups in which people meet as many new people as they can.

This is the social golfer problem. Given the people present, a group size and a number
of rounds, :func:`mix` returns the rounds (each a partition of everyone into groups whose
sizes differ by at most one) so that no two people share a group twice where that is
possible, and as rarely as possible where it is not.

- Keep-apart and keep-together pairs are hard constraints: they hold in every result.
- History (earlier rounds, of this session or earlier ones) counts: a pair who met there
  and meet again is a repeat.
- The repeat count is the objective: every meeting of a pair who have met before (in the
  history or an earlier round) counts one, i.e. the sum over pairs of
  ``max(0, meetings - 1)`` with the history's meetings included, less what the history
  alone already held (the plan cannot change that).

How: a construction where one is known (the circle method for pairs, a resolvable
transversal design from a finite field when the number of groups is a prime power, which
with one extra round gives the famous 32 people in groups of 4 for 9 rounds, and the
complete designs of :mod:`.resolvable`: affine geometries, Kirkman triple systems and
resolvable designs of fours, each checked pair by pair by the tests; a room one or two
short of one takes it with places left empty, :mod:`.nearby`), mapped onto
the people so the constraints and the history are respected where possible, rounds built
greedily after it, then a tabu search over all rounds together: swaps of two people in
one round, chosen among those that touch a repeat, with the change in repeats computed
incrementally from bitsets of who has met whom. Deterministic for a given seed as long as
the search ends by itself (no repeats left, a proven optimum, or ``max_steps``); when the
time limit stops it the result depends on the machine's speed.

Pure: standard library only, no terminal UI, no database. The room and its checks are in
:mod:`.room`, the constructions in :mod:`.designs`, the search in :mod:`.search`; the public
calls are here.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from circle.mixer.designs import _map_slots
from circle.mixer.nearby import construction_near
from circle.mixer.room import MixError, _key, _Room, count_repeats, group_sizes
from circle.mixer.search import Stopped, _Search

Rounds = list[list[list[str]]]

__all__ = ["Mix", "MixError", "count_repeats", "group_sizes", "mix", "regroup_round"]


@dataclass(frozen=True)
class Mix:
    """A plan of rounds; ``rounds[r][g]`` is group ``g`` of round ``r``, names in the order given."""

    rounds: Rounds
    repeats: int  # see the module docstring; count_repeats(rounds, history) gives the same number
    seconds: float
    optimal: bool  # no repeats, or as few as any plan of this room can have (repeats == lower_bound)
    lower_bound: int = 0  # proven: no plan for this room, these constraints and this history has fewer repeats
    # Why the search stopped: "solved" (no repeats), "bound" (repeats == lower_bound, so optimal),
    # "steps" (max_steps, or no better plan for long), "time" (time_limit cut it: more time may help).
    stopped: Stopped = "solved"


def mix(
    people: Sequence[str],
    size: int,
    rounds: int,
    apart: Iterable[tuple[str, str]] = (),
    together: Iterable[tuple[str, str]] = (),
    history: Sequence[Sequence[Sequence[str]]] = (),
    seed: int = 0,
    time_limit: float = 10.0,
    max_steps: int | None = None,
    start: Sequence[Sequence[Sequence[str]]] = (),
) -> Mix:
    """Plan ``rounds`` rounds of groups of about ``size`` (2 for pairs) for ``people``.

    ``apart``/``together``: pairs of names that never / always share a group (hard: they hold
    in every result, or :class:`MixError` says why they cannot). ``history``: earlier rounds
    (lists of groups of names; people not present are ignored) whose pairs count as repeats
    when they meet again. Stops at zero repeats, at a proven optimum, after ``max_steps``
    search steps, or at ``time_limit`` seconds, and returns the best plan found.

    ``start``: a plan in hand (rounds of groups of names), to begin the search from instead of
    a fresh one: when someone leaves or arrives mid-way, the rounds still to come change as
    little as they need. Names not present are dropped; people it lacks are placed greedily.
    """
    started = time.perf_counter()
    room = _Room(people, size, rounds, list(apart), list(together), history)
    rng = random.Random(seed)
    deadline = started + max(0.0, time_limit)
    search = _Search(room, rng)
    design = [] if start else construction_near(size, room.sizes, room.n, room.R)
    if start:
        design = _start_rounds(room, start)
    elif design:
        person = _map_slots(room, design, rng, started + max(0.0, time_limit) * 0.2)
        design = [[[person[s] for s in group] for group in groups] for groups in design]
    for r in range(room.R):
        if r < len(design):
            groups = sorted(design[r], key=len, reverse=True)
            if [len(g) for g in groups] != room.sizes or search.violates(groups):
                # as near to it as the sizes and the constraints allow (a plan in hand may lack someone)
                g = len(room.sizes)
                prefer = [g - 1] * room.n
                for gi, group in enumerate(groups[:g]):
                    for p in group:
                        prefer[p] = gi
                groups = search.build_round(prefer)
        else:
            groups = search.build_round()
        search.add_round(groups)
    search.tabu(deadline, max_steps)
    out = []
    for groups in search.groups:
        named = [sorted(group) for group in groups]
        named.sort(key=lambda g: g[0])
        out.append([[room.names[p] for p in group] for group in named])
    repeats = search.cost - room.hist_cost
    stopped: Stopped = search.stopped
    if repeats <= room.lower_bound:
        stopped = "solved" if repeats == 0 else "bound"
    return Mix(
        rounds=out,
        repeats=repeats,
        seconds=time.perf_counter() - started,
        optimal=repeats <= room.lower_bound,
        lower_bound=room.lower_bound,
        stopped=stopped,
    )


def _start_rounds(room: _Room, start: Sequence[Sequence[Sequence[str]]]) -> list[list[list[int]]]:
    """The plan in hand as rounds of people by number, for those present, largest groups first."""
    out = []
    for groups in list(start)[: room.R]:
        kept = []
        for group in groups:
            members = sorted({room.index[k] for k in (_key(name) for name in group) if k in room.index})
            if members:
                kept.append(members)
        out.append(sorted(kept, key=len, reverse=True))
    return out


def regroup_round(
    people: Sequence[str],
    size: int,
    done: Sequence[Sequence[Sequence[str]]] = (),
    apart: Iterable[tuple[str, str]] = (),
    together: Iterable[tuple[str, str]] = (),
    history: Sequence[Sequence[Sequence[str]]] = (),
    seed: int = 0,
    time_limit: float = 2.0,
) -> Mix:
    """Mix ONE round afresh for whoever is present now, the rounds already ``done`` kept as they were.

    For the live screen: when someone is marked absent (leave them out of ``people``) or the
    facilitator asks for a reshuffle (call again with another ``seed``). ``done`` and
    ``history`` both count as history; constraint pairs naming someone no longer present are
    dropped, as they no longer constrain anything. Returns a :class:`Mix` of one round.
    """
    here = set()
    for name in people:
        here.add(_key(name))

    def present(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        kept = []
        for pair in pairs:
            members = pair.split(",") if isinstance(pair, str) else list(pair)
            if all(_key(m) in here for m in members):
                kept.append(pair)
        return kept

    return mix(
        people,
        size,
        1,
        apart=present(apart),
        together=present(together),
        history=[*history, *done],
        seed=seed,
        time_limit=time_limit,
    )
