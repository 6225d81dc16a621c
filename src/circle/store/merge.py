"""Merging another circle database into this one: logs from two laptops become one history.

Everything in a circle database has a UUID, so the merge is the union by id: the people, groups,
dated memberships, sessions, events and group events of OTHER that this database does not have yet
are added; what is here already is left as it is, so merging twice adds nothing the second time.
All of it is one transaction: a merge that is refused has changed nothing.

- OTHER is read from a private copy, never in place. A file that is not circle's, or was written
  by a newer circle, is refused; an older one is migrated in the copy.
- A group here with the same name but another id is a different group: the incoming one gets
  OTHER's file name after its own, "Tuesday crew (laptop-b)", and the merge says so.
- A session in both: when OTHER's events carry on from ours (the session was resumed on the other
  laptop after the copy), the rest is added. When both went on differently, it is refused.
- An event or group event id in both with different content is refused: that is not one history.
- Memberships have no id; they are matched by group, person and the moment joined. A membership still
  open here that has ended in OTHER takes OTHER's date (someone left, recorded on the other laptop);
  one overlapping a membership of the same person here is already known.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from circle.store import APPLICATION_ID, SCHEMA_VERSION, Store, StoreError

NOTHING_MERGED = "nothing was merged"


class MergeError(StoreError):
    """OTHER cannot be merged; nothing was changed."""


@dataclass
class MergeReport:
    """What a merge added, for the summary line."""

    source: Path
    people: int = 0
    groups: int = 0
    memberships: int = 0
    sessions: int = 0
    events: int = 0
    group_events: int = 0
    continued: int = 0  # sessions here that got events from OTHER
    ended: int = 0  # memberships here that OTHER says have ended
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (name in OTHER, name here)
    namesakes: list[str] = field(default_factory=list)  # new people named like someone here

    @property
    def added(self) -> bool:
        return any((self.people, self.groups, self.memberships, self.sessions, self.events, self.group_events))

    def summary(self, target: Path) -> str:
        if not self.added and not self.ended:
            return f"nothing to merge: everything in {self.source} is already in {target}"
        counts = [
            (self.sessions, "session"),
            (self.events, "event"),
            (self.people, "person"),
            (self.groups, "group"),
            (self.memberships, "membership"),
            (self.group_events, "group event"),
        ]
        parts = [_count(n, noun) for n, noun in counts if n]
        if self.continued:
            parts.append(f"{_count(self.continued, 'session')} continued")
        if self.ended:
            parts.append(f"{_count(self.ended, 'membership')} ended")
        return f"merged {self.source} into {target}: " + ", ".join(parts)

    def notes(self) -> list[str]:
        lines = [
            f"the group '{old}' in {self.source} is not the one here (another id); it was added as '{new}'"
            for old, new in self.renamed
        ]
        lines += [
            f"{name} in {self.source} is not the {name} here (another id); both are kept" for name in self.namesakes
        ]
        return lines


def _count(n: int, noun: str) -> str:
    plural = "people" if noun == "person" else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


def merge(store: Store, other: Path | str) -> MergeReport:
    """Bring into ``store`` everything from the database at ``other`` that it does not have yet."""
    with readable_copy(other, store.path) as copy:
        return merge_copy(store, copy, Path(other))


@contextmanager
def readable_copy(other: Path | str, target: Path) -> Iterator[Path]:
    """OTHER, checked and copied into a private folder (migrated there if it is older); OTHER is only read.

    Checked before the database merged into is opened, so a refused merge does not even create it.
    """
    other = Path(other)
    _check_path(other, target)
    with tempfile.TemporaryDirectory(prefix="circle-merge-") as folder:
        copy = _private_copy(other, Path(folder))
        _check_copy(copy, other)
        Store(copy).close()  # an older schema is migrated here, in the copy
        yield copy


def merge_copy(store: Store, copy: Path, source: Path) -> MergeReport:
    """The union, from a copy made by :func:`readable_copy`; ``source`` is the name to report."""
    try:
        store.conn.execute("ATTACH DATABASE ? AS other", (str(copy),))
    except sqlite3.Error as exc:
        raise MergeError(f"cannot read {source}: {exc}; {NOTHING_MERGED}") from None
    try:
        return store.transaction(lambda conn: _union(conn, source))
    finally:
        store.conn.execute("DETACH DATABASE other")


def _check_path(other: Path, target: Path) -> None:
    if not other.exists():
        raise MergeError(f"{other} does not exist; {NOTHING_MERGED}")
    if other.is_dir():
        raise MergeError(f"{other} is a directory, not a database file; {NOTHING_MERGED}")
    if target.exists() and other.samefile(target):
        raise MergeError(f"{other} is this database itself; name the other one")


def _private_copy(other: Path, folder: Path) -> Path:
    """A copy of OTHER to read and migrate, so OTHER itself is never written to."""
    copy = folder / "other.db"
    wal = other.with_name(other.name + "-wal")
    try:
        if wal.exists() and wal.stat().st_size:
            # Committed writes may still wait in its write-ahead log (or another circle has it open):
            # SQLite's backup reads the file as it stands, whole.
            source = sqlite3.connect(f"{other.resolve().as_uri()}?mode=ro", uri=True, timeout=3)
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        else:
            shutil.copyfile(other, copy)
    except OSError as exc:
        raise MergeError(f"cannot read {other}: {exc.strerror}; {NOTHING_MERGED}") from None
    except sqlite3.Error:
        raise MergeError(f"{other} is not a circle database (not an SQLite file); {NOTHING_MERGED}") from None
    return copy


def _check_copy(copy: Path, other: Path) -> None:
    conn = sqlite3.connect(copy)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.Error:
        raise MergeError(f"{other} is not a circle database (not an SQLite file); {NOTHING_MERGED}") from None
    finally:
        conn.close()
    if app_id != APPLICATION_ID:
        what = "it holds other tables" if tables else "it is empty"
        raise MergeError(f"{other} is not a circle database ({what}); {NOTHING_MERGED}")
    if version > SCHEMA_VERSION:
        raise MergeError(
            f"{other} was written by a newer circle (schema {version}; this one knows {SCHEMA_VERSION}): "
            f"upgrade circle to merge it; {NOTHING_MERGED}"
        )


# -- the union, inside one write transaction on this database, with OTHER attached as `other` ----------


def _union(conn: sqlite3.Connection, source: Path) -> MergeReport:
    report = MergeReport(source)
    # One pass over OTHER's events (a decade is half a million) finds those this database lacks
    # and any id that is here with other content; what follows reads only these rows.
    conn.execute(
        """CREATE TEMP TABLE merge_incoming AS
           SELECT o.rowid AS other_row, o.id, o.session_id, m.id IS NOT NULL AS clash
           FROM other.events o LEFT JOIN main.events m ON m.id = o.id
           WHERE m.id IS NULL OR m.session_id IS NOT o.session_id OR m.seq IS NOT o.seq
              OR m.at IS NOT o.at OR m.kind IS NOT o.kind OR m.data IS NOT o.data"""
    )
    # Sessions here that OTHER carries on (the rest of them comes in).
    continued = [
        row[0]
        for row in conn.execute(
            """SELECT DISTINCT session_id FROM temp.merge_incoming
               WHERE NOT clash AND session_id IN (SELECT id FROM main.sessions)"""
        )
    ]
    _refuse_clashes(conn, source, continued)
    _people(conn, report)
    _groups(conn, report, source)
    _memberships(conn, report)
    report.sessions = conn.execute(
        """INSERT INTO main.sessions (id, protocol_id, title, created_at, last_seen, group_id)
           SELECT id, protocol_id, title, created_at, last_seen, group_id FROM other.sessions o
           WHERE NOT EXISTS (SELECT 1 FROM main.sessions m WHERE m.id = o.id) ORDER BY created_at"""
    ).rowcount
    _events(conn, report, continued)
    report.group_events = conn.execute(
        """INSERT INTO main.group_events (id, group_id, at, kind, data)
           SELECT id, group_id, at, kind, data FROM other.group_events o
           WHERE NOT EXISTS (SELECT 1 FROM main.group_events m WHERE m.id = o.id) ORDER BY at, rowid"""
    ).rowcount
    conn.execute("DROP TABLE temp.merge_incoming")
    return report


def _refuse_clashes(conn: sqlite3.Connection, source: Path, continued: list[str]) -> None:
    """The same id with different content, or one session gone two ways, is not one history."""
    clash = conn.execute("SELECT id FROM temp.merge_incoming WHERE clash LIMIT 1").fetchone()
    if clash:
        raise MergeError(f"event {clash[0]} is in {source} and here with different content; {NOTHING_MERGED}")
    clash = conn.execute(
        """SELECT o.id FROM other.group_events o JOIN main.group_events m ON m.id = o.id
           WHERE m.group_id IS NOT o.group_id OR m.at IS NOT o.at OR m.kind IS NOT o.kind
              OR m.data IS NOT o.data LIMIT 1"""
    ).fetchone()
    if clash:
        raise MergeError(f"group event {clash[0]} is in {source} and here with different content; {NOTHING_MERGED}")
    # Shared events sit at the same places (checked above), so a session that OTHER carries on is
    # one history when all its events here are in OTHER too: they are its first ones.
    for session_id in continued:
        forked = conn.execute(
            """SELECT s.title FROM main.sessions s WHERE s.id = ? AND EXISTS (
                   SELECT 1 FROM main.events m WHERE m.session_id = s.id
                   AND NOT EXISTS (SELECT 1 FROM other.events o WHERE o.id = m.id))""",
            (session_id,),
        ).fetchone()
        if forked:
            raise MergeError(
                f"session {session_id[:8]} ({forked[0]}) went on differently here and in {source} "
                f"(it was carried on in both after they were copied); {NOTHING_MERGED}"
            )


def _people(conn: sqlite3.Connection, report: MergeReport) -> None:
    report.namesakes = [
        row[0]
        for row in conn.execute(
            """SELECT o.name FROM other.people o
               WHERE NOT EXISTS (SELECT 1 FROM main.people m WHERE m.id = o.id)
                 AND EXISTS (SELECT 1 FROM main.people m WHERE m.key = o.key) ORDER BY o.name"""
        )
    ]
    report.people = conn.execute(
        """INSERT INTO main.people (id, name, key, created_at)
           SELECT id, name, key, created_at FROM other.people o
           WHERE NOT EXISTS (SELECT 1 FROM main.people m WHERE m.id = o.id) ORDER BY created_at"""
    ).rowcount


def _groups(conn: sqlite3.Connection, report: MergeReport, source: Path) -> None:
    taken = {row[0].casefold() for row in conn.execute("SELECT name FROM main.groups")}
    incoming = conn.execute(
        """SELECT id, name, kind, created_at FROM other.groups o
           WHERE NOT EXISTS (SELECT 1 FROM main.groups m WHERE m.id = o.id) ORDER BY created_at"""
    ).fetchall()
    for group_id, name, kind, created_at in incoming:
        new_name = name
        if name.casefold() in taken:
            # Another group of the same name: keep both, and tell them apart by where this one came from.
            new_name, n = f"{name} ({source.stem})", 2
            while new_name.casefold() in taken:
                new_name, n = f"{name} ({source.stem} {n})", n + 1
            report.renamed.append((name, new_name))
        taken.add(new_name.casefold())
        conn.execute("INSERT INTO main.groups VALUES (?, ?, ?, ?)", (group_id, new_name, kind, created_at))
    report.groups = len(incoming)


def _memberships(conn: sqlite3.Connection, report: MergeReport) -> None:
    here: dict[tuple[str, str], list[tuple[float, float | None]]] = {}
    for group_id, person_id, joined, left in conn.execute(
        "SELECT group_id, person_id, joined_at, left_at FROM main.group_members"
    ):
        here.setdefault((group_id, person_id), []).append((joined, left))
    rows = conn.execute(
        "SELECT group_id, person_id, joined_at, left_at FROM other.group_members ORDER BY rowid"
    ).fetchall()
    for group_id, person_id, joined, left in rows:
        spans = here.setdefault((group_id, person_id), [])
        same = [span for span in spans if span[0] == joined]
        if same:
            if same[0][1] is None and left is not None:  # they left; it was recorded on the other laptop
                conn.execute(
                    """UPDATE main.group_members SET left_at = ?
                       WHERE group_id = ? AND person_id = ? AND joined_at = ? AND left_at IS NULL""",
                    (left, group_id, person_id, joined),
                )
                spans[spans.index(same[0])] = (joined, left)
                report.ended += 1
            continue
        if any(_overlap((joined, left), span) for span in spans):
            continue  # a member at that time already, by a membership of this database
        conn.execute("INSERT INTO main.group_members VALUES (?, ?, ?, ?)", (group_id, person_id, joined, left))
        spans.append((joined, left))
        report.memberships += 1


def _overlap(a: tuple[float, float | None], b: tuple[float, float | None]) -> bool:
    inf = float("inf")
    return a[0] < (b[1] if b[1] is not None else inf) and b[0] < (a[1] if a[1] is not None else inf)


def _events(conn: sqlite3.Connection, report: MergeReport, continued: list[str]) -> None:
    """The events here lacks; ``continued`` are the sessions here that some of them carry on."""
    report.events = conn.execute(
        """INSERT INTO main.events (id, session_id, seq, at, kind, data)
           SELECT o.id, o.session_id, o.seq, o.at, o.kind, o.data
           FROM temp.merge_incoming i JOIN other.events o ON o.rowid = i.other_row ORDER BY i.rowid"""
    ).rowcount
    for session_id in continued:
        conn.execute(
            """UPDATE main.sessions SET last_seen = MAX(last_seen, (SELECT last_seen FROM other.sessions WHERE id = ?))
               WHERE id = ?""",
            (session_id, session_id),
        )
    report.continued = len(continued)
