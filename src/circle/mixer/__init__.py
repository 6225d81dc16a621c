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
with one extra round gives the famous 32 people in groups of 4 for 9 rounds), mapped onto
the people so the constraints and the history are respected where possible, rounds built
greedily after it, then a tabu search over all rounds together: swaps of two people in
one round, chosen among those that touch a repeat, with the change in repeats computed
incrementally from bitsets of who has met whom. Deterministic for a given seed as long as
the search ends by itself (no repeats left, a proven optimum, or ``max_steps``); when the
time limit stops it the result depends on the machine's speed.

Pure: standard library only, no terminal UI, no database.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from circle.core.errors import CircleError
from circle.core.names import name_key

Rounds = list[list[list[str]]]

__all__ = ["Mix", "MixError", "count_repeats", "group_sizes", "mix", "regroup_round"]


class MixError(CircleError, ValueError):
    """The input cannot be mixed; the message is one line, fit to show to a facilitator."""


@dataclass(frozen=True)
class Mix:
    """A plan of rounds; ``rounds[r][g]`` is group ``g`` of round ``r``, names in the order given."""

    rounds: Rounds
    repeats: int  # see the module docstring; count_repeats(rounds, history) gives the same number
    seconds: float
    optimal: bool  # no repeats, or as few as any plan of this room can have (repeats == lower_bound)
    lower_bound: int = 0  # no plan for this room, these constraints and this history has fewer repeats


# -- sizes --------------------------------------------------------------------------------


