"""After the circle: the session report on screen, the same figures as every export."""

from __future__ import annotations

from datetime import tzinfo
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from circle.core.clock import Clock
from circle.core.localtime import moment
from circle.core.wall_text import wall_text
from circle.engine import Session
from circle.games.reciprocity.scoring import ScoringRules
from circle.store import Store
from circle.tui.host import GoHome
from circle.tui.remembered import Remembered
from circle.tui.screens.export_dialog import Offer, file_stem, open_export
from circle.tui.widgets.keys_footer import KeysFooter
from circle.views.export import FORMATS, render
from circle.views.report import SessionReport, Table, build

NARROW = 120  # columns below which the panes stack into one column
PEOPLE_COLUMNS = ("Person", "Time", "Turns", "Passes", "Overtime", "Here")
STEP_COLUMNS = ("Step", "Planned", "Replanned", "Actual", "")


def summary_tables(report: SessionReport) -> tuple[Table, Table]:
    """The report's people and step tables, cut to the columns the screen has room for."""
    return _only(report.people_table(), PEOPLE_COLUMNS), _only(report.step_table(), STEP_COLUMNS)


def summary_lines(report: SessionReport) -> list[tuple[str, list[str]]]:
    """The report's lists under the tables: who spoke how much, plan changes, the timeline, points
    and notes, oldest first."""
    parts = [
        ("Who spoke how much", report.share_lines()),
        ("Plan changes", report.plan_lines()),
        ("Timeline", report.timeline_lines()),
        ("Points recorded", list(report.records)),
        ("Notes", report.note_lines() or ["no notes taken"]),
    ]
    return [(title, lines) for title, lines in parts if lines]


def _only(table: Table, columns: tuple[str, ...]) -> Table:
    keep = [i for i, h in enumerate(table.headers) if h in columns]
    return Table([table.headers[i] for i in keep], [[row[i] for i in keep] for row in table.rows])


class SummaryScreen(Screen[None]):
    CSS_PATH = "summary.tcss"
    BINDINGS = [
        Binding("x", "export", "Export notes", id="export"),
        Binding("h,escape", "home", "Home", id="home"),
        Binding("ctrl+q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        session: Session,
        remembered: Remembered,
        tz: tzinfo | None = None,
        points: tuple[str, ...] = (),
        *,
        clock: Clock,
        rules: ScoringRules,
        store: Store | None = None,
    ):
        super().__init__()
        self.session = session
        self.store = store  # the session's events, for the JSON export (None: without them)
        self.clock, self.rules = clock, rules
        self.points = points  # what the session scored as a meeting of its group (from the ledger)
        self.remembered = remembered  # where the last export went
        self.tz = tz
        self.report: SessionReport | None = None

    def compose(self) -> ComposeResult:
        report = self.report = build(self.session.state, self.clock.now(), self.tz, self.rules, self.points)
        yield Static(Content(wall_text(f"{report.title}  ·  {report.when}")), id="summary-title")
        with Container(id="tables"):
            with Vertical(id="steps-pane"):
                yield Label("Steps: planned and actual", classes="pane-title")
                yield DataTable(id="steps", cursor_type="row")
            with Vertical(id="people-pane"):
                yield Label(report.people_title, classes="pane-title")
                yield DataTable(id="people", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="story"):
                for title, lines in summary_lines(report):
                    yield Label(title, classes="pane-title")
                    yield Static(Content("\n".join(f"· {wall_text(line)}" for line in lines)), classes="lines")
        yield KeysFooter()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")

    def on_mount(self) -> None:
        assert self.report is not None
        people, steps = summary_tables(self.report)
        for table, selector in ((people, "#people"), (steps, "#steps")):
            widget = self.query_one(selector, DataTable)
            widget.add_columns(*table.headers)
            replanned = table.headers.index("Replanned") if "Replanned" in table.headers else None
            for row in table.rows:
                cells = [wall_text(cell) for cell in row]
                if replanned is not None:
                    # One rebalance a line: side by side, two of them pushed Actual off an 80-column screen.
                    cells[replanned] = cells[replanned].replace(", ", "\n")
                widget.add_row(*(Text(cell) for cell in cells), height=None)

    def action_export(self) -> None:
        """Ask for the format, folder and name, then write the report as it stands now."""
        state = self.session.state
        assert state.protocol is not None and state.created_at is not None
        day = moment(state.created_at, self.tz).strftime("%Y-%m-%d")
        group = state.group["name"] if state.group else ""
        writers = {fmt: partial(self.rendered, fmt) for fmt in FORMATS}
        open_export(self, self.remembered, Offer("the notes", writers, file_stem(group, state.protocol.title, day)))

    def rendered(self, fmt: str) -> str:
        """The report as it stands now in ``fmt`` (JSON with the raw events, as ``circle export`` gives)."""
        state = self.session.state
        events = self.store.events(state.session_id) if self.store and state.session_id else []
        return render(build(state, self.clock.now(), self.tz, self.rules, self.points), fmt, events)

    def action_home(self) -> None:
        self.post_message(GoHome())
