"""`circle loops`: where a community stands in Two Loops, and moving its marker."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from circle.cli.common import UsageError, db_path, refuse_read_only, write
from circle.store import Store, StoreError


def add_parser(sub, common: argparse.ArgumentParser) -> None:
    loops = sub.add_parser(
        "loops", parents=[common], help="Two Loops: where a community stands", formatter_class=_StagesNamed
    )
    loops.add_argument("community", nargs="?", help="a saved group (default: list the communities)")
    loops.add_argument("--move", metavar="STAGE", help="move the marker to this stage")
    loops.add_argument("--evidence", default="", help="what shows it (with --move, or alone to add evidence)")
    loops.add_argument("--by", default="", help="who decided")
    loops.add_argument("--at", metavar="YYYY-MM-DD", help="the day it happened, for history recorded later")
    loops.add_argument("--role", metavar="PERSON=ROLE", help="give someone a role (PERSON=-ROLE takes it back)")
    loops.add_argument(
        "--format", choices=("text", "md"), default="text", help="one of %(choices)s (default: %(default)s)"
    )
    loops.add_argument("--out", type=Path, help="write to this file instead of printing")


class _StagesNamed(argparse.HelpFormatter):
    """`circle loops --help` names the stages --move takes, from the model, read only when help is shown."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = super()._get_help_string(action)
        if action.dest == "move" and text:
            from circle.games.two_loops import load_loops

            names = (" or ".join([s.id, *s.also]) for s in load_loops().stages)
            text += f": {', '.join(names)}"
        return text


def cmd_loops(args: argparse.Namespace) -> int:
    from circle.games import two_loops as loops

    db = db_path(args)
    model = loops.load_loops()
    changing = args.move or args.role or args.evidence
    if changing:
        refuse_read_only(args, "`circle loops` with --move, --evidence or --role")
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
    write(loops.as_markdown(rep) if args.format == "md" else loops.as_text(rep), args.out)
    return 0
