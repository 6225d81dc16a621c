"""The facilitator's notes, searched: SQLite's full-text index over them (``notes_fts``, see the schema)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from circle.core.errors import InputError
from circle.store.connection import Database, _busy, _friendly

MARK = ("[", "]")  # around each word of a note that matched


@dataclass(frozen=True)
class NoteHit:
    session_id: str
    title: str  # the session's
    at: float
    text: str
    marked: str  # the text with each match in MARK
    nth: int  # it is the session's nth note (from 1): the report's notes run in the same order


class Notes(Database):
    def search_notes(self, query: str, group_id: str | None = None) -> list[NoteHit]:
        """Notes matching ``query`` (SQLite's full-text syntax: words, "a phrase", word*, OR, NOT),
        oldest first; ``group_id``: only sessions run for that group."""
        if not query.strip():
            raise InputError("type a word to search the notes for")
        sql = f"""
            SELECT e.session_id, s.title, e.at, f.text, highlight(notes_fts, 0, ?, ?) AS marked,
                   (SELECT count(*) FROM events n
                    WHERE n.session_id = e.session_id AND n.kind = 'note' AND n.seq <= e.seq) AS nth
            FROM notes_fts f JOIN events e ON e.id = f.event_id JOIN sessions s ON s.id = e.session_id
            WHERE notes_fts MATCH ? {"AND s.group_id = ?" if group_id else ""}
            ORDER BY e.at, e.seq"""
        params = [*MARK, query, *([group_id] if group_id else [])]
        try:
            rows = self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if _busy(exc) or "malformed" in str(exc).lower():
                raise _friendly(self.path, exc) from None
            # What the full-text syntax cannot read: a lone quote, a stray "column:" filter.
            raise InputError(
                f'cannot search the notes for {query!r} ({exc}); the search reads words, "a phrase", word*, OR and NOT'
            ) from None
        except sqlite3.Error as exc:
            raise _friendly(self.path, exc) from None
        return [NoteHit(*row) for row in rows]
