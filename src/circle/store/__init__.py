"""The SQLite log: people, groups, sessions and their append-only events.

Every event is committed (WAL, synchronous=FULL) before :meth:`Store.append`
returns, which is before the engine folds it and the screen shows it. Totals
are never stored; they are folded from events by the read models.

Several processes may use one file (the app and `circle export`, or two tools
using this API): readers see whole transactions only, and every write is one
``BEGIN IMMEDIATE`` transaction, taken before it reads what it decides on, that
waits for another writer as long as the busy timeout allows.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from circle.core.errors import CircleError, not_text, shown
from circle.core.events import Event, Person
from circle.core.names import clean_name, name_key, stored_key

T = TypeVar("T")

APPLICATION_ID = 0x43524C45  # "CRLE": marks a file as a circle database
SCHEMA_VERSION = 6
WAIT_SECONDS = 3.0  # how long a write waits for another process's write to finish


def _rekey_people(conn: sqlite3.Connection) -> None:
    """Saved people's keys in composed form (NFC): one saved as "Renée" is found by "Renée"."""
    for pid, name, key in conn.execute("SELECT id, name, key FROM people").fetchall():
        if stored_key(name) != key:
            conn.execute("UPDATE people SET key = ? WHERE id = ?", (stored_key(name), pid))


_MIGRATIONS: dict[int, list[str | Callable[[sqlite3.Connection], None]]] = {
    1: [
        """CREATE TABLE people (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, key TEXT NOT NULL, created_at REAL NOT NULL)""",
        "CREATE INDEX people_key ON people(key)",
        """CREATE TABLE groups (
            id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL DEFAULT 'crew',
            created_at REAL NOT NULL)""",
        """CREATE TABLE group_members (
            group_id TEXT NOT NULL REFERENCES groups(id), person_id TEXT NOT NULL REFERENCES people(id),
            joined_at REAL NOT NULL, left_at REAL)""",
        """CREATE TABLE sessions (
            id TEXT PRIMARY KEY, protocol_id TEXT NOT NULL, title TEXT NOT NULL,
            created_at REAL NOT NULL, last_seen REAL NOT NULL, group_id TEXT REFERENCES groups(id))""",
        """CREATE TABLE events (
            id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id),
            seq INTEGER NOT NULL, at REAL NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL,
            UNIQUE (session_id, seq))""",
        """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
        """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
        """CREATE VIEW notes AS
            SELECT id, session_id, at, json_extract(data, '$.text') AS text
            FROM events WHERE kind = 'note'""",
    ],
    # The ledger reads events by kind across all sessions.
    2: ["CREATE INDEX events_kind ON events(kind)"],
    # What happens to a group outside sessions: Two Loops stage moves, evidence, roles.
    3: [
        """CREATE TABLE group_events (
            id TEXT PRIMARY KEY, group_id TEXT NOT NULL REFERENCES groups(id),
            at REAL NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL)""",
        "CREATE INDEX group_events_group ON group_events(group_id, at)",
        """CREATE TRIGGER group_events_no_update BEFORE UPDATE ON group_events
            BEGIN SELECT RAISE(ABORT, 'group events are append-only'); END""",
        """CREATE TRIGGER group_events_no_delete BEFORE DELETE ON group_events
            BEGIN SELECT RAISE(ABORT, 'group events are append-only'); END""",
    ],
    # The ledger's events, whole, in a small partial index: reading them needs no table lookups.
    4: [
        """CREATE INDEX events_ledger ON events(kind, session_id, at, id, data)
            WHERE kind IN ('attendance', 'listened', 'offer', 'ask', 'conflict_opened',
                           'conflict_resolved', 'co_owned', 'undone', 'person_added')""",
    ],
    # A session's events of one kind (has it ended? who was added?) in one seek: without it the
    # recent-sessions list scanned every session's events of that kind, for every session.
    # Home lists the latest sessions: read in order from an index, not sorted every time.
    5: [
        "CREATE INDEX events_session_kind ON events(session_id, kind)",
        "CREATE INDEX sessions_created ON sessions(created_at)",
    ],
    # A name's key is made from its composed form: the same person however the accent was typed.
    # Where phones follow a session (its port and token), so a resumed session keeps its address.
    6: [
        _rekey_people,
        """CREATE TABLE shares (
            session_id TEXT PRIMARY KEY REFERENCES sessions(id), port INTEGER NOT NULL,
            token TEXT NOT NULL, active INTEGER NOT NULL)""",
    ],
}


