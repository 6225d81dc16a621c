"""What every command shares: the parser's one-line errors, the database it names, writing its output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from circle.core.errors import CircleError, printable
from circle.core.resources import default_db_path
from circle.store import Store, StoreError
from circle.store.lock import real_path


class UsageError(CircleError):
    pass


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)  # --follow is not short for --follow-host
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # one line and exit 1, not argparse's 2
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def shared_options() -> argparse.ArgumentParser:
    """The options every command takes, before or after its name (`circle --db X sessions`, `circle sessions --db X`).

    They are given to the top parser and to each command's: a subcommand's parser writes every
    default it has over what the top one read, so none may have a default (SUPPRESS).
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="PATH",
        help=f"database file (default: {quoted(default_db_path())}; $CIRCLE_DB or $CIRCLE_HOME moves it)",
    )
    common.add_argument(
        "--protocols",
        action="append",
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="extra protocol file or folder (may be repeated)",
    )
    common.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="look without changing anything (sessions, ledger, groups), even while another circle uses the database",
    )
    return common


def refuse_read_only(args: argparse.Namespace, what: str) -> None:
    """A command that would change the database, asked for with --read-only: one line, nothing done."""
    if getattr(args, "read_only", False):
        raise UsageError(f"--read-only changes nothing, and {what} would change the database; leave out --read-only")


def db_path(args: argparse.Namespace) -> Path:
    """The database file itself: reached by a symbolic link, the file it names (one lock, one journal)."""
    return real_path(getattr(args, "db", None) or default_db_path())


def existing_db(args: argparse.Namespace) -> Path:
    """The database file, which must be there already (reading never creates one)."""
    db = db_path(args)
    if not db.exists():
        raise StoreError(f"no database at {db}")
    return db


def reading(args: argparse.Namespace) -> Store:
    """The database opened to read; a damaged one is read as far as it can be, and said so."""
    db = existing_db(args)
    store = Store(db, readonly=True)
    if store.damaged:
        complain(f"circle: note: {db} is damaged (cut short); what can be read is read; see `circle check`")
    return store


def library(args: argparse.Namespace):
    from circle.protocol.loader import load_library

    found = load_library(getattr(args, "protocols", []) or [])
    for problem in found.problems:
        print(f"circle: skipped {problem}", file=sys.stderr)
    return found


def write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    from circle.core.files import write_text

    try:
        write_text(out, text)  # whole or not at all: a full disk leaves an older file as it was
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror}; nothing was changed there") from None
    print(f"wrote {out}", file=sys.stderr)


def complain(line: str) -> None:
    # A message may quote an argument holding bytes that were not UTF-8; it must still print.
    print(printable(line, sys.stderr), file=sys.stderr)


def quoted(path: Path) -> str:
    """A path as an argparse help text may hold it: argparse reads a "%" there as a placeholder."""
    return str(path).replace("%", "%%")
