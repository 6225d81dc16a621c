"""The log's commands: `circle sessions`, `export`, `check`, `salvage` and `merge`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from circle.cli.common import db_path, existing_db, reading, refuse_read_only, write
from circle.core.localtime import date_time
from circle.store import Store
from circle.store.lock import DatabaseLock

EXPORT_FORMATS = ("md", "json", "csv", "html", "text")  # circle.views.export.FORMATS (a test keeps them equal)


def add_sessions_parser(sub, common: argparse.ArgumentParser) -> None:
    sub.add_parser("sessions", parents=[common], help="list logged sessions")


def add_repair_parsers(sub, common: argparse.ArgumentParser) -> None:
    merge = sub.add_parser(
        "merge", parents=[common], help="add another circle database's history to this one (the union, by id)"
    )
    merge.add_argument("other", type=Path, metavar="OTHER.db", help="the database to bring in (it is only read)")

    sub.add_parser("check", parents=[common], help="look for damage: SQLite's own check, and a replay of every session")
    salvage = sub.add_parser(
        "salvage", parents=[common], help="copy what is whole of a damaged database into a new file"
    )
    salvage.add_argument("out", type=Path, metavar="NEW.db", help="the new database to write (must not exist)")

    exp = sub.add_parser("export", parents=[common], help="export a session's notes")
    exp.add_argument("session", help="a session id (or its first characters), or 'latest'")
    exp.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        default="md",
        help="md (default) for a forum; text for a chat: no tables, messages of at most 2,000 characters; "
        "html to print; json and csv to process",
    )
    exp.add_argument("--out", type=Path, help="write to this file instead of printing")


def cmd_sessions(args: argparse.Namespace) -> int:
    db = db_path(args)
    rows = reading(args).sessions() if db.exists() else []
    if not rows:
        print(f"no sessions logged in {db} yet")
        return 0
    for r in rows:
        when = date_time(r.created_at)
        status = "ended" if r.ended else "unfinished"
        damaged = ", damaged: see `circle check`" if r.damaged else ""
        print(f"{r.id[:8]}  {when}  {r.title}  ({r.people} people, {status}{damaged})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from circle.sessions import replayable_events
    from circle.views.export import export

    store = reading(args)
    row = store.session(args.session)
    events = replayable_events(store, row.id)
    points = _meeting_points(store, row.id) if any(e.kind == "attendance" for e in events) else ()
    write(export(events, args.format, now=time.time(), points=points), args.out)
    return 0


def _meeting_points(store: Store, session_id: str) -> tuple[str, ...]:
    """What the session scored as a meeting of its group, from the ledger (it needs every earlier meeting)."""
    from circle.games.reciprocity.ledger import compute
    from circle.games.reciprocity.scoring import load_rules

    rules = load_rules()
    return tuple(compute(store, rules).meeting_lines(session_id, rules))


def cmd_check(args: argparse.Namespace) -> int:
    from circle.sessions.repair import check

    report = check(existing_db(args))
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def cmd_salvage(args: argparse.Namespace) -> int:
    from circle.sessions.repair import salvage

    print(salvage(existing_db(args), args.out).summary())
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    """OTHER's people, groups, sessions and events that are not here yet; one summary line."""
    from circle.store.merge import merge_copy, readable_copy

    refuse_read_only(args, "`circle merge`")
    db = db_path(args)
    with readable_copy(args.other, db) as copy:  # a refused OTHER leaves this database as it was
        lock = DatabaseLock(db).acquire()  # a circle running on this database would not see what arrives
        try:
            store = Store(db)
            try:
                report = merge_copy(store, copy, args.other)
            finally:
                store.close()
        finally:
            lock.release()
    print(report.summary(db))
    for note in report.notes():
        print(f"circle: note: {note}", file=sys.stderr)
    return 0
