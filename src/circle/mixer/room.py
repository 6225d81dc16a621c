"""The room, checked: sizes, counting repeats, and the input as small integers and bitmasks.

:class:`_Room` validates what :func:`circle.mixer.mix` is given (names, sizes, keep-apart and
keep-together pairs, history), says in one line why a room cannot be mixed
(:class:`MixError`), and works out the fewest repeats any plan of it can have.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from circle.core.errors import CircleError
from circle.core.names import name_key
from circle.mixer.bounds import fewest_repeats, most_clean_rounds


class MixError(CircleError, ValueError):
    """The input cannot be mixed; the message is one line, fit to show to a facilitator."""


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


def _groups_of(rounds: Iterable[Any], what: str) -> Iterable[list[str]]:
    if isinstance(rounds, str | bytes):
        raise MixError(f"{what} must be a list of rounds, each a list of groups of names")
    for rnd in rounds:
        if isinstance(rnd, str | bytes):
            raise MixError(f"{what} must be a list of rounds, each a list of groups of names")
        for group in rnd:
            if isinstance(group, str | bytes):
                raise MixError(f"{what}: a group must be a list of names (got {group!r})")
            yield [_key(name) for name in group]


def _meetings(rounds: Iterable[Any], what: str) -> dict[tuple[str, str], int]:
    met: dict[tuple[str, str], int] = {}
    for group in _groups_of(rounds, what):
        members = sorted(set(group))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                met[a, b] = met.get((a, b), 0) + 1
    return met


def count_repeats(rounds: Sequence[Sequence[Sequence[str]]], history: Sequence[Sequence[Sequence[str]]] = ()) -> int:
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

    # Every argument is checked, whatever its annotation says: a room may be typed by hand (circle mix).
    def __init__(
        self,
        people: Sequence[str],
        size: int,
        rounds: int,
        apart: list[tuple[str, str]],
        together: list[tuple[str, str]],
        history: Sequence[Sequence[Sequence[str]]],
    ) -> None:
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

    def _pairs(self, pairs: list[tuple[str, str]], what: str) -> list[tuple[int, int]]:
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
        # Every round after the first meets at least that many pairs of the first again.
        pairs_twice = 0
        g = len(sizes)
        for s in sizes:
            q, r = divmod(s, g)
            pairs_twice += r * (q + 1) * q // 2 + (g - r) * q * (q - 1) // 2
        bound = max(0, total - self.hist_cost, (R - 1) * pairs_twice)
        # Drop the rounds holding a repeat and the rest have none: repeats >= R - (most clean rounds).
        clean = most_clean_rounds(tuple(sizes))
        if clean is not None:
            bound = max(bound, R - clean)
        # Constraints and history only add repeats: the fewest of the bare room bound them all.
        fewest = fewest_repeats(tuple(sizes), R)
        if fewest is not None:
            bound = max(bound, fewest)
        return bound


def _bits(mask: int) -> list[int]:
    """The people in a bitmask: its set bits, lowest first."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out
