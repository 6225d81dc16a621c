"""Constructions: rounds known to meet no pair twice, where one fits the room's sizes.

The circle method (round-robin pairs), resolvable transversal designs over a finite
field GF(q) (q groups, q a prime power), and, when every group is the same size, the
complete resolvable designs of :mod:`.resolvable` (Kirkman triple systems, affine
geometries, resolvable designs of fours: everyone meets everyone exactly once), as rounds
over slots 0..n-1; :func:`_map_slots` then chooses who takes which slot so the constraints
and the history fit the design. The finite fields are in :mod:`.fields`.
"""

from __future__ import annotations

import random
import time

from circle.mixer.fields import _Field, _prime_power
from circle.mixer.resolvable import _resolvable
from circle.mixer.room import _bits, _f, _Room


def _circle_method(n: int, rounds: int) -> list[list[list[int]]]:
    """Round-robin pairs: n - 1 perfect rounds for even n; for odd n the one who sits out joins a pair."""
    out = []
    if n % 2 == 0:
        m = n - 1
        for r in range(rounds):
            t = r % m
            out.append([[n - 1, t]] + [[(t + i) % m, (t - i) % m] for i in range(1, n // 2)])
    else:
        for r in range(rounds):
            t = r % n
            pairs = [[(t + i) % n, (t - i) % n] for i in range(1, (n - 1) // 2 + 1)]
            pairs[(t // 2) % len(pairs)].append(t)
            out.append(pairs)
    return out


def _transversal(k: int, q: int, n: int, rounds: int) -> list[list[list[int]]]:
    """A resolvable transversal design on k types of q slots (slot i*q + x), people in the first n.

    Round a, group b holds slot (i, a*i + b) of each type i, over GF(q): two slots of different
    types share exactly one group across the q rounds, slots of one type never do. The last
    k*q - n slots of type 0 are left empty (each in its own group), so groups hold k or k - 1.
    One more round, everyone with their own type, is added when the types split into the sizes.
    """
    field = _Field(q)
    out = []
    for a in range(min(rounds, q)):
        row = [field.mul(a, i) for i in range(k)]
        groups = [[i * q + field.add(row[i], b) for i in range(k)] for b in range(q)]
        out.append([[s for s in group if s < n] for group in groups])
    if rounds > q:
        extra = _split_types(k, q, n)
        if extra is not None:
            out.append(extra)
    return out


def _split_types(k: int, q: int, n: int) -> list[list[int]] | None:
    """One round in which everyone is grouped with their own type only, in q groups of k and k - 1."""
    big = n - (k - 1) * q  # groups of k
    counts = [min(q, max(0, n - i * q)) for i in range(k)]
    options = []
    for c in counts:
        opts = [(a, (c - a * k) // (k - 1)) for a in range(c // k + 1) if (c - a * k) % (k - 1) == 0]
        options.append(opts)
    plan: list[tuple[int, int]] = []

    def search(i: int, bigs: int) -> bool:
        if i == k:
            return bigs == big
        for a, b in options[i]:
            plan.append((a, b))
            if search(i + 1, bigs + a):
                return True
            plan.pop()
        return False

    if not search(0, 0):
        return None
    groups = []
    for i, (a, b) in enumerate(plan):
        slots = list(range(i * q, i * q + counts[i]))
        for length in [k] * a + [k - 1] * b:
            groups.append(slots[:length])
            slots = slots[length:]
    return groups


def _clean_prefix(rounds: list[list[list[int]]]) -> int:
    """How many leading rounds have no pair meeting twice."""
    seen: set[tuple[int, int]] = set()
    for r, groups in enumerate(rounds):
        for group in groups:
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    pair = (a, b) if a < b else (b, a)
                    if pair in seen:
                        return r
                    seen.add(pair)
    return len(rounds)


def _construction(sizes: list[int], n: int, rounds: int) -> list[list[list[int]]]:
    """Rounds over slots 0..n-1 from a known construction, or [] when none fits these sizes."""
    g, k = len(sizes), sizes[0]
    candidates = []
    if g > 1 and sizes.count(3) + sizes.count(2) == g and sizes.count(3) == n % 2:
        candidates.append(_circle_method(n, rounds))
    if 2 < g <= 512 and k <= g and _prime_power(g):
        candidates.append(_transversal(k, g, n, rounds))
    if sizes.count(k) == g:
        complete = _resolvable(k, n, rounds)
        if complete:
            candidates.append(complete)
    elif sizes.count(k) == g - 1 and sizes[-1] == k - 1:  # one short of a complete design: leave slot n empty
        complete = _resolvable(k, n + 1, rounds)
        if complete:
            candidates.append([[[s for s in group if s < n] for group in groups] for groups in complete])
    if not candidates:
        return []
    return max(candidates, key=lambda c: (min(_clean_prefix(c), rounds), len(c)))


def _map_slots(room: _Room, rounds: list[list[list[int]]], rng: random.Random, deadline: float) -> list[int]:
    """Who takes which slot of a construction: constraints and history met where the design allows."""
    n = room.n
    person = list(range(n))
    rng.shuffle(person)  # slot -> person
    slot_of = [0] * n
    for s, p in enumerate(person):
        slot_of[p] = s
    edges: list[list[tuple[int, int]]] = [[] for _ in range(n)]  # (other, kind): kind -1 apart, -2 together, h >= 1
    for a, b in room.apart_pairs:
        edges[a].append((b, -1))
        edges[b].append((a, -1))
    for a, b in room.together_pairs:
        edges[a].append((b, -2))
        edges[b].append((a, -2))
    for a in range(n):
        for b in _bits(room.hist_met1[a]):
            if not room.block_mask[a] >> b & 1 and not room.apart_mask[a] >> b & 1:
                edges[a].append((b, room.hist[a][b]))
    busy = [p for p in range(n) if edges[p]]
    if not busy:
        return person
    meet = [[0] * n for _ in range(n)]  # how often two slots share a group in the design
    for groups in rounds:
        for group in groups:
            for i, s in enumerate(group):
                for t in group[i + 1 :]:
                    meet[s][t] += 1
                    meet[t][s] += 1
    used = len(rounds)

    def cost(p: int, q: int, kind: int) -> int:
        m = meet[slot_of[p]][slot_of[q]]
        if kind == -1:
            return 1000 * m
        if kind == -2:
            return 1000 * (used - m)
        return _f(kind + m) - _f(kind)

    def local(p: int, q: int) -> int:
        total = sum(cost(p, o, k) for o, k in edges[p])
        return total + sum(cost(q, o, k) for o, k in edges[q] if o != p)

    for step in range(min(20_000, 200 * len(busy))):
        if step % 256 == 0 and time.perf_counter() > deadline:
            break
        p, q = rng.choice(busy), rng.randrange(n)
        if p == q:
            continue
        before = local(p, q)
        slot_of[p], slot_of[q] = slot_of[q], slot_of[p]
        if local(p, q) > before:
            slot_of[p], slot_of[q] = slot_of[q], slot_of[p]
    for p in range(n):
        person[slot_of[p]] = p
    return person
