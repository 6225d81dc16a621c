"""Breakout groups as cards in a grid, large and plain enough to find your name from the back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.content import Content
from textual.widgets import Static

Card = tuple[str, Sequence[str]]  # (title, names)
MIN_CARD = 18  # columns a roomy card takes at the least, border and padding included
PAGE_SECONDS = 8.0  # how long each page of groups stays up when they cannot all be shown at once


@dataclass(frozen=True)
class Plan:
    """How the cards are laid out: boxed or dense, in how many columns, on which pages."""

    dense: bool
    columns: int
    pages: tuple[tuple[int, ...], ...]  # the cards' indexes on each page


def _rows(heights: list[int], columns: int) -> list[int]:
    """Each grid row's height: its tallest card."""
    return [max(heights[at : at + columns]) for at in range(0, len(heights), columns)]


def plan(cards: Sequence[Card], width: int, height: int) -> Plan:
    """Every card at once if it fits, boxed, else dense (a rule over each, no box); failing that, dense
    pages of whole rows that cycle, one line kept for the page number."""
    n = len(cards)
    if not n or width <= 0 or height <= 0:
        return Plan(False, 1, (tuple(range(n)),))
    longest = max(cell_len(line) for _, names in cards for line in [*names, ""])
    title = max(cell_len(t) for t, _ in cards)
    for dense in (False, True):
        card = max(longest, title + 4) if dense else max(MIN_CARD, longest + 4, title + 6)
        gutter = 2 if dense else 1
        columns = max(1, min(n, (width + gutter) // (card + gutter)))
        heights = [len(names) + (1 if dense else 2) for _, names in cards]
        if sum(_rows(heights, columns)) <= height:
            return Plan(dense, columns, (tuple(range(n)),))
    pages: list[tuple[int, ...]] = []
    page: list[int] = []
    used = 0
    for at, row in enumerate(_rows(heights, columns)):
        members = list(range(at * columns, min(n, (at + 1) * columns)))
        if page and used + row > height - 1:
            pages.append(tuple(page))
            page, used = [], 0
        page += members
        used += row
    pages.append(tuple(page))
    return Plan(True, columns, tuple(pages))


class GroupsGrid(Vertical):
    """One card per group: its number as the border title, its members one a line. When the groups
    do not all fit, they show a page at a time, turning on their own (the countdown beside is untouched)."""

    DEFAULT_CSS = """
    GroupsGrid {
        height: 1fr;
        padding: 0 1;
    }
    GroupsGrid > #cards {
        layout: grid;
        grid-size: 2;
        grid-gutter: 0 1;
        grid-rows: auto;
        height: 1fr;
    }
    GroupsGrid.-dense > #cards {
        grid-gutter: 0 2;
    }
    GroupsGrid .group-card {
        height: auto;
        border: round $secondary;
        border-title-color: $secondary;
        border-title-style: bold;
        padding: 0 1;
        text-style: bold;
        color: $foreground;
    }
    GroupsGrid.-dense .group-card {
        border: none;
        border-top: round $secondary;
        padding: 0;
    }
    GroupsGrid > #page-line {
        display: none;
        width: 1fr;
        text-align: right;
        color: $foreground-muted;
    }
    GroupsGrid.-paged > #page-line {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.can_focus = False  # the wall's keys are the screen's
        self.cards: list[Card] = []
        self.plan = Plan(False, 1, ((),))
        self.page = 0

    def compose(self) -> ComposeResult:
        yield Container(id="cards")
        yield Static(id="page-line")

    def on_mount(self) -> None:
        self.set_interval(PAGE_SECONDS, self.turn_page)

    def show(self, cards: Sequence[Card]) -> None:
        """Show these groups; cards already on screen are updated in place."""
        cards = [(title, tuple(names)) for title, names in cards]
        if cards == self.cards:
            return
        self.cards = cards
        self._lay_out()

    def on_resize(self) -> None:
        self._lay_out()

    def turn_page(self) -> None:
        """The next page of groups, back to the first after the last."""
        if len(self.plan.pages) > 1:
            self.page = (self.page + 1) % len(self.plan.pages)
            self._paint()

    @property
    def shown(self) -> list[Card]:
        """The cards on screen now."""
        return [self.cards[at] for at in self.plan.pages[self.page] if at < len(self.cards)]

    def _lay_out(self) -> None:
        width, height = self.content_size
        self.plan = plan(self.cards, width, height)
        self.page = min(self.page, len(self.plan.pages) - 1)
        self.set_class(self.plan.dense, "-dense")
        self.set_class(len(self.plan.pages) > 1, "-paged")
        grid = self.query_one("#cards")
        if grid.styles.grid_size_columns != self.plan.columns:
            grid.styles.grid_size_columns = self.plan.columns
        self._paint()

    def _paint(self) -> None:
        grid = self.query_one("#cards")
        cards = self.shown
        widgets = list(grid.query(".group-card").results(Static))
        if len(widgets) != len(cards):
            grid.remove_children()
            widgets = [Static(classes="group-card") for _ in cards]
            grid.mount_all(widgets)
        for widget, (title, names) in zip(widgets, cards, strict=True):
            widget.border_title = title
            widget.update(Content("\n".join(names)))  # names are plain text, never markup
        pages = len(self.plan.pages)
        self.query_one("#page-line", Static).update(Content(f"page {self.page + 1}/{pages}" if pages > 1 else ""))