def _run(conn: sqlite3.Connection, statement: str | Callable[[sqlite3.Connection], None]) -> None:
    if callable(statement):
        statement(conn)
    else:
        conn.execute(statement)


class StoreError(CircleError):
    """A database problem, worded for the facilitator (one line)."""


class DamagedSession(StoreError):
    """A session whose log cannot be read or replayed: where, and what is wrong there."""

    def __init__(self, session_id: str, index: int | None, kind: str, reason: str):
        self.session_id, self.index, self.kind, self.reason = session_id, index, kind, reason
        where = f" at event {index} ({kind})" if index is not None else ""
        super().__init__(
            f"session {session_id[:8]} is damaged{where}: {reason}; `circle check` lists every damaged "
            "session, and `circle salvage NEW.db` keeps the whole ones"
        )


DAMAGED = "`circle check` says where, and `circle salvage NEW.db` copies what is whole into a new file"


def _reads(method: Callable[..., T]) -> Callable[..., T]:
    """A reading method whose SQLite problems (a damaged page, say) become one line."""

    def reading(self: Store, *args, **kwargs) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise _friendly(self.path, exc) from None

    reading.__name__, reading.__doc__ = method.__name__, method.__doc__
    return reading


def cut_inside_a_page(path: Path) -> bool:
    """Whether a database file ends partway through a page, or before the pages its header
    counts (a copy cut short, a disk that filled while it was being copied)."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
            size = os.fstat(file.fileno()).st_size
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
        return False
    page = int.from_bytes(header[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(header[28:32], "big")
    in_wal = Path(f"{path}-wal").exists()  # pages beyond the file may still be in its journal
    return size % page != 0 or (not in_wal and pages and size < pages * page)


def _group_name(name: str) -> str:
    """A group's name as it is kept: spaces collapsed; refused when empty or not all text."""
    name = " ".join(name.split())
    if not name:
        raise StoreError("a group needs a name")
    if not_text(name):
        raise StoreError(f"the group name {shown(name)} has a character that is not text; type it again")
    return name


@dataclass(frozen=True)
class SessionRow:
    id: str
    protocol_id: str
    title: str
    created_at: float
    last_seen: float
    ended: bool
    people: int
    damaged: bool = False  # an event's data is not JSON (`circle check` says more)


