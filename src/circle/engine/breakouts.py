"""Breakouts: the commands and helpers of a ``groups`` step, and the pairs of a ``pairs`` step.

At a breakout's start the mixer plans its rounds against who has met whom (this session's
groups, and the saved group's earlier sessions); the facilitator may then reshuffle, move
or swap people, and someone leaving or arriving mends the groups. The rounds ride in the
events (``step_started``, ``groups_set``), so a replay never mixes again.
"""

from __future__ import annotations

from typing import Any

from circle.core.events import Event
from circle.engine.base import CommandRejected, SessionBase
from circle.engine.state import State, StepRun, met_in
from circle.mixer import Rounds, count_repeats, mix
from circle.protocol.models import GroupsStep


class Breakouts(SessionBase):
    """The breakout commands of a session."""

    def _first_rounds(self, state: State, step: GroupsStep, index: int) -> dict[str, Any]:
        """What a breakout's ``step_started`` event carries: its rounds, their repeats and the fewest possible."""
        history = self._breakout_history(state, step, index)
        rounds, fewest = self._mix_rounds(state, list(state.present), step, step.rounds, history)
        return {"rounds": rounds, "fewest": fewest, "repeats": count_repeats(rounds, history)}

    def _breakout_history(self, state: State, step: GroupsStep, index: int) -> Rounds:
        """Rounds that count as having met before a breakout step: this session's, and the group's."""
        history = met_in(state, before=index)
        if step.remember_group and self.group_history is not None and state.group is not None:
            history = self.group_history() + history
        return history

    def _mix_rounds(
        self,
        state: State,
        people: list[str],
        step: GroupsStep,
        rounds: int,
        history: Rounds,
        start: Rounds | None = None,
    ) -> tuple[Rounds, int]:
        """``rounds`` rounds of groups for ``people`` (ids), in seating order within each group,
        and the fewest repeats any plan could have (what the mixer could prove). ``start``: the
        plan in hand for those rounds, which the mixer begins from."""
        size = step.people_per_group
        if rounds <= 0:  # someone came or went in the last round: no later rounds to mix
            return [], 0
        if len(people) < 2 or size >= len(people):  # too few to split: everyone together
            plan = [[list(people)] if people else [] for _ in range(rounds)]
            fewest = count_repeats(plan, history)
        else:
            seed = self.rng.randrange(2**31)
            mixed = mix(people, size, rounds, history=history, seed=seed, time_limit=1.0, start=start or ())
            plan, fewest = mixed.rounds, mixed.lower_bound
        seat = {pid: i for i, pid in enumerate(state.present)}
        tidy = []
        for groups in plan:
            groups = [sorted(group, key=lambda pid: seat.get(pid, len(seat))) for group in groups]
            tidy.append(sorted(groups, key=lambda g: seat.get(g[0], len(seat)) if g else len(seat)))
        return tidy, fewest

    def _breakout(self) -> tuple[State, StepRun, GroupsStep]:
        state = self._live()
        run = state.run
        if run is None or not isinstance(run.step, GroupsStep):
            raise CommandRejected("groups are mixed in a breakout step; this step has none")
        if run.ended_at is not None:
            raise CommandRejected("this breakout is over")
        return state, run, run.step

    def _groups_set(self, state: State, rounds: Rounds, reason: str, fewest: int | None = None) -> Event:
        """The event that puts ``rounds`` in place from the current round on, with the step's repeats."""
        run = state.run
        assert run is not None and isinstance(run.step, GroupsStep)
        r = state.round_index
        history = self._breakout_history(state, run.step, run.index)
        repeats = count_repeats([*run.rounds[:r], *rounds], history)
        data: dict[str, Any] = {"from_round": r, "rounds": rounds, "repeats": repeats, "reason": reason}
        if fewest is not None:
            data["fewest"] = fewest
        return self._event("groups_set", **data)

    def _replan(
        self, state: State, present: list[str], reason: str, current: list[list[str]] | None = None, keep: bool = False
    ) -> Event:
        """Groups mixed afresh for ``present`` from this round on; with ``current`` (a round under
        way, mended), this round keeps those groups and only the rounds after it are mixed. With
        ``keep`` (someone came or went) the mixer starts from the plan in hand, so a plan with no
        repeats stays near one."""
        run = state.run
        assert run is not None and isinstance(run.step, GroupsStep)
        r = state.round_index
        history = self._breakout_history(state, run.step, run.index)
        met = [*history, *run.rounds[:r]]
        if current is None:
            start = run.rounds[r:] if keep else []
            rounds, fewest = self._mix_rounds(state, present, run.step, len(run.rounds) - r, met, start)
        else:
            start = run.rounds[r + 1 :] if keep else []
            later, fewest = self._mix_rounds(state, present, run.step, len(run.rounds) - r - 1, [*met, current], start)
            rounds = [current, *later]
        # The mixer's bound counts from the rounds it was given; the step's counts from its start.
        fewest += count_repeats([*run.rounds[:r], *([current] if current else [])], history)
        return self._groups_set(state, rounds, reason, fewest)

    def reshuffle(self) -> list[Event]:
        """Mix the room again from this round on (a round under way is mixed afresh too)."""
        state, _, _ = self._breakout()
        return self._emit(self._replan(state, list(state.present), "reshuffled"))

    def move_person(self, person_id: str, to_group: int) -> list[Event]:
        """Move someone into another group of this round (``to_group`` counts from 0)."""
        state, run, _ = self._breakout()
        r = state.round_index
        groups = [list(g) for g in run.rounds[r]]
        source = next((i for i, g in enumerate(groups) if person_id in g), None)
        if source is None:
            raise CommandRejected(f"'{state.name(person_id)}' is not in a group this round")
        if not 0 <= to_group < len(groups):
            raise CommandRejected(f"there is no group {to_group + 1}; this round has {len(groups)}")
        if to_group == source:
            raise CommandRejected(f"'{state.name(person_id)}' is already in group {to_group + 1}")
        if len(groups[source]) == 2:
            other = state.name(next(p for p in groups[source] if p != person_id))
            raise CommandRejected(f"that would leave {other} on their own in group {source + 1}")
        groups[source].remove(person_id)
        groups[to_group].append(person_id)
        return self._emit(self._groups_set(state, [groups, *run.rounds[r + 1 :]], "moved"))

    def swap_people(self, a: str, b: str) -> list[Event]:
        """Two people of different groups of this round change places (in pairs, the only way to move)."""
        state, run, _ = self._breakout()
        r = state.round_index
        groups = [list(g) for g in run.rounds[r]]
        place = {pid: i for i, g in enumerate(groups) for pid in g}
        for pid in (a, b):
            if pid not in place:
                raise CommandRejected(f"'{state.name(pid)}' is not in a group this round")
        if place[a] == place[b]:
            raise CommandRejected(f"'{state.name(a)}' and '{state.name(b)}' are already together")
        ga, gb = groups[place[a]], groups[place[b]]
        ga[ga.index(a)], gb[gb.index(b)] = b, a
        return self._emit(self._groups_set(state, [groups, *run.rounds[r + 1 :]], "swapped"))

    def _mended(self, state: State, leaving: str | None = None, joining: str | None = None) -> Event | None:
        """Groups after someone leaves or arrives mid-breakout; None outside a breakout.

        The round on the wall keeps its groups and their numbers, begun or not (people have been
        told "pair 3"): a newcomer joins the smallest group, and someone left on their own joins
        the smallest other one, which leaves their group empty (its number is not given to
        another). The rounds after it are mixed afresh for who is here now.
        """
        run = state.run
        if run is None or not isinstance(run.step, GroupsStep) or run.ended_at is not None or not run.rounds:
            return None
        present = [p for p in state.present if p != leaving] + ([joining] if joining else [])
        reason = "left" if leaving else "joined"
        if state.current is None:
            return self._replan(state, present, reason, keep=True)
        groups = [[p for p in group if p != leaving] for group in run.rounds[state.round_index]]
        seated = [g for g in groups if g]
        if joining is not None:
            (min(seated, key=len) if seated else groups[0] if groups else _new(groups)).append(joining)
        alone = next((g for g in groups if len(g) == 1), None)
        others = [g for g in groups if g and g is not alone]
        if alone is not None and others:
            min(others, key=len).extend(alone)
            alone.clear()
        return self._replan(state, present, reason, current=groups, keep=True)


def _new(groups: list[list[str]]) -> list[str]:
    groups.append([])
    return groups[-1]


def pair_up(order: list[str]) -> list[list[str]]:
    """Neighbours in seating order form pairs; an odd count makes the last group a trio."""
    groups = [order[i : i + 2] for i in range(0, len(order) - 1, 2)]
    if len(order) % 2:
        if groups:
            groups[-1].append(order[-1])
        else:
            groups.append([order[-1]])
    return groups
