"""A read-only table for many rows: only the lines on screen are ever drawn.

Textual's DataTable measures and styles every cell of every row, which for a
congregation's 200 people took longer than adding up ten years of points. This
one works out the column widths once, in plain Python, and draws a line when
the screen asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

GAP = 2  # spaces between columns


class RowsTable(ScrollView, can_focus=True):
    """Columns of text with a header line that stays put; the body scrolls."""

    DEFAULT_CSS = """
    RowsTable {
        height: 1fr;
        scrollbar-size-horizontal: 0;
    }
    RowsTable > .rows-table--header { color: $secondary; text-style: bold; }
    RowsTable > .rows-table--stripe { background: $boost; }
    RowsTable > .rows-table--strong { text-style: bold; }
    RowsTable > .rows-table--cursor { background: $accent 40%; text-style: bold; }
    """
    COMPONENT_CLASSES = {"rows-table--header", "rows-table--stripe", "rows-table--strong", "rows-table--cursor"}
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("enter", "choose", "Open", show=False),
    ]

    class Chosen(Message):
        """Enter on a row (``index`` into the rows), when the table has a cursor."""

        def __init__(self, table: RowsTable, index: int):
            super().__init__()
            self.table, self.index = table, index

    def __init__(self, *, id: str | None = None, classes: str | None = None, cursor: bool = False):
        super().__init__(id=id, classes=classes)
        self.cursor: int | None = 0 if cursor else None  # the chosen row, for a table that opens rows
        self.headers: list[str] = []
        self.rows: list[Sequence[str]] = []
        self.right: set[int] = set()  # columns aligned right (numbers)
        self.strong: set[int] = set()  # columns in bold (totals)
        self.widths: list[int] = []

    def set_columns(self, headers: Sequence[str], right: Sequence[int] = (), strong: Sequence[int] = ()) -> None:
        self.headers = list(headers)
        self.right, self.strong = set(right), set(strong)
        self.set_rows([])

    def set_rows(self, rows: Sequence[Sequence[str]]) -> None:
        """Replace every row; cells are plain strings (names are shown as written, never as markup)."""
        self.rows = list(rows)
        if self.cursor is not None:
            self.cursor = min(self.cursor, max(0, len(self.rows) - 1))
        self.widths = [
            max([cell_len(header)] + [cell_len(row[i]) for row in self.rows]) for i, header in enumerate(self.headers)
        ]
        width = sum(self.widths) + GAP * max(0, len(self.widths) - 1) + 1
        self.virtual_size = Size(width, len(self.rows) + 1)  # the header is line 0
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._line(self.headers, self.get_component_rich_style("rows-table--header"), width)
        index = self.scroll_offset.y + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        base = self.rich_style
        if index % 2:
            base = base + self.get_component_rich_style("rows-table--stripe")
        if index == self.cursor and self.has_focus:
            base = base + self.get_component_rich_style("rows-table--cursor")
        return self._line(self.rows[index], base, width)

    def _line(self, cells: Sequence[str], style, width: int) -> Strip:
        strong = style + self.get_component_rich_style("rows-table--strong") if self.strong else style
        segments = []
        for i, (cell, size) in enumerate(zip(cells, self.widths, strict=False)):
            if i:
                segments.append(Segment(" " * GAP, style))
            text = set_cell_size(cell, size)
            if i in self.right and cell_len(cell) < size:
                text = " " * (size - cell_len(cell)) + cell
            segments.append(Segment(text, strong if i in self.strong else style))
        strip = Strip(segments).crop(self.scroll_offset.x, self.scroll_offset.x + width)
        return strip.extend_cell_length(width, style)

    def action_move(self, by: int) -> None:
        if self.cursor is None or not self.rows:
            self.scroll_relative(y=by, animate=False)
            return
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + by))
        view = self.scrollable_content_region.height - 1  # the header line stays put
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + view:
            self.scroll_to(y=self.cursor - view + 1, animate=False)
        self.refresh()

    def action_choose(self) -> None:
        if self.cursor is not None and self.rows:
            self.post_message(self.Chosen(self, self.cursor))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
