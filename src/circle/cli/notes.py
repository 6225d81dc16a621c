"""`circle notes search WORD`: the facilitator's notes that hold a word, with when and where each was taken."""

from __future__ import annotations

import argparse

from circle.cli.common import _Parser, reading


def add_parser(sub, common: argparse.ArgumentParser) -> None:
    notes = sub.add_parser("notes", parents=[common], help="the facilitator's notes")
    actions = notes.add_subparsers(
        dest="action", parser_class=_Parser, required=True, metavar="search", help="what to do with the notes"
    )
    search = actions.add_parser(
        "search", parents=[common], help='notes holding these words ("a phrase", word*, OR and NOT work too)'
    )
    search.add_argument("words", nargs="+", metavar="WORD", help="what a note must hold (all the words, by default)")
    search.add_argument("--group", help="only sessions run for this saved group")


def cmd_notes(args: argparse.Namespace) -> int:
    from circle.core.localtime import date_time

    store = reading(args)
    query = " ".join(args.words)
    group = store.group(args.group) if args.group else None
    hits = store.search_notes(query, group["id"] if group else None)
    if not hits:
        where = f" in the sessions of {group['name']}" if group else ""
        print(f"no note holds {query!r}{where}")
        return 0
    places = _places(store, {hit.session_id for hit in hits})
    for hit in hits:
        where = places.get(hit.session_id, ())
        step = where[hit.nth - 1] if hit.nth <= len(where) else ""
        print(f"{date_time(hit.at)}  {hit.title} ({hit.session_id[:8]})  " + (f"{step}: " if step else "") + hit.marked)
    return 0


def _places(store, session_ids: set[str]) -> dict[str, tuple[str, ...]]:
    """Where each note of these sessions was taken (the step, and whose turn), as their reports say it."""
    from circle.engine import ReplayError, fold
    from circle.store import DamagedSession
    from circle.views.report import build

    places = {}
    for session_id in session_ids:
        try:
            places[session_id] = tuple(note.where for note in build(fold(store.events(session_id))).notes)
        except (DamagedSession, ReplayError):
            continue  # `circle check` says what is wrong; the note itself is still shown
    return places
