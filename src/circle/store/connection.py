"""Opening a circle database, and its connection's patience and friendly errors.

A file is checked before anything is written to it (it is circle's, or empty, and not
newer than this circle), its schema is brought up to date, and every write is one
``BEGIN IMMEDIATE`` transaction that waits for another process's write. Every SQLite
problem reaches the facilitator as one line (:class:`StoreError`).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar
from urllib.parse import quote

from circle.core.errors import CircleError
from circle.store.schema import APPLICATION_ID, SCHEMA_VERSION, upgrade

T = TypeVar("T")
P = ParamSpec("P")
D = TypeVar("D", bound="Database")
Statement = tuple[str, tuple[object, ...]]  # SQL and its parameters

WAIT_SECONDS = 3.0  # how long a write waits for another process's write to finish


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


def reads(method: Callable[Concatenate[D, P], T]) -> Callable[Concatenate[D, P], T]:
    """A reading method whose SQLite problems (a damaged page, say) become one line."""

    @functools.wraps(method)
    def reading(self: D, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise _friendly(self.path, exc) from None

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
    return size % page != 0 or (not in_wal and pages > 0 and size < pages * page)


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


class Database:
    """A circle database file, open: its connection, and transactions that wait their turn.

    :class:`circle.store.Store` is this with what is kept in it (people, groups, sessions).
    """

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
        upgrade(self.conn, 0)

    def _migrate(self, version: int) -> None:
        if version > 0:
            self._backup(version)

        def migrate(conn: sqlite3.Connection) -> None:
            # Another process may have migrated the file while this one waited for the lock.
            upgrade(conn, conn.execute("PRAGMA user_version").fetchone()[0])
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

    @reads
    def query(self, sql: str, params: Sequence[object] | Mapping[str, object] = ()) -> list[sqlite3.Row]:
        """The rows one query reads, its SQLite problems worded as every read's are (a game's own queries)."""
        return self.conn.execute(sql, params).fetchall()

    def _write(self, statements: list[Statement]) -> None:
        def run(conn: sqlite3.Connection) -> None:
            for sql, params in statements:
                conn.execute(sql, params)

        self.transaction(run)
