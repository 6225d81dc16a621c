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
SCHEMA_VERSION = 8


def _rekey_people(conn: sqlite3.Connection) -> None:
    """Saved people's keys in composed form (NFC): one saved as "Renée" is found by "Renée"."""
    for pid, name, key in conn.execute("SELECT id, name, key FROM people").fetchall():
        if stored_key(name) != key:
            conn.execute("UPDATE people SET key = ? WHERE id = ?", (stored_key(name), pid))


def _local(moment: str) -> str:
    """A moment (seconds since the epoch) as local ISO time, as the computer reading it keeps time."""
    return f"strftime('%Y-%m-%dT%H:%M:%S', {moment}, 'unixepoch', 'localtime')"


# Events that end (or leave) a turn carry its figures as `turn` (circle.engine.session, Session._ending).
TURN_KINDS = "('turn_done', 'turn_passed', 'turn_back', 'person_removed', 'step_skipped', 'session_ended')"

# A turn's row is the last figures recorded for it, unless its step's run was started afresh or
# dropped (back into the step before) after them; a turn left by back with no time was not taken.
# Only sessions whose every turn carries its figures are read (session_created says so).
TURNS_VIEW = f"""CREATE VIEW turns AS
    WITH recorded AS (
        SELECT e.session_id, e.seq, e.at, e.data, json_extract(e.data, '$.turn.step') AS step,
               json_extract(e.data, '$.turn.slot') AS slot, json_extract(e.data, '$.turn.status') AS status
        FROM events e
        WHERE e.kind IN {TURN_KINDS} AND json_valid(e.data) AND json_type(e.data, '$.turn') = 'object'
    )
    SELECT r.session_id, s.title AS session, r.step + 1 AS step,
           json_extract(c.data, '$.protocol.steps[' || r.step || '].title') AS step_title,
           r.slot + 1 AS turn, json_extract(r.data, '$.turn.label') AS label,
           json_extract(r.data, '$.turn.person') AS person_id, json_extract(r.data, '$.turn.name') AS person,
           {_local("json_extract(r.data, '$.turn.started')")} AS started, {_local("r.at")} AS ended,
           round(json_extract(r.data, '$.turn.seconds'), 3) AS seconds,
           json_extract(r.data, '$.turn.allowed') AS allowed,
           round(json_extract(r.data, '$.turn.overtime'), 3) AS overtime,
           r.status = 'passed' AS passed,
           CASE r.status WHEN 'todo' THEN 'back' ELSE r.status END AS status,
           json_extract(r.data, '$.turn.again') AS again
    FROM recorded r
    JOIN sessions s ON s.id = r.session_id
    JOIN events c ON c.session_id = r.session_id AND c.kind = 'session_created' AND json_valid(c.data)
    WHERE json_extract(c.data, '$.turn_figures')
      AND NOT (r.status IN ('todo', 'skipped') AND json_extract(r.data, '$.turn.seconds') = 0)
      AND NOT EXISTS (
        SELECT 1 FROM events later
        WHERE later.session_id = r.session_id AND later.seq > r.seq AND json_valid(later.data) AND (
            (later.kind IN {TURN_KINDS} AND json_extract(later.data, '$.turn.step') = r.step
                AND json_extract(later.data, '$.turn.slot') = r.slot)
            OR (later.kind = 'step_started' AND json_extract(later.data, '$.step') = r.step)
            OR (later.kind = 'turn_back' AND json_extract(later.data, '$.dropped') = r.step)))"""

# Who was expected and who came: the people at the start, those added (arrived) and removed (left),
# and a saved group's members who were absent. As the report has it: arrived is the last time they
# were added (after the start), left the last time they were removed if they did not come back.
ATTENDANCE_VIEW = f"""CREATE VIEW attendance AS
    WITH named AS (
        SELECT e.session_id, e.seq, e.at, 'start' AS how, json_extract(p.value, '$.id') AS person_id,
               json_extract(p.value, '$.name') AS name
        FROM events e, json_each(e.data, '$.people') p WHERE e.kind = 'session_created' AND json_valid(e.data)
        UNION ALL
        SELECT e.session_id, e.seq, e.at, 'absent', json_extract(p.value, '$.id'), json_extract(p.value, '$.name')
        FROM events e, json_each(e.data, '$.absent') p WHERE e.kind = 'attendance' AND json_valid(e.data)
        UNION ALL
        SELECT session_id, seq, at, 'added', json_extract(data, '$.id'), json_extract(data, '$.name')
        FROM events WHERE kind = 'person_added' AND json_valid(data)
        UNION ALL
        SELECT session_id, seq, at, 'removed', json_extract(data, '$.id'), NULL
        FROM events WHERE kind = 'person_removed' AND json_valid(data)
    ),
    person AS (
        SELECT session_id, person_id, max(how IN ('start', 'added')) AS came,
               max(CASE how WHEN 'added' THEN seq END) AS added_seq,
               max(CASE how WHEN 'removed' THEN seq END) AS removed_seq,
               max(CASE WHEN name IS NOT NULL THEN seq END) AS named_seq
        FROM named GROUP BY session_id, person_id
    )
    SELECT p.session_id, s.title AS session, {_local("s.created_at")} AS session_started,
           s.group_id, json_extract(a.data, '$.group.name') AS group_name, p.person_id, n.name AS person,
           CASE WHEN p.came THEN 'present' ELSE 'absent' END AS status,
           CASE WHEN added.at > c.at THEN {_local("added.at")} END AS arrived,
           CASE WHEN p.removed_seq > coalesce(p.added_seq, 0) THEN {_local("removed.at")} END AS "left"
    FROM person p
    JOIN sessions s ON s.id = p.session_id
    JOIN events c ON c.session_id = p.session_id AND c.kind = 'session_created'
    JOIN named n ON n.session_id = p.session_id AND n.seq = p.named_seq AND n.person_id = p.person_id
    LEFT JOIN events a ON a.session_id = p.session_id AND a.kind = 'attendance' AND json_valid(a.data)
    LEFT JOIN events added ON added.session_id = p.session_id AND added.seq = p.added_seq
    LEFT JOIN events removed ON removed.session_id = p.session_id AND removed.seq = p.removed_seq"""

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
    # The log for anyone with sqlite3 or Datasette (docs/events.md): the facilitator's notes searchable,
    # and each session's turns and attendance as rows.
    7: [
        # The note's text is kept beside its event id (not the events' rowid, which VACUUM may
        # renumber); events are append-only, so a trigger on insert keeps it whole, through merge
        # and salvage too, which insert events like any session.
        # Porter stemming: "round" finds "rounds"; without diacritics: "renee" finds "Renée".
        """CREATE VIRTUAL TABLE notes_fts USING fts5(
            text, event_id UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')""",
        """CREATE TRIGGER events_note_text AFTER INSERT ON events
            WHEN new.kind = 'note' AND json_valid(new.data)
            BEGIN INSERT INTO notes_fts (text, event_id) VALUES (json_extract(new.data, '$.text'), new.id); END""",
        """INSERT INTO notes_fts (text, event_id)
            SELECT json_extract(data, '$.text'), id FROM events WHERE kind = 'note' AND json_valid(data)""",
        TURNS_VIEW,
        ATTENDANCE_VIEW,
    ],
    # The facilitator's own phone, a remote for the wall: its token (never the follow token), and
    # the address the page is served on, so `circle remote` can say where to point it.
    8: [
        "ALTER TABLE shares ADD COLUMN remote_token TEXT",
        "ALTER TABLE shares ADD COLUMN host TEXT",
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