def _busy(exc: sqlite3.Error) -> bool:
    """Another connection holds the lock (SQLITE_BUSY, including its extended codes)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_BUSY
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


def _friendly(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc).lower()
    if "malformed json" in text:
        return StoreError(f"a session in {path} is damaged (an event's data is not JSON); {DAMAGED}")
    if "malformed" in text or "corrupt" in text:
        return StoreError(f"{path} is damaged ({exc}); {DAMAGED}")
    if "not a database" in text:
        return StoreError(f"{path} is not a circle database (not an SQLite file)")
    if "locked" in text or "busy" in text:
        return StoreError(f"{path} is locked by another program (another circle?); close it and try again")
    if "readonly" in text or "read-only" in text:
        if os.access(path, os.W_OK) and not os.access(path.parent, os.W_OK):  # WAL needs files beside it
            return StoreError(
                f"{path} is in a read-only folder; circle needs to write its journal there (or choose another --db)"
            )
        return StoreError(f"{path} is read-only; circle needs to write to it (or choose another --db)")
    if "unable to open" in text:
        return StoreError(f"cannot open {path}: check that its folder exists and is writable")
    if "disk i/o error" in text:
        return StoreError(
            f"cannot use {path}: the disk is full or failing (disk I/O error); free some space, "
            "or look without changing anything: circle --read-only"
        )
    if "disk is full" in text or "database or disk is full" in text:
        return StoreError(f"cannot write {path}: the disk is full; nothing shown so far was lost")
    return StoreError(f"{path}: {exc}")


def _patiently(path: Path, patience: float, attempt: Callable[[], T]) -> T:
    """``attempt()``, tried again while SQLite answers busy, for up to ``patience`` seconds.

    Any other problem, or busy beyond that, is a one-line :class:`StoreError`."""
    deadline, pause = time.monotonic() + patience, 0.005
    while True:
        try:
            return attempt()
        except sqlite3.Error as exc:
            if not _busy(exc) or time.monotonic() + pause > deadline:
                raise _friendly(path, exc) from None
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


class Store:
    """One circle database file."""

    def __init__(self, path: Path | str, readonly: bool = False, wait: float = WAIT_SECONDS, damaged_ok: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        self.wait = wait
        self.damaged_ok = damaged_ok  # circle check and salvage: read whatever can be read
        # A file cut short is never written to; read-only, what can be read is still read.
        self.damaged = cut_inside_a_page(self.path)
        if self.damaged and not (readonly or damaged_ok):
            raise StoreError(f"{self.path} is damaged: it ends partway through a page; {DAMAGED}")
        self._immutable = False
        self.conn = self._connect()
        try:
            # Two processes creating one file at once: SQLite may answer busy without waiting
            # while the other switches it to WAL, so opening is patient as every write is.
            _patiently(self.path, wait, self._prepare)
        except StoreError:
            self.conn.close()  # a refused file is left exactly as it was
            if not (readonly and self._no_journal()):
                raise
            # Reading a WAL file needs a -shm file beside it; a full disk (or a folder that cannot
            # take one) refuses it. With no journal there, nothing can change the file: read it as is.
            self._immutable = True
            self.conn = self._connect()
            try:
                _patiently(self.path, wait, self._prepare)
            except StoreError:
                self.conn.close()
                raise

    # -- opening ------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            return self._open_connection()
        except sqlite3.Error as exc:
            raise _friendly(self.path, exc) from None

    def _open_connection(self) -> sqlite3.Connection:
        if self.readonly:
            if not self.path.exists():
                raise StoreError(f"{self.path} does not exist")
            conn = sqlite3.connect(self._read_only_uri(), uri=True, timeout=self.wait)
        else:
            if self.path.is_dir():
                raise StoreError(f"{self.path} is a directory, not a database file")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create {self.path.parent}: {exc.strerror}") from None
            conn = sqlite3.connect(self.path, timeout=self.wait)
        conn.row_factory = sqlite3.Row
        return conn

    def _read_only_uri(self) -> str:
        uri = f"file:{quote(str(self.path.absolute()))}?mode=ro"
        # Reading a WAL database needs its -shm file, or a folder to make one in. In a read-only
        # folder (a backup on a read-only disk) with no journal beside it, nothing can change
        # the file, so SQLite may read it as immutable; a journal there must be read, not skipped.
        if self._no_journal() and (self._immutable or not os.access(self.path.parent, os.W_OK)):
            uri += "&immutable=1"
        return uri

    def _no_journal(self) -> bool:
        """No write waits in a journal beside the file (an -shm index alone holds no data)."""
        wal = Path(f"{self.path}-wal")
        return not (wal.exists() and wal.stat().st_size)

    def _prepare(self) -> None:
        conn = self.conn
        # Read as one snapshot: another process may be creating the file's tables right now,
        # and its tables without its mark would look like some other program's database.
        conn.execute("BEGIN")
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.rollback()
        if app_id != APPLICATION_ID and (tables or version):
            # Only a file that is circle's, or empty, is ever changed: another program's file (even
            # one with no tables yet, that has set its own version) is left exactly as it is.
            what = "it holds other tables" if tables else f"another program marked it, version {version}"
            raise StoreError(f"{self.path} is not a circle database ({what})")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer circle (schema {version}; this one knows "
                f"{SCHEMA_VERSION}): upgrade circle to open it"
            )
        if self.readonly:
            if version < SCHEMA_VERSION and tables and not self.damaged_ok:
                raise StoreError(f"{self.path} needs upgrading; open it once without read-only")
            if not tables:
                self._read_as_empty()
            return
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # the laptop may die, not just the process
        conn.execute("PRAGMA foreign_keys=ON")
        if version < SCHEMA_VERSION:
            self._migrate(version)

    def _read_as_empty(self) -> None:
        """A file with no tables yet (its first writer is still creating them) reads as an empty log."""
        self.conn.close()
        self.conn = sqlite3.connect(":memory:")
        self.conn.row_factory = sqlite3.Row
        for target in range(1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[target]:
                _run(self.conn, statement)

    def _migrate(self, version: int) -> None:
        if version > 0:
            self._backup(version)

        def migrate(conn: sqlite3.Connection) -> None:
            # Another process may have migrated the file while this one waited for the lock.
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            for target in range(current + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[target]:
                    _run(conn, statement)
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

        self.transaction(migrate)

    def _backup(self, version: int) -> None:
        target = self.path.with_name(f"{self.path.name}.v{version}.bak")
        n = 1
        while target.exists():  # a backup is never written over: an earlier one stays
            n += 1
            target = self.path.with_name(f"{self.path.name}.v{version}.{n}.bak")
        with sqlite3.connect(target) as copy:
            self.conn.backup(copy)
        copy.close()

    @property
    def db(self):
        """The same connection through sqlite-utils, for ad hoc queries and tools.

        Imported on first use: sqlite-utils scans installed plugins when it loads,
        which would otherwise slow every start of circle.
        """
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def close(self) -> None:
        self.conn.close()

    def transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one write transaction and commit it; all of it is written or none.

        The write lock is taken before ``work`` reads anything, so what it reads is still true
        when it writes. Another process writing at the same moment is waited for (SQLite's busy
        timeout); a busy answer SQLite gives without waiting is tried again until the same
        timeout has passed. Only then is it a :class:`StoreError`, and nothing was written.
        """
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only: nothing can be changed from here")
        try:
            patience = self.conn.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
        except sqlite3.Error as exc:
            raise _friendly(self.path, exc) from None

        def attempt() -> T:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                return work(self.conn)

        return _patiently(self.path, patience, attempt)

    def _write(self, statements: list[tuple[str, tuple]]) -> None:
        def run(conn: sqlite3.Connection) -> None:
            for sql, params in statements:
                conn.execute(sql, params)

        self.transaction(run)

    # -- people and groups ------------------------------------------------------
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

    @_reads
    def group_names(self) -> list[str]:
        return [r["name"] for r in self.conn.execute("SELECT name FROM groups ORDER BY name")]

    @_reads
    def groups(self) -> list[dict]:
        """Every saved group with its kind and how many are members now."""
        rows = self.conn.execute(
            """SELECT g.id, g.name, g.kind, g.created_at,
                 (SELECT count(*) FROM group_members m WHERE m.group_id = g.id AND m.left_at IS NULL) AS members
               FROM groups g ORDER BY g.name"""
        )
        return [dict(r) for r in rows]

    @_reads
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

    @_reads
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

    @_reads
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
        statements = [("INSERT INTO groups VALUES (?, ?, ?, ?)", (group_id, name, kind, now))]
        statements += [("INSERT INTO group_members VALUES (?, ?, ?, NULL)", (group_id, p.id, now)) for p in people]
        self._write(statements)
        return group_id

    def rename_group(self, old: str, new: str) -> None:
        group = self.group(old)
        new = _group_name(new)
        if name_key(new) != name_key(group["name"]) and name_key(new) in map(name_key, self.group_names()):
            raise StoreError(f"a group named '{new}' already exists")
        self._write([("UPDATE groups SET name = ? WHERE id = ?", (new, group["id"]))])

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
        statements = []
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

    @_reads
    def group_events(self, group_id: str) -> list[tuple[float, str, dict]]:
        """A group's own events (Two Loops moves, evidence, roles), oldest first; a damaged one is left out."""
        rows = self.conn.execute(
            "SELECT at, kind, data FROM group_events WHERE group_id = ? AND json_valid(data) ORDER BY at, rowid",
            (group_id,),
        )
        return [(r["at"], r["kind"], json.loads(r["data"])) for r in rows]

    @_reads
    def stage_activity(self, group_id: str) -> list[tuple[str, str]]:
        """(stage, people json) for each session run for the group with a protocol that serves a stage."""
        rows = self.conn.execute(
            """SELECT json_extract(e.data, '$.protocol.two_loops_stage') AS stage,
                      json_extract(e.data, '$.people') AS people
               FROM sessions s JOIN events e ON e.session_id = s.id AND e.kind = 'session_created'
               WHERE s.group_id = ? AND json_valid(e.data) AND stage IS NOT NULL""",
            (group_id,),
        )
        return [(r["stage"], r["people"]) for r in rows]

    # -- sessions and events ------------------------------------------------------
    def create_session(
        self,
        session_id: str,
        protocol_id: str,
        title: str,
        at: float,
        group_id: str | None = None,
        events: list[Event] = (),
    ) -> None:
        """Log a new session, with its first ``events`` in the same transaction.

        Created together, no reader (`circle export latest`) and no crash can find a
        session that has no events yet.
        """
        row = (session_id, protocol_id, title, at, at, group_id)

        def create(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)", row)
            self._append_in(conn, session_id, list(events))

        self.transaction(create)

    def append(self, session_id: str, events: list[Event]) -> None:
        """Commit ``events`` durably, in order, in one transaction."""
        if events:
            self.transaction(lambda conn: self._append_in(conn, session_id, events))

    @staticmethod
    def _append_in(conn: sqlite3.Connection, session_id: str, events: list[Event]) -> None:
        if not events:
            return
        # Inside the write transaction: no other writer can take the same numbers.
        seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = ?", (session_id,)).fetchone()[0]
        conn.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
            [
                (e.id, session_id, seq + i, e.at, e.kind, json.dumps(e.data, ensure_ascii=False))
                for i, e in enumerate(events, start=1)
            ],
        )
        conn.execute(
            "UPDATE sessions SET last_seen = MAX(last_seen, ?) WHERE id = ?", (max(e.at for e in events), session_id)
        )

    @_reads
    def share(self, session_id: str) -> tuple[int, str, bool] | None:
        """Where phones follow this session: (port, token, still sharing), or None if it never was."""
        row = self.conn.execute("SELECT port, token, active FROM shares WHERE session_id = ?", (session_id,)).fetchone()
        return (row["port"], row["token"], bool(row["active"])) if row else None

    def set_share(self, session_id: str, port: int, token: str, active: bool) -> None:
        self._write(
            [
                (
                    "INSERT INTO shares VALUES (?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET "
                    "port = excluded.port, token = excluded.token, active = excluded.active",
                    (session_id, port, token, int(active)),
                )
            ]
        )

    def touch(self, session_id: str, at: float) -> None:
        """Record that the app was alive at ``at`` (for resuming after a crash)."""
        self._write([("UPDATE sessions SET last_seen = MAX(last_seen, ?) WHERE id = ?", (at, session_id))])

    def events(self, session_id: str) -> list[Event]:
        """A session's events in order; one that cannot be read is a :class:`DamagedSession`."""
        try:
            rows = self.conn.execute(
                "SELECT id, at, kind, data FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
            ).fetchall()
        except sqlite3.Error as exc:
            raise DamagedSession(session_id, None, "", f"its events cannot be read ({exc})") from None
        events = []
        for n, r in enumerate(rows, start=1):
            try:
                data = json.loads(r["data"])
            except (ValueError, TypeError):
                raise DamagedSession(session_id, n, r["kind"], "its data is not JSON") from None
            if not isinstance(data, dict):
                raise DamagedSession(session_id, n, r["kind"], "its data is not a JSON object")
            events.append(Event(r["kind"], r["at"], data, r["id"]))
        return events

    @_reads
    def roster(self, session_id: str) -> list[str]:
        """Names of the people present when the session started, in seating order ([] if unreadable)."""
        row = self.conn.execute(
            "SELECT data FROM events WHERE session_id = ? AND kind = 'session_created' AND json_valid(data)",
            (session_id,),
        ).fetchone()
        try:
            return [p["name"] for p in json.loads(row["data"])["people"]] if row else []
        except (KeyError, TypeError):
            return []

    @_reads
    def sessions(self, limit: int | None = None, unfinished: bool = False) -> list[SessionRow]:
        sql = """
            SELECT s.*,
              EXISTS (SELECT 1 FROM events e WHERE e.session_id = s.id AND e.kind = 'session_ended') AS ended,
              (SELECT json_array_length(json_extract(e.data, '$.people')) FROM events e
                 WHERE e.session_id = s.id AND e.kind = 'session_created' AND json_valid(e.data))
              + (SELECT count(*) FROM events e
                 WHERE e.session_id = s.id AND e.kind = 'person_added') AS people,
              EXISTS (SELECT 1 FROM events e WHERE e.session_id = s.id AND NOT json_valid(e.data)) AS damaged
            FROM (SELECT * FROM sessions s {where} ORDER BY s.created_at DESC {limit}) s
            ORDER BY s.created_at DESC"""
        # The few sessions wanted are picked first; their counts are worked out for those alone.
        where = "WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.session_id = s.id AND e.kind = 'session_ended')"
        rows = self.conn.execute(
            sql.format(where=where if unfinished else "", limit=f"LIMIT {int(limit)}" if limit else "")
        )
        return [
            SessionRow(
                r["id"],
                r["protocol_id"],
                r["title"],
                r["created_at"],
                r["last_seen"],
                bool(r["ended"]),
                r["people"] or 0,
                bool(r["damaged"]),
            )
            for r in rows
        ]

    @_reads
    def session(self, ref: str) -> SessionRow:
        """A session by id, unique id prefix, or ``latest``."""
        if ref == "latest":
            rows = self.sessions(limit=1)
            if not rows:
                raise StoreError(f"no sessions are logged in {self.path} yet")
            return rows[0]
        matches = [r for r in self.sessions() if r.id.startswith(ref.strip().lower())] if ref.strip() else []
        if not matches:
            raise StoreError(f"no session '{ref}' in {self.path}; see `circle sessions`")
        if len(matches) > 1:
            raise StoreError(f"'{ref}' matches {len(matches)} sessions; give more of the id")
        return matches[0]
