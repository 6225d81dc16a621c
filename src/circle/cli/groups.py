"""`circle group`: saved groups (partnerships, crews, congregations, communities) and their members."""

from __future__ import annotations

import argparse
import sys

from circle.cli.common import UsageError, _Parser, db_path, refuse_read_only
from circle.core.errors import one_line
from circle.games.groups import GROUP_KINDS, kind_for, size_warning
from circle.store import Store


def add_parser(sub, common: argparse.ArgumentParser) -> None:
    group = sub.add_parser("group", parents=[common], help="saved groups: crews, congregations, communities")
    gsub = group.add_subparsers(
        dest="group_command", parser_class=_Parser, required=True, help="what to do with saved groups"
    )
    gsub.add_parser("list", parents=[common], help="every saved group")
    show = gsub.add_parser("show", parents=[common], help="a group's members")
    show.add_argument("name", help=NAME_HELP)
    create = gsub.add_parser("create", parents=[common], help="save a new group")
    create.add_argument("name", help="the new group's name")
    create.add_argument("--kind", choices=GROUP_KINDS, help="by default a partnership for two people, else a crew")
    create.add_argument("--people", default="", help='members, comma separated: "Ana,Ben,Caro"')
    rename = gsub.add_parser("rename", parents=[common], help="give a group a new name")
    rename.add_argument("name", help=NAME_HELP)
    rename.add_argument("new_name", help="the name it has from now on")
    for verb, text in (("add", "people who join"), ("remove", "people who leave (their history stays)")):
        change = gsub.add_parser(verb, parents=[common], help=text)
        change.add_argument("name", help=NAME_HELP)
        change.add_argument("--people", required=True, help='names, comma separated: "Ana,Ben"')
    delete = gsub.add_parser(
        "delete",
        parents=[common],
        help="delete a group no session was run for and with no Two Loops history",
        description="Delete a saved group. A group with logged sessions or Two Loops history is kept: "
        "what was recorded is never deleted (rename it instead, say to 'NAME (ended)').",
    )
    delete.add_argument("name", help=NAME_HELP)
    delete.add_argument(
        "--yes",
        action="store_true",
        help="delete it even though it has members (the people stay saved; history still keeps a group)",
    )


NAME_HELP = "the group's name (case does not matter)"


def cmd_group(args: argparse.Namespace) -> int:
    db = db_path(args)
    verb = args.group_command
    if verb in ("list", "show") and not db.exists():
        print(f"no groups are saved in {db} yet")
        return 0
    if verb not in ("list", "show"):
        refuse_read_only(args, f"`circle group {verb}`")
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
    elif verb == "delete":
        _delete(store, args.name, args.yes)
    return 0


def _delete(store: Store, name: str, yes: bool) -> None:
    from circle.store.people import GroupHasHistory, GroupNotEmpty

    name = store.group(name)["name"]  # as it is kept, to say what was deleted
    try:
        members = store.delete_group(name, with_members=yes)
    except GroupHasHistory as exc:
        recorded = " and ".join(
            r for r in (_count(exc.sessions, "logged session"), _count(exc.records, "Two Loops record")) if r
        )
        raise UsageError(
            f"{exc.group} is not deleted: what was recorded stays ({recorded}); to set it aside, "
            f'rename it: `circle group rename "{exc.group}" "{exc.group} (ended)"`'
        ) from None
    except GroupNotEmpty as exc:
        raise UsageError(
            f"{exc.group} still has {_count(len(exc.members), 'member')} ({', '.join(exc.members)}); "
            f"add --yes to delete it with its member list (the people stay saved)"
        ) from None
    kept = f" and its member list ({', '.join(members)} stay saved)" if members else ""
    print(f"deleted {one_line(name)}{kept}", file=sys.stderr)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}" if n else ""


def _names(text: str) -> list[str]:
    from circle.engine import check_roster

    return check_roster(text.split(","))


def _as_kept(name: str) -> str:
    """A group's name as the store keeps it (spaces collapsed, so no line breaks), to say what was done."""
    return one_line(" ".join(name.split()))


def _say_created(name: str, kind: str, count: int) -> None:
    print(f"saved {kind} {name} with {count} member{'s' if count != 1 else ''}", file=sys.stderr)
    warning = size_warning(kind, count)
    if warning:
        print(f"note: {warning}", file=sys.stderr)
