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

    def compose(self):
        yield Static(id="roster-lines")

    def on_mount(self) -> None:
        self.border_title = "Roster"

    def show(self, rows: list[tuple[str, str]], title: str = "Roster") -> None:
        """``rows`` are (name, status) pairs in order."""
        self.border_title = title
        lines = []
        for i, (name, status) in enumerate(rows):
            mark, style = MARKS.get(status, ("·", ""))
            # $name is substituted as plain text, so a name can hold [brackets] safely.
            markup = f"{mark} $name{LABELS.get(status, '')}"
            lines.append(Content.from_markup(f"[{style}]{markup}[/]" if style else markup, name=name))
            if status == "now":
                self.call_after_refresh(self._scroll_to_line, i)
        self.query_one("#roster-lines", Static).update(Content("\n").join(lines))

    def _scroll_to_line(self, line: int) -> None:
        self.scroll_to(y=max(0, line - 2), animate=False)
