"""Breakout groups as cards in a grid, large and plain enough to find your name from the back."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

Card = tuple[str, Sequence[str]]  # (title, names)
MIN_CARD = 18  # columns a card takes at the least, border and padding included


class GroupsGrid(VerticalScroll):
    """One card per group: its number as the border title, its members one a line."""

    DEFAULT_CSS = """
    GroupsGrid {
        layout: grid;
        grid-size: 2;
        grid-gutter: 0 1;
        grid-rows: auto;
        height: 1fr;
        padding: 0 1;
    }
    GroupsGrid > .group-card {
        height: auto;
        border: round $secondary;
        border-title-color: $secondary;
        border-title-style: bold;
        padding: 0 1;
        text-style: bold;
        color: $foreground;
    }
    """

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id, can_focus=False)  # the wall's keys are the screen's, never a scroll's
        self.cards: list[Card] = []

    def show(self, cards: Sequence[Card]) -> None:
        """Show these groups; cards already on screen are updated in place."""
        cards = [(title, tuple(names)) for title, names in cards]
        if cards == self.cards:
            return
        widgets = list(self.query(".group-card").results(Static))
        if len(widgets) != len(cards):
            self.remove_children()
            widgets = [Static(classes="group-card") for _ in cards]
            self.mount_all(widgets)
        for widget, (title, names) in zip(widgets, cards, strict=True):
            widget.border_title = title
            widget.update(Content("\n".join(names)))  # names are plain text, never markup
        self.cards = cards
        self._fit_columns()

    def on_resize(self) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        """As many columns as cards of the longest name fit across."""
        longest = max((cell_len(name) for _, names in self.cards for name in names), default=0)
        card = max(MIN_CARD, longest + 4)
        width = self.scrollable_content_region.width or self.size.width
        columns = max(1, min(len(self.cards) or 1, (width + 1) // (card + 1)))
        if self.styles.grid_size_columns != columns:
            self.styles.grid_size_columns = columns
