"""A damaged log: find what is damaged (`circle check`), keep what is whole (`circle salvage`).

A database can be damaged by a disk that failed, a copy cut short, or a hand that edited it.
SQLite's own integrity check finds damaged pages; a replay of every session through the engine
finds events that cannot be read or folded (data that is not JSON, a step that does not exist).
Salvage copies into a new file every person, group and membership that can be read, and every
session that replays from its first event to its last, so a damaged log loses only what is
damaged. The damaged file is only ever read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from circle.engine import ReplayError, fold
from circle.store import DamagedSession, Store, StoreError


@dataclass(frozen=True)
class SessionCheck:
    id: str
    title: str
    created_at: float
    events: int
    problem: str | None  # None: it replays whole

    @property
    def whole(self) -> bool:
        return self.problem is None


@dataclass
class CheckReport:
    path: Path
    integrity: list[str]  # SQLite's findings; ["ok"] when it found nothing
    sessions: list[SessionCheck] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # what could not be read at all

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and not self.unreadable and all(s.whole for s in self.sessions)

    def lines(self) -> list[str]:
        out = []
        if self.integrity != ["ok"]:
            out.append(f"{self.path}: SQLite finds damage: " + "; ".join(self.integrity[:3]))
        out += [f"{self.path}: {what}" for what in self.unreadable]
        for s in self.sessions:
            if not s.whole:
                out.append(f"session {s.id[:8]} ({s.title}): {s.problem}")
        whole = sum(s.whole for s in self.sessions)
        events = sum(s.events for s in self.sessions if s.whole)
        if self.ok:
            out.append(f"{self.path}: whole: {len(self.sessions)} sessions, {events} events replay from first to last")
        else:
            damaged = len(self.sessions) - whole
            out.append(
                f"{self.path}: {damaged} of {len(self.sessions)} sessions damaged; "
                f"`circle salvage NEW.db` copies the {whole} whole ones (and every person and group it can read)"
            )
        return out


def _rows(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> Iterator[sqlite3.Row]:
    """Rows of a query up to the first one a damaged page hides (the rest are left unread)."""
    cursor = conn.execute(sql, params)
    while True:
        try:
            row = cursor.fetchone()
        except sqlite3.DatabaseError:
            return
        if row is None:
            return
        yield row


def _session_rows(store: Store, report: CheckReport) -> list[sqlite3.Row]:
    try:
        return list(_rows(store.conn, "SELECT id, title, created_at, group_id, protocol_id, last_seen FROM sessions"))
    except sqlite3.DatabaseError as exc:
        report.unreadable.append(f"the list of sessions cannot be read ({exc})")
        return []


def replay(store: Store, session_id: str) -> tuple[int, str | None]:
    """How many events a session has, and what is wrong with them (None: it replays whole)."""
    try:
        events = store.events(session_id)
    except DamagedSession as exc:
        where = f"event {exc.index} ({exc.kind}): " if exc.index is not None else ""
        return exc.index or 0, f"{where}{exc.reason}"
    try:
        fold(events)
    except ReplayError as exc:
        return len(events), str(exc)
    if not events or events[0].kind != "session_created":
        return len(events), "its first event is missing"
    return len(events), None


def check(path: Path | str) -> CheckReport:
    store = Store(path, readonly=True, damaged_ok=True)
    try:
        try:
            integrity = [row[0] for row in store.conn.execute("PRAGMA integrity_check(20)")]
        except sqlite3.DatabaseError as exc:
            integrity = [str(exc)]
        report = CheckReport(Path(path), integrity or ["ok"])
        for row in _session_rows(store, report):
            count, problem = replay(store, row["id"])
            report.sessions.append(SessionCheck(row["id"], row["title"], row["created_at"], count, problem))
        return report
    finally:
        store.close()


@dataclass
class SalvageReport:
    source: Path
    target: Path
    sessions: int = 0
    events: int = 0
    people: int = 0
    groups: int = 0
    left_out: list[str] = field(default_factory=list)

    def summary(self) -> str:
        line = (
            f"salvaged {self.sessions} session(s) ({self.events} events), {self.people} people and "
            f"{self.groups} group(s) from {self.source} into {self.target}"
        )
        return line + (f"; left out: {'; '.join(self.left_out)}" if self.left_out else "; nothing was left out")


def salvage(source: Path | str, target: Path | str) -> SalvageReport:
    """Copy what is whole of ``source`` into a new database at ``target``."""
    source, target = Path(source), Path(target)
    if target.exists():
        raise StoreError(f"{target} already exists; salvage writes a new file (choose another name)")
    if target.resolve() == source.resolve():
        raise StoreError("salvage writes a new file; name one other than the damaged database")
    found = check(source)
    report = SalvageReport(source, target)
    old = Store(source, readonly=True, damaged_ok=True)
    new = Store(target)
    try:
        src = old.conn

        def copy(conn: sqlite3.Connection) -> None:
            people = {r["id"] for r in _rows(src, "SELECT * FROM people")}
            for r in _rows(src, "SELECT * FROM people"):
                conn.execute("INSERT INTO people VALUES (?, ?, ?, ?)", tuple(r))
            report.people = len(people)
            groups = set()
            for r in _rows(src, "SELECT * FROM groups"):
                conn.execute("INSERT INTO groups VALUES (?, ?, ?, ?)", tuple(r))
                groups.add(r["id"])
            report.groups = len(groups)
            for r in _rows(src, "SELECT * FROM group_members"):
                if r["group_id"] in groups and r["person_id"] in people:
                    conn.execute("INSERT INTO group_members VALUES (?, ?, ?, ?)", tuple(r))
            for r in _rows(src, "SELECT * FROM group_events WHERE json_valid(data)"):
                if r["group_id"] in groups:
                    conn.execute("INSERT INTO group_events VALUES (?, ?, ?, ?, ?)", tuple(r))
            rows = {r["id"]: r for r in _rows(src, "SELECT * FROM sessions")}
            for s in found.sessions:
                if not s.whole:
                    report.left_out.append(f"session {s.id[:8]} ({s.problem})")
                    continue
                r = rows[s.id]
                group = r["group_id"] if r["group_id"] in groups else None
                conn.execute(
                    "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                    (r["id"], r["protocol_id"], r["title"], r["created_at"], r["last_seen"], group),
                )
                events = list(_rows(src, "SELECT * FROM events WHERE session_id = ? ORDER BY seq", (s.id,)))
                conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", [tuple(e) for e in events])
                report.sessions += 1
                report.events += len(events)
            report.left_out += found.unreadable

        new.transaction(copy)
    except BaseException:
        new.close()
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)  # no half-made copy is left behind
        raise
    finally:
        old.close()
    new.close()
    return report
