"""The Reciprocity Game ledger: points per person and level, over time, meetings and conflicts.

Enter on a person opens their total into the moments that make it.
"""

from __future__ import annotations

from datetime import tzinfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label, Select, Sparkline, Static

from circle.core.clock import Clock
from circle.core.localtime import moment
from circle.core.wall_text import wall_text
from circle.games.reciprocity.ledger import Ledger, compute
from circle.games.reciprocity.report import Report, as_csv, as_markdown, as_text, moments, report, span_of
from circle.games.reciprocity.scoring import ScoringRules
from circle.store import Store
from circle.tui.remembered import Remembered
from circle.tui.screens.dialogs import TraceDialog
from circle.tui.screens.export_dialog import Offer, file_stem, open_export
from circle.tui.widgets.keys_footer import KeysFooter
from circle.tui.widgets.rows_table import RowsTable

EVERYONE = "__everyone__"


class LedgerScreen(Screen[None]):
    CSS_PATH = "ledger.tcss"
    BINDINGS = [
        Binding("g", "choose_group", "Group", id="group"),
        Binding("t", "trace", "Trace", id="trace"),
        Binding("x", "export('md')", "Export md", id="export-md"),
        Binding("v", "export('csv')", "Export csv", id="export-csv"),
        Binding("h,escape", "app.go_home", "Home", id="home"),
    ]

    def __init__(
        self, store: Store, rules: ScoringRules, remembered: Remembered, tz: tzinfo | None = None, *, clock: Clock
    ):
        super().__init__()
        self.store = store
        self.clock = clock
        self.rules = rules
        self.remembered = remembered  # where the last export went
        self.tz = tz
        self.ledger: Ledger | None = None  # added up right after the first paint (add_up)
        self.group: dict | None = None
        self.report: Report | None = None  # what is on show, so a row can be traced

    def compose(self) -> ComposeResult:
        groups = [(Content(wall_text(g["name"])), g["name"]) for g in self.store.groups()]
        with Horizontal(id="ledger-top"):
            yield Static(id="ledger-title")
            yield Select([(Content("everyone"), EVERYONE), *groups], value=EVERYONE, allow_blank=False, id="group")
        yield RowsTable(id="points", cursor=True)
        with Horizontal(id="ledger-bottom"):
            with Vertical(id="trend-pane"):
                yield Label("Points by month", classes="pane-title", id="trend-title")
                yield Sparkline([], id="trend")
                yield Static(id="trend-range")
                yield Label("Open conflicts", classes="pane-title")
                yield Static(id="conflicts")
            with Vertical(id="meetings-pane"):
                yield Label("Meetings", classes="pane-title", id="meetings-title")
                yield Static(id="meetings")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._columns("month")
        self.query_one("#points", RowsTable).focus()
        self.query_one("#ledger-title", Static).update("Ledger: adding up every session…")
        self.call_after_refresh(self.add_up)

    def add_up(self) -> None:
        """Compute the ledger once the screen is on show (the title says so meanwhile).

        On the main thread, and after the first paint: a thread would share the
        interpreter with the screen settling in, and take twice as long.
        """
        ledger = compute(self.store, self.rules, self.tz)
        self.ledger = ledger
        for problem in ledger.problems:
            self.notify(problem, severity="warning", timeout=8)
        self.show()

    def _columns(self, unit: str) -> None:
        names = self.rules.names
        self.query_one("#points", RowsTable).set_columns(
            ["Person", "Total", *(names[n] for n in range(1, 6)), f"By {unit}"], right=range(1, 7), strong=[1]
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        value = event.value
        group = None if value == EVERYONE or not isinstance(value, str) else self.store.group(value)
        if group != self.group:  # the select announces its first value too; nothing to redo then
            self.group = group
            self.show()

    def show(self, rep: Report | None = None) -> None:
        """Fill the screen from ``rep``, or from the ledger for the chosen group."""
        if self.ledger is None:
            return  # add_up shows it when it is ready
        rep = rep or report(self.ledger, self.group, self.tz, now=self.clock.now())
        self.report = rep
        self.query_one("#ledger-title", Static).update(Content(wall_text(rep.title)))
        self._columns(rep.unit)
        self.query_one("#trend-title", Label).update(f"Points by {rep.unit}")
        self.query_one("#points", RowsTable).set_rows(
            [(wall_text(r.name), str(r.total), *(str(r.levels[n]) for n in range(1, 6)), r.trend) for r in rep.rows]
        )
        self.query_one("#trend", Sparkline).data = rep.monthly_totals or [0]
        span = span_of(rep) if rep.months else "no points yet"
        self.query_one("#trend-range", Static).update(span)
        self.query_one("#conflicts", Static).update(Content("\n".join(rep.open_conflicts) or "none"))
        if rep.streak is None:
            title, body = "Meetings", "choose a group (g) to see its monthly meetings"
        else:
            title = f"Meetings · streak {rep.streak} month{'s' if rep.streak != 1 else ''}"
            misses = ", ".join(f"{name} {n}" for name, n in sorted(rep.misses.items()))
            body = "\n".join(rep.meetings[-12:]) or "none yet"  # the latest twelve, oldest first
            if rep.rhythm:
                body = f"{rep.rhythm}\n{body}"
            if misses:
                body += f"\nmisses: {misses}"
        self.query_one("#meetings-title", Label).update(title)
        self.query_one("#meetings", Static).update(Content(body))

    def on_rows_table_chosen(self, event: RowsTable.Chosen) -> None:
        self.trace(event.index)

    def action_trace(self) -> None:
        self.trace(self.query_one("#points", RowsTable).cursor or 0)

    def trace(self, index: int) -> None:
        """Open one person's total into its moments: date, points, running total, level, reason, session."""
        if self.ledger is None or self.report is None or index >= len(self.report.rows):
            return
        row = self.report.rows[index]
        names = self.rules.names
        group_id = self.group["id"] if self.group else None
        running, lines = 0, []
        for m in moments(self.ledger, group_id, row.person, self.tz):
            running += m.points
            lines.append(
                [m.date, f"{m.points:+d}" if m.points else "0", str(running), names[m.level], m.reason, m.session]
            )
        points = f"{row.total} point{'s' if abs(row.total) != 1 else ''}"
        title = f"{row.name}: {points}, {len(lines)} moment{'s' if len(lines) != 1 else ''}"
        # The numbers next to the date: on a narrow screen it is the session id that is cut, not the points.
        headers = ["Date", "Points", "Total", "Level", "Reason", "Session"]
        self.app.push_screen(TraceDialog(title, headers, lines, right=(1, 2)))

    def action_choose_group(self) -> None:
        self.query_one("#group", Select).focus()

    def action_export(self, fmt: str) -> None:
        """Ask for the format (``fmt`` first), folder and name, then write the ledger on show."""
        ledger = self.ledger
        if ledger is None:
            self.notify("still adding up the ledger; a moment", severity="warning")
            return
        group = self.group
        rep = lambda: report(ledger, group, self.tz, now=self.clock.now())  # noqa: E731
        writers = {
            "md": lambda: as_markdown(rep(), self.rules),
            "csv": lambda: as_csv(ledger, group["id"] if group else None, self.tz),
            "text": lambda: as_text(rep(), self.rules),
        }
        day = moment(self.clock.now(), self.tz).strftime("%Y-%m-%d")
        stem = file_stem("ledger", group["name"] if group else "everyone", day)
        open_export(self, self.remembered, Offer("the ledger", writers, stem, fmt))
