"""Proven facts about small and famous rooms, for the mixer's lower bound.

A plan with ``t`` repeats has at least ``R - t`` rounds in which no pair meets again (drop the
rounds holding a repeat), so ``t >= R - F`` where ``F`` is the most rounds with no repeat the
room's sizes allow. ``F`` is found by exhaustive search for rooms of up to 9 people, and taken
from the literature for a few rooms where counting alone would promise more:

- 12 people in threes: at most 4 rounds (no nearly Kirkman triple system of order 12,
  Kotzig and Rosa 1974; an exhaustive search confirms it in about ten seconds).
- 36 people in sixes: at most 3 rounds (four would be two orthogonal Latin squares of
  order 6, which do not exist: Tarry 1900, Euler's thirty-six officers).
- 100 people in tens: at most 10 rounds (eleven would be an affine plane of order 10,
  which does not exist: Lam, Thiel and Swiercz 1989).

For rooms of up to 6 people the fewest repeats are found outright, by exhaustive search.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from itertools import combinations

KNOWN_MOST_CLEAN_ROUNDS = {(12, 3): 4, (36, 6): 3, (100, 10): 10}


class _Budget(Exception):
    pass


def _rounds_after(sizes: tuple[int, ...], met: list[int], budget: list[int]) -> Iterator[tuple[int, ...]]:
    """Every round (a tuple of group bitmasks) in which no group holds a pair of ``met``."""
    n = sum(sizes)

    def place(free: int, left: tuple[int, ...], groups: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        if not free:
            yield groups
            return
        first = (free & -free).bit_length() - 1
        tried = set()
        for i, s in enumerate(left):
            if s in tried:
                continue
            tried.add(s)
            rest = left[:i] + left[i + 1 :]
            cand = [x for x in range(n) if (free & ~met[first]) >> x & 1 and x != first]
            for comb in combinations(cand, s - 1):
                budget[0] -= 1
                if budget[0] < 0:
                    raise _Budget
                if any(met[a] >> b & 1 for a, b in combinations(comb, 2)):
                    continue
                mask = 1 << first
                for x in comb:
                    mask |= 1 << x
                yield from place(free & ~mask, rest, (*groups, mask))

    yield from place((1 << n) - 1, sizes, ())


def _first_round(sizes: tuple[int, ...]) -> list[int]:
    masks, p = [], 0
    for s in sizes:
        masks.append(((1 << s) - 1) << p)
        p += s
    return masks


@lru_cache(maxsize=256)
def most_clean_rounds(sizes: tuple[int, ...]) -> int | None:
    """The most rounds of these group sizes in which no pair meets twice, where that is proven."""
    n = sum(sizes)
    if len(set(sizes)) == 1 and (n, sizes[0]) in KNOWN_MOST_CLEAN_ROUNDS:
        return KNOWN_MOST_CLEAN_ROUNDS[n, sizes[0]]
    if n > 9 or len(sizes) < 2:
        return None
    ceiling = (n - 1) // max(1, sizes[-1] - 1)
    best = 1
    met = [0] * n
    budget = [20_000]  # a few hundredths of a second; beyond it, no claim

    def toggle(groups: tuple[int, ...] | list[int]) -> None:
        for mask in groups:
            for x in range(n):
                if mask >> x & 1:
                    met[x] ^= mask & ~(1 << x)

    def deeper(depth: int) -> bool:
        nonlocal best
        best = max(best, depth)
        if best >= ceiling:
            return True
        for groups in _rounds_after(sizes, met, budget):
            toggle(groups)
            done = deeper(depth + 1)
            toggle(groups)
            if done:
                return True
        return False

    first = _first_round(sizes)
    toggle(first)
    try:
        deeper(1)
    except _Budget:
        return None
    return best


@lru_cache(maxsize=256)
def fewest_repeats(sizes: tuple[int, ...], rounds: int) -> int | None:
    """The fewest repeats of any plan of ``rounds`` rounds of these sizes, for rooms of up to 6."""
    n = sum(sizes)
    if n > 6 or rounds > 8 or len(sizes) < 2:
        return None
    every = list(_rounds_after(sizes, [0] * n, [10**6]))
    pairs = [
        [(a, b) for mask in groups for a, b in combinations([x for x in range(n) if mask >> x & 1], 2)]
        for groups in every
    ]
    count: dict[tuple[int, int], int] = {}
    best = [10**9]

    def deeper(r: int, start: int, cost: int) -> None:
        if cost >= best[0]:
            return
        if r == rounds:
            best[0] = cost
            return
        for i in range(start, len(every)):
            added = 0
            for pair in pairs[i]:
                c = count.get(pair, 0)
                added += c > 0
                count[pair] = c + 1
            deeper(r + 1, i, cost + added)
            for pair in pairs[i]:
                count[pair] -= 1

    for pair in pairs[0]:  # any round can be renamed into the first
        count[pair] = 1
    deeper(1, 0, 0)
    return best[0]
