"""The ``circle`` command line. Bad input gets one clear line and exit code 1."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from circle.cli.mix import add_mix_parser, cmd_mix
from circle.core.errors import CircleError, one_line, printable
from circle.core.localtime import date_time
from circle.core.names import name_key
from circle.core.resources import default_db_path
from circle.games.groups import GROUP_KINDS, kind_for
from circle.store import Store, StoreError
from circle.store.lock import DatabaseLock, real_path

# Each command imports the rest of circle it needs when it runs: plain `circle`
# paints its home screen before the protocol models and YAML parser are loaded.

EXPORT_FORMATS = ("md", "json", "csv", "html")  # circle.views.export.FORMATS (a test keeps them equal)


class UsageError(CircleError):
    pass


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)  # --follow is not short for --follow-host
        super().__init__(*args, **kwargs)

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
    phones = argparse.ArgumentParser(add_help=False)
    phones.add_argument(
        "--follow-host",
        default=argparse.SUPPRESS,
        metavar="ADDRESS",
        help="where phones can follow along: lan (this machine's network address, the default), "
        "127.0.0.1 for this machine only, or 0.0.0.0 for every network it is on",
    )
    phones.add_argument(
        "--follow-port", type=int, default=argparse.SUPPRESS, metavar="N", help="port for phones (default: any free)"
    )
    parser = _Parser(prog="circle", description="Facilitate live group sessions.", parents=[common, phones])
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="look without changing anything (sessions, ledger, groups), even while another circle uses the database",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    run = sub.add_parser("run", parents=[common, phones], help="start a session")
    run.add_argument("--follow", action="store_true", help="put the follow-along QR code on the wall at once")
    run.add_argument("protocol", help="protocol id (see `circle protocols`)")
    who = run.add_mutually_exclusive_group()
    who.add_argument("--people", help='names, comma separated: "Ana,Ben,Caro"')
    who.add_argument("--group", help="a saved group's name (attendance is taken against its members)")
    run.add_argument("--absent", default="", help='with --group: members who are not here, "Esi,Femi"')

    sub.add_parser("protocols", parents=[common], help="list what can be run")
    validate = sub.add_parser("validate", parents=[common], help="check protocol files")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    sub.add_parser("schema", parents=[common], help="print the protocol JSON Schema")
    sub.add_parser("sessions", parents=[common], help="list logged sessions")
    group = sub.add_parser("group", parents=[common], help="saved groups: crews, congregations, communities")
    gsub = group.add_subparsers(dest="group_command", parser_class=_Parser, required=True)
    gsub.add_parser("list", parents=[common], help="every saved group")
    show = gsub.add_parser("show", parents=[common], help="a group's members")
    show.add_argument("name")
    create = gsub.add_parser("create", parents=[common], help="save a new group")
    create.add_argument("name")
    create.add_argument("--kind", choices=GROUP_KINDS, help="by default a partnership for two people, else a crew")
    create.add_argument("--people", default="", help='members, comma separated: "Ana,Ben,Caro"')
    rename = gsub.add_parser("rename", parents=[common], help="give a group a new name")
    rename.add_argument("name")
    rename.add_argument("new_name")
    for verb, text in (("add", "people who join"), ("remove", "people who leave")):
        change = gsub.add_parser(verb, parents=[common], help=text)
        change.add_argument("name")
        change.add_argument("--people", required=True, help='names, comma separated: "Ana,Ben"')

    ledger = sub.add_parser("ledger", parents=[common], help="Reciprocity Game points")
    ledger.add_argument("group", nargs="?", help="one group's ledger (default: everyone)")
    ledger.add_argument("--format", choices=("text", "md", "csv"), default="text")
    ledger.add_argument("--out", type=Path, help="write to this file instead of printing")

    loops = sub.add_parser("loops", parents=[common], help="Two Loops: where a community stands")
    loops.add_argument("community", nargs="?", help="a saved group (default: list the communities)")
    loops.add_argument("--move", metavar="STAGE", help="move the marker to this stage")
    loops.add_argument("--evidence", default="", help="what shows it (with --move, or alone to add evidence)")
    loops.add_argument("--by", default="", help="who decided")
    loops.add_argument("--at", metavar="YYYY-MM-DD", help="the day it happened, for history recorded later")
    loops.add_argument("--role", metavar="PERSON=ROLE", help="give someone a role (PERSON=-ROLE takes it back)")
    loops.add_argument("--format", choices=("text", "md"), default="text")
    loops.add_argument("--out", type=Path, help="write to this file instead of printing")

    add_mix_parser(sub, common)

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
    exp.add_argument("--format", choices=EXPORT_FORMATS, default="md")
    exp.add_argument("--out", type=Path, help="write to this file instead of printing")
    return parser


def _db(args: argparse.Namespace) -> Path:
    """The database file itself: reached by a symbolic link, the file it names (one lock, one journal)."""
    return real_path(getattr(args, "db", None) or default_db_path())


def _library(args: argparse.Namespace):
    from circle.protocol.loader import load_library

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
    from circle.core.durations import format_duration

    low, high = protocol.length_range()
    days = protocol.days
    if low == high:
        return format_duration(low) + (f" ({len(days)} days)" if len(days) > 1 else "")
    return f"{format_duration(low)}-{format_duration(high)}"


def cmd_validate(args: argparse.Namespace) -> int:
    """Protocols, and circle's data files (points, Two Loops, methods), each against its own model."""
    from circle.games.reciprocity.scoring import load_rules
    from circle.games.two_loops import load_loops
    from circle.protocol.loader import LoadError, validate_paths, yaml_files
    from circle.protocol.methods import load_methods, method_problems

    loaders = {"points": load_rules, "two loops": load_loops, "methods": load_methods}
    problems, protocols = [], []
    for path in yaml_files(args.paths):
        kind = _data_kind(path)
        if kind is None:
            protocols.append(path)
            continue
        try:
            loaders[kind](path)
        except LoadError as exc:
            problems.extend(exc.problems)
    problems = validate_paths(protocols) + problems
    if not problems:
        methods = load_methods()
        problems = [p for path in protocols for p in method_problems(path, methods)]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


