"""Breakout mixing on the target rooms: prints figures, asserts nothing.

    .venv/bin/python benchmarks/mixer.py [--seeds 5] [--time-limit 10] [--search-only] [--literature]

For each room, circle.mixer.mix runs once per seed; the table gives the median and the
largest repeat count and wall time over the seeds, the lower bound the mixer proved, and
whether every keep-apart pair held in every run. Beside it, a baseline measured in the
same run: a naive greedy method, round by round, in which each person (in a shuffled
order) joins the open group where they have met the fewest people so far, keeping apart
whom it can. Targets (zero repeats, and the time to reach them) are the issue's.

--literature adds 21 rooms from the literature of the social golfer problem, each with the
fewest repeats known and its source, and the stop reason and lower bound of each run.

--search-only repeats the rooms with the constructions switched off (the circle method
and the finite-field designs), to show what the greedy start and the tabu search do alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from itertools import combinations

from circle import mixer
from circle.mixer import count_repeats, group_sizes, mix

CASES = [
    # title, people, group size, rounds, keep-apart pairs (by index), target
    ("32 people, groups of 4, 9 rounds", 32, 4, 9, [], "0 repeats, < 10 s"),
    ("90 people, groups of 5, 6 rounds", 90, 5, 6, [], "0 repeats, < 1 s"),
    ("20 people, pairs, 19 rounds", 20, 2, 19, [], "0 repeats, < 1 s"),
    ("200 people, groups of 6, 8 rounds", 200, 6, 8, [], "0 repeats, < 2 s"),
    (
        "30 people, groups of 4 (two of 3), 8 rounds, 5 apart",
        30,
        4,
        8,
        [(0, 1), (0, 2), (3, 4), (5, 6), (7, 8)],
        "apart holds",
    ),
]


# Rooms from the literature of the social golfer problem: people, group size, rounds, the fewest
# repeats known (0 where a design exists, ">= m" where a plan with none is proven impossible), source.
LITERATURE = [
    (21, 3, 10, "0", "Kirkman triple system KTS(21) (Ray-Chaudhuri and Wilson 1971)"),
    (18, 3, 8, "0", "nearly Kirkman triple system NKTS(18) (Kotzig and Rosa 1974)"),
    (32, 4, 10, "0", "Aguado 2004 (Harvey's social golfer table)"),
    (81, 3, 40, "0", "KTS(81) (Ray-Chaudhuri and Wilson 1971)"),
    (24, 4, 7, "0", "Harvey's social golfer table (6-4-7)"),
    (28, 4, 9, "0", "resolvable (28,4,1) design (Hanani, Ray-Chaudhuri and Wilson 1972)"),
    (40, 4, 13, "0", "resolvable (40,4,1) design (Hanani, Ray-Chaudhuri and Wilson 1972)"),
    (30, 5, 6, "0", "Harvey's social golfer table (6-5-6)"),
    (196, 4, 65, "0", "resolvable (196,4,1) design (Hanani, Ray-Chaudhuri and Wilson 1972)"),
    (15, 3, 7, "0", "Kirkman's schoolgirls, KTS(15) (Kirkman 1850)"),
    (12, 3, 5, ">= 1", "no NKTS(12): at most 4 clean rounds (Kotzig and Rosa 1974)"),
    (27, 3, 13, "0", "KTS(27), the affine space AG(3,3)"),
    (16, 4, 5, "0", "affine plane AG(2,4)"),
    (20, 5, 5, ">= 16", "4 groups of 5: each round meets 4 pairs of the first again (counting)"),
    (36, 6, 7, ">= 4", "no 2 orthogonal Latin squares of order 6: at most 3 clean rounds (Tarry 1900)"),
    (49, 7, 8, "0", "affine plane AG(2,7)"),
    (64, 8, 9, "0", "affine plane AG(2,8)"),
    (25, 5, 6, "0", "affine plane AG(2,5)"),
    (100, 10, 11, ">= 1", "no affine plane of order 10 (Lam, Thiel and Swiercz 1989)"),
    (200, 2, 199, "0", "round robin, the circle method"),
    (9, 3, 4, "0", "affine plane AG(2,3)"),
]


def literature(seeds: int, time_limit: float) -> None:
    head = (
        f"{'room':12} {'known best':10} | {'circle':6} {'seconds':8} {'stopped':7} {'bound':5}"
        f" | {'greedy':6} {'seconds':7} | source"
    )
    print("Rooms from the literature (median over the seeds; greedy is the round-by-round baseline)")
    print(head)
    print("-" * len(head))
    zero = met = 0
    for n, size, rounds, known, source in LITERATURE:
        people = names(n)
        reps, secs, stops, bound, g_reps, g_secs = [], [], [], 0, [], []
        for seed in range(seeds):
            start = time.perf_counter()
            result = mix(people, size, rounds, seed=seed, time_limit=time_limit)
            secs.append(time.perf_counter() - start)
            reps.append(result.repeats)
            stops.append(result.stopped)
            bound = result.lower_bound
            assert result.repeats == count_repeats(result.rounds)
            start = time.perf_counter()
            plan = greedy(people, size, rounds, [], seed)
            g_secs.append(time.perf_counter() - start)
            g_reps.append(count_repeats(plan))
        repeats = statistics.median(reps)
        zero += repeats == 0
        met += (known == "0" and repeats == 0) or (known != "0" and repeats == bound)
        room = f"{n}/{size}/{rounds}"
        print(
            f"{room:12} {known:10} | {repeats:<6g} {statistics.median(secs):<8.2f} {max(stops):7} {bound:<5}"
            f" | {statistics.median(g_reps):<6g} {statistics.median(g_secs):<7.2f} | {source}",
            flush=True,
        )
    print(f"\n{zero} of {len(LITERATURE)} rooms with no repeats; {met} at the known best or a proven optimum\n")


def names(n: int) -> list[str]:
    return [f"P{i:03d}" for i in range(n)]


def greedy(people: list[str], size: int, rounds: int, apart: list[tuple[str, str]], seed: int) -> list:
    """The baseline: each round built on its own, each person into the open group where they met fewest."""
    rng = random.Random(seed)
    sizes = group_sizes(len(people), size)
    banned = {p: set() for p in people}
    for a, b in apart:
        banned[a].add(b)
        banned[b].add(a)
    met: dict[frozenset, int] = {}
    plan = []
    for _ in range(rounds):
        order = list(people)
        rng.shuffle(order)
        groups: list[list[str]] = [[] for _ in sizes]
        for person in order:
            open_groups = [g for g in range(len(groups)) if len(groups[g]) < sizes[g]]
            allowed = [g for g in open_groups if not banned[person] & set(groups[g])] or open_groups
            best = min(allowed, key=lambda g: sum(met.get(frozenset((person, o)), 0) for o in groups[g]))
            groups[best].append(person)
        for group in groups:
            for pair in combinations(group, 2):
                met[frozenset(pair)] = met.get(frozenset(pair), 0) + 1
        plan.append(groups)
    return plan


def broken(plan: list, apart: list[tuple[str, str]]) -> int:
    """Keep-apart pairs found sharing a group, over all rounds."""
    return sum(1 for groups in plan for group in groups for a, b in apart if a in group and b in group)


def spread(values: list[float], fmt: str) -> str:
    return f"{format(statistics.median(values), fmt)} / {format(max(values), fmt)}"


def run(seeds: int, time_limit: float, label: str) -> None:
    head = (
        f"{'room':54} {'target':18} | {'repeats med/max':15} {'seconds med/max':17} {'bound':5} {'apart':6}"
        f" | {'greedy repeats med/max':22} {'seconds med/max':17} {'apart':5}"
    )
    print(label)
    print(head)
    print("-" * len(head))
    for title, n, size, rounds, pairs, target in CASES:
        people = names(n)
        apart = [(people[a], people[b]) for a, b in pairs]
        reps, secs, bounds, bad = [], [], [], 0
        g_reps, g_secs, g_bad = [], [], 0
        for seed in range(seeds):
            start = time.perf_counter()
            result = mix(people, size, rounds, apart=apart, seed=seed, time_limit=time_limit)
            secs.append(time.perf_counter() - start)
            reps.append(result.repeats)
            bounds.append(result.lower_bound)
            bad += broken(result.rounds, apart)
            assert result.repeats == count_repeats(result.rounds)  # a check of the benchmark, not a target
            start = time.perf_counter()
            plan = greedy(people, size, rounds, apart, seed)
            g_secs.append(time.perf_counter() - start)
            g_reps.append(count_repeats(plan))
            g_bad += broken(plan, apart)
        held = "held" if bad == 0 else f"{bad} BROKEN"
        row = (
            f"{title:54} {target:18} | {spread(reps, 'g'):15} {spread(secs, '.3f'):17} {max(bounds):<5} {held:6}"
            f" | {spread(g_reps, 'g'):22} {spread(g_secs, '.3f'):17} {g_bad}"
        )
        print(row, flush=True)
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="runs per room, seeds 0..N-1 (default 5)")
    parser.add_argument("--time-limit", type=float, default=10.0, help="the mixer's time limit per run (default 10)")
    parser.add_argument("--search-only", action="store_true", help="also run with the constructions switched off")
    parser.add_argument("--literature", action="store_true", help="also the rooms from the literature")
    parser.add_argument("--literature-only", action="store_true", help="only the rooms from the literature")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} ({platform.python_implementation()}), os.cpu_count() = {os.cpu_count()}")
    print(f"{platform.platform()}; seeds 0..{args.seeds - 1}, time limit {args.time_limit:g} s per run")
    print("repeats: meetings of two people who had already met; apart: keep-apart pairs found in one group\n")
    if not args.literature_only:
        run(args.seeds, args.time_limit, "circle.mixer.mix (construction where one fits, greedy start, tabu search)")
    if args.literature or args.literature_only:
        literature(args.seeds, args.time_limit)
    if args.search_only:
        mixer._construction = lambda sizes, n, rounds: []  # noqa: SLF001 - a diagnostic switch, nothing more
        run(
            args.seeds,
            args.time_limit,
            "circle.mixer.mix with the constructions switched off (greedy start, tabu search)",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
