"""Breakout mixing against the targets of the issue: prints figures, asserts nothing.

    .venv/bin/python benchmarks/mixing.py [--seeds 3]

Each case runs with a few seeds; the baseline, measured in the same run, is a
greedy round-by-round method (each person joins the group where they have met
the fewest people so far), the way most web tools work.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from itertools import combinations

from circle.mixer import count_repeats, group_sizes, mix

CASES = [
    ("32 people, groups of 4, 9 rounds", 32, 4, 9, [], "0 repeats, < 10 s"),
    ("90 people, groups of 5, 6 rounds", 90, 5, 6, [], "0 repeats, < 1 s"),
    ("20 people, pairs, 19 rounds", 20, 2, 19, [], "0 repeats, < 1 s"),
    ("200 people, groups of 6, 8 rounds", 200, 6, 8, [], "0 repeats, < 2 s"),
    (
        "30 people, groups of 4, 8 rounds, 5 apart",
        30,
        4,
        8,
        [(f"P{i:03d}", f"P{i + 1:03d}") for i in range(0, 10, 2)],
        "apart holds",
    ),
]


def greedy(people: list[str], size: int, rounds: int) -> list[list[list[str]]]:
    met: dict[tuple[str, str], int] = {}
    plan = []
    for _ in range(rounds):
        groups: list[list[str]] = [[] for _ in group_sizes(len(people), size)]
        limits = group_sizes(len(people), size)
        for person in people:
            best = min(
                (g for g in range(len(groups)) if len(groups[g]) < limits[g]),
                key=lambda g: sum(met.get(tuple(sorted((person, o))), 0) for o in groups[g]),
            )
            groups[best].append(person)
        for group in groups:
            for pair in combinations(sorted(group), 2):
                met[pair] = met.get(pair, 0) + 1
        plan.append(groups)
    return plan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(f"{'case':44} {'target':18} {'circle: repeats, s (median/max)':34} {'greedy: repeats, s':20}")
    for title, n, size, rounds, apart, target in CASES:
        people = [f"P{i:03d}" for i in range(n)]
        times, repeats = [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            result = mix(people, size, rounds, apart=apart, seed=seed, time_limit=10)
            times.append(time.perf_counter() - start)
            repeats.append(result.repeats)
            for groups in result.rounds:  # the constraint is checked, never assumed
                assert not any(a in g and b in g for a, b in apart for g in groups)
        start = time.perf_counter()
        baseline = count_repeats(greedy(people, size, rounds))
        greedy_time = time.perf_counter() - start
        ours = f"{max(repeats)} ({statistics.median(times):.3f} / {max(times):.3f})"
        print(f"{title:44} {target:18} {ours:34} {baseline} ({greedy_time:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
