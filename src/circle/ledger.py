"""The Reciprocity Game ledger: points folded from the event log, never stored.

Every entry says who scored, how much, for which level, when, and why, so a
total can always be traced back to the moments that made it.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import NamedTuple

from circle.scoring import ScoringRules
from circle.store import Store

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


@dataclass(frozen=True)
class Meeting:
    """A level-3 meeting of a group: who came, who was missed, which one it was."""

    session: str
    at: float
    nth: int
    present: frozenset[str]
    absent: frozenset[str]


@dataclass(frozen=True)
class Conflict:
    id: str
    between: tuple[str, ...]
    label: str
    opened_at: float
    group: str | None
    outcome: str | None = None  # None while open; "resolved" or "unresolved"


@dataclass
class Ledger:
    entries: list[Entry] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    meetings: dict[str, list[Meeting]] = field(default_factory=dict)  # by group id
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    # -- views ------------------------------------------------------------------
    def for_group(self, group_id: str | None) -> list[Entry]:
        rows = self.entries if group_id is None else [e for e in self.entries if e[GROUP] == group_id]
        return [Entry(*e) for e in rows]

    def _rows(self, group_id: str | None) -> list[tuple]:
        return self.entries if group_id is None else [e for e in self.entries if e[GROUP] == group_id]

    def totals(self, group_id: str | None = None) -> dict[str, dict[int, int]]:
        """Points per person per level (levels 1-5 always present)."""
        out: dict[str, dict[int, int]] = defaultdict(lambda: dict.fromkeys(range(1, 6), 0))
        for e in self._rows(group_id):
            out[e[PERSON]][e[LEVEL]] += e[POINTS]
        return dict(out)

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

    def monthly(self, group_id: str | None = None, tz: tzinfo | None = None) -> dict[str, dict[str, int]]:
        """Points per person per calendar month, in one pass (months are worked out once per moment)."""
        out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        month_of: dict[float, str] = {}
        for e in self._rows(group_id):
            at = e[AT]
            month = month_of.get(at)
            if month is None:
                month = month_of[at] = _month(at, tz)
            out[e[PERSON]][month] += e[POINTS]
        return {person: dict(months) for person, months in out.items()}

    def open_conflicts(self, group_id: str | None = None) -> list[Conflict]:
        return [c for c in self.conflicts.values() if c.outcome is None and (group_id is None or c.group == group_id)]

    def streak(self, group_id: str, tz: tzinfo | None = None) -> int:
        """Consecutive calendar months, up to the latest meeting, in which the group met."""
        months = sorted({_month(m.at, tz) for m in self.meetings.get(group_id, [])})
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
            for person in meeting.absent:
                out[person] += 1
        return dict(out)


def _month(at: float, tz: tzinfo | None) -> str:
    return datetime.fromtimestamp(at, tz or UTC).strftime("%Y-%m")


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


# -- computing ------------------------------------------------------------------


def compute(store: Store, rules: ScoringRules) -> Ledger:
    """Fold every session's reciprocity moments into a ledger.

    Only the events that can score are read, by kind, through an index; each is
    small (attendance is its own event, apart from the protocol snapshot), so
    ten years of a congregation stay quick.
    """
    # The kinds are spelled out so SQLite can use the partial index that holds exactly these events.
    kinds = ", ".join(f"'{kind}'" for kind in LEDGER_KINDS)
    with _no_cycle_collection():
        cursor = store.conn.cursor()
        cursor.row_factory = None  # plain tuples: sqlite3.Row objects cost more to make than the fold itself
        cursor.execute(f"SELECT rowid, session_id, at, kind, data, id FROM events WHERE kind IN ({kinds})")
        rows = sorted(cursor)  # log order; cheaper than asking SQLite to sort what the index returns
        ledger = fold_ledger(rows, rules)
    ledger.names.update(store.conn.execute("SELECT id, name FROM people").fetchall())
    return ledger


@contextmanager
def _no_cycle_collection():
    """The fold allocates many small tuples and no cycles; the cycle collector would only slow it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def fold_ledger(rows: list, rules: ScoringRules) -> Ledger:
    """``rows`` are (rowid, session, at, kind, data json, event id) in log order."""
    ledger = Ledger()
    undone = {json.loads(r[4])["event"] for r in rows if r[3] == "undone"}
    points = _Points(rules)
    meetings: dict[str, list] = defaultdict(list)  # group -> [(at, session, present, absent)]
    late: dict[str, set[str]] = defaultdict(set)
    groups: dict[str, str] = {}  # session -> the group it was run for
    add = ledger.entries.append
    for _, session, at, kind, data, event_id in rows:
        if kind == "undone" or event_id in undone:
            continue
        payload = json.loads(data)
        if kind == "attendance":
            group = groups[session] = payload["group"]["id"]
            if payload.get("level") == 3:
                absent = [p["id"] for p in payload["absent"]]
                meetings[group].append((at, session, payload["present"], absent))
            continue
        if kind == "person_added":
            late[session].add(payload["id"])
            continue
        _score(ledger, points, add, kind, payload, at, session, groups.get(session))
    _meetings(ledger, points, meetings, late)
    return ledger


