"""Designs for rooms one or two short of a size with a construction.

31 people in fours: the 32-person design with one slot left empty is still a plan with no
repeats, its groups of 4 and one of 3 (sizes that differ by one, as :func:`group_sizes` asks).
Two slots are left empty only where they never share a group, so no group loses two.
"""

from __future__ import annotations

from circle.mixer.designs import _clean_prefix, _construction
from circle.mixer.room import group_sizes

Design = list[list[list[int]]]


def _usable(design: Design, sizes: list[int], rounds: int) -> int:
    """How many leading rounds of ``design`` have exactly these group sizes and no pair meeting twice."""
    fits = 0
    for groups in design[:rounds]:
        if sorted((len(g) for g in groups), reverse=True) != sizes:
            break
        fits += 1
    return min(fits, _clean_prefix(design[:fits]))


def _without(design: Design, gone: set[int], rounds: int) -> Design:
    """The design with the slots in ``gone`` left empty, the rest numbered 0.. in order, largest groups first."""
    number, k = {}, 0
    for s in range(sum(len(g) for g in design[0])):
        if s not in gone:
            number[s], k = k, k + 1
    out = []
    for groups in design[:rounds]:
        kept = [[number[s] for s in g if s not in gone] for g in groups]
        out.append(sorted((g for g in kept if g), key=len, reverse=True))
    return out


def _never_met(design: Design, m: int) -> list[int]:
    met = [0] * m
    for groups in design:
        for g in groups:
            mask = sum(1 << s for s in g)
            for s in g:
                met[s] |= mask
    return met


def construction_near(size: int, sizes: list[int], n: int, rounds: int) -> Design:
    """The best design for ``n`` people: their own, or one for ``n + 1`` or ``n + 2`` with slots left empty."""
    best = _construction(sizes, n, rounds)
    score = _usable(best, sizes, rounds) if best else 0
    for d in (1, 2):
        if score >= rounds:
            break
        m = n + d
        if len(group_sizes(m, size)) != len(sizes):  # leaving places empty cannot remove a group
            continue
        big = _construction(group_sizes(m, size), m, rounds)
        if not big or _usable(big, group_sizes(m, size), rounds) <= score:
            continue
        big = big[:rounds]
        met = _never_met(big, m)
        options: list[set[int]] = []
        for a in range(m - 1, -1, -1):  # the last slots first: a design leaves its spare slots there
            if d == 1:
                options.append({a})
            else:
                options.extend({a, b} for b in range(a - 1, -1, -1) if not met[a] >> b & 1)
            if len(options) > 300:
                break
        for gone in options:
            trimmed = _without(big, gone, rounds)
            fit = _usable(trimmed, sizes, rounds)
            if fit > score:
                best, score = trimmed, fit
                if fit >= rounds:
                    break
    return best[:score] if best else []
