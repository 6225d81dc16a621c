"""What a Reciprocity Game ledger is made of: scoring moments, meetings, conflicts, a group's rhythm.

Plain records, built by the fold (:mod:`circle.games.reciprocity.fold`) and read by the
ledger's views (:mod:`circle.games.reciprocity.ledger`); and the calendar months they fall in.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import NamedTuple

from circle.core.localtime import local_zone
from circle.core.localtime import month as month_of
from circle.games.reciprocity.scoring import ScoringRules

LEDGER_KINDS = (
    "attendance",
    "listened",
    "offer",
    "ask",
    "conflict_opened",
    "conflict_resolved",
    "co_owned",
    "undone",
    "person_added",
)


PERSON, POINTS, LEVEL, REASON, AT, SESSION, GROUP = range(7)  # fields of an entry tuple


class Entry(NamedTuple):
    """One scoring moment. The fold builds them as plain tuples in this field order (it makes
    hundreds of thousands for a congregation's decade, and a NamedTuple's constructor is slow)."""

    person: str
    points: int
    level: int
    reason: str
    at: float
    session: str
    group: str | None


COUNTED, EXTRA, SILENT = "counted", "extra", "silent"  # what a meeting scored
EXTRA_REASON = "an extra meeting this month: no points"
SILENT_REASON = "ended before anyone spoke: no points"


class Meeting(NamedTuple):
    """A meeting of a group (level 3): who came, who was missed, and what it scored.

    One meeting a calendar month counts: the first that month in which someone spoke.
    Each person's points follow their own count of meetings with the group (``counts``,
    one per person present), so a newcomer starts at the first meeting's points; a
    miss costs points and does not advance the count.
    """

    session: str
    at: float
    nth: int  # the group's nth meeting that counted; 0 for one that did not
    present: tuple[str, ...]
    absent: tuple[str, ...]
    counts: tuple[int, ...] = ()  # each present person's own meeting count, when it counted
    status: str = COUNTED  # counted | extra (another that month) | silent (no one spoke)


class Rhythm(NamedTuple):
    """A group's monthly meetings as of a moment: when it last met, this month, the months it did not."""

    last_met: float | None
    met_this_month: bool
    months_without: tuple[str, ...]  # "YYYY-MM", from its first meeting to last month

    def line(self, tz: tzinfo | None = None, brief: bool = False) -> str:
        """One line: "last met 2026-11-03 · this month's meeting: still to come · no meeting in 2026-09".

        ``brief`` is for home's side pane: "met 2026-11-03 · due this month · 1 month missed".
        """
        from circle.core.localtime import moment

        if self.last_met is None:
            return "no meeting yet"
        day = f"{moment(self.last_met, tz):%Y-%m-%d}"
        if brief:
            parts = [f"met {day}", "met this month" if self.met_this_month else "due this month"]
            if n := len(self.months_without):
                parts.append(f"{n} month{'s' if n != 1 else ''} missed")
            return " · ".join(parts)
        parts = [f"last met {day}", f"this month's meeting: {'held' if self.met_this_month else 'still to come'}"]
        if self.months_without:
            shown = ", ".join(self.months_without[-6:])
            more = len(self.months_without) - 6
            parts.append(f"no meeting in {shown}" + (f" and {more} earlier months" if more > 0 else ""))
        return " · ".join(parts)


@dataclass(frozen=True)
class Conflict:
    id: str
    between: tuple[str, ...]
    label: str
    opened_at: float
    group: str | None
    outcome: str | None = None  # None while open; "resolved" or "unresolved"


class Points:
    """The rule values the fold and the ledger's entries need, looked up once."""

    def __init__(self, rules: ScoringRules):
        self.listened = rules.level(1).listened
        money = rules.level(2)
        self.offer, self.ask, self.bonus = money.offer, money.ask, money.respect_bonus
        self.missed = rules.level(3).missed_meeting
        self.meeting_points = rules.level(3).meeting_points
        conflict = rules.level(4)
        self.resolved, self.unresolved = conflict.resolved, conflict.unresolved
        self.co_owner = rules.level(5).co_owner


class MonthFinder:
    """The calendar month ("YYYY-MM", in ``tz``, by default local) of any moment between ``first`` and ``last``.

    The months' first moments are worked out once; each lookup is a binary search,
    much quicker than a datetime per moment when there are tens of thousands.
    """

    def __init__(self, first: float, last: float, tz: tzinfo | None):
        tz = tz or local_zone()
        year, month = map(int, month_of(first, tz).split("-"))
        end = month_of(last, tz)
        self.starts: list[float] = []
        self.labels: list[str] = []
        while True:
            label = f"{year:04d}-{month:02d}"
            self.starts.append(datetime(year, month, 1, tzinfo=tz).timestamp())
            self.labels.append(label)
            if label >= end:
                break
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)

    def __call__(self, at: float) -> str:
        return self.labels[max(0, bisect_right(self.starts, at) - 1)]
