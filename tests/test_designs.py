"""The mixer's constructions, checked pair by pair: each round a partition, no pair meeting twice."""

from __future__ import annotations

import random
import time
from itertools import combinations

import pytest

from circle.mixer import count_repeats, mix
from circle.mixer.designs import _construction, _map_slots
from circle.mixer.kirkman import _TABLE
from circle.mixer.resolvable import _complete, _resolvable
from circle.mixer.room import _Room, group_sizes

# Every order a complete design is built for here, up to 256 people: (group size, people).
COMPLETE = [
    *[(3, v) for v in (9, 15, 21, 27, 33, 39, 45, 51, 57, 63, 75, 81, 93, 111, 129, 147, 183, 201, 243)],
    *[(4, v) for v in (16, 28, 64, 256)],
    (5, 25),
    (5, 125),
    (7, 49),
    (8, 64),
    (9, 81),
    *sorted(_TABLE),
]

# Rooms that get a complete design: people, group size, rounds = (people - 1) / (size - 1).
ROOMS = [
    (21, 3, 10),
    (15, 3, 7),
    (27, 3, 13),
    (33, 3, 16),
    (81, 3, 40),
    (28, 4, 9),
    (40, 4, 13),
    (52, 4, 17),
    (16, 4, 5),
    (64, 4, 21),
    (88, 4, 29),
]


def assert_complete(k: int, v: int, rounds) -> None:
    """A complete resolvable design: (v - 1) / (k - 1) partitions into groups of k, every pair once."""
    assert len(rounds) == (v - 1) // (k - 1)
    seen: set[tuple[int, int]] = set()
    for groups in rounds:
        assert sorted(p for group in groups for p in group) == list(range(v)), "each round is a partition"
        assert all(len(group) == k for group in groups)
        for group in groups:
            for a, b in combinations(group, 2):
                pair = (min(a, b), max(a, b))
                assert pair not in seen, f"{pair} meet twice"
                seen.add(pair)
    assert len(seen) == v * (v - 1) // 2, "every pair meets once"


@pytest.mark.parametrize("k, v", sorted(set(COMPLETE)))
def test_every_complete_design_meets_each_pair_exactly_once(k, v):
    design = _complete(k, v)
    assert design is not None
    assert_complete(k, v, design)


def test_no_design_is_claimed_where_none_is_known():
    assert _resolvable(3, 10, 4) == []  # 10 is no multiple of 3
    assert _resolvable(4, 20, 6) == []  # no resolvable (20, 4, 1) design: 20 is not 4 mod 12
    assert _resolvable(2, 8, 7) == []  # pairs are the circle method's


def test_designs_are_built_fast_up_to_200_people():
    for k, v in COMPLETE:
        if v <= 201:
            best = 1.0
            for _ in range(3):  # the best of three, so a busy machine does not fail it
                _complete.cache_clear()
                started = time.perf_counter()
                _complete(k, v)
                best = min(best, time.perf_counter() - started)
            assert best < 0.1, (k, v, best)


@pytest.mark.parametrize("n, k, rounds", ROOMS)
def test_the_construction_gives_every_round_clean(n, k, rounds):
    if (k, n) not in COMPLETE:
        pytest.skip(f"no complete design of {n} in groups of {k} is built yet")
    sizes = group_sizes(n, k)
    design = _construction(sizes, n, rounds)
    assert len(design) == rounds
    seen: set[tuple[int, int]] = set()
    for groups in design:
        assert sorted(p for group in groups for p in group) == list(range(n))
        assert sorted((len(g) for g in groups), reverse=True) == sizes
        for group in groups:
            for pair in combinations(sorted(group), 2):
                assert pair not in seen
                seen.add(pair)


@pytest.mark.parametrize("n, k, rounds", ROOMS)
def test_mix_meets_everyone_once_with_no_repeats_at_once(n, k, rounds):
    if (k, n) not in COMPLETE:
        pytest.skip(f"no complete design of {n} in groups of {k} is built yet")
    who = [f"P{i:03d}" for i in range(n)]
    started = time.perf_counter()
    result = mix(who, k, rounds, seed=2, time_limit=10)
    assert time.perf_counter() - started < 1.0
    assert result.repeats == 0 and result.optimal
    assert count_repeats(result.rounds) == 0
    met = {frozenset(pair) for groups in result.rounds for group in groups for pair in combinations(group, 2)}
    assert len(met) == n * (n - 1) // 2, "after the last round everyone has met everyone"


@pytest.mark.parametrize("n, k, rounds", [(20, 3, 10), (14, 3, 7), (80, 3, 40), (27, 4, 9), (39, 4, 13), (63, 4, 21)])
def test_one_short_of_a_complete_design_still_meets_no_one_twice(n, k, rounds):
    """The design for n + 1 with one slot left empty: one group a person short each round."""
    sizes = group_sizes(n, k)
    design = _construction(sizes, n, rounds)
    assert len(design) == rounds
    for groups in design:
        assert sorted(p for group in groups for p in group) == list(range(n))
        assert sorted((len(g) for g in groups), reverse=True) == sizes
    who = [f"P{i:03d}" for i in range(n)]
    started = time.perf_counter()
    result = mix(who, k, rounds, seed=3, time_limit=10)
    assert time.perf_counter() - started < 1.0
    assert result.repeats == 0 and result.optimal


def test_keep_apart_and_together_still_map_onto_a_kirkman_system():
    """21 in threes: a together pair meets every round (9 forced repeats), an apart pair never."""
    who = [f"P{i:03d}" for i in range(21)]
    result = mix(who, 3, 10, apart=[("P000", "P001")], together=[("P002", "P003")], seed=1, time_limit=10)
    for groups in result.rounds:
        where = {p: g for g, group in enumerate(groups) for p in group}
        assert where["P000"] != where["P001"]
        assert where["P002"] == where["P003"]
    assert result.repeats >= 9


def test_history_is_mapped_onto_the_design():
    """Those who met before are put on slots of the design that never meet, where there are such slots."""
    who = [f"P{i:03d}" for i in range(28)]
    history = [[who[i : i + 4] for i in range(0, 28, 4)]]
    result = mix(who, 4, 4, history=history, seed=1, time_limit=10)
    assert result.repeats == 0
    room = _Room(who, 4, 4, [], [], history)
    design = _construction(room.sizes, room.n, room.R)
    person = _map_slots(room, design, random.Random(0), time.perf_counter() + 1)
    assert sorted(person) == list(range(28))
