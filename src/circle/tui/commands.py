"""The command palette: circle's screens by name, and every key of the screen it was opened on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from itertools import chain
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen

from circle.tui.keys import key_rows

if TYPE_CHECKING:
    from circle.tui.app import CircleApp

PALETTE = {"command_palette", "app.command_palette"}  # the palette does not offer itself


def palette(app: CircleApp, screen: Screen, textuals: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """Textual's commands, circle's screens, then each key of ``screen`` by its name; each title once."""
    titles: set[str] = set()
    screens = [
        SystemCommand("Ledger", "Reciprocity Game points, meetings and conflicts", app.action_show_ledger),
        SystemCommand("Two Loops", "Where a community stands, its timeline and roles", app.action_show_loops),
        SystemCommand("Groups", "Crews, congregations and communities, and their members", app.action_show_groups),
    ]
    # Everything that has a key on this screen also has a searchable name here.
    keys = [
        SystemCommand(row.description, f"key: {row.keys}", partial(app.run_action, row.action, row.node))
        for row in key_rows(screen)
        if row.action not in PALETTE
    ]
    for command in chain(textuals, screens, keys):
        if command.title not in titles:
            titles.add(command.title)
            yield command
