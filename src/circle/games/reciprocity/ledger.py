"""The Reciprocity Game ledger: points folded from the event log, never stored.

Every entry says who scored, how much, for which level, when, and why, so a
total can always be traced back to the moments that made it.

The ledger's records are :mod:`circle.games.reciprocity.records`; the fold that fills a
ledger from the log is :mod:`circle.games.reciprocity.fold`.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import tzinfo

from circle.core.localtime import month as month_of
from circle.games.reciprocity.fold import damaged_sessions, fold, json_ids
from circle.games.reciprocity.records import (
    AT,
    COUNTED,
    EXTRA,
    EXTRA_REASON,
    GROUP,
    LEDGER_KINDS,
    LEVEL,
    PERSON,
    POINTS,
    REASON,
    SESSION,
    SILENT,
    SILENT_REASON,
    Conflict,
    Entry,
    Meeting,
    MonthFinder,
    Points,
    Rhythm,
)
from circle.games.reciprocity.scoring import ScoringRules
from circle.store import Store, StoreError

__all__ = [
    "AT",
    "COUNTED",
    "EXTRA",
    "EXTRA_REASON",
    "GROUP",
    "LEDGER_KINDS",
    "LEVEL",
    "PERSON",
    "POINTS",
    "REASON",
    "SESSION",
    "SILENT",
    "SILENT_REASON",
    "Conflict",
    "Entry",
    "Ledger",
    "Meeting",
    "MonthFinder",
    "Rhythm",
    "compute",
    "json_ids",
    "sparkline",
]


@dataclass
class Ledger:
    """What every session scored, kept compact: the entries are made from it when they are asked for.

    Offers and asks are kept as read (one row makes two entries: the points and the
    respect bonus), meetings as :class:`Meeting` (one makes an entry per person);
    the few other moments are kept as entries.
    """

    names: dict[str, str] = field(default_factory=dict)
    meetings: dict[str, list[Meeting]] = field(default_factory=dict)  # by group id
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    points: Points | None = None  # the rules' values, set by the fold; None: nothing folded yet
    money: list[tuple] = field(default_factory=list)  # (session, at, kind, by)
    groups: dict[str, str] = field(default_factory=dict)  # session -> the group it was run for
    others: list[tuple] = field(default_factory=list)  # entries: listening, conflicts, co-owners
    group_names: dict[str, str] = field(default_factory=dict)  # group id -> name
    first: float | None = None  # the earliest and latest moments that scored
    last: float | None = None

    # -- the entries --------------------------------------------------------------
    def iter_entries(self, group_id: str | None = None) -> Iterator[tuple]:
        """Every scoring entry (the fields of :class:`Entry`), for one group or everyone."""
        p = self.points
        if p is None:
            return
        groups, offer, ask, bonus = self.groups, p.offer, p.ask, p.bonus
        for session, at, kind, by in self.money:
            group = groups.get(session)
            if group_id is None or group == group_id:
                yield (by, offer if kind == "offer" else ask, 2, kind, at, session, group)
                if bonus:
                    yield (by, bonus, 2, "respect bonus", at, session, group)
        values = p.meeting_points
        for group, held in self.meetings.items():
            if group_id is not None and group != group_id:
                continue
            for session, at, _, present, absent, counts, status in held:
                if status != COUNTED:  # logged, so a trace shows it, and worth nothing
                    reason = EXTRA_REASON if status == EXTRA else SILENT_REASON
                    for person in present:
                        yield (person, 0, 3, reason, at, session, group)
                    continue
                for person, nth in zip(present, counts, strict=True):
                    yield (person, values[min(nth, len(values)) - 1], 3, f"meeting {nth}", at, session, group)
                for person in absent:
                    yield (person, p.missed, 3, "missed meeting", at, session, group)
        for e in self.others:
            if group_id is None or e[GROUP] == group_id:
                yield e

    @property
    def entries(self) -> list[Entry]:
        return self.for_group(None)

    def for_group(self, group_id: str | None) -> list[Entry]:
        return [Entry(*e) for e in self.iter_entries(group_id)]

    # -- views ------------------------------------------------------------------
    def totals(self, group_id: str | None = None) -> dict[str, dict[int, int]]:
        """Points per person per level (levels 1-5 always present)."""
        return self.summary(group_id)[0]

    def monthly(self, group_id: str | None = None, tz: tzinfo | None = None) -> dict[str, dict[str, int]]:
        """Points per person per calendar month."""
        return self.summary(group_id, tz)[1]

    def summary(
        self, group_id: str | None = None, tz: tzinfo | None = None
    ) -> tuple[dict[str, dict[int, int]], dict[str, dict[str, int]]]:
        """Points per person per level, and per person per calendar month.

        The same sums as adding up :meth:`iter_entries`, done per moment rather than
        per entry (an offer and its bonus, a whole meeting): a test keeps the two equal.
        """
        p = self.points
        if p is None or self.first is None or self.last is None:
            return {}, {}
        find = MonthFinder(self.first, self.last, tz)
        starts, labels = find.starts, find.labels
        people: dict[str, list] = defaultdict(lambda: [{}, 0, 0, 0, 0, 0])  # months, then levels 1-5

        groups, offer, ask = self.groups, p.offer + p.bonus, p.ask + p.bonus
        for session, at, kind, by in self.money:
            if group_id is None or groups.get(session) == group_id:
                points, mine = offer if kind == "offer" else ask, people[by]
                mine[2] += points
                month, per_month = labels[bisect_right(starts, at) - 1], mine[0]
                per_month[month] = per_month.get(month, 0) + points
        values = p.meeting_points
        for group, held in self.meetings.items():
            if group_id is not None and group != group_id:
                continue
            for _, at, _, present, absent, counts, status in held:
                month = labels[bisect_right(starts, at) - 1]
                if status != COUNTED:
                    for person in present:
                        mine = people[person]
                        mine[0].setdefault(month, 0)
                    continue
                scored = [
                    (person, values[min(nth, len(values)) - 1]) for person, nth in zip(present, counts, strict=True)
                ]
                for person, points in (*scored, *((person, p.missed) for person in absent)):
                    mine = people[person]
                    mine[3] += points
                    per_month = mine[0]
                    per_month[month] = per_month.get(month, 0) + points
        for person, points, level, _, at, _, group in self.others:
            if group_id is None or group == group_id:
                mine = people[person]
                mine[level] += points
                month, per_month = labels[bisect_right(starts, at) - 1], mine[0]
                per_month[month] = per_month.get(month, 0) + points
        levels = {person: dict(zip(range(1, 6), mine[1:], strict=True)) for person, mine in people.items()}
        return levels, {person: mine[0] for person, mine in people.items()}

    def by_month(self, group_id: str | None = None, person: str | None = None, tz: tzinfo | None = None) -> dict:
        """Points per calendar month ("YYYY-MM"), oldest first."""
        monthly = self.monthly(group_id, tz)
        if person is not None:
            return dict(sorted(monthly.get(person, {}).items()))
        months: dict[str, int] = defaultdict(int)
        for per_person in monthly.values():
            for month, points in per_person.items():
                months[month] += points
        return dict(sorted(months.items()))

    def rhythm(self, group_id: str, now: float, tz: tzinfo | None = None) -> Rhythm:
        """How a group keeps its monthly meeting, as of ``now``."""
        held = self.meetings.get(group_id, [])
        spoke = [m for m in held if m.status != SILENT]
        counted = sorted({month_of(m.at, tz) for m in held if m.status == COUNTED})
        this_month = month_of(now, tz)
        gaps: list[str] = []
        if counted:
            year, month = map(int, counted[0].split("-"))
            while (label := f"{year:04d}-{month:02d}") < this_month:
                if label not in counted:
                    gaps.append(label)
                year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        return Rhythm(max((m.at for m in spoke), default=None), this_month in counted, tuple(gaps))

    def levels_played(self, group_id: str) -> set[int]:
        """The levels a group has anything recorded at (a meeting counts for level 3 whatever it scored)."""
        levels = {e[LEVEL] for e in self.iter_entries(group_id)}
        return levels | ({3} if self.meetings.get(group_id) else set())

    def meeting_of(self, session_id: str | None) -> Meeting | None:
        """The meeting a session was, if it was one."""
        for held in self.meetings.values():
            for meeting in held:
                if meeting.session == session_id:
                    return meeting
        return None

    def meeting_lines(self, session_id: str | None, rules: ScoringRules) -> list[str]:
        """What a session scored as a meeting of its group, a line per person (none if it was no meeting)."""
        meeting = self.meeting_of(session_id)
        if meeting is None:
            return []
        group = self.group_names.get(self.groups.get(meeting.session) or "", "the group")
        if meeting.status != COUNTED:
            return [f"meeting of {group}: {EXTRA_REASON if meeting.status == EXTRA else SILENT_REASON}"]
        name = lambda person: self.names.get(person, "?")  # noqa: E731
        lines = [
            f"{name(person)}: meeting {nth} with {group}  {rules.meeting(nth):+d}"
            for person, nth in zip(meeting.present, meeting.counts, strict=True)
        ]
        missed = rules.level(3).missed_meeting
        return lines + [f"{name(person)}: missed the meeting  {missed:+d}" for person in meeting.absent]

    def open_conflicts(self, group_id: str | None = None) -> list[Conflict]:
        return [c for c in self.conflicts.values() if c.outcome is None and (group_id is None or c.group == group_id)]

    def closable_conflicts(self, group_id: str | None, here: Iterable[str]) -> list[Conflict]:
        """What a session can close: the open conflicts of its group, or, run for no group, between people here."""
        present = set(here)
        return [c for c in self.open_conflicts() if (c.group == group_id if group_id else set(c.between) <= present)]

    def streak(self, group_id: str, tz: tzinfo | None = None) -> int:
        """Consecutive calendar months, up to the latest meeting, in which the group met."""
        months = sorted({month_of(m.at, tz) for m in self.meetings.get(group_id, []) if m.status == COUNTED})
        if not months:
            return 0
        count, year, month = 1, *map(int, months[-1].split("-"))
        present = set(months)
        while True:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            if f"{year:04d}-{month:02d}" not in present:
                return count
            count += 1

    def misses(self, group_id: str) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for meeting in self.meetings.get(group_id, []):
            for person in meeting.absent if meeting.status == COUNTED else ():
                out[person] += 1
        return dict(out)


def sparkline(values: Iterable[int]) -> str:
    """A one-line chart of ``values``: ▁ for the lowest, █ for the highest."""
    values = list(values)
    if not values:
        return ""
    bars = "▁▂▃▄▅▆▇█"
    low, high = min(values), max(values)
    if high == low:
        return bars[3] * len(values)
    return "".join(bars[round((v - low) / (high - low) * (len(bars) - 1))] for v in values)


def compute(store: Store, rules: ScoringRules, tz: tzinfo | None = None, meetings_only: bool = False) -> Ledger:
    """Fold every session's reciprocity moments into a ledger.

    Only the events that can score are read, through a partial index that holds
    exactly them; an undone moment is left out by the query, and SQLite picks out
    the few fields needed, so no payload is parsed here. If some event's data is
    damaged (not JSON), the ledger is added up again without the damaged events, and
    says which sessions they are in. ``tz`` says where a calendar month begins (one
    meeting a month counts); by default this machine's zone. ``meetings_only`` adds up
    the groups' meetings and nothing else (home shows each crew's rhythm).
    """
    try:
        try:
            return fold(store, Ledger(), rules, False, tz, meetings_only)
        except sqlite3.OperationalError as exc:
            if "malformed json" not in str(exc).lower():
                raise
        # A fresh ledger: the first fold stopped partway, at the damaged event.
        ledger = fold(store, Ledger(), rules, True, tz, meetings_only)
        damaged = [session[:8] for session in damaged_sessions(store)]
        ledger.problems.append(
            f"{len(damaged)} damaged session(s) left out of the points ({', '.join(damaged)}); see `circle check`"
        )
        return ledger
    except sqlite3.Error as exc:
        raise StoreError(f"the ledger cannot be read from {store.path}: {exc}; see `circle check`") from None