class _Points:
    """The rule values the fold needs, looked up once."""

    def __init__(self, rules: ScoringRules):
        self.listened = rules.level(1).listened
        money = rules.level(2)
        self.offer, self.ask, self.bonus = money.offer, money.ask, money.respect_bonus
        self.missed = rules.level(3).missed_meeting
        self.meeting_points = rules.level(3).meeting_points
        conflict = rules.level(4)
        self.resolved, self.unresolved = conflict.resolved, conflict.unresolved
        self.co_owner = rules.level(5).co_owner


def _score(ledger: Ledger, p: _Points, add, kind: str, data: dict, at: float, session: str, group) -> None:
    if kind == "listened":
        for person in data["present"]:
            add((person, p.listened, 1, "everyone listened", at, session, group))
    elif kind in ("offer", "ask"):
        add((data["by"], p.offer if kind == "offer" else p.ask, 2, kind, at, session, group))
        if p.bonus:
            add((data["by"], p.bonus, 2, "respect bonus", at, session, group))
    elif kind == "conflict_opened":
        ledger.conflicts[data["conflict"]] = Conflict(
            data["conflict"], tuple(data["between"]), data.get("label", ""), at, group
        )
    elif kind == "conflict_resolved":
        conflict = ledger.conflicts.get(data["conflict"])
        if conflict is not None and conflict.outcome is not None:
            ledger.problems.append(f"conflict '{conflict.label}' was resolved twice; the second is ignored")
            return
        outcome = "resolved" if data["resolved"] else "unresolved"
        if conflict is not None:
            ledger.conflicts[conflict.id] = Conflict(
                conflict.id, conflict.between, conflict.label, conflict.opened_at, conflict.group, outcome
            )
        value = p.resolved if data["resolved"] else p.unresolved
        for person in data["between"]:
            add((person, value, 4, f"conflict {outcome}", at, session, group))
    elif kind == "co_owned":
        for person in data["people"]:
            add((person, p.co_owner, 5, "co-owner", at, session, group))


def _meetings(ledger: Ledger, p: _Points, meetings: dict, late: dict) -> None:
    """Level-3 meetings per group in time order: 1, 3, then 5 points to those present; absence costs."""
    for group, held in meetings.items():
        for nth, (at, session, present, absent) in enumerate(sorted(held), start=1):
            came = frozenset(present).union(late[session]) if session in late else frozenset(present)
            missed = frozenset(absent) - came
            ledger.meetings.setdefault(group, []).append(Meeting(session, at, nth, came, missed))
            value = p.meeting_points[min(nth, len(p.meeting_points)) - 1]
            for person in came:
                ledger.entries.append((person, value, 3, f"meeting {nth}", at, session, group))
            for person in missed:
                ledger.entries.append((person, p.missed, 3, "missed meeting", at, session, group))
