"""Folding every session's reciprocity moments into a ledger: one pass over the events that can score.

Only those events are read, through a partial index that holds exactly them; an undone
moment is left out by the query, and SQLite picks out the few fields needed, so no payload
is parsed here. Meetings are worked out last: which counted, for whom, in which month.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING

from circle.games.reciprocity.records import (
    AT,
    EXTRA,
    LEDGER_KINDS,
    SILENT,
    Conflict,
    Meeting,
    MonthFinder,
    Points,
)
from circle.games.reciprocity.scoring import ScoringRules

if TYPE_CHECKING:  # the ledger module imports this one; the fold only fills the Ledger it is given
    from circle.games.reciprocity.ledger import Ledger
    from circle.store import Store

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


def fold(
    store: Store, ledger: Ledger, rules: ScoringRules, whole: bool, tz: tzinfo | None, meetings_only: bool
) -> Ledger:
    """Fill an empty ``ledger`` from the log; ``whole`` leaves out events whose data is not JSON.

    An event whose data is not JSON, read when ``whole`` is false, is an :class:`sqlite3.OperationalError`
    ("malformed JSON"), and so is any other SQLite problem: the caller words them.
    """
    conn, q = store.conn, _Queries(whole)
    with _no_cycle_collection():
        cursor = conn.cursor()
        cursor.row_factory = None  # plain tuples: sqlite3.Row objects cost more to make than the fold itself
        ledger.points = p = Points(rules)
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
        add = ledger.others.append
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
        conflicts = () if meetings_only else cursor.execute(q.conflicts)
        for session, at, kind, conflict, between, label, resolved in conflicts:
            _conflict(ledger, p, session, at, kind, conflict, between, label, resolved, groups.get(session))
        _meetings(ledger, held, late, spoke, tz)
        ats = [row[1] for row in ledger.money] + [e[AT] for e in ledger.others]
        ats += [m.at for meetings in ledger.meetings.values() for m in meetings]
        if ats:
            ledger.first, ledger.last = min(ats), max(ats)
        ledger.names.update(conn.execute("SELECT id, name FROM people"))
        ledger.group_names.update(conn.execute("SELECT id, name FROM groups"))
    return ledger


def damaged_sessions(store: Store) -> list[str]:
    """The sessions with a scoring event whose data is not JSON."""
    query = f"SELECT DISTINCT session_id FROM events WHERE {_LEDGER} AND NOT json_valid(data)"
    return [row[0] for row in store.conn.execute(query)]


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
def _no_cycle_collection() -> Iterator[None]:
    """The fold allocates many small tuples and no cycles; the cycle collector would only slow it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _conflict(ledger: Ledger, p: Points, session, at, kind, conflict_id, between, label, resolved, group) -> None:
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
    if not meetings:
        return
    ats = [row[0] for rows in meetings.values() for row in rows]
    month_of_meeting = MonthFinder(min(ats), max(ats), tz)
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
