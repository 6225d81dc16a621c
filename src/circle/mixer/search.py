"""The search: every round at once, improved by a tabu search of swaps between groups.

Rounds are built greedily (constrained people first), then :meth:`_Search.tabu` swaps two
people of one round, among those that touch a repeat, with the change in repeats computed
incrementally from bitsets of who has met whom.
"""

from __future__ import annotations

import random
import time
from itertools import combinations
from typing import Literal

from circle.mixer.room import _bits, _Room

# A swap: in round r, people xs trade places with people ys (one each, or a keep-together block).
Move = tuple[int, tuple[int, ...], tuple[int, ...]]
# (round, person, group) -> the step until which that person may not move back into that group.
Tabu = dict[tuple[int, int, int], int]
# Why the search stopped: no repeats left, the lower bound met, out of steps (or patience), or out of time.
Stopped = Literal["solved", "bound", "steps", "time"]


class _Search:
    """All rounds at once: who is where, how often each pair meets, and the swaps between them."""

    def __init__(self, room: _Room, rng: random.Random) -> None:
        self.room, self.rng = room, rng
        self.stopped: Stopped = "steps"
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
        self.stopped = "steps"  # unless the clock stops it; mix() says "solved" or "bound" when met
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
        tabu: Tabu = {}
        low, high = self.TENURE
        high += n // 100
        people = range(n)
        step, last_best, idle, stalls, last_global = 0, 0, 0, 0, 0
        patience = self.PATIENCE * n
        run_cost, run_best = best_cost, best
        while self.cost > target:
            if max_steps is not None and step >= max_steps:
                break
            if time.perf_counter() >= deadline:
                self.stopped = "time"
                break
            if step - last_global > patience:
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
            best_delta: int | None = None
            moves: list[Move] = []
            waiting = False
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

    def _block_moves(
        self, r: int, x: int, best_delta: int | None, moves: list[Move], tabu: Tabu, step: int, aspire: int
    ) -> int | None:
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
