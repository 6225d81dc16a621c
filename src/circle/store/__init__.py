"""The SQLite log: people, groups, sessions and their append-only events.

Every event is committed (WAL, synchronous=FULL) before :meth:`Store.append`
returns, which is before the engine folds it and the screen shows it. Totals
are never stored; they are folded from events by the read models.

Several processes may use one file (the app and `circle export`, or two tools
using this API): readers see whole transactions only, and every write is one
``BEGIN IMMEDIATE`` transaction, taken before it reads what it decides on, that
waits for another writer as long as the busy timeout allows.

The file is opened and its schema kept up to date in :mod:`~circle.store.connection`
and :mod:`~circle.store.schema`; people and groups are :mod:`~circle.store.people`,
sessions and their events :mod:`~circle.store.events`, the notes' search :mod:`~circle.store.notes`.
"""

from __future__ import annotations

from circle.store.connection import DAMAGED, WAIT_SECONDS, DamagedSession, StoreError, cut_inside_a_page
from circle.store.events import EventLog, SessionRow, Share
from circle.store.notes import NoteHit, Notes
from circle.store.people import People
from circle.store.schema import _MIGRATIONS, APPLICATION_ID, SCHEMA_VERSION

__all__ = [
    "APPLICATION_ID",
    "DAMAGED",
    "SCHEMA_VERSION",
    "WAIT_SECONDS",
    "_MIGRATIONS",
    "DamagedSession",
    "NoteHit",
    "SessionRow",
    "Share",
    "Store",
    "StoreError",
    "cut_inside_a_page",
]


class Store(People, EventLog, Notes):
    """One circle database file."""
