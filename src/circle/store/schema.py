"""The database's schema: the statements that make each version from the one before.

A file's ``PRAGMA user_version`` says which of them it has had; opening it runs the rest
(see :mod:`circle.store.connection`). A statement is SQL, or a function for a change SQL
alone cannot make.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from circle.core.names import stored_key

APPLICATION_ID = 0x43524C45  # "CRLE": marks a file as a circle database
SCHEMA_VERSION = 6


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


def upgrade(conn: sqlite3.Connection, version: int) -> None:
    """Bring a schema at ``version`` (0: an empty file) up to :data:`SCHEMA_VERSION`, a version at a time."""
    for target in range(version + 1, SCHEMA_VERSION + 1):
        for statement in _MIGRATIONS[target]:
            if callable(statement):
                statement(conn)
            else:
                conn.execute(statement)
