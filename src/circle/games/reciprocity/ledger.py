"""The Reciprocity Game ledger: points folded from the event log, never stored.

Every entry says who scored, how much, for which level, when, and why, so a
total can always be traced back to the moments that made it.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import NamedTuple

from circle.core.localtime import local_zone
from circle.core.localtime import month as month_of
from circle.games.reciprocity.scoring import ScoringRules
from circle.store import Store, StoreError

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
    points: _Points | None = None
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
        if p is None or self.first is None:
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
        counted = sorted({_month(m.at, tz) for m in held if m.status == COUNTED})
        this_month = _month(now, tz)
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

    def streak(self, group_id: str, tz: tzinfo | None = None) -> int:
        """Consecutive calendar months, up to the latest meeting, in which the group met."""
        months = sorted({_month(m.at, tz) for m in self.meetings.get(group_id, []) if m.status == COUNTED})
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


def _month(at: float, tz: tzinfo | None) -> str:
    """The local calendar month of a moment (in ``tz``, by default this machine's zone)."""
    return month_of(at, tz)


class MonthFinder:
    """The calendar month ("YYYY-MM", in ``tz``, by default local) of any moment between ``first`` and ``last``.

    The months' first moments are worked out once; each lookup is a binary search,
    much quicker than a datetime per moment when there are tens of thousands.
    """

    def __init__(self, first: float, last: float, tz: tzinfo | None):
        tz = tz or local_zone()
        year, month = map(int, _month(first, tz).split("-"))
        end = _month(last, tz)
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

# Every query repeats the partial index's own condition, so SQLite reads the ledger's
# events from that small index alone; SQLite's JSON functions pick out the few fields
# the fold needs, so Python never parses a whole payload.
_LEDGER = "kind IN ({})".format(", ".join(f"'{kind}'" for kind in LEDGER_KINDS))


@dataclass(frozen=True)
class _Queries:
    """The ledger's queries; ``whole`` leaves out events whose data is damaged (not JSON)."""

    whole: bool = False

    @property
    def where(self) -> str:
        return f"{_LEDGER} AND json_valid(data)" if self.whole else _LEDGER

    @property
    def live(self) -> str:
        return f"id NOT IN (SELECT json_extract(data, '$.event') FROM events WHERE {self.where} AND kind = 'undone')"

    @property
    def attendance(self) -> str:
        return f"""SELECT session_id, at, json_extract(data, '$.group.id'), json_extract(data, '$.level'),
            json_extract(data, '$.meeting'), json_extract(data, '$.present'), json_extract(data, '$.absent')
            FROM events WHERE {self.where} AND kind = 'attendance'"""

    # Of the given sessions (a JSON array), those in which someone spoke: one seek per session
    # into (session_id, kind), so a long history of turns is never scanned.
    spoke = """SELECT DISTINCT session_id FROM events
        WHERE session_id IN (SELECT value FROM json_each(?)) AND kind = 'turn_done'
        AND json_extract(data, '$.speaker') IS NOT NULL"""

    @property
    def late(self) -> str:
        return f"SELECT session_id, json_extract(data, '$.id') FROM events WHERE {self.where} AND kind = 'person_added'"

    @property
    def money(self) -> str:
        return f"""SELECT session_id, at, kind, json_extract(data, '$.by')
            FROM events WHERE {self.where} AND kind IN ('offer', 'ask') AND {self.live}"""

    @property
    def everyone(self) -> str:
        return f"""SELECT session_id, at, kind,
            json_extract(data, CASE kind WHEN 'listened' THEN '$.present' ELSE '$.people' END)
            FROM events WHERE {self.where} AND kind IN ('listened', 'co_owned') AND {self.live}"""

    @property
    def conflicts(self) -> str:
        return f"""SELECT session_id, at, kind, json_extract(data, '$.conflict'), json_extract(data, '$.between'),
            json_extract(data, '$.label'), json_extract(data, '$.resolved')
            FROM events WHERE {self.where} AND kind IN ('conflict_opened', 'conflict_resolved') AND {self.live}
            ORDER BY rowid"""


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
            return _compute(store, rules, _Queries(), tz, meetings_only)
        except sqlite3.OperationalError as exc:
            if "malformed json" not in str(exc).lower():
                raise
        ledger = _compute(store, rules, _Queries(whole=True), tz, meetings_only)
        damaged = [
            row[0][:8]
            for row in store.conn.execute(
                f"SELECT DISTINCT session_id FROM events WHERE {_LEDGER} AND NOT json_valid(data)"
            )
        ]
        ledger.problems.append(
            f"{len(damaged)} damaged session(s) left out of the points ({', '.join(damaged)}); see `circle check`"
        )
        return ledger
    except sqlite3.Error as exc:
        raise StoreError(f"the ledger cannot be read from {store.path}: {exc}; see `circle check`") from None


def _compute(store: Store, rules: ScoringRules, q: _Queries, tz: tzinfo | None, meetings_only: bool) -> Ledger:
    conn = store.conn
    with _no_cycle_collection():
        cursor = conn.cursor()
        cursor.row_factory = None  # plain tuples: sqlite3.Row objects cost more to make than the fold itself
        ledger = Ledger(points=_Points(rules))
        groups = ledger.groups
        held: dict[str, list] = defaultdict(list)  # group -> [(at, session, present, absent)]
        legacy: set[str] = set()
        for session, at, group, level, meeting, present, absent in cursor.execute(q.attendance):
            groups[session] = group
            if meeting or (meeting is None and level == 3):
                held[group].append((at, session, json_ids(present), _absent_ids(absent)))
                if meeting is None:  # logged before turns said who spoke: a level-3 session counts as held
                    legacy.add(session)
        late: dict[str, set[str]] = defaultdict(set)
        for session, person in cursor.execute(q.late):
            late[session].add(person)
        asked = [session for rows in held.values() for _, session, _, _ in rows if session not in legacy]
        spoke = legacy | {row[0] for row in cursor.execute(q.spoke, (json.dumps(asked),))} if asked else legacy
        p, add = ledger.points, ledger.others.append
        if not meetings_only:
            ledger.money = cursor.execute(q.money).fetchall()  # kept as read: entries are made when asked for
        for session, at, kind, people in () if meetings_only else cursor.execute(q.everyone):
            group = groups.get(session)
            if kind == "listened":
                for person in json_ids(people):
                    add((person, p.listened, 1, "everyone listened", at, session, group))
            else:
                for person in json_ids(people):
                    add((person, p.co_owner, 5, "co-owner", at, session, group))
        for row in () if meetings_only else cursor.execute(q.conflicts):
            _conflict(ledger, p, *row, groups.get(row[0]))
        _meetings(ledger, held, late, spoke, tz)
        ats = [row[1] for row in ledger.money] + [e[AT] for e in ledger.others]
        ats += [m.at for meetings in ledger.meetings.values() for m in meetings]
        if ats:
            ledger.first, ledger.last = min(ats), max(ats)
        ledger.names.update(conn.execute("SELECT id, name FROM people"))
        ledger.group_names.update(conn.execute("SELECT id, name FROM groups"))
    return ledger


def json_ids(text: str | None) -> list[str]:
    """A JSON array of ids, as SQLite's json_extract gives it (minified)."""
    if not text or text == "[]":
        return []
    if text.startswith('["') and text.endswith('"]') and "\\" not in text:
        return text[2:-2].split('","')  # with no escapes, no id can hold a quote: the split is exact
    return [str(item) for item in json.loads(text)]


def _absent_ids(text: str | None) -> list[str]:
    """The ids in attendance's ``absent``: a JSON array of {"id", "name"}."""
    if not text or text == "[]":
        return []
    return [person["id"] for person in json.loads(text)]


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


def _conflict(ledger: Ledger, p: _Points, session, at, kind, conflict_id, between, label, resolved, group) -> None:
    """A conflict named, or closed (repaired or not); closing one twice counts once."""
    people = tuple(json_ids(between))
    if kind == "conflict_opened":
        ledger.conflicts[conflict_id] = Conflict(conflict_id, people, label or "", at, group)
        return
    conflict = ledger.conflicts.get(conflict_id)
    if conflict is not None and conflict.outcome is not None:
        ledger.problems.append(f"conflict '{conflict.label}' was resolved twice; the second is ignored")
        return
    outcome = "resolved" if resolved else "unresolved"
    if conflict is not None:
        ledger.conflicts[conflict_id] = Conflict(
            conflict_id, conflict.between, conflict.label, conflict.opened_at, conflict.group, outcome
        )
    value = p.resolved if resolved else p.unresolved
    for person in people:
        ledger.others.append((person, value, 4, f"conflict {outcome}", at, session, group))


def _meetings(ledger: Ledger, meetings: dict, late: dict, spoke: set[str], tz: tzinfo | None) -> None:
    """A group's meetings in time order, and what each scored (see :class:`Meeting`).

    Those who came late count as present. The month is the local calendar month.
    """
    month_of_meeting = (
        MonthFinder(
            min(r[0] for rows in meetings.values() for r in rows),
            max(r[0] for rows in meetings.values() for r in rows),
            tz,
        )
        if meetings
        else None
    )
    for group, held in meetings.items():
        record = ledger.meetings.setdefault(group, []).append
        own: dict[str, int] = defaultdict(int)  # each person's meetings with the group so far
        months: set[str] = set()
        nth = 0
        for at, session, present, absent in sorted(held):
            came = tuple(present)
            if session in late:  # someone who arrived late came after all
                came += tuple(late[session].difference(came))
            missed = tuple(person for person in absent if person not in came) if absent else ()
            month = month_of_meeting(at)
            if session not in spoke:
                record(Meeting(session, at, 0, came, missed, (), SILENT))
            elif month in months:
                record(Meeting(session, at, 0, came, missed, (), EXTRA))
            else:
                months.add(month)
                nth += 1
                for person in came:
                    own[person] += 1
                record(Meeting(session, at, nth, came, missed, tuple(own[person] for person in came)))
