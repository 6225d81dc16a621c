"""The keys that work on a screen now, as Textual reports them (what the footer shows), for the
help (?) and the command palette: the screen's own, its inherited ones and the app's alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

# Textual gives every screen these (focus the next widget, copy): listed with the app's keys.
EVERY_SCREEN = {binding.action for binding in Binding.make_bindings(Screen.BINDINGS)}


@dataclass(frozen=True)
class KeyRow:
    """One thing a key does here: its keys (several when they do the same), and where it runs."""

    keys: str
    description: str
    node: DOMNode
    action: str
    everywhere: bool  # the app's, or every screen's: not this screen's own


def key_rows(screen: Screen) -> list[KeyRow]:
    """Every active binding of ``screen`` that says what it does, one row per action: the screen's
    own first (the screen's, then the focused widget's), then those that work on every screen."""
    app = screen.app
    found: dict[tuple[int, str], tuple[DOMNode, list[Binding]]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.description and not binding.system:
            found.setdefault((id(active.node), binding.action), (active.node, []))[1].append(binding)
    rows = []
    for node, bindings in found.values():
        first = bindings[0]
        keys = " ".join(dict.fromkeys(app.get_key_display(binding) for binding in bindings))
        everywhere = node is app or (node is screen and first.action in EVERY_SCREEN)
        # A screen's footer word is short to fit; its tooltip, where there is one, says it in full.
        description = first.tooltip if first.tooltip and not everywhere else first.description
        rows.append(KeyRow(keys, description, node, first.action, everywhere))
    # Stable: each node's keys keep their order; the screen before the widgets in it.
    return sorted(rows, key=lambda row: (row.everywhere, len(row.node.ancestors)))


def show_help(screen: Screen, extra: Sequence[tuple[str, str]] = (), clock: Callable[[], str] | None = None) -> None:
    """The help dialog over ``screen``: its keys, ``extra`` keys it handles itself, then the rest;
    ``clock`` gives the countdown it covers as a line."""
    from circle.tui.screens.dialogs import HelpDialog

    rows = key_rows(screen)
    own = [(row.keys, row.description) for row in rows if not row.everywhere]
    everywhere = [(row.keys, row.description) for row in rows if row.everywhere]
    screen.app.push_screen(HelpDialog([*own, *extra], everywhere, clock))