# A data file is known by its shape: the top-level keys only it has (a protocol has steps).
DATA_SHAPES = {"points": {"levels"}, "two loops": {"stages", "roles"}, "methods": {"methods"}}


def _data_kind(path: Path) -> str | None:
    """Which of circle's data files ``path`` is, by its top-level keys; None for a protocol."""
    from circle.protocol.loader import LoadError, read_text, read_yaml

    try:
        doc = read_yaml(read_text(path, str(path)), str(path))
    except LoadError:
        return None  # the protocol check reports what is wrong with it
    if not isinstance(doc, dict) or "steps" in doc or "id" in doc:
        return None
    keys = set(doc)
    return next((kind for kind, shape in DATA_SHAPES.items() if keys & shape), None)


def cmd_schema(args: argparse.Namespace) -> int:
    from circle.protocol.models import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def cmd_sessions(args: argparse.Namespace) -> int:
    db = _db(args)
    rows = _reading(args).sessions() if db.exists() else []
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

    store = _reading(args)
    row = store.session(args.session)
    events = replayable_events(store, row.id)
    points = _meeting_points(store, row.id) if any(e.kind == "attendance" for e in events) else ()
    _write(export(events, args.format, now=time.time(), points=points), args.out)
    return 0


def _meeting_points(store: Store, session_id: str) -> tuple[str, ...]:
    """What the session scored as a meeting of its group, from the ledger (it needs every earlier meeting)."""
    from circle.games.reciprocity.ledger import compute
    from circle.games.reciprocity.scoring import load_rules

    rules = load_rules()
    return tuple(compute(store, rules).meeting_lines(session_id, rules))


def _reading(args: argparse.Namespace) -> Store:
    """The database opened to read; a damaged one is read as far as it can be, and said so."""
    db = _db(args)
    if not db.exists():
        raise StoreError(f"no database at {db}")
    store = Store(db, readonly=True)
    if store.damaged:
        _complain(f"circle: note: {db} is damaged (cut short); what can be read is read; see `circle check`")
    return store


def cmd_check(args: argparse.Namespace) -> int:
    from circle.sessions.repair import check

    db = _db(args)
    if not db.exists():
        raise StoreError(f"no database at {db}")
    report = check(db)
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def cmd_salvage(args: argparse.Namespace) -> int:
    from circle.sessions.repair import salvage

    db = _db(args)
    if not db.exists():
        raise StoreError(f"no database at {db}")
    print(salvage(db, args.out).summary())
    return 0