def group_sizes(n: int, size: int) -> list[int]:
    """How ``n`` people split into groups of about ``size``: sizes differ by at most one, largest first.

    Groups of ``size`` and ``size - 1`` where that works (30 in fours: six 4s and two 3s); never a
    group of one, and a few groups of ``size + 1`` rather than a group much smaller than asked
    (5 people in fours: one group of 5, not 3 + 2; 7 in pairs: a trio and two pairs).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise MixError("no one is present")
    if isinstance(size, bool) or not isinstance(size, int) or size < 2:
        raise MixError(f"group size must be at least 2 (got {size})")
    if size > n:
        raise MixError(f"group size {size} is larger than the room ({n} {'person' if n == 1 else 'people'})")
    best: tuple[int, list[int]] | None = None
    for groups in sorted({-(-n // size), n // size}, reverse=True):  # more, smaller groups win ties
        low, extra = divmod(n, groups)
        sizes = [low + 1] * extra + [low] * (groups - extra)
        if sizes[-1] < 2:
            continue
        deviation = max(abs(s - size) for s in sizes)
        if best is None or deviation < best[0]:
            best = (deviation, sizes)
    assert best is not None  # n // size groups always have at least `size` people each
    return best[1]


# -- counting -----------------------------------------------------------------------------


def _clean(name: object) -> str:
    if not isinstance(name, str):
        raise MixError(f"names must be text (got {name!r})")
    return " ".join(name.split())


def _key(name: object) -> str:
    return name_key(_clean(name))


def _groups_of(rounds: object, what: str) -> Iterable[list[str]]:
    if isinstance(rounds, str | bytes):
        raise MixError(f"{what} must be a list of rounds, each a list of groups of names")
    for rnd in rounds:  # type: ignore[union-attr]
        if isinstance(rnd, str | bytes):
            raise MixError(f"{what} must be a list of rounds, each a list of groups of names")
        for group in rnd:
            if isinstance(group, str | bytes):
                raise MixError(f"{what}: a group must be a list of names (got {group!r})")
            yield [_key(name) for name in group]


def _meetings(rounds: object, what: str) -> dict[tuple[str, str], int]:
    met: dict[tuple[str, str], int] = {}
    for group in _groups_of(rounds, what):
        members = sorted(set(group))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                met[a, b] = met.get((a, b), 0) + 1
    return met


def count_repeats(rounds: Sequence[Sequence[Sequence[str]]], history: Sequence = ()) -> int:
    """Meetings of a pair who had met before, in ``history`` or an earlier round of ``rounds``.

    That is the sum over pairs of ``max(0, meetings - 1)``, meetings in the history included,
    less the same sum over the history alone (repeats there are not this plan's doing).
    Names match ignoring case and extra spaces, as :func:`mix` matches them.
    """
    past = _meetings(history, "history")
    now = _meetings(rounds, "rounds")
    return sum(m if past.get(pair, 0) else m - 1 for pair, m in now.items())


# -- the problem, checked -----------------------------------------------------------------


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _f(meetings: int) -> int:
    return meetings - 1 if meetings > 1 else 0


class _Room:
    """The validated input, as small integers and bitmasks."""

    def __init__(self, people, size, rounds, apart, together, history) -> None:
        if isinstance(rounds, bool) or not isinstance(rounds, int):
            raise MixError(f"rounds must be a whole number (got {rounds!r})")
        if rounds < 1:
            raise MixError(f"rounds must be at least 1 (got {rounds})")
        if isinstance(people, str | bytes):
            raise MixError("people must be a list of names")
        names = [_clean(p) for p in people]
        if not names:
            raise MixError("no one is present")
        if any(not name for name in names):
            raise MixError("a name is blank")
        index: dict[str, int] = {}
        for i, name in enumerate(names):
            if name_key(name) in index:
                raise MixError(f"'{name}' is named twice; add an initial to tell them apart")
            index[name_key(name)] = i
        self.names, self.index = names, index
        n = self.n = len(names)
        self.sizes = group_sizes(n, size)
        self.R = rounds
        g = len(self.sizes)

        apart_pairs = self._pairs(apart, "keep-apart")
        together_pairs = self._pairs(together, "keep-together")
        parent = list(range(n))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for a, b in together_pairs:
            parent[root(a)] = root(b)
        blocks: dict[int, list[int]] = {}
        for p in range(n):
            blocks.setdefault(root(p), []).append(p)
        self.blocks = sorted(blocks.values())
        self.block_of = [0] * n
        self.block_mask = [0] * n
        for b, members in enumerate(self.blocks):
            mask = sum(1 << p for p in members)
            for p in members:
                self.block_of[p], self.block_mask[p] = b, mask
        self.single = [len(self.blocks[self.block_of[p]]) == 1 for p in range(n)]
        direct = {frozenset(pair) for pair in together_pairs}
        self.apart_mask = [0] * n
        for a, b in apart_pairs:
            if self.block_of[a] == self.block_of[b]:
                if frozenset((a, b)) in direct:
                    raise MixError(f"{names[a]} and {names[b]} are kept both apart and together")
                chain = [names[p] for p in self.blocks[self.block_of[a]]]
                raise MixError(
                    f"{names[a]} and {names[b]} are kept apart, "
                    f"but keep-together puts them in one group ({_join(chain)})"
                )
            self.apart_mask[a] |= 1 << b
            self.apart_mask[b] |= 1 << a
        self.apart_pairs = sorted({(min(a, b), max(a, b)) for a, b in apart_pairs})
        self.together_pairs = sorted(
            {(a, b) for block in self.blocks for i, a in enumerate(block) for b in block[i + 1 :]}
        )
        biggest = self.sizes[0]
        for block in self.blocks:
            if len(block) > biggest:
                raise MixError(
                    f"{_join([names[p] for p in block])} must stay together, "
                    f"but no group here holds more than {biggest}"
                )
        self.block_apart = [0] * len(self.blocks)
        for b, block in enumerate(self.blocks):
            for p in block:
                self.block_apart[b] |= self.apart_mask[p]
        self.constrained = bool(apart_pairs or together_pairs)
        if self.constrained:
            self._check_feasible(g)

        self.hist = [[0] * n for _ in range(n)]
        for group in _groups_of(history, "history"):
            present = sorted({index[k] for k in group if k in index})
            for i, a in enumerate(present):
                for b in present[i + 1 :]:
                    self.hist[a][b] += 1
                    self.hist[b][a] += 1
        self.hist_met1 = [0] * n
        self.hist_met2 = [0] * n
        self.hist_cost = 0
        for p in range(n):
            row = self.hist[p]
            for q in range(n):
                if row[q] >= 1:
                    self.hist_met1[p] |= 1 << q
                    if row[q] >= 2:
                        self.hist_met2[p] |= 1 << q
                    if q > p:
                        self.hist_cost += _f(row[q])
        self.lower_bound = self._lower_bound()

    def _pairs(self, pairs, what: str) -> list[tuple[int, int]]:
        if isinstance(pairs, str | bytes):
            raise MixError(f"{what} pairs must be a list of (name, name) pairs")
        out = []
        for pair in pairs:
            members = pair.split(",") if isinstance(pair, str) else list(pair)
            members = [_clean(m) for m in members]
            if len(members) != 2 or not all(members):
                raise MixError(f"a {what} pair needs two names (got {', '.join(members) or 'none'})")
            ids = []
            for name in members:
                i = self.index.get(name_key(name))
                if i is None:
                    raise MixError(f"{name} is in a {what} pair but is not present")
                ids.append(i)
            if ids[0] == ids[1]:
                raise MixError(f"a {what} pair names {self.names[ids[0]]} twice")
            out.append((ids[0], ids[1]))
        return out

    def _check_feasible(self, g: int) -> None:
        names, n, smallest = self.names, self.n, self.sizes[-1]
        clique = self._apart_clique()
        if len(clique) > g:
            who = _join([names[self.blocks[b][0]] for b in clique])
            there = "is only 1 group" if g == 1 else f"are only {g} groups"
            every = "" if len(clique) == 2 else "all "
            raise MixError(f"{who} must {every}be in different groups, but there {there}")
        for b, block in enumerate(self.blocks):
            mask = self.block_mask[block[0]]
            banned = (self.block_apart[b] & ~mask).bit_count()
            others = n - len(block)
            if others - banned < smallest - len(block):
                who = _join([names[p] for p in block])
                verb = "is" if len(block) == 1 else "are"
                raise MixError(
                    f"{who} {verb} kept apart from {banned} of the {others} others, "
                    f"too many to fill a group of {smallest}"
                )
        placed, settled = self._dfs(budget=200_000)
        if placed is None and settled:
            sizes = ", ".join(map(str, self.sizes))
            raise MixError(f"the keep-apart and keep-together pairs cannot all hold in groups of {sizes}")
        if placed is None:
            raise MixError("could not find groups that honour every keep-apart and keep-together pair; drop some")

    def _block_graph(self) -> list[set[int]]:
        adj: list[set[int]] = [set() for _ in self.blocks]
        for a, b in self.apart_pairs:
            x, y = self.block_of[a], self.block_of[b]
            adj[x].add(y)
            adj[y].add(x)
        return adj

    def _apart_clique(self) -> list[int]:
        """A large set of blocks that must all be in different groups (greedy, for the message)."""
        adj = self._block_graph()
        best: list[int] = []
        for v in sorted(range(len(adj)), key=lambda v: -len(adj[v])):
            if len(adj[v]) < len(best):
                break
            clique = [v]
            for w in sorted(adj[v], key=lambda w: -len(adj[w])):
                if all(w in adj[u] for u in clique):
                    clique.append(w)
            if len(clique) > len(best):
                best = clique
        return best

    def constrained_units(self) -> list[int]:
        """Blocks that a plain swap cannot place: groups of people kept together, and anyone kept apart."""
        return [b for b, block in enumerate(self.blocks) if len(block) > 1 or self.block_apart[b]]

    def _dfs(self, budget: int, order: list[int] | None = None) -> tuple[list[int] | None, bool]:
        """Place the constrained blocks in groups, honouring every constraint: (group of each, settled).

        ``settled`` is False when the budget ran out before an answer. The free people fill what is left.
        """
        units = order if order is not None else self.constrained_units()
        if order is None:
            degree = [len(s) for s in self._block_graph()]
            units.sort(key=lambda b: (-len(self.blocks[b]), -degree[b]))
        sizes = self.sizes
        g = len(sizes)
        cap, masks = list(sizes), [0] * g
        assign = [-1] * len(units)
        options: list[list[int] | None] = [None] * len(units)
        i, nodes = 0, 0
        while 0 <= i < len(units):
            b = units[i]
            length, mask = len(self.blocks[b]), self.block_mask[self.blocks[b][0]]
            if options[i] is None:
                nodes += 1
                if nodes > budget:
                    return None, False
                seen: set[int] = set()
                opts = []
                for gi in range(g):
                    if cap[gi] < length or self.block_apart[b] & masks[gi]:
                        continue
                    if masks[gi] == 0:  # empty groups of one capacity are interchangeable
                        if cap[gi] in seen:
                            continue
                        seen.add(cap[gi])
                    opts.append(gi)
                options[i] = opts[::-1]
            if assign[i] >= 0:
                gi = assign[i]
                cap[gi] += length
                masks[gi] ^= mask
                assign[i] = -1
            remaining = options[i]
            assert remaining is not None
            if remaining:
                gi = remaining.pop()
                assign[i] = gi
                cap[gi] -= length
                masks[gi] |= mask
                i += 1
            else:
                options[i] = None
                i -= 1
        if i < 0:
            return None, True
        where = [-1] * len(self.blocks)
        for b, gi in zip(units, assign, strict=True):
            where[b] = gi
        return where, True

    def _lower_bound(self) -> int:
        """Fewest repeats any plan can have (same scale as ``repeats``): forced and counting bounds."""
        n, R, sizes, hist = self.n, self.R, self.sizes, self.hist
        smallest = sizes[-1]
        person_total = 0
        for p in range(n):
            fixed = rest_f = rest_h = rest_n = 0
            for q in range(n):
                if q == p:
                    continue
                h = hist[p][q]
                if self.apart_mask[p] >> q & 1:
                    fixed += _f(h)
                elif self.block_mask[p] >> q & 1:
                    fixed += _f(h + R)
                else:
                    rest_f += _f(h)
                    rest_h += h
                    rest_n += 1
            block = len(self.blocks[self.block_of[p]])
            meetings = R * max(0, smallest - block)
            person_total += fixed + max(rest_f, meetings + rest_h - rest_n)
        fixed = rest_f = rest_h = rest_n = 0
        block_pairs = 0
        for p in range(n):
            for q in range(p + 1, n):
                h = hist[p][q]
                if self.apart_mask[p] >> q & 1:
                    fixed += _f(h)
                elif self.block_mask[p] >> q & 1:
                    fixed += _f(h + R)
                    block_pairs += 1
                else:
                    rest_f += _f(h)
                    rest_h += h
                    rest_n += 1
        meetings = R * (sum(s * (s - 1) // 2 for s in sizes) - block_pairs)
        global_total = fixed + max(rest_f, meetings + rest_h - rest_n)
        total = max(global_total, -(-person_total // 2))
        # Any two rounds: a group of s people spread over g groups of the other round puts at least
        # sum C(a_i, 2) pairs (a_i as even as can be) together twice. Those pairs are repeats, and
        # a plan's repeats (less the history's own) are at least the repeats of its rounds alone.
        pairs_twice = 0
        if R >= 2:
            g = len(sizes)
            for s in sizes:
                q, r = divmod(s, g)
                pairs_twice += r * (q + 1) * q // 2 + (g - r) * q * (q - 1) // 2
        return max(0, total - self.hist_cost, pairs_twice)


# -- constructions ------------------------------------------------------------------------


def _prime_power(q: int) -> tuple[int, int] | None:
    if q < 2:
        return None
    p = next(d for d in range(2, q + 1) if q % d == 0)
    m, rest = 0, q
    while rest % p == 0:
        rest //= p
        m += 1
    return (p, m) if rest == 1 else None


def _poly_mod(a: list[int], mod: list[int], p: int) -> list[int]:
    a = list(a)
    while len(a) >= len(mod):
        c = a[-1]
        if c:
            shift = len(a) - len(mod)
            for i, m in enumerate(mod):
                a[shift + i] = (a[shift + i] - c * m) % p
        a.pop()
    return a


def _irreducible(p: int, m: int) -> list[int]:
    """A monic irreducible polynomial of degree m over GF(p), coefficients lowest first."""

    def monic(degree: int):
        for k in range(p**degree):
            yield [(k // p**i) % p for i in range(degree)] + [1]

    for poly in monic(m):
        if poly[0] == 0:
            continue
        if all(any(_poly_mod(poly, d, p)) for degree in range(1, m // 2 + 1) for d in monic(degree)):
            return poly
    raise AssertionError(f"no irreducible polynomial of degree {m} over GF({p})")  # there always is one


class _Field:
    """GF(q) on 0..q-1: the base-p digits of an element are its polynomial's coefficients."""

    def __init__(self, q: int) -> None:
        pm = _prime_power(q)
        assert pm is not None
        self.q, (self.p, self.m) = q, pm
        self.poly = _irreducible(self.p, self.m) if self.m > 1 else []

    def _digits(self, a: int) -> list[int]:
        return [(a // self.p**i) % self.p for i in range(self.m)]

    def _number(self, digits: list[int]) -> int:
        return sum(d * self.p**i for i, d in enumerate(digits))

    def add(self, a: int, b: int) -> int:
        if self.m == 1:
            return (a + b) % self.p
        return self._number([(x + y) % self.p for x, y in zip(self._digits(a), self._digits(b), strict=True)])

    def mul(self, a: int, b: int) -> int:
        if self.m == 1:
            return a * b % self.p
        x, y = self._digits(a), self._digits(b)
        product = [0] * (2 * self.m - 1)
        for i, u in enumerate(x):
            if u:
                for j, v in enumerate(y):
                    product[i + j] = (product[i + j] + u * v) % self.p
        reduced = _poly_mod(product, self.poly, self.p)
        return self._number(reduced + [0] * (self.m - len(reduced)))


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
    if not candidates:
        return []
    return max(candidates, key=lambda c: (min(_clean_prefix(c), rounds), len(c)))


# -- search -------------------------------------------------------------------------------


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


class _Search:
    """All rounds at once: who is where, how often each pair meets, and the swaps between them."""

    def __init__(self, room: _Room, rng: random.Random) -> None:
        self.room, self.rng = room, rng
        self.reset()

    def reset(self) -> None:
        room = self.room
        self.M = [list(row) for row in room.hist]
        self.met1 = list(room.hist_met1)  # bit q of met1[p]: p and q have met; of met2[p]: twice or more
        self.met2 = list(room.hist_met2)
        self.cost = room.hist_cost  # the sum over pairs of max(0, meetings - 1), history included
        self.groups: list[list[list[int]]] = []
        self.where: list[list[int]] = []
        self.gmask: list[list[int]] = []

    # meetings, kept with the bitsets of who has met whom once and twice or more
    def _inc(self, a: int, b: int) -> None:
        old = self.M[a][b]
        self.M[a][b] = self.M[b][a] = old + 1
        if old == 0:
            self.met1[a] |= 1 << b
            self.met1[b] |= 1 << a
        else:
            self.cost += 1
            if old == 1:
                self.met2[a] |= 1 << b
                self.met2[b] |= 1 << a

    def _dec(self, a: int, b: int) -> None:
        old = self.M[a][b]
        self.M[a][b] = self.M[b][a] = old - 1
        if old == 1:
            self.met1[a] &= ~(1 << b)
            self.met1[b] &= ~(1 << a)
        else:
            self.cost -= 1
            if old == 2:
                self.met2[a] &= ~(1 << b)
                self.met2[b] &= ~(1 << a)

    def add_round(self, groups: list[list[int]]) -> None:
        where = [0] * self.room.n
        masks = []
        for gi, group in enumerate(groups):
            mask = 0
            for i, a in enumerate(group):
                where[a] = gi
                mask |= 1 << a
                for b in group[i + 1 :]:
                    self._inc(a, b)
            masks.append(mask)
        self.groups.append(groups)
        self.where.append(where)
        self.gmask.append(masks)

    def load(self, rounds: list[list[list[int]]]) -> None:
        self.reset()
        for groups in rounds:
            self.add_round([list(g) for g in groups])

    def snapshot(self) -> list[list[list[int]]]:
        return [[list(g) for g in groups] for groups in self.groups]

    def swap(self, r: int, x: int, y: int) -> None:
        """x and y (in different groups of round r) trade places."""
        where = self.where[r]
        a, b = where[x], where[y]
        group_a, group_b = self.groups[r][a], self.groups[r][b]
        for z in group_a:
            if z != x:
                self._dec(x, z)
                self._inc(y, z)
        for w in group_b:
            if w != y:
                self._dec(y, w)
                self._inc(x, w)
        group_a[group_a.index(x)] = y
        group_b[group_b.index(y)] = x
        where[x], where[y] = b, a
        flip = (1 << x) | (1 << y)
        self.gmask[r][a] ^= flip
        self.gmask[r][b] ^= flip

    # building rounds
    def build_round(self, prefer: list[int] | None = None) -> list[list[int]]:
        """One round honouring every constraint, each unit where it prefers or where it has met fewest."""
        room, rng = self.room, self.rng
        for _attempt in range(3):
            groups = self._greedy(prefer, None)
            if groups is not None:
                return groups
            prefer = None
        order = room.constrained_units()
        rng.shuffle(order)
        order.sort(key=lambda b: -len(room.blocks[b]))
        placed, _ = room._dfs(budget=200_000, order=order)
        if placed is None:  # the room passed this check when it was built; shuffled, try the usual order
            placed, _ = room._dfs(budget=2_000_000)
        assert placed is not None, "a feasible round exists"
        groups = self._greedy(None, placed)
        assert groups is not None
        return groups

    def _greedy(self, prefer: list[int] | None, placed: list[int] | None) -> list[list[int]] | None:
        """Constrained units first (where placed or preferred, else where they have met fewest), then the rest."""
        room, rng, met1 = self.room, self.rng, self.met1
        sizes = room.sizes
        g = len(sizes)
        cap, masks = list(sizes), [0] * g
        groups: list[list[int]] = [[] for _ in sizes]
        units = room.constrained_units()
        rng.shuffle(units)
        units.sort(key=lambda b: (-len(room.blocks[b]), -room.block_apart[b].bit_count()))
        for b in units:
            block = room.blocks[b]
            length, forbid = len(block), room.block_apart[b]
            choice = -1
            if placed is not None and placed[b] >= 0:
                choice = placed[b]
            elif prefer is not None:
                votes = [prefer[p] for p in block]
                favourite = max(votes, key=votes.count)
                if cap[favourite] >= length and not forbid & masks[favourite]:
                    choice = favourite
            if choice < 0:
                best, ties = None, 0
                for gi in range(g):
                    if cap[gi] < length or forbid & masks[gi]:
                        continue
                    score = sum((met1[p] & masks[gi]).bit_count() for p in block)
                    if best is None or score < best:
                        best, ties, choice = score, 1, gi
                    elif score == best:
                        ties += 1
                        if rng.randrange(ties) == 0:
                            choice = gi
                if choice < 0:
                    return None
            cap[choice] -= length
            for p in block:
                masks[choice] |= 1 << p
                groups[choice].append(p)
        constrained = set()
        for b in units:
            constrained.update(room.blocks[b])
        free = [p for p in range(room.n) if p not in constrained]
        if prefer is not None:
            rest = []
            for p in free:
                gi = prefer[p]
                if cap[gi] > 0:
                    cap[gi] -= 1
                    masks[gi] |= 1 << p
                    groups[gi].append(p)
                else:
                    rest.append(p)
            free = rest
        self._fill(groups, masks, cap, free)
        return groups

    def _fill(self, groups: list[list[int]], masks: list[int], cap: list[int], free: list[int]) -> None:
        """Fill the groups with people free of constraints, one group at a time.

        Next into a group goes, of those who have met no one in it, the one with the fewest unmet
        people left (the hardest to place later), ties broken by what the group can still take: the
        people who have met none of it (its freedom, after Triska and Musliu). When everyone has met
        someone in it: whoever has met fewest of it. Large rooms look at a sample of candidates.
        """
        rng, met1 = self.rng, self.met1
        unplaced = 0
        for p in free:
            unplaced |= 1 << p
        order = sorted(range(len(groups)), key=lambda gi: (not groups[gi], gi))
        for gi in order:
            seen = 0
            for p in groups[gi]:
                seen |= met1[p]
            while cap[gi] > 0:
                compatible = unplaced & ~seen
                if compatible:
                    candidates = _bits(compatible)
                    if len(candidates) > 96:
                        candidates = rng.sample(candidates, 96)
                    if groups[gi]:
                        scores = [
                            1000 * (unplaced & ~met1[c]).bit_count() - (compatible & ~met1[c]).bit_count()
                            for c in candidates
                        ]
                    else:
                        scores = [(unplaced & ~met1[c]).bit_count() for c in candidates]
                else:
                    candidates = _bits(unplaced)
                    if len(candidates) > 96:
                        candidates = rng.sample(candidates, 96)
                    scores = [(met1[c] & masks[gi]).bit_count() for c in candidates]
                low = min(scores)
                ties = [c for c, v in zip(candidates, scores, strict=True) if v == low]
                c = ties[rng.randrange(len(ties))] if len(ties) > 1 else ties[0]
                groups[gi].append(c)
                masks[gi] |= 1 << c
                seen |= met1[c]
                unplaced &= ~(1 << c)
                cap[gi] -= 1

    def violates(self, groups: list[list[int]]) -> bool:
        room = self.room
        if not room.constrained:
            return False
        where = {p: gi for gi, group in enumerate(groups) for p in group}
        if any(where[a] == where[b] for a, b in room.apart_pairs):
            return True
        return any(where[a] != where[b] for a, b in room.together_pairs)

    # the tabu search; settings tuned on rooms with no construction (30/5/5, 24/4/6, 28/4/7, 18/3/7, 21/3/9)
    TENURE = (1, 3)  # a person moved out of a group may not go back for this many steps (random in the range)
    SAMPLE = 24  # at most this many (round, person) conflicts are looked at per step
    STALL = 1500  # steps without a better plan before going back to the best of this run and shaking it
    SHAKE = 8  # ... with n // SHAKE random swaps
    FRESH = 2  # every FRESH-th stall starts a new run from freshly built rounds instead
    PATIENCE = 2000  # give up after PATIENCE * n steps without a better plan (small rooms end early)

    def tabu(self, deadline: float, max_steps: int | None) -> None:
        """Swap two people of one round, one of them meeting someone again, the best swap first."""
        room, rng = self.room, self.rng
        n, R = room.n, room.R
        target = room.lower_bound + room.hist_cost
        best_cost, best = self.cost, self.snapshot()
        if best_cost <= target or len(room.sizes) < 2:
            return
        big = 1 << 20
        single, apart, has_apart = room.single, room.apart_mask, any(room.apart_mask)
        others = [~m for m in room.block_mask]
        blocked = [0 if s else big for s in single]  # people kept together move only as a block
        blocks_present = not all(single)
        met1, met2 = self.met1, self.met2
        tabu: dict[tuple[int, int, int], int] = {}
        low, high = self.TENURE
        high += n // 100
        people = range(n)
        step, last_best, idle, stalls, last_global = 0, 0, 0, 0, 0
        patience = self.PATIENCE * n
        run_cost, run_best = best_cost, best
        while self.cost > target:
            if max_steps is not None and step >= max_steps:
                break
            if time.perf_counter() >= deadline or step - last_global > patience:
                break
            step += 1
            conflicts = []
            for r in range(R):
                masks = self.gmask[r]
                for gi, group in enumerate(self.groups[r]):
                    mask = masks[gi]
                    for x in group:
                        if met2[x] & mask & others[x]:
                            conflicts.append((r, x))
            sampled = len(conflicts) > self.SAMPLE
            if sampled:
                conflicts = rng.sample(conflicts, self.SAMPLE)
            best_delta, moves, waiting = None, [], False
            aspire = run_cost - self.cost  # a tabu swap is taken anyway when it beats the best so far
            leave: dict[int, list[int]] = {}
            for r, x in conflicts:
                if not single[x]:
                    if blocks_present:
                        best_delta = self._block_moves(r, x, best_delta, moves, tabu, step, aspire)
                    continue
                where, masks = self.where[r], self.gmask[r]
                stay = leave.get(r)
                if stay is None:  # what each person of round r stops repeating by leaving their group
                    stay = leave[r] = [(met2[y] & masks[w]).bit_count() - blocked[y] for y, w in enumerate(where)]
                a = where[x]
                mask_a, m1x = masks[a], met1[x]
                join = [(m1x & m).bit_count() for m in masks]
                join[a] = big
                leave_x = (met2[x] & mask_a).bit_count()
                deltas = [
                    join[w] - stay[y] + (met1[y] & mask_a).bit_count() - 2 * (m1x >> y & 1) - leave_x
                    for y, w in enumerate(where)
                ]
                level = None
                for y in sorted(people, key=deltas.__getitem__):
                    delta = deltas[y]
                    if delta >= big // 2 or (best_delta is not None and delta > best_delta):
                        break
                    if level is not None and delta > level:
                        break
                    if has_apart and (apart[x] & masks[where[y]] & ~(1 << y) or apart[y] & mask_a & ~(1 << x)):
                        continue
                    if delta >= aspire and (tabu.get((r, x, where[y]), 0) > step or tabu.get((r, y, a), 0) > step):
                        waiting = True
                        continue
                    level = delta
                    if best_delta is None or delta < best_delta:
                        best_delta, moves = delta, [(r, (x,), (y,))]
                    else:
                        moves.append((r, (x,), (y,)))
            if not moves:
                idle += 1
                if (not sampled and not waiting) or idle > 200:
                    break  # nothing can move
                continue
            idle = 0
            r, xs, ys = moves[rng.randrange(len(moves))] if len(moves) > 1 else moves[0]
            for x, y in zip(xs, ys, strict=True):
                tabu[r, x, self.where[r][x]] = step + rng.randint(low, high)  # x may not go back there for a while
                tabu[r, y, self.where[r][y]] = step + rng.randint(low, high)
                self.swap(r, x, y)
            if self.cost < run_cost:
                run_cost, run_best, last_best = self.cost, self.snapshot(), step
                if run_cost < best_cost:
                    best_cost, best, last_global = run_cost, run_best, step
            elif step - last_best > self.STALL:
                stalls += 1
                if self.FRESH and stalls % self.FRESH == 0:
                    self.reset()
                    for _ in range(R):
                        self.add_round(self.build_round())
                    run_cost, run_best = self.cost, self.snapshot()
                    if run_cost < best_cost:
                        best_cost, best, last_global = run_cost, run_best, step
                else:
                    self.load(run_best)
                    self._perturb(max(2, n // self.SHAKE))
                met1, met2 = self.met1, self.met2
                tabu.clear()
                last_best = step
            if len(tabu) > 50_000:
                tabu = {k: v for k, v in tabu.items() if v > step}
        if self.cost > best_cost:
            self.load(best)

    def _block_moves(self, r, x, best_delta, moves, tabu, step, aspire):
        """Trade x's keep-together block for the same number of people from another group."""
        room, rng = self.room, self.rng
        block = room.blocks[room.block_of[x]]
        where, groups, masks = self.where[r], self.groups[r], self.gmask[r]
        a = where[x]
        block_mask = room.block_mask[x]
        rest_a = masks[a] & ~block_mask
        others = [b for b in range(len(groups)) if b != a]
        rng.shuffle(others)
        for b in others[:8]:
            group = groups[b]
            if len(group) < len(block):
                continue
            options = self._replacements(group, len(block))
            for ys in options:
                y_mask = sum(1 << y for y in ys)
                if room.block_apart[room.block_of[x]] & (masks[b] & ~y_mask):
                    continue
                if any(room.apart_mask[y] & rest_a for y in ys):
                    continue
                before = self.cost
                for u, y in zip(block, ys, strict=True):
                    self.swap(r, u, y)
                delta = self.cost - before
                for u, y in reversed(list(zip(block, ys, strict=True))):
                    self.swap(r, y, u)
                if delta >= aspire and any(tabu.get((r, u, b), 0) > step for u in block):
                    continue
                if best_delta is None or delta < best_delta:
                    best_delta = delta
                    moves[:] = [(r, tuple(block), tuple(ys))]
                elif delta == best_delta:
                    moves.append((r, tuple(block), tuple(ys)))
        return best_delta

    def _replacements(self, group: list[int], length: int) -> list[tuple[int, ...]]:
        """Sets of whole units in a group adding up to ``length`` people: singles, or one block that size."""
        room = self.room
        singles = [y for y in group if room.single[y]]
        out: list[tuple[int, ...]] = []
        seen = set()
        for y in group:
            block = room.blocks[room.block_of[y]]
            if len(block) == length and block[0] not in seen:
                seen.add(block[0])
                out.append(tuple(block))
        if length <= 3 and len(singles) >= length:
            out.extend(combinations(singles, length))
        return out[:40]

    def _perturb(self, count: int) -> None:
        """A few random swaps that honour the constraints."""
        room, rng = self.room, self.rng
        for _ in range(count * 4):
            if count <= 0:
                break
            r = rng.randrange(room.R)
            x, y = rng.randrange(room.n), rng.randrange(room.n)
            where = self.where[r]
            a, b = where[x], where[y]
            if a == b or not (room.single[x] and room.single[y]):
                continue
            masks = self.gmask[r]
            if room.apart_mask[x] & masks[b] & ~(1 << y) or room.apart_mask[y] & masks[a] & ~(1 << x):
                continue
            self.swap(r, x, y)
            count -= 1


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


# -- the public calls ---------------------------------------------------------------------


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
) -> Mix:
    """Plan ``rounds`` rounds of groups of about ``size`` (2 for pairs) for ``people``.

    ``apart``/``together``: pairs of names that never / always share a group (hard: they hold
    in every result, or :class:`MixError` says why they cannot). ``history``: earlier rounds
    (lists of groups of names; people not present are ignored) whose pairs count as repeats
    when they meet again. Stops at zero repeats, at a proven optimum, after ``max_steps``
    search steps, or at ``time_limit`` seconds, and returns the best plan found.
    """
    started = time.perf_counter()
    room = _Room(people, size, rounds, list(apart), list(together), history)
    rng = random.Random(seed)
    deadline = started + max(0.0, time_limit)
    search = _Search(room, rng)
    design = _construction(room.sizes, room.n, room.R)
    if design:
        person = _map_slots(room, design, rng, started + max(0.0, time_limit) * 0.2)
        design = [[[person[s] for s in group] for group in groups] for groups in design]
    for r in range(room.R):
        if r < len(design):
            groups = design[r]
            if search.violates(groups):
                prefer = [0] * room.n
                for gi, group in enumerate(groups):
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
    return Mix(
        rounds=out,
        repeats=repeats,
        seconds=time.perf_counter() - started,
        optimal=repeats <= room.lower_bound,
        lower_bound=room.lower_bound,
    )


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

    def present(pairs: Iterable) -> list:
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
