"""Breakout mixing: every plan is a valid set of rounds, constraints always hold, repeats are counted right."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circle.mixer import Mix, MixError, count_repeats, group_sizes, mix, regroup_round

NAMES = [
    "Ana", "Ben", "Caro", "Dee", "Esi", "Femi", "Gus", "Hana", "Ines", "Jo", "Kai", "Lea", "Mo", "Nia",
    "Oto", "Pia", "Quin", "Rui", "Sol", "Tao", "Uma", "Vik", "Wen", "Xia", "Yann", "Zoe", "Abe", "Bo",
    "Cy", "Dov", "Eli", "Fay",
]  # fmt: skip


def people(n: int) -> list[str]:
    return NAMES[:n] if n <= len(NAMES) else [f"P{i:03d}" for i in range(n)]


def meetings(rounds) -> Counter:
    met: Counter = Counter()
    for groups in rounds:
        for group in groups:
            met.update(frozenset(pair) for pair in combinations(group, 2))
    return met


def assert_valid(result: Mix, who: list[str], size: int, rounds: int, apart=(), together=()) -> None:
    assert len(result.rounds) == rounds
    expected = group_sizes(len(who), size)
    for groups in result.rounds:
        everyone = [name for group in groups for name in group]
        assert sorted(everyone) == sorted(who), "everyone is in exactly one group each round"
        lengths = sorted((len(g) for g in groups), reverse=True)
        assert lengths == expected
        assert lengths[0] - lengths[-1] <= 1
        where = {name: g for g, group in enumerate(groups) for name in group}
        for a, b in apart:
            assert where[a] != where[b], f"{a} and {b} were kept apart"
        for a, b in together:
            assert where[a] == where[b], f"{a} and {b} were kept together"
    assert result.repeats >= result.lower_bound >= 0
    assert result.optimal == (result.repeats <= result.lower_bound)


# -- group sizes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, size, sizes",
    [
        (30, 4, [4] * 6 + [3] * 2),
        (32, 4, [4] * 8),
        (5, 4, [5]),  # one group of 5 rather than 3 + 2
        (6, 4, [3, 3]),
        (9, 4, [3, 3, 3]),  # groups of size - 1 rather than bigger ones
        (7, 2, [3, 2, 2]),  # pairs in an odd room: one trio, never someone alone
        (3, 2, [3]),
        (4, 4, [4]),
        (200, 6, [6] * 30 + [5] * 4),
    ],
)
def test_group_sizes_examples(n, size, sizes):
    assert group_sizes(n, size) == sizes


@settings(max_examples=200, database=None)
@given(st.integers(1, 400), st.integers(2, 40))
def test_group_sizes_split_evenly_and_never_leave_anyone_alone(n, size):
    if size > n:
        with pytest.raises(MixError):
            group_sizes(n, size)
        return
    sizes = group_sizes(n, size)
    assert sum(sizes) == n
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] - sizes[-1] <= 1
    assert sizes[-1] >= 2
    if n % size == 0:
        assert sizes == [size] * (n // size)
    fits = any(g * (size - 1) <= n <= g * size for g in range(1, n + 1))
    if size >= 3 and fits:  # groups of size and size - 1 whenever that is possible
        assert set(sizes) <= {size, size - 1}


# -- counting -----------------------------------------------------------------------------


def test_count_repeats_counts_each_meeting_of_a_pair_who_had_met():
    rounds = [[["Ana", "Ben"], ["Caro", "Dee"]], [["Ana", "Ben"], ["Caro", "Dee"]], [["Ana", "Ben"], ["Caro", "Dee"]]]
    assert count_repeats(rounds) == 4  # each pair: 3 meetings, 2 repeats
    assert count_repeats(rounds[:1]) == 0
    history = [[["Ana", "Caro", "Ben"]]]
    assert count_repeats(rounds[:1], history) == 1  # Ana and Ben meet again
    # a pair who met twice in the history but not now is not this plan's doing
    assert count_repeats([[["Ana", "Dee"]]], [[["Ben", "Caro"]], [["Ben", "Caro"]]]) == 0
    # names match as mix matches them: case and spaces aside
    assert count_repeats([[["ana", "ben "]]], [[["Ana", "Ben"]]]) == 1


# -- properties of every plan ---------------------------------------------------------------


@st.composite
def rooms(draw):
    n = draw(st.integers(2, 28))
    who = people(n)
    size = draw(st.integers(2, min(n, 6)))
    rounds = draw(st.integers(1, 5))
    pair = st.lists(st.sampled_from(who), min_size=2, max_size=2, unique=True).map(tuple)
    apart = draw(st.lists(pair, max_size=3))
    together = draw(st.lists(pair, max_size=2))
    history = []
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 3))):
            # earlier rounds may include people who are not here today
            order = draw(st.permutations(NAMES[: n + 2]))
            history.append([list(order[i : i + 3]) for i in range(0, len(order), 3)])
    seed = draw(st.integers(0, 2**16))
    return who, size, rounds, apart, together, history, seed


# no example database: nothing is written into the working tree
PROPERTY = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(rooms())
def test_every_plan_is_valid_and_its_repeats_recount(room):
    who, size, rounds, apart, together, history, seed = room
    try:
        result = mix(who, size, rounds, apart, together, history, seed=seed, time_limit=10, max_steps=100)
    except MixError as exc:
        assert apart or together, "only constraints can make a room impossible to mix"
        assert "\n" not in str(exc) and str(exc)
        return
    assert_valid(result, who, size, rounds, apart, together)
    assert result.repeats == count_repeats(result.rounds, history)


@PROPERTY
@given(rooms())
def test_the_same_seed_gives_the_same_plan(room):
    who, size, rounds, apart, together, history, seed = room
    try:
        first = mix(who, size, rounds, apart, together, history, seed=seed, time_limit=10, max_steps=100)
    except MixError:
        return
    again = mix(who, size, rounds, apart, together, history, seed=seed, time_limit=10, max_steps=100)
    assert (again.rounds, again.repeats) == (first.rounds, first.repeats)


@settings(max_examples=40, deadline=None, database=None)
@given(st.integers(4, 40), st.integers(2, 6), st.integers(1, 6), st.integers(0, 1000))
def test_sparse_rooms_never_repeat(n, size, rounds, seed):
    """When each person meets at most a third of the room, nobody needs to meet anyone twice."""
    size = min(size, n)
    if (max(group_sizes(n, size)) - 1) * rounds > (n - 1) // 3:
        rounds = max(1, (n - 1) // 3 // (max(group_sizes(n, size)) - 1))
    result = mix(people(n), size, rounds, seed=seed, time_limit=20)
    assert_valid(result, people(n), size, rounds)
    assert result.repeats == 0 and result.optimal


# -- known-feasible rooms reach zero repeats --------------------------------------------------


@pytest.mark.parametrize(
    "n, size, rounds",
    [
        (32, 4, 9),  # the social golfer problem: a transversal design over GF(8) and one more round
        (20, 2, 19),  # pairs: the circle method
        (21, 2, 4),  # pairs in an odd room, one trio each round
        (16, 4, 5),  # the affine plane of order 4
        (9, 3, 4),  # ... of order 3
        (25, 5, 6),  # ... of order 5
        (30, 4, 8),  # 32 slots less two: six groups of 4 and two of 3
        (90, 5, 6),
        (200, 6, 8),
        (15, 3, 6),  # found by the search
        (24, 3, 8),
    ],
)
def test_known_feasible_rooms_reach_zero_repeats(n, size, rounds):
    result = mix(people(n), size, rounds, seed=1, time_limit=25)
    assert_valid(result, people(n), size, rounds)
    assert result.repeats == 0
    assert result.optimal


def test_keep_apart_pairs_hold_and_the_room_still_mixes_perfectly():
    who = people(30)
    apart = [("Ana", "Ben"), ("Ana", "Caro"), ("Dee", "Esi"), ("Femi", "Gus"), ("Hana", "Ines")]
    result = mix(who, 4, 8, apart=apart, seed=3, time_limit=25)
    assert_valid(result, who, 4, 8, apart=apart)
    assert result.repeats == 0


def test_keep_together_pairs_hold_and_their_repeats_are_forced():
    who = people(24)
    together = [("Ana", "Ben"), ("Caro", "Dee"), ("Dee", "Esi")]
    result = mix(who, 4, 5, together=together, seed=0, time_limit=25)
    assert_valid(result, who, 4, 5, together=together + [("Caro", "Esi")])
    # Ana and Ben meet 5 times, so do the three of Caro, Dee and Esi: 4 repeats a pair, 4 pairs
    assert result.lower_bound == 16
    assert result.repeats == count_repeats(result.rounds)
    others = {p: m for p, m in meetings(result.rounds).items() if m > 1}
    assert set(others) == {frozenset(p) for p in [("Ana", "Ben"), ("Caro", "Dee"), ("Dee", "Esi"), ("Caro", "Esi")]}


def test_unavoidable_repeats_are_reported_as_optimal():
    # 20 people in pairs meet everyone in 19 rounds, so 22 rounds repeat 3 rounds' pairs; one group of everyone
    result = mix(people(20), 2, 22, seed=0, time_limit=25)
    assert result.repeats == result.lower_bound == 30
    assert result.optimal
    whole = mix(people(5), 5, 3)
    assert whole.repeats == 2 * 10 and whole.optimal


def test_history_counts_as_meetings():
    who = people(32)
    first = mix(who, 4, 4, seed=1, time_limit=25)
    second = mix(who, 4, 4, history=first.rounds, seed=2, time_limit=25)
    assert_valid(second, who, 4, 4)
    assert second.repeats == 0 == count_repeats(second.rounds, first.rounds)
    assert max(meetings(first.rounds + second.rounds).values()) == 1


def test_history_names_of_people_not_here_are_ignored():
    history = [[["Ana", "Ben", "Zed"], ["Caro", "Dee"]]]
    result = mix(["Ana", "Ben", "Caro", "Dee"], 2, 1, history=history, seed=0)
    assert result.repeats == 0
    groups = [set(group) for group in result.rounds[0]]
    assert {"Ana", "Ben"} not in groups and {"Caro", "Dee"} not in groups


def test_names_are_matched_ignoring_case_and_spaces_in_constraints():
    result = mix(["Ana", "Ben", "Caro", "Dee"], 2, 3, apart=[("ana ", "BEN")], seed=0)
    assert all(["Ana", "Ben"] not in groups for groups in result.rounds)


def test_a_time_limit_of_zero_still_returns_a_valid_plan():
    who = people(28)
    result = mix(who, 4, 7, apart=[("Ana", "Ben")], together=[("Caro", "Dee")], time_limit=0)
    assert_valid(result, who, 4, 7, apart=[("Ana", "Ben")], together=[("Caro", "Dee")])


# -- regrouping one round ---------------------------------------------------------------------


def test_regroup_round_remixes_one_round_around_an_absence():
    who = people(24)
    plan = mix(who, 4, 4, seed=5, time_limit=25)
    here = [name for name in who if name != "Esi"]
    done = plan.rounds[:3]
    again = regroup_round(here, 4, done=done, apart=[("Esi", "Ana"), ("Ben", "Caro")], seed=0)
    assert_valid(again, here, 4, 1, apart=[("Ben", "Caro")])
    assert again.repeats == count_repeats(again.rounds, done) == 0
    reshuffled = regroup_round(here, 4, done=done, seed=1)
    assert_valid(reshuffled, here, 4, 1)
    assert reshuffled.rounds != again.rounds


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"rounds": 0}, ["rounds", "at least 1", "0"]),
        ({"rounds": -2}, ["rounds", "-2"]),
        ({"size": 1}, ["group size", "at least 2"]),
        ({"size": 9}, ["group size 9", "larger than the room", "6 people"]),
        ({"people": []}, ["no one is present"]),
        ({"people": ["Ana", "Ben", "ana", "Dee"]}, ["ana", "named twice"]),
        ({"people": ["Ana", " ", "Caro", "Dee"]}, ["blank"]),
        ({"apart": [("Ana", "Zed")]}, ["Zed", "not present", "keep-apart"]),
        ({"together": [("Quin", "Ben")]}, ["Quin", "not present", "keep-together"]),
        ({"apart": [("Ana", "Ana")]}, ["Ana", "twice"]),
        ({"apart": [("Ana",)]}, ["two names"]),
        ({"apart": [("Ana", "Ben")], "together": [("Ben", "Ana")]}, ["Ana", "Ben", "both apart and together"]),
        ({"apart": [("Ana", "Caro")], "together": [("Ana", "Ben"), ("Ben", "Caro")]}, ["Ana", "Caro", "Ben"]),
        ({"together": [("Ana", "Ben"), ("Ben", "Caro"), ("Caro", "Dee")], "size": 3}, ["stay together", "3"]),
        ({"apart": [("Ana", "Ben"), ("Ana", "Caro"), ("Ben", "Caro")]}, ["different groups", "only 2 groups"]),
        ({"size": 6, "apart": [("Ana", "Ben")]}, ["Ana", "Ben", "only 1 group"]),
        (
            {"people": people(9), "apart": [("Ana", n) for n in people(9)[1:8]]},
            ["Ana", "kept apart from 7 of the 8 others", "group of 3"],
        ),
        ({"together": [("Ana", "Ben"), ("Caro", "Dee"), ("Esi", "Femi")]}, ["cannot all hold", "3, 3"]),
    ],
)
def test_bad_input_gives_one_clear_line(kwargs, words):
    call = {"people": people(6), "size": 3, "rounds": 2, **kwargs}
    with pytest.raises(MixError) as caught:
        mix(**call)
    message = str(caught.value)
    assert message and "\n" not in message
    for word in words:
        assert word in message


def test_mix_error_is_a_value_error():
    assert issubclass(MixError, ValueError)


# -- proven bounds: checked against an exhaustive search of tiny rooms ---------------------


def _optimum(n: int, size: int, rounds: int) -> int:
    """The fewest repeats of any plan, by trying every plan (round 1 fixed, later rounds in order)."""
    sizes = group_sizes(n, size)
    every: list[list[tuple[int, int]]] = []
    seen = set()

    def split(left: frozenset, todo: list[int], acc: list[frozenset]) -> None:
        if not todo:
            key = frozenset(acc)
            if key not in seen:
                seen.add(key)
                every.append([pair for g in acc for pair in combinations(sorted(g), 2)])
            return
        first = min(left)
        for i, s in enumerate(todo):
            if s in todo[:i]:
                continue
            for rest in combinations(sorted(left - {first}), s - 1):
                group = frozenset((first, *rest))
                split(left - group, todo[:i] + todo[i + 1 :], [*acc, group])

    split(frozenset(range(n)), sizes, [])
    count: Counter = Counter(every[0])
    best = [10**9]

    def deeper(r: int, start: int, cost: int) -> None:
        if cost >= best[0]:
            return
        if r == rounds:
            best[0] = cost
            return
        for i in range(start, len(every)):
            added = sum(1 for pair in every[i] if count[pair])
            count.update(every[i])
            deeper(r + 1, i, cost + added)
            count.subtract(every[i])

    deeper(1, 0, 0)
    return best[0]


TINY = [(n, k, r) for n in range(4, 9) for k in range(2, n) for r in range(2, 5)]


@pytest.mark.parametrize("n, size, rounds", TINY)
def test_the_lower_bound_is_the_optimum_of_every_tiny_room(n, size, rounds):
    result = mix(people(n), size, rounds, time_limit=5.0)
    best = _optimum(n, size, rounds)
    assert result.lower_bound == best  # proven, and as strong as can be
    assert result.repeats == best and result.optimal


@pytest.mark.parametrize(
    "n, size, rounds, bound",
    [
        (6, 3, 3, 5),  # two trios: each round after the first meets two pairs again, and more
        (7, 3, 4, 1),  # 3 + 2 + 2: at most 3 rounds without a repeat (exhaustive)
        (12, 3, 5, 1),  # no nearly Kirkman triple system of order 12: at most 4 clean rounds
        (36, 6, 5, 2),  # no two orthogonal Latin squares of order 6: at most 3 clean rounds
        (100, 10, 11, 1),  # no affine plane of order 10
    ],
)
def test_rooms_known_to_force_repeats_have_that_bound(n, size, rounds, bound):
    from circle.mixer.room import _Room

    room = _Room(people(n), size, rounds, [], [], [])
    assert room.lower_bound >= bound


def test_a_plan_is_called_optimal_only_at_a_proven_bound():
    result = mix(people(12), 3, 5, seed=0, time_limit=1.0)
    assert result.optimal == (result.repeats == result.lower_bound)
    assert result.lower_bound >= 1


def test_why_the_search_stopped():
    assert mix(people(16), 4, 5).stopped == "solved"  # a design: no repeats
    assert mix(people(9), 3, 5).stopped == "bound"  # 9 forced repeats, proven
    assert mix(people(30), 3, 14, max_steps=5).stopped == "steps"
    assert mix(people(30), 3, 14, time_limit=0.05).stopped == "time"


# -- rooms one or two short of a design, and plans in hand --------------------------------


@pytest.mark.parametrize(
    "n, size, rounds",
    [(31, 4, 9), (30, 4, 9), (24, 5, 6), (23, 5, 5), (14, 3, 7), (20, 3, 7), (19, 3, 7)],
)
def test_a_room_just_short_of_a_design_keeps_it(n, size, rounds):
    result = mix(people(n), size, rounds, time_limit=5.0)
    assert result.repeats == 0
    for groups in result.rounds:
        assert sorted(map(len, groups), reverse=True) == group_sizes(n, size)


def test_someone_leaving_keeps_the_plan_in_hand():
    room = people(25)
    plan = mix(room, 5, 6).rounds
    assert count_repeats(plan) == 0
    here = [p for p in room if p != room[7]]
    later = [[[p for p in g if p != room[7]] for g in groups] for groups in plan[2:]]
    replanned = mix(here, 5, 4, history=plan[:2], start=later, time_limit=2.0)
    assert replanned.repeats == 0
    assert count_repeats([*plan[:2], *replanned.rounds]) == 0


def test_a_plan_in_hand_may_lack_someone_and_name_the_absent():
    room = people(12)
    plan = mix(room, 3, 3).rounds
    newcomer = [*room[1:], "Newcomer"]
    result = mix(newcomer, 3, 3, start=plan, time_limit=1.0)
    for groups in result.rounds:
        assert sorted(p for g in groups for p in g) == sorted(newcomer)


@pytest.mark.parametrize("short", [1, 2])
def test_a_design_for_one_or_two_more_is_used_with_their_places_left_empty(monkeypatch, short):
    from circle.mixer import nearby
    from circle.mixer.designs import _construction

    n = 32 - short  # only the full room of 32 has a design, as for 21 in threes or 32 in fours for 10 rounds
    monkeypatch.setattr(nearby, "_construction", lambda sizes, m, r: _construction(sizes, m, r) if m == 32 else [])
    design = nearby.construction_near(4, group_sizes(n, 4), n, 9)
    assert len(design) == 9
    for groups in design:
        assert sorted(map(len, groups), reverse=True) == group_sizes(n, 4)
        assert sorted(s for g in groups for s in g) == list(range(n))
    assert count_repeats([[[str(s) for s in g] for g in groups] for groups in design]) == 0
