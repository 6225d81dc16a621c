"""`circle` and `circle run`: the screens. Everything the command line can check is checked first."""

from __future__ import annotations

import argparse
import sys

from circle.cli.common import UsageError, db_path, library
from circle.core.names import name_key
from circle.store import Store, StoreError
from circle.store.lock import DatabaseLock


def phones_parent() -> argparse.ArgumentParser:
    """The options for following along on phones, shared by `circle` and `circle run`."""
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
    return phones


def add_run_parser(sub, common: argparse.ArgumentParser, phones: argparse.ArgumentParser) -> None:
    run = sub.add_parser("run", parents=[common, phones], help="start a session")
    run.add_argument("--follow", action="store_true", help="put the follow-along QR code on the wall at once")
    run.add_argument("protocol", help="protocol id (see `circle protocols`)")
    who = run.add_mutually_exclusive_group()
    who.add_argument("--people", help='names, comma separated: "Ana,Ben,Caro"')
    who.add_argument("--group", help="a saved group's name (attendance is taken against its members)")
    run.add_argument("--absent", default="", help='with --group: members who are not here, "Esi,Femi"')


def add_editor_parsers(sub, common: argparse.ArgumentParser) -> None:
    new = sub.add_parser("new", parents=[common], help="make a protocol in the editor (saved in your protocols folder)")
    new.add_argument("protocol", help="the new protocol's id: lowercase letters, digits and dashes")
    new.add_argument("--from", dest="based_on", metavar="OTHER", help="start from a copy of this protocol")
    edit = sub.add_parser("edit", parents=[common], help="change a protocol in the editor (a bundled one as a copy)")
    edit.add_argument("protocol", help="protocol id (see `circle protocols`)")


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def cmd_tui(args: argparse.Namespace) -> int:
    db = db_path(args)
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
        found = start = editing = None
        if args.command == "run":  # the protocol and the people are checked before the screen opens
            found = library(args)
            start = _start_request(args, found, store)
        elif args.command in ("new", "edit"):
            found = library(args)
            editing = _edit_request(args, found)
        if not has_terminal():
            # Without a terminal Textual would wait for keys that never come and write escape codes.
            raise UsageError("the screens need a terminal (stdin and stdout); for output, use a command: see --help")
        from circle.tui.app import make_app  # Textual loads only once the input is checked

        host, port = getattr(args, "follow_host", "lan"), getattr(args, "follow_port", 0)
        if not 0 <= port <= 65535:
            raise UsageError(f"--follow-port must be 0 to 65535 (got {port})")
        app = make_app(
            store,
            library=found,
            start=start,
            protocol_paths=getattr(args, "protocols", []) or [],
            follow=(host, port),
            follow_at_start=getattr(args, "follow", False),
            edit=editing,
        )
        app.run()
    finally:
        if lock is not None:
            lock.release()
    return app.return_code or 0


def _edit_request(args: argparse.Namespace, found):
    """What to open in the editor, checked first: a new id that is free and well formed, or one that exists."""
    import re

    from circle.tui.config import EditRequest

    if args.command == "edit":
        return EditRequest(found.get(args.protocol).id)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", args.protocol):
        raise UsageError(f"'{args.protocol}' cannot be a protocol id: use lowercase letters, digits and dashes")
    if args.protocol in found.protocols:
        raise UsageError(f"there is already a protocol '{args.protocol}'; `circle edit {args.protocol}` changes it")
    if args.based_on is not None:
        found.get(args.based_on)
    return EditRequest(args.protocol, new=True, based_on=args.based_on)


def _start_request(args: argparse.Namespace, found, store: Store):
    from circle.engine import check_roster
    from circle.sessions import StartRequest

    protocol = found.get(args.protocol)
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
