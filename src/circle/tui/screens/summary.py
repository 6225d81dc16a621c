"""After the circle: the session report on screen, the same figures as every export."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from circle.core.clock import Clock
from circle.core.files import write_text
from circle.core.localtime import moment
from circle.core.wall_text import wall_text
from circle.engine import Session
from circle.games.reciprocity.scoring import ScoringRules
from circle.tui.host import GoHome
from circle.views.export import render
from circle.views.report import SessionReport, Table, build

NARROW = 120  # columns below which the panes stack into one column
PEOPLE_COLUMNS = ("Person", "Time", "Turns", "Passes", "Overtime", "Here")
STEP_COLUMNS = ("Step", "Planned", "Replanned", "Actual", "")


def summary_tables(report: SessionReport) -> tuple[Table, Table]:
    """The report's people and step tables, cut to the columns the screen has room for."""
    return _only(report.people_table(), PEOPLE_COLUMNS), _only(report.step_table(), STEP_COLUMNS)


def summary_lines(report: SessionReport) -> list[tuple[str, list[str]]]:
    """The report's lists under the tables: plan changes, the timeline, points and notes, oldest first."""
    parts = [
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
        export_dir: Path,
        tz: tzinfo | None = None,
        points: tuple[str, ...] = (),
        *,
        clock: Clock,
        rules: ScoringRules,
    ):
        super().__init__()
        self.session = session
        self.clock, self.rules = clock, rules
        self.points = points  # what the session scored as a meeting of its group (from the ledger)
        self.export_dir = export_dir
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
        yield Footer()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")

    def on_mount(self) -> None:
        assert self.report is not None
        people, steps = summary_tables(self.report)
        for table, selector in ((people, "#people"), (steps, "#steps")):
            widget = self.query_one(selector, DataTable)
            widget.add_columns(*table.headers)
            for row in table.rows:
                widget.add_row(*(Text(wall_text(cell)) for cell in row))

    def action_export(self) -> None:
        state = self.session.state
        assert state.protocol is not None and state.created_at is not None
        stamp = moment(state.created_at, self.tz).strftime("%Y-%m-%d-%H%M")
        path = self.export_dir / f"circle-{stamp}-{state.protocol.id}.md"
        report = build(state, self.clock.now(), self.tz, self.rules, self.points)
        try:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            write_text(path, render(report, "md"))
        except OSError as exc:
            self.notify(f"could not write {path}: {exc.strerror}", severity="error")
            return
        self.notify(f"notes written to {path}", timeout=8)

    def action_home(self) -> None:
        self.post_message(GoHome())