def _start_request(args: argparse.Namespace, library, store: Store):
    from circle.engine import check_roster
    from circle.sessions import StartRequest

    protocol = library.get(args.protocol)
    if args.group:
        members = [p.name for p in store.group_members(args.group)]
        absent = {name_key(n) for n in args.absent.split(",") if n.strip()}
        unknown = absent - {name_key(m) for m in members}
        if unknown:
            raise UsageError(f"not in {args.group}: {', '.join(sorted(unknown))} (members: {', '.join(members)})")
        names = [m for m in members if name_key(m) not in absent]
    elif args.absent:
        raise UsageError("--absent goes with --group")
    elif args.people is not None:
        names = args.people.split(",")
    else:
        raise UsageError('say who is here: --people "Ana,Ben,Caro" or --group NAME')
    return StartRequest(protocol.id, check_roster(names), group=args.group)


def _names(text: str) -> list[str]:
    from circle.engine import check_roster

    return check_roster(text.split(","))


def cmd_group(args: argparse.Namespace) -> int:
    from circle.games.groups import size_warning

    db = _db(args)
    verb = args.group_command
    if verb in ("list", "show") and not db.exists():
        print(f"no groups are saved in {db} yet")
        return 0
    store = Store(db, readonly=verb in ("list", "show"))
    if verb == "list":
        groups = store.groups()
        for g in groups:
            warning = size_warning(g["kind"], g["members"])
            print(f"{g['name']}  ({g['kind']}, {g['members']} members)" + (f"  ! {warning}" if warning else ""))
        if not groups:
            print("no groups are saved yet; `circle group create NAME --people ...`")
    elif verb == "show":
        group = store.group(args.name)
        members = store.group_members(group["name"])
        print(f"{group['name']} ({group['kind']}): " + (", ".join(p.name for p in members) or "no members"))
    elif verb == "create":
        names = _names(args.people) if args.people.strip() else []
        kind = args.kind or kind_for(len(names))
        store.create_group(args.name, store.people_named(names), kind)
        _say_created(_as_kept(args.name), kind, len(names))
    elif verb == "rename":
        store.rename_group(args.name, args.new_name)
        print(f"renamed {_as_kept(args.name)} to {_as_kept(args.new_name)}", file=sys.stderr)
    elif verb == "add":
        names = _names(args.people)
        store.add_members(args.name, store.people_named(names))
        print(f"added {', '.join(names)} to {_as_kept(args.name)}", file=sys.stderr)
    elif verb == "remove":
        names = _names(args.people)
        store.remove_members(args.name, names)
        print(f"removed {', '.join(names)} from {_as_kept(args.name)} (their history stays)", file=sys.stderr)
    return 0


def _as_kept(name: str) -> str:
    """A group's name as the store keeps it (spaces collapsed, so no line breaks), to say what was done."""
    return one_line(" ".join(name.split()))


def _say_created(name: str, kind: str, count: int) -> None:
    from circle.games.groups import size_warning

    print(f"saved {kind} {name} with {count} member{'s' if count != 1 else ''}", file=sys.stderr)
    warning = size_warning(kind, count)
    if warning:
        print(f"note: {warning}", file=sys.stderr)


def cmd_ledger(args: argparse.Namespace) -> int:
    from circle.games.reciprocity.ledger import compute
    from circle.games.reciprocity.report import as_csv as ledger_csv
    from circle.games.reciprocity.report import as_markdown, as_text, report
    from circle.games.reciprocity.scoring import load_rules

    db = _db(args)
    rules = load_rules()
    if not db.exists():
        raise StoreError(f"no database at {db}")
    store = Store(db, readonly=True)
    group = store.group(args.group) if args.group else None
    ledger = compute(store, rules)
    for problem in ledger.problems:
        print(f"circle: note: {problem}", file=sys.stderr)
    if args.format == "csv":
        text = ledger_csv(ledger, group["id"] if group else None)
    else:
        rep = report(ledger, group)
        text = as_markdown(rep, rules) if args.format == "md" else as_text(rep, rules)
    _write(text, args.out)
    return 0


