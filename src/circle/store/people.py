"""People and groups: who is saved, which groups they belong to and since when, and a group's own events."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterable

from circle.core.errors import not_text, shown
from circle.core.events import Person
from circle.core.names import clean_name, name_key, stored_key
from circle.store.connection import Database, Statement, StoreError, reads


def _group_name(name: str) -> str:
    """A group's name as it is kept: spaces collapsed; refused when empty or not all text."""
    name = " ".join(name.split())
    if not name:
        raise StoreError("a group needs a name")
    if not_text(name):
        raise StoreError(f"the group name {shown(name)} has a character that is not text; type it again")
    return name


class GroupHasHistory(StoreError):
    """A group something was recorded for: sessions run for it, or events of its own (Two Loops)."""

    def __init__(self, group: str, sessions: int, records: int):
        self.group, self.sessions, self.records = group, sessions, records
        super().__init__(f"{group} has a recorded history, which is never deleted")


class GroupNotEmpty(StoreError):
    """A group that still has members, whose list would go with it."""

    def __init__(self, group: str, members: list[str]):
        self.group, self.members = group, members
        super().__init__(f"{group} still has members: {', '.join(members)}")


class People(Database):
    """The people and groups kept in a database."""

    def people_named(self, names: Iterable[str]) -> list[Person]:
        """The saved person for each name (matched without case, in composed form), creating new
        ones. Each name is cleaned by the one rule for names first (circle.core.names.clean_name)."""
        names = [clean_name(n) for n in names]
        known = self._people_by_key(self.conn, names, add=False)
        if len(known) == len({stored_key(n) for n in names}):
            return [known[stored_key(n)] for n in names]
        # Someone is new: look again and add them in one transaction, so two processes
        # naming the same newcomer at the same moment still give them one id.
        found = self.transaction(lambda conn: self._people_by_key(conn, names, add=True))
        return [found[stored_key(n)] for n in names]

    @staticmethod
    def _people_by_key(conn: sqlite3.Connection, names: list[str], add: bool) -> dict[str, Person]:
        people: dict[str, Person] = {}
        for name in names:
            key = stored_key(name)
            if key in people:
                continue
            row = conn.execute(
                "SELECT id, name FROM people WHERE key = ? ORDER BY created_at LIMIT 1", (key,)
            ).fetchone()
            if row is not None:
                people[key] = Person(row["id"], row["name"])
            elif add:
                people[key] = Person(str(uuid.uuid4()), name)
                conn.execute("INSERT INTO people VALUES (?, ?, ?, ?)", (people[key].id, name, key, time.time()))
        return people

    @reads
    def group_names(self) -> list[str]:
        return [r["name"] for r in self.conn.execute("SELECT name FROM groups ORDER BY name")]

    @reads
    def groups(self) -> list[dict]:
        """Every saved group with its kind and how many are members now."""
        rows = self.conn.execute(
            """SELECT g.id, g.name, g.kind, g.created_at,
                 (SELECT count(*) FROM group_members m WHERE m.group_id = g.id AND m.left_at IS NULL) AS members
               FROM groups g ORDER BY g.name"""
        )
        return [dict(r) for r in rows]

    @reads
    def group(self, name: str) -> dict[str, str]:
        """A group by name (case does not matter): {"id", "name", "kind"}."""
        # Matched in Python: SQLite's NOCASE folds only ASCII, so "Équipe" would not find "équipe".
        key = name_key(name)
        row = next((r for r in self.conn.execute("SELECT id, name, kind FROM groups") if name_key(r[1]) == key), None)
        if row is None:
            known = self.group_names()
            hint = f"; saved groups: {', '.join(known)}" if known else "; no groups are saved yet"
            raise StoreError(f"no group named '{name}'{hint}")
        return dict(row)

    @reads
    def breakout_sessions(self, group_id: str) -> list[str]:
        """Sessions run for this group in which people sat in pairs or breakout groups, oldest first."""
        rows = self.conn.execute(
            """SELECT s.id FROM sessions s WHERE s.group_id = ? AND EXISTS (
                   SELECT 1 FROM events e WHERE e.session_id = s.id AND e.kind = 'step_started'
                   AND json_valid(e.data)
                   AND (json_type(e.data, '$.rounds') IS NOT NULL OR json_type(e.data, '$.groups') IS NOT NULL))
               ORDER BY s.created_at""",
            (group_id,),
        )
        return [row[0] for row in rows]

    @reads
    def group_members(self, name: str, at: float | None = None) -> list[Person]:
        """Members now, or at the moment ``at`` (membership has dates)."""
        group = self.group(name)
        when = "m.left_at IS NULL" if at is None else "m.joined_at <= :at AND (m.left_at IS NULL OR m.left_at > :at)"
        rows = self.conn.execute(
            f"""SELECT p.id, p.name FROM group_members m JOIN people p ON p.id = m.person_id
                WHERE m.group_id = :group AND {when} ORDER BY m.rowid""",
            {"group": group["id"], "at": at},
        )
        return [Person(r["id"], r["name"]) for r in rows]

    def create_group(self, name: str, people: list[Person], kind: str = "crew", at: float | None = None) -> str:
        name = _group_name(name)
        if any(name_key(n) == name_key(name) for n in self.group_names()):
            raise StoreError(f"a group named '{name}' already exists")
        group_id, now = str(uuid.uuid4()), at if at is not None else time.time()
        statements: list[Statement] = [("INSERT INTO groups VALUES (?, ?, ?, ?)", (group_id, name, kind, now))]
        statements += [("INSERT INTO group_members VALUES (?, ?, ?, NULL)", (group_id, p.id, now)) for p in people]
        self._write(statements)
        return group_id

    def rename_group(self, old: str, new: str) -> None:
        group = self.group(old)
        new = _group_name(new)
        if name_key(new) != name_key(group["name"]) and name_key(new) in map(name_key, self.group_names()):
            raise StoreError(f"a group named '{new}' already exists")
        self._write([("UPDATE groups SET name = ? WHERE id = ?", (new, group["id"]))])

    def delete_group(self, name: str, with_members: bool = False) -> list[str]:
        """Delete a group nothing was recorded for; return the members it had.

        A session run for the group, or an event of its own (a Two Loops move, evidence, a
        role), is part of the record, which is never deleted: such a group is refused. So is
        one that still has members, unless ``with_members``; its memberships go with it, and
        the people stay saved (they may be in other groups and sessions).
        """
        group = self.group(name)

        def work(conn: sqlite3.Connection) -> list[str]:  # read inside the write: a session started meanwhile counts
            sessions = conn.execute("SELECT count(*) FROM sessions WHERE group_id = ?", (group["id"],)).fetchone()[0]
            records = conn.execute("SELECT count(*) FROM group_events WHERE group_id = ?", (group["id"],)).fetchone()[0]
            if sessions or records:
                raise GroupHasHistory(group["name"], sessions, records)
            members = [
                r[0]
                for r in conn.execute(
                    """SELECT p.name FROM group_members m JOIN people p ON p.id = m.person_id
                       WHERE m.group_id = ? AND m.left_at IS NULL ORDER BY m.rowid""",
                    (group["id"],),
                )
            ]
            if members and not with_members:
                raise GroupNotEmpty(group["name"], members)
            conn.execute("DELETE FROM group_members WHERE group_id = ?", (group["id"],))
            conn.execute("DELETE FROM groups WHERE id = ?", (group["id"],))
            return members

        return self.transaction(work)

    def add_members(self, name: str, people: list[Person], at: float | None = None) -> None:
        group, now = self.group(name), at if at is not None else time.time()
        current = {p.id for p in self.group_members(name)}
        for person in people:
            if person.id in current:
                raise StoreError(f"{person.name} is already in {group['name']}")
        self._write([("INSERT INTO group_members VALUES (?, ?, ?, NULL)", (group["id"], p.id, now)) for p in people])

    def remove_members(self, name: str, names: list[str], at: float | None = None) -> None:
        group, now = self.group(name), at if at is not None else time.time()
        current = {name_key(p.name): p for p in self.group_members(name)}
        statements: list[Statement] = []
        for person_name in names:
            person = current.get(name_key(person_name))
            if person is None:
                members = ", ".join(p.name for p in current.values()) or "nobody"
                raise StoreError(f"{person_name} is not in {group['name']} (members: {members})")
            statements.append(
                (
                    "UPDATE group_members SET left_at = ? WHERE group_id = ? AND person_id = ? AND left_at IS NULL",
                    (now, group["id"], person.id),
                )
            )
        self._write(statements)

    def append_group_event(self, group_id: str, kind: str, data: dict, at: float | None = None) -> None:
        when = at if at is not None else time.time()
        row = (str(uuid.uuid4()), group_id, when, kind, json.dumps(data, ensure_ascii=False))
        self._write([("INSERT INTO group_events VALUES (?, ?, ?, ?, ?)", row)])

    @reads
    def group_events(self, group_id: str) -> list[tuple[float, str, dict]]:
        """A group's own events (Two Loops moves, evidence, roles), oldest first; a damaged one is left out."""
        rows = self.conn.execute(
            "SELECT at, kind, data FROM group_events WHERE group_id = ? AND json_valid(data) ORDER BY at, rowid",
            (group_id,),
        )
        return [(r["at"], r["kind"], json.loads(r["data"])) for r in rows]
