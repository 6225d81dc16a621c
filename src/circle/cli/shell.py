"""circle in the shell: `--version`, `circle paths`, `circle completion`, and what `--help` says of paths."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from circle.cli.common import db_path
from circle.core.resources import cache_dir, default_db_path, settings_path, user_dir, user_protocols_dir

SHELLS = ("bash", "zsh")


class Place(NamedTuple):
    name: str  # `circle paths NAME` prints this one's path alone
    what: str
    where: Callable[[argparse.Namespace], Path]  # as this command would use it (--db included)
    moved_by: tuple[str, ...]  # what chooses another place, strongest first


PLACES = (
    Place("database", "the database", db_path, ("--db", "$CIRCLE_DB", "$CIRCLE_HOME")),
    Place("protocols", "your own protocols", lambda _: user_protocols_dir(), ("$CIRCLE_PROTOCOLS", "$CIRCLE_HOME")),
    Place("settings", "the settings", lambda _: settings_path(), ("$CIRCLE_HOME",)),
    Place("cache", "the cache (safe to delete)", lambda _: cache_dir(), ("$CIRCLE_HOME",)),
)


def _chosen_by(args: argparse.Namespace, place: Place) -> str:
    given = next((m for m in place.moved_by if _given(args, m)), None)
    if given:
        return f"set by {given}"
    return "default; " + " or ".join(place.moved_by) + " moves it"


def _given(args: argparse.Namespace, how: str) -> bool:
    if how.startswith("--"):
        return getattr(args, how[2:].replace("-", "_"), None) is not None
    return bool(os.environ.get(how[1:]))


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    paths = sub.add_parser(
        "paths", parents=[common], help="where the database, your protocols, the settings and the cache are"
    )
    paths.add_argument("which", nargs="?", choices=[p.name for p in PLACES], help="print only this path (for scripts)")
    completion = sub.add_parser("completion", parents=[common], help="print a shell's tab completion for circle")
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def cmd_paths(args: argparse.Namespace) -> int:
    if args.which:
        print(next(p.where(args) for p in PLACES if p.name == args.which))
        return 0
    rows = []
    for place in PLACES:
        path = place.where(args)
        rows.append((place.what, str(path), "there" if path.exists() else "not yet", _chosen_by(args, place)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[3]]))
    return 0


def cmd_completion(args: argparse.Namespace) -> int:
    import shtab  # loaded for this command only

    from circle.cli import _parser

    parser = _parser()
    for action in actions(parser):
        if action.type is Path or action.dest in ("db", "protocols", "paths"):
            action.complete = shtab.FILE  # shtab reads this attribute
    sys.stdout.write(shtab.complete(parser, shell=args.shell))
    return 0


def actions(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    """Every option and argument of ``parser`` and of its commands, their commands' too."""
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):  # an alias names the same parser
                yield from actions(child)


def environment_help() -> str:
    """The end of `circle --help`: the variables that move circle's files, and where they are now."""
    return "\n".join(
        [
            "where circle keeps its files (`circle paths` says which are there yet):",
            f"  CIRCLE_HOME       circle's own folder (moving the settings and the cache too): now {user_dir()}",
            f"  CIRCLE_DB         the database: now {default_db_path()}",
            f"  CIRCLE_PROTOCOLS  your own protocols: now {user_protocols_dir()}",
            f"  settings: {settings_path()}; cache: {cache_dir()}",
        ]
    )


class Version(argparse.Action):
    """`circle --version`: the installed distribution's version, looked up only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from circle.core import about

        print(f"circle {about.version()}")
        parser.exit()
