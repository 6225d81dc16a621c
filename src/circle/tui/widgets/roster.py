"""Who is in the room and where each person is in the round."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

MARKS = {
    "now": ("▶", "bold $primary"),
    "done": ("✓", "$success"),
    "passed": ("↷", "$warning"),
    "todo": ("·", ""),
    "left": ("×", "$foreground-muted"),
    "skipped": ("–", "$foreground-muted"),
}
LABELS = {"passed": " passed", "left": " left", "skipped": " skipped"}
BLOCK = 16  # rows per Static: a key changes a row or two, and only their blocks are laid out and drawn again

Row = tuple[str, str]


class Roster(VerticalScroll):
    """A list of names with a mark for done / passed / now / still to go."""

    DEFAULT_CSS = """
    Roster {
        border: round $panel-lighten-2;
        border-title-color: $foreground-muted;
        padding: 0 1;
        height: 1fr;
    }
    Roster > Static { width: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__(can_focus=False)  # it scrolls itself to the speaker; keys are the wall's
        self._lines: dict[Row, Content] = {}  # the rows last shown, each made into its line
        self._statics = [Static(id="roster-lines")]  # one per block of rows, in order
        self._blocks: list[tuple[Row, ...]] = [()]  # the rows each of them shows
        self._shown_rows = -1  # how many rows were shown last

    def compose(self):
        yield from self._statics

    def on_mount(self) -> None:
        self.border_title = "Roster"

    def show(self, rows: list[Row], title: str = "Roster") -> None:
        """``rows`` are (name, status) pairs in order."""
        self.border_title = title
        made, lines, now = self._lines, {}, None
        for i, row in enumerate(rows):
            if row not in lines:
                lines[row] = made[row] if row in made else _line(*row)
            if row[1] == "now":
                now = i
        self._lines = lines
        # Stacked Statics of a block of lines each look just like one Static of all the lines:
        # each line wraps on its own either way. Only the blocks whose rows changed are updated.
        blocks = [tuple(rows[i : i + BLOCK]) for i in range(0, len(rows), BLOCK)] or [()]
        statics = self._statics
        for static, block, shown in zip(statics, blocks, self._blocks, strict=False):
            if block != shown:
                static.update(_join(lines, block))
        if len(blocks) > len(statics):
            more = [Static(_join(lines, block)) for block in blocks[len(statics) :]]
            self.mount_all(more)
            statics.extend(more)
        for static in statics[len(blocks) :]:
            static.remove()
        del statics[len(blocks) :]
        self._blocks = blocks
        if now is not None:
            if len(rows) == self._shown_rows:
                # The same rows, so the same scroll range: scroll in this frame, not one later.
                self.scroll_to(y=max(0, now - 2), animate=False, immediate=True)
            self.call_after_refresh(self._scroll_to_line, now)  # once the new layout is known
        self._shown_rows = len(rows)

    def _scroll_to_line(self, line: int) -> None:
        self.scroll_to(y=max(0, line - 2), animate=False)


def _line(name: str, status: str) -> Content:
    """One row: the mark, the name and a word for the status."""
    mark, style = MARKS.get(status, ("·", ""))
    # $name is substituted as plain text, so a name can hold [brackets] safely.
    markup = f"{mark} $name{LABELS.get(status, '')}"
    return Content.from_markup(f"[{style}]{markup}[/]" if style else markup, name=name)


def _join(lines: dict[Row, Content], block: tuple[Row, ...]) -> Content:
    return Content("\n").join(lines[row] for row in block)
