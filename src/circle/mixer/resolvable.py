"""Complete resolvable designs: every pair of v people meets exactly once, in rounds of equal groups.

A resolvable design with blocks of k on v points has (v - 1) / (k - 1) parallel classes
(rounds), each a partition of the points into groups of k, and every pair of points shares
exactly one group. Nothing can do better: after those rounds everyone has met everyone.

- Affine geometry AG(m, q) over GF(q): v = q^m in groups of q, the lines of each direction
  being a round. This is KTS(9), KTS(27), KTS(81), AG(2,4) (16 in fours), AG(3,4) (64 in
  fours), 25 and 125 in fives, 49 in sevens.
- Kirkman triple systems KTS(3q) for q = 6t + 1 a prime power (21, 39, 57, 75, 93, ...):
  points GF(q) x {0, 1, 2}, one base round developed over GF(q) and 3t rounds that are each
  the translates of one transversal triple (the cyclotomic construction over the cube roots
  of unity, after Ray-Chaudhuri and Wilson).
- The tabled orders of :mod:`.kirkman`: a base round over Z_m x levels (and a fixed point),
  developed by adding 1 mod m; found once by a search and checked by the tests.

Slots are numbered 0..v-1: point (x, level j) is slot j*m + x, the fixed point is slot v - 1.
"""

from __future__ import annotations

from functools import lru_cache

from circle.mixer.fields import _prime_power, _primitive, _tables
from circle.mixer.kirkman import _TABLE

Rounds = list[list[list[int]]]


def _affine(q: int, m: int) -> Rounds:
    """AG(m, q): the points of GF(q)^m, a round for each direction, its lines the groups."""
    add, mul = _tables(q)
    v = q**m

    def vector(x: int) -> list[int]:
        return [(x // q**i) % q for i in range(m)]

    def number(digits: list[int]) -> int:
        return sum(d * q**i for i, d in enumerate(digits))

    points = [vector(x) for x in range(v)]
    out = []
    for d in range(1, v):
        direction = points[d]
        if direction[max(i for i in range(m) if direction[i])] != 1:
            continue  # one direction per line through the origin: highest coordinate 1
        steps = [[mul[c][a] for a in direction] for c in range(q)]
        seen = [False] * v
        groups = []
        for x in range(v):
            if seen[x]:
                continue
            base = points[x]
            line = [number([add[b][s] for b, s in zip(base, step, strict=True)]) for step in steps]
            for y in line:
                seen[y] = True
            groups.append(line)
        out.append(groups)
    return out


def _kirkman_3q(q: int) -> Rounds:
    """KTS(3q), q = 6t + 1 a prime power: (3q - 1) / 2 rounds of triples on GF(q) x {0, 1, 2}."""
    t = (q - 1) // 6
    add, mul = _tables(q)
    g = _primitive(q, mul)
    power = [1]
    for _ in range(2 * (q - 1)):  # g^e for e < 2(q - 1): exponents need no reduction
        power.append(mul[power[-1]][g])

    def slot(x: int, level: int) -> int:
        return level * q + x

    base = [[slot(0, 0), slot(0, 1), slot(0, 2)]]
    for i in range(t):
        for level in range(3):
            base.append([slot(power[i + 2 * t * c], level) for c in range(3)])
    transversal = [[slot(power[i], 0), slot(power[i + 2 * t], 1), slot(power[i + 4 * t], 2)] for i in range(6 * t)]
    base += [transversal[i] for i in range(6 * t) if (i // t) % 2 == 1]

    def shift(block: list[int], s: int) -> list[int]:
        return [(p // q) * q + add[p % q][s] for p in block]

    out = [[shift(block, s) for block in base] for s in range(q)]
    for i in range(6 * t):
        if (i // t) % 2 == 0:
            out.append([shift(transversal[i], s) for s in range(q)])
    return out


def _developed(m: int, levels: int, base: list[list[int]], orbits: list[list[int]]) -> Rounds:
    """A base round over Z_m x levels (point j*m + x; -1 the fixed point) developed mod m,
    and one round for each of ``orbits``: the translates of one block that meets each level once."""
    infinity = m * levels

    def shift(block: list[int], s: int) -> list[int]:
        return [infinity if p < 0 else (p // m) * m + (p % m + s) % m for p in block]

    out = [[shift(block, s) for block in base] for s in range(m)]
    for block in orbits:
        out.append([shift(block, s) for s in range(m)])
    return out


@lru_cache(maxsize=64)
def _complete(k: int, v: int) -> tuple[tuple[tuple[int, ...], ...], ...] | None:
    """A complete resolvable design of v points in groups of k, if one is known here."""
    rounds: Rounds | None = None
    pm = _prime_power(k)
    if pm is not None:
        m = 1
        while k**m < v:
            m += 1
        if k**m == v and m >= 2:
            rounds = _affine(k, m)
    if rounds is None and k == 3 and v % 3 == 0:
        q = v // 3
        if q % 6 == 1 and _prime_power(q):
            rounds = _kirkman_3q(q)
    if rounds is None and (k, v) in _TABLE:
        m, levels, base, orbits = _TABLE[k, v]
        rounds = _developed(m, levels, base, orbits)
    if rounds is None:
        return None
    return tuple(tuple(tuple(group) for group in groups) for groups in rounds)


def _resolvable(k: int, v: int, rounds: int) -> Rounds:
    """Up to ``rounds`` rounds of a complete resolvable design on v slots in groups of k, or []."""
    if k < 3 or v % k or v <= k or v > 512:
        return []
    design = _complete(k, v)
    if design is None:
        return []
    return [[list(group) for group in groups] for groups in design[:rounds]]
