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
