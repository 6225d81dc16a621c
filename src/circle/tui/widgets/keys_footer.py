"""Textual's footer, with its keys in the screen's first paint."""

from __future__ import annotations

from textual.widgets import Footer


class KeysFooter(Footer):
    """A footer that lists the screen's keys as soon as it is composed.

    Textual's footer composes empty and fills itself only when the screen first reports its
    bindings (once focus has landed, and a refresh after that), so on a screen whose mount
    does some work the keys came a moment after everything else. The screen's bindings are
    known when the footer is composed, so it is told they are ready from the start."""

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__(compact=compact, show_command_palette=show_command_palette)
        self.set_reactive(Footer._bindings_ready, True)
