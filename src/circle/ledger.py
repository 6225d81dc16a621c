"""The Reciprocity Game ledger: points folded from the event log, never stored.

Every entry says who scored, how much, for which level, when, and why, so a
total can always be traced back to the moments that made it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from circle.scoring import ScoringRules
from circle.store import Store

LEDGER_KINDS = (
    "listened",
    "offer",
    "ask",
    "conflict_opened",
    "conflict_resolved",
    "co_owned",
    "undone",
    "person_added",
)


@dataclass(frozen=True)
class Entry:
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
        return self.entries if group_id is None else [e for e in self.entries if e.group == group_id]

    def totals(self, group_id: str | None = None) -> dict[str, dict[int, int]]:
        """Points per person per level (levels 1-5 always present)."""
        out: dict[str, dict[int, int]] = defaultdict(lambda: dict.fromkeys(range(1, 6), 0))
        for e in self.for_group(group_id):
            out[e.person][e.level] += e.points
        return dict(out)

    def by_month(self, group_id: str | None = None, person: str | None = None, tz: tzinfo | None = None) -> dict:
        """Points per calendar month ("YYYY-MM"), oldest first."""
        months: dict[str, int] = defaultdict(int)
        for e in self.for_group(group_id):
            if person is None or e.person == person:
                months[_month(e.at, tz)] += e.points
        return dict(sorted(months.items()))

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

    Only the events that can score are read (by kind), and of each session's
    first event only the fields the rules need, so ten years of a congregation
    stay quick.
    """
    sessions = store.conn.execute(
        """SELECT s.id, s.created_at, s.group_id,
                  json_extract(e.data, '$.protocol.reciprocity_level') AS level,
                  json_extract(e.data, '$.people') AS people,
                  json_extract(e.data, '$.absent') AS absent
           FROM sessions s JOIN events e ON e.session_id = s.id AND e.kind = 'session_created'
           ORDER BY s.created_at"""
    ).fetchall()
    marks = ",".join("?" * len(LEDGER_KINDS))
    records = store.conn.execute(
        f"SELECT session_id, id, at, kind, data FROM events WHERE kind IN ({marks}) ORDER BY session_id, seq",
        LEDGER_KINDS,
    ).fetchall()
    by_session: dict[str, list] = defaultdict(list)
    for row in records:
        by_session[row[0]].append(row)
    return fold_ledger(sessions, by_session, rules)


def fold_ledger(sessions, by_session: dict[str, list], rules: ScoringRules) -> Ledger:
    ledger = Ledger()
    meeting_counts: dict[str, int] = defaultdict(int)
    for session_id, created_at, group_id, level, people_json, absent_json in sessions:
        people = json.loads(people_json or "[]")
        absent = json.loads(absent_json or "[]")
        for person in (*people, *absent):
            ledger.names.setdefault(person["id"], person["name"])
        rows = by_session.get(session_id, [])
        undone = {json.loads(r[4])["event"] for r in rows if r[3] == "undone"}
        late = set()
        for _, event_id, at, kind, data in rows:
            if event_id in undone or kind == "undone":
                continue
            payload = json.loads(data)
            if kind == "person_added":
                ledger.names.setdefault(payload["id"], payload["name"])
                late.add(payload["id"])
                continue
            _score(ledger, rules, kind, payload, at, session_id, group_id)
        if level == 3 and group_id is not None:
            meeting_counts[group_id] += 1
            nth = meeting_counts[group_id]
            present = frozenset(p["id"] for p in people) | late
            missed = frozenset(p["id"] for p in absent) - present
            ledger.meetings.setdefault(group_id, []).append(Meeting(session_id, created_at, nth, present, missed))
            for person in present:
                ledger.entries.append(
                    Entry(person, rules.meeting(nth), 3, f"meeting {nth}", created_at, session_id, group_id)
                )
            for person in missed:
                points = rules.level(3).missed_meeting
                ledger.entries.append(Entry(person, points, 3, "missed meeting", created_at, session_id, group_id))
    return ledger


def _score(ledger: Ledger, rules: ScoringRules, kind: str, data: dict, at: float, session: str, group) -> None:
    def add(person: str, points: int, level: int, reason: str) -> None:
        if points:
            ledger.entries.append(Entry(person, points, level, reason, at, session, group))

    if kind == "listened":
        for person in data["present"]:
            add(person, rules.level(1).listened, 1, "everyone listened")
    elif kind in ("offer", "ask"):
        money = rules.level(2)
        add(data["by"], money.offer if kind == "offer" else money.ask, 2, kind)
        add(data["by"], money.respect_bonus, 2, "respect bonus")
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
        points = rules.level(4).resolved if data["resolved"] else rules.level(4).unresolved
        for person in data["between"]:
            add(person, points, 4, f"conflict {outcome}")
    elif kind == "co_owned":
        for person in data["people"]:
            add(person, rules.level(5).co_owner, 5, "co-owner")
