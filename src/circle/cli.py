"""The ``circle`` command line. Bad input gets one clear line and exit code 1."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

from circle.durations import format_duration
from circle.engine import RosterError, check_roster
from circle.export import FORMATS, export
from circle.loader import LoadError, load_library, validate_paths
from circle.lock import DatabaseLock, LockedError
from circle.protocol import json_schema
from circle.resources import default_db_path
from circle.sessions import StartRequest
from circle.store import Store, StoreError


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 1, not argparse's 2
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", default=argparse.SUPPRESS, help="database file (default: $CIRCLE_DB or the user data folder)"
    )
    common.add_argument(
        "--protocols",
        action="append",
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="extra protocol file or folder (may be repeated)",
    )
    parser = _Parser(prog="circle", description="Facilitate live group sessions.", parents=[common])
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    run = sub.add_parser("run", parents=[common], help="start a session")
    run.add_argument("protocol", help="protocol id (see `circle protocols`)")
    who = run.add_mutually_exclusive_group()
    who.add_argument("--people", help='names, comma separated: "Ana,Ben,Caro"')
    who.add_argument("--group", help="a saved group's name")

    sub.add_parser("protocols", parents=[common], help="list what can be run")
    validate = sub.add_parser("validate", parents=[common], help="check protocol files")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    sub.add_parser("schema", parents=[common], help="print the protocol JSON Schema")
    sub.add_parser("sessions", parents=[common], help="list logged sessions")
    exp = sub.add_parser("export", parents=[common], help="export a session's notes")
    exp.add_argument("session", help="a session id (or its first characters), or 'latest'")
    exp.add_argument("--format", choices=FORMATS, default="md")
    exp.add_argument("--out", type=Path, help="write to this file instead of printing")
    return parser


def _db(args: argparse.Namespace) -> Path:
    return Path(getattr(args, "db", None) or default_db_path())


def _library(args: argparse.Namespace):
    library = load_library(getattr(args, "protocols", []) or [])
    for problem in library.problems:
        print(f"circle: skipped {problem}", file=sys.stderr)
    return library


def cmd_protocols(args: argparse.Namespace) -> int:
    library = _library(args)
    rows = [(p.id, p.title, _length(p), p.group_size.describe()) for p in library.sorted()]
    widths = [max(len(r[i]) for r in [("id", "title", "length", "people"), *rows]) for i in range(4)]
    for row in [("id", "title", "length", "people"), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _length(protocol) -> str:
    low, high = protocol.length_range()
    if low == high:
        return format_duration(low)
    return f"{format_duration(low)}-{format_duration(high)}"


def cmd_validate(args: argparse.Namespace) -> int:
    problems = validate_paths(args.paths)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
    return 0


def cmd_sessions(args: argparse.Namespace) -> int:
    db = _db(args)
    rows = Store(db, readonly=True).sessions() if db.exists() else []
    if not rows:
        print(f"no sessions logged in {db} yet")
        return 0
    for r in rows:
        when = datetime.fromtimestamp(r.created_at).strftime("%Y-%m-%d %H:%M")
        status = "ended" if r.ended else "unfinished"
        print(f"{r.id[:8]}  {when}  {r.title}  ({r.people} people, {status})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    db = _db(args)
    if not db.exists():
        raise StoreError(f"no database at {db}")
    store = Store(db, readonly=True)
    row = store.session(args.session)
    text = export(store.events(row.id), args.format, now=time.time())
    if args.out:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.out}: {exc.strerror}") from None
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _start_request(args: argparse.Namespace, library, db: Path) -> StartRequest:
    protocol = library.get(args.protocol)
    if args.group:
        store = Store(db)
        try:
            names = [p.name for p in store.group_members(args.group)]
        finally:
            store.close()
    elif args.people is not None:
        names = args.people.split(",")
    else:
        raise UsageError('say who is here: --people "Ana,Ben,Caro" or --group NAME')
    return StartRequest(protocol.id, check_roster(names))


def cmd_tui(args: argparse.Namespace) -> int:
    library = _library(args)
    db = _db(args)
    lock = DatabaseLock(db).acquire()
    try:
        start = _start_request(args, library, db) if args.command == "run" else None
        from circle.app import make_app  # Textual loads only once the input is checked

        app = make_app(db, library=library, start=start)
        app.run()
    finally:
        lock.release()
    return app.return_code or 0


COMMANDS = {
    "protocols": cmd_protocols,
    "validate": cmd_validate,
    "schema": cmd_schema,
    "sessions": cmd_sessions,
    "export": cmd_export,
    "run": cmd_tui,
    None: cmd_tui,
}


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except (UsageError, StoreError, RosterError, LockedError, ValueError) as exc:
        print(f"circle: {exc}", file=sys.stderr)
        return 1
    except KeyError as exc:
        print(f"circle: {exc.args[0]}", file=sys.stderr)
        return 1
    except LoadError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
