"""The breakout mixer: every result is a valid grouping, constraints hold, repeats are counted right."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circle.mixer import MixError, count_repeats, group_sizes, mix, regroup_round


def names(n: int) -> list[str]:
    return [f"P{i:03d}" for i in range(n)]


def recount(rounds) -> int:
    met: dict[tuple[str, str], int] = {}
    for groups in rounds:
        for group in groups:
            for pair in combinations(sorted(group), 2):
                met[pair] = met.get(pair, 0) + 1
    return sum(times - 1 for times in met.values() if times > 1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(4, 40), size=st.integers(2, 6), rounds=st.integers(1, 6), seed=st.integers(0, 10))
def test_every_result_is_a_valid_grouping(n, size, rounds, seed):
    if size > n:
        return
    people = names(n)
    apart = [(people[0], people[1])] if n > size + 1 else []
    # A step budget, not the clock, ends the search here, so the same seed must give the same plan.
    result = mix(people, size, rounds, apart=apart, seed=seed, time_limit=30, max_steps=300)
    assert len(result.rounds) == rounds
    for groups in result.rounds:
        flat = [p for group in groups for p in group]
        assert sorted(flat) == people  # everyone, exactly once
        sizes = [len(g) for g in groups]
        assert max(sizes) - min(sizes) <= 1
        for a, b in apart:
            assert not any(a in g and b in g for g in groups)
    assert result.repeats == recount(result.rounds) == count_repeats(result.rounds)
    assert mix(people, size, rounds, apart=apart, seed=seed, time_limit=30, max_steps=300).rounds == result.rounds


@pytest.mark.parametrize(
    ("n", "size", "rounds"),
    [(32, 4, 9), (90, 5, 6), (20, 2, 19), (200, 6, 8)],
)
def test_known_feasible_instances_reach_zero_repeats(n, size, rounds):
    result = mix(names(n), size, rounds, seed=3, time_limit=20)
    assert result.repeats == 0


def test_keep_apart_and_together_always_hold_in_a_room_that_does_not_divide():
    people = names(30)
    apart = [(people[i], people[i + 1]) for i in range(0, 10, 2)]
    together = [(people[20], people[21])]
    result = mix(people, 4, 8, apart=apart, together=together, seed=1, time_limit=5)
    for groups in result.rounds:
        assert sorted(len(g) for g in groups) == [3, 3, 4, 4, 4, 4, 4, 4]
        for a, b in apart:
            assert not any(a in g and b in g for g in groups)
        assert any(people[20] in g and people[21] in g for g in groups)


def test_history_counts_as_already_met():
    people = names(8)
    first = mix(people, 2, 7, seed=1, time_limit=5)
    assert first.repeats == 0
    again = regroup_round(people, 2, done=first.rounds, seed=2, time_limit=2)
    assert len(again.rounds) == 1
    assert again.repeats == count_repeats(again.rounds, history=first.rounds)
    assert sorted(p for g in again.rounds[0] for p in g) == people


def test_someone_marked_absent_is_regrouped_out():
    people = names(12)
    earlier = mix(people, 4, 2, seed=1, time_limit=2).rounds
    here = [p for p in people if p != people[5]]
    result = regroup_round(here, 4, done=earlier, seed=1, time_limit=2)
    assert sorted(p for g in result.rounds[0] for p in g) == here


def test_group_sizes_never_leave_someone_alone():
    assert sorted(group_sizes(30, 4)) == [3, 3, 4, 4, 4, 4, 4, 4]
    assert min(group_sizes(9, 4)) >= 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((names(2), 4, 2), "larger than the room"),
        ((names(6), 2, 0), "rounds must be at least 1"),
        ((names(6), 2, 3, [("P000", "Zed")]), "Zed"),
        (([], 2, 1), ""),
    ],
)
def test_bad_input_is_one_clear_line(args, message):
    with pytest.raises(MixError) as caught:
        mix(*args)
    text = str(caught.value)
    assert "\n" not in text and message in text


def test_circle_mix_prints_rounds_and_repeats(capsys, tmp_path):
    from circle.cli import main

    roster = tmp_path / "room.txt"
    roster.write_text("\n".join(names(20)) + "\n")
    assert main(["mix", "--people", str(roster), "--pairs", "--rounds", "19"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Round 1" and out[-1] == "repeats: 0"
    assert sum(1 for line in out if line.startswith("  Group")) == 19 * 10

    assert main(["mix", "--people", "Ana,Ben,Caro,Dee", "--size", "2", "--rounds", "3", "--format", "json"]) == 0
    import json

    plan = json.loads(capsys.readouterr().out)
    assert plan["repeats"] == 0 and len(plan["rounds"]) == 3

    assert main(["mix", "--people", "Ana,Ben", "--size", "2", "--rounds", "1", "--apart", "Ana,Zed"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("circle: ") and "Zed" in err[0]
