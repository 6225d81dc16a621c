"""Sessions and their events: logged in order, each write committed before it returns, read back whole or not at all."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from circle.core.events import Event
from circle.store.connection import DamagedSession, Database, StoreError, reads


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


class Share(NamedTuple):
    """Where phones follow a session, and where the facilitator's remote for it is."""

    port: int
    token: str
    active: bool  # still shared (or shared when circle last stopped)
    remote_token: str | None = None  # the remote's own token, if a remote was ever asked for
    host: str | None = None  # the address it is served on ("lan" is resolved to one)


class EventLog(Database):
    """The sessions kept in a database, and their append-only events."""

    def create_session(
        self,
        session_id: str,
        protocol_id: str,
        title: str,
        at: float,
        group_id: str | None = None,
        events: Sequence[Event] = (),
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

    @reads
    def share(self, session_id: str) -> Share | None:
        """Where phones follow this session (port, token, still sharing, the remote's token and
        the host), or None if it never was."""
        row = self.conn.execute(
            "SELECT port, token, active, remote_token, host FROM shares WHERE session_id = ?", (session_id,)
        ).fetchone()
        if row is None:
            return None
        return Share(row["port"], row["token"], bool(row["active"]), row["remote_token"], row["host"])

    def set_share(
        self,
        session_id: str,
        port: int,
        token: str,
        active: bool,
        remote_token: str | None = None,
        host: str | None = None,
    ) -> None:
        """Remember where a session is shared; a remote token or host not given keeps the one saved."""
        self._write(
            [
                (
                    "INSERT INTO shares (session_id, port, token, active, remote_token, host) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET "
                    "port = excluded.port, token = excluded.token, active = excluded.active, "
                    "remote_token = coalesce(excluded.remote_token, remote_token), "
                    "host = coalesce(excluded.host, host)",
                    (session_id, port, token, int(active), remote_token, host),
                )
            ]
        )

    @reads
    def running_share(self) -> tuple[SessionRow, Share] | None:
        """The session being run now that is shared: the most recent unfinished one still sharing."""
        found = self.conn.execute(
            """SELECT s.id FROM shares sh JOIN sessions s ON s.id = sh.session_id
               WHERE sh.active AND NOT EXISTS (
                   SELECT 1 FROM events e WHERE e.session_id = s.id AND e.kind = 'session_ended')
               ORDER BY s.created_at DESC LIMIT 1"""
        ).fetchone()
        if found is None:
            return None
        share = self.share(found["id"])
        row = next((r for r in self.sessions(unfinished=True) if r.id == found["id"]), None)
        return (row, share) if row is not None and share is not None else None

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

    @reads
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

    @reads
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

    @reads
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