def cmd_loops(args: argparse.Namespace) -> int:
    from circle.games import two_loops as loops

    db = _db(args)
    model = loops.load_loops()
    changing = args.move or args.role or args.evidence
    if not db.exists():
        raise StoreError(f"no database at {db}; create a community with `circle group create NAME --kind community`")
    store = Store(db, readonly=not changing)
    if not args.community:
        if changing:
            raise UsageError("name the community to change")
        for g in store.groups():
            stage = loops.history(store, g["name"]).stage
            where = model.stage(stage).title if stage else "not placed yet"
            print(f"{g['name']}  ({g['kind']}): {where}")
        return 0
    if args.at and not changing:
        raise UsageError("--at dates a change: use it with --move, --evidence or --role")
    if args.move:
        model.stage(args.move)  # an unknown stage is refused before anything else is looked at
    at = loops.parse_date(args.at, time.time()) if args.at else None
    if args.move:
        note = loops.move(store, model, args.community, args.move, args.evidence, args.by, at)
        if note:
            print(f"note: {note}; recorded as asked", file=sys.stderr)
    elif args.evidence:
        loops.add_evidence(store, args.community, args.evidence, args.by, at)
    if args.role:
        person, sep, role = args.role.partition("=")
        if not sep:
            raise UsageError("--role takes PERSON=ROLE, e.g. --role 'Ana=connector'")
        loops.assign_role(store, model, args.community, person, role.lstrip("-"), remove=role.startswith("-"), at=at)
    rep = loops.report(model, loops.history(store, args.community))
    _write(loops.as_markdown(rep) if args.format == "md" else loops.as_text(rep), args.out)
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    """OTHER's people, groups, sessions and events that are not here yet; one summary line."""
    from circle.store.merge import merge_copy, readable_copy

    db = _db(args)
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


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    from circle.core.files import write_text

    try:
        write_text(out, text)  # whole or not at all: a full disk leaves an older file as it was
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror}; nothing was changed there") from None
    print(f"wrote {out}", file=sys.stderr)


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def cmd_tui(args: argparse.Namespace) -> int:
    db = _db(args)
    if getattr(args, "read_only", False):
        if args.command == "run":
            raise UsageError("a session cannot be run read-only; leave out --read-only")
        if not db.exists():
            raise StoreError(f"no database at {db}")
        lock = None  # looking needs no lock: another circle may be writing meanwhile
        store = Store(db, readonly=True)
    else:
        lock = DatabaseLock(db).acquire()
    try:
        if lock is not None:
            store = Store(db)  # a database that cannot be used is said here, before any screen
        library = start = None
        if args.command == "run":  # the protocol and the people are checked before the screen opens
            library = _library(args)
            start = _start_request(args, library, store)
        if not has_terminal():
            # Without a terminal Textual would wait for keys that never come and write escape codes.
            raise UsageError("the screens need a terminal (stdin and stdout); for output, use a command: see --help")
        from circle.tui.app import make_app  # Textual loads only once the input is checked

        host, port = getattr(args, "follow_host", "lan"), getattr(args, "follow_port", 0)
        if not 0 <= port <= 65535:
            raise UsageError(f"--follow-port must be 0 to 65535 (got {port})")
        app = make_app(
            store,
            library=library,
            start=start,
            protocol_paths=getattr(args, "protocols", []) or [],
            follow=(host, port),
            follow_at_start=getattr(args, "follow", False),
        )
        app.run()
    finally:
        if lock is not None:
            lock.release()
    return app.return_code or 0


COMMANDS = {
    "protocols": cmd_protocols,
    "validate": cmd_validate,
    "schema": cmd_schema,
    "sessions": cmd_sessions,
    "export": cmd_export,
    "check": cmd_check,
    "salvage": cmd_salvage,
    "group": cmd_group,
    "ledger": cmd_ledger,
    "loops": cmd_loops,
    "mix": cmd_mix,
    "merge": cmd_merge,
    "run": cmd_tui,
    None: cmd_tui,
}


def _complain(line: str) -> None:
    # A message may quote an argument holding bytes that were not UTF-8; it must still print.
    print(printable(line, sys.stderr), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except CircleError as exc:
        problems = getattr(exc, "problems", None)  # a LoadError: one located line per problem
        for line in problems or [f"circle: {one_line(str(exc))}"]:
            _complain(line)
        return 1
    except ValueError as exc:
        _complain(f"circle: {one_line(str(exc))}")
        return 1
    except KeyError as exc:
        _complain(f"circle: {one_line(str(exc.args[0]))}")
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # noqa: BLE001 - the last resort: one line and a file, never a traceback
        from circle.core import crash_log

        _complain(crash_log.message(exc, crash_log.write(exc)))
        return 1
